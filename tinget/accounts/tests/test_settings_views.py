"""Min side settings: display name, language, notification frequency (views/settings.py, profile.py)."""

import pytest
from django.urls import reverse

from tinget.accounts.profile import update_profile
from tinget.core.errors import NotAllowed
from tinget.core.models import AuditEntry

from .conftest import url
from .pagecheck import accessibility_problems, read

LANGUAGES = ["nb", "nn", "en"]


def test_login_required(client, db):
    response = client.get(url("accounts:settings"))
    assert response.status_code == 302 and response.url.startswith(url("account_login"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_shows_the_current_settings(resident_client, municipality, language):
    response = resident_client.get(url("accounts:settings", language))

    assert response.status_code == 200
    html = response.content.decode()
    assert accessibility_problems(html) == []
    page = read(html)
    assert page.lang == language
    assert page.one("input", name="display_name").attrs["value"] == "Kari"
    assert "checked" in page.one("input", name="preferred_language", value="nb").attrs
    assert "checked" in page.one("input", name="notification_frequency", value="instant").attrs
    # Each language is named in itself.
    assert "Nynorsk" in page.text and "English" in page.text


def test_my_page_links_to_the_settings(resident_client, municipality):
    html = resident_client.get(url("accounts:min_side", "en")).content.decode()
    page = read(html)
    assert page.all("a", href=url("accounts:settings", "en"))
    assert "Once a day" not in html and "At once" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_saving_switches_to_the_chosen_language(resident_client, resident, municipality, language):
    response = resident_client.post(
        url("accounts:settings", language),
        {"display_name": "  Kari Nordmann ", "preferred_language": "en", "notification_frequency": "daily"},
    )

    assert response.status_code == 302
    assert response.url == url("accounts:settings", "en")
    assert response.cookies["tinget_language"].value == "en"
    resident.refresh_from_db()
    assert (resident.display_name, resident.preferred_language, resident.notification_frequency) == (
        "Kari Nordmann",
        "en",
        "daily",
    )
    entry = AuditEntry.objects.get(action="accounts.user.profile_updated")
    assert entry.actor == resident
    assert entry.data == {
        "changed": ["display_name", "preferred_language", "notification_frequency"],
        "preferred_language": "en",
        "notification_frequency": "daily",
    }
    page = resident_client.get(response.url).content.decode()
    assert "Your settings are saved." in page
    assert read(page).lang == "en"


def test_choosing_bokmal_leads_to_the_unprefixed_address(resident_client, resident, municipality):
    response = resident_client.post(
        url("accounts:settings", "en"),
        {"display_name": "Kari", "preferred_language": "nb", "notification_frequency": "never"},
    )
    assert response.url == url("accounts:settings", "nb")
    assert not response.url.startswith(("/en/", "/nn/"))
    resident.refresh_from_db()
    assert resident.notification_frequency == "never"


BAD_INPUT = [
    ({"display_name": "K" * 151, "preferred_language": "nb", "notification_frequency": "daily"}, "display_name"),
    ({"display_name": "Kari N", "preferred_language": "xx", "notification_frequency": "daily"}, "preferred_language"),
    (
        {"display_name": "Kari N", "preferred_language": "nb", "notification_frequency": "hourly"},
        "notification_frequency",
    ),
    ({"display_name": "Kari N", "notification_frequency": "daily"}, "preferred_language"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("data", "bad_field"), BAD_INPUT)
def test_bad_input_is_refused_and_the_text_kept(resident_client, resident, municipality, language, data, bad_field):
    response = resident_client.post(url("accounts:settings", language), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert accessibility_problems(html) == []
    page = read(html)
    assert page.all("div", **{"class": "ds-error-summary"})
    assert set(response.context["form"].errors) == {bad_field}
    assert page.one("input", name="display_name").attrs["value"] == data["display_name"]
    resident.refresh_from_db()
    assert (resident.display_name, resident.preferred_language, resident.notification_frequency) == (
        "Kari",
        "nb",
        "instant",
    )
    assert not AuditEntry.objects.filter(action="accounts.user.profile_updated").exists()


def test_the_errors_are_in_the_page_language(resident_client, municipality):
    data = {"display_name": "K" * 151, "preferred_language": "nb", "notification_frequency": "daily"}
    english = resident_client.post(url("accounts:settings", "en"), data).context["form"].errors["display_name"][0]
    bokmal = resident_client.post(url("accounts:settings", "nb"), data).context["form"].errors["display_name"][0]
    assert "at most 150" in english
    assert english != bokmal


def test_csrf_is_enforced(csrf_client, resident):
    csrf_client.force_login(resident)
    response = csrf_client.post(
        url("accounts:settings"), {"display_name": "X", "preferred_language": "en", "notification_frequency": "never"}
    )
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.display_name == "Kari"


def test_only_get_and_post(resident_client):
    assert resident_client.put(url("accounts:settings")).status_code == 405


@pytest.mark.django_db
class TestUpdateProfile:
    def test_nobody_else_may_change_it(self, resident, django_user_model):
        other = django_user_model.objects.create_user("ola@example.no", "x")
        with pytest.raises(NotAllowed):
            update_profile(
                actor=other,
                user=resident,
                display_name="Hacked",
                preferred_language="nb",
                notification_frequency="never",
            )
        resident.refresh_from_db()
        assert resident.display_name == "Kari"

    def test_nothing_changed_writes_nothing(self, resident):
        changed = update_profile(
            actor=resident,
            user=resident,
            display_name="Kari",
            preferred_language="nb",
            notification_frequency="instant",
        )
        assert changed == []
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize(
        "bad", [{"preferred_language": "se"}, {"notification_frequency": "weekly"}, {"display_name": "K" * 151}]
    )
    def test_values_the_form_would_refuse(self, resident, bad):
        from django.core.exceptions import ValidationError

        values = {"display_name": "Kari", "preferred_language": "nb", "notification_frequency": "instant", **bad}
        with pytest.raises((ValueError, ValidationError)):
            update_profile(actor=resident, user=resident, **values)
        resident.refresh_from_db()
        assert resident.display_name == "Kari"


def test_settings_page_url_is_reversible():
    assert reverse("accounts:settings")
