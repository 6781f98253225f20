from django.core import mail

from .conftest import NEW_PASSWORD, RESIDENT_PASSWORD, link_in, url
from .pagecheck import read


def ask_for_reset(client, email):
    return client.post(url("account_reset_password", "en"), {"email": email})


def test_reset_for_an_unknown_address_looks_like_one_for_a_known_address(client, verified_resident):
    known = ask_for_reset(client, verified_resident.email)
    unknown = ask_for_reset(client, "ingen.konto@example.no")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown["Location"] == url("account_reset_password_done", "en")
    known_page = read(client.get(known["Location"]).content.decode()).text
    unknown_page = read(client.get(unknown["Location"]).content.decode()).text
    assert known_page == unknown_page
    assert "ingen.konto@example.no" not in unknown_page
    # Each address gets the e-mail that fits it: only its owner learns whether it has an account.
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        verified_resident.email: "Reset your password",
        "ingen.konto@example.no": "There is no account with this e-mail address",
    }


def test_reset_link_lets_the_resident_choose_a_new_password(client, verified_resident):
    ask_for_reset(client, verified_resident.email)
    link = link_in(mail.outbox[0].body)

    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_page = read(page.content.decode())
    assert form_page.one("h1").text == "Choose a new password"
    assert form_page.one("input", name="password1").attrs["autocomplete"] == "new-password"
    assert form_page.one("input", name="password2").attrs["autocomplete"] == "new-password"

    action = form_page.one("form", method="post", novalidate="").attrs["action"]
    short = client.post(action, {"password1": "kort", "password2": "kort"})
    assert short.status_code == 200
    assert "#id_password1" in {a.attrs.get("href") for a in read(short.content.decode()).all("a")}

    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == url("account_reset_password_from_key_done", "en")
    verified_resident.refresh_from_db()
    assert verified_resident.check_password(NEW_PASSWORD)
    assert read(client.get(done["Location"]).content.decode()).one("h1").text == "Your password is changed"


def test_a_used_or_broken_reset_link_says_so(client, verified_resident):
    page = client.get(url("account_reset_password_from_key", "en", uidb36="zz", key="ugyldig-nokkel"), follow=True)
    assert page.status_code == 200
    parsed = read(page.content.decode())
    assert parsed.one("h1").text == "This link no longer works"
    assert parsed.all("a", href=url("account_reset_password", "en"))


def test_reset_with_a_malformed_or_oversized_address_is_a_form_error(client):
    for email in ("ikke-en-adresse", "a" * 10_000 + "@example.no"):
        response = ask_for_reset(client, email)
        assert response.status_code == 200
        assert read(response.content.decode()).one("div", id="error-summary")
    assert mail.outbox == []


def test_too_many_resets_for_one_address_get_a_readable_429(client, verified_resident):
    statuses = [ask_for_reset(client, verified_resident.email).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    response = ask_for_reset(client, verified_resident.email)
    page = read(response.content.decode())
    assert page.one("h1").text == "Too many attempts"


def test_change_password(client, verified_resident):
    client.force_login(verified_resident)
    page = read(client.get(url("account_change_password", "en")).content.decode())
    assert page.one("input", name="oldpassword").attrs["autocomplete"] == "current-password"
    assert page.one("input", name="password1").attrs["autocomplete"] == "new-password"

    wrong = client.post(
        url("account_change_password", "en"),
        {"oldpassword": "feil-passord-123", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert read(wrong.content.decode()).one("div", id="error-summary")

    response = client.post(
        url("account_change_password", "en"),
        {"oldpassword": RESIDENT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    verified_resident.refresh_from_db()
    assert verified_resident.check_password(NEW_PASSWORD)
