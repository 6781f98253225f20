"""Identity levels and residency: what modules ask before they let a person act.

Levels, weakest first:
  email_verified  the person has a confirmed e-mail address (allauth's EmailAddress)
  substantial     this session was logged in through ID-porten at idporten-loa-substantial or higher
  high            this session was logged in through ID-porten at idporten-loa-high

An ID-porten level belongs to the login, not to the account: it comes from the acr of the ID-porten login
that started this session (the same acr is kept on Identity as the latest login's). A person who later
logs in with e-mail and password has their e-mail level only, so a leaked password cannot sign an
initiative. An ID-porten level does not imply email_verified: ID-porten gives no e-mail address, and a new
person gets a placeholder address on the reserved .invalid domain (RFC 2606), which can never receive
mail, until they add a real one on Min side.

Residency ("is this person registered as living in the municipality?") is decided by the class named in
settings.TINGET_RESIDENCY_CHECK and recorded as a Residency row:
  RegistryResidencyCheck          the population register, asked at each ID-porten login with the pid; the
                                  demo register is the local provider's test persons (the real one would
                                  ask Folkeregisteret behind the same interface)
  DeclaredPostcodeResidencyCheck  a postcode the person declares, in the municipality's Postcode table;
                                  recorded as declared, not verified

Modules make one call: `require_identity(request, level="substantial", resident=True)` returns None when
the person may go on, or a response that sends them through the right login and back (or explains kindly
why they cannot take part). `identity_required(...)` is the decorator form.
"""

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string

from tinget.core import audit
from tinget.core.mail import deliverable
from tinget.core.selectors import current_municipality, postcode_in_municipality

from . import oidc
from .models import Identity, Residency, User

EMAIL_VERIFIED = "email_verified"
SUBSTANTIAL = "substantial"
HIGH = "high"
LEVELS = (EMAIL_VERIFIED, SUBSTANTIAL, HIGH)
LEVEL_ACR = {SUBSTANTIAL: oidc.SUBSTANTIAL, HIGH: oidc.HIGH}
PLACEHOLDER_EMAIL_DOMAIN = "idporten.invalid"


def has_working_email(user) -> bool:
    """Whether mail to user.email can arrive: false for the placeholder an ID-porten login starts with."""
    return deliverable(user.email)


# --- Levels -----------------------------------------------------------------------------------------------


def session_acr(request) -> str | None:
    """The acr of the ID-porten login behind this session, if this session began with one."""
    login = request.session.get(oidc.SESSION_LOGIN) if hasattr(request, "session") else None
    user = getattr(request, "user", None)
    if not login or user is None or not user.is_authenticated or login.get("user_id") != user.pk:
        return None
    return login.get("acr")


def identity_snapshot(user) -> User:
    """The user with their Identity and Residency and whether they have a confirmed e-mail address
    (`has_verified_email`), in one query."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return (
        User.objects.select_related("identity", "residency__municipality")
        .annotate(has_verified_email=Exists(verified))
        .get(pk=user.pk)
    )


def levels(request, *, email_verified: bool | None = None) -> set[str]:
    """The levels this request's person has. `email_verified` may be given when already known."""
    user = request.user
    found = set()
    if not user.is_authenticated:
        return found
    if email_verified is None:
        email_verified = EmailAddress.objects.filter(user=user, verified=True).exists()
    if has_working_email(user) and email_verified:
        found.add(EMAIL_VERIFIED)
    acr = session_acr(request)
    for level, needed in LEVEL_ACR.items():
        if acr and oidc.acr_at_least(acr, needed):
            found.add(level)
    return found


def highest_level(request, *, email_verified: bool | None = None) -> str | None:
    have = levels(request, email_verified=email_verified)
    return next((level for level in reversed(LEVELS) if level in have), None)


# --- Residency --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidencyAnswer:
    is_resident: bool
    postcode: str
    source: str


@runtime_checkable
class ResidencyCheck(Protocol):
    """Is this person registered as living in the municipality?"""

    source: str
    # True when the person must tell us something (a postcode) before the check can answer.
    needs_declaration: bool

    def check(self, municipality, *, pid: str | None = None, postcode: str | None = None) -> ResidencyAnswer | None:
        """The answer, or None when this check cannot tell from what it was given."""


class RegistryResidencyCheck:
    """The population register. The demo's register is a JSON file (settings.TINGET_RESIDENCY_REGISTRY, by
    default the local provider's test persons) mapping pid to postcode; a real installation would ask
    Folkeregisteret here, with the same answer."""

    source = Residency.Source.REGISTRY
    needs_declaration = False

    def check(self, municipality, *, pid=None, postcode=None):
        if not pid:
            return None
        registered = _registry(str(settings.TINGET_RESIDENCY_REGISTRY)).get(pid, "")
        resident = bool(registered) and postcode_in_municipality(municipality, registered)
        return ResidencyAnswer(is_resident=resident, postcode=registered, source=self.source)


@lru_cache(maxsize=4)
def _registry(path: str) -> dict[str, str]:
    return {person["pid"]: person["postcode"] for person in json.loads(Path(path).read_text("utf-8"))["persons"]}


class DeclaredPostcodeResidencyCheck:
    """A postcode the person gives, checked against the municipality's postcodes. Declared, not verified."""

    source = Residency.Source.DECLARED
    needs_declaration = True

    def check(self, municipality, *, pid=None, postcode=None):
        if not postcode:
            return None
        return ResidencyAnswer(
            is_resident=postcode_in_municipality(municipality, postcode), postcode=postcode, source=self.source
        )


def residency_check() -> ResidencyCheck:
    return import_string(settings.TINGET_RESIDENCY_CHECK)()


def residency_of(user, municipality) -> Residency | None:
    """The person's residency as the configured check records it (a row from another source does not count)."""
    if municipality is None or not user.is_authenticated:
        return None
    return Residency.objects.filter(user=user, municipality=municipality, source=residency_check().source).first()


def _record_residency(user, municipality, answer: ResidencyAnswer) -> Residency:
    residency, _created = Residency.objects.update_or_create(
        user=user,
        defaults={
            "municipality": municipality,
            "is_resident": answer.is_resident,
            "source": answer.source,
            "postcode": answer.postcode,
            "checked_at": timezone.now(),
        },
    )
    return residency


def declare_residency(*, actor, postcode: str) -> Residency:
    """Record the postcode a person declares (DeclaredPostcodeResidencyCheck). Writes Residency and an
    audit entry; raises ValueError when the configured check does not take declarations."""
    check = residency_check()
    municipality = current_municipality()
    if not check.needs_declaration or municipality is None:
        raise ValueError("The configured residency check does not take declarations.")
    answer = check.check(municipality, postcode=postcode)
    with transaction.atomic():
        residency = _record_residency(actor, municipality, answer)
        audit.log(actor, "accounts.residency.declared", residency, {"resident": answer.is_resident})
    return residency


# --- Logging in with ID-porten ----------------------------------------------------------------------------


def idporten_login(request, *, claims: dict, id_token: str, language: str) -> User:
    """Log the person in from verified id_token claims: find them on (issuer, pairwise sub), or link the
    identity to the account already logged in, or create an account; record the keyed hash of the pid (never
    the pid), the acr and the residency the registry gives. Raises oidc.LoginRefused("conflict") when the
    identity belongs to another account than the one logged in."""
    issuer = settings.IDPORTEN_ISSUER.rstrip("/")
    pid = claims["pid"]
    key_id, digest = oidc.pid_digest(pid)
    current = request.user if request.user.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        identity = Identity.objects.select_for_update().filter(issuer=issuer, subject=claims["sub"]).first()
        if identity is None and current is not None:
            identity = Identity.objects.select_for_update().filter(user=current).first()
            # The account's identity from another issuer (or an older pairwise sub) is kept only when it is
            # the same person, as the keyed hash of the pid tells.
            if identity is not None and identity.pid_digest not in oidc.pid_digests(pid):
                raise oidc.refuse("conflict")
        if identity is not None and current is not None and identity.user_id != current.pk:
            raise oidc.refuse("conflict")
        created = identity is None
        if created:
            user = current or User.objects.create_user(
                f"{uuid.uuid4().hex}@{PLACEHOLDER_EMAIL_DOMAIN}", password=None, preferred_language=language
            )
            identity = Identity(user=user)
        user = identity.user
        identity.issuer = issuer
        identity.subject = claims["sub"]
        identity.pid_digest = digest
        identity.pid_key_id = key_id
        identity.acr = claims["acr"]
        identity.given_name = str(claims.get("given_name", ""))[:150]
        identity.family_name = str(claims.get("family_name", ""))[:150]
        identity.birth_date = oidc.birth_date(pid)
        identity.verified_at = now
        identity.save()
        check = residency_check()
        municipality = current_municipality()
        answer = None if check.needs_declaration or municipality is None else check.check(municipality, pid=pid)
        if answer is not None:
            _record_residency(user, municipality, answer)
        audit.log(
            user,
            "accounts.idporten.login",
            identity,
            {
                "acr": claims["acr"],
                "issuer": issuer,
                "new_identity": created,
                "resident": None if answer is None else answer.is_resident,
            },
        )
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # After login(): it empties the session when another person was logged in.
    request.session[oidc.SESSION_LOGIN] = {
        "acr": claims["acr"],
        "id_token": id_token,
        "issuer": issuer,
        "user_id": user.pk,
    }
    return user


def log_refusal(request, reason: str):
    actor = request.user if request.user.is_authenticated else "anonymous"
    with transaction.atomic():
        audit.log(actor, "accounts.idporten.refused", None, {"reason": reason, "issuer": settings.IDPORTEN_ISSUER})


# --- What modules call ------------------------------------------------------------------------------------


def safe_next(request, url: str | None, default: str = "") -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def login_url(level: str, next_url: str) -> str:
    """The ID-porten login that gives `level`, coming back to next_url."""
    query = urlencode({"level": level, "next": next_url})
    return f"{reverse('accounts:idporten_login')}?{query}"


def require_identity(request, level: str = SUBSTANTIAL, resident: bool = True):
    """None when the person has `level` (and, if `resident`, is registered as living in the municipality);
    otherwise the response to give: a login that raises the level and comes back here, the declaration of
    an address, or a kind page for someone who lives elsewhere."""
    if level not in LEVELS:
        raise ValueError(f"Unknown identity level {level!r}; use one of {LEVELS}")
    here = request.get_full_path()
    have = levels(request)
    if level == EMAIL_VERIFIED and level not in have:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': here})}")
        return HttpResponseRedirect(f"{reverse('account_email')}?{urlencode({'next': here})}")
    if level != EMAIL_VERIFIED and level not in have:
        return HttpResponseRedirect(login_url(level, here))
    if not resident:
        return None
    municipality = current_municipality()
    residency = residency_of(request.user, municipality)
    check = residency_check()
    if residency is None:
        if check.needs_declaration:
            return HttpResponseRedirect(f"{reverse('accounts:residency_declare')}?{urlencode({'next': here})}")
        if SUBSTANTIAL not in have:
            return HttpResponseRedirect(login_url(SUBSTANTIAL, here))
    if residency is None or not residency.is_resident:
        return render(
            request,
            "accounts/idporten/not_resident.html",
            {"residency": residency, "declared": check.needs_declaration},
            status=403,
        )
    return None


def identity_required(level: str = SUBSTANTIAL, resident: bool = True):
    """Decorator form of require_identity."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = require_identity(request, level=level, resident=resident)
            return response if response is not None else view(request, *args, **kwargs)

        return wrapper

    return decorator
