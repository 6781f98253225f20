"""Counts of public journal entries per day and per month, by unit, type and journal year, for the search page's
total and facets when a search has no words (see tinget/journal/search.py, `tally`).

Counting a million rows on every visit to /postliste/ is what made the page slow; these counts are kept up to date by
the database itself, so every way of writing entries (the importer, the services, the admin, tests) keeps them right:

- PostgreSQL: statement-level triggers with transition tables, one aggregated upsert per INSERT, UPDATE or DELETE
  statement (the importer's bulk inserts cost one small statement each), and TRUNCATE empties the counts.
- SQLite: row-level triggers (upserts in the same transaction).

`kind` 0 counts every public entry by its journal date; `kind` 1 those with a document date, by that date. `grain` 0
is a day, `grain` 1 a month and `grain` 2 a year (`day` is then the month's or the year's first day): a date range is
added up from whole years, whole months and the days at its ends, a few hundred rows at most. A count may fall to 0 (an entry withdrawn or moved); such rows are left and never shown.
"""

from django.db import migrations

TABLE = "journal_entry_counts"
KEY = "kind, grain, day, unit_id, type, year"

PG_TABLE = f"""
CREATE TABLE {TABLE} (
    kind smallint NOT NULL,
    grain smallint NOT NULL,
    day date NOT NULL,
    unit_id bigint NOT NULL,
    type varchar(1) NOT NULL,
    year integer NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY ({KEY})
)
"""


def _pg_upsert(source: str) -> str:
    """One statement adding the signed rows of `source` (kind, day, unit_id, type, year, n) to the counts."""
    return f"""
    WITH r AS ({source})
    INSERT INTO {TABLE} AS c ({KEY}, n)
    SELECT kind, grain, day, unit_id, type, year, n FROM (
        SELECT kind, 0 AS grain, day, unit_id, type, year, sum(n) AS n FROM r GROUP BY kind, day, unit_id, type, year
        UNION ALL
        SELECT kind, 1, date_trunc('month', day)::date, unit_id, type, year, sum(n) FROM r
        GROUP BY kind, date_trunc('month', day)::date, unit_id, type, year
        UNION ALL
        SELECT kind, 2, date_trunc('year', day)::date, unit_id, type, year, sum(n) FROM r
        GROUP BY kind, date_trunc('year', day)::date, unit_id, type, year
    ) g
    WHERE n <> 0
    ORDER BY kind, grain, day, unit_id, type, year
    ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + EXCLUDED.n
    """


def _pg_rows(table: str, sign: int) -> str:
    return (
        f"SELECT 0 AS kind, journal_date AS day, unit_id, type, year::integer AS year, {sign} AS n FROM {table} "
        f"WHERE withdrawn_at IS NULL "
        f"UNION ALL SELECT 1, document_date, unit_id, type, year::integer, {sign} FROM {table} "
        f"WHERE withdrawn_at IS NULL AND document_date IS NOT NULL"
    )


def _pg_function(name: str, source: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_pg_upsert(source)};
        RETURN NULL;
    END
    $$
    """


PG_FORWARD = [
    PG_TABLE,
    _pg_function("journal_entry_counts_insert", _pg_rows("new_rows", 1)),
    _pg_function("journal_entry_counts_update", f"{_pg_rows('new_rows', 1)} UNION ALL {_pg_rows('old_rows', -1)}"),
    _pg_function("journal_entry_counts_delete", _pg_rows("old_rows", -1)),
    f"""
    CREATE OR REPLACE FUNCTION journal_entry_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TABLE};
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER journal_entry_counts_insert AFTER INSERT ON journal_journalentry "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION journal_entry_counts_insert()",
    "CREATE TRIGGER journal_entry_counts_update AFTER UPDATE ON journal_journalentry "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION journal_entry_counts_update()",
    "CREATE TRIGGER journal_entry_counts_delete AFTER DELETE ON journal_journalentry "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION journal_entry_counts_delete()",
    "CREATE TRIGGER journal_entry_counts_truncate AFTER TRUNCATE ON journal_journalentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION journal_entry_counts_truncate()",
    # The entries there already.
    _pg_upsert(_pg_rows("journal_journalentry", 1)),
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS journal_entry_counts_insert ON journal_journalentry",
    "DROP TRIGGER IF EXISTS journal_entry_counts_update ON journal_journalentry",
    "DROP TRIGGER IF EXISTS journal_entry_counts_delete ON journal_journalentry",
    "DROP TRIGGER IF EXISTS journal_entry_counts_truncate ON journal_journalentry",
    "DROP FUNCTION IF EXISTS journal_entry_counts_insert()",
    "DROP FUNCTION IF EXISTS journal_entry_counts_update()",
    "DROP FUNCTION IF EXISTS journal_entry_counts_delete()",
    "DROP FUNCTION IF EXISTS journal_entry_counts_truncate()",
    f"DROP TABLE IF EXISTS {TABLE}",
]

# SQLite keeps dates as YYYY-MM-DD text: the month is the first seven characters and "-01", the year the first four
# and "-01-01".
_JOURNAL = "R.withdrawn_at IS NULL"
_DOCUMENT = "R.withdrawn_at IS NULL AND R.document_date IS NOT NULL"
_SQLITE_KEYS = (
    # (kind, grain, day expression, condition) for a row R (NEW or OLD)
    ("0", "0", "R.journal_date", _JOURNAL),
    ("0", "1", "substr(R.journal_date, 1, 7) || '-01'", _JOURNAL),
    ("0", "2", "substr(R.journal_date, 1, 4) || '-01-01'", _JOURNAL),
    ("1", "0", "R.document_date", _DOCUMENT),
    ("1", "1", "substr(R.document_date, 1, 7) || '-01'", _DOCUMENT),
    ("1", "2", "substr(R.document_date, 1, 4) || '-01-01'", _DOCUMENT),
)


def _sqlite_add(row: str) -> list[str]:
    return [
        f"INSERT INTO {TABLE} ({KEY}, n) SELECT {kind}, {grain}, {day}, R.unit_id, R.type, R.year, 1 "
        f"WHERE {condition} ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1;".replace("R.", f"{row}.")
        for kind, grain, day, condition in _SQLITE_KEYS
    ]


def _sqlite_remove(row: str) -> list[str]:
    return [
        f"UPDATE {TABLE} SET n = n - 1 WHERE {condition} AND kind = {kind} AND grain = {grain} AND day = {day} "
        f"AND unit_id = R.unit_id AND type = R.type AND year = R.year;".replace("R.", f"{row}.")
        for kind, grain, day, condition in _SQLITE_KEYS
    ]


def _sqlite_trigger(name: str, event: str, statements: list[str]) -> str:
    body = "\n    ".join(statements)
    return f"CREATE TRIGGER {name} AFTER {event} ON journal_journalentry FOR EACH ROW BEGIN\n    {body}\nEND"


SQLITE_FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        kind integer NOT NULL,
        grain integer NOT NULL,
        day date NOT NULL,
        unit_id integer NOT NULL,
        type varchar(1) NOT NULL,
        year integer NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY ({KEY})
    ) WITHOUT ROWID
    """,
    _sqlite_trigger("journal_entry_counts_insert", "INSERT", _sqlite_add("NEW")),
    _sqlite_trigger(
        "journal_entry_counts_update",
        "UPDATE OF journal_date, document_date, unit_id, type, year, withdrawn_at",
        _sqlite_remove("OLD") + _sqlite_add("NEW"),
    ),
    _sqlite_trigger("journal_entry_counts_delete", "DELETE", _sqlite_remove("OLD")),
    # The entries there already.
    *(
        f"""
        INSERT INTO {TABLE} ({KEY}, n)
        SELECT {kind}, {grain}, {day.replace("R.", "")}, unit_id, type, year, count(*) FROM journal_journalentry
        WHERE {condition.replace("R.", "")} GROUP BY {day.replace("R.", "")}, unit_id, type, year
        """
        for kind, grain, day, condition in _SQLITE_KEYS
    ),
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS journal_entry_counts_insert",
    "DROP TRIGGER IF EXISTS journal_entry_counts_update",
    "DROP TRIGGER IF EXISTS journal_entry_counts_delete",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def forward(apps, schema_editor):
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("journal", "0002_search_index")]

    operations = [migrations.RunPython(forward, backward)]
