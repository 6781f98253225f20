"""The law's numbers and the initiative's states (kommuneloven § 12-1; see DOMAIN.md)."""

import math
import re
import unicodedata
from datetime import date, timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac

from .models import State

# Whoever has the municipality's population: min(ceil(2 % of the inhabitants), 300).
SHARE_OF_POPULATION = 0.02
ALWAYS_ENOUGH = 300

# Who may move an initiative from which state to which. Staff and the promoter have their own services;
# this table is the one place that says what may follow what.
TRANSITIONS = {
    State.DRAFT: {State.IN_REVIEW, State.WITHDRAWN},
    State.IN_REVIEW: {State.COLLECTING, State.CHANGES_REQUESTED, State.REFUSED, State.WITHDRAWN},
    State.CHANGES_REQUESTED: {State.IN_REVIEW, State.WITHDRAWN},
    State.REFUSED: set(),
    State.COLLECTING: {State.THRESHOLD_REACHED, State.EXPIRED, State.WITHDRAWN},
    State.THRESHOLD_REACHED: {State.HANDED_OVER, State.WITHDRAWN},
    State.HANDED_OVER: {State.UNDER_TREATMENT, State.DECIDED},
    State.UNDER_TREATMENT: {State.DECIDED},
    State.DECIDED: set(),
    State.EXPIRED: set(),
    State.WITHDRAWN: set(),
}

# Seen by everybody (listed, followable, in the API and the feed).
PUBLIC_STATES = frozenset(
    {
        State.COLLECTING,
        State.THRESHOLD_REACHED,
        State.HANDED_OVER,
        State.UNDER_TREATMENT,
        State.DECIDED,
        State.EXPIRED,
    }
)
# The promoter may still change the text.
EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})
# Signatures are taken (also after the threshold, until the hand-over or the end of the period).
SIGNABLE_STATES = frozenset({State.COLLECTING, State.THRESHOLD_REACHED})
# A signer may withdraw until the initiative is handed over.
WITHDRAWABLE_STATES = SIGNABLE_STATES | {State.EXPIRED}
# Waiting for somebody at the municipality.
STAFF_STATES = frozenset({State.IN_REVIEW, State.THRESHOLD_REACHED, State.HANDED_OVER, State.UNDER_TREATMENT})


def required_signatures(population: int) -> int:
    return min(math.ceil(population * SHARE_OF_POPULATION), ALWAYS_ENOUGH)


def can_move(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(State(from_state), set())


def signing_days_allowed() -> tuple[int, int]:
    return settings.TINGET_INITIATIVE_MIN_DAYS, settings.TINGET_INITIATIVE_MAX_DAYS


def decision_due(handed_over: date) -> date:
    """Six months after the council received it (kommuneloven § 12-1 third paragraph)."""
    months = settings.TINGET_INITIATIVE_DECISION_MONTHS
    month_index = handed_over.month - 1 + months
    year, month = handed_over.year + month_index // 12, month_index % 12 + 1
    for day in range(handed_over.day, 0, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return handed_over + timedelta(days=183)


def normalise_name(name: str) -> str:
    """Case, accents written as combining marks and spacing do not make two people."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s.,-]+", " ", text).strip()


def match_key(name: str, birth_date: date | None) -> str:
    """Keyed hash of name and date of birth, to find the same person on paper and online."""
    if not birth_date:
        return ""
    value = f"{normalise_name(name)}|{birth_date.isoformat()}"
    return salted_hmac("tinget.initiatives.match", value, algorithm="sha256").hexdigest()
