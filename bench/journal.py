"""The mail journal at a million entries: the import into PostgreSQL, and the search page on PostgreSQL and SQLite.

Data: JOURNAL_BENCH_ENTRIES (1,000,000) entries of Asker's journal made by tinget.journal.generator (seeded, journal
dates on the working days of the JOURNAL_BENCH_YEARS (16) years up to today, 1 to 15 entries a case, about one in
ten screened) and written once as the importer's documented CSV (formats.write_csv) to var/bench-journal/; a file
whose inputs have not changed is reused.

Import (import_s, import_peak_mb): a PostgreSQL database of its own (BENCH_JOURNAL_DATABASE_URL, by default
DATABASE_URL's or tinget_bench's name with "_journal"), dropped, created, migrated and given the Asker profile; then
a process of its own runs the real importer on the file, as `manage.py journal_import` does: the file opened in
binary, `formats.parse_csv` streaming records into `importing.store` (one transaction, batches of 2,000). import_s
is the wall-clock time of that call, to the commit; import_peak_mb the process's peak resident memory (VmHWM when it
ends, and VmRSS sampled every 50 ms from outside; the larger). The CPU seconds of the importer and of the
database's PostgreSQL backends in that window come too (import_cpu_s, import_pg_cpu_s): the wall clock suffers when
other work loads the machine, the CPU seconds much less. VACUUM ANALYZE afterwards is timed apart (analyze_s).

Search (search_p95_ms_pg, search_p95_ms_sqlite): the same entries on each engine; on SQLite (a file in
var/bench-journal/, the embedded default) copied from the PostgreSQL database by default, rows as they are (the
counts table filled by its triggers) and the FTS5 index written with the engine's own `index()`
(JOURNAL_BENCH_SQLITE_LOAD=import runs the importer on the CSV instead, which takes much longer). Twenty
representative queries (see queries(): with and without words and filters, a common word, a rare one, one that finds
nothing, a phrase, an exclusion, sorted by date and by relevance, a case number, a date range on the document date,
...) run in a process with the production settings, through the search page's own code path: the selector the view
calls, `selectors.search_entries` (counts, facets and the page of entries), and the view itself (`journal:index`,
with Django's test client, the page rendered) when it exists. After JOURNAL_BENCH_WARMUP (2) rounds,
JOURNAL_BENCH_ROUNDS (5) rounds, each in a shuffled order. The figures are the 95th percentile of all the selector's
calls (JOURNAL_BENCH_VIA=view: the view's); search_view_p95_ms_* are the whole page's, which adds the rendering (some
20 ms of CPU whatever the search). search_other_cpu_s_* are the CPU seconds the rest of the machine took meanwhile:
the wall-clock figures are only worth as much as that is small. details.search.<engine>.queries has each query's
percentiles, total (and whether it is an estimate), SQL statements and the plan of its slowest statement (EXPLAIN
ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).

Reuse while working on it: JOURNAL_BENCH_REIMPORT=0 keeps a PostgreSQL database (and a SQLite file) that was filled
from the same file with the same migrations and importing.py, and carries over the import figures measured when it
was filled (details.import.reused says so; a change to how search.py writes the search text is not noticed).
JOURNAL_BENCH_SKIP_SQLITE=1 leaves SQLite out. Other knobs: JOURNAL_BENCH_SEED (3203), JOURNAL_BENCH_END (today,
YYYY-MM-DD). `python -m bench.journal generate|import|sqlite|search JSON` are the parts run in subprocesses (see
run()).
"""

import contextlib
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._support import (
    PYTHON,
    ROOT,
    BenchError,
    CpuMeter,
    RssSampler,
    ensure_database,
    env_int,
    manage,
    percentile,
    production_env,
    redacted,
    run_python,
    scenario_database_url,
    setup_django,
    status_kb,
    summary,
)

TARGETS = {
    "import_s": ("<=", 600),
    "import_peak_mb": ("<=", 500),
    "search_p95_ms_pg": ("<=", 50),
    "search_p95_ms_sqlite": ("<=", 150),
}
WORK = ROOT / "var" / "bench-journal"
# Files whose change makes generated data or a filled database stale.
DATA_SOURCES = ["tinget/journal/generator.py", "tinget/journal/formats.py", "tinget/journal/records.py"]
IMPORT_SOURCES = ["tinget/journal/importing.py"]


def knobs() -> dict:
    end = os.environ.get("JOURNAL_BENCH_END")
    return {
        "entries": env_int("JOURNAL_BENCH_ENTRIES", 1_000_000),
        "years": env_int("JOURNAL_BENCH_YEARS", 16),
        "seed": env_int("JOURNAL_BENCH_SEED", 3203),
        "end": end or date.today().isoformat(),
        "rounds": env_int("JOURNAL_BENCH_ROUNDS", 5),
        "warmup": env_int("JOURNAL_BENCH_WARMUP", 2),
        "reimport": os.environ.get("JOURNAL_BENCH_REIMPORT", "1") != "0",
        "sqlite_load": os.environ.get("JOURNAL_BENCH_SQLITE_LOAD", "copy"),
        "skip_sqlite": os.environ.get("JOURNAL_BENCH_SKIP_SQLITE", "0") == "1",
        "via": os.environ.get("JOURNAL_BENCH_VIA", ""),
    }


def _digest(paths, extra) -> str:
    digest = hashlib.sha256(json.dumps(extra, sort_keys=True).encode())
    for path in paths:
        digest.update((ROOT / path).read_bytes())
    return digest.hexdigest()[:16]


def migration_hashes() -> str:
    paths = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tinget").rglob("migrations/0*.py"))
    return _digest(paths, {})


# --- Processes -----------------------------------------------------------------------------------------------


def _worker(env, *args, timeout=900) -> dict:
    """Run `python -m bench.journal ARGS` (Django set up from env); its last stdout line is JSON."""
    stdout = run_python(env, "-m", "bench.journal", *args, timeout=timeout)
    answer = json.loads(stdout.strip().splitlines()[-1])
    if "error" in answer:
        raise BenchError(answer["error"])
    return answer


def _watched_worker(env, database: str, *args, timeout=7200) -> tuple[dict, dict]:
    """Like _worker, with the process's resident memory sampled and the CPU it and the database's backends used."""
    process = subprocess.Popen(
        [PYTHON, "-m", "bench.journal", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = RssSampler(process.pid, interval=0.05)
    sampler.start()
    meter = CpuMeter(
        {
            "process": lambda pid, name, parent, title: pid == process.pid,
            "postgresql": lambda pid, name, parent, title: name == "postgres" and f" {database} " in title,
        }
    )
    meter.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise BenchError(f"{' '.join(args[:1])} took longer than {timeout} s") from exc
    finally:
        peak_kb = sampler.stop()
        cpu = meter.stop()
    if process.returncode != 0:
        raise BenchError(f"bench.journal {args[0]} failed:\n{stdout[-3000:]}\n{stderr[-5000:]}")
    answer = json.loads(stdout.strip().splitlines()[-1])
    if "error" in answer:
        raise BenchError(answer["error"])
    return answer, {"sampled_peak_mb": round(peak_kb / 1024, 1), "cpu_seconds": cpu}


# --- PostgreSQL database --------------------------------------------------------------------------------------


def _maintenance(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True, connect_timeout=5)


def _database_note(url: str) -> dict:
    """What the database's comment says filled it (see _set_note)."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as conn:
        row = conn.execute(
            sql.SQL("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s"), [name]
        ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def _set_note(url: str, note: dict):
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(note, separators=(",", ":")))
            )
        )


def _recreate(url: str):
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    ensure_database(url)


def _vacuum(url: str) -> float:
    import psycopg

    clock = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return round(time.monotonic() - clock, 1)


# --- The run -----------------------------------------------------------------------------------------------------


def run() -> dict:
    options = knobs()
    WORK.mkdir(parents=True, exist_ok=True)
    steps = {}
    data_key = _digest(DATA_SOURCES, {k: options[k] for k in ("entries", "years", "seed", "end")})
    data_file = WORK / f"entries-{options['entries']}-{data_key}.csv"

    # 1. The file.
    clock = time.monotonic()
    generated = None
    if not data_file.exists():
        for stale in WORK.glob(f"entries-{options['entries']}-*.csv"):
            stale.unlink()
        env = production_env(DATABASE_URL=f"sqlite:///{WORK / 'unused.sqlite3'}")
        generated = _worker(env, "generate", json.dumps({**options, "path": str(data_file)}), timeout=3600)
    steps["generate_s"] = round(time.monotonic() - clock, 1)

    # 2. PostgreSQL: a fresh database filled by the importer (or the one filled last time, when allowed).
    database_url = scenario_database_url("journal")
    database = ensure_database(database_url)
    database["url"] = redacted(database_url)
    fill_key = _digest(IMPORT_SOURCES, {"data": data_key, "migrations": migration_hashes()})
    note = _database_note(database_url)
    pg_env = production_env(DATABASE_URL=database_url, CACHE_URL="locmemcache://tinget-bench-journal")
    if options["reimport"] or note.get("fill") != fill_key:
        _recreate(database_url)
        for label, args in (("migrate_s", ("migrate", "--noinput")), ("load_profile_s", ("load_profile", "asker"))):
            clock = time.monotonic()
            manage(pg_env, *args, timeout=600)
            steps[label] = round(time.monotonic() - clock, 1)
        name = urlsplit(database_url).path.lstrip("/")
        imported, watched = _watched_worker(pg_env, name, "import", json.dumps({"path": str(data_file)}))
        imported.update(watched)
        imported["peak_mb"] = max(imported["vmhwm_mb"], watched["sampled_peak_mb"])
        imported["analyze_s"] = _vacuum(database_url)
        imported["reused"] = False
        _set_note(database_url, {"fill": fill_key, "import": imported})
    else:
        imported = {**note["import"], "reused": True}

    # 3. SQLite: the same entries.
    sqlite_file = WORK / f"journal-{options['entries']}.sqlite3"
    sqlite_info = None
    if not options["skip_sqlite"]:
        sqlite_key = _digest([], {"fill": fill_key, "how": options["sqlite_load"]})
        marker = sqlite_file.with_suffix(".json")
        known = json.loads(marker.read_text()) if marker.exists() else {}
        sqlite_env = production_env(
            DATABASE_URL=f"sqlite:///{sqlite_file}", CACHE_URL="locmemcache://tinget-bench-journal"
        )
        if options["reimport"] or known.get("key") != sqlite_key or not sqlite_file.exists():
            for path in (sqlite_file, Path(f"{sqlite_file}-wal"), Path(f"{sqlite_file}-shm"), marker):
                path.unlink(missing_ok=True)
            clock = time.monotonic()
            manage(sqlite_env, "migrate", "--noinput", timeout=600)
            manage(sqlite_env, "load_profile", "asker", timeout=600)
            sqlite_info = _worker(
                sqlite_env,
                "sqlite",
                json.dumps({"how": options["sqlite_load"], "source": database_url, "path": str(data_file)}),
                timeout=7200,
            )
            sqlite_info["seconds"] = round(time.monotonic() - clock, 1)
            marker.write_text(json.dumps({"key": sqlite_key, "load": sqlite_info}))
        else:
            sqlite_info = {**known["load"], "reused": True}

    # 4. The searches, with the static files collected as production has them (the page links them by hash).
    with tempfile.TemporaryDirectory(prefix="bench-journal-static-") as static_root:
        pg_env["STATIC_ROOT"] = static_root
        clock = time.monotonic()
        manage(pg_env, "collectstatic", "--noinput", "-v", "0", timeout=600)
        steps["collectstatic_s"] = round(time.monotonic() - clock, 1)
        load_before = list(os.getloadavg())
        name = urlsplit(database_url).path.lstrip("/")
        searched = {}
        searched["pg"], watched = _watched_worker(pg_env, name, "search", json.dumps(options), timeout=3600)
        searched["pg"]["cpu_seconds"] = watched["cpu_seconds"]
        if not options["skip_sqlite"]:
            sqlite_env["STATIC_ROOT"] = static_root
            searched["sqlite"], watched = _watched_worker(sqlite_env, name, "search", json.dumps(options), timeout=3600)
            searched["sqlite"]["cpu_seconds"] = watched["cpu_seconds"]
        load_after = list(os.getloadavg())

    figures = {
        "entries": searched["pg"]["entries"],
        "import_s": imported.get("seconds"),
        "import_peak_mb": imported.get("peak_mb"),
        "import_entries_per_s": imported.get("per_second"),
        "import_cpu_s": imported.get("cpu_seconds", {}).get("process"),
        "import_pg_cpu_s": imported.get("cpu_seconds", {}).get("postgresql"),
        "analyze_s": imported.get("analyze_s"),
        "search_p95_ms_pg": searched["pg"]["all"]["p95"],
        "search_p50_ms_pg": searched["pg"]["all"]["p50"],
        "search_max_ms_pg": searched["pg"]["all"]["max"],
        "search_cpu_p95_ms_pg": searched["pg"]["cpu"]["p95"],
        "search_view_p95_ms_pg": (searched["pg"]["view"] or {}).get("p95"),
        # CPU seconds other processes took while the searches ran: the wall-clock figures are only worth as much as
        # this is small.
        "search_other_cpu_s_pg": searched["pg"]["cpu_seconds"].get("other"),
    }
    if "sqlite" in searched:
        figures.update(
            {
                "search_p95_ms_sqlite": searched["sqlite"]["all"]["p95"],
                "search_p50_ms_sqlite": searched["sqlite"]["all"]["p50"],
                "search_max_ms_sqlite": searched["sqlite"]["all"]["max"],
                "search_cpu_p95_ms_sqlite": searched["sqlite"]["cpu"]["p95"],
                "search_view_p95_ms_sqlite": (searched["sqlite"]["view"] or {}).get("p95"),
                "search_other_cpu_s_sqlite": searched["sqlite"]["cpu_seconds"].get("other"),
                "sqlite_entries": searched["sqlite"]["entries"],
            }
        )
    for engine, result in searched.items():
        for name, query in result["queries"].items():
            figures[f"q_{name}_p95_ms_{engine}"] = query["ms"]["p95"]
    return {
        "figures": figures,
        "database": database,
        "details": {
            "options": options,
            "data_file": str(data_file.relative_to(ROOT)),
            "generated": generated,
            "import": imported,
            "sqlite": sqlite_info,
            "search": searched,
            "setup_seconds": steps,
            "load_average_before_search": load_before,
            # Wall-clock figures are only worth as much as the machine was quiet: see the load averages.
            "load_average_after_search": load_after,
        },
    }


# --- The parts that run with Django set up -------------------------------------------------------------------


def generate(given: dict) -> dict:
    """Write the generated entries as the importer's CSV."""
    setup_django()
    from tinget.journal import generator

    end = date.fromisoformat(given["end"])
    start = date(end.year - given["years"], end.month, 1)
    path = Path(given["path"])
    partial = path.with_suffix(".partial")
    clock = time.monotonic()
    with partial.open("w", encoding="utf-8", newline="") as text_file:
        rows = generator.write_csv(
            generator.generate(count=given["entries"], start=start, end=end, seed=given["seed"]), text_file
        )
    partial.rename(path)
    return {"rows": rows, "bytes": path.stat().st_size, "seconds": round(time.monotonic() - clock, 1)}


def import_file(given: dict) -> dict:
    """The real importer on the file, timed; this process's peak memory when it is done."""
    setup_django()
    from tinget.journal import formats, importing

    path = Path(given["path"])
    before_kb = status_kb(os.getpid(), "VmRSS")
    cpu = time.process_time()
    clock = time.perf_counter()
    with path.open("rb") as binary_file:
        report = importing.store(formats.parse_csv(binary_file))
    seconds = time.perf_counter() - clock
    cpu = time.process_time() - cpu
    if report.rejected:
        return {"error": f"The importer rejected the generated file: {report.error_rows()[:5]}"}
    return {
        "seconds": round(seconds, 1),
        "process_cpu_s": round(cpu, 1),
        "read": report.read,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "per_second": round(report.created / seconds) if seconds else None,
        "file_bytes": path.stat().st_size,
        "rss_before_mb": round((before_kb or 0) / 1024, 1),
        "vmhwm_mb": round((status_kb(os.getpid(), "VmHWM") or 0) / 1024, 1),
        "how": "formats.parse_csv(open(file, 'rb')) streamed into importing.store(), one transaction",
    }


SQLITE_COPY = {
    "journal_casefile": [
        "id", "year", "sequence", "case_date", "public_title", "unit_id", "classification", "external_id",
        "created_at", "updated_at",
    ],
    "journal_journalentry": [
        "id", "case_id", "year", "sequence", "number", "journal_date", "document_date", "type", "public_title",
        "unit_id", "case_worker", "restriction_code", "legal_basis", "external_id", "published_at", "withdrawn_at",
        "search_document", "names_faded_at", "content_hash", "created_at", "updated_at",
    ],
    "journal_correspondent": ["id", "entry_id", "kind", "name", "is_person", "screened", "order"],
    "journal_document": ["id", "entry_id", "title", "is_main", "file", "url", "order"],
}  # fmt: skip


def sqlite_load(given: dict) -> dict:
    """Fill the SQLite database: rows copied from PostgreSQL ("copy") with units matched by slug and the FTS5 index
    written by the engine's own index(); or the importer on the CSV ("import")."""
    setup_django()
    from django.db import connection, transaction

    from tinget.core.models import Unit
    from tinget.journal import formats, importing, search

    clock = time.monotonic()
    if given["how"] == "import":
        with Path(given["path"]).open("rb") as binary_file:
            report = importing.store(formats.parse_csv(binary_file))
        if report.rejected:
            return {"error": f"The importer rejected the file on SQLite: {report.error_rows()[:5]}"}
        counted = {"journal_journalentry": report.created}
    else:
        import psycopg

        units = dict(Unit.objects.values_list("slug", "pk"))
        counted = {}
        with psycopg.connect(given["source"]) as source, transaction.atomic():
            mapped = {pk: units[slug] for pk, slug in source.execute("SELECT id, slug FROM core_unit").fetchall()}
            for table, columns in SQLITE_COPY.items():
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                unit_at = columns.index("unit_id") if "unit_id" in columns else None
                count = 0
                with source.cursor(name=f"copy_{table}") as rows, connection.cursor() as target:
                    rows.itersize = 20_000
                    rows.execute(f"SELECT {names} FROM {table} ORDER BY id")
                    while batch := rows.fetchmany(20_000):
                        if unit_at is not None:
                            batch = [(*r[:unit_at], mapped[r[unit_at]], *r[unit_at + 1 :]) for r in batch]
                        target.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
                        count += len(batch)
                        if table == "journal_journalentry":
                            search.engine().index([(r[0], r[columns.index("search_document")]) for r in batch])
                counted[table] = count
    index_s = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
        cursor.execute("ANALYZE")
    return {
        "how": given["how"],
        "rows": counted,
        "load_s": round(index_s - clock, 1),
        "optimize_analyze_s": round(time.monotonic() - index_s, 1),
    }


# The twenty queries: (name, what it stands for, search-page parameters). Dates are relative to the data's last day.
def queries(end: date, case_number: str) -> list[tuple[str, str, dict]]:
    month_start = (end.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = end.replace(day=1) - timedelta(days=1)
    week = end - timedelta(days=400)
    week_start = week - timedelta(days=week.weekday())
    return [
        ("browse", "the page as first opened: the newest entries", {}),
        ("common", "a common word", {"q": "skole"}),
        ("common_relevance", "a common word by relevance", {"q": "skole", "sort": "relevance"}),
        (
            "common_quarter",
            "a common word in the last three months",
            {"q": "skole", "from": (end - timedelta(days=91)).isoformat(), "to": end.isoformat()},
        ),
        ("common_unit", "a common word in one unit", {"q": "skole", "unit": ["oppvekst"]}),
        ("medium", "a word in some 3 % of the entries", {"q": "tilbygg"}),
        ("rare", "a rare word", {"q": "kajakkstativ"}),
        ("no_hit", "a word nowhere", {"q": "xylofonkonsert"}),
        ("phrase", "a phrase", {"q": '"asker sentrum"'}),
        ("exclusion", "a word without another", {"q": "skole -heggedal"}),
        ("three_words", "three words, one a stop word", {"q": "søknad om tillatelse"}),
        ("two_words", "two words seldom together", {"q": "gravetillatelse røykenveien"}),
        ("person", "a person's name (searchable for 12 months)", {"q": "Kari Hansen"}),
        (
            "type_month",
            "incoming entries of last month",
            {"type": ["I"], "from": month_start.isoformat(), "to": month_end.isoformat()},
        ),
        ("unit_year", "one unit's entries of a year", {"unit": ["plan-og-bygning"], "year": end.year - 2}),
        ("year_oldest", "a whole year, oldest first", {"year": end.year - 7, "sort": "oldest"}),
        (
            "document_week",
            "a week by document date",
            {
                "date_field": "document",
                "from": week_start.isoformat(),
                "to": (week_start + timedelta(days=6)).isoformat(),
            },
        ),
        ("type_unit", "outgoing letters of one unit", {"type": ["U"], "unit": ["vei-og-park"]}),
        ("case", "a case number", {"case": case_number}),
        (
            "words_relevance_year",
            "two words by relevance in one year",
            {"q": "klage vedtak", "sort": "relevance", "year": end.year - 3},
        ),
    ]


def _params(query: dict):
    from tinget.journal.selectors import SearchParams

    def day(value):
        return date.fromisoformat(value) if value else None

    return SearchParams(
        text=query.get("q", ""),
        date_field=query.get("date_field", "journal"),
        date_from=day(query.get("from")),
        date_to=day(query.get("to")),
        types=tuple(query.get("type", ())),
        units=tuple(query.get("unit", ())),
        case=query.get("case", ""),
        year=query.get("year"),
        sort=query.get("sort", "date"),
    )


def _explain(sql: str, params, vendor: str) -> str:
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def search(given: dict) -> dict:
    """The twenty queries, warmed up, then timed in rounds through the search page's code path."""
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from tinget.journal import selectors
    from tinget.journal.models import JournalEntry

    vendor = connection.vendor
    entries = JournalEntry.objects.count()
    end = date.fromisoformat(given["end"])
    # The case of an entry in the middle of the data.
    middle = JournalEntry.objects.filter(pk__gte=JournalEntry.objects.order_by("-pk").values("pk")[:1][0]["pk"] // 2)
    middle = middle.order_by("pk").select_related("case").first()
    case_number = f"{middle.case.year}/{middle.case.sequence}" if middle else f"{end.year - 4}/1"
    plan = queries(end, case_number)

    path = None
    with contextlib.suppress(NoReverseMatch), translation.override("nb"):
        path = reverse("journal:index")
    # The selector the page calls (the search: counts, facets and the page of entries), and the view around it
    # (the whole page, rendered) when it exists. The figures are the selector's (JOURNAL_BENCH_VIA=view: the view's):
    # rendering the page costs some 20 ms of CPU of its own, whatever the search.
    via = given.get("via") or "selector"
    if via == "view" and not path:
        raise BenchError("JOURNAL_BENCH_VIA=view, but journal:index does not resolve")
    client = Client(HTTP_HOST="127.0.0.1")

    def call(query: dict, how: str):
        if how == "view":
            response = client.get(path + ("?" + urlencode(query, doseq=True) if query else ""))
            if response.status_code != 200:
                raise BenchError(f"GET {path}?{urlencode(query, doseq=True)} answered {response.status_code}")
            return response
        return selectors.search_entries(_params(query))

    def timed(query: dict, how: str) -> tuple[float, float]:
        cpu = time.process_time()
        clock = time.perf_counter()
        call(query, how)
        return (time.perf_counter() - clock) * 1000, (time.process_time() - cpu) * 1000

    ways = ["selector", "view"] if path else ["selector"]
    rng = random.Random(given["seed"])
    for _ in range(given["warmup"]):
        for how in ways:
            for _name, _what, query in plan:
                timed(query, how)
    wall = {how: {name: [] for name, _, _ in plan} for how in ways}
    cpu = {how: {name: [] for name, _, _ in plan} for how in ways}
    for _ in range(given["rounds"]):
        order = [(how, item) for how in ways for item in plan]
        rng.shuffle(order)
        for how, (name, _what, query) in order:
            ms, cpu_ms = timed(query, how)
            wall[how][name].append(ms)
            cpu[how][name].append(cpu_ms)

    found = {}
    for name, what, query in plan:
        result = selectors.search_entries(_params(query))
        with CaptureQueriesContext(connection) as captured:
            call(query, via)
        statements = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
        slowest = max(statements, default=(0.0, ""))
        explained = None
        if slowest[1].lstrip().upper().startswith("SELECT"):
            try:
                explained = _explain(slowest[1], None, vendor)
            except Exception as exc:  # a statement with a literal % or the like: keep the reason
                explained = f"(no plan: {exc})"
        found[name] = {
            "what": what,
            "params": query,
            "total": result.total,
            "total_estimated": getattr(result, "total_estimated", False),
            "facets_estimated": getattr(result, "facets_estimated", False),
            "shown": len(result.entries),
            "facets": {key: len(values) for key, values in result.facets.items()},
            "ms": summary(wall[via][name]),
            "cpu_ms": summary(cpu[via][name]),
            **({"selector_ms": summary(wall["selector"][name])} if via != "selector" else {}),
            "statements": [f"{t * 1000:.1f} ms  {' '.join(sql.split())[:300]}" for t, sql in statements],
            "slowest_plan": explained,
        }

    def every(measured: dict) -> list[float]:
        return [ms for values in measured.values() for ms in values]

    slowest = _slowest(wall[via])
    return {
        "vendor": vendor,
        "entries": entries,
        "via": "selectors.search_entries" if via == "selector" else f"the view, GET {path} (django.test.Client)",
        "all": summary(every(wall[via])),
        "cpu": summary(every(cpu[via])),
        "selector": summary(every(wall["selector"])),
        "selector_cpu": summary(every(cpu["selector"])),
        "view": summary(every(wall["view"])) if "view" in wall else None,
        "p95_without_slowest_query": round(
            percentile([ms for name, values in wall[via].items() if name != slowest for ms in values], 95), 2
        ),
        "slowest_query": slowest,
        "queries": found,
    }


def _slowest(wall: dict) -> str:
    return max(wall, key=lambda name: percentile(wall[name], 50))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    parts = {"generate": generate, "import": import_file, "sqlite": sqlite_load, "search": search}
    if command not in parts or len(sys.argv) != 3:
        sys.exit("usage: python -m bench.journal generate|import|sqlite|search JSON")
    outcome = parts[command](json.loads(sys.argv[2]))
    print(json.dumps(outcome, default=str))
