"""Download my data: everything about the person, nothing about anyone else, readable and for machines."""

import io
import json
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tinget.accounts import privacy
from tinget.accounts.models import Consent, Identity, Residency
from tinget.core.models import AuditEntry, Follow, Notification
from tinget.core.registry import Module, registry

from .conftest import give_a_little_of_everything, url
from .pagecheck import accessibility_problems, read

PID_DIGEST = "f" * 64


@pytest.fixture
def kari(resident, municipality):
    """The conftest resident with a little of everything the core keeps about a person."""
    return give_a_little_of_everything(
        resident,
        municipality,
        identity={
            "subject": "pairwise-sub-kari",
            "pid_digest": PID_DIGEST,
            "pid_key_id": "k1",
            "acr": Identity.Level.SUBSTANTIAL,
            "given_name": "Kari",
            "family_name": "Nordmann",
        },
        residency_source=Residency.Source.REGISTRY,
        notification_title="Veien er brøytet",
    )


@pytest.fixture
def ola(django_user_model, municipality):
    ola = django_user_model.objects.create_user("ola@example.no", "et-annet-passord-456", display_name="Ola")
    Notification.objects.create(user=ola, event_key="e.1", verb="status", title="Olas egen melding")
    privacy.log_personal_data_read(staff_user=ola, subject_user=ola, what="Olas sak", unit="Olas enhet")
    return ola


def unzip(response_or_file):
    content = b"".join(response_or_file.streaming_content) if hasattr(response_or_file, "streaming_content") else None
    archive = zipfile.ZipFile(io.BytesIO(content) if content is not None else response_or_file)
    return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def test_export_holds_every_kind_of_data_and_no_pid_digest(kari, ola):
    file, filename = privacy.export_personal_data(user=kari, language="en")
    data, html = unzip(file)
    assert filename.endswith(".zip")
    assert set(data) >= {
        "account",
        "email_addresses",
        "identity_level",
        "identity",
        "residency",
        "consents",
        "follows",
        "notifications",
        "staff_reads",
        "modules",
    }
    assert data["account"]["email"] == "kari@example.no"
    assert data["email_addresses"] == [{"email": "kari@example.no", "verified": True, "primary": True}]
    assert data["identity_level"] == {"email_verified": True, "idporten": "idporten-loa-substantial", "resident": True}
    assert data["identity"]["subject"] == "pairwise-sub-kari"
    assert data["residency"]["postcode"] == "1384"
    assert [c["purpose"] for c in data["consents"]] == ["user_research"]
    assert data["follows"][0]["type"] == "core.area"
    assert data["follows"][0]["object"] == str(kari.follows.get().target)
    assert [n["title"] for n in data["notifications"]] == ["Veien er brøytet"]
    raw = json.dumps(data) + html
    assert PID_DIGEST not in raw
    assert "pid_digest" not in raw and "pid_key_id" not in raw
    # Nothing of Ola's.
    assert "ola@example.no" not in raw and "Olas" not in raw


def test_readable_copy_has_language_heading_and_table_headers(kari):
    file, _ = privacy.export_personal_data(user=kari, language="en")
    _, html = unzip(file)
    assert accessibility_problems(html) == []
    page = read(html)
    assert page.lang == "en"
    assert page.one("h1").text.startswith("Your data at")
    assert "Consents" in [h.text for h in page.all("h2")]
    assert page.all("th", scope="row") and page.all("th", scope="col")
    assert "Veien er brøytet" in page.text


def test_readable_copy_follows_the_language_asked_for(kari):
    file, _ = privacy.export_personal_data(user=kari, language="nb")
    _, html = unzip(file)
    page = read(html)
    assert page.lang == "nb"
    assert page.one("h1").text != "Your data at Asker"


def test_each_module_adds_its_data_under_its_slug(kari, ola):
    module = Module(
        slug="testmodul",
        name="Testmodul",
        description="",
        section="local",
        url_name="core:hub",
        personal_data=lambda user: {"reports": [{"title": f"Hull i veien ({user.email})", "sent": timezone.now()}]},
    )
    with registry.temporarily(module):
        data, html = unzip(privacy.export_personal_data(user=kari, language="en")[0])
    assert data["modules"]["testmodul"]["reports"][0]["title"] == "Hull i veien (kari@example.no)"
    assert "Testmodul" in [h.text for h in read(html).all("h2")]


def test_a_failing_module_gives_a_clear_error(kari):
    def broken(user):
        raise RuntimeError("database away")

    module = Module(
        slug="testmodul", name="Testmodul", description="", section="local", url_name="core:hub", personal_data=broken
    )
    with registry.temporarily(module), pytest.raises(privacy.ExportFailed):
        privacy.export_personal_data(user=kari)


def test_query_count_does_not_grow_with_history(kari, municipality, django_assert_max_num_queries):
    area_type = ContentType.objects.get_for_model(municipality.areas.model)
    for area in municipality.areas.all():
        Follow.objects.get_or_create(user=kari, content_type=area_type, object_id=str(area.pk))
    Notification.objects.bulk_create(
        Notification(user=kari, event_key=f"bulk.{i}", verb="status", title=f"Melding {i}") for i in range(300)
    )
    for i in range(30):
        privacy.log_personal_data_read(staff_user=kari, subject_user=kari, what=f"read {i}")
    # A fixed number per module with personal data, however long the history.
    with django_assert_max_num_queries(21):
        file, _ = privacy.export_personal_data(user=kari, language="en")
    data, _ = unzip(file)
    assert len(data["notifications"]) == 301
    assert len(data["staff_reads"]) == 30
    assert all(f["object"] for f in data["follows"])


def test_download_view_gives_a_zip_attachment_and_is_logged(client, kari):
    client.force_login(kari)
    response = client.post(url("accounts:privacy_download", "en"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    data, html = unzip(response)
    assert data["account"]["email"] == kari.email
    assert read(html).lang == "en"
    entry = AuditEntry.objects.get(action="accounts.user.data_exported")
    assert entry.actor == kari


def test_download_needs_login_post_and_csrf(client, csrf_client, kari):
    response = client.post(url("accounts:privacy_download", "en"))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(kari)
    assert client.get(url("accounts:privacy_download", "en")).status_code == 405
    csrf_client.force_login(kari)
    assert csrf_client.post(url("accounts:privacy_download", "en")).status_code == 403
    assert not AuditEntry.objects.filter(action="accounts.user.data_exported").exists()


def test_consent_history_is_in_the_export_with_versions(kari):
    with privacy.consent_purposes.temporarily(
        privacy.ConsentPurpose("user_research", "Title", "New text", version="2026-01-01")
    ):
        privacy.record_consent(user=kari, purpose="user_research", text_version="2026-01-01")
    data, _ = unzip(privacy.export_personal_data(user=kari)[0])
    assert [c["text_version"] for c in data["consents"]] == ["2025-06-01", "2026-01-01"]
    assert Consent.objects.filter(user=kari).count() == 2
