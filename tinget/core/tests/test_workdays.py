from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinget.core.workdays import add_working_days, is_working_day, working_days_between

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def test_easter_and_constitution_day_are_not_working_days():
    assert not is_working_day(date(2026, 4, 2))  # Maundy Thursday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(date(2026, 5, 17))  # Sunday and Constitution Day
    assert not is_working_day(date(2026, 5, 1))  # Labour Day, a Friday
    assert is_working_day(date(2026, 4, 7))


def test_five_working_days_across_easter():
    # Sent Tuesday 31 March 2026: Wed 1, (Thu 2, Fri 3 holidays, weekend, Mon 6 holiday) Tue 7, Wed 8, Thu 9, Fri 10.
    assert add_working_days(date(2026, 3, 31), 5) == date(2026, 4, 10)


def test_friday_plus_one_is_monday():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_local_date_of_a_late_evening_moment():
    # 23:30 UTC on 30 November is 00:30 on 1 December in Oslo.
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert working_days_between(datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("UTC")), moment) == 1


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


@given(days, st.integers(min_value=0, max_value=40))
def test_adding_then_counting_gives_the_days_back(start, n):
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert due >= start
    if is_working_day(start):
        assert working_days_between(start, due) == n


@given(days, days)
def test_counting_is_monotonic_and_bounded(a, b):
    start, end = min(a, b), max(a, b)
    counted = working_days_between(start, end)
    assert 0 <= counted <= (end - start).days
    assert working_days_between(start, end + timedelta(days=1)) >= counted
