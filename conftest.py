"""Fixtures every test suite can use. Network is blocked except loopback (pytest-socket, see pyproject)."""

import pytest

from tinget.core.profile import load_profile


@pytest.fixture
def municipality(db):
    """The Asker demo profile, loaded the way `make run` loads it."""
    municipality, _ = load_profile("asker")
    return municipality


@pytest.fixture
def resident(db, django_user_model):
    return django_user_model.objects.create_user("kari@example.no", "et-langt-passord-123", display_name="Kari")


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    """The cache is process-wide; rate-limit counters or a cached profile must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
