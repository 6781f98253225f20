"""Every account page: our layout, one h1, a title, labelled fields, no inline script or style, in every language."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from .conftest import RESIDENT_PASSWORD, link_in, url
from .pagecheck import accessibility_problems, assert_page_is_sound, read

ANONYMOUS_PAGES = [
    ("account_login", {}),
    ("account_signup", {}),
    ("account_reset_password", {}),
    ("account_reset_password_done", {}),
    ("account_email_verification_sent", {}),
    ("account_inactive", {}),
    ("account_confirm_email", {"key": "ugyldig-nokkel"}),
    ("account_reset_password_from_key", {"uidb36": "zz", "key": "ugyldig-nokkel"}),
]
RESIDENT_PAGES = [
    ("account_logout", {}),
    ("account_change_password", {}),
    ("account_email", {}),
    ("account_reset_password_from_key_done", {}),
    ("account_reauthenticate", {}),
    ("accounts:min_side", {}),
]
LANGUAGES = ["nb", "nn", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "kwargs"), ANONYMOUS_PAGES)
def test_anonymous_pages(client, municipality, name, kwargs, language):
    response = client.get(url(name, language, **kwargs), follow=True)
    assert_page_is_sound(response, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "kwargs"), RESIDENT_PAGES)
def test_resident_pages(client, verified_resident, municipality, name, kwargs, language):
    client.force_login(verified_resident)
    response = client.get(url(name, language, **kwargs), follow=True)
    assert_page_is_sound(response, language)


def test_manage_pages_lead_back_to_my_page(client, verified_resident):
    client.force_login(verified_resident)
    for name in ("account_email", "account_change_password"):
        page = read(client.get(url(name, "en")).content.decode())
        breadcrumbs = page.one("nav", **{"aria-label": "You are here"})
        assert "My page" in breadcrumbs.text
        assert page.all("a", href=url("accounts:min_side", "en"))


def test_email_confirmation_page(client):
    client.post(
        url("account_signup", "en"),
        {"email": "ola@example.no", "password1": "grønn-sykkel-ved-fjorden", "password2": "grønn-sykkel-ved-fjorden"},
    )
    page = assert_page_is_sound(client.get(link_in(mail.outbox[0].body)), "en")
    assert page.one("h1").text == "Confirm your e-mail address"
    assert [b.text for b in page.all("button") if b.attrs.get("type") == "submit"][-1] == "Confirm"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("account_login", {"login": "ikke-en-adresse", "password": ""}),
        ("account_signup", {"email": "ikke-en-adresse", "password1": "kort", "password2": "annen"}),
        ("account_reset_password", {"email": ""}),
    ],
)
def test_pages_with_errors_link_the_summary_to_the_fields(client, name, data):
    response = client.post(url(name, "en"), data)
    page = assert_page_is_sound(response, "en")
    summary_links = [a.attrs["href"] for a in page.all("a") if a.attrs.get("href", "").startswith("#id_")]
    assert summary_links
    for href in summary_links:
        field = page.one("input", id=href[1:])
        assert field.attrs["aria-invalid"] == "true"
        assert f"{href[1:]}_error" in field.attrs["aria-describedby"].split()


def test_change_password_with_errors(client, verified_resident):
    client.force_login(verified_resident)
    response = client.post(url("account_change_password", "en"), {"oldpassword": "", "password1": "", "password2": ""})
    page = assert_page_is_sound(response, "en")
    assert len(page.one("div", id="error-summary").text) > 0


def test_nynorsk_login_error_is_nynorsk(client, verified_resident):
    response = client.post(url("account_login", "nn"), {"login": verified_resident.email, "password": "feil-passord"})
    html = response.content.decode()
    page = read(html)
    assert page.lang == "nn"
    summary = page.one("div", id="error-summary").text
    assert "E-postadressa og/eller passordet du skreiv inn, er ikkje rett." in summary
    assert "not correct" not in html  # English
    assert "oppgav er feil" not in html  # Bokmål, which Django falls back to when Nynorsk is missing


def test_bokmal_login_error_is_bokmal(client, verified_resident):
    response = client.post(url("account_login", "nb"), {"login": verified_resident.email, "password": "feil-passord"})
    assert "E-postadressen og/eller passordet du oppgav er feil." in response.content.decode()


def test_nynorsk_flash_message_after_login(client, verified_resident):
    response = client.post(
        url("account_login", "nn"), {"login": verified_resident.email, "password": RESIDENT_PASSWORD}, follow=True
    )
    assert read(response.content.decode()).lang == "nn"
    assert f"Du er logga inn som {verified_resident}." in response.content.decode()


def test_managing_addresses_without_javascript(client, verified_resident):
    client.force_login(verified_resident)
    response = client.post(url("account_email", "en"), {"email": "kari.ny@example.no", "action_add": ""})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["kari.ny@example.no"]]
    assert mail.outbox[0].subject == "Confirm your e-mail address"

    page = assert_page_is_sound(client.get(url("account_email", "en")), "en")
    radios = page.all("input", type="radio", name="email")
    assert [r.attrs["value"] for r in radios] == ["kari.ny@example.no", "kari@example.no"]
    primary_label = page.one("label", **{"for": radios[1].attrs["id"]})
    assert "Main address" in primary_label.text
    assert "Confirmed" in primary_label.text
    assert "Not confirmed" in page.one("label", **{"for": radios[0].attrs["id"]}).text

    response = client.post(url("account_email", "en"), {"email": "kari.ny@example.no", "action_remove": ""})
    assert response.status_code == 302
    assert list(EmailAddress.objects.filter(user=verified_resident).values_list("email", flat=True)) == [
        "kari@example.no"
    ]


def test_adding_a_malformed_address_shows_the_error(client, verified_resident):
    client.force_login(verified_resident)
    response = client.post(url("account_email", "en"), {"email": "ikke-en-adresse", "action_add": ""})
    page = assert_page_is_sound(response, "en")
    assert page.one("div", id="error-summary")
    assert page.one("input", name="email").attrs["aria-invalid"] == "true"


def test_allauth_pages_we_do_not_override_still_get_our_layout_and_components(rf, verified_resident):
    """Pages allauth shows only with other settings (changing e-mail, sign-in codes) render through our
    element templates: our layout, labelled fields, the error summary."""
    from allauth.account.forms import AddEmailForm, ConfirmLoginCodeForm
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.template.loader import render_to_string
    from django.utils import translation

    request = rf.get("/")
    request.user = verified_resident
    request._messages = CookieStorage(request)
    email_form = AddEmailForm(user=verified_resident, data={"email": "ikke-en-adresse"})
    code_form = ConfirmLoginCodeForm(data={"code": ""}, code="ABC123")
    with translation.override("en"):
        pages = [
            render_to_string("account/email_change.html", {"form": email_form}, request),
            render_to_string(
                "account/confirm_login_code.html",
                {"verify_form": code_form, "recipient": "kari@example.no", "cancel_url": "/"},
                request,
            ),
        ]
    for html in pages:
        assert accessibility_problems(html) == []
        page = read(html)
        assert page.all("main", id="main")
        assert page.all("button", **{"class": "ds-button"})
    assert read(pages[1]).one("div", id="error-summary")
