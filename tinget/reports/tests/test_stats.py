"""Statistics of fault reports: counts and median days to fix per category, unit and month, on known data."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tinget.core.models import Unit
from tinget.core.tests.html import parse
from tinget.reports import services, stats
from tinget.reports.models import State

from .conftest import ASKER
from .factories import CategoryFactory

SLEMMESTAD = (59.7801, 10.4951)


class Clock:
    """services._now, set by the test: reports are made and fixed at chosen times."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(services, "_now", lambda: self.now)

    def at(self, when):
        self.now = when
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def local(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


def report_at(clock, actor, category, when, at=ASKER, title="Feil"):
    clock.at(when)
    return services.report_create(actor=actor, category=category, latitude=at[0], longitude=at[1], title=title)


def fix_after(clock, case_worker, report, days):
    clock.at(report.confirmed_at + timedelta(days=days))
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Fikset.")


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([3], 3), ([5, 1, 3], 3), ([4, 1, 3, 2], 2.5), ([0.5, 0.5, 10], 0.5)],
)
def test_median(values, expected):
    assert stats.median(values) == expected


@pytest.fixture
def known(clock, pothole, resident, case_worker):
    """Pothole: 3 reports in March 2025 fixed after 2, 4 and 9 days and 1 still open in April.
    Waste bins (another unit): 2 reports in April fixed after 1 and 6 days."""
    bins = CategoryFactory(slug="soppelkasse", name="Full søppelkasse", unit=Unit.objects.get(slug="renovasjon"))
    holes = [report_at(clock, resident, pothole, local(2025, 3, day)) for day in (3, 10, 20)]
    for report, days in zip(holes, (2, 4, 9), strict=True):
        fix_after(clock, case_worker, report, days)
    report_at(clock, resident, pothole, local(2025, 4, 2))
    bin_reports = [report_at(clock, resident, bins, local(2025, 4, d), at=SLEMMESTAD) for d in (5, 6)]
    worker = case_worker
    worker.units.add(Unit.objects.get(slug="renovasjon"))
    for report, days in zip(bin_reports, (1, 6), strict=True):
        fix_after(clock, worker, report, days)
    return bins


def compute(**kwargs):
    return stats.compute(since=date(2025, 1, 1), until=date(2025, 6, 30), **kwargs)


def test_medians_per_category_unit_and_month(known, pothole):
    figures = compute()
    assert figures.total == 6
    assert figures.fixed == 5
    assert figures.median_days == 4.0  # 1, 2, 4, 6, 9
    by_category = {row.label: row for row in figures.by_category}
    assert by_category["Hull i veien"].received == 4
    assert by_category["Hull i veien"].fixed == 3
    assert by_category["Hull i veien"].median_days == 4.0
    assert by_category["Full søppelkasse"].median_days == 3.5  # (1 + 6) / 2
    by_unit = {row.label: row for row in figures.by_unit}
    assert by_unit["Vei og park (demo)"].median_days == 4.0
    assert by_unit["Renovasjon (demo)"].received == 2
    by_month = {row.key: row for row in figures.by_month}
    assert [m.month for m in by_month] == [1, 2, 3, 4, 5, 6]
    assert (by_month[date(2025, 3, 1)].received, by_month[date(2025, 3, 1)].fixed) == (3, 3)
    assert by_month[date(2025, 3, 1)].median_days == 4.0
    assert (by_month[date(2025, 4, 1)].received, by_month[date(2025, 4, 1)].fixed) == (3, 2)
    assert by_month[date(2025, 4, 1)].median_days == 3.5
    assert by_month[date(2025, 5, 1)].received == 0 and by_month[date(2025, 5, 1)].median_days is None
    assert dict((value, count) for value, _label, count, _bar in figures.by_state) == {"open": 1, "fixed": 5}
    assert figures.by_group == {"open": 1, "fixed": 5, "closed": 0}


def test_bars_are_whole_percent_of_the_longest(known):
    figures = compute()
    by_category = {row.label: row for row in figures.by_category}
    assert by_category["Hull i veien"].received_bar == 100
    assert by_category["Full søppelkasse"].received_bar == 50
    assert by_category["Hull i veien"].median_bar == 100
    assert by_category["Full søppelkasse"].median_bar == round(100 * 3.5 / 4)


def test_fractional_days(clock, pothole, resident, case_worker):
    report = report_at(clock, resident, pothole, local(2025, 2, 1, 8))
    fix_after(clock, case_worker, report, 0.5)
    assert compute().median_days == 0.5


def test_area_and_period(known):
    assert compute(area_id=known_area("slemmestad")).total == 2
    assert stats.compute(since=date(2025, 4, 1), until=date(2025, 4, 30)).total == 3
    assert stats.compute(since=date(2025, 3, 20), until=date(2025, 3, 20)).total == 1


def known_area(slug):
    from tinget.core.models import Area

    return Area.objects.get(slug=slug).pk


def test_month_is_the_local_month(clock, pothole, resident):
    # 00:30 on 1 May local time is still April in UTC when the zone is ahead of UTC, and in the test zone
    # (America/Sao_Paulo, behind UTC) 23:30 on 30 April is already May in UTC: either way it counts locally.
    report_at(clock, resident, pothole, local(2025, 4, 30, 23) + timedelta(minutes=30))
    report_at(clock, resident, pothole, local(2025, 5, 1, 0) + timedelta(minutes=30))
    by_month = {row.key: row.received for row in compute().by_month}
    assert by_month[date(2025, 4, 1)] == 1
    assert by_month[date(2025, 5, 1)] == 1


def test_hidden_and_unconfirmed_are_not_counted(clock, known, pothole, moderator, resident):
    clock.at(local(2025, 3, 5))
    services.report_create(
        actor=AnonymousUser(),
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        reporter=services.Reporter(name="Ola", email="ola@example.no"),
    )
    hidden = report_at(clock, resident, pothole, local(2025, 3, 6))
    services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Spam")
    assert compute().total == 6


def test_reopened_report_is_not_counted_as_fixed(clock, pothole, resident, case_worker):
    report = report_at(clock, resident, pothole, local(2025, 2, 1))
    fix_after(clock, case_worker, report, 3)
    clock.at(local(2025, 2, 10))
    report.refresh_from_db()
    services.report_reopen(actor=resident, report=report)
    figures = compute()
    assert (figures.total, figures.fixed, figures.median_days) == (1, 0, None)


def test_default_period_is_the_last_twelve_months():
    assert stats.default_period(date(2025, 3, 15)) == (date(2024, 4, 1), date(2025, 3, 15))
    assert stats.default_period(date(2025, 12, 31)) == (date(2025, 1, 1), date(2025, 12, 31))


def test_figures_are_cached_per_filter(known):
    first = stats.report_stats(since=date(2025, 1, 1), until=date(2025, 6, 30))
    assert first.total == 6
    other = stats.report_stats(since=date(2025, 4, 1), until=date(2025, 6, 30))
    assert other.total == 3
    # Cached: a new report does not show until the figures are computed again.
    cache.set(stats.cache_key(date(2025, 1, 1), date(2025, 6, 30), None, "nb"), "sentinel")
    assert stats.report_stats(since=date(2025, 1, 1), until=date(2025, 6, 30)) == "sentinel"


# --- The page --------------------------------------------------------------------------------------------------
def test_stats_page(client, known):
    response = client.get(reverse("reports:stats"), {"from_date": "2025-01-01", "to_date": "2025-06-30"})
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text
    tables = document.find_all("table")
    assert len(tables) == 4
    for table in tables:
        assert table.find("caption").text
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.find_all("th"))
    category_table = tables[1]
    rows = {
        tr.find("th").text: [td.text for td in tr.find_all("td")] for tr in category_table.find("tbody").find_all("tr")
    }
    assert rows["Hull i veien"] == ["4", "3", "4,0"]
    assert rows["Full søppelkasse"] == ["2", "2", "3,5"]
    # The chart: bars are classes (no style attribute: CSP), and each bar has its number in text.
    bars = [el for el in document.iter() if "bar-chart__bar" in el.attrs.get("class", "")]
    assert bars and all(any(c.startswith("bar--") for c in el.attrs["class"].split()) for el in bars)
    assert not [el for el in document.iter() if "style" in el.attrs]
    assert "bar--100" in response.content.decode()


def test_stats_page_default_period_and_area(client, known):
    response = client.get(reverse("reports:stats"))
    assert response.status_code == 200
    response = client.get(
        reverse("reports:stats"), {"from_date": "2025-01-01", "to_date": "2025-06-30", "area": "slemmestad"}
    )
    document = parse(response.content)
    assert document.find("ul", class_="stats-figures").find("span").text == "2"


@pytest.mark.parametrize(
    "params",
    [
        {"from_date": "2025-02-30"},
        {"from_date": "1899-01-01"},
        {"to_date": "not a date"},
        {"from_date": "2025-06-01", "to_date": "2025-01-01"},
        {"area": "oslo"},
        {"area": "x" * 300},
    ],
)
def test_stats_page_bad_filters(client, known, params):
    response = client.get(reverse("reports:stats"), params)
    assert response.status_code == 200
    assert parse(response.content).find(class_="ds-error-summary")


def test_stats_page_without_reports(client, municipality):
    response = client.get(reverse("reports:stats"))
    assert response.status_code == 200
    assert parse(response.content).find("div", class_="empty-state")


def test_stats_page_query_count(client, known, django_assert_max_num_queries):
    client.get(reverse("reports:stats"))
    with django_assert_max_num_queries(3):  # the figures are cached; the area list for the form
        assert client.get(reverse("reports:stats")).status_code == 200
