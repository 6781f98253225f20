from django.core import mail

from .conftest import RESIDENT_PASSWORD, url
from .pagecheck import read

WRONG_PASSWORD_EN = "The email address and/or password you specified are not correct."


def log_in(client, email, password, language="en"):
    return client.post(url("account_login", language), {"login": email, "password": password})


def test_login_page_fields_have_labels_and_autocomplete(client):
    page = read(client.get(url("account_login", "en")).content.decode())
    login = page.one("input", name="login")
    password = page.one("input", name="password")
    assert login.attrs["type"] == "email"
    assert login.attrs["autocomplete"] == "email"
    assert password.attrs["autocomplete"] == "current-password"
    assert page.one("label", **{"for": login.attrs["id"]}).text == "E-mail address"
    assert page.one("label", **{"for": password.attrs["id"]}).text == "Password"
    assert [b.text for b in page.all("button") if b.attrs.get("type") == "submit"][-1] == "Log in"


def test_verified_resident_logs_in(client, verified_resident):
    response = log_in(client, "Kari@Example.no", RESIDENT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == url("core:hub", "en")
    assert int(client.session["_auth_user_id"]) == verified_resident.pk


def test_login_goes_back_to_the_page_asked_for(client, verified_resident):
    response = client.post(
        url("account_login", "en"),
        {"login": verified_resident.email, "password": RESIDENT_PASSWORD, "next": url("accounts:min_side", "en")},
    )
    assert response["Location"] == url("accounts:min_side", "en")


def test_login_refuses_a_next_url_on_another_site(client, verified_resident):
    response = client.post(
        url("account_login", "en"),
        {"login": verified_resident.email, "password": RESIDENT_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_unconfirmed_address_gets_a_new_link_instead_of_a_session(client, resident):
    response = log_in(client, resident.email, RESIDENT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == url("account_email_verification_sent", "en")
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_wrong_password_shows_the_error_and_keeps_the_email(client, verified_resident):
    response = log_in(client, verified_resident.email, "feil-passord-123")

    assert response.status_code == 200
    page = read(response.content.decode())
    assert WRONG_PASSWORD_EN in page.one("div", id="error-summary").text
    assert page.one("input", name="login").attrs["value"] == verified_resident.email
    assert "value" not in page.one("input", name="password").attrs
    assert "feil-passord-123" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_address_gets_the_same_error_as_a_wrong_password(client, verified_resident):
    unknown = read(log_in(client, "ingen@example.no", "feil-passord-123").content.decode())
    known = read(log_in(client, verified_resident.email, "feil-passord-123").content.decode())
    assert unknown.one("div", id="error-summary").text == known.one("div", id="error-summary").text


def test_oversized_login_is_a_form_error(client):
    response = log_in(client, "a" * 10_000 + "@example.no", "x" * 10_000)
    assert response.status_code == 200
    assert read(response.content.decode()).one("div", id="error-summary")


def test_eleventh_wrong_login_in_a_row_gets_429_with_a_readable_page(client, verified_resident):
    for attempt in range(10):
        response = log_in(client, verified_resident.email, f"feil-passord-{attempt}")
        assert response.status_code == 200, attempt

    response = log_in(client, verified_resident.email, "feil-passord-10")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = read(response.content.decode())
    assert page.one("h1").text == "Too many attempts"
    assert "Please wait a little and try again." in page.text
    assert page.lang == "en"


def test_the_right_password_is_refused_too_once_limited(client, verified_resident):
    for attempt in range(10):
        log_in(client, verified_resident.email, f"feil-passord-{attempt}")
    assert log_in(client, verified_resident.email, RESIDENT_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_asks_first_and_needs_post(client, verified_resident):
    client.force_login(verified_resident)

    page = client.get(url("account_logout", "en"))
    assert page.status_code == 200
    forms = read(page.content.decode()).all("form", action=url("account_logout", "en"))
    assert forms
    assert {form.attrs["method"] for form in forms} == {"post"}
    assert int(client.session["_auth_user_id"]) == verified_resident.pk

    response = client.post(url("account_logout", "en"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_is_refused_without_csrf_token(csrf_client, verified_resident):
    csrf_client.force_login(verified_resident)
    response = csrf_client.post(url("account_logout", "en"))
    assert response.status_code == 403
    assert int(csrf_client.session["_auth_user_id"]) == verified_resident.pk


def test_login_is_refused_without_csrf_token_and_works_with_it(csrf_client, verified_resident):
    refused = log_in(csrf_client, verified_resident.email, RESIDENT_PASSWORD)
    assert refused.status_code == 403
    assert "_auth_user_id" not in csrf_client.session

    csrf_client.get(url("account_login", "en"))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        url("account_login", "en"),
        {"login": verified_resident.email, "password": RESIDENT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert int(csrf_client.session["_auth_user_id"]) == verified_resident.pk
