"""Signing an initiative, the receipt, and taking one's signature back.

GET `sign` asks for an ID-porten login at substantial level and residency (tinget.accounts.identity), then
shows a short confirmation: what you sign, whether your name is shown, whether you follow it. POST `sign`
signs (services.sign) and answers 303 to the receipt; when a rule says no it shows the confirmation again
with the reason: 409 when this person has signed already (online or on paper), 403 when they do not live in
the municipality, 410 when the initiative no longer takes signatures.

The POST is what many people do at once when an initiative takes off (bench/initiatives: 100 signers
together), so its success path is lean: the rate limit, the level from the session (no query), the service
(which reads the identity, the initiative and the residency and inserts one row), and a redirect. Nothing is
rendered, and the initiative is read from the database only when the answer is an error page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tinget.accounts import identity
from tinget.core import ratelimit
from tinget.core.errors import DomainError
from tinget.core.notify import selectors as notify_selectors

from .. import rules, selectors, services
from .public import refresh_counts, share_url, url_or_none

# The answer for each refusal the contract names (var/HELPERS.md); any other DomainError is a 409 too.
ERROR_STATUS = {
    services.AlreadySigned: 409,
    services.AlreadySignedOnPaper: 409,
    services.NotResident: 403,
    services.NoIdentity: 403,
    services.NotSignable: 410,
}


class SignForm(forms.Form):
    show_name = forms.BooleanField(
        label=gettext_lazy("Show my name on the initiative's page"),
        required=False,
        initial=False,
        help_text=gettext_lazy(
            "Everyone can then see that you signed. The municipality gets your name for the list of signatures "
            "either way."
        ),
    )
    follow = forms.BooleanField(
        label=gettext_lazy("Follow the initiative"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "We tell you on My page, and by e-mail if you have given us an address, when it is handed over and "
            "what the council decides."
        ),
    )


def _crumbs(initiative, title):
    return [
        (_("Front page"), reverse("core:hub")),
        (_("Citizen initiatives"), reverse("initiatives:index")),
        (initiative.title, initiative.get_absolute_url()),
        (title, None),
    ]


def _signable_now(initiative) -> bool:
    return initiative.state in rules.SIGNABLE_STATES and not (
        initiative.signing_ends_at and timezone.now() > initiative.signing_ends_at
    )


def _confirmation(request, initiative, form, *, error=None, status=200):
    """The confirmation page, also after a refusal (then with its reason)."""
    user = request.user
    signature = selectors.signature_of(user, initiative)
    person = selectors.signer_identity(user)
    signable = _signable_now(initiative)
    return render(
        request,
        "initiatives/signing/confirm.html",
        {
            "initiative": initiative,
            "form": form,
            "error": error,
            "signature": signature,
            "signable": signable,
            "show_form": signable and signature is None and not isinstance(error, services.AlreadySignedOnPaper),
            "person_name": f"{person['given_name']} {person['family_name']}".strip() if person else "",
            "person_birth_date": person["birth_date"] if person else None,
            "can_withdraw": signature is not None and initiative.state in rules.WITHDRAWABLE_STATES,
            "crumbs": _crumbs(initiative, _("Sign")),
        },
        status=status,
    )


@ratelimit.answers_429_itself
@never_cache
@require_http_methods(["GET", "POST"])
def sign(request, pk):
    if request.method == "POST":
        return _sign_post(request, pk)
    initiative = selectors.initiative_for(pk, request.user)
    if initiative is None:
        raise Http404
    refusal = identity.require_identity(request, level=identity.SUBSTANTIAL, resident=True)
    if refusal is not None:
        return refusal
    form = SignForm()
    if not _signable_now(initiative):
        return _confirmation(request, initiative, form, error=services.NotSignable(), status=410)
    return _confirmation(request, initiative, form)


def _sign_post(request, pk):
    # Signing has its own limits instead of the general one on writes (the view answers 429 itself): per
    # person, and per network a much higher number, since a whole student home or workplace may sign
    # together behind one address, which the general network limit would shut out after a few hundred.
    try:
        ratelimit.check(
            request,
            "initiatives.sign",
            settings.TINGET_INITIATIVE_SIGN_RATE,
            network_rate=settings.TINGET_INITIATIVE_SIGN_NETWORK_RATE,
        )
    except ratelimit.RateLimited as exc:
        return ratelimit.too_many_requests(request, exc)
    # The level is in the session (no query); residency and the rest are the service's to check.
    if identity.SUBSTANTIAL not in identity.levels(request, email_verified=False):
        # As require_identity answers: log in through ID-porten and come back to the confirmation.
        return HttpResponseRedirect(identity.login_url(identity.SUBSTANTIAL, reverse("initiatives:sign", args=[pk])))
    form = SignForm(request.POST)
    form.is_valid()  # two checkboxes: never invalid, absent means no
    data = form.cleaned_data
    try:
        services.sign(
            actor=request.user,
            initiative_id=pk,
            show_name=bool(data.get("show_name")),
            follow=bool(data.get("follow")),
            ip=ratelimit.client_ip(request),
        )
    except DomainError as error:
        initiative = selectors.initiative_for(pk, request.user)
        if initiative is None:
            raise Http404 from None
        return _confirmation(request, initiative, form, error=error, status=ERROR_STATUS.get(type(error), 409))
    return HttpResponseRedirect(reverse("initiatives:signed", args=[pk]), status=303)


@never_cache
@login_required
@require_GET
def signed(request, pk):
    """The receipt: thanks, the count, what happens next, the share link and whether you follow it."""
    initiative = selectors.initiative_for(pk, request.user)
    if initiative is None:
        raise Http404
    signature = selectors.signature_of(request.user, initiative)
    if signature is None:
        return HttpResponseRedirect(initiative.get_absolute_url())
    initiative = refresh_counts(initiative)
    return render(
        request,
        "initiatives/signing/signed.html",
        {
            "initiative": initiative,
            "signature": signature,
            # The count is refreshed every few seconds; until then it may not include this signature.
            "counted": bool(initiative.counted_at and initiative.counted_at >= signature.created_at),
            "following": notify_selectors.is_following(request.user, initiative),
            "share_url": share_url(request, initiative),
            "paper_form_url": reverse("initiatives:paper_form", args=[initiative.pk]),
            "my_signatures_url": url_or_none("initiatives:my_signatures"),
            "crumbs": _crumbs(initiative, _("Thank you for signing")),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_signature(request, pk):
    """GET asks "do you want to take your signature back?"; POST does it. Only your own signature, and only
    until the initiative is handed over (services.withdraw_signature)."""
    initiative = selectors.initiative_for(pk, request.user)
    if initiative is None:
        raise Http404
    # The same proof of who you are as for signing, but you need not live here any more to take it back.
    refusal = identity.require_identity(request, level=identity.SUBSTANTIAL, resident=False)
    if refusal is not None:
        return refusal
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.withdraw_signature(actor=request.user, initiative=initiative)
        except DomainError as exc:
            error, status = exc, 409
        else:
            services.recount(initiative, force=True)
            messages.success(request, _("Your signature has been withdrawn."))
            return HttpResponseRedirect(initiative.get_absolute_url(), status=303)
    signature = selectors.signature_of(request.user, initiative)
    if error is None and signature is None:
        error, status = DomainError(_("You have not signed this initiative.")), 409
    elif error is None and initiative.state not in rules.WITHDRAWABLE_STATES:
        error = DomainError(_("The initiative has been handed over; signatures can no longer be withdrawn."))
        status = 409
    return render(
        request,
        "initiatives/signing/withdraw.html",
        {
            "initiative": initiative,
            "signature": signature,
            "error": error,
            "crumbs": _crumbs(initiative, _("Withdraw your signature")),
        },
        status=status,
    )


urlpatterns = [
    path(format_lazy("<int:pk>/{}", gettext_lazy("sign/")), sign, name="sign"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("signed/")), signed, name="signed"),
    path(
        format_lazy("<int:pk>/{}", gettext_lazy("withdraw-signature/")),
        withdraw_signature,
        name="withdraw_signature",
    ),
]
