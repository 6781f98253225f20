"""The full-text index, one per engine (see tinget/journal/search.py): on PostgreSQL a generated tsvector column
with the `norwegian` configuration and a GIN index; on SQLite an FTS5 table keyed by the entry's id."""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE journal_journalentry ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('norwegian'::regconfig, search_document)) STORED",
    "CREATE INDEX journal_entry_search ON journal_journalentry USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS journal_entry_search",
    "ALTER TABLE journal_journalentry DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    # The stemmed text is stored in the table (SQLite 3.40 has no contentless delete); the tokenizer keeps
    # æ, ø and å as they are.
    "CREATE VIRTUAL TABLE IF NOT EXISTS journal_entry_fts USING fts5(document, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS journal_entry_fts"]


def forward(apps, schema_editor):
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
