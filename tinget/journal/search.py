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
from dataclasses import dataclass, field

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

    def filter(self, queryset, parsed: ParsedQuery):
        raise NotImplementedError

    def with_rank(self, queryset, parsed: ParsedQuery):
        """The queryset with `rank` (higher is better) in its select, for sorting by relevance."""
        raise NotImplementedError

    def index(self, rows) -> None:
        """Bring the index up to date for `rows`: (entry id, search_document) pairs."""

    def unindex(self, ids) -> None:
        """Remove entries from the index."""


class PostgresEngine(Engine):
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

    def filter(self, queryset, parsed):
        if not parsed:
            return queryset
        sql, params = self._tsquery(parsed)
        return queryset.extra(where=[f"journal_journalentry.search_vector @@ {sql}"], params=params)

    def with_rank(self, queryset, parsed):
        if not parsed.include:
            return queryset.extra(select={"rank": "0"})
        sql, params = self._tsquery(ParsedQuery(parsed.include))
        return queryset.extra(
            select={"rank": f"ts_rank_cd(journal_journalentry.search_vector, {sql})"}, select_params=params
        )


class SqliteEngine(Engine):
    @staticmethod
    def match_expression(clauses) -> str:
        """An FTS5 query for all clauses: each stemmed word is a quoted string, so no input is syntax. Words
        are \\w+ runs, which hold no double quote."""
        return " AND ".join('"' + " ".join(stem(w) for w in clause) + '"' for clause in clauses)

    def filter(self, queryset, parsed):
        if not parsed:
            return queryset
        where, params = [], []
        if parsed.include:
            where.append(f"journal_journalentry.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)")
            params.append(self.match_expression(parsed.include))
        if parsed.exclude:
            # FTS5's NOT needs a left side; excluding as a set works with or without words to include.
            where.append(f"journal_journalentry.id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)")
            params.append(" OR ".join('"' + " ".join(stem(w) for w in c) + '"' for c in parsed.exclude))
        return queryset.extra(where=where, params=params)

    def with_rank(self, queryset, parsed):
        if not parsed.include:
            return queryset.extra(select={"rank": "0"})
        # bm25() is lower for better matches.
        return queryset.extra(
            select={
                "rank": f"-(SELECT bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND {FTS_TABLE}.rowid = journal_journalentry.id)"
            },
            select_params=[self.match_expression(parsed.include)],
        )

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
