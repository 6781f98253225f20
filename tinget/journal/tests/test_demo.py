"""The demo journal: a year of Asker's mail journal (generated, some entries screened) stored by the importer, and
access requests in every state made through the services (waiting, granted, refused and appealed, overdue with the
§ 32 notice, a period of the journal, and a year of answered ones for the statistics); loaded once only, invented,
fast, and without e-mailing anyone."""

import datetime as dt
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tinget.accounts.demo import load_demo_users
from tinget.core.models import AuditEntry
from tinget.core.registry import registry
from tinget.journal import providers, search, selectors, services
from tinget.journal.demo import DEMO_EMAILS, DEMO_ENTRIES, DEMO_MARK, JOURNALIST_EMAIL, RESIDENT_EMAIL, load_demo
from tinget.journal.models import (
    AccessRequest,
    AccessRequestItem,
    AccessRequestPart,
    AnswerFile,
    CaseFile,
    Correspondent,
    JournalEntry,
    RequestStatus,
)


@pytest.fixture
def demo(municipality, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo logins file
    load_demo_users()
    # Processor time, not the clock: SQLite works in this process, and a busy test machine must not fail the test.
    started = time.process_time()
    made = load_demo(municipality)
    return {"made": made, "seconds": time.process_time() - started, "municipality": municipality}


def counts():
    return tuple(
        model.objects.count()
        for model in (
            CaseFile,
            JournalEntry,
            Correspondent,
            AccessRequest,
            AccessRequestPart,
            AccessRequestItem,
            AnswerFile,
            AuditEntry,
        )
    )


@pytest.mark.django_db
class TestJournal:
    def test_a_year_of_entries_some_screened(self, demo):
        assert demo["made"]["entries"] == JournalEntry.objects.count() == DEMO_ENTRIES
        assert demo["seconds"] < 20
        today = timezone.localdate()
        dates = JournalEntry.objects.values_list("journal_date", flat=True)
        assert min(dates) >= today - dt.timedelta(days=366) and max(dates) <= today
        assert {d.month for d in dates} == set(range(1, 13))
        screened = JournalEntry.objects.exclude(restriction_code="")
        assert 0.05 * DEMO_ENTRIES <= screened.count() <= 0.2 * DEMO_ENTRIES
        assert not screened.filter(legal_basis="").exists()
        assert not Correspondent.objects.filter(screened=True).exclude(name="").exists()
        assert Correspondent.objects.filter(screened=True).exists()
        assert set(JournalEntry.objects.values_list("type", flat=True)) == {"I", "U", "N", "X", "S"}
        assert JournalEntry.objects.values("unit").distinct().count() >= 5
        assert CaseFile.objects.count() < DEMO_ENTRIES  # cases hold several entries
        assert not JournalEntry.objects.filter(published_at__gt=timezone.now()).exists()
        assert AuditEntry.objects.filter(action="journal.demo.loaded").count() == 1

    def test_it_can_be_searched_on_this_engine(self, demo, client):
        found = search.engine().filter(JournalEntry.objects.public(), search.parse("skole"))
        assert found.count() > 10
        data = client.get("/api/v1/journal/entries", {"q": "skole", "page_size": 5}).json()
        assert data["total"] == found.count() and len(data["items"]) == 5
        assert client.get("/api/v1/journal/entries").json()["total"] == DEMO_ENTRIES

    def test_a_second_load_changes_nothing(self, demo):
        before = counts()
        assert load_demo(demo["municipality"]) == {"entries": 0, "requests": 0}
        assert counts() == before

    def test_an_installation_with_a_real_journal_gets_no_demo_entries(
        self, municipality, unit, entry_factory, settings, tmp_path
    ):
        settings.VAR_DIR = tmp_path
        entry_factory(unit, title="Et ekte journalinnslag")
        assert load_demo(municipality) == {"entries": 0, "requests": 0}
        assert JournalEntry.objects.count() == 1 and not AccessRequest.objects.exists()

    def test_manage_py_load_demo_loads_it_through_the_registry(self, municipality, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        assert registry.get("journal").demo is providers.demo
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        before = counts()
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        assert counts() == before and JournalEntry.objects.count() == DEMO_ENTRIES


@pytest.mark.django_db
class TestRequests:
    def test_only_demo_addresses_and_demo_texts(self, demo):
        assert demo["made"]["requests"] >= 40
        assert set(AccessRequest.objects.values_list("email", flat=True)) <= set(DEMO_EMAILS)
        assert all(email.endswith("@example.no") for email in DEMO_EMAILS)
        for message in AccessRequest.objects.exclude(message="").values_list("message", flat=True):
            assert message.endswith(DEMO_MARK)
        for answer in AccessRequestPart.objects.exclude(answer="").values_list("answer", flat=True):
            assert answer.endswith(DEMO_MARK)
        assert not AccessRequest.objects.filter(sent_at__isnull=True).exists()
        for r in AccessRequest.objects.all():
            assert r.created_at == r.sent_at <= timezone.now()

    def test_the_resident_has_one_waiting_and_one_appealed_on_min_side(self, demo, django_user_model):
        resident = django_user_model.objects.get(email=RESIDENT_EMAIL)
        statuses = sorted(AccessRequestPart.objects.filter(request__user=resident).values_list("status", flat=True))
        assert statuses == ["appealed", "sent", "sent"]
        with translation.override("en"):
            items = providers.min_side(resident).items
        assert [item["status"].split(":")[0] for item in items] == ["Sent", "Appealed"]

    def test_the_case_worker_has_both_in_the_queue(self, demo, django_user_model):
        worker = django_user_model.objects.get(email="saksbehandler@example.no")
        waiting = list(selectors.queue_for(worker))
        mine = [p for p in waiting if p.unit.slug == "plan-og-bygning"]
        assert sorted(p.status for p in mine) == [RequestStatus.APPEALED, RequestStatus.SENT]
        assert all(p.request.email == RESIDENT_EMAIL for p in mine)
        # The demo case worker also works in Vei og park, where the journalist's request is overdue.
        assert {p.request.email for p in waiting if p.unit.slug == "vei-og-park"} == {JOURNALIST_EMAIL}
        appealed = next(p for p in mine if p.status == RequestStatus.APPEALED)
        assert appealed.legal_basis and appealed.appeal_information and appealed.appeal_message

    def test_the_journalist_has_a_granted_an_overdue_and_a_period_request(self, demo):
        parts = AccessRequestPart.objects.filter(request__email=JOURNALIST_EMAIL).select_related("request")
        granted = parts.get(status=RequestStatus.GRANTED, request__period_from__isnull=True)
        assert granted.files.count() == 1 and granted.working_days_to_answer == 1
        assert granted.files.get().name.endswith(".pdf")
        overdue = parts.get(status=RequestStatus.SENT)
        assert overdue.reminded_1_at and overdue.reminded_3_at and overdue.overdue_notified_at
        assert overdue.deadline < timezone.localdate()
        period = parts.get(request__period_from__isnull=False)
        assert period.status == RequestStatus.GRANTED and period.unit.slug == "dokumentsenteret"
        assert (period.request.period_to - period.request.period_from).days == 4

    def test_the_statistics_have_a_year_to_count(self, demo):
        stats = selectors.statistics()
        assert sum(m["count"] for m in stats["months"]) == AccessRequest.objects.count()
        assert sum(1 for m in stats["months"] if m["count"]) >= 10
        overall = stats["overall"]
        assert 0 < overall["within_1"] < overall["within_3"] < overall["within_5"] < overall["total"]
        decisions = set(AccessRequestPart.objects.values_list("status", flat=True))
        assert {"granted", "refused", "partly_granted", "appealed", "sent"} <= decisions

    def test_the_sweep_finds_nothing_to_do(self, demo):
        before = counts()
        result = services.sweep()
        assert result["reminded_1"] == result["reminded_3"] == result["overdue_notified"] == 0
        assert result["requests_deleted"] == 0
        assert counts()[:7] == before[:7]


@pytest.mark.django_db(transaction=True)
def test_loading_queues_no_e_mail(settings, tmp_path, mailoutbox):
    """A real commit (no test transaction around it): receipts, the units' notices, the reminders, the § 32 notice
    and the answers would go out here, to invented people."""
    settings.VAR_DIR = tmp_path
    call_command("load_demo", "--quiet-logins", stdout=StringIO())
    assert AccessRequest.objects.count() >= 40
    assert mailoutbox == []
