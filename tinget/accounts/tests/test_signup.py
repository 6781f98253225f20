from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from .conftest import NEW_PASSWORD, link_in, url
from .pagecheck import read

User = get_user_model()


def signup(client, email, password1=NEW_PASSWORD, password2=None, language="en"):
    data = {"email": email, "password1": password1, "password2": password1 if password2 is None else password2}
    return client.post(url("account_signup", language), data)


def error_summary_targets(response):
    page = read(response.content.decode())
    summary = page.one("div", id="error-summary")
    assert summary.attrs["role"] == "alert"
    return [a.attrs["href"] for a in page.all("a") if a.attrs.get("href", "").startswith("#id_")]


def test_signup_sends_a_link_that_confirms_the_address_and_logs_in(client, municipality):
    response = signup(client, "Ola.Nordmann@Example.no")

    assert response.status_code == 302
    assert response["Location"] == url("account_email_verification_sent", "en")
    user = User.objects.get(email="ola.nordmann@example.no")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ola.nordmann@example.no"]
    assert message.subject == "Confirm your e-mail address to finish creating your account"
    assert "\n" not in message.subject
    assert municipality.name in message.body

    client.logout()  # a resident often opens the link on another device, without the sign-up session
    confirm_path = link_in(message.body)
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "ola.nordmann@example.no" in read(page.content.decode()).text

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_confirming_in_the_same_browser_logs_the_resident_in(client):
    signup(client, "ola@example.no")
    response = client.post(link_in(mail.outbox[0].body))

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="ola@example.no").pk
    assert client.get(url("accounts:min_side", "en")).status_code == 200


def test_signup_page_uses_new_password_autocomplete_and_our_hint(client):
    page = read(client.get(url("account_signup", "en")).content.decode())
    assert page.one("input", name="email").attrs["autocomplete"] == "email"
    assert page.one("input", name="password1").attrs["autocomplete"] == "new-password"
    assert page.one("input", name="password2").attrs["autocomplete"] == "new-password"
    assert "placeholder" not in page.one("input", name="email").attrs
    hint_id = page.one("input", name="password1").attrs["aria-describedby"]
    assert "At least 10 characters" in page.one("p", id=hint_id).text


def test_malformed_email_is_shown_in_the_error_summary_and_by_the_field(client):
    response = signup(client, "ola(at)example.no")

    assert response.status_code == 200
    assert error_summary_targets(response) == ["#id_email"]
    page = read(response.content.decode())
    email = page.one("input", name="email")
    assert email.attrs["aria-invalid"] == "true"
    assert "id_email_error" in email.attrs["aria-describedby"].split()
    assert "Enter a valid email address." in page.one("p", id="id_email_error").text
    assert email.attrs["value"] == "ola(at)example.no"
    assert not User.objects.exists()
    assert mail.outbox == []


def test_mismatched_passwords(client):
    response = signup(client, "ola@example.no", password2="noe-helt-annet-123")
    assert response.status_code == 200
    assert error_summary_targets(response) == ["#id_password2"]
    assert "You must type the same password each time." in response.content.decode()
    assert not User.objects.exists()


def test_too_short_password(client):
    response = signup(client, "ola@example.no", password1="kort-1")
    assert response.status_code == 200
    assert "#id_password1" in error_summary_targets(response)
    assert "This password is too short. It must contain at least 10 characters." in response.content.decode()
    assert not User.objects.exists()


def test_common_password(client):
    response = signup(client, "ola@example.no", password1="qwertyuiop")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_password_like_the_email_address(client):
    response = signup(client, "solsikke.hagen@example.no", password1="solsikke.hagen")
    assert response.status_code == 200
    assert "The password is too similar to the" in response.content.decode()
    assert not User.objects.exists()


def test_oversized_email_is_a_form_error_not_a_crash(client):
    response = signup(client, "a" * 10_000 + "@example.no")

    assert response.status_code == 200
    assert set(error_summary_targets(response)) == {"#id_email"}
    assert "at most 320 characters" in response.content.decode()
    assert not User.objects.exists()


def test_oversized_password_is_refused_or_accepted_but_never_crashes(client):
    response = signup(client, "ola@example.no", password1="x" * 10_000)
    assert response.status_code in (200, 302)


def test_duplicate_address_looks_like_a_new_one_and_the_owner_is_told(client, resident, municipality):
    new = signup(client, "ny.person@example.no")
    new_page = client.get(new["Location"])
    client.logout()
    mail.outbox.clear()

    duplicate = signup(client, resident.email.upper())
    duplicate_page = client.get(duplicate["Location"])

    assert (duplicate.status_code, duplicate["Location"]) == (new.status_code, new["Location"])
    # The flash message names the address that was typed; apart from that, nothing may differ.
    duplicate_text = read(duplicate_page.content.decode()).text.replace(resident.email, "ADDRESS")
    new_text = read(new_page.content.decode()).text.replace("ny.person@example.no", "ADDRESS")
    assert duplicate_text == new_text
    assert User.objects.filter(email__iexact=resident.email).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert message.subject == "You already have an account"
    assert link_in(message.body) == url("account_reset_password", "en")


def test_signup_is_refused_without_csrf_token(csrf_client):
    response = signup(csrf_client, "ola@example.no")
    assert response.status_code == 403
    assert not User.objects.exists()
