"""Fixtures every test suite can use. Network is blocked except loopback (pytest-socket, see pyproject)."""

import pytest

from tinget.core.profile import load_profile
from tinget.core.tests.clients import CommittingClient


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


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`, computed with allauth's own TOTP functions."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@pytest.fixture
def two_factor_login(db):
    """Log a staff member in the way the admin demands (issue 3, part D): give them an authenticator app,
    then log in with the password and a code from it, through the real login pages.

    Usage: `two_factor_login(client, user, password)`; returns the TOTP secret.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.urls import reverse

    def login(client, user, password):
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        response = client.post(reverse("account_login"), {"login": user.email, "password": password})
        assert response.status_code == 302 and response.url == reverse("mfa_authenticate"), response
        response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
        assert response.status_code == 302, response
        return secret

    return login
