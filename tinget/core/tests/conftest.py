"""Fixtures for the follow and notification tests (test_notify_*.py)."""

import pytest

from tinget.core.registry import Module, registry

from .factories import AreaFactory, UnitFactory, UserFactory


@pytest.fixture
def area(db):
    return AreaFactory(name="Heggedal", slug="heggedal")


@pytest.fixture
def unit(area):
    return UnitFactory(municipality=area.municipality, name="Vei og park", slug="vei-og-park")


@pytest.fixture
def units_followable():
    """A module that makes units followable, as a later module would make its cases followable."""
    module = Module(
        slug="test-units",
        name="Prøveenheter",
        description="Følg en enhet",
        section="insight",
        url_name="core:about",
        followable=("core.unit",),
    )
    with registry.temporarily(module):
        yield module


@pytest.fixture
def people(db):
    """Three followers, one per e-mail choice, in different languages."""
    return {
        "instant": UserFactory(email="straks@example.no", notification_frequency="instant", preferred_language="nb"),
        "daily": UserFactory(email="daglig@example.no", notification_frequency="daily", preferred_language="nn"),
        "never": UserFactory(email="aldri@example.no", notification_frequency="never", preferred_language="en"),
    }
