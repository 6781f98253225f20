"""Every read of the journal and of access requests that a page, the API, a feed or Min side uses, with its
visibility rules: the public gets only entries that are not withdrawn, and only what the public tables hold
(screened names are never stored); a case worker's queue holds only their units' requests."""

import re
from dataclasses import dataclass, field, replace
from datetime import date

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.http import Http404

from tinget.accounts.staff import is_administrator, units_for
from tinget.core.models import Unit

from . import search
from .models import (
    AccessRequest,
    AccessRequestPart,
    CaseFile,
    Correspondent,
    Document,
    EntryType,
    JournalEntry,
    RequestStatus,
)

CASE_NUMBER = re.compile(r"^\s*(\d{4})\s*/\s*(\d{1,9})\s*$")
SORTS = ("date", "relevance", "oldest")
DATE_FIELDS = ("journal", "document")


@dataclass(frozen=True)
class SearchParams:
    """One search of the journal, as the search page's URL says it (see forms.SearchForm)."""

    text: str = ""
    date_field: str = "journal"
    date_from: date | None = None
    date_to: date | None = None
    types: tuple[str, ...] = ()
    units: tuple[str, ...] = ()  # unit slugs
    case: str = ""  # "2026/123"
    year: int | None = None
    sort: str = "date"

    @property
    def parsed(self) -> search.ParsedQuery:
        return search.parse(self.text)


@dataclass
class Facet:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    entries: list
    total: int
    page: int
    page_size: int
    facets: dict[str, list[Facet]] = field(default_factory=dict)
    # Words that match very many entries are counted from a sample (search.tally): the total, the facet counts or
    # both are then rounded estimates, and the page says "about".
    total_estimated: bool = False
    facets_estimated: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def parse_case_number(text: str) -> tuple[int, int] | None:
    match = CASE_NUMBER.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _filtered(params: SearchParams, *, without: str = "", unit_ids=None, matches=None):
    """Public entries matching params; `without` leaves one filter out (a facet counts its own values as if it
    were not chosen, so a person can widen as well as narrow). `unit_ids`: the ids of the units asked for, when
    known (a list of ids lets the unit's date index give the order; a join on the slug does not); `matches`: how
    many entries the words match, when the count already knows (see search.Tally)."""
    qs = JournalEntry.objects.public()
    qs = search.engine().filter(qs, params.parsed, matches=matches)
    field_name = "document_date" if params.date_field == "document" else "journal_date"
    if params.date_from:
        qs = qs.filter(**{f"{field_name}__gte": params.date_from})
    if params.date_to:
        qs = qs.filter(**{f"{field_name}__lte": params.date_to})
    if params.types and without != "type":
        qs = qs.filter(type__in=params.types)
    if params.units and without != "unit":
        qs = qs.filter(unit_id__in=unit_ids) if unit_ids is not None else qs.filter(unit__slug__in=params.units)
    if params.year and without != "year":
        qs = qs.filter(year=params.year)
    if params.case:
        number = parse_case_number(params.case)
        qs = qs.filter(case__year=number[0], case__sequence=number[1]) if number else qs.none()
    return qs


def _criteria(params: SearchParams, units) -> search.Criteria:
    """The search in the database's terms (unit slugs as ids; a case number that cannot be one finds nothing)."""
    case = parse_case_number(params.case) if params.case else None
    return search.Criteria(
        parsed=params.parsed,
        date_column="document_date" if params.date_field == "document" else "journal_date",
        date_from=params.date_from,
        date_to=params.date_to,
        types=tuple(params.types),
        unit_ids=tuple(u.pk for u in units if u.slug in params.units) if params.units else None,
        year=params.year or None,
        case=case,
        nothing=bool(params.case) and case is None,
    )


def _facets(params: SearchParams, counted: search.Tally | None = None, units=None) -> dict[str, list[Facet]]:
    """Facets from the tally (one pass, see search.tally), each counted as if its own filter were not chosen."""
    units = {u.pk: u for u in (units if units is not None else Unit.objects.only("pk", "slug", "name"))}
    if counted is None:
        counted = search.tally(_criteria(params, units.values()))
    type_labels = dict(EntryType.choices)
    types = [
        Facet(value, str(type_labels.get(value, value)), n, value in params.types)
        for value, n in sorted(counted.types.items(), key=lambda item: (-item[1], item[0]))
    ]
    unit_facets = [
        Facet(units[pk].slug, units[pk].name, n, units[pk].slug in params.units)
        for pk, n in sorted(counted.units.items(), key=lambda item: (-item[1], item[0]))
        if pk in units
    ]
    years = [
        Facet(str(year), str(year), n, year == params.year)
        for year, n in sorted(counted.years.items(), key=lambda item: -item[0])
    ]
    return {"type": types, "unit": unit_facets, "year": years}


# Sorting by relevance ranks the matches in windows of this many, newest first: the first pages are the most
# relevant of the newest RELEVANCE_WINDOW matches, the next ones those of the window before, and so on (with fewer
# matches than that, simply all of them). Ranking all of 80,000 matches for a common word would read every one of
# them on every visit; a journal's reader mostly wants what is recent anyway.
RELEVANCE_WINDOW = 500


def search_entries(params: SearchParams, *, page: int = 1, page_size: int | None = None, facets: bool = True):
    """A page of public entries matching params (with case, unit and correspondents), the total, and facet
    counts for type, unit and year. Never raises on odd input: the parse treats anything as words."""
    page_size = page_size or settings.TINGET_JOURNAL_PAGE_SIZE
    # The units: for the unit facet, and to know the ids of the units asked for.
    units = list(Unit.objects.only("pk", "slug", "name")) if facets or params.units else []
    criteria = _criteria(params, units)
    counted = search.tally(criteria, facets=facets)
    total = counted.total
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    qs = _filtered(params, unit_ids=criteria.unit_ids, matches=counted.matches)
    if params.year and (bounds := search.year_bounds(params.year)):
        # Implied by the year: the date index reads the year's stretch instead of walking there from today.
        qs = qs.filter(journal_date__range=bounds)
    start = (page - 1) * page_size
    date_order = "-document_date" if params.date_field == "document" else "-journal_date"
    ranking = params.sort == "relevance" and bool(params.parsed.include)
    if ranking:
        window = max(page_size, RELEVANCE_WINDOW // page_size * page_size)
        first = start // window * window
        ids = list(qs.order_by(date_order, "-pk").values_list("pk", flat=True)[first : first + window])
        # These ids meet every condition already: ranking them needs no second search, and only the page's entries
        # are read whole.
        ranked = search.engine().with_rank(JournalEntry.objects.filter(pk__in=ids), params.parsed, ids=ids)
        ranked = ranked.order_by("-rank", "-journal_date", "-pk").values_list("pk", flat=True)
        page_ids = list(ranked[start - first : start - first + page_size])
        qs, start = JournalEntry.objects.filter(pk__in=page_ids), 0
    elif params.sort == "oldest":
        qs = qs.order_by("journal_date", "pk")
    else:
        qs = qs.order_by(date_order, "-pk")
    entries = list(
        qs.select_related("case", "unit").prefetch_related(
            Prefetch("correspondents", queryset=Correspondent.objects.order_by("order", "pk"))
        )[start : start + page_size]
    )
    if ranking:
        entries.sort(key=lambda entry: page_ids.index(entry.pk))
    return SearchResult(
        entries=entries,
        total=total,
        page=page,
        page_size=page_size,
        facets=_facets(params, counted, units) if facets else {},
        total_estimated=counted.estimated,
        facets_estimated=counted.facets_estimated and facets,
    )


def newest_matching(params: SearchParams, *, limit: int = 50):
    """The newest published entries for a saved search's feed."""
    qs = _filtered(replace(params, sort="date")).select_related("case", "unit")
    return list(qs.order_by("-published_at", "-pk")[:limit])


def public_entry(pk) -> JournalEntry:
    entry = (
        JournalEntry.objects.public()
        .select_related("case", "unit", "case__unit")
        .prefetch_related(
            Prefetch("correspondents", queryset=Correspondent.objects.order_by("order", "pk")),
            Prefetch("documents", queryset=Document.objects.order_by("order", "pk")),
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def public_case(year: int, sequence: int) -> tuple[CaseFile, list[JournalEntry]]:
    """A case and its public entries in the order they were registered."""
    case = CaseFile.objects.select_related("unit").filter(year=year, sequence=sequence).first()
    if case is None:
        raise Http404
    entries = list(
        case.entries.public()
        .select_related("unit")
        .prefetch_related(
            Prefetch("correspondents", queryset=Correspondent.objects.order_by("order", "pk")),
            Prefetch("documents", queryset=Document.objects.order_by("order", "pk")),
        )
        .order_by("number", "pk")
    )
    if not entries:
        raise Http404
    return case, entries


def public_document(pk) -> Document:
    """A public document file of a public entry."""
    document = Document.objects.select_related("entry").filter(pk=pk, entry__withdrawn_at__isnull=True).first()
    if document is None or not document.file:
        raise Http404
    return document


def basket_entries(ids) -> list[JournalEntry]:
    """The entries of a basket that are still public, in the basket's order."""
    ids = [int(i) for i in ids]
    found = {e.pk: e for e in JournalEntry.objects.public().filter(pk__in=ids).select_related("case", "unit")}
    return [found[i] for i in ids if i in found]


# --- Access requests -------------------------------------------------------------------------------------------


def _request_qs():
    return AccessRequest.objects.prefetch_related(
        Prefetch(
            "parts",
            queryset=AccessRequestPart.objects.select_related("unit").prefetch_related("items", "files"),
        )
    )


def request_by_key(key) -> AccessRequest:
    access_request = _request_qs().filter(key=key).first()
    if access_request is None:
        raise Http404
    return access_request


def requests_of(user):
    """The person's requests, newest first (Min side)."""
    if not (user and user.is_authenticated):
        return AccessRequest.objects.none()
    return _request_qs().filter(user=user).order_by("-created_at", "-pk")


def queue_for(user, *, status: str = "waiting", unit: str = ""):
    """Parts of sent requests for the case worker's units (every unit for an administrator), soonest deadline
    first. status: "waiting" (sent or appealed, not yet answered), "answered", or "all"."""
    qs = AccessRequestPart.objects.filter(request__sent_at__isnull=False).select_related("unit", "request")
    if not is_administrator(user):
        qs = qs.filter(unit__in=units_for(user))
    if unit:
        qs = qs.filter(unit__slug=unit)
    if status == "waiting":
        qs = qs.filter(status__in=[RequestStatus.SENT, RequestStatus.APPEALED])
    elif status == "answered":
        qs = qs.exclude(status__in=[RequestStatus.SENT, RequestStatus.APPEALED])
    return qs.annotate(item_count=Count("items")).order_by("deadline", "pk")


def part_for_staff(user, pk) -> AccessRequestPart:
    """One part for a case worker of its unit (404 for others: they do not learn it exists)."""
    from . import rules

    part = (
        AccessRequestPart.objects.select_related("unit", "request", "answered_by")
        .prefetch_related("items__entry__case", "files")
        .filter(pk=pk, request__sent_at__isnull=False)
        .first()
    )
    if part is None or not rules.can_answer(user, part):
        raise Http404
    return part


# --- Statistics --------------------------------------------------------------------------------------------------


def statistics(*, months: int = 12, today: date | None = None) -> dict:
    """Requests per month (by the month they were sent) and, per unit and in all, how many parts were answered
    within 1, 3 and 5 working days. Counts only, no requester."""
    from django.utils import timezone

    today = today or timezone.localdate()
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), 12 if first.month == 1 else first.month - 1, 1)
    sent = AccessRequest.objects.filter(sent_at__date__gte=first)
    per_month = {
        (row["month"].year, row["month"].month): row["n"]
        for row in sent.annotate(month=TruncMonth("sent_at")).values("month").annotate(n=Count("pk")).order_by()
        if row["month"]
    }
    month_rows, cursor = [], first
    while cursor <= today:
        month_rows.append({"month": cursor, "count": per_month.get((cursor.year, cursor.month), 0)})
        cursor = date(cursor.year + (cursor.month == 12), 1 if cursor.month == 12 else cursor.month + 1, 1)
    parts = AccessRequestPart.objects.filter(request__sent_at__date__gte=first)
    by_unit = (
        parts.values("unit__name")
        .annotate(
            total=Count("pk"),
            within_1=Count("pk", filter=Q(working_days_to_answer__lte=1)),
            within_3=Count("pk", filter=Q(working_days_to_answer__lte=3)),
            within_5=Count("pk", filter=Q(working_days_to_answer__lte=5)),
        )
        .order_by("unit__name")
    )
    units = [dict(row, unit=row.pop("unit__name")) for row in by_unit]
    overall = {key: sum(u[key] for u in units) for key in ("total", "within_1", "within_3", "within_5")}
    return {"months": month_rows, "units": units, "overall": overall, "since": first}


# --- Min side and privacy (appended by the platform helper) -------------------------------------------------------


def request_summaries_of(user, *, today: date):
    """The person's requests, newest first, each with counts of its parts by status, the number of entries asked
    for and the nearest deadline still running: everything Min side says about a request, in one query."""
    from django.db.models import Min

    sent = Q(parts__status=RequestStatus.SENT, parts__answered_at__isnull=True)
    return (
        requests_of(user)
        .prefetch_related(None)
        .only("pk", "key", "created_at", "sent_at", "period_from", "period_to", "user_id")
        .annotate(
            part_count=Count("parts", distinct=True),
            item_count=Count("parts__items", distinct=True),
            waiting_count=Count("parts", filter=sent, distinct=True),
            overdue_count=Count("parts", filter=sent & Q(parts__deadline__lt=today), distinct=True),
            appealed_count=Count("parts", filter=Q(parts__status=RequestStatus.APPEALED), distinct=True),
            forwarded_count=Count("parts", filter=Q(parts__status=RequestStatus.FORWARDED), distinct=True),
            granted_count=Count("parts", filter=Q(parts__status=RequestStatus.GRANTED), distinct=True),
            refused_count=Count("parts", filter=Q(parts__status=RequestStatus.REFUSED), distinct=True),
            next_deadline=Min("parts__deadline", filter=sent),
        )
    )


def requests_for_privacy(user):
    """Every request that is about the person, for "download my data" and account deletion: those sent while
    logged in, and those sent without logging in from an e-mail address the account has verified (sending one
    needs the link mailed to that address, so it is the same person). With parts, entries and answer files."""
    if not (user and user.is_authenticated):
        return AccessRequest.objects.none()
    from allauth.account.models import EmailAddress
    from django.db.models import Exists, OuterRef

    verified = EmailAddress.objects.filter(user=user, verified=True, email__iexact=OuterRef("email"))
    return _request_qs().filter(Q(user=user) | Q(user__isnull=True) & Exists(verified)).order_by("created_at", "pk")


# --- Answer files (appended by the requesting helper) ------------------------------------------------------------


def answer_file_for(user, pk, *, session_keys=()):
    """An answer file for its requester (the request's key remembered in the session, or the logged-in person who
    sent it) or for a case worker who may answer its part (rules.can_answer); 404 for anyone else, so nobody
    learns that it exists."""
    from . import rules
    from .models import AnswerFile

    found = AnswerFile.objects.select_related("part__request", "part__unit").filter(pk=pk).first()
    if found is None:
        raise Http404
    part = found.part
    if rules.owns_request(user, part.request, session_keys=session_keys) or rules.can_answer(user, part):
        return found
    raise Http404
