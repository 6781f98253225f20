"""Statistics of public fault reports: how many were received, and how many days it took to fix them, per
category, per unit and per month, and how many are in each state.

The median is computed in Python over plain rows, so that SQLite and PostgreSQL give the same answer (SQLite
has no percentile function). The figures are cached for a few minutes per set of filters and language: the
page is public, and a council's question does not need the last minute's reports.
"""

import hashlib
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from tinget.core.models import Unit

from .models import FIXED_STATES, OPEN_STATES, Category, Report, State
from .selectors import ReportFilters, filter_reports

CACHE_SECONDS = 300
MONTHS = 12
# A period chosen by the visitor is shown month by month for at most this many months (its last ones).
MAX_MONTHS = 36
SECONDS_PER_DAY = 86400


@dataclass
class Row:
    """One line of a table: a category, a unit or a month."""

    key: object
    label: str
    received: int = 0
    fixed: int = 0
    median_days: float | None = None
    # Bar lengths in whole percent of the longest bar in the same chart (CSS classes bar--0 … bar--100).
    received_bar: int = 0
    median_bar: int = 0
    durations: list = field(default_factory=list, repr=False)


@dataclass
class Stats:
    since: date
    until: date  # the last day included
    total: int
    fixed: int
    median_days: float | None
    by_category: list
    by_unit: list
    by_month: list
    by_state: list  # [(state value, label, count, bar)]
    by_group: dict  # {"open": n, "fixed": n, "closed": n}


def median(values) -> float | None:
    """The median of the numbers, or None for none. With an even count, the mean of the middle two."""
    values = list(values)
    if not values:
        return None
    return statistics.median(values)


def _round(value):
    return None if value is None else round(value, 1)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago up to today."""
    return _add_months(_month_start(today), -(MONTHS - 1)), today


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _bars(rows, attribute, target):
    largest = max((getattr(row, attribute) or 0 for row in rows), default=0)
    for row in rows:
        value = getattr(row, attribute) or 0
        setattr(row, target, round(100 * value / largest) if largest else 0)


def _finish(rows):
    for row in rows:
        row.median_days = _round(median(row.durations))
        row.durations = []
    _bars(rows, "received", "received_bar")
    _bars(rows, "median_days", "median_bar")
    return rows


def _month(value) -> date:
    # PostgreSQL gives the truncated month as a (local, naive) datetime, SQLite as a date.
    return value.date() if isinstance(value, datetime) else value


def compute(*, since: date, until: date, area_id: int | None = None, language: str = "nb") -> Stats:
    """The figures for public reports received from `since` to `until` (both days included, local time).

    Two queries: counts grouped by category, unit, state and month in the database, and the time to fix of
    each fixed report (medians need every value), so a year of reports is not loaded row by row."""
    filters = ReportFilters(area_id=area_id, since=_aware(since), until=_aware(until + timedelta(days=1)))
    public = filter_reports(Report.objects.public(), filters).order_by()
    month = TruncMonth("created_at", output_field=DateField(), tzinfo=timezone.get_current_timezone())
    counts = (
        public.annotate(month=month)
        .values_list("category_id", "unit_id", "state", "month")
        .annotate(count=Count("id"))
        .order_by()
    )
    took = ExpressionWrapper(F("fixed_at") - Coalesce("confirmed_at", "created_at"), output_field=DurationField())
    fixed_rows = (
        public.filter(fixed_at__isnull=False)
        .annotate(month=month, took=took)
        .values_list("category_id", "unit_id", "month", "took")
    )
    categories = {c.pk: c for c in Category.objects.order_by().only("pk", "name", "name_nn", "name_en")}
    units = dict(Unit.objects.values_list("pk", "name"))
    first_month = max(_month_start(since), _add_months(_month_start(until), -(MAX_MONTHS - 1)))
    months = {}
    current = first_month
    while current <= until:
        months[current] = Row(key=current, label="")
        current = _add_months(current, 1)
    by_category: dict[int, Row] = {}
    by_unit: dict[int, Row] = {}
    by_state: dict[str, int] = {}

    def rows_for(category_id, unit_id, month_value):
        category = by_category.get(category_id)
        if category is None:
            found = categories.get(category_id)
            label = found.localized("name", language) if found else str(category_id)
            category = by_category[category_id] = Row(key=category_id, label=label)
        unit = by_unit.get(unit_id)
        if unit is None:
            unit = by_unit[unit_id] = Row(key=unit_id, label=units.get(unit_id, str(unit_id)))
        month_row = months.get(_month(month_value)) if month_value is not None else None
        return (category, unit) if month_row is None else (category, unit, month_row)

    total = 0
    for category_id, unit_id, state, month_value, count in counts:
        total += count
        by_state[state] = by_state.get(state, 0) + count
        for row in rows_for(category_id, unit_id, month_value):
            row.received += count
    all_durations = []
    for category_id, unit_id, month_value, duration in fixed_rows:
        days = max(0.0, duration.total_seconds() / SECONDS_PER_DAY)
        all_durations.append(days)
        for row in rows_for(category_id, unit_id, month_value):
            row.fixed += 1
            row.durations.append(days)
    category_rows = sorted(by_category.values(), key=lambda r: (-r.received, r.label))
    unit_rows = sorted(by_unit.values(), key=lambda r: (-r.received, r.label))
    state_rows = [(value, label, by_state[value]) for value, label in State.choices if value in by_state]
    largest_state = max((count for _, _, count in state_rows), default=0)
    groups = {"open": 0, "fixed": 0, "closed": 0}
    for value, count in by_state.items():
        groups["open" if value in OPEN_STATES else "fixed" if value in FIXED_STATES else "closed"] += count
    return Stats(
        since=since,
        until=until,
        total=total,
        fixed=len(all_durations),
        median_days=_round(median(all_durations)),
        by_category=_finish(category_rows),
        by_unit=_finish(unit_rows),
        by_month=_finish(list(months.values())),
        by_state=[
            (value, str(label), count, round(100 * count / largest_state) if largest_state else 0)
            for value, label, count in state_rows
        ],
        by_group=groups,
    )


def cache_key(since: date, until: date, area_id: int | None, language: str) -> str:
    raw = f"{since.isoformat()}:{until.isoformat()}:{area_id or '-'}:{language}"
    return "reports:stats:" + hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def report_stats(*, since: date, until: date, area_id: int | None = None) -> Stats:
    """The figures for the statistics page, from the cache when they were computed in the last few minutes."""
    language = get_language() or "nb"
    key = cache_key(since, until, area_id, language)
    stats = cache.get(key)
    if stats is None:
        stats = compute(since=since, until=until, area_id=area_id, language=language)
        cache.set(key, stats, CACHE_SECONDS)
    return stats
