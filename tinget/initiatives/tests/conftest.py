"""Fixtures for citizen initiatives: people logged in through ID-porten (as the login leaves them: an
Identity with the keyed hash of their number, a Residency from the register, the level in the session),
staff, and initiatives in the states the tests start from."""

import pytest

from conftest import CommittingClient
from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles
from tinget.accounts.tests.people import fast_staff_client, idporten_client, make_person, new_staff
from tinget.initiatives import services

# Test persons of the local provider (tinget/devidp/persons.json).
ASTRID = ("14437812099", "Astrid", "Testesen", "1384")  # Asker
BJORN = ("23465504544", "Bjørn", "Prøvestad", "1388")  # Asker (Borgen)
EVA = ("30416441207", "Eva", "Utenbys", "0150")  # Oslo: not a resident


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
