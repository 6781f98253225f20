"""The admin opens only to staff who logged in with a second factor (tinget/accounts/middleware.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from conftest import current_totp_code

from .conftest import url
from .pagecheck import accessibility_problems, read

PASSWORD = "et-langt-passord-123"
ADMIN = "/admin/"


@pytest.fixture
def staff_user(db, django_user_model):
    user = django_user_model.objects.create_user("sb@example.no", PASSWORD, is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def with_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def password_login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def query(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def test_admin_login_page_sends_everyone_to_the_one_login(client, db):
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))

    response = client.get(response.url)

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_login")
    assert query(response.url)["next"] == ADMIN


def test_admin_login_keeps_the_page_asked_for(client, db):
    response = client.get(reverse("admin:login"), {"next": "/admin/core/unit/"})
    assert query(response.url)["next"] == "/admin/core/unit/"


def test_a_resident_gets_no_access_instead_of_a_login_loop(resident_client):
    response = resident_client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))

    assert resident_client.get(reverse("admin:login")).status_code == 403


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff_user):
    client.force_login(staff_user)

    response = client.get(ADMIN)

    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    assert client.get("/admin/core/unit/").url == reverse("mfa_activate_totp")


def test_staff_with_an_authenticator_but_no_code_this_session_are_refused(client, staff_user):
    secret = with_totp(staff_user)
    # Logged in without the second factor (here: force_login; in life e.g. a session from before the app was set up).
    client.force_login(staff_user)

    response = client.get("/admin/core/unit/")

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
    assert query(response.url)["next"] == "/admin/core/unit/"
    # A wrong code keeps the door shut.
    wrong = f"{(int(current_totp_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_reauthenticate"), {"code": wrong, "next": "/admin/core/unit/"})
    assert response.status_code == 200
    assert "ds-error-summary" in response.content.decode()
    assert client.get(ADMIN).status_code == 302
    # The right one opens it, and leads back to the page asked for.
    response = client.post(
        reverse("mfa_reauthenticate"), {"code": current_totp_code(secret), "next": "/admin/core/unit/"}
    )
    assert response.status_code == 302 and response.url == "/admin/core/unit/"
    assert client.get(ADMIN).status_code == 200


def test_a_password_alone_does_not_open_the_admin(client, staff_user):
    with_totp(staff_user)

    response = password_login(client, staff_user)

    assert response.url == reverse("mfa_authenticate")
    # Between the password and the code, the person is not logged in at all.
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_staff_who_log_in_with_password_and_code_reach_the_admin(client, staff_user):
    secret = with_totp(staff_user)
    password_login(client, staff_user)

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})

    assert response.status_code == 302
    response = client.get(ADMIN)
    assert response.status_code == 200
    assert "Tinget" in response.content.decode()


def test_a_used_code_cannot_be_used_again(client, staff_user):
    secret = with_totp(staff_user)
    code = current_totp_code(secret)
    password_login(client, staff_user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))

    password_login(client, staff_user)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert client.get(ADMIN).status_code == 302


def test_first_visit_sets_up_the_app_and_then_opens_the_admin(client, staff_user):
    password_login(client, staff_user)
    assert client.get(ADMIN).url == reverse("mfa_activate_totp")

    # allauth asks for the password once more before an authenticator is added.
    response = client.get(reverse("mfa_activate_totp"))
    assert urlsplit(response.url).path == reverse("account_reauthenticate")
    response = client.post(response.url, {"password": PASSWORD})
    assert response.url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    secret = page.context["form"].secret
    # The QR code is a data: URI image, which the Content-Security-Policy allows; the key is also written out.
    assert 'src="data:image/svg+xml;base64,' in html
    assert "data:" in page["Content-Security-Policy"].split("img-src")[1].split(";")[0]
    assert read(html).one("input", id="authenticator_secret").attrs["value"] == secret
    assert accessibility_problems(html) == []

    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get(response.url)
    assert 'href="/admin/"' in codes_page.content.decode()
    # Setting it up is not logging in with it: the code is asked for once more before the admin opens.
    response = client.get(ADMIN)
    assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
    client.post(reverse("mfa_reauthenticate"), {"code": current_totp_code(secret), "next": ADMIN})
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_code_does_not_activate(client, staff_user):
    password_login(client, staff_user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000x"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "ds-error-summary" in html and 'value="000000x"' in html
    assert not Authenticator.objects.filter(user=staff_user).exists()


def test_guessing_codes_is_throttled(client, staff_user):
    secret = with_totp(staff_user)
    password_login(client, staff_user)
    wrong = f"{(int(current_totp_code(secret)) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})

    assert response.status_code == 200
    assert client.get(ADMIN).status_code == 302


def test_the_admin_logout_still_works_before_the_second_factor(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_two_factor_pages_are_in_our_layout(client, staff_user, language):
    secret = with_totp(staff_user)
    password_login(client, staff_user)
    page = client.get(url("mfa_authenticate", language))
    assert page.status_code == 200 and accessibility_problems(page.content.decode()) == []
    client.post(url("mfa_authenticate", language), {"code": current_totp_code(secret)})
    client.post(url("account_reauthenticate", language), {"password": PASSWORD})

    for name in ("mfa_index", "mfa_reauthenticate", "mfa_generate_recovery_codes", "mfa_deactivate_totp"):
        response = client.get(url(name, language))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert accessibility_problems(html) == [], name
        parsed = read(html)
        assert parsed.lang == language and parsed.all("main", id="main"), name
    client.post(url("mfa_generate_recovery_codes", language))
    response = client.get(url("mfa_view_recovery_codes", language))
    assert response.status_code == 200
    assert accessibility_problems(response.content.decode()) == []
