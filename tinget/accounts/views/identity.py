"""ID-porten login (start, callback, back from logout) and the pages about a person's identity level and
residency. The protocol lives in tinget.accounts.oidc, the rules in tinget.accounts.identity."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tinget.core.models import postcode_validator
from tinget.core.selectors import current_municipality

from .. import identity, oidc


def _unavailable(request):
    return render(request, "accounts/idporten/unavailable.html", status=503)


@never_cache
@require_GET
def idporten_login(request):
    """Start a login through ID-porten at the level asked for (?level=substantial|high), coming back to ?next."""
    level = request.GET.get("level", identity.SUBSTANTIAL)
    acr = identity.LEVEL_ACR.get(level, oidc.SUBSTANTIAL)
    next_url = identity.safe_next(request, request.GET.get("next"))
    if not oidc.enabled():
        return _unavailable(request)
    try:
        return HttpResponseRedirect(oidc.begin(request, acr=acr, next_url=next_url))
    except oidc.ProviderUnavailable:
        identity.log_refusal(request, "provider_unavailable")
        return _unavailable(request)


@never_cache
@require_GET
def callback(request):
    """The provider's answer. Every refusal leaves the person logged out, with a page that says why."""
    pending = oidc.take_pending(request)
    # The callback address carries no language prefix: answer in the language the login began in, or else
    # the one the browser asks for.
    language = pending.get("language") if pending else translation.get_language_from_request(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    try:
        if pending is None:
            raise oidc.refuse("state")
        claims, id_token = oidc.finish(request, pending)
        identity.idporten_login(request, claims=claims, id_token=id_token, language=pending["language"])
    except oidc.LoginRefused as refusal:
        identity.log_refusal(request, refusal.code)
        logout(request)
        status = 403 if refusal.code in ("acr", "conflict") else 400
        retry = None
        if pending is not None:
            level = identity.HIGH if pending["acr"] == oidc.HIGH else identity.SUBSTANTIAL
            retry = identity.login_url(level, pending["next"])
        return render(
            request, "accounts/idporten/refused.html", {"message": str(refusal), "retry_url": retry}, status=status
        )
    except oidc.ProviderUnavailable:
        identity.log_refusal(request, "provider_unavailable")
        logout(request)
        return _unavailable(request)
    return HttpResponseRedirect(pending["next"] or reverse("accounts:min_side"))


@require_GET
def logged_out(request):
    """Back from logging out at the provider."""
    messages.info(request, _("You are logged out, also from ID-porten."))
    return HttpResponseRedirect(reverse("core:hub"))


@never_cache
@require_GET
@identity.identity_required(level=identity.SUBSTANTIAL, resident=True)
def residency(request):
    """A page that needs a verified resident: it shows the person's level and what we know of where they live."""
    return render(
        request,
        "accounts/idporten/residency.html",
        {
            **identity_context(request),
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("My page"), reverse("accounts:min_side")),
                (_("Where you live"), None),
            ],
        },
    )


def identity_context(request) -> dict:
    """What Min side's identity part and the residency page show, read in one query."""
    user = identity.identity_snapshot(request.user)
    municipality = current_municipality()
    residency = getattr(user, "residency", None)
    if residency is not None and (
        residency.municipality_id != getattr(municipality, "pk", None)
        or residency.source != identity.residency_check().source
    ):
        residency = None
    return {
        "level": identity.highest_level(request, email_verified=user.has_verified_email),
        "idporten_identity": getattr(user, "identity", None),
        "residency": residency,
        "has_working_email": identity.has_working_email(user),
        "idporten_enabled": oidc.enabled(),
        "raise_to_substantial_url": identity.login_url(identity.SUBSTANTIAL, request.get_full_path()),
        "raise_to_high_url": identity.login_url(identity.HIGH, request.get_full_path()),
    }


class DeclarePostcodeForm(forms.Form):
    postcode = forms.CharField(
        label=gettext_lazy("Postcode"),
        max_length=4,
        min_length=4,
        validators=[postcode_validator],
        help_text=gettext_lazy("The postcode of the address where you live. Four digits."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def residency_declare(request):
    """Declare where you live, when the installation decides residency by a declared postcode."""
    if not identity.residency_check().needs_declaration:
        raise Http404
    form = DeclarePostcodeForm(request.POST or None)
    next_url = identity.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        identity.declare_residency(actor=request.user, postcode=form.cleaned_data["postcode"])
        return HttpResponseRedirect(next_url or reverse("accounts:residency"))
    return render(
        request,
        "accounts/idporten/declare.html",
        {"form": form, "next": next_url},
        status=400 if form.is_bound else 200,
    )
