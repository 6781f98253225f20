"""Staff reading a person's data is logged, and the person (only they) sees when and which unit."""

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from tinget.accounts import privacy
from tinget.accounts.views.privacy import READS_PER_PAGE
from tinget.core.models import AuditEntry, Unit

from .conftest import url
from .pagecheck import read

STAFF_PASSWORD = "saksbehandler-passord-42"


@pytest.fixture
def unit(municipality):
    return Unit.objects.create(municipality=municipality, name="Vei, vann og avløp", slug="vva")


@pytest.fixture
def case_worker(django_user_model, unit):
    worker = django_user_model.objects.create_user(
        "sander@example.no", STAFF_PASSWORD, display_name="Sander Saksbehandler", is_staff=True, is_superuser=True
    )
    worker.units.add(unit)
    return worker


@pytest.fixture
def ola(django_user_model):
    return django_user_model.objects.create_user("ola@example.no", "et-annet-passord-456")


def test_the_helper_writes_an_audit_entry(case_worker, resident, unit):
    entry = privacy.log_personal_data_read(
        staff_user=case_worker, subject_user=resident, what="Fault report 12", unit=unit
    )
    assert entry.action == "privacy.personal_data.read"
    assert entry.actor == case_worker
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(resident.pk))
    assert entry.data == {"what": "Fault report 12", "unit": "Vei, vann og avløp"}
    assert privacy.log_personal_data_read(staff_user=case_worker, subject_user=resident, what="x").data["unit"] is None


def test_opening_a_person_in_the_admin_is_a_logged_read(client, case_worker, resident, two_factor_login):
    two_factor_login(client, case_worker, STAFF_PASSWORD)
    response = client.get(reverse("admin:accounts_user_change", args=[resident.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="privacy.personal_data.read")
    assert entry.actor == case_worker and entry.target_id == str(resident.pk)
    assert entry.data == {"what": privacy.ADMIN_USER_RECORD, "unit": "Vei, vann og avløp"}
    # Looking at the list, or at one's own record, reads nobody else's data.
    client.get(reverse("admin:accounts_user_changelist"))
    client.get(reverse("admin:accounts_user_change", args=[case_worker.pk]))
    assert AuditEntry.objects.filter(action="privacy.personal_data.read").count() == 1


def test_the_person_sees_reads_of_their_data_only_with_unit_not_name(client, case_worker, resident, ola, unit):
    privacy.log_personal_data_read(staff_user=case_worker, subject_user=resident, what="Fault report 12", unit=unit)
    privacy.log_personal_data_read(staff_user=case_worker, subject_user=ola, what="Olas sak", unit="Kultur")
    client.force_login(resident)
    for name in ("accounts:privacy", "accounts:min_side"):
        page = read(client.get(url(name, "en")).content.decode())
        assert "Vei, vann og avløp" in page.text
        assert "Sander" not in page.text and "sander@example.no" not in page.text
        assert "Kultur" not in page.text and "Olas sak" not in page.text
    client.force_login(ola)
    page = read(client.get(url("accounts:privacy", "en")).content.decode())
    assert "Kultur" in page.text and "Vei, vann og avløp" not in page.text


def test_reads_are_newest_first_and_paginated(resident_client, case_worker, resident):
    for number in range(READS_PER_PAGE + 5):
        privacy.log_personal_data_read(staff_user=case_worker, subject_user=resident, what=f"Case {number}")
    page = read(resident_client.get(url("accounts:privacy", "en")).content.decode())
    rows = [row for row in page.all("td") if row.text.startswith("Case ")]
    assert rows[0].text == f"Case {READS_PER_PAGE + 4}"
    assert len(rows) == READS_PER_PAGE
    assert page.all("a", rel="next")
    page = read(resident_client.get(url("accounts:privacy", "en") + "?side=2").content.decode())
    rows = [row for row in page.all("td") if row.text.startswith("Case ")]
    assert [r.text for r in rows] == [f"Case {n}" for n in range(4, -1, -1)]
    assert Paginator(privacy.staff_reads(resident), READS_PER_PAGE).num_pages == 2


def test_what_was_read_is_shown_in_the_persons_language(resident_client, case_worker, resident):
    privacy.log_personal_data_read(staff_user=case_worker, subject_user=resident, what=privacy.ADMIN_USER_RECORD)
    page = read(resident_client.get(url("accounts:privacy", "en")).content.decode())
    assert privacy.ADMIN_USER_RECORD in page.text
    # No unit given: the person is told so rather than shown a blank.
    assert "no unit recorded" in page.text


def test_privacy_page_query_count(resident_client, case_worker, resident, django_assert_max_num_queries):
    for number in range(40):
        privacy.log_personal_data_read(staff_user=case_worker, subject_user=resident, what=f"Case {number}")
    with django_assert_max_num_queries(10):
        assert resident_client.get(url("accounts:privacy", "en")).status_code == 200
