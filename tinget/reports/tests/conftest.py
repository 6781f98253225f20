"""Fixtures for fault reports: the Asker profile, a category, a case worker of its unit, a made report."""

import pytest

from tinget.accounts.staff import CASE_WORKER, MODERATOR, ensure_staff_roles
from tinget.core.models import Unit
from tinget.reports import services

from .factories import CategoryFactory

# Inside Asker's outline: Asker sentrum, and a point about 100 m from it.
ASKER = (59.8335, 10.4345)
NEAR_ASKER = (59.8343, 10.4355)
OSLO = (59.9139, 10.7522)


@pytest.fixture
def pothole(municipality):
    return CategoryFactory(slug="hull-i-veien", name="Hull i veien", name_en="Pothole")


@pytest.fixture
def case_worker(municipality, django_user_model):
    roles = ensure_staff_roles()
    user = django_user_model.objects.create_user(
        "sander@example.no", "et-langt-passord-123", display_name="Sander", is_staff=True
    )
    user.groups.add(roles[CASE_WORKER])
    user.units.add(Unit.objects.get(slug="vei-og-park"))
    return user


@pytest.fixture
def moderator(municipality, django_user_model):
    roles = ensure_staff_roles()
    user = django_user_model.objects.create_user(
        "mona@example.no", "et-langt-passord-123", display_name="Mona", is_staff=True
    )
    user.groups.add(roles[MODERATOR])
    return user


@pytest.fixture
def report(pothole, resident):
    """A published report by a logged-in resident, at Asker sentrum."""
    return services.report_create(
        actor=resident,
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        title="Dypt hull ved bussholdeplassen",
        description="Hullet er omtrent 30 cm bredt.",
        address="Asker sentrum",
    )
