"""The scheduled sweep (manage.py journal_sweep): the unit is reminded after 1 and 3 working days, once each; after
the fifth working day the requester is told that no answer counts as a refusal they may appeal (offentleglova
§ 32), with Easter in between; private persons' names leave search after the set time (on both engines); old
requests go with their files."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from tinget.journal import search, services
from tinget.journal.models import AccessRequest, AnswerFile, JournalEntry, RequestStatus

from .test_providers import grant, part_of, pdf, refuse, send

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
REQUESTER = "journalist@example.no"


def at(day, hour=10):
    """A moment in April 2026, Norwegian time."""
    return dt.datetime(2026, 4, day, hour, tzinfo=OSLO)


def found(text):
    qs = search.engine().filter(JournalEntry.objects.public(), search.parse(text))
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def entry(unit, entry_factory):
    return entry_factory(unit, title="Søknad om skoleskyss")


class TestDeadlinesAcrossEaster:
    """Sent on Wednesday 1 April 2026. Maundy Thursday (2), Good Friday (3) and Easter Monday (6) are holidays, so
    the working days after it are 7, 8, 9, 10 and 13 April: the unit is reminded on the 7th and the 9th, the
    deadline is the 13th, and the requester is told of § 32 on the 14th."""

    def test_reminders_once_each_to_the_unit_and_the_notice_once_to_the_requester(
        self, entry, unit, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            access_request = send([entry], email=REQUESTER, now=at(1))
        part = part_of(access_request, unit)
        assert part.deadline == dt.date(2026, 4, 13)
        mailoutbox.clear()

        def sweep(day, hour=10):
            with django_capture_on_commit_callbacks(execute=True):
                counts = services.sweep(now=at(day, hour))
            sent = [(m.to, m.subject) for m in mailoutbox]
            mailoutbox.clear()
            return {k: v for k, v in counts.items() if v}, sent

        # Over Easter nothing is due: not a working day has passed.
        for day in (1, 2, 3, 4, 5, 6):
            assert sweep(day, 23) == ({}, [])
        counts, sent = sweep(7)
        assert counts == {"reminded_1": 1}
        assert [to for to, _subject in sent] == [[unit.email]]
        assert sweep(7, 15) == ({}, [])  # once
        assert sweep(8) == ({}, [])
        counts, sent = sweep(9)
        assert counts == {"reminded_3": 1} and [to for to, _ in sent] == [[unit.email]]
        assert sweep(9, 16) == ({}, [])
        assert sweep(10) == ({}, [])
        assert sweep(13, 23) == ({}, [])  # the deadline day itself is still in time
        counts, sent = sweep(14, 8)
        assert counts == {"overdue_notified": 1} and [to for to, _ in sent] == [[REQUESTER]]
        assert sweep(14, 9) == ({}, [])
        assert sweep(20) == ({}, [])

        part.refresh_from_db()
        assert part.status == RequestStatus.SENT  # an event on the part, not a state
        assert part.reminded_1_at == at(7) and part.reminded_3_at == at(9) and part.overdue_notified_at == at(14, 8)

    def test_the_notice_tells_how_to_appeal_and_the_appeal_then_works(
        self, entry, unit, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            access_request = send([entry], email=REQUESTER, now=at(1))
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.sweep(now=at(14))
        (notice,) = mailoutbox
        assert notice.to == [REQUESTER]
        assert str(access_request.key) in notice.body
        part = services.part_appeal(access_request=access_request, part=part_of(access_request, unit), now=at(15))
        assert part.status == RequestStatus.APPEALED

    def test_a_missed_day_gives_the_later_reminder_only(self, entry, unit, django_capture_on_commit_callbacks):
        access_request = send([entry], email=REQUESTER, now=at(1))
        assert services.sweep(now=at(10))["reminded_3"] == 1
        part = part_of(access_request, unit)
        assert part.reminded_1_at is None and part.reminded_3_at == at(10)
        assert services.sweep(now=at(10, 12))["reminded_1"] == 0

    def test_answered_and_appealed_parts_are_left_alone(self, entry, unit, case_worker):
        answered = send([entry], email=REQUESTER, now=at(1))
        grant(case_worker, part_of(answered, unit), now=at(7, 8))
        appealed = send([entry], email=REQUESTER, now=at(1))
        refuse(case_worker, part_of(appealed, unit), now=at(7, 8))
        services.part_appeal(access_request=appealed, part=part_of(appealed, unit), now=at(7, 9))
        unsent = services.request_create(user=None, email=REQUESTER, entry_ids=[entry.pk], now=at(1))
        for day in (7, 9, 14, 30):
            counts = services.sweep(now=at(day))
            assert counts["reminded_1"] == counts["reminded_3"] == counts["overdue_notified"] == 0
        assert not unsent.parts.filter(reminded_1_at__isnull=False).exists()


class TestNamesFade:
    def test_a_persons_name_stops_finding_the_entry_an_organisations_does_not(self, unit, entry_factory, settings):
        settings.TINGET_JOURNAL_NAME_SEARCH_DAYS = 365
        now = timezone.now()
        old = entry_factory(
            unit,
            title="Søknad om skoleskyss",
            correspondents=(("sender", "Kari Nordmann", True), ("copy", "Nordvik Arkitekter AS", False)),
            published_at=now - dt.timedelta(days=366),
        )
        new = entry_factory(
            unit,
            title="Klage på skoleskyss",
            correspondents=(("sender", "Ola Nordmann", True),),
            published_at=now - dt.timedelta(days=364),
        )
        assert found("nordmann") == {old.pk, new.pk} and found("nordvik") == {old.pk}

        counts = services.sweep(now=now)

        assert counts["names_faded"] == 1
        assert found("nordmann") == {new.pk}
        assert found('"kari nordmann"') == set()
        assert found("nordvik arkitekter") == {old.pk}
        assert found("skoleskyss") == {old.pk, new.pk}  # the title still finds it
        old.refresh_from_db()
        assert old.names_faded_at == now and "Kari Nordmann" not in old.search_document
        # The name stays on the entry itself.
        assert list(old.correspondents.values_list("name", flat=True)) == ["Kari Nordmann", "Nordvik Arkitekter AS"]
        assert services.sweep(now=now)["names_faded"] == 0
        # A year later the newer one goes too.
        assert services.sweep(now=now + dt.timedelta(days=2))["names_faded"] == 1
        assert found("nordmann") == set()

    def test_the_api_search_follows(self, unit, entry_factory, settings, client):
        settings.TINGET_JOURNAL_NAME_SEARCH_DAYS = 30
        entry_factory(
            unit,
            title="Brev om skoleskyss",
            correspondents=(("sender", "Kari Nordmann", True),),
            published_at=timezone.now() - dt.timedelta(days=31),
        )
        assert client.get("/api/v1/journal/entries", {"q": "nordmann"}).json()["total"] == 1
        services.sweep()
        assert client.get("/api/v1/journal/entries", {"q": "nordmann"}).json()["total"] == 0
        item = client.get("/api/v1/journal/entries", {"q": "skoleskyss"}).json()["items"][0]
        assert item["correspondents"][0]["name"] == "Kari Nordmann"


class TestOldRequests:
    def test_deleted_with_their_files_after_the_retention_period(
        self, entry, unit, case_worker, settings, django_capture_on_commit_callbacks
    ):
        settings.TINGET_JOURNAL_REQUEST_RETENTION_DAYS = 100
        now = timezone.now()
        long_ago = now - dt.timedelta(days=120)
        old = send([entry], email=REQUESTER, now=long_ago)
        grant(case_worker, part_of(old, unit), files=[pdf()], now=long_ago + dt.timedelta(days=1))
        old_waiting = send([entry], email=REQUESTER, now=long_ago)  # never answered: still the unit's case
        recent = send([entry], email=REQUESTER, now=long_ago)
        refuse(case_worker, part_of(recent, unit), now=long_ago + dt.timedelta(days=1))
        services.part_appeal(access_request=recent, part=part_of(recent, unit), now=now - dt.timedelta(days=10))
        AccessRequest.objects.update(created_at=long_ago)
        stored = AnswerFile.objects.get(part__request=old).file
        assert stored.storage.exists(stored.name)

        with django_capture_on_commit_callbacks(execute=True):
            assert services.sweep(now=now)["requests_deleted"] == 1

        assert set(AccessRequest.objects.values_list("pk", flat=True)) == {old_waiting.pk, recent.pk}
        assert not AnswerFile.objects.exists() and not stored.storage.exists(stored.name)
        assert services.sweep(now=now)["requests_deleted"] == 0


def test_the_command_prints_what_it_did_and_runs_twice(entry, unit, capsys, settings):
    settings.TINGET_JOURNAL_NAME_SEARCH_DAYS = 1
    JournalEntry.objects.update(published_at=timezone.now() - dt.timedelta(days=2))
    send([entry], email=REQUESTER, now=timezone.now() - dt.timedelta(days=30))
    call_command("journal_sweep")
    first = capsys.readouterr().out
    call_command("journal_sweep")
    second = capsys.readouterr().out
    assert "overdue_notified: 1 (requesters told" in first and "names_faded: 1 (entries" in first
    assert "overdue_notified: 0" in second and "names_faded: 0" in second
    for key in ("reminded_1", "reminded_3", "requests_deleted"):
        assert f"{key}: 0" in second
