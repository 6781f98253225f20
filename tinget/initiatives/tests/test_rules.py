"""Property tests for the law's numbers and the matching of paper and online signatures."""

import math
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tinget.initiatives import rules
from tinget.initiatives.models import State
from tinget.initiatives.rules import match_key, normalise_name


@given(st.integers(min_value=1, max_value=10_000_000))
def test_required_is_two_percent_but_never_more_than_300(population):
    required = rules.required_signatures(population)
    assert 1 <= required <= 300
    assert required == min(math.ceil(population * 0.02), 300)
    # Enough people always exist to reach it.
    assert required <= population


@given(st.integers(min_value=1, max_value=1_000_000), st.integers(min_value=1, max_value=1_000_000))
def test_a_larger_municipality_never_needs_fewer(a, b):
    small, large = sorted((a, b))
    assert rules.required_signatures(small) <= rules.required_signatures(large)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_the_decision_is_due_about_six_months_later(handed_over):
    due = rules.decision_due(handed_over)
    assert 180 <= (due - handed_over).days <= 184
    assert due.day <= handed_over.day


def test_every_state_has_its_transitions_and_none_leads_back_to_draft():
    assert set(rules.TRANSITIONS) == set(State)
    assert all(State.DRAFT not in targets for targets in rules.TRANSITIONS.values())
    for final in (State.REFUSED, State.DECIDED, State.EXPIRED, State.WITHDRAWN):
        assert not rules.TRANSITIONS[final]


names = st.text(alphabet=st.sampled_from("abcæøåABCÆØÅ -."), min_size=1, max_size=40)


@given(names, st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)))
def test_case_and_spacing_do_not_make_another_person(name, born):
    assert match_key(name, born) == match_key(f"  {name.upper()}  ", born)
    assert normalise_name(name) == normalise_name(name.replace(" ", "  "))


@given(names, st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)))
def test_another_birth_date_is_another_person(name, born):
    other = born.replace(year=born.year - 1) if not (born.month == 2 and born.day == 29) else date(1950, 1, 1)
    if normalise_name(name):
        assert match_key(name, born) != match_key(name, other)
