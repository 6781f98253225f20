"""Fixtures for the journal: two units with a case worker each, a resident, and a factory for journal entries as
an import leaves them (indexed for search on either engine)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from tinget.accounts.staff import CASE_WORKER
from tinget.accounts.tests.people import fast_staff_client, new_staff
from tinget.core.models import Unit
from tinget.journal import search
from tinget.journal.models import CaseFile, Correspondent, EntryType, JournalEntry

_sequence = itertools.count(1)


@pytest.fixture
def unit(municipality):
    return Unit.objects.get(municipality=municipality, slug="oppvekst")


@pytest.fixture
def other_unit(municipality):
    return Unit.objects.get(municipality=municipality, slug="plan-og-bygning")


@pytest.fixture
def case_worker(unit):
    user = new_staff("siri@example.no", CASE_WORKER)
    user.units.add(unit)
    return user


@pytest.fixture
def staff_client(case_worker):
    return fast_staff_client(case_worker)


@pytest.fixture
def other_worker(other_unit):
    user = new_staff("petter@example.no", CASE_WORKER)
    user.units.add(other_unit)
    return user


@pytest.fixture
def other_client(other_worker):
    return fast_staff_client(other_worker)


def make_entry(
    unit,
    *,
    title="Søknad om skoleskyss",
    case=None,
    case_title="Skoleskyss 2026",
    journal_date=None,
    document_date=None,
    type=EntryType.INCOMING,
    correspondents=(("sender", "Kari Nordmann", True),),
    restriction_code="",
    legal_basis="",
    published_at=None,
    year=None,
):
    """One public entry (and its case unless given), indexed as the importer indexes it. `correspondents` are
    (kind, name, is_person) triples; an empty name means screened."""
    journal_date = journal_date or timezone.localdate()
    year = year or journal_date.year
    if case is None:
        case = CaseFile.objects.create(
            year=year, sequence=next(_sequence), case_date=journal_date, public_title=case_title, unit=unit
        )
    published_at = published_at or timezone.now()
    entry = JournalEntry.objects.create(
        case=case,
        year=year,
        sequence=next(_sequence),
        number=case.entries.count() + 1,
        journal_date=journal_date,
        document_date=document_date or journal_date - dt.timedelta(days=2),
        type=type,
        public_title=title,
        unit=unit,
        case_worker="Siri Saksbehandler",
        restriction_code=restriction_code,
        legal_basis=legal_basis,
        published_at=published_at,
        content_hash="test",
    )
    names = []
    for order, (kind, name, is_person) in enumerate(correspondents):
        Correspondent.objects.create(
            entry=entry, kind=kind, name=name, is_person=is_person, screened=not name, order=order
        )
        names.append((name, is_person))
    entry.search_document = search.document_for(
        title=title, case_title=case.public_title, names=names, with_persons=True
    )
    entry.save(update_fields=["search_document"])
    search.engine().index([(entry.pk, entry.search_document)])
    return entry


@pytest.fixture
def entry_factory():
    return make_entry


@pytest.fixture
def english():
    """Service tests match the English message ids: the default language has them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield
