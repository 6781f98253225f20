"""The account e-mails: a one-line subject, the address they are about, the link, and who sent them."""

from django.core import mail

from .conftest import NEW_PASSWORD, link_in, url


def signup(client, email, language="en"):
    client.post(url("account_signup", language), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_confirmation_email(client, municipality):
    signup(client, "ola@example.no")
    message = mail.outbox[0]
    assert message.subject == "Confirm your e-mail address to finish creating your account"
    assert message.body.startswith("Hello,")
    assert link_in(message.body).startswith(url("account_confirm_email", "en", key="x")[: -len("x/")])
    assert municipality.name in message.body


def test_account_already_exists_email_names_the_address(client, resident):
    signup(client, resident.email)
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert f"the e-mail address {resident.email}." in " ".join(message.body.split())


def test_unknown_account_email_names_the_address(client):
    client.post(url("account_reset_password", "en"), {"email": "ingen@example.no"})
    message = mail.outbox[0]
    assert message.subject == "There is no account with this e-mail address"
    assert "the e-mail address ingen@example.no." in " ".join(message.body.split())
    assert link_in(message.body) == url("account_signup", "en")


def test_emails_go_out_in_the_language_of_the_page(client):
    signup(client, "ola@example.no", language="nn")
    message = mail.outbox[0]
    assert link_in(message.body).startswith("/nn/")
    assert "Hello" not in message.body
