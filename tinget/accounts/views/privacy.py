"""Min side's privacy pages: download my data, delete my account, consents, and who has read my data."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinget.core import ratelimit
from tinget.core.errors import DomainError
from tinget.core.mail import deliverable

from .. import privacy

READS_PER_PAGE = 20
# Set in the new, anonymous session once an account is gone, so the goodbye page is shown only then.
DELETED_SESSION_KEY = "privacy_account_deleted"


class DeleteAccountForm(forms.Form):
    """Confirms that the person means it: a box to tick, and their password, or (for a person who logs in
    only with ID-porten and has no password) their e-mail address typed out."""

    understand = forms.BooleanField(
        label=gettext_lazy("I understand that my account and my data will be deleted, and that this cannot be undone"),
        error_messages={"required": gettext_lazy("Tick the box to confirm that you want to delete your account.")},
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Enter your password.")},
    )
    email = forms.CharField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("Type the e-mail address of your account to confirm."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Type your e-mail address.")},
    )

    # In the order the page shows them, so the error summary lists them in that order too.
    field_order = ["password", "email", "understand"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["email"]
        else:
            del self.fields["password"]
            if not deliverable(user.email):
                # Logged in with ID-porten and no address of their own: there is nothing they could type.
                del self.fields["email"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."), code="wrong_password")
        return password

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."), code="wrong_email")
        return email


class ConsentForm(forms.Form):
    purpose = forms.CharField(max_length=100)
    text_version = forms.CharField(max_length=40, required=False)
    action = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])


def _crumbs(*last):
    return [(_("Front page"), reverse("core:hub")), (_("My page"), reverse("accounts:min_side")), *last]


@require_GET
@login_required
def privacy_page(request):
    """What we hold and how to get it, consents, who in the municipality has read the person's data, and
    what is kept when the account goes."""
    reads_page = Paginator(privacy.staff_reads(request.user), READS_PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        "accounts/privacy/privacy.html",
        {
            "consents": privacy.consent_overview(request.user),
            "reads_page": reads_page,
            "reads": [privacy.describe_staff_read(entry) for entry in reads_page],
            "retention": privacy.retention_rules(),
            "crumbs": _crumbs((_("Privacy and your data"), None)),
        },
    )


@require_POST
@login_required
def download(request):
    """The person's data as a ZIP file (data.json and index.html), in the page's language."""
    ratelimit.check(request, "privacy_download", "10/h")
    try:
        file, filename = privacy.export_personal_data(user=request.user, language=get_language())
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("accounts:privacy")
    response = FileResponse(file, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def consent(request):
    """Give or withdraw one consent."""
    form = ConsentForm(request.POST)
    if not form.is_valid():
        raise BadRequest("malformed consent form")
    purpose = form.cleaned_data["purpose"]
    try:
        if form.cleaned_data["action"] == "give":
            privacy.record_consent(user=request.user, purpose=purpose, text_version=form.cleaned_data["text_version"])
            messages.success(request, _("Thank you. Your consent is recorded."))
        else:
            privacy.withdraw_consent(user=request.user, purpose=purpose)
            messages.success(request, _("Your consent is withdrawn."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(reverse("accounts:privacy") + "#consents")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def delete_account(request):
    """Confirm, then delete the person's own account (see privacy.delete_account)."""
    user = request.user
    context = {
        "crumbs": _crumbs((_("Privacy and your data"), reverse("accounts:privacy")), (_("Delete account"), None)),
        "receipt_to": user.email if deliverable(user.email) else None,
    }
    if user.is_staff or user.is_superuser:
        return render(
            request,
            "accounts/privacy/delete.html",
            {**context, "refusal": privacy.StaffCannotDeleteThemselves.default_message},
            status=403 if request.method == "POST" else 200,
        )
    form = DeleteAccountForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        # The form checks the password: a tighter limit than other writes keeps guessing slow.
        ratelimit.check(request, "delete_account", "10/10m")
        if form.is_valid():
            try:
                privacy.delete_account(user=user, language=get_language())
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                logout(request)
                request.session[DELETED_SESSION_KEY] = True
                return redirect("accounts:privacy_deleted")
    return render(request, "accounts/privacy/delete.html", {**context, "form": form})


@require_GET
def deleted(request):
    """The goodbye page, for the person whose account was just deleted."""
    if not request.session.get(DELETED_SESSION_KEY):
        return redirect("core:hub")
    return render(request, "accounts/privacy/deleted.html")
