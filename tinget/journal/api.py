"""The mail journal's router in the project's REST API (/api/v1/journal/): search the public journal, one entry, and
one case with its entries, so that journalists can script what the search page does. Read-only, through the same
selectors as the pages, so the same visibility: never a withdrawn entry, and a screened correspondent has a kind
but no name (the name is not even stored). Personal names stay on an entry after they stop being searchable (12
months after publication), as on the entry's page.

Dates are ISO 8601 (journal and document dates are days; `published_at` is a moment with the UTC offset of
Europe/Oslo)."""

import re
from datetime import date, datetime
from typing import Annotated, Literal

from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator, StringConstraints

from tinget.api.schemas import ErrorOut, InvalidOut, absolute

from . import search, selectors
from .models import EntryType

router = Router(tags=["journal"])

MAX_ID = 2**62
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100
MAX_QUERY = 1000
MAX_FILTER_VALUES = 20
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,60}$"
CASE_PATTERN = r"^\s*\d{4}\s*/\s*\d{1,9}\s*$"
TYPE_VALUES = tuple(t.value for t in EntryType)
TypeValue = Literal[TYPE_VALUES]  # type: ignore[valid-type]
TYPE_HELP = "; ".join(f"{t.value} {t.label}" for t in EntryType)
UnitSlug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value):
    """Only a calendar day as YYYY-MM-DD: pydantic alone would also take "0" as a Unix time."""
    if isinstance(value, str) and not ISO_DAY.match(value):
        raise ValueError("Give a day as YYYY-MM-DD.")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


def _link(context, name: str, **kwargs) -> str:
    try:
        return absolute(context, reverse(name, kwargs=kwargs))
    except NoReverseMatch:  # the public pages are not mounted
        return ""


# --- Schemas -----------------------------------------------------------------------------------------------------
class UnitRef(Schema):
    slug: str
    name: str


class CorrespondentOut(Schema):
    kind: str = Field(description="sender, recipient, copy, group, internal_sender or internal_recipient.")
    name: str | None = Field(description="The name; null when it is screened (then it is not stored at all).")
    screened: bool

    @staticmethod
    def resolve_name(obj):
        return None if obj.screened or not obj.name else obj.name


class ScreeningOut(Schema):
    restriction_code: str = Field(description='The access restriction (tilgangsrestriksjon), e.g. "13".')
    legal_basis: str = Field(description='The legal basis (skjermingshjemmel), e.g. "Offl. § 13 jf. fvl. § 13".')


class CaseRef(Schema):
    case_number: str = Field(description="Saksnummer: year/sequence, e.g. 2026/123.")
    title: str
    url: str = Field(description="The case in this API.")
    page_url: str = Field(description="The case's public page.")

    @staticmethod
    def resolve_title(obj):
        return obj.public_title

    @staticmethod
    def resolve_url(obj, context):
        return absolute(context, f"/api/v1/journal/cases/{obj.year}/{obj.sequence}")

    @staticmethod
    def resolve_page_url(obj, context):
        return _link(context, "journal:case", year=obj.year, sequence=obj.sequence)


def _screening(obj):
    if not obj.screened:
        return None
    return {"restriction_code": obj.restriction_code, "legal_basis": obj.legal_basis}


class EntryItemOut(Schema):
    id: int
    entry_number: str = Field(description="Journalpostnummer: the case number and the document's number, 2026/123-4.")
    case_number: str
    journal_year: int
    journal_sequence: int = Field(description="Journalsekvensnummer within the journal year.")
    journal_date: date
    document_date: date | None
    published_at: datetime = Field(description="When the entry was published in the journal (ISO 8601 with offset).")
    type: str = Field(description=f"Journalposttype: {TYPE_HELP}.")
    type_label: str = Field(description="The type in words, in the language asked for.")
    title: str = Field(description="The public title: screened words are already replaced.")
    unit: UnitRef = Field(description="The responsible unit.")
    correspondents: list[CorrespondentOut]
    screened: ScreeningOut | None = Field(description="Why parts of the entry are not public; null when nothing is.")
    url: str = Field(description="The entry's public page, where access to it can be requested.")
    api_url: str = Field(description="The entry in this API.")
    case_url: str = Field(description="Its case in this API.")

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.case_number

    @staticmethod
    def resolve_journal_year(obj):
        return obj.year

    @staticmethod
    def resolve_journal_sequence(obj):
        return obj.sequence

    @staticmethod
    def resolve_published_at(obj):
        return timezone.localtime(obj.published_at)

    @staticmethod
    def resolve_type_label(obj):
        return str(obj.get_type_display())

    @staticmethod
    def resolve_title(obj):
        return obj.public_title

    @staticmethod
    def resolve_unit(obj):
        return {"slug": obj.unit.slug, "name": obj.unit.name}

    @staticmethod
    def resolve_correspondents(obj):
        return list(obj.correspondents.all())

    @staticmethod
    def resolve_screened(obj):
        return _screening(obj)

    @staticmethod
    def resolve_url(obj, context):
        return _link(context, "journal:entry", pk=obj.pk)

    @staticmethod
    def resolve_api_url(obj, context):
        return absolute(context, f"/api/v1/journal/entries/{obj.pk}")

    @staticmethod
    def resolve_case_url(obj, context):
        return absolute(context, f"/api/v1/journal/cases/{obj.case.year}/{obj.case.sequence}")


class DocumentOut(Schema):
    title: str
    main: bool = Field(description="The main document; otherwise an attachment.")
    url: str | None = Field(description="Where the public file is, when the municipality has published it.")

    @staticmethod
    def resolve_main(obj):
        return obj.is_main

    @staticmethod
    def resolve_url(obj, context):
        if obj.file:
            return _link(context, "journal:document", pk=obj.pk) or None
        return obj.url or None


class EntryOut(EntryItemOut):
    case: CaseRef
    case_worker: str = Field(description="The case worker (saksbehandler), when the archive gives one.")
    documents: list[DocumentOut]

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())


class FacetOut(Schema):
    value: str = Field(description="The value to filter by (a type code, a unit's slug, a year).")
    label: str
    count: int = Field(description="Entries with this value, counted as if this filter were not chosen.")
    selected: bool


class FacetsOut(Schema):
    type: list[FacetOut]
    unit: list[FacetOut]
    year: list[FacetOut]


class SearchOut(Schema):
    total: int = Field(description="Entries matching, on all pages.")
    total_estimated: bool = Field(
        description="True when `total` is estimated from a sample (a common word over many years); the items are exact."
    )
    facets_estimated: bool = Field(description="True when the facet counts are estimated from a sample.")
    page: int = Field(description="This page (a page past the last gives the last).")
    pages: int
    page_size: int
    items: list[EntryItemOut]
    facets: FacetsOut | None = Field(description="Counts per type, unit and year; null when facets=false.")


class CaseOut(Schema):
    case_number: str
    year: int = Field(description="Saksår.")
    sequence: int = Field(description="Sakssekvensnummer.")
    title: str = Field(description="The case's public title.")
    case_date: date | None
    unit: UnitRef
    classification: str
    url: str = Field(description="The case's public page.")
    entries: list[EntryItemOut] = Field(description="Its public entries, in the order they were registered.")

    @staticmethod
    def resolve_title(obj):
        return obj.public_title

    @staticmethod
    def resolve_unit(obj):
        return {"slug": obj.unit.slug, "name": obj.unit.name}

    @staticmethod
    def resolve_url(obj, context):
        return _link(context, "journal:case", year=obj.year, sequence=obj.sequence)

    @staticmethod
    def resolve_entries(obj):
        return obj.api_entries


class SearchQuery(Schema):
    q: str = Field(
        "",
        max_length=MAX_QUERY,
        description='Words (all must match, Norwegian stemming: "skole" finds "skolen"), "a phrase" in quotes, '
        "-word or -\"phrase\" to leave out. Searches titles and correspondents' names (a private person's name "
        "for 12 months after publication).",
    )
    date_field: Literal["journal", "document"] = Field("journal", description="Which date from/to apply to.")
    date_from: Day | None = Field(None, alias="from", description="First day (YYYY-MM-DD), inclusive.")
    date_to: Day | None = Field(
        None, alias="to", description="Last day (YYYY-MM-DD), inclusive. Before `from`, nothing is found."
    )
    type: list[TypeValue] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=len(TYPE_VALUES), description=f"Entry types (repeat): {TYPE_HELP}."
    )
    unit: list[UnitSlug] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Units' slugs (repeat for several)."
    )
    case: str = Field("", pattern=r"^$|" + CASE_PATTERN, description="A case number, e.g. 2026/123.")
    year: int | None = Field(None, ge=1900, le=2999, description="Journal year.")
    sort: Literal["date", "relevance", "oldest"] = Field(
        "date", description="date: newest first (by the chosen date field); relevance: best match first; oldest."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int | None = Field(
        None, ge=1, le=MAX_PAGE_SIZE, description="At most 100; TINGET_JOURNAL_PAGE_SIZE (20) when not given."
    )
    facets: bool = Field(True, description="Count per type, unit and year (false is faster).")


def _params(query: SearchQuery) -> selectors.SearchParams:
    return selectors.SearchParams(
        text=query.q[: search.MAX_QUERY_CHARS],
        date_field=query.date_field,
        date_from=query.date_from,
        date_to=query.date_to,
        types=tuple(dict.fromkeys(query.type)),
        units=tuple(dict.fromkeys(query.unit)),
        case=query.case.strip(),
        year=query.year,
        sort=query.sort,
    )


# --- Operations --------------------------------------------------------------------------------------------------
@router.get(
    "/entries",
    response={200: SearchOut, 422: InvalidOut},
    summary="Search the public mail journal",
    description="The search page's search: full text, filters, facets, sorting and pages. An empty search lists "
    "every public entry, newest first. Odd input (quotes, operators, odd Unicode) changes what is found but never "
    "fails; a parameter that does not fit is answered with 422 and what is wrong.",
)
def search_entries(request, query: Query[SearchQuery]):
    page_size = query.page_size or min(settings.TINGET_JOURNAL_PAGE_SIZE, MAX_PAGE_SIZE)
    result = selectors.search_entries(_params(query), page=query.page, page_size=page_size, facets=query.facets)
    return {
        "total": result.total,
        "total_estimated": result.total_estimated,
        "facets_estimated": result.facets_estimated,
        "page": result.page,
        "pages": result.pages,
        "page_size": result.page_size,
        "items": result.entries,
        "facets": {key: [vars(f) for f in facets] for key, facets in result.facets.items()} if query.facets else None,
    }


@router.get(
    "/entries/{entry_id}",
    response={200: EntryOut, 404: ErrorOut, 422: InvalidOut},
    summary="One public journal entry, with its case, correspondents and documents",
)
def get_entry(request, entry_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        return selectors.public_entry(entry_id)
    except Http404:
        return Status(404, {"code": "not_found", "detail": "No public journal entry has this id."})


@router.get(
    "/cases/{year}/{sequence}",
    response={200: CaseOut, 404: ErrorOut, 422: InvalidOut},
    summary="One case (saksmappe) and its public entries in order",
    description="The case number 2026/123 is /cases/2026/123.",
)
def get_case(
    request,
    year: int = Path(..., ge=1000, le=9999, description="Saksår."),
    sequence: int = Path(..., ge=1, le=2**31 - 1, description="Sakssekvensnummer."),
):
    try:
        case, entries = selectors.public_case(year, sequence)
    except Http404:
        return Status(404, {"code": "not_found", "detail": "No case with public entries has this number."})
    for entry in entries:
        entry.case = case  # the entries' case is this one: no query per entry
    case.api_entries = entries
    return case
