"""Fixtures for citizen initiatives: people logged in through ID-porten (as the login leaves them: an
Identity with the keyed hash of their number, a Residency from the register, the level in the session),
staff, and initiatives in the states the tests start from."""

import pytest

from conftest import CommittingClient
from tinget.accounts import oidc
from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles
from tinget.initiatives import services

from .people import make_person

# Test persons of the local provider (tinget/devidp/persons.json).
ASTRID = ("14437812099", "Astrid", "Testesen", "1384")  # Asker
BJORN = ("23465504544", "Bjørn", "Prøvestad", "1388")  # Asker (Borgen)
EVA = ("30416441207", "Eva", "Utenbys", "0150")  # Oslo: not a resident


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


@pytest.fixture
def person(db, django_user_model, municipality):
    """make_person bound to the Asker profile: person(pid=..., given=..., ...)."""

    def make(pid=ASTRID[0], given=ASTRID[1], family=ASTRID[2], postcode=ASTRID[3], **kwargs):
        return make_person(
            django_user_model, municipality, pid=pid, given=given, family=family, postcode=postcode, **kwargs
        )

    return make


@pytest.fixture
def promoter(person):
    return person()


@pytest.fixture
def promoter_client(promoter):
    return idporten_client(promoter)


@pytest.fixture
def signer(person):
    return person(*BJORN)


@pytest.fixture
def signer_client(signer):
    return idporten_client(signer)


@pytest.fixture
def outsider(person):
    return person(*EVA, resident=False)


@pytest.fixture
def case_worker(municipality, django_user_model):
    roles = ensure_staff_roles()
    user = django_user_model.objects.create_user(
        "sander@example.no", "et-langt-passord-123", display_name="Sander", is_staff=True
    )
    user.groups.add(roles[CASE_WORKER])
    return user


@pytest.fixture
def staff_client(case_worker, two_factor_login):
    client = CommittingClient()
    two_factor_login(client, case_worker, "et-langt-passord-123")
    return client


DRAFT = {
    "title": "Lys i lysløypa på Vettre",
    "proposal": "Kommunen skal sette opp lys i lysløypa fra Vettre skole til Solberg.",
    "reasons": "Mange går på ski etter jobb, når det er mørkt.",
    "signing_days": 90,
}


@pytest.fixture
def draft(promoter, municipality):
    return services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))


@pytest.fixture
def collecting(draft, promoter, case_worker):
    """A published initiative taking signatures."""
    services.submit_for_review(actor=promoter, initiative=draft)
    return services.approve(actor=case_worker, initiative=draft)


# --- Staff with a second factor, without going through the login pages (staff helper) ---------------------
def fast_staff_client(user) -> CommittingClient:
    """`user` logged in with an authenticator app and a second factor on record for this session, as allauth's
    login with a TOTP code leaves it (the real flow is what the `staff_client` fixture does)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled
    from django.conf import settings

    if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        TOTP.activate(user, generate_totp_secret())
    client = CommittingClient()
    client.force_login(user)
    session = client.session
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    # The admin has no language prefix: the cookie asks for English there.
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


@pytest.fixture
def handler(case_worker):
    """The case worker's client, second factor used."""
    return fast_staff_client(case_worker)


@pytest.fixture
def moderator(municipality):
    from tinget.accounts.staff import MODERATOR

    return new_staff("mona@example.no", MODERATOR)


@pytest.fixture
def moderator_client(moderator):
    return fast_staff_client(moderator)
