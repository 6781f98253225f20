"""The journal in the admin: case files, entries, imports, requests and their parts are read-only (nothing added,
changed or deleted here), searchable by case and entry number and title, filtered by type, unit, year and status;
access requests are scoped to the case worker's units, name no one in the list, and opening one is a logged read;
the one action (an appeal sent to the County Governor) goes through the service."""

# The fixtures come from test_answer_services (imported by name, so that pytest finds them): ruff's F811 would
# flag every test that takes one.
# ruff: noqa: F811

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tinget.accounts.privacy import STAFF_READ_ACTION, staff_reads
from tinget.accounts.tests.people import fast_staff_client
from tinget.core.models import AuditEntry
from tinget.journal.models import (
    AccessRequest,
    AccessRequestPart,
    CaseFile,
    EntryType,
    ImportJob,
    JournalEntry,
    RequestStatus,
)

from .test_answer_services import (  # noqa: F401  (fixtures)
    access_request,
    administrator,
    appealed,
    entries,
    other_part,
    part,
    part_of,
    send_request,
)


def changelist(model):
    return reverse(f"admin:journal_{model}_changelist")


def change(model, pk):
    return reverse(f"admin:journal_{model}_change", args=[pk])


def body(response):
    return response.content.decode()


@pytest.fixture
def admin_client(administrator):
    return fast_staff_client(administrator)


@pytest.fixture
def import_job(administrator):
    # A plain row: what the importer leaves after a rejected file.
    return ImportJob.objects.create(
        format=ImportJob.Format.CSV,
        state=ImportJob.State.REJECTED,
        original_name="postliste-2026.csv",
        size=1234,
        created_by=administrator,
        read=3,
        errors=[{"line": 2, "reason": "The date 31.02.2026 does not exist."}, {"line": None, "reason": "Bad header"}],
    )


@pytest.fixture
def everything(access_request, import_job, entry_factory, unit):
    entry_factory(unit, title="Klage på skoleskyss", restriction_code="13", legal_basis="Offl. § 13", type="I")
    return access_request


MODELS = ["casefile", "journalentry", "importjob", "accessrequest", "accessrequestpart"]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_object_page_opens_for_an_administrator(model, admin_client, everything):
    assert admin_client.get(changelist(model)).status_code == 200
    obj = {
        "casefile": CaseFile,
        "journalentry": JournalEntry,
        "importjob": ImportJob,
        "accessrequest": AccessRequest,
        "accessrequestpart": AccessRequestPart,
    }[model].objects.first()
    assert admin_client.get(change(model, obj.pk)).status_code == 200


@pytest.mark.parametrize("model", ["casefile", "journalentry", "accessrequest", "accessrequestpart"])
def test_list_pages_open_for_a_case_worker(model, staff_client, everything):
    assert staff_client.get(changelist(model)).status_code == 200


def test_imports_are_for_administrators(staff_client, import_job):
    assert staff_client.get(changelist("importjob")).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_nothing_is_added_changed_or_deleted_here(model, admin_client, everything):
    assert admin_client.get(reverse(f"admin:journal_{model}_add")).status_code == 403
    model_class = {
        "casefile": CaseFile,
        "journalentry": JournalEntry,
        "importjob": ImportJob,
        "accessrequest": AccessRequest,
        "accessrequestpart": AccessRequestPart,
    }[model]
    obj = model_class.objects.first()
    assert (
        admin_client.post(change(model, obj.pk), {"public_title": "Endret", "email": "x@example.no"}).status_code == 403
    )
    delete = reverse(f"admin:journal_{model}_delete", args=[obj.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert model_class.objects.filter(pk=obj.pk).exists()


def test_the_admin_still_needs_the_second_factor(client, case_worker):
    client.force_login(case_worker)
    assert client.get(changelist("journalentry")).status_code == 302


# --- Entries and case files ------------------------------------------------------------------------------------
def test_an_entry_is_read_only_with_its_correspondents_and_a_public_link(staff_client, entries):
    entry = entries[0]
    html = body(staff_client.get(change("journalentry", entry.pk)))
    assert entry.public_title in html and "Kari Nordmann" in html  # the correspondent inline
    assert 'name="public_title"' not in html
    assert reverse("journal:entry", kwargs={"pk": entry.pk}) in html


def test_entries_are_searched_by_number_and_title(admin_client, entries):
    first, second, third = entries
    html = body(admin_client.get(changelist("journalentry"), {"q": first.entry_number}))
    assert change("journalentry", first.pk) in html and change("journalentry", second.pk) not in html
    case_number = first.case.case_number
    html = body(admin_client.get(changelist("journalentry"), {"q": f" {case_number} "}))
    assert change("journalentry", first.pk) in html and change("journalentry", third.pk) not in html
    html = body(admin_client.get(changelist("journalentry"), {"q": "Holmen brygge"}))
    assert change("journalentry", third.pk) in html and change("journalentry", first.pk) not in html
    for odd in ("2026/", "'; DROP TABLE", "\x00", "x" * 500, "2026/1-2-3"):
        assert admin_client.get(changelist("journalentry"), {"q": odd}).status_code == 200


def test_entries_are_filtered(admin_client, entries, entry_factory, unit, other_unit):
    screened = entry_factory(unit, title="Skjermet brev", restriction_code="13", legal_basis="Offl. § 13")
    old = entry_factory(unit, title="Gammelt brev", year=2019)
    html = body(admin_client.get(changelist("journalentry"), {"type__exact": EntryType.OUTGOING}))
    assert change("journalentry", entries[1].pk) in html and change("journalentry", entries[0].pk) not in html
    html = body(admin_client.get(changelist("journalentry"), {"unit__id__exact": other_unit.pk}))
    assert change("journalentry", entries[2].pk) in html and change("journalentry", entries[0].pk) not in html
    html = body(admin_client.get(changelist("journalentry"), {"year__exact": 2019}))
    assert change("journalentry", old.pk) in html and change("journalentry", entries[0].pk) not in html
    html = body(admin_client.get(changelist("journalentry"), {"screened": "yes"}))
    assert change("journalentry", screened.pk) in html and change("journalentry", entries[0].pk) not in html


def test_case_files_are_searched_by_number(admin_client, entries):
    case = entries[2].case
    html = body(admin_client.get(changelist("casefile"), {"q": case.case_number}))
    assert change("casefile", case.pk) in html and change("casefile", entries[0].case_id) not in html


def test_the_entry_list_does_not_query_per_row(admin_client, entry_factory, unit, django_assert_max_num_queries):
    for n in range(5):
        entry_factory(unit, title=f"Brev {n}")
    admin_client.get(changelist("journalentry"))
    with django_assert_max_num_queries(30) as few:
        admin_client.get(changelist("journalentry"))
    for n in range(30):
        entry_factory(unit, title=f"Brev {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(changelist("journalentry"))


def test_an_import_shows_its_report(admin_client, import_job):
    html = body(admin_client.get(change("importjob", import_job.pk)))
    assert "The date 31.02.2026 does not exist." in html and "Bad header" in html


# --- Access requests -------------------------------------------------------------------------------------------
def test_requests_are_scoped_and_the_list_names_no_one(staff_client, other_client, resident, entries, unit):
    mine = send_request(entries=entries[:1], user=resident)
    theirs = send_request(entries=entries[2:], user=resident)
    html = body(staff_client.get(changelist("accessrequest")))
    assert change("accessrequest", mine.pk) in html and change("accessrequest", theirs.pk) not in html
    assert resident.email not in html
    assert staff_client.get(change("accessrequest", theirs.pk)).status_code == 302  # "does not exist"
    html = body(staff_client.get(changelist("accessrequestpart")))
    assert change("accessrequestpart", part_of(mine, unit).pk) in html
    assert resident.email not in html
    assert staff_reads(resident).count() == 0


def test_opening_a_request_is_a_logged_read(staff_client, access_request, resident, unit, other_unit):
    html = body(staff_client.get(change("accessrequest", access_request.pk)))
    assert resident.email in html and "Jeg skriver om skoleskyss." in html
    assert str(access_request.key) not in html
    # Only the own unit's part in the inline.
    assert reverse("journal:part", kwargs={"pk": part_of(access_request, unit).pk}) in html
    assert reverse("journal:part", kwargs={"pk": part_of(access_request, other_unit).pk}) not in html
    assert staff_reads(resident).count() == 1
    assert AuditEntry.objects.get(action=STAFF_READ_ACTION).data["unit"] == unit.name


def test_a_request_without_an_account_is_logged_too(staff_client, entries):
    access_request = send_request(entries=entries[:1], email="journalist@example.no")
    html = body(staff_client.get(change("accessrequest", access_request.pk)))
    assert "journalist@example.no" in html
    entry = AuditEntry.objects.get(action="journal.request.read")
    assert entry.target_id == str(access_request.pk)


def test_requests_are_filtered_and_searched(admin_client, case_worker, resident, entries, unit, other_unit):
    first = send_request(entries=entries[:1], user=resident)
    second = send_request(entries=entries[1:], user=resident)
    from tinget.journal import services

    services.part_answer(actor=case_worker, part=part_of(first, unit), decision="granted", link="https://example.no/d")
    html = body(admin_client.get(changelist("accessrequest"), {"status": "granted"}))
    assert change("accessrequest", first.pk) in html and change("accessrequest", second.pk) not in html
    html = body(admin_client.get(changelist("accessrequest"), {"unit": other_unit.pk}))
    assert change("accessrequest", second.pk) in html and change("accessrequest", first.pk) not in html
    html = body(admin_client.get(changelist("accessrequest"), {"q": entries[0].entry_number}))
    assert change("accessrequest", first.pk) in html and change("accessrequest", second.pk) not in html
    for odd in ("abc", "", "9" * 30, "<script>"):
        assert admin_client.get(changelist("accessrequest"), {"q": odd}).status_code == 200
        assert admin_client.get(changelist("accessrequestpart"), {"q": odd}).status_code == 200
    html = body(admin_client.get(changelist("accessrequestpart"), {"status__exact": "granted"}))
    assert change("accessrequestpart", part_of(first, unit).pk) in html
    assert change("accessrequestpart", part_of(second, unit).pk) not in html


# --- The action: through the service ---------------------------------------------------------------------------
def test_send_appeals_to_the_county_governor(staff_client, appealed, resident, entries, unit, mailoutbox):
    waiting = part_of(send_request(entries=entries[:1], user=resident), unit)
    mailoutbox.clear()
    response = staff_client.post(
        changelist("accessrequestpart"),
        {"action": "forward_to_county_governor", "_selected_action": [appealed.pk, waiting.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = body(response)
    with translation.override("nb"):  # the admin speaks the default language
        sent = ngettext(
            "%(count)s appeal is sent to the County Governor. The requester is told by e-mail.",
            "%(count)s appeals are sent to the County Governor. The requesters are told by e-mail.",
            1,
        ) % {"count": 1}
        refused = gettext("Only an appealed request can be sent to the County Governor.")
    assert sent in html and refused in html
    assert AccessRequestPart.objects.get(pk=appealed.pk).status == RequestStatus.FORWARDED
    assert AccessRequestPart.objects.get(pk=waiting.pk).status == RequestStatus.SENT
    assert [mail.to for mail in mailoutbox] == [[resident.email]]
    assert AuditEntry.objects.filter(action="journal.part.forwarded").count() == 1


def test_another_units_parts_are_not_in_reach_of_the_action(other_client, appealed):
    response = other_client.post(
        changelist("accessrequestpart"),
        {"action": "forward_to_county_governor", "_selected_action": [appealed.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert AccessRequestPart.objects.get(pk=appealed.pk).status == RequestStatus.APPEALED


def test_opening_an_appealed_part_is_a_logged_read(staff_client, appealed, resident):
    html = body(staff_client.get(change("accessrequestpart", appealed.pk)))
    assert "Dokumentet må være offentlig." in html
    assert staff_reads(resident).count() == 1
