"""Fixtures for citizen initiatives: people logged in through ID-porten (as the login leaves them: an
Identity with the keyed hash of their number, a Residency from the register, the level in the session),
staff, and initiatives in the states the tests start from."""

import itertools

import pytest
from django.utils import timezone

from conftest import CommittingClient
from tinget.accounts import oidc
from tinget.accounts.models import Identity, Residency
from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles
from tinget.initiatives import services

_numbers = itertools.count(1)

# Test persons of the local provider (tinget/devidp/persons.json).
ASTRID = ("14437812099", "Astrid", "Testesen", "1384")  # Asker
BJORN = ("23465504544", "Bjørn", "Prøvestad", "1388")  # Asker (Borgen)
EVA = ("30416441207", "Eva", "Utenbys", "0150")  # Oslo: not a resident


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
    session[oidc.SESSION_LOGIN] = {"acr": acr, "id_token": "", "issuer": "http://testserver/dev-idp", "user_id": user.pk}
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
