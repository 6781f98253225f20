"""Test people as the logins leave them: residents through ID-porten, staff with a second factor. For every module's
tests and the browser journeys (a plain module, not a conftest, so all can import it)."""

import itertools

from django.utils import timezone

from tinget.accounts import oidc
from tinget.accounts.models import Identity, Residency
from tinget.accounts.staff import ensure_staff_roles
from tinget.core.tests.clients import CommittingClient

_numbers = itertools.count(1)


def make_person(django_user_model, municipality, *, pid, given, family, postcode, resident=True, email=None):
    """A person as an ID-porten login leaves them (tinget.accounts.identity.idporten_login)."""
    user = django_user_model.objects.create_user(
        email or f"person{next(_numbers)}@example.no", None, preferred_language="nb"
    )
    key_id, digest = oidc.pid_digest(pid)
    Identity.objects.create(
        user=user,
        issuer="http://testserver/dev-idp",
        subject=f"sub-{user.pk}",
        pid_digest=digest,
        pid_key_id=key_id,
        acr=oidc.SUBSTANTIAL,
        given_name=given,
        family_name=family,
        birth_date=oidc.birth_date(pid),
        verified_at=timezone.now(),
    )
    Residency.objects.create(
        user=user,
        municipality=municipality,
        is_resident=resident,
        source=Residency.Source.REGISTRY,
        postcode=postcode,
        checked_at=timezone.now(),
    )
    return user


def idporten_client(user, acr=oidc.SUBSTANTIAL) -> CommittingClient:
    """A client logged in as `user` through ID-porten at `acr` (what the callback puts in the session)."""
    client = CommittingClient()
    client.force_login(user)
    session = client.session
    session[oidc.SESSION_LOGIN] = {
        "acr": acr,
        "id_token": "",
        "issuer": "http://testserver/dev-idp",
        "user_id": user.pk,
    }
    session.save()
    return client


# --- Staff with a second factor, without going through the login pages (staff helper) ---------------------
def with_second_factor(client, user):
    """Log `user` in on `client` with an authenticator app and a second factor on record for this session, as
    allauth's login with a TOTP code leaves it (the real flow is what the two_factor_login fixture does)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled

    if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    session = client.session
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client


def fast_staff_client(user) -> CommittingClient:
    """A client with `user` logged in and the second factor used. The admin has no language prefix: the cookie asks
    for English there, the language the tests read."""
    from django.conf import settings

    client = with_second_factor(CommittingClient(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def new_staff(email, role=None):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        email, "et-langt-passord-123", display_name=email.split("@")[0], is_staff=True
    )
    if role:
        user.groups.add(ensure_staff_roles()[role])
    return user
