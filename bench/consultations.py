"""Consultations with 10,000 inputs: the staff input list, the CSV export, the public pages and a 20 MB upload.

PostgreSQL in a database of its own (BENCH_CONSULTATIONS_DATABASE_URL; by default DATABASE_URL's, or
tinget_bench's, name with "_consultations" added, created if missing), migrated, with the Asker profile. It holds
a consultation in processing with BENCH_SUBMISSIONS (10,000) sent inputs and some drafts, made with bulk_create
once and reused (persons and organisations, comments on sections, answers to a choice and a scale question, tags,
some considered, some hidden, some with an attachment row), and an open consultation that takes the upload. Each
run makes fresh sessions in the database as the logins leave them: the responsible unit's case worker (password
and TOTP, allauth's authentication records) and a resident (e-mail login). gunicorn serves config.wsgi with
production settings on a free loopback port; one client asks one request at a time:

- staff_list_p95_ms: GET consultations:staff_submissions as the case worker, random pages (?side=N: the
  site's page parameter), plain and filtered by tag, section and considered;
- public_p95_ms: GET consultations:detail of that consultation as a visitor, made afresh (a query parameter
  keeps it out of the page cache; public_with_page_cache_p95_ms and public_logged_in_p95_ms, no target: the
  plain address, and as the logged-in resident), and public_input_p95_ms (no target): consultations:submissions,
  random pages;
- export_s, export_peak_mb: GET consultations:export_csv, timed to the last byte, from a gunicorn with one
  worker whose peak resident memory (VmHWM, reset after a warm-up, and VmRSS sampled every few ms) is read
  while it streams; every record of the CSV is counted (export_rows_off: the difference from the sent inputs);
- upload_peak_mb: in-process, Django's WSGIHandler answers a multipart POST to consultations:give_input
  (action=send, a 20 MB PDF) whose wsgi.input is a file on disk, under tracemalloc; the stored file's size is
  compared with the upload's (upload_size_off).

The *_cpu_p95_ms and *_queries figures come from the same pages through Django's test client in a process of
their own (CPU time and SQL statements per page); details.queries has the slowest statements of each page with
their plans (EXPLAIN ANALYZE). Knobs (environment): BENCH_SUBMISSIONS (10000), BENCH_STAFF_ITERATIONS (300),
BENCH_PUBLIC_ITERATIONS (300), BENCH_EXPORT_ITERATIONS (3), BENCH_UPLOAD_MB (20), BENCH_SEED (606),
BENCH_CACHE (redis when it answers, else locmem), BENCH_EXPORT_TRACEMALLOC (0; 1: also trace the export's
Python memory in-process, about 20 s more). `python -m bench.consultations prepare|upload|profile` are
the parts run in subprocesses with Django set up (see run()).
"""

import contextlib
import csv
import http.client
import io
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._support import (
    LOOPBACK,
    ROOT,
    BenchError,
    CpuMeter,
    Gunicorn,
    RssSampler,
    choose_shared_cache,
    empty_redis,
    ensure_database,
    env_int,
    fetch,
    manage,
    production_env,
    redacted,
    run_python,
    scenario_database_url,
    setup_django,
    status_kb,
    summary,
)

TARGETS = {
    "staff_list_p95_ms": ("<=", 100),
    "export_s": ("<=", 5),
    "export_peak_mb": ("<=", 200),
    "public_p95_ms": ("<=", 50),
    # One memory-upload buffer (FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) and the request's own objects; the file is 20 MB.
    "upload_peak_mb": ("<=", 5),
    # Checks: the export holds every sent input once, and the stored attachment is the file sent.
    "export_rows_off": ("<=", 0),
    "upload_size_off": ("<=", 0),
}
WORKERS = 2
CASE_NUMBER = "BENCH/10000"
UPLOAD_CASE_NUMBER = "BENCH/UPLOAD"
STAFF_EMAIL = "bench-saksbehandler@example.no"
UPLOADER_EMAIL = "bench-opplaster@example.no"
AUTHOR_PREFIX = "bench-innsender-"
UNIT_SLUG = "plan-og-bygning"
AUTHORS = 2000
DRAFTS = 200
BATCH = 2000
# A Redis database of this scenario's own (emptied at the start and the end), when Redis answers.
REDIS_CACHE_URL = "redis://127.0.0.1:6379/8"

# The staff list's filters, as the processing views read them (tinget/consultations/views/processing.py).
FILTER_PARAMS = {"tag": "tag", "section": "section", "considered": "considered"}
CONSIDERED_VALUES = {"yes": "yes", "no": "no"}
# The site's page parameter (Paginator.get_page(request.GET.get("side")) in every list).
PAGE_PARAM = "side"
# A query parameter no view reads: the public page with it is made afresh, not taken from the page cache.
UNCACHED_PARAM = "bench"


def knobs() -> dict:
    return {
        "submissions": env_int("BENCH_SUBMISSIONS", 10_000),
        "staff_iterations": env_int("BENCH_STAFF_ITERATIONS", 300),
        "public_iterations": env_int("BENCH_PUBLIC_ITERATIONS", 300),
        "export_iterations": env_int("BENCH_EXPORT_ITERATIONS", 3),
        "upload_mb": env_int("BENCH_UPLOAD_MB", 20),
        "seed": env_int("BENCH_SEED", 606),
    }


# --- A database made with migrations as they are ----------------------------------------------------------


def migration_hashes() -> dict:
    """{"app/0001_name": sha256 prefix} of the repository's migration files."""
    import hashlib

    found = {}
    for path in sorted((ROOT / "tinget").rglob("migrations/*.py")):
        if path.name != "__init__.py":
            found[f"{path.parent.parent.name}/{path.stem}"] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return found


def _maintenance(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True, connect_timeout=5)


def stale_database(url: str) -> list[str]:
    """The migrations that were applied to the reused database from a file that has changed since (a migration
    rewritten in place, as happens before a release): the data made on that schema cannot be trusted."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as conn:
        row = conn.execute(
            sql.SQL("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s"), [name]
        ).fetchone()
    try:
        applied = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        applied = {}
    current = migration_hashes()
    return sorted(key for key, digest in applied.items() if current.get(key) not in (None, digest))


def drop_database(url: str):
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def note_migrations(url: str):
    """Remember in the database's comment which migration files built it (see stale_database)."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with _maintenance(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(migration_hashes(), separators=(",", ":")))
            )
        )


def _worker(env, *args, timeout=900) -> dict:
    """Run `python -m bench.consultations ARGS` (Django set up from env); its last stdout line is JSON."""
    stdout = run_python(env, "-m", "bench.consultations", *args, timeout=timeout)
    answer = json.loads(stdout.strip().splitlines()[-1])
    if "error" in answer:
        raise BenchError(answer["error"])
    return answer


# --- Memory of a gunicorn worker ---------------------------------------------------------------------------


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = (entry / "stat").read_text()
            if int(text[text.rindex(")") + 2 :].split()[1]) == parent:
                found.append(int(entry.name))
    return found


def _reset_peak(pid: int) -> bool:
    """Set the process's VmHWM back to its current VmRSS (Linux 4.0+, `echo 5 > clear_refs`)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# --- HTTP ----------------------------------------------------------------------------------------------------


def timed_get(base_url: str, path: str, cookie: str = "", expect=(200,)) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, headers, body = fetch(base_url + path, headers={"Cookie": cookie} if cookie else {}, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    if status not in expect:
        raise BenchError(f"GET {path} answered {status} (Location {headers.get('location')!r}): {body[:600]!r}")
    return elapsed, body


def stream_get(base_url: str, path: str, cookie: str) -> dict:
    """GET, reading the body as it comes: the time to the first byte and to the last, and the body."""
    parts = urlsplit(base_url + path)
    if parts.hostname != LOOPBACK:
        raise BenchError(f"Refusing to send benchmark traffic off loopback: {path}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    chunks = []
    try:
        started = time.perf_counter()
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Cookie": cookie})
        response = conn.getresponse()
        first = None
        while True:
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            if first is None:
                first = time.perf_counter()
            chunks.append(chunk)
        finished = time.perf_counter()
        headers = {k.lower(): v for k, v in response.getheaders()}
        status = response.status
    finally:
        conn.close()
    body = b"".join(chunks)
    if status != 200:
        raise BenchError(f"GET {path} answered {status} (Location {headers.get('location')!r}): {body[:600]!r}")
    return {
        "seconds": finished - started,
        "first_byte_ms": round(((first or finished) - started) * 1000, 1),
        "bytes": len(body),
        "headers": headers,
        "body": body,
    }


def count_csv(body: bytes) -> dict:
    """Records in the CSV (a quoted field may hold line breaks), and its header."""
    text = body.decode("utf-8-sig")
    dialect = "excel"
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(rows, [])
    count = sum(1 for row in rows if row)
    return {"records": count, "header": header, "delimiter": getattr(dialect, "delimiter", ",")}


def linked_numbers(html: str, prefix: str) -> set[int]:
    """The numbers of the inputs a page links to (hrefs starting with `prefix`, then the number)."""
    return {int(n) for n in re.findall(re.escape(prefix) + r"(\d+)/", html)}


# --- The run -------------------------------------------------------------------------------------------------


def staff_plan(prepared: dict, count: int, rng) -> list[tuple[str, str, int | range]]:
    """(kind, path, inputs expected on the page): half plain pages, half filtered by tag, section or considered.
    What is expected is the numbers themselves for a plain page (all input is numbered 1..N), else how many."""
    page_size = prepared["page_size"]
    base = prepared["paths"]["staff_submissions"]
    filters = prepared["filters"]
    plan = []
    for _ in range(count):
        kind = "plain" if rng.random() < 0.5 else rng.choice(sorted(k for k, values in filters.items() if values))
        if kind == "plain":
            total, query = prepared["sent"], {}
        else:
            value, total = rng.choice(filters[kind])
            query = {FILTER_PARAMS[kind]: value}
        pages = max(1, math.ceil(total / page_size))
        page = rng.randint(1, pages)
        expected = min(page_size, total - (page - 1) * page_size)
        if kind == "plain":
            expected = range((page - 1) * page_size + 1, (page - 1) * page_size + expected + 1)
        plan.append((kind, f"{base}?{urlencode({**query, PAGE_PARAM: page})}", expected))
    return plan


def measure_pages(base_url: str, prepared: dict, options: dict, rng) -> dict:
    staff_cookie = prepared["staff_cookie"]
    paths = prepared["paths"]
    staff_prefix = paths["staff_submission_prefix"]

    # Warm both workers (templates, the session in each worker's cache, PostgreSQL's buffers).
    for _ in range(4 * WORKERS):
        timed_get(base_url, paths["staff_submissions"], staff_cookie)
        timed_get(base_url, paths["detail"])
        timed_get(base_url, paths["submissions"])

    plan = staff_plan(prepared, options["staff_iterations"], rng)
    staff_ms, by_kind, wrong = [], {}, []
    for kind, path, expected in plan:
        elapsed, body = timed_get(base_url, path, staff_cookie)
        staff_ms.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
        shown = linked_numbers(body.decode("utf-8", errors="replace"), staff_prefix)
        if (shown != set(expected)) if isinstance(expected, range) else (len(shown) != expected):
            wrong.append(
                {
                    "path": path,
                    "expected": f"{expected.start}-{expected.stop - 1}" if isinstance(expected, range) else expected,
                    "linked": f"{min(shown)}-{max(shown)} ({len(shown)})" if shown else "none",
                }
            )

    # The page as a visitor who is not logged in gets it is kept whole for a moment in each worker
    # (TINGET_CONSULTATION_PAGE_CACHE_SECONDS): requests one after the other mostly get that copy. The target is
    # the page made afresh, which every visitor gets when nobody asked in the last moment (most of the time,
    # outside the busiest hours) and every logged-in visitor always gets: a query string no view reads keeps
    # the copy out of it (the view keeps none for a URL with a query).
    public_ms, cached_ms, logged_in_ms = [], [], []
    for index in range(options["public_iterations"]):
        elapsed, _body = timed_get(base_url, f"{paths['detail']}?{UNCACHED_PARAM}={index}")
        public_ms.append(elapsed)
        elapsed, _body = timed_get(base_url, paths["detail"])
        cached_ms.append(elapsed)
        elapsed, _body = timed_get(base_url, paths["detail"], prepared["uploader_cookie"])
        logged_in_ms.append(elapsed)

    input_ms = []
    pages = max(1, math.ceil(prepared["sent"] / prepared["page_size"]))
    for _ in range(options["public_iterations"]):
        elapsed, _body = timed_get(base_url, f"{paths['submissions']}?{PAGE_PARAM}={rng.randint(1, pages)}")
        input_ms.append(elapsed)

    return {
        "staff": summary(staff_ms),
        "staff_by_kind": {kind: summary(values) for kind, values in sorted(by_kind.items())},
        "staff_pages_with_wrong_rows": wrong[:20],
        "staff_pages_with_wrong_rows_count": len(wrong),
        "public": summary(public_ms),
        "public_cached": summary(cached_ms),
        "public_logged_in": summary(logged_in_ms),
        "public_input": summary(input_ms),
        "staff_sample_paths": [path for _kind, path, _expected in plan[:10]],
    }


def measure_export(server: Gunicorn, prepared: dict, options: dict) -> dict:
    """The CSV export from a server with one worker: time to the last byte and the worker's peak memory."""
    workers = _children(server.process.pid)
    if len(workers) != 1:
        raise BenchError(f"Expected one gunicorn worker for the export, found {workers}")
    pid = workers[0]
    cookie = prepared["staff_cookie"]
    paths = prepared["paths"]
    # Warm the worker with a page that loads the same code and the session, not with an export.
    for _ in range(3):
        timed_get(server.base_url, paths["staff_submissions"], cookie)
    runs = []
    for _ in range(options["export_iterations"]):
        rss_before = status_kb(pid, "VmRSS")
        reset = _reset_peak(pid)
        sampler = RssSampler(pid)
        sampler.start()
        try:
            got = stream_get(server.base_url, paths["export_csv"], cookie)
        finally:
            sampled = sampler.stop()
        hwm = status_kb(pid, "VmHWM") if reset else None
        rss_after = status_kb(pid, "VmRSS")
        counted = count_csv(got["body"])
        peak_kb = max(sampled, hwm or 0)
        runs.append(
            {
                "seconds": round(got["seconds"], 3),
                "first_byte_ms": got["first_byte_ms"],
                "bytes": got["bytes"],
                "records": counted["records"],
                "rss_before_mb": round((rss_before or 0) / 1024, 1),
                "peak_mb": round(peak_kb / 1024, 1),
                "vmhwm_mb": round(hwm / 1024, 1) if hwm else None,
                "sampled_peak_mb": round(sampled / 1024, 1),
                "rss_samples": sampler.samples,
                "rss_after_mb": round((rss_after or 0) / 1024, 1),
                "growth_mb": round((peak_kb - (rss_before or 0)) / 1024, 1),
                "content_type": got["headers"].get("content-type"),
                "content_length": got["headers"].get("content-length"),
                "transfer_encoding": got["headers"].get("transfer-encoding"),
                "content_disposition": got["headers"].get("content-disposition"),
            }
        )
        header = counted["header"]
        delimiter = counted["delimiter"]
    return {
        "worker_pid": pid,
        "peak_reset_with_clear_refs": runs[0]["vmhwm_mb"] is not None,
        "runs": runs,
        "header": header,
        "delimiter": delimiter,
        # No Content-Length and chunked: the body was streamed, not built first.
        "streamed": all(run["content_length"] is None for run in runs),
    }


def cpu_meter(server: Gunicorn, database_url: str) -> CpuMeter:
    """Where the cores go while the pages are timed: gunicorn, this database's PostgreSQL backends, this client;
    "other" is everything else on the machine."""
    master, me = server.process.pid, os.getpid()
    database = urlsplit(database_url).path.lstrip("/")
    return CpuMeter(
        {
            "gunicorn": lambda pid, name, parent, title: master in (pid, parent),
            "postgresql": lambda pid, name, parent, title: name == "postgres" and f" {database} " in title,
            "client": lambda pid, name, parent, title: pid == me,
        }
    )


def preflight(base_url: str, prepared: dict) -> dict:
    """The pages answer as the measured requests expect before anything is timed: the staff list to the case
    worker (not a redirect to the login or the code), nothing to a visitor, the public pages to everyone."""
    paths = prepared["paths"]
    checks = {}
    status, headers, _body = fetch(base_url + paths["staff_submissions"], timeout=30)
    checks["staff_list_as_visitor"] = {"status": status, "location": headers.get("location")}
    if status not in (302, 303, 403, 404):
        raise BenchError(f"The staff list answered {status} to a visitor who is not logged in")
    status, headers, body = fetch(base_url + paths["staff_submissions"], {"Cookie": prepared["staff_cookie"]}, 30)
    if status != 200:
        raise BenchError(
            f"The staff list answered {status} (Location {headers.get('location')!r}) to the case worker's session: "
            f"{body[:600]!r}"
        )
    first_page = linked_numbers(body.decode("utf-8", errors="replace"), paths["staff_submission_prefix"])
    checks["staff_list_first_page_links"] = len(first_page)
    if len(first_page) != min(prepared["page_size"], prepared["sent"]):
        raise BenchError(
            f"The staff list's first page links {len(first_page)} inputs ({paths['staff_submission_prefix']}N/), "
            f"not {prepared['page_size']}"
        )
    for name in ("detail", "submissions"):
        status, headers, body = fetch(base_url + paths[name], timeout=30)
        checks[name] = status
        if status != 200:
            raise BenchError(f"{paths[name]} answered {status}: {body[:600]!r}")
    return checks


def run() -> dict:
    options = knobs()
    database_url = scenario_database_url("consultations")
    cache_name, cache_url = choose_shared_cache("consultations", REDIS_CACHE_URL)
    steps = {}
    clock = time.monotonic()
    database = ensure_database(database_url)
    changed = stale_database(database_url)
    if changed:
        # Made with migrations that have been rewritten since: start again from an empty database.
        drop_database(database_url)
        database = ensure_database(database_url)
    database["rebuilt_for_changed_migrations"] = changed
    database["url"] = redacted(database_url)
    steps["database_s"] = round(time.monotonic() - clock, 1)
    if cache_url == REDIS_CACHE_URL:
        empty_redis(cache_url)
    rng = random.Random(options["seed"])
    try:
        with tempfile.TemporaryDirectory(prefix="bench-consultations-") as work_dir:
            work = Path(work_dir)
            env = production_env(
                DATABASE_URL=database_url,
                CACHE_URL=cache_url,
                STATIC_ROOT=work / "static",
                # Uploaded files go to a folder of the run's own, removed with it.
                TINGET_PROTECTED_MEDIA_ROOT=work / "protected-media",
            )
            for label, args in (
                ("migrate_s", ("migrate", "--noinput")),
                ("load_profile_s", ("load_profile", "asker")),
                ("collectstatic_s", ("collectstatic", "--noinput", "-v", "0")),
            ):
                clock = time.monotonic()
                manage(env, *args, timeout=600)
                steps[label] = round(time.monotonic() - clock, 1)
            note_migrations(database_url)
            clock = time.monotonic()
            prepared = _worker(env, "prepare", json.dumps(options))
            steps["prepare_s"] = round(time.monotonic() - clock, 1)

            load_before = list(os.getloadavg())
            server = Gunicorn(env, workers=WORKERS)
            with server:
                try:
                    checked = preflight(server.base_url, prepared)
                    meter = cpu_meter(server, database_url)
                    meter.start()
                    pages = measure_pages(server.base_url, prepared, options, rng)
                    pages_cpu = meter.stop()
                except BenchError as error:
                    raise BenchError(f"{error}\n[gunicorn log]\n{server.log_tail(80)}") from error
                server_log = server.log_tail()

            export_server = Gunicorn(env, workers=1)
            with export_server:
                try:
                    meter = cpu_meter(export_server, database_url)
                    meter.start()
                    exported = measure_export(export_server, prepared, options)
                    export_cpu = meter.stop()
                except BenchError as error:
                    raise BenchError(f"{error}\n[gunicorn log]\n{export_server.log_tail(80)}") from error
                export_log = export_server.log_tail()

            clock = time.monotonic()
            uploaded = _worker(env, "upload", json.dumps({**prepared, "options": options, "work": str(work)}))
            steps["upload_s"] = round(time.monotonic() - clock, 1)
            clock = time.monotonic()
            profiled = _worker(env, "profile", json.dumps({**prepared, "options": options}))
            steps["profile_s"] = round(time.monotonic() - clock, 1)
            load_after = list(os.getloadavg())
    finally:
        if cache_url == REDIS_CACHE_URL:
            with contextlib.suppress(Exception):
                empty_redis(cache_url)

    runs = exported["runs"]
    figures = {
        "staff_list_p95_ms": pages["staff"]["p95"],
        "staff_list_p50_ms": pages["staff"]["p50"],
        "export_s": max(run["seconds"] for run in runs),
        "export_peak_mb": max(run["peak_mb"] for run in runs),
        "export_growth_mb": max(run["growth_mb"] for run in runs),
        "export_first_byte_ms": max(run["first_byte_ms"] for run in runs),
        "export_rows": runs[-1]["records"],
        "export_rows_off": max(abs(run["records"] - prepared["sent"]) for run in runs),
        "public_p95_ms": pages["public"]["p95"],
        "public_with_page_cache_p95_ms": pages["public_cached"]["p95"],
        "public_logged_in_p95_ms": pages["public_logged_in"]["p95"],
        "public_input_p95_ms": pages["public_input"]["p95"],
        "upload_peak_mb": uploaded["tracemalloc_peak_mb"],
        "upload_mb": uploaded["upload_mb"],
        "upload_size_off": uploaded["size_off"],
        "upload_rss_growth_mb": uploaded["rss_growth_mb"],
        # The application's own cost per page, in-process (see profile()): CPU and SQL statements.
        "staff_list_cpu_p95_ms": profiled["cpu_ms"]["staff_list"]["p95"],
        "public_cpu_p95_ms": profiled["cpu_ms"]["detail"]["p95"],
        "public_input_cpu_p95_ms": profiled["cpu_ms"]["submissions"]["p95"],
        "staff_list_queries": profiled["queries"]["staff_list"]["count"],
        "public_queries": profiled["queries"]["detail"]["count"],
        "public_input_queries": profiled["queries"]["submissions"]["count"],
        "export_queries": profiled["queries"]["export_csv"]["count"],
        "submissions": prepared["sent"],
        # CPU seconds the rest of the machine took while the pages were timed (see details.cpu_seconds): the
        # wall-clock figures are only worth as much as this is small.
        "cpu_other_s": pages_cpu.get("other"),
        "cpu_window_s": pages_cpu.get("window_s"),
    }
    return {
        "figures": figures,
        "database": database,
        "details": {
            "latency_ms": {
                k: pages[k]
                for k in ("staff", "staff_by_kind", "public", "public_cached", "public_logged_in", "public_input")
            },
            "staff_pages_with_wrong_rows": pages["staff_pages_with_wrong_rows"],
            "staff_pages_with_wrong_rows_count": pages["staff_pages_with_wrong_rows_count"],
            "staff_sample_paths": pages["staff_sample_paths"],
            "export": exported,
            "upload": uploaded,
            "profile": {k: profiled[k] for k in ("cpu_ms", "export_tracemalloc")},
            "queries": profiled["queries"],
            "indexes": profiled["indexes"],
            "preflight": checked,
            "data": prepared["data"],
            "paths": prepared["paths"],
            "settings": prepared["settings"],
            "cpu_seconds": {"pages": pages_cpu, "export": export_cpu},
            "load_average_before": load_before,
            "load_average_after": load_after,
            "server": {
                "command": " ".join(server.command),
                "workers": WORKERS,
                "export_command": " ".join(export_server.command),
                "export_workers": 1,
                "settings": "config.settings.production",
                "cache": cache_name,
                "bound_to": LOOPBACK,
                "client": "one request at a time (sequential), http.client over loopback",
            },
            "setup_seconds": steps,
            "server_log_tail": server_log,
            "export_server_log_tail": export_log,
        },
    }


# --- The parts that run with Django set up -------------------------------------------------------------------


GIVEN = [
    "Kari", "Ola", "Ingrid", "Lars", "Sofie", "Jonas", "Nora", "Emil", "Astrid", "Magnus", "Sigrid", "Henrik",
    "Maja", "Ahmed", "Fatima", "Piotr", "Anna", "Eirik", "Hanne", "Tor", "Liv", "Mohammed", "Solveig", "Kristian",
]  # fmt: skip
FAMILY = [
    "Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Ali", "Nowak", "Dahl",
]  # fmt: skip
ORGANISATIONS = [
    ("Holmen Vel", "styreleder"),
    ("Asker Turlag", "daglig leder"),
    ("Naturvernforbundet i Asker", "leder"),
    ("Heggedal Næringsforening", "styremedlem"),
    ("FAU Slemmestad skole", "leder"),
    ("Asker Idrettsråd", "sekretær"),
    ("Syklistenes Landsforening Asker", "leder"),
    ("Borgen Huseierforening", "styreleder"),
    ("Statens vegvesen", "rådgiver"),
    ("Viken fylkeskommune", "seniorrådgiver"),
]
SECTIONS = [
    ("1", "Bakgrunn og formål"),
    ("2", "Utbyggingsmønster"),
    ("2.1", "Boligbygging i sentrum"),
    ("2.2", "Fortetting langs banen"),
    ("3", "Grønnstruktur og friluftsliv"),
    ("4", "Samferdsel og parkering"),
    ("4.1", "Gang- og sykkelveier"),
    ("5", "Skole, barnehage og idrett"),
    ("6", "Næring og arbeidsplasser"),
    ("7", "Kulturminner"),
    ("8", "Klima og miljø"),
    ("9", "Konsekvensutredning"),
]
TAGS = ["trafikk", "støy", "grøntområder", "boligbygging", "skolevei", "parkering", "kulturminner", "klima"]
SENTENCES = [
    "Jeg bor på Holmen og går denne veien hver dag.",
    "Planen tar for lite hensyn til barna som går til skolen.",
    "Fem etasjer er for høyt; det passer ikke inn i strøket.",
    "Vi trenger flere boliger, men ikke på bekostning av skogen.",
    'Forslaget om "grønn korridor" langs bekken er godt, og vi støtter det.',
    "Parkeringsnormen bør være lavere nær stasjonen.",
    "Sykkelveien må henge sammen hele veien til sentrum.",
    "Kulturminnene ved gården må sikres med hensynssone.",
    "Trafikken i krysset er allerede farlig om morgenen, særlig i mørketiden.",
    "Det er bra at kommunen spør oss, men høringsfristen er kort.",
    "Vi ber om at området avsettes til friområde, ikke til bolig.",
    "Støyen fra veien er et problem for beboerne; det må utredes bedre.",
    "Konsekvensutredningen mangler en vurdering av overvann.",
    "Idrettsbanen er for liten for alle lagene som trener der.",
    "Næringsarealene bør ligge nær motorveien, ikke i boligfeltene.",
    "Vi foreslår at det lages en ny gangbro over jernbanen, ca. 200 m nord for stasjonen.",
]
CHOICES = ["Fortette i sentrum", "Bygge langs banen", "Spre utbyggingen", "Vet ikke"]


def _text(rng, sentences: int) -> str:
    paragraphs, current = [], []
    for _ in range(sentences):
        current.append(rng.choice(SENTENCES))
        if rng.random() < 0.25:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _ensure_staff(unit):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled
    from django.contrib.auth import get_user_model

    from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles

    user = get_user_model().objects.filter(email=STAFF_EMAIL).first()
    if user is None:
        user = get_user_model().objects.create_user(
            STAFF_EMAIL, None, display_name="Sander Saksbehandler", is_staff=True, preferred_language="nb"
        )
    user.groups.add(ensure_staff_roles()[CASE_WORKER])
    user.units.add(unit)
    if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        TOTP.activate(user, generate_totp_secret())
    return user


def _ensure_uploader():
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(email=UPLOADER_EMAIL).first()
    if user is None:
        user = get_user_model().objects.create_user(
            UPLOADER_EMAIL, None, display_name="Ulla Opplaster", preferred_language="nb"
        )
    EmailAddress.objects.update_or_create(user=user, email=UPLOADER_EMAIL, defaults={"verified": True, "primary": True})
    return user


def _ensure_authors() -> list[int]:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    emails = [f"{AUTHOR_PREFIX}{n:04d}@example.no" for n in range(AUTHORS)]
    existing = set(user_model.objects.filter(email__startswith=AUTHOR_PREFIX).values_list("email", flat=True))
    users = []
    for email in emails:
        if email not in existing:
            user = user_model(email=email, preferred_language="nb")
            user.set_unusable_password()
            users.append(user)
    user_model.objects.bulk_create(users, batch_size=1000)
    return list(user_model.objects.filter(email__startswith=AUTHOR_PREFIX).order_by("pk").values_list("pk", flat=True))


def _consultation_data(unit, title, case_number, opens_at, deadline) -> dict:
    return {
        "title": title,
        "summary": "Kommuneplanens arealdel sier hvor det kan bygges boliger, næring og veier de neste tolv årene, "
        "og hvilke områder som skal bevares som natur og friområder.",
        "influence": "Hvor nye boliger skal ligge, hvor høyt det kan bygges, og hvilke grøntområder som skal vernes.",
        "next_steps": "Planutvalget behandler planen med innspillene. Kommunestyret vedtar den.",
        "case_number": case_number,
        "unit": unit,
        "contact_name": "Per Plan",
        "contact_email": "per.plan@example.no",
        "opens_at": opens_at,
        "deadline": deadline,
    }


def _delete_consultation(consultation):
    from tinget.consultations.models import Submission

    Submission.objects.filter(consultation=consultation).delete()
    consultation.delete()


def _ensure_big_consultation(municipality, unit, staff, wanted: int, rng) -> tuple:
    """The consultation with `wanted` sent inputs (and DRAFTS drafts), made in one transaction; reused."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from tinget.consultations import services
    from tinget.consultations.models import (
        Answer,
        Consultation,
        Question,
        Submission,
        SubmissionAttachment,
        Tag,
    )

    existing = Consultation.objects.filter(case_number=CASE_NUMBER).first()
    if existing is not None:
        if existing.submissions.sent().count() == wanted:
            return existing, {"created": 0, "reused": True}
        _delete_consultation(existing)

    clock = time.monotonic()
    now = timezone.now()
    opens_at = now - timedelta(days=60)
    with transaction.atomic():
        consultation = services.consultation_create(
            actor=staff,
            municipality=municipality,
            data=_consultation_data(
                unit, "[bench] Kommuneplanens arealdel 2027-2039", CASE_NUMBER, opens_at, now + timedelta(days=1)
            ),
        )
        for number, heading in SECTIONS:
            services.section_save(
                actor=staff,
                consultation=consultation,
                data={"number": number, "heading": heading, "body": _text(rng, 12)},
            )
        choice = services.question_save(
            actor=staff,
            consultation=consultation,
            data={"kind": Question.Kind.CHOICE, "text": "Hvilket utbyggingsmønster foretrekker du?"},
            options=CHOICES,
        )
        scale = services.question_save(
            actor=staff,
            consultation=consultation,
            data={
                "kind": Question.Kind.SCALE,
                "text": "Hvor godt tar planen vare på natur og friluftsliv?",
                "scale_max": 5,
                "scale_min_label": "Svært dårlig",
                "scale_max_label": "Svært godt",
            },
        )
        free = services.question_save(
            actor=staff,
            consultation=consultation,
            data={"kind": Question.Kind.TEXT, "text": "Er det noe planen mangler?"},
        )
        services.consultation_publish(actor=staff, consultation=consultation, now=opens_at)
        sections = list(consultation.sections.order_by("order"))
        options = list(choice.options.order_by("order"))
        tags = Tag.objects.bulk_create(Tag(consultation=consultation, name=name) for name in TAGS)
        authors = _ensure_authors()

        # Sent over 56 days, more of them near the deadline (as input comes).
        span = timedelta(days=56).total_seconds()
        times = sorted(opens_at + timedelta(seconds=span * (1 - rng.random() ** 2)) for _ in range(wanted))
        processing_at = opens_at + timedelta(days=57)
        section_weights = [5, 3, 4, 4, 6, 6, 3, 3, 2, 2, 3, 1]
        through = Submission.tags.through
        made = {"answers": 0, "tag_links": 0, "attachments": 0, "hidden": 0, "considered": 0, "comments": 0}
        for start in range(0, wanted, BATCH):
            rows, plans = [], []
            for number in range(start + 1, min(wanted, start + BATCH) + 1):
                sent_at = times[number - 1]
                organisation = rng.random() < 0.12
                comment = rng.random() < 0.3
                name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                org_name, org_role = rng.choice(ORGANISATIONS) if organisation else ("", "")
                considered = rng.random() < 0.4
                hidden = rng.random() < 0.01
                row = Submission(
                    consultation=consultation,
                    number=number,
                    status=Submission.Status.SENT,
                    author_id=rng.choice(authors) if rng.random() > 0.03 else None,
                    author_name=name,
                    sender_kind=Submission.SenderKind.ORGANISATION if organisation else Submission.SenderKind.PERSON,
                    organisation_name=org_name,
                    organisation_role=org_role,
                    show_name=organisation or rng.random() < 0.45,
                    section=rng.choices(sections, section_weights)[0] if comment else None,
                    text=_text(rng, rng.randint(1, 6) if comment else rng.choice([0, 2, 4, 8, 12, 20])),
                    language="nb",
                    version=1,
                    sent_at=sent_at,
                    considered_at=processing_at + timedelta(hours=rng.uniform(1, 48)) if considered else None,
                    considered_by=staff if considered else None,
                    response=_text(rng, 2) if considered and rng.random() < 0.5 else "",
                    hidden_at=processing_at if hidden else None,
                    hidden_by=staff if hidden else None,
                    hidden_reason="Innspillet inneholder personopplysninger om andre." if hidden else "",
                )
                if not comment and not row.text and rng.random() < 0.5:
                    row.text = _text(rng, 1)
                rows.append(row)
                plans.append(
                    {
                        "choice": not comment and rng.random() < 0.75,
                        "scale": not comment and rng.random() < 0.65,
                        "free": not comment and rng.random() < 0.2,
                        "tags": rng.sample(tags, rng.randint(1, 3)) if rng.random() < 0.45 else [],
                        "attachment": rng.random() < 0.06,
                    }
                )
                made["hidden"] += hidden
                made["considered"] += considered
                made["comments"] += comment
            Submission.objects.bulk_create(rows, batch_size=1000)
            answers, tag_rows, attachments = [], [], []
            for row, plan in zip(rows, plans, strict=True):
                if plan["choice"]:
                    option = rng.choices(options, [5, 3, 2, 1])[0]
                    answers.append(Answer(submission=row, question=choice, option=option))
                if plan["scale"]:
                    answers.append(
                        Answer(submission=row, question=scale, scale_value=rng.choices(range(1, 6), [2, 3, 4, 3, 2])[0])
                    )
                if plan["free"]:
                    answers.append(Answer(submission=row, question=free, text=_text(rng, 2)))
                tag_rows.extend(through(submission_id=row.pk, tag_id=tag.pk) for tag in plan["tags"])
                if plan["attachment"]:
                    attachments.append(
                        SubmissionAttachment(
                            submission=row,
                            file=f"submissions/bench-{consultation.pk}-{row.number}.pdf",
                            filename=f"Innspill fra {row.author_name}.pdf",
                            content_type="application/pdf",
                            size=rng.randint(40_000, 3_000_000),
                        )
                    )
            Answer.objects.bulk_create(answers, batch_size=2000)
            through.objects.bulk_create(tag_rows, batch_size=2000)
            SubmissionAttachment.objects.bulk_create(attachments, batch_size=1000)
            made["answers"] += len(answers)
            made["tag_links"] += len(tag_rows)
            made["attachments"] += len(attachments)
            print(f"{min(wanted, start + BATCH)} / {wanted}", file=sys.stderr, flush=True)

        # Some drafts that were never sent: the lists and the export leave them out.
        drafts = [
            Submission(
                consultation=consultation,
                status=Submission.Status.DRAFT,
                author_id=rng.choice(authors),
                author_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                text=_text(rng, 3),
            )
            for _ in range(DRAFTS)
        ]
        Submission.objects.bulk_create(drafts, batch_size=1000)
        # bulk_create stamps created/updated with now; as they were: a little before sending.
        Submission.objects.filter(consultation=consultation, status=Submission.Status.SENT).update(
            created_at=F("sent_at") - timedelta(minutes=12), updated_at=F("sent_at")
        )
        # The deadline passed four days ago; the case worker has started processing.
        Consultation.objects.filter(pk=consultation.pk).update(deadline=opens_at + timedelta(days=56))
        consultation.refresh_from_db()
        services.start_processing(actor=staff, consultation=consultation, now=processing_at)
    with connection.cursor() as cursor:
        for table in (
            Submission._meta.db_table,
            Answer._meta.db_table,
            through._meta.db_table,
            SubmissionAttachment._meta.db_table,
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    made.update({"created": wanted, "drafts": DRAFTS, "reused": False, "seconds": round(time.monotonic() - clock, 1)})
    return consultation, made


def _ensure_upload_consultation(municipality, unit, staff):
    """An open consultation that takes the upload (the big one is past its deadline)."""
    from datetime import timedelta

    from django.utils import timezone

    from tinget.consultations import services
    from tinget.consultations.models import Consultation, Stage

    now = timezone.now()
    consultation = Consultation.objects.filter(case_number=UPLOAD_CASE_NUMBER).first()
    if consultation is not None and (consultation.stage != Stage.PUBLISHED or consultation.deadline < now):
        _delete_consultation(consultation)
        consultation = None
    if consultation is None:
        consultation = services.consultation_create(
            actor=staff,
            municipality=municipality,
            data=_consultation_data(
                unit,
                "[bench] Opplasting av vedlegg",
                UPLOAD_CASE_NUMBER,
                now - timedelta(days=1),
                now + timedelta(days=365),
            ),
        )
        services.section_save(
            actor=staff, consultation=consultation, data={"number": "1", "heading": "Planen", "body": "Les planen."}
        )
        services.consultation_publish(actor=staff, consultation=consultation)
    return consultation


def _session_cookie(data: dict, csrf: str = "") -> tuple[str, str]:
    """A session as a login leaves it, saved through the production session engine; the Cookie header."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(data)
    store.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    if csrf:
        cookie += f"; {settings.CSRF_COOKIE_NAME}={csrf}"
    return cookie, store.session_key


def _login_data(user, *, mfa: bool) -> dict:
    """What allauth's login leaves in the session (tinget/accounts/tests/people.py fast_staff_client): Django's
    login keys, the activity clock, and the authentication methods used (password; and the TOTP code)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from tinget.accounts.middleware import LAST_ACTIVITY_KEY

    now = time.time()
    methods = [{"method": "password", "at": now, "email": user.email}]
    if mfa:
        methods.append({"method": "mfa", "at": now, "type": "totp"})
    return {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        LAST_ACTIVITY_KEY: int(now),
        _AUTHENTICATION_METHODS_USER_SESSION_KEY: user_id_to_str(user),
        AUTHENTICATION_METHODS_SESSION_KEY: methods,
    }


def prepare(options: dict) -> dict:
    """The data (made once), fresh sessions for the case worker and the resident, the paths and the filters."""
    setup_django()
    import secrets

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db.models import Count, Q
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from tinget.consultations.models import Submission
    from tinget.core.models import Unit
    from tinget.core.selectors import current_municipality

    municipality = current_municipality()
    if municipality is None:
        return {"error": "No municipality profile: `manage.py load_profile asker` should have made one."}
    unit = Unit.objects.get(municipality=municipality, slug=UNIT_SLUG)
    rng = random.Random(options["seed"])
    staff = _ensure_staff(unit)
    uploader = _ensure_uploader()
    consultation, made = _ensure_big_consultation(municipality, unit, staff, options["submissions"], rng)
    upload_target = _ensure_upload_consultation(municipality, unit, staff)
    # The data is made (and kept for the next run) before asking whether the pages to measure are there yet.
    with translation.override("nb"):
        missing = []
        for name, kwargs in (
            ("staff_submissions", {"pk": 1}),
            ("staff_submission", {"pk": 1, "number": 1}),
            ("export_csv", {"pk": 1}),
            ("detail", {"pk": 1}),
            ("submissions", {"pk": 1}),
            ("give_input", {"pk": 1}),
        ):
            try:
                reverse(f"consultations:{name}", kwargs=kwargs)
            except NoReverseMatch:
                missing.append(f"consultations:{name}")
        if missing:
            return {"error": f"{', '.join(missing)} do(es) not resolve yet: no view to measure."}

    # Fresh sessions each run (this database is the benchmark's own).
    Session.objects.all().delete()
    staff_cookie, _key = _session_cookie(_login_data(staff, mfa=True))
    csrf = secrets.token_hex(16)  # a CSRF secret (32 characters); the form may send it as it is
    uploader_cookie, uploader_key = _session_cookie(_login_data(uploader, mfa=False), csrf)

    sent = consultation.submissions.sent()
    tag_counts = [
        (str(pk), n)
        for pk, n in consultation.tags.annotate(
            n=Count("submissions", filter=Q(submissions__status=Submission.Status.SENT))
        ).values_list("pk", "n")
        if n
    ]
    section_counts = [
        (str(pk), n)
        for pk, n in consultation.sections.annotate(
            n=Count("submissions", filter=Q(submissions__status=Submission.Status.SENT))
        ).values_list("pk", "n")
        if n
    ]
    considered = sent.filter(considered_at__isnull=False).count()
    filters = {
        "tag": tag_counts,
        "section": section_counts,
        "considered": [
            (CONSIDERED_VALUES["yes"], considered),
            (CONSIDERED_VALUES["no"], sent.count() - considered),
        ],
    }
    with translation.override("nb"):
        pk = consultation.pk
        marker = 987654321
        paths = {
            "staff_submissions": reverse("consultations:staff_submissions", kwargs={"pk": pk}),
            "staff_submission_prefix": reverse(
                "consultations:staff_submission", kwargs={"pk": pk, "number": marker}
            ).split(str(marker))[0],
            "export_csv": reverse("consultations:export_csv", kwargs={"pk": pk}),
            "detail": reverse("consultations:detail", kwargs={"pk": pk}),
            "submissions": reverse("consultations:submissions", kwargs={"pk": pk}),
            "give_input": reverse("consultations:give_input", kwargs={"pk": upload_target.pk}),
        }
    hidden = sent.filter(hidden_at__isnull=False).count()
    return {
        "consultation": pk,
        "upload_consultation": upload_target.pk,
        "uploader": uploader.pk,
        "sent": sent.count(),
        "page_size": settings.TINGET_CONSULTATION_PAGE_SIZE,
        "staff_cookie": staff_cookie,
        "uploader_cookie": uploader_cookie,
        "uploader_session": uploader_key,
        "csrf": csrf,
        "filters": filters,
        "paths": paths,
        "data": {
            **made,
            "sent": sent.count(),
            "drafts": consultation.submissions.drafts().count(),
            "hidden": hidden,
            "sections": consultation.sections.count(),
            "tags": consultation.tags.count(),
            "filters": {kind: len(values) for kind, values in filters.items()},
        },
        "settings": {
            "session_engine": settings.SESSION_ENGINE,
            "cache": settings.CACHES["default"]["BACKEND"],
            "page_size": settings.TINGET_CONSULTATION_PAGE_SIZE,
            "file_upload_max_memory_size": settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
            "file_upload_handlers": settings.FILE_UPLOAD_HANDLERS,
            "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        },
    }


# --- The upload ----------------------------------------------------------------------------------------------


def _write_pdf(path: Path, size: int):
    """A PDF as check_file wants one (it starts with %PDF- and ends with %%EOF), `size` bytes, written in pieces."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    line = b"% Tinget bench filler: " + b"0123456789abcdef" * 3 + b"\n"
    with path.open("wb") as out:
        out.write(head)
        left = size - len(head) - len(tail)
        block = line * (65536 // len(line))
        while left > 0:
            piece = block[:left]
            out.write(piece)
            left -= len(piece)
        out.write(tail)


def _multipart(path: Path, fields: list[tuple[str, str]], file_field: str, pdf: Path, boundary: str) -> int:
    """Write a multipart/form-data body to `path` (the file copied in pieces); answer its length."""
    with path.open("wb") as out:
        for name, value in fields:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{pdf.name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        with pdf.open("rb") as source:
            while chunk := source.read(1 << 20):
                out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return path.stat().st_size


def _environ(method: str, path: str, cookie: str, *, body=None, length=0, content_type="") -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": LOOPBACK,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": LOOPBACK,
        "HTTP_HOST": LOOPBACK,
        "HTTP_COOKIE": cookie,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": body if body is not None else io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if method == "POST":
        environ["CONTENT_TYPE"] = content_type
        environ["CONTENT_LENGTH"] = str(length)
    return environ


def _call(handler, environ) -> tuple[int, dict, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {k.lower(): v for k, v in headers}

    response = handler(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        if hasattr(response, "close"):
            response.close()
    return answer["status"], answer["headers"], body


def upload(given: dict) -> dict:
    """POST consultations:give_input with a BENCH_UPLOAD_MB PDF through Django's WSGIHandler, the body read from
    a file on disk as a server hands it over, under tracemalloc: the largest amount of Python memory the request
    held at once. Then once more without tracemalloc, for the process's peak resident memory."""
    setup_django()
    import gc
    import tracemalloc
    import uuid

    from django.core.handlers.wsgi import WSGIHandler

    from tinget.consultations import forms
    from tinget.consultations.models import Submission, SubmissionAttachment

    work = Path(given["work"])
    path = given["paths"]["give_input"]
    cookie = given["uploader_cookie"]
    csrf = given["csrf"]
    consultation = given["upload_consultation"]
    size = given["options"]["upload_mb"] * 1024 * 1024

    # The form's field names come from the resident flow's form (forms.py); see input_fields().
    file_field, fields_for = input_fields(forms)

    # Earlier runs' uploads go (their files went with the run's temporary folder).
    Submission.objects.filter(consultation_id=consultation).delete()

    from django.core.signals import got_request_exception

    failures = []

    def note_failure(sender, request=None, **kwargs):
        import traceback

        failures.append(traceback.format_exc()[-4000:])

    got_request_exception.connect(note_failure, weak=False)

    handler = WSGIHandler()
    # Warm up: the form once, and a small upload through the same path, so that imports, templates and caches
    # made by a first request are not counted as the upload's.
    status, headers, body = _call(handler, _environ("GET", path, cookie))
    if status != 200:
        return {
            "error": f"GET {path} as the resident answered {status} (Location {headers.get('location')!r})"
            + (f"\n{failures[-1]}" if failures else "")
        }
    form_html = body.decode("utf-8", errors="replace")

    def post(pdf_size: int, name: str, traced: bool) -> dict:
        pdf = work / f"{name}.pdf"
        _write_pdf(pdf, pdf_size)
        boundary = f"----tinget-bench-{uuid.uuid4().hex}"
        key = str(uuid.uuid4())
        body_path = work / f"{name}.body"
        length = _multipart(body_path, fields_for(csrf, key, form_html), file_field, pdf, boundary)
        before = Submission.objects.filter(consultation_id=consultation).count()
        gc.collect()
        rss_before = status_kb(os.getpid(), "VmRSS")
        _reset_peak(os.getpid())
        with body_path.open("rb") as stream:
            environ = _environ(
                "POST",
                path,
                cookie,
                body=stream,
                length=length,
                content_type=f"multipart/form-data; boundary={boundary}",
            )
            if traced:
                tracemalloc.start()
            started = time.perf_counter()
            try:
                status, headers, response_body = _call(handler, environ)
                seconds = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1] if traced else None
            finally:
                if traced:
                    tracemalloc.stop()
        hwm = status_kb(os.getpid(), "VmHWM")
        submission = (
            Submission.objects.filter(consultation_id=consultation, key=key).prefetch_related("attachments").first()
        )
        attachments = list(submission.attachments.all()) if submission else []
        stored = None
        if attachments:
            file = attachments[0].file
            stored = file.storage.size(file.name)
        body_path.unlink()
        pdf.unlink()
        return {
            "status": status,
            "location": headers.get("location"),
            "response_excerpt": None if status in (302, 303) else response_body[:1500].decode(errors="replace"),
            "seconds": round(seconds, 3),
            "request_bytes": length,
            "file_bytes": pdf_size,
            "sent": bool(submission and submission.status == Submission.Status.SENT),
            "submissions_before": before,
            "attachments": len(attachments),
            "stored_bytes": stored,
            "attachment_size_field": attachments[0].size if attachments else None,
            "tracemalloc_peak_bytes": peak,
            "exception": failures[-1] if status >= 500 and failures else None,
            "rss_before_mb": round((rss_before or 0) / 1024, 1),
            "rss_peak_mb": round((hwm or 0) / 1024, 1),
        }

    warm = post(200_000, "warm-up", traced=False)
    if warm["status"] not in (302, 303) or not warm["sent"]:
        warm["response_excerpt"] = (warm["response_excerpt"] or "")[:300]
        return {"error": f"A small upload to {path} was not sent: {json.dumps(warm, indent=1)[:6000]}"}
    traced = post(size, "traced", traced=True)
    untraced = post(size, "untraced", traced=False)
    for name, result in (("traced", traced), ("untraced", untraced)):
        if result["status"] not in (302, 303) or not result["sent"]:
            return {"error": f"The {name} 20 MB upload to {path} was not sent: {json.dumps(result)[:3000]}"}
    stored_count = SubmissionAttachment.objects.filter(submission__consultation_id=consultation).count()
    return {
        "upload_mb": round(size / 2**20, 1),
        "tracemalloc_peak_mb": round(traced["tracemalloc_peak_bytes"] / 2**20, 2),
        "size_off": max(
            abs((traced["stored_bytes"] or 0) - size),
            abs((traced["attachment_size_field"] or 0) - size),
            abs((untraced["stored_bytes"] or 0) - size),
        ),
        "rss_growth_mb": round(untraced["rss_peak_mb"] - untraced["rss_before_mb"], 1),
        "file_field": file_field,
        "warm_up": warm,
        "traced": traced,
        "untraced": untraced,
        "attachments_stored": stored_count,
        "how": "django.core.handlers.wsgi.WSGIHandler called in-process with wsgi.input an open file of the "
        "multipart body and CONTENT_LENGTH set; tracemalloc started just before the call and stopped after "
        "the response was consumed; rss from /proc/self/status (VmHWM reset with clear_refs)",
    }


def input_fields(forms):
    """The give_input form's file field, and a function answering the other fields a send needs: the CSRF token,
    the form's one-time key, "myself", a name, not shown, a line of text, and the "Send" button."""
    from tinget.consultations.models import Submission

    names = {"key", "sender_kind", "author_name", "text", "show_name", "attachments"}
    missing = names - set(forms.InputForm.base_fields)
    if missing:
        raise BenchError(f"The input form has no field(s) {sorted(missing)} any more: update bench/consultations.py")

    def fields_for(csrf: str, key: str, form_html: str) -> list[tuple[str, str]]:
        return [
            ("csrfmiddlewaretoken", csrf),
            ("key", key),
            ("sender_kind", Submission.SenderKind.PERSON),
            ("author_name", "Ulla Opplaster"),
            ("show_name", forms.HIDE),
            ("text", "Vedlagt er vår uttalelse til planforslaget, med kart og bilder."),
            ("action", "send"),
        ]

    return "attachments", fields_for


# --- In-process: CPU, SQL statements and their plans ---------------------------------------------------------


def _explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def profile(given: dict) -> dict:
    """The measured pages through Django's test client in this process: CPU per page, the SQL statements each
    runs, and the plans of the slowest; and the export's Python memory under tracemalloc."""
    setup_django()
    import tracemalloc

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(given["options"]["seed"] + 1)
    paths = given["paths"]
    staff = Client(HTTP_HOST=LOOPBACK)
    staff.cookies[settings.SESSION_COOKIE_NAME] = given["staff_cookie"].split("=", 1)[1].split(";")[0]
    visitor = Client(HTTP_HOST=LOOPBACK)

    def body_of(response) -> bytes:
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        return response.content

    def timed(client, path) -> float:
        started = time.process_time()
        response = client.get(path)
        body_of(response)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code} in-process")
        return (time.process_time() - started) * 1000

    pages = max(1, math.ceil(given["sent"] / given["page_size"]))
    detail = f"{paths['detail']}?{UNCACHED_PARAM}=1"
    for path in (paths["staff_submissions"], detail, paths["submissions"]):
        timed(staff if path == paths["staff_submissions"] else visitor, path)
    cpu = {"staff_list": [], "detail": [], "submissions": []}
    for _kind, path, _expected in staff_plan(given, 100, rng):
        cpu["staff_list"].append(timed(staff, path))
    for _ in range(100):
        cpu["detail"].append(timed(visitor, detail))
        cpu["submissions"].append(timed(visitor, f"{paths['submissions']}?{PAGE_PARAM}={rng.randint(1, pages)}"))

    def queries_of(client, path) -> dict:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            body_of(response)
            seconds = time.perf_counter() - started
        statements = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
        slowest = sorted(statements, reverse=True)[:3]
        plans = []
        for spent, sql in slowest:
            if sql.lstrip().upper().startswith("SELECT"):
                try:
                    plan = _explain(sql, None)
                except Exception as exc:  # a statement with literal % or similar: keep the reason
                    plan = f"(no plan: {exc})"
            else:
                plan = None
            plans.append({"ms": round(spent * 1000, 2), "sql": sql[:4000], "plan": plan})
        return {
            "path": path,
            "status": response.status_code,
            "count": len(statements),
            "sql_ms": round(sum(t for t, _ in statements) * 1000, 2),
            "wall_ms": round(seconds * 1000, 2),
            "slowest": plans,
            # Every statement in the order run (ms, the start of its SQL): repeated ones stand out.
            "statements": [f"{t * 1000:.1f} ms  {' '.join(sql.split())[:220]}" for t, sql in statements],
        }

    middle = max(1, pages // 2)
    filters = given["filters"]
    queries = {
        "staff_list": queries_of(staff, f"{paths['staff_submissions']}?{PAGE_PARAM}={middle}"),
        "staff_list_last_page": queries_of(staff, f"{paths['staff_submissions']}?{PAGE_PARAM}={pages}"),
        "detail": queries_of(visitor, detail),
        "submissions": queries_of(visitor, f"{paths['submissions']}?{PAGE_PARAM}={middle}"),
        "export_csv": queries_of(staff, paths["export_csv"]),
    }
    for kind, values in sorted(filters.items()):
        value, _count = max(values, key=lambda item: item[1])
        queries[f"staff_list_{kind}"] = queries_of(
            staff, f"{paths['staff_submissions']}?{urlencode({FILTER_PARAMS[kind]: value, PAGE_PARAM: 2})}"
        )

    # With BENCH_EXPORT_TRACEMALLOC=1, the export's Python memory (tracemalloc), in-process: what a worker holds
    # besides its baseline, and where (the 10 largest allocation sites at the peak). Slow: about 20 s.
    traced_export = None
    if os.environ.get("BENCH_EXPORT_TRACEMALLOC") == "1":
        tracemalloc.start(10)
        started = time.perf_counter()
        response = staff.get(paths["export_csv"])
        size = 0
        for chunk in response.streaming_content if response.streaming else [response.content]:
            size += len(chunk)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        top = tracemalloc.take_snapshot().statistics("lineno")[:10]
        tracemalloc.stop()
        traced_export = {
            "seconds_under_tracemalloc": round(seconds, 3),
            "bytes": size,
            "peak_mb": round(peak / 2**20, 2),
            "largest_at_end": [str(stat) for stat in top],
        }

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'consultations_%%' "
            "ORDER BY tablename, indexname"
        )
        indexes = {f"{table}.{name}": definition for table, name, definition in cursor.fetchall()}
    return {
        "cpu_ms": {name: summary(values) for name, values in cpu.items()},
        "queries": queries,
        "export_tracemalloc": traced_export,
        "indexes": indexes,
    }


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "prepare" and len(sys.argv) == 3:
        outcome = prepare(json.loads(sys.argv[2]))
    elif command == "upload" and len(sys.argv) == 3:
        outcome = upload(json.loads(sys.argv[2]))
    elif command == "profile" and len(sys.argv) == 3:
        outcome = profile(json.loads(sys.argv[2]))
    else:
        sys.exit("usage: python -m bench.consultations prepare|upload|profile JSON")
    print(json.dumps(outcome, default=str))
