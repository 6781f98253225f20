"""Sessions end after inactivity (tinget.accounts.middleware.SessionIdleTimeoutMiddleware)."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages

from tinget.accounts.middleware import LAST_ACTIVITY_KEY

from .conftest import url


def set_last_activity(client, seconds_ago):
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds_ago
    session.save()


def last_activity(client):
    return client.session.get(LAST_ACTIVITY_KEY)


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("sb@example.no", "et-langt-passord-123", is_staff=True))
    return client


def test_the_first_request_after_login_starts_the_clock(resident_client):
    assert resident_client.get(url("accounts:min_side")).status_code == 200
    assert abs(last_activity(resident_client) - time.time()) < 5


def test_a_resident_is_logged_out_after_an_hour_without_activity(resident_client):
    set_last_activity(resident_client, 61 * 60)

    response = resident_client.get(url("accounts:min_side", "en"))

    assert response.status_code == 302
    assert urlsplit(response.url).path == url("account_login", "en")
    assert parse_qs(urlsplit(response.url).query)["next"] == [url("accounts:min_side", "en")]
    assert "_auth_user_id" not in resident_client.session
    page = resident_client.get(response.url).content.decode()
    assert "You were logged out after 60 minutes without activity." in page


def test_a_resident_active_within_the_hour_stays_logged_in(resident_client):
    set_last_activity(resident_client, 59 * 60)

    assert resident_client.get(url("accounts:min_side")).status_code == 200
    assert abs(last_activity(resident_client) - time.time()) < 5


def test_staff_are_logged_out_sooner(staff_client):
    set_last_activity(staff_client, 31 * 60)

    response = staff_client.get(url("accounts:min_side", "en"), follow=True)

    assert "_auth_user_id" not in staff_client.session
    assert "You were logged out after 30 minutes without activity." in response.content.decode()


def test_the_limits_are_settings(resident_client, settings):
    settings.TINGET_SESSION_IDLE_MINUTES = 1
    set_last_activity(resident_client, 90)

    response = resident_client.get(url("accounts:min_side", "en"), follow=True)

    assert "You were logged out after 1 minute without activity." in response.content.decode()


def test_the_session_is_touched_at_most_once_a_minute(resident_client):
    set_last_activity(resident_client, 20)
    before = last_activity(resident_client)

    resident_client.get(url("accounts:min_side"))

    assert last_activity(resident_client) == before
    set_last_activity(resident_client, 70)
    resident_client.get(url("accounts:min_side"))
    assert abs(last_activity(resident_client) - time.time()) < 5


def test_a_form_sent_after_expiry_is_not_acted_on(resident_client, resident):
    set_last_activity(resident_client, 61 * 60)

    response = resident_client.post(
        url("accounts:settings", "en"),
        {"display_name": "Ny", "preferred_language": "en", "notification_frequency": "never"},
        HTTP_REFERER="http://testserver" + url("accounts:settings", "en"),
    )

    assert response.status_code == 302
    assert parse_qs(urlsplit(response.url).query)["next"] == [url("accounts:settings", "en")]
    resident.refresh_from_db()
    assert resident.display_name == "Kari" and resident.notification_frequency == "instant"


def test_an_api_request_goes_on_as_anonymous(resident_client):
    set_last_activity(resident_client, 61 * 60)

    response = resident_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert "_auth_user_id" not in resident_client.session
    assert [str(m) for m in get_messages(response.wsgi_request)]


def test_anonymous_visitors_are_left_alone(client, municipality):
    assert client.get(url("core:hub")).status_code == 200
    assert LAST_ACTIVITY_KEY not in client.session
