# The SQL below is built from constants only; every user-typed word goes in as a query parameter.
# ruff: noqa: S608, S610
"""Full-text search over the journal, one interface on two engines.

PostgreSQL (production) keeps a generated `tsvector` column over `JournalEntry.search_document` with the
`norwegian` configuration and a GIN index (migration 0002). SQLite (the embedded default) keeps an FTS5 table
`journal_entry_fts` whose rowid is the entry's id and whose text is the document stemmed in Python with the same
Snowball stemmer PostgreSQL uses; `index()` writes it.

What a person types is parsed once (`parse`) into words, "phrases" and -exclusions, and each engine gets a query
built from that parse with every word passed as data, never as syntax: quotes, operators, very long input and odd
Unicode can change what is found but never raise an error.
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import snowballstemmer
from django.db import connection

# Words are runs of letters and digits; everything else separates them (as both engines' tokenizers do).
WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)', re.UNICODE)
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 16
MAX_WORD_CHARS = 60
FTS_TABLE = "journal_entry_fts"

_stemmer = snowballstemmer.stemmer("norwegian")


@dataclass(frozen=True)
class ParsedQuery:
    """What to find: every clause in `include` (a clause is one word, or a phrase of words in order), none of
    `exclude`."""

    include: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[tuple[str, ...], ...] = ()

    def __bool__(self):
        return bool(self.include or self.exclude)


def words(text: str) -> list[str]:
    """Lower-case words of text, normalised (NFKC) so look-alike characters compare equal."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return [w[:MAX_WORD_CHARS] for w in WORD.findall(text)]


def parse(text: str) -> ParsedQuery:
    """Parse a search box: words (all must match), "a phrase" (in that order), -word or -"phrase" (must not
    match). Anything else is treated as separators; input longer than MAX_QUERY_CHARS is cut."""
    include: list[tuple[str, ...]] = []
    exclude: list[tuple[str, ...]] = []
    for match in TOKEN.finditer((text or "")[:MAX_QUERY_CHARS]):
        negated = bool(match.group(1) or match.group(3))
        raw = match.group(2) if match.group(2) is not None else match.group(4)
        clause = tuple(words(raw))
        if not clause:
            continue
        # An unquoted "skole-bygg" or "2026/123" becomes a phrase of its words, as both tokenizers split it.
        target = exclude if negated else include
        if clause not in target and len(include) + len(exclude) < MAX_CLAUSES:
            target.append(clause)
    return ParsedQuery(tuple(include), tuple(exclude))


def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def stemmed_text(text: str) -> str:
    """The text as the SQLite index holds it: stemmed words separated by spaces."""
    return " ".join(_stemmer.stemWords(words(text)))


def document_for(*, title: str, case_title: str, names: list[tuple[str, bool]], with_persons: bool) -> str:
    """The text an entry is found by: its title, its case's title and its correspondents' names (`names` holds
    (name, is_person) pairs; personal names only while `with_persons`)."""
    kept = [name for name, is_person in names if name and (with_persons or not is_person)]
    return "\n".join([title, case_title, *kept])


# --- Engines -----------------------------------------------------------------------------------------------


@dataclass
class Engine:
    vendor: str = field(default="")
    # What looking up one match of the words costs, against reading one entry of a date range in order (see tally).
    lookup_cost = 1

    def where(self, parsed: ParsedQuery, *, sample: int = 1, lead: bool = True) -> tuple[list[str], list]:
        """SQL conditions (on journal_journalentry) and their parameters for what `parsed` finds. `lead`: the index
        may drive the query (False: another index, e.g. the dates', should, and the words are tested on each row)."""
        raise NotImplementedError

    def filter(self, queryset, parsed: ParsedQuery, *, matches: int | None = None):
        """The queryset limited to what `parsed` finds; `matches`: what `matches()` says, if already known."""
        raise NotImplementedError

    def with_rank(self, queryset, parsed: ParsedQuery, *, ids=None):
        """The queryset with `rank` (higher is better) in its select, for sorting by relevance; `ids` says that only
        those entries are wanted (the queryset is already limited to them)."""
        raise NotImplementedError

    def matches(self, parsed: ParsedQuery) -> int | None:
        """How many entries the index finds for the words to include, when that is cheap to know (else None)."""
        return None

    def sample(self, parsed: ParsedQuery, matches: int | None = None) -> tuple[str, int | float] | None:
        """How to take a sample of the entries for an estimate: ("table", percent of the table's pages) or
        ("matches", take one match in N), or None when a sample would not be cheaper than counting."""
        return None

    def index(self, rows) -> None:
        """Bring the index up to date for `rows`: (entry id, search_document) pairs."""

    def unindex(self, ids) -> None:
        """Remove entries from the index."""


class PostgresEngine(Engine):
    # A match found by the GIN index is read from its own page of the table, seldom one in memory; the entries of a
    # date range lie together, a score to a page.
    lookup_cost = 8

    @staticmethod
    def _clause_sql(clause):
        return "phraseto_tsquery('norwegian', %s)", [" ".join(clause)]

    def _tsquery(self, parsed: ParsedQuery):
        parts, params = [], []
        for clause in parsed.include:
            sql, p = self._clause_sql(clause)
            parts.append(sql)
            params += p
        for clause in parsed.exclude:
            sql, p = self._clause_sql(clause)
            parts.append(f"!!{sql}")
            params += p
        return "(" + " && ".join(parts) + ")", params

    def where(self, parsed, *, sample: int = 1, lead: bool = True):
        # The planner knows how common each word is (the tsvector's statistics) and chooses for itself.
        if not parsed:
            return [], []
        sql, params = self._tsquery(parsed)
        return [f"journal_journalentry.search_vector @@ {sql}"], params

    def filter(self, queryset, parsed, *, matches=None):
        where, params = self.where(parsed)
        return queryset.extra(where=where, params=params) if where else queryset

    def sample(self, parsed, matches=None):
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpages FROM pg_class WHERE oid = 'journal_journalentry'::regclass")
            row = cursor.fetchone()
        pages = row[0] if row else 0
        if pages <= 4 * SAMPLE_PAGES:
            return None
        return ("table", 100.0 * SAMPLE_PAGES / pages)

    def with_rank(self, queryset, parsed, *, ids=None):
        if not parsed.include:
            return queryset.extra(select={"rank": "0"})
        sql, params = self._tsquery(ParsedQuery(parsed.include))
        return queryset.extra(
            select={"rank": f"ts_rank_cd(journal_journalentry.search_vector, {sql})"}, select_params=params
        )


class SqliteEngine(Engine):
    lookup_cost = 2

    @staticmethod
    def match_expression(clauses) -> str:
        """An FTS5 query for all clauses: each stemmed word is a quoted string, so no input is syntax. Words
        are \\w+ runs, which hold no double quote."""
        return " AND ".join('"' + " ".join(stem(w) for w in clause) + '"' for clause in clauses)

    def where(self, parsed, *, sample: int = 1, lead: bool = True):
        """SQL conditions for `parsed`; with `sample` > 1 only entries whose id is a multiple of it are taken from
        the index (a sample of the matches that costs no look-up of the others). Without `lead`, the id is written
        `+id`, which SQLite cannot use to drive the query from the matches."""
        where, params = [], []
        if parsed.include:
            sampled = f" AND rowid %% {int(sample)} = 0" if sample > 1 else ""
            column = "journal_journalentry.id" if lead else "+journal_journalentry.id"
            where.append(f"{column} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{sampled})")
            params.append(self.match_expression(parsed.include))
        if parsed.exclude:
            # FTS5's NOT needs a left side; excluding as a set works with or without words to include.
            where.append(f"journal_journalentry.id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)")
            params.append(" OR ".join('"' + " ".join(stem(w) for w in c) + '"' for c in parsed.exclude))
        return where, params

    def filter(self, queryset, parsed, *, matches=None):
        # SQLite's planner does not know how common a word is. Many matches: read the entries in the order asked
        # for (the date index) and test each against the matches, which soon fills a page; few: look the matches up
        # and sort them.
        lead = not parsed.include or (self.matches(parsed) if matches is None else matches) <= LEAD_MAX
        where, params = self.where(parsed, lead=lead)
        return queryset.extra(where=where, params=params) if where else queryset

    def matches(self, parsed) -> int:
        """How many entries the index finds for the words to include (the exclusions aside)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self.match_expression(parsed.include)]
            )
            return cursor.fetchone()[0]

    def sample(self, parsed, matches=None):
        if not parsed.include:
            return None
        matches = self.matches(parsed) if matches is None else matches
        if matches <= 4 * SAMPLE_MATCHES:
            return None
        return ("matches", matches // SAMPLE_MATCHES)

    def with_rank(self, queryset, parsed, *, ids=None):
        """With `ids`, the rank is wanted for those entries only: the index is read over their range of ids."""
        if not parsed.include:
            return queryset.extra(select={"rank": "0"})
        # bm25() is lower for better matches. The index is joined, so that one pass over the matches ranks them all
        # (a correlated sub-query per entry starts a new FTS5 query, and its statistics, for each).
        where = [f"{FTS_TABLE}.rowid = journal_journalentry.id", f"{FTS_TABLE} MATCH %s"]
        params = [self.match_expression(parsed.include)]
        if ids:
            where.append(f"{FTS_TABLE}.rowid BETWEEN %s AND %s")
            params += [min(ids), max(ids)]
        return queryset.extra(select={"rank": f"-bm25({FTS_TABLE})"}, tables=[FTS_TABLE], where=where, params=params)

    def index(self, rows) -> None:
        rows = [(pk, stemmed_text(doc)) for pk, doc in rows]
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])
            cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, document) VALUES (%s, %s)", rows)

    def unindex(self, ids) -> None:
        ids = list(ids)
        if ids:
            with connection.cursor() as cursor:
                cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])


def engine() -> Engine:
    """The engine for the database in use."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return PostgresEngine(vendor)
    if vendor == "sqlite":
        return SqliteEngine(vendor)
    raise NotImplementedError(f"No journal search for {vendor}")


# --- The total and the facets -----------------------------------------------------------------------------------
#
# A page of entries is cheap at any size: the newest entries come off the date index. Counting is not: counting a
# million entries, or the 80,000 that hold a common word, means reading every one of them, and on a 2-core server
# that takes far longer than the page itself. So the search page counts in one of three ways, and says which:
#
# 1. No words (a date range, type, unit, year, or nothing at all): exact, from the counts the database keeps per
#    day, month and year, unit, type and journal year (migration 0003): a few hundred rows whatever the journal's size.
# 2. Words (or a case number), when counting exactly is cheap: reading the entries of a short date range in order
#    and testing the words on each, or looking up the matches of rare words; the total and every facet in one pass
#    (each facet counted as if its own filter were not chosen). Also when it is a little dearer but the search finds
#    few entries, for which an estimate would be too rough.
# 3. Otherwise (a common word over years): estimated from a sample (PostgreSQL: SAMPLE_PAGES random pages of the
#    table, the same ones every time; SQLite: every Nth match in the index), rounded to two significant digits and
#    never above what the filters alone leave (which is known exactly), and marked, so that the page can say
#    "about". The list of entries is never estimated: only the counts are.

COUNTS_TABLE = "journal_entry_counts"
# Below this many entries found, an estimate would be too rough to show: counted exactly if it costs at most FEW_READ.
EXACT_MAX = 2_000
# What an exact count may read: entries of a date range read in order cost 1 each, a match of the words looked up
# on its own `Engine.lookup_cost` (PostgreSQL reads a page of the table for most). A date range of up to FEW_READ
# entries is always counted exactly: a sample would see little of it.
EXACT_READ = 20_000
FEW_READ = 30_000
# What a sample reads: pages of the table (PostgreSQL), or matches looked up (SQLite).
SAMPLE_PAGES = 500
SAMPLE_MATCHES = 1_000
SAMPLE_SEED = 7
# SQLite: with more matches than this, a page is read in date order and each entry tested (see SqliteEngine.filter).
LEAD_MAX = 5_000
DAY, MONTH, YEAR = 0, 1, 2


@dataclass(frozen=True)
class Criteria:
    """A search in the database's terms: the parsed words, a date range on one of the two dates, and filters."""

    parsed: ParsedQuery = ParsedQuery()
    date_column: str = "journal_date"  # or "document_date"
    date_from: date | None = None
    date_to: date | None = None
    types: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] | None = None  # None: any unit; (): none (no unit asked for exists)
    year: int | None = None
    case: tuple[int, int] | None = None  # (year, sequence)
    nothing: bool = False  # e.g. a case number that cannot be one

    @property
    def ranged(self) -> bool:
        return self.date_from is not None or self.date_to is not None


@dataclass
class Tally:
    """How many public entries a search finds, and per type, unit id and journal year as if that facet's own
    filter were not chosen. `estimated` (the total) and `facets_estimated`: from a sample, rounded."""

    total: int
    types: dict[str, int] = field(default_factory=dict)
    units: dict[int, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    estimated: bool = False
    facets_estimated: bool = False
    # How many entries the words alone match, when that was counted on the way (SQLite): the page's query uses it.
    matches: int | None = None


def _keeps(criteria: Criteria, type_: str, unit_id: int, year: int) -> tuple[bool, bool, bool]:
    return (
        not criteria.types or type_ in criteria.types,
        criteria.unit_ids is None or unit_id in criteria.unit_ids,
        criteria.year is None or year == criteria.year,
    )


def _combine(rows, criteria: Criteria) -> Tally:
    """The tally from (type, unit id, year, count) rows of entries meeting everything but the three facet filters."""
    tally = Tally(0)
    for type_, unit_id, year, n in rows:
        if not n:
            continue
        t, u, y = _keeps(criteria, type_, unit_id, year)
        if t and u and y:
            tally.total += n
        if u and y:
            tally.types[type_] = tally.types.get(type_, 0) + n
        if t and y:
            tally.units[unit_id] = tally.units.get(unit_id, 0) + n
        if t and u:
            tally.years[year] = tally.years.get(year, 0) + n
    for facet in (tally.types, tally.units, tally.years):
        for key in [key for key, n in facet.items() if n <= 0]:
            del facet[key]
    return tally


def _param(day: date):
    # SQLite keeps dates as YYYY-MM-DD text.
    return day if connection.vendor == "postgresql" else day.isoformat()


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), 1 if day.month == 12 else day.month + 1, 1)


def _span(grain: int, first: date | None, end: date | None) -> tuple[str, list] | None:
    """Rows of one grain with first <= day < end (None: no bound); None when the span is empty."""
    if first is not None and end is not None and first >= end:
        return None
    sql, params = [f"grain = {grain}"], []
    if first is not None:
        sql.append("day >= %s")
        params.append(_param(first))
    if end is not None:
        sql.append("day < %s")
        params.append(_param(end))
    return " AND ".join(sql), params


def _segments(low: date | None, high: date | None) -> list[tuple[str, list]]:
    """The counts rows that add up to the days from low to high (None: no bound): whole years, whole months before
    and after them, and single days at the ends."""
    after = None if high is None or high == date.max else high + timedelta(days=1)  # the end, exclusive
    # Whole months: from the first 1st on or after low, to the 1st on or before the end.
    months_from = None if low is None else (low if low.day == 1 else _next_month(low))
    months_to = None if after is None else after.replace(day=1)
    if months_from is not None and months_to is not None and months_from >= months_to:
        return [span for span in (_span(DAY, low, after),) if span]
    years_from = (
        None if months_from is None else (months_from if months_from.month == 1 else date(months_from.year + 1, 1, 1))
    )
    years_to = None if months_to is None else date(months_to.year, 1, 1)
    if years_from is not None and years_to is not None and years_from >= years_to:
        parts = [_span(MONTH, months_from, months_to)]
    else:
        parts = [
            _span(MONTH, months_from, years_from),
            _span(YEAR, years_from, years_to),
            _span(MONTH, years_to, months_to),
        ]
        # An open end has no months beyond its years.
        if months_from is None:
            parts[0] = None
        if months_to is None:
            parts[2] = None
    parts += [
        _span(DAY, low, months_from) if low is not None else None,
        _span(DAY, months_to, after) if after else None,
    ]
    return [part for part in parts if part]


def _counted_rows(criteria: Criteria) -> list[tuple]:
    """(type, unit id, year, count) of the public entries in the date range, from the counts table."""
    kind = 1 if criteria.ranged and criteria.date_column == "document_date" else 0
    segments = _segments(criteria.date_from, criteria.date_to)
    if not segments:
        return []
    where = " OR ".join(f"({sql})" for sql, _ in segments)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT type, unit_id, year, SUM(n) FROM {COUNTS_TABLE} WHERE kind = %s AND ({where}) "
            "GROUP BY type, unit_id, year",
            [kind, *(p for _, params in segments for p in params)],
        )
        return [(type_, unit_id, int(year), int(n)) for type_, unit_id, year, n in cursor.fetchall()]


def year_bounds(year: int) -> tuple[date, date] | None:
    """The first and last journal date an entry of journal year `year` can have (the months the counts know): a
    search for a year can then read that stretch of the date index instead of walking from today. None: no such
    entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(day), MAX(day) FROM {COUNTS_TABLE} WHERE kind = 0 AND grain = {MONTH} AND year = %s AND n > 0",
            [year],
        )
        first, last = cursor.fetchone()
    if first is None:
        return None
    if isinstance(first, str):
        first, last = date.fromisoformat(first), date.fromisoformat(last)
    return first, _next_month(last) - timedelta(days=1)


def _facet_conditions(criteria: Criteria, facets: bool) -> tuple[str, list]:
    """The part of the three facet filters an exact count needs: all of them for the total alone; for the facets,
    the entries meeting all but at most one of them (each facet counts as if its own filter were not chosen)."""
    parts = []
    if criteria.types:
        parts.append(
            (f"journal_journalentry.type IN ({', '.join(['%s'] * len(criteria.types))})", list(criteria.types))
        )
    if criteria.unit_ids is not None:
        ids = criteria.unit_ids or (0,)
        parts.append((f"journal_journalentry.unit_id IN ({', '.join(['%s'] * len(ids))})", list(ids)))
    if criteria.year is not None:
        parts.append(("journal_journalentry.year = %s", [criteria.year]))
    if not facets:
        return " AND ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]
    if len(parts) < 2:
        return "", []
    # Each facet needs the entries meeting the other filters: those meeting all but at most one of them.
    groups = [[part for other, part in enumerate(parts) if other != left_out] for left_out in range(len(parts))]
    sql = " OR ".join("(" + " AND ".join(sql for sql, _ in group) + ")" for group in groups)
    return f"({sql})", [p for group in groups for _, params in group for p in params]


def _rows(criteria: Criteria, *, facets: bool, dates_first: bool = False) -> list[tuple]:
    """(type, unit id, year, count) of the public entries matching the words, dates and case number, limited by
    the facet filters as far as the total and facets need. `dates_first` reads the date range (for the total alone,
    also the year's dates) and tests the words on each entry, instead of starting from the words' index: for a
    common word in a short range, far less to read."""
    where = ["journal_journalentry.withdrawn_at IS NULL"]
    params: list = []
    column = "document_date" if criteria.date_column == "document_date" else "journal_date"
    if criteria.date_from:
        where.append(f"journal_journalentry.{column} >= %s")
        params.append(_param(criteria.date_from))
    if criteria.date_to:
        where.append(f"journal_journalentry.{column} <= %s")
        params.append(_param(criteria.date_to))
    if criteria.year is not None and not facets and (bounds := year_bounds(criteria.year)):
        # Implied by the year when every entry counted is of that year (not so for the facets): lets the date index
        # find the year's entries.
        where.append("journal_journalentry.journal_date BETWEEN %s AND %s")
        params += [_param(bounds[0]), _param(bounds[1])]
    if criteria.case:
        where.append(
            "journal_journalentry.case_id IN (SELECT id FROM journal_casefile WHERE year = %s AND sequence = %s)"
        )
        params += list(criteria.case)
    condition, condition_params = _facet_conditions(criteria, facets)
    if condition:
        where.append(condition)
        params += condition_params
    text, text_params = engine().where(criteria.parsed, lead=not dates_first)
    table = "journal_journalentry"
    if dates_first and text and connection.vendor == "postgresql":
        # OFFSET 0 keeps the planner from merging the two levels: the inner one reads the range by the date index.
        columns = "journal_journalentry.type, journal_journalentry.unit_id, journal_journalentry.year"
        table = (
            f"(SELECT {columns}, journal_journalentry.search_vector FROM {table} WHERE {' AND '.join(where)} OFFSET 0)"
            " journal_journalentry"
        )
        where = text
    else:
        where += text
    params += text_params
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT journal_journalentry.type, journal_journalentry.unit_id, journal_journalentry.year, COUNT(*) "
            f"FROM {table} WHERE {' AND '.join(where)} "
            "GROUP BY journal_journalentry.type, journal_journalentry.unit_id, journal_journalentry.year",
            params,
        )
        return [(type_, unit_id, int(year), int(n)) for type_, unit_id, year, n in cursor.fetchall()]


def _sample_rows(criteria: Criteria, sample) -> list[tuple]:
    """(type, unit id, year, journal date, document date, count) of the public entries in a sample that match the
    words, whatever the dates and filters (they are applied to these rows afterwards)."""
    text, params = engine().where(criteria.parsed, sample=sample[1] if sample[0] == "matches" else 1)
    table = "journal_journalentry"
    if sample[0] == "table":
        # The percentage is ours, not the visitor's: a number written into the statement.
        table += f" TABLESAMPLE SYSTEM ({float(sample[1]):.6f}) REPEATABLE ({SAMPLE_SEED})"
    columns = (
        "journal_journalentry.type, journal_journalentry.unit_id, journal_journalentry.year, "
        "journal_journalentry.journal_date, journal_journalentry.document_date"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, COUNT(*) FROM {table} "
            f"WHERE {' AND '.join(['journal_journalentry.withdrawn_at IS NULL', *text])} GROUP BY {columns}",
            params,
        )
        return [
            (type_, unit_id, int(year), _day(journal_date), _day(document_date), int(n))
            for type_, unit_id, year, journal_date, document_date, n in cursor.fetchall()
        ]


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _in_range(criteria: Criteria, journal_date: date, document_date: date | None) -> bool:
    day = document_date if criteria.date_column == "document_date" else journal_date
    if criteria.date_from is not None and (day is None or day < criteria.date_from):
        return False
    return criteria.date_to is None or (day is not None and day <= criteria.date_to)


def _looked_at(rows, criteria: Criteria, facets: bool) -> int:
    """How many of the entries in `rows` an exact count looks at (see _facet_conditions)."""
    chosen = [bool(criteria.types), criteria.unit_ids is not None, criteria.year is not None]
    needed = sum(chosen) if not facets else max(0, sum(chosen) - 1)
    return sum(
        n
        for type_, unit_id, year, n in rows
        if sum(kept and wanted for kept, wanted in zip(_keeps(criteria, type_, unit_id, year), chosen, strict=True))
        >= needed
    )


def about(number: float) -> int:
    """A number rounded to two significant digits (at least 1): 81,234 is about 81,000."""
    if number < 1:
        return 1
    digits = len(str(int(number))) - 2
    return int(round(number, -digits)) if digits > 0 else round(number)


def tally(criteria: Criteria, *, facets: bool = True) -> Tally:
    """The total, and with `facets` the counts per type, unit and year, of what a search finds (see above)."""
    if criteria.nothing:
        return Tally(0)
    if criteria.case is not None:
        return _combine(_rows(criteria, facets=facets), criteria)
    rows = _counted_rows(criteria)
    counted = _combine(rows, criteria)
    if not criteria.parsed:
        return counted
    search_engine = engine()
    # What an exact count would read: the entries of the date range (for the total alone, those of the year too),
    # each cheap to read (they lie together); or the matches of the words, one look-up each.
    ranged = criteria.ranged or (criteria.year is not None and not facets)
    in_range = sum(n for *_, y, n in rows if facets or _keeps(criteria, "", 0, y)[2]) if ranged else None
    if in_range is not None and in_range <= FEW_READ:
        return _combine(_rows(criteria, facets=facets, dates_first=True), criteria)
    known = search_engine.matches(criteria.parsed) if criteria.parsed.include else None
    if known is not None and known * search_engine.lookup_cost <= EXACT_READ:
        return replace(_combine(_rows(criteria, facets=facets), criteria), matches=known)
    sample = search_engine.sample(criteria.parsed, known)
    if sample is None:
        return replace(_combine(_rows(criteria, facets=facets), criteria), matches=known)
    fraction = sample[1] / 100 if sample[0] == "table" else 1 / sample[1]
    sampled = _sample_rows(criteria, sample)
    matches = known if known is not None else sum(row[-1] for row in sampled) / fraction
    found = _combine(
        [(t, u, y, n) for t, u, y, journal, document, n in sampled if _in_range(criteria, journal, document)],
        criteria,
    )
    # The cheaper way to count exactly, and whether it is cheap enough; or, when the search finds few entries (an
    # estimate would be rough), not too dear.
    by_text = matches * search_engine.lookup_cost
    cost = min(by_text, in_range if in_range is not None else by_text)
    if cost <= EXACT_READ or (found.total / fraction <= EXACT_MAX and cost <= FEW_READ):
        counted = _combine(_rows(criteria, facets=facets, dates_first=cost < by_text), criteria)
        return replace(counted, matches=known)
    return Tally(
        # Never more than the filters alone leave, which is known exactly.
        total=min(counted.total, about(found.total / fraction)) if found.total else 0,
        types={k: min(counted.types.get(k, 0), about(n / fraction)) for k, n in found.types.items()},
        units={k: min(counted.units.get(k, 0), about(n / fraction)) for k, n in found.units.items()},
        years={k: min(counted.years.get(k, 0), about(n / fraction)) for k, n in found.years.items()},
        estimated=True,
        facets_estimated=facets,
        matches=known,
    )
