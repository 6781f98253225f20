"""Working days in Norway: Monday to Friday, except public holidays (the `holidays` package). Deadlines in law
(offentleglova § 32: five working days) count these, in the municipality's time zone."""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

# Norwegian working days are counted on Norwegian dates, whatever the server's or the test's time zone.
NORWAY = ZoneInfo("Europe/Oslo")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NO", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_date(moment: datetime | date) -> date:
    """The date in Norway of an aware moment (a date is returned as it is)."""
    if isinstance(moment, datetime):
        return timezone.localdate(moment, NORWAY)
    return moment


def add_working_days(start: datetime | date, days: int) -> date:
    """The date `days` working days after `start`: something sent on a Friday with days=1 is due on Monday
    (Tuesday if Monday is a holiday). days=0 gives the first working day on or after start."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = local_date(start)
    while not is_working_day(day):
        day += timedelta(days=1)
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: datetime | date, end: datetime | date) -> int:
    """How many working days have passed from `start` to `end`: the working days after start's date up to and
    including end's date. Sent and answered on the same day is 0; sent Friday, answered Monday is 1."""
    first, last = local_date(start), local_date(end)
    if last <= first:
        return 0
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count
