"""Fixtures every test suite can use. Network is blocked except loopback (pytest-socket, see pyproject)."""

import pytest
from django.test import Client, TestCase

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


class CommittingClient(Client):
    """A test client whose every request ends the way a real one does: with a commit.

    Tests run inside a transaction that is rolled back, so `transaction.on_commit` callbacks (e-mail and
    other side effects, see tinget.core.mail) would never run; here they run once each request is answered.
    """

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client(db):
    return CommittingClient()


@pytest.fixture
def csrf_client(db):
    return CommittingClient(enforce_csrf_checks=True)


@pytest.fixture(autouse=True)
def _default_language():
    """A request through the test client leaves its language active in the thread, so a later test's reverse()
    would build /nn/ or /en/ addresses; every test starts and ends in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
