"""Counting what a search finds at scale (search.tally and migration 0003): the counts the database keeps follow every
write, the total and facets equal counting entry by entry, and what is estimated is marked and still honest."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from tinget.journal import search, selectors
from tinget.journal.models import EntryType, JournalEntry
from tinget.journal.selectors import SearchParams, search_entries

from .conftest import make_entry

pytestmark = pytest.mark.django_db

WORDS = ["skole", "barnehage", "byggesak", "vei", "renovasjon", "tilskudd"]


def counts_table():
    """{(kind, grain, day, unit_id, type, year): n} as the database keeps it, without rows counted down to 0."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, grain, day, unit_id, type, year, n FROM {search.COUNTS_TABLE} WHERE n <> 0")
        return {
            (kind, grain, day if isinstance(day, str) else day.isoformat(), unit_id, type_, year): n
            for kind, grain, day, unit_id, type_, year, n in cursor.fetchall()
        }


def counted_by_hand():
    expected = {}
    for entry in JournalEntry.objects.public():
        for kind, day in ((0, entry.journal_date), (1, entry.document_date)):
            if day is None:
                continue
            for grain, first in ((0, day), (1, day.replace(day=1)), (2, day.replace(month=1, day=1))):
                key = (kind, grain, first.isoformat(), entry.unit_id, entry.type, entry.year)
                expected[key] = expected.get(key, 0) + 1
    return expected


@pytest.fixture
def journal(unit, other_unit):
    """Sixty entries over three years, both units, every type, some without a document date, one withdrawn."""
    rng = random.Random(7)
    entries = []
    types = [choice.value for choice in EntryType]
    for number in range(60):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
        words = rng.sample(WORDS, rng.randint(1, 3))
        entries.append(
            make_entry(
                rng.choice([unit, other_unit]),
                title=f"Sak {number} om {' og '.join(words)}",
                case_title="Saken",
                journal_date=day,
                document_date=None if number % 7 == 0 else day - dt.timedelta(days=rng.randrange(20)),
                type=rng.choice(types),
            )
        )
    # A year that is not the journal date's, as an archive may have it.
    entries[0].year = 2023
    entries[0].save(update_fields=["year"])
    JournalEntry.objects.filter(pk=entries[1].pk).update(withdrawn_at=timezone.now())
    return entries


def by_hand(params: SearchParams):
    """The total and facets counted entry by entry with the ORM, as the search page did before the counts."""
    base = selectors._filtered

    def group(field, without):
        rows = base(params, without=without).order_by().values(field).annotate(n=Count("pk"))
        return {row[field]: row["n"] for row in rows}

    return base(params).count(), group("type", "type"), group("unit_id", "unit"), group("year", "year")


class TestTheCountsTable:
    def test_it_follows_inserts_updates_withdrawals_and_deletes(self, journal, unit, other_unit):
        assert counts_table() == counted_by_hand()
        first, second, third = journal[2], journal[3], journal[4]
        first.unit = other_unit if first.unit_id == unit.pk else unit
        first.journal_date = dt.date(2020, 2, 29)
        first.save()
        JournalEntry.objects.filter(pk=second.pk).update(document_date=None, type="S")
        JournalEntry.objects.filter(pk=third.pk).update(withdrawn_at=timezone.now())
        assert counts_table() == counted_by_hand()
        JournalEntry.objects.filter(pk=third.pk).update(withdrawn_at=None)
        journal[5].delete()
        JournalEntry.objects.filter(year=2025).delete()
        assert counts_table() == counted_by_hand()

    def test_the_migration_counted_what_was_there(self, journal):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {search.COUNTS_TABLE}")
        from importlib import import_module

        migration = import_module("tinget.journal.migrations.0003_entry_counts")
        fill = migration.PG_FORWARD[-1:] if connection.vendor == "postgresql" else migration.SQLITE_FORWARD[-6:]
        with connection.cursor() as cursor:
            for sql in fill:
                cursor.execute(sql)
        assert counts_table() == counted_by_hand()


RANGES = [
    (None, None),
    (dt.date(2024, 3, 5), dt.date(2024, 3, 20)),  # within a month
    (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),  # one whole month
    (dt.date(2024, 2, 29), dt.date(2024, 3, 1)),  # across a month's end, in a leap year
    (dt.date(2024, 11, 15), dt.date(2025, 2, 10)),  # across a year's end
    (dt.date(2024, 1, 1), dt.date(2025, 12, 31)),  # whole years
    (dt.date(2024, 6, 3), dt.date(2026, 8, 17)),  # days, months, a year, months, days
    (dt.date(2025, 4, 1), None),
    (None, dt.date(2025, 4, 30)),
    (dt.date(2026, 12, 31), dt.date(2024, 1, 1)),  # backwards: nothing
]


class TestTheTallyEqualsCountingEachEntry:
    @pytest.mark.parametrize(("low", "high"), RANGES)
    @pytest.mark.parametrize("date_field", ["journal", "document"])
    def test_date_ranges_without_words(self, journal, low, high, date_field):
        params = SearchParams(date_field=date_field, date_from=low, date_to=high)
        self.check(params)

    def test_random_searches(self, journal, unit, other_unit):
        rng = random.Random(11)
        for _ in range(80):
            low, high = rng.choice(RANGES)
            params = SearchParams(
                text=rng.choice(["", "", "skole", "skole -vei", '"om byggesak"', "tilskudd barnehage", "ingenting"]),
                date_field=rng.choice(["journal", "document"]),
                date_from=low,
                date_to=high,
                types=tuple(rng.sample(["I", "U", "N", "X", "S"], rng.choice([0, 0, 1, 2]))),
                units=tuple(rng.sample([unit.slug, other_unit.slug, "finnes-ikke"], rng.choice([0, 0, 1, 2]))),
                year=rng.choice([None, None, 2023, 2024, 2025, 2026]),
            )
            self.check(params)

    def test_a_case_number(self, journal):
        case = journal[10].case
        self.check(SearchParams(case=f"{case.year}/{case.sequence}"))
        self.check(SearchParams(case=f"{case.year}/{case.sequence}", text="skole"))
        assert search_entries(SearchParams(case="not a case")).total == 0

    def test_the_page_of_a_year_is_the_same_with_the_years_dates(self, journal):
        for sort in ("date", "oldest"):
            params = SearchParams(year=2024, sort=sort)
            shown = [entry.pk for entry in search_entries(params, page_size=100).entries]
            qs = selectors._filtered(params)
            order = ("journal_date", "pk") if sort == "oldest" else ("-journal_date", "-pk")
            assert shown == list(qs.order_by(*order).values_list("pk", flat=True))

    @staticmethod
    def check(params):
        result = search_entries(params)
        total, types, units, years = by_hand(params)
        assert not result.total_estimated and not result.facets_estimated
        assert result.total == total, params
        assert {f.value: f.count for f in result.facets["type"]} == types, params
        slugs = {u.pk: u.slug for u in selectors.Unit.objects.all()}
        assert {f.value: f.count for f in result.facets["unit"]} == {slugs[k]: n for k, n in units.items()}, params
        assert {int(f.value): f.count for f in result.facets["year"]} == years, params
        assert search_entries(params, facets=False).total == total


@pytest.fixture
def sample_everything(monkeypatch):
    """Make every search with words count by "sample", a sample that holds every entry: the estimate is then the
    exact count, rounded."""
    monkeypatch.setattr(search, "EXACT_READ", 0)
    monkeypatch.setattr(search, "FEW_READ", 0)
    monkeypatch.setattr(search.PostgresEngine, "sample", lambda self, parsed, matches=None: ("table", 100.0))
    monkeypatch.setattr(search.SqliteEngine, "sample", lambda self, parsed, matches=None: ("matches", 1))


class TestEstimates:
    def test_about_keeps_two_significant_digits(self):
        assert [search.about(n) for n in (0.2, 7, 12, 99.6, 149, 81_234, 1_049_999)] == [
            1,
            7,
            12,
            100,
            150,
            81_000,
            1_000_000,
        ]

    def test_many_matches_are_estimated_and_marked(self, journal, sample_everything):
        params = SearchParams(text="sak")
        total, types, units, years = by_hand(params)
        result = search_entries(params)
        assert result.total_estimated and result.facets_estimated
        assert result.total == search.about(total)
        assert {f.value: f.count for f in result.facets["type"]} == {k: search.about(n) for k, n in types.items()}
        assert {int(f.value): f.count for f in result.facets["year"]} == {k: search.about(n) for k, n in years.items()}
        slugs = {u.pk: u.slug for u in selectors.Unit.objects.all()}
        assert {f.value: f.count for f in result.facets["unit"]} == {
            slugs[k]: search.about(n) for k, n in units.items()
        }
        # The list itself is not estimated: the newest matches, in order.
        newest = selectors._filtered(params).order_by("-journal_date", "-pk").values_list("pk", flat=True)[:20]
        assert [entry.pk for entry in result.entries] == list(newest)

    def test_few_found_are_counted_exactly_when_it_costs_little_more(self, journal, sample_everything, monkeypatch):
        params = SearchParams(text="sak", types=("S",), year=2025)
        total = by_hand(params)[0]
        monkeypatch.setattr(search, "EXACT_MAX", total + 1)
        monkeypatch.setattr(search, "FEW_READ", 10**6)
        result = search_entries(params)
        assert not result.total_estimated and not result.facets_estimated
        assert result.total == total
        # Too dear even so: estimated, and said to be.
        monkeypatch.setattr(search, "FEW_READ", 0)
        assert search_entries(params).total_estimated

    def test_an_estimate_never_exceeds_what_the_filters_leave(self, journal, monkeypatch, sample_everything):
        # A sample that says every entry matches: the estimate is capped by the exact count of the filters alone.
        day = dt.date(2025, 6, 2)
        monkeypatch.setattr(search, "_sample_rows", lambda *args: [("I", journal[2].unit_id, 2025, day, day, 10**6)])
        result = search_entries(SearchParams(text="skole", year=2025, types=("I",)))
        assert result.total_estimated
        assert result.total == JournalEntry.objects.public().filter(year=2025, type="I").count()

    def test_a_date_range_applies_to_the_sample(self, journal, sample_everything):
        params = SearchParams(text="sak", date_field="document", date_from=dt.date(2025, 1, 1))
        result = search_entries(params)
        assert result.total_estimated
        assert result.total == search.about(by_hand(params)[0])

    def test_relevance_ranks_the_newest_matches_in_windows(self, journal, unit, sample_everything, monkeypatch):
        monkeypatch.setattr(selectors, "RELEVANCE_WINDOW", 2)
        day = dt.date(2027, 1, 4)
        older = make_entry(unit, title="Skole skole skole", case_title="Skole", journal_date=day)
        newer = make_entry(unit, title="Brev om skole", case_title="Annet", journal_date=day + dt.timedelta(days=1))
        newest = make_entry(unit, title="Skole", case_title="Skolen", journal_date=day + dt.timedelta(days=2))
        params = SearchParams(text="skole", sort="relevance")
        first = search_entries(params, page=1, page_size=2)
        assert first.total_estimated
        # The two newest, the better match first; the third newest comes in the next window.
        assert [e.pk for e in first.entries] == [newest.pk, newer.pk]
        assert search_entries(params, page=2, page_size=2).entries[0].pk == older.pk


def test_relevance_with_fewer_matches_than_a_window_ranks_them_all(journal):
    params = SearchParams(text="skole barnehage", sort="relevance")
    engine = search.engine()
    every = engine.with_rank(selectors._filtered(params), params.parsed).order_by("-rank", "-journal_date", "-pk")
    expected = list(every.values_list("pk", flat=True))
    assert 1 < len(expected) <= selectors.RELEVANCE_WINDOW
    shown = [entry.pk for entry in search_entries(params, page_size=len(expected)).entries]
    assert shown == expected


def test_the_page_and_the_api_say_when_counts_are_estimated(client, journal, sample_everything):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        html = client.get(reverse("journal:index"), {"q": "sak"}).content.decode()
        assert "About " in html and "estimated from a sample" in html and "(about " in html
    data = client.get("/api/v1/journal/entries", {"q": "sak"}).json()
    assert data["total_estimated"] is True and data["facets_estimated"] is True
