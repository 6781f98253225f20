"""Citizen initiatives at scale: 20,000 signatures from 100 concurrent signers while readers load the page.

PostgreSQL in a database of its own (BENCH_INITIATIVES_DATABASE_URL; by default DATABASE_URL's, or
tinget_bench's, name with "_initiatives" added, created if missing), migrated, with the Asker profile. It holds
BENCH_SIGNERS invented persons as an ID-porten login leaves them (a user, an Identity with a keyed hash, a
Residency from the register; made once, reused), and each run gets a fresh initiative collecting signatures
and a fresh logged-in session (with a CSRF token) per person. gunicorn serves config.wsgi with production
settings on a free loopback port; then, at the same time:

- wrk with bench/initiatives_sign.lua POSTs initiatives:sign on BENCH_SIGN_CONNECTIONS connections, every
  request as another person (each wrk thread its own slice of them), and BENCH_RESEND_PERCENT of the persons
  a second time (which must answer 409 and add nothing);
- a second wrk loads the initiative's page as a visitor who is not logged in;
- a sampler fetches the page BENCH_SAMPLES_PER_S times a second and reads the number shown.

After the signers are done and the count had time to settle, the rows are checked against the answers
(lost, double_counted), the page's number against the rows (final_count), and every sample against the rows'
times (count_lag_s). See bench/README.md for the figures and the knobs. `python -m bench.initiatives
prepare|verify` are the halves run in subprocesses with Django set up (see run()).
"""

import bisect
import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from ._support import (
    LOOPBACK,
    BenchError,
    CpuMeter,
    Gunicorn,
    choose_shared_cache,
    empty_redis,
    ensure_database,
    env_int,
    fetch,
    manage,
    parse_wrk,
    percentile,
    production_env,
    redacted,
    require_wrk,
    run_python,
    scenario_database_url,
    setup_django,
)

TARGETS = {
    "sign_per_s": (">=", 300),
    "page_rps_during_signing": (">=", 300),
    "count_lag_s": ("<=", 5),
    "lost": ("<=", 0),
    "double_counted": ("<=", 0),
    "final_count_off": ("<=", 0),
    # Every one of the 20,000 (and the resends) answered within BENCH_MAX_SECONDS.
    "unanswered": ("<=", 0),
}
HERE = Path(__file__).resolve().parent
SIGN_SCRIPT = HERE / "initiatives_sign.lua"
EMAIL_PREFIX = "bench-signer-"
TITLE_PREFIX = "[bench] "
# The pace the sessions' activity clocks are set for (see prepare()): the target.
TURN_RATE = 300
# A Redis database of this scenario's own (emptied at the start and the end), when Redis answers.
REDIS_CACHE_URL = "redis://127.0.0.1:6379/7"
# All the load comes from 127.0.0.1, one network: the per-network limit on signing is lifted for the run (the
# per-person limit stays as configured; the sign view applies these instead of the general limit on writes).
LIFTED_LIMITS = {"TINGET_INITIATIVE_SIGN_NETWORK_RATE": "1000000/m"}


def _float(name, default):
    return float(os.environ.get(name, default))


def knobs() -> dict:
    return {
        "signers": env_int("BENCH_SIGNERS", 20_000),
        "sign_connections": env_int("BENCH_SIGN_CONNECTIONS", 100),
        # One wrk thread: a thread that has sent all its lines holds its connections open and idle while the
        # others finish, and with sync workers every idle connection pins a worker (see bench/README.md).
        "sign_threads": env_int("BENCH_SIGN_THREADS", 1),
        "resend_percent": _float("BENCH_RESEND_PERCENT", 2),
        "follow_percent": _float("BENCH_FOLLOW_PERCENT", 70),
        "show_name_percent": _float("BENCH_SHOW_NAME_PERCENT", 30),
        "read_connections": env_int("BENCH_READ_CONNECTIONS", 100),
        "read_threads": env_int("BENCH_READ_THREADS", 1),
        "samples_per_s": _float("BENCH_SAMPLES_PER_S", 4),
        "workers": env_int("BENCH_WORKERS", 4),
        "worker_class": os.environ.get("BENCH_WORKER_CLASS", "sync"),
        "worker_threads": env_int("BENCH_WORKER_THREADS", 4),
        "max_seconds": env_int("BENCH_MAX_SECONDS", 180),
        "seed": env_int("BENCH_SEED", 1212),
    }


# --- Reading the number on the page ----------------------------------------------------------------------

# The page shows the count as text ("<strong>1234</strong> of 300 signatures needed", in the element with the
# class initiative-progress__count; initiatives/public/_progress.html) and as a bar whose value stops at the
# goal, so the text is what is read. Digits may come grouped (a space, a no-break space, a dot).
_COUNT = re.compile(r"""initiative-progress__count\b[^>]*>\s*<strong>\s*([\d\s\u00a0\u202f.,]+?)\s*</strong>""")


def count_on_page(html: str) -> int | None:
    found = _COUNT.search(html)
    if not found:
        return None
    digits = re.sub(r"\D", "", found.group(1))
    return int(digits) if digits else None


class Sampler(threading.Thread):
    """Fetches the page a few times a second as a visitor who is not logged in and notes the number shown,
    with the wall-clock times the request went out and the answer came back."""

    def __init__(self, url: str, per_second: float):
        super().__init__(daemon=True)
        self.url = url
        self.interval = 1 / per_second
        self.samples = []  # (sent, received, count or None, status)
        self.halt = threading.Event()

    def run(self):
        next_at = time.monotonic()
        while not self.halt.is_set():
            sent = time.time()
            try:
                status, _headers, body = fetch(self.url, timeout=10)
                count = count_on_page(body.decode("utf-8", errors="replace")) if status == 200 else None
            except OSError:
                status, count = 0, None
            self.samples.append((sent, time.time(), count, status))
            next_at += self.interval
            self.halt.wait(max(0.0, next_at - time.monotonic()))

    def stop(self):
        self.halt.set()
        self.join(timeout=15)


# --- The run -----------------------------------------------------------------------------------------------


def _worker(env, *args, timeout=600) -> dict:
    """Run `python -m bench.initiatives ARGS` (Django set up from env); its last stdout line is JSON."""
    stdout = run_python(env, "-m", "bench.initiatives", *args, timeout=timeout)
    answer = json.loads(stdout.strip().splitlines()[-1])
    if "error" in answer:
        raise BenchError(answer["error"])
    return answer


def _post(url: str, cookie: str, body: str, timeout: float = 30) -> tuple[int, dict, bytes]:
    import http.client

    parts = urlsplit(url)
    if parts.hostname != LOOPBACK:
        raise BenchError(f"Refusing to send benchmark traffic off loopback: {url}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(
            "POST",
            parts.path,
            body=body.encode(),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def preflight(base_url: str, prepared: dict) -> dict:
    """One person signs a second initiative through the same path, twice: 303 to the receipt, then 409. And
    the measured initiative's page answers with its number (0). Anything else and the run would mean nothing."""
    canary = prepared["canary"]
    first = _post(base_url + canary["sign_path"], canary["cookie"], canary["body"])
    again = _post(base_url + canary["sign_path"], canary["cookie"], canary["body"])
    location = first[1].get("location", "")
    if first[0] != 303 or urlsplit(location).path != canary["signed_path"]:
        raise BenchError(
            f"Signing answered {first[0]} (Location {location!r}), not 303 to {canary['signed_path']}: "
            f"{first[2][:800]!r}"
        )
    if again[0] != 409:
        raise BenchError(f"Signing a second time answered {again[0]}, not 409: {again[2][:800]!r}")
    status, _headers, body = fetch(base_url + prepared["detail_path"])
    html = body.decode("utf-8", errors="replace")
    count = count_on_page(html) if status == 200 else None
    if status != 200 or count is None:
        raise BenchError(f"The initiative's page answered {status} without a number the bench can read: {html[:800]!r}")
    return {"sign": first[0], "sign_again": again[0], "page": status, "page_count": count}


def _wrk_command(url: str, *, threads: int, connections: int, seconds: int, script=None, script_args=()) -> list:
    command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=30s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    return command


def _stop(process: subprocess.Popen, timeout: float = 30) -> str:
    """SIGINT makes wrk stop and print its figures; answer what it printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    return stdout + (f"\n[stderr]\n{stderr}" if stderr.strip() else "")


def drive(server: Gunicorn, prepared: dict, work: Path, settings: dict, options: dict) -> dict:
    """Signers, readers and the sampler at once; answers what each saw, and where the CPU went meanwhile."""
    base_url = server.base_url
    sign_url = base_url + prepared["sign_path"]
    page_url = base_url + prepared["detail_path"]
    threads = prepared["plan"]["threads"]
    markers = [work / f"plan-{index}.done" for index in range(threads)]
    for marker in markers:
        marker.unlink(missing_ok=True)
    sampler = Sampler(page_url, options["samples_per_s"])
    sign_command = _wrk_command(
        sign_url,
        threads=threads,
        connections=options["sign_connections"],
        seconds=options["max_seconds"],
        script=SIGN_SCRIPT,
        script_args=(str(work / "plan-"), prepared["sign_path"]),
    )
    read_command = _wrk_command(
        page_url,
        threads=options["read_threads"],
        connections=options["read_connections"],
        seconds=options["max_seconds"] + 30,
    )
    sampler.start()
    time.sleep(1.0)  # a few samples before anyone signs
    load_before = list(os.getloadavg())
    started = time.time()
    signing = subprocess.Popen(sign_command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reading = subprocess.Popen(read_command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    master, wrks, me, database = server.process.pid, (signing.pid, reading.pid), os.getpid(), prepared["database"]
    meter = CpuMeter(
        {
            "gunicorn": lambda pid, name, parent, title: master in (pid, parent),
            # This scenario's database only: other databases' work (tests running beside) counts as "other".
            "postgresql": lambda pid, name, parent, title: name == "postgres" and f" {database} " in title,
            "redis": lambda pid, name, parent, title: name.startswith("redis-server"),
            "wrk": lambda pid, name, parent, title: pid in wrks,
            "sampler": lambda pid, name, parent, title: pid == me,
        }
    )
    meter.start()
    try:
        deadline = time.monotonic() + options["max_seconds"] + 5
        while time.monotonic() < deadline and signing.poll() is None:
            if all(marker.exists() for marker in markers):
                break
            time.sleep(0.02)
        signers_done = time.time()
        all_answered = all(marker.exists() for marker in markers)
        cpu = meter.stop()
        sign_output = _stop(signing)
        read_output = _stop(reading)
        readers_done = time.time()
        load_after = list(os.getloadavg())
        # The count settles: one recount period and one page-cache period, and a second more.
        settle = settings["count_seconds"] + settings["page_cache_seconds"] + 1
        time.sleep(settle)
    finally:
        for process in (signing, reading):
            if process.poll() is None:
                process.kill()
                process.communicate()
        sampler.stop()
    final = []
    for _ in range(4 * options["workers"]):
        status, _headers, body = fetch(page_url)
        final.append(count_on_page(body.decode("utf-8", errors="replace")) if status == 200 else None)
    sign_json = re.search(r"^BENCH-SIGN (\{.*\})$", sign_output, re.MULTILINE)
    if not sign_json:
        raise BenchError(f"wrk (signing) did not report its answers:\n{sign_output}")
    return {
        "started": started,
        "signers_done": signers_done,
        "readers_done": readers_done,
        "all_answered": all_answered,
        "settle_seconds": settle,
        "sign": {**parse_wrk(sign_output), "answers": json.loads(sign_json.group(1))},
        "read": parse_wrk(read_output),
        "sign_output": sign_output,
        "read_output": read_output,
        "sign_command": shlex.join(sign_command),
        "read_command": shlex.join(read_command),
        "samples": sampler.samples,
        "final_counts": final,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpu_seconds": cpu,
    }


def run() -> dict:
    require_wrk()
    options = knobs()
    database_url = scenario_database_url("initiatives")
    cache_name, cache_url = choose_shared_cache("initiatives", REDIS_CACHE_URL)
    steps = {}
    clock = time.monotonic()
    database = ensure_database(database_url)
    database["url"] = redacted(database_url)
    steps["database_s"] = round(time.monotonic() - clock, 1)
    if cache_url == REDIS_CACHE_URL:
        empty_redis(cache_url)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-initiatives-") as work_dir:
            work = Path(work_dir)
            env = production_env(
                DATABASE_URL=database_url, CACHE_URL=cache_url, STATIC_ROOT=work / "static", **LIFTED_LIMITS
            )
            for label, args in (
                ("migrate_s", ("migrate", "--noinput")),
                ("load_profile_s", ("load_profile", "asker")),
                ("collectstatic_s", ("collectstatic", "--noinput", "-v", "0")),
            ):
                clock = time.monotonic()
                manage(env, *args, timeout=600)
                steps[label] = round(time.monotonic() - clock, 1)
            clock = time.monotonic()
            prepared = _worker(
                env,
                "prepare",
                str(work),
                json.dumps({key: options[key] for key in options if key != "worker_class"}),
            )
            steps["prepare_s"] = round(time.monotonic() - clock, 1)
            settings = prepared["settings"]

            server = Gunicorn(
                env,
                workers=options["workers"],
                worker_class=options["worker_class"],
                threads=options["worker_threads"],
            )
            with server:
                checked = preflight(server.base_url, prepared)
                load = drive(server, prepared, work, settings, options)
                server_log = server.log_tail()
            (work / "verify.json").write_text(
                json.dumps(
                    {
                        "initiative": prepared["initiative"],
                        "planned_users": prepared["planned_users"],
                        "plan_meta": str(work / "plan-meta.json"),
                        "session_updates_before": prepared["session_updates_before"],
                        "sent_lines": [thread["sent"] for thread in load["sign"]["answers"]["threads"]],
                        "samples": load["samples"],
                        "started": load["started"],
                        "signers_done": load["signers_done"],
                    }
                )
            )
            verified = _worker(env, "verify", str(work / "verify.json"))
    finally:
        # The sessions and rate-limit counts of this run go with it.
        if cache_url == REDIS_CACHE_URL:
            with contextlib.suppress(Exception):
                empty_redis(cache_url)

    answers = load["sign"]["answers"]
    statuses = {}
    for thread in answers["threads"]:
        for status, count in thread["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    plan = prepared["plan"]
    n_303, n_409 = statuses.get("303", 0), statuses.get("409", 0)
    n_5xx = sum(count for status, count in statuses.items() if status.startswith("5"))
    n_other = sum(statuses.values()) - n_303 - n_409
    answered = sum(statuses.values())
    unanswered = plan["requests"] - answered
    # Sent and not answered when wrk stopped (a run cut short by BENCH_MAX_SECONDS): their fate is unknown to
    # the client, so a row for them is no fault and a missing row no loss.
    in_flight = verified["sent_lines"] - answered
    rows = verified["rows"]
    # Lost: a signature that was answered 303 and has no row, a 5xx, or a person whose attempt went out and who
    # has no row (beyond those still in flight).
    lost = max(0, n_303 - rows) + n_5xx + max(0, verified["sent_persons_without_row"] - in_flight)
    # Double-counted: a second row for a person, a row for someone who never signed, a row nobody was told
    # about (beyond those in flight), or more 303s than persons (a second attempt let in).
    double_counted = (
        (rows - verified["distinct_persons"])
        + (rows - verified["distinct_users"])
        + verified["rows_not_sent"]
        + max(0, rows - n_303 - in_flight)
        + max(0, n_303 - verified["sent_persons"])
    )
    final_counts = [count for count in load["final_counts"] if count is not None]
    final_count = final_counts[-1] if final_counts else None
    final_off = max((abs(count - rows) for count in final_counts), default=None)
    if len(final_counts) != len(load["final_counts"]):
        final_off = None
    sign_seconds = load["sign"]["duration_ms"] / 1000
    read = load["read"]
    sign_latency, read_latency = load["sign"]["latency_ms"], read["latency_ms"]
    figures = {
        "sign_per_s": round(sum(statuses.values()) / sign_seconds, 1),
        "page_rps_during_signing": round(read["requests_per_second"], 1),
        "count_lag_s": verified["lag"]["max_s"],
        "lost": lost,
        "double_counted": double_counted,
        "final_count": final_count,
        "expected_count": plan["persons"],
        "final_count_off": final_off,
        "rows": rows,
        "status_303": n_303,
        "status_409": n_409,
        "status_5xx": n_5xx,
        "status_other": n_other,
        "unanswered": unanswered,
        "resends_sent": verified["resends_sent"],
        "sign_p50_ms": round(sign_latency.get("p50", float("nan")), 1),
        "sign_p99_ms": round(sign_latency.get("p99", float("nan")), 1),
        "page_p50_ms": round(read_latency.get("p50", float("nan")), 1),
        "page_p99_ms": round(read_latency.get("p99", float("nan")), 1),
        "page_errors": read["non_2xx_3xx"] + sum(read["socket_errors"].values()),
        # Where the two cores went while the signers ran; "other" is whatever else ran on the machine (on a quiet
        # machine close to 0; when it is not, the rates above are lower than this code can do).
        "cpu_gunicorn_s": load["cpu_seconds"]["gunicorn"],
        "cpu_postgresql_s": load["cpu_seconds"]["postgresql"],
        "cpu_other_s": load["cpu_seconds"]["other"],
        "cpu_window_s": load["cpu_seconds"]["window_s"],
    }
    return {
        "figures": figures,
        "database": database,
        "details": {
            "statuses": statuses,
            "cpu_seconds": load["cpu_seconds"],
            "sign": {key: value for key, value in load["sign"].items()},
            "read": read,
            "sign_command": load["sign_command"],
            "read_command": load["read_command"],
            "sign_output": load["sign_output"],
            "read_output": load["read_output"],
            "signed_per_s_by_rows": verified["rows_per_s"],
            "all_answered": load["all_answered"],
            "signing_seconds": round(load["signers_done"] - load["started"], 2),
            "plan": plan,
            "preflight": checked,
            "lag": verified["lag"],
            "samples": {
                "count": len(load["samples"]),
                "unreadable": sum(1 for sample in load["samples"] if sample[2] is None),
                "per_second": options["samples_per_s"],
                "time_used": "the moment the answer came back (the later of the two, so the larger lag)",
            },
            "final_counts": load["final_counts"],
            "settle_seconds": load["settle_seconds"],
            "verify": {key: value for key, value in verified.items() if key != "lag"},
            "server": {
                "command": " ".join(server.command),
                "workers": options["workers"],
                "worker_class": options["worker_class"],
                "threads_per_worker": options["worker_threads"] if options["worker_class"] == "gthread" else 1,
                "settings": "config.settings.production",
                "cache": {"backend": cache_name, "url": cache_url},
                "bound_to": LOOPBACK,
                "environment_changed_for_the_run": {
                    **LIFTED_LIMITS,
                    "why": "all the load comes from 127.0.0.1, one network; the per-person limits are unchanged",
                },
                "count_settings": settings,
            },
            "options": options,
            "setup_seconds": {**steps, **prepared["seconds"]},
            "load_average_before": load["load_average_before"],
            "load_average_after": load["load_average_after"],
            "server_log_tail": server_log,
        },
    }


# --- The halves that run with Django set up ------------------------------------------------------


GIVEN = [
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde", "Anna",
    "Nora", "Emma", "Ida", "Sara", "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein",
    "Thomas", "Hans", "Geir", "Jakob", "Emil", "Noah", "Oliver", "Aksel", "Filip", "Sofie", "Maja",
]  # fmt: skip
FAMILY = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
    "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen",
]  # fmt: skip


def _ensure_persons(wanted: int, municipality, rng) -> dict:
    """Persons 0..wanted (0 is the preflight's), made as an ID-porten login leaves them; only the missing."""
    import hashlib
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from tinget.accounts import oidc
    from tinget.accounts.identity import PLACEHOLDER_EMAIL_DOMAIN, residency_check
    from tinget.accounts.models import Identity, Residency
    from tinget.core.models import Postcode

    user_model = get_user_model()
    emails = {f"{EMAIL_PREFIX}{n:06d}@{PLACEHOLDER_EMAIL_DOMAIN}": n for n in range(wanted + 1)}
    existing = dict(user_model.objects.filter(email__startswith=EMAIL_PREFIX).values_list("email", "pk"))
    missing = [n for email, n in emails.items() if email not in existing]
    postcodes = list(Postcode.objects.filter(municipality=municipality).values_list("code", flat=True)) or ["1384"]
    source = residency_check().source
    now = timezone.now()
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        users = []
        for n in chunk:
            user = user_model(email=f"{EMAIL_PREFIX}{n:06d}@{PLACEHOLDER_EMAIL_DOMAIN}", preferred_language="nb")
            user.set_unusable_password()
            users.append(user)
        with transaction.atomic():
            user_model.objects.bulk_create(users, batch_size=1000)
            identities, residencies = [], []
            for n, user in zip(chunk, users, strict=True):
                identities.append(
                    Identity(
                        user=user,
                        issuer="https://bench.tinget.invalid",
                        subject=f"bench-{n}",
                        pid_digest=hashlib.sha256(f"tinget-bench-person-{n}".encode()).hexdigest(),
                        pid_key_id="bench",
                        acr=oidc.SUBSTANTIAL,
                        given_name=rng.choice(GIVEN),
                        family_name=rng.choice(FAMILY),
                        birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 66)),
                        verified_at=now,
                    )
                )
                residencies.append(
                    Residency(
                        user=user,
                        municipality=municipality,
                        is_resident=True,
                        source=source,
                        postcode=rng.choice(postcodes),
                        checked_at=now,
                    )
                )
            Identity.objects.bulk_create(identities, batch_size=1000)
            Residency.objects.bulk_create(residencies, batch_size=1000)
    by_email = dict(user_model.objects.filter(email__startswith=EMAIL_PREFIX).values_list("email", "pk"))
    return {"ids": [by_email[email] for email in emails], "created": len(missing)}


def _new_initiative(municipality, title: str):
    from datetime import timedelta

    from django.utils import timezone

    from tinget.initiatives import rules
    from tinget.initiatives.models import Initiative, State

    now = timezone.now()
    return Initiative.objects.create(
        municipality=municipality,
        title=f"{TITLE_PREFIX}{title}",
        proposal="Kommunen skal sette opp lys i lysløypa fra skolen til skogen, så flere kan gå på ski om kvelden.",
        reasons="Mange går på ski etter jobb, når det er mørkt. Lys gjør løypa tryggere og mer brukt.",
        promoter_name="Tinget-målingen",
        state=State.COLLECTING,
        signing_days=90,
        required_signatures=rules.required_signatures(municipality.population),
        published_at=now,
        signing_ends_at=now + timedelta(days=90),
        counted_at=now,
    )


def _session_updates() -> int | None:
    """How many times rows of the session table have been updated (PostgreSQL's statistics), or None."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = %s", [Session._meta.db_table])
        row = cursor.fetchone()
    return row[0] if row else None


def prepare(work: str, options: dict) -> dict:
    """Persons (made once), a fresh initiative to sign and one for the preflight, a logged-in session per
    person, and the signing plan, one file per wrk thread."""
    setup_django()
    import random
    import secrets
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.db import connection
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone, translation

    from tinget.accounts import oidc
    from tinget.accounts.middleware import LAST_ACTIVITY_KEY
    from tinget.core.models import Follow, Notification
    from tinget.core.selectors import current_municipality
    from tinget.initiatives.models import Initiative

    seconds = {}
    with translation.override("nb"):
        try:
            reverse("initiatives:sign", kwargs={"pk": 1})
            reverse("initiatives:signed", kwargs={"pk": 1})
        except NoReverseMatch:
            return {"error": "initiatives:sign (or initiatives:signed) does not resolve yet: no sign view to load."}
    municipality = current_municipality()
    if municipality is None:
        return {"error": "No municipality profile: `manage.py load_profile asker` should have made one."}
    rng = random.Random(options["seed"])

    # Earlier runs' initiatives go, with their signatures, follows and notifications.
    clock = time.monotonic()
    old = list(Initiative.objects.filter(title__startswith=TITLE_PREFIX).values_list("pk", flat=True))
    if old:
        content_type = ContentType.objects.get_for_model(Initiative)
        object_ids = [str(pk) for pk in old]
        Follow.objects.filter(content_type=content_type, object_id__in=object_ids).delete()
        Notification.objects.filter(content_type=content_type, object_id__in=object_ids).delete()
        Initiative.objects.filter(pk__in=old).delete()
    Session.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE initiatives_signature")
            cursor.execute("VACUUM ANALYZE django_session")
    seconds["clean_s"] = round(time.monotonic() - clock, 1)

    clock = time.monotonic()
    persons = _ensure_persons(options["signers"], municipality, rng)
    seconds["persons_s"] = round(time.monotonic() - clock, 1)
    canary_id, planned = persons["ids"][0], persons["ids"][1:]

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    initiative = _new_initiative(municipality, f"Lys i lysløypa ({stamp})")
    canary_initiative = _new_initiative(municipality, f"Forhåndssjekk ({stamp})")

    # The plan: persons in random order, each wrk thread its own slice; in each slice some persons again,
    # well after their first attempt (at least two rounds of the thread's connections later).
    threads = options["sign_threads"]
    order = list(planned)
    rng.shuffle(order)
    # When each person's turn comes if the signers keep the pace of the target (TURN_RATE a second).
    turn = {pk: (position // threads) * threads / TURN_RATE for position, pk in enumerate(order)}
    turn[canary_id] = 0.0

    # A session per person, as the ID-porten callback leaves it (tinget.accounts.identity.idporten_login). Before
    # pressing "sign" a person opens the confirmation page, and that request (not the POST) is the one that
    # moves the activity clock (tinget.accounts.middleware, at most once a minute). The bench sends only the
    # POSTs, so it sets each clock to when the person's turn comes at the target's pace, as if their GET had
    # just been there; a run much slower than that pays the session write on the POST instead, as a person
    # who waits over a minute before pressing does.
    clock = time.monotonic()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    encoder = store()
    user_model = get_user_model()
    hashes = dict(
        (pk, user_model(pk=pk, password=password).get_session_auth_hash())
        for pk, password in user_model.objects.filter(pk__in=persons["ids"]).values_list("pk", "password")
    )
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    now = time.time()
    issuer = settings.IDPORTEN_ISSUER.rstrip("/") or "https://bench.tinget.invalid"
    cookies, rows, cached = {}, [], {}
    for pk in persons["ids"]:
        key = secrets.token_hex(16)
        csrf = secrets.token_hex(16)  # a CSRF secret (32 characters); the form sends it as it is
        data = {
            SESSION_KEY: str(pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: hashes[pk],
            LAST_ACTIVITY_KEY: int(now + turn[pk]),
            oidc.SESSION_LOGIN: {"acr": oidc.SUBSTANTIAL, "id_token": "", "issuer": issuer, "user_id": pk},
        }
        rows.append(Session(session_key=key, session_data=encoder.encode(data), expire_date=expire))
        cached[getattr(store, "cache_key_prefix", "") + key] = data
        cookies[pk] = (f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf)
    Session.objects.bulk_create(rows, batch_size=2000)
    # A login saves the session through to the cache too (cached_db), so that is where the next request finds
    # it. With a cache in each process's memory (BENCH_CACHE=locmem) this reaches no worker: each reads every
    # session from the database once, as after a restart.
    if getattr(store, "cache_key_prefix", None):
        session_cache = caches[settings.SESSION_CACHE_ALIAS]
        keys = list(cached)
        for start in range(0, len(keys), 2000):
            session_cache.set_many(
                {key: cached[key] for key in keys[start : start + 2000]}, settings.SESSION_COOKIE_AGE
            )
    seconds["sessions_s"] = round(time.monotonic() - clock, 1)
    session_updates = _session_updates()

    gap = 2 * max(1, options["sign_connections"] // threads)
    total = again_total = follow_total = show_total = 0
    meta = []
    for index in range(threads):
        mine = order[index::threads]
        bodies = {}
        for pk in mine:
            cookie, csrf = cookies[pk]
            body = f"csrfmiddlewaretoken={csrf}"
            if rng.random() * 100 < options["show_name_percent"]:
                body += "&show_name=on"
                show_total += 1
            if rng.random() * 100 < options["follow_percent"]:
                body += "&follow=on"
                follow_total += 1
            bodies[pk] = f"{cookie}\t{body}"
        keyed = [(float(position), bodies[pk], pk, False) for position, pk in enumerate(mine)]
        resends = round(len(mine) * options["resend_percent"] / 100)
        for position in rng.sample(range(len(mine)), resends):
            earliest = position + gap
            key = rng.uniform(earliest, len(mine)) if earliest < len(mine) else len(mine) + rng.random()
            keyed.append((key, bodies[mine[position]], mine[position], True))
        keyed.sort(key=lambda item: item[0])
        Path(work, f"plan-{index}.plan").write_text("".join(item[1] + "\n" for item in keyed))
        # Who each line signs as, in the order sent: which persons were sent is then known from how many lines
        # each thread sent, also when a run is cut short.
        meta.append([[item[2], item[3]] for item in keyed])
        total += len(keyed)
        again_total += resends

    Path(work, "plan-meta.json").write_text(json.dumps(meta))

    with translation.override("nb"):
        paths = {
            "sign_path": reverse("initiatives:sign", kwargs={"pk": initiative.pk}),
            "signed_path": reverse("initiatives:signed", kwargs={"pk": initiative.pk}),
            "detail_path": reverse("initiatives:detail", kwargs={"pk": initiative.pk}),
            "canary_sign_path": reverse("initiatives:sign", kwargs={"pk": canary_initiative.pk}),
            "canary_signed_path": reverse("initiatives:signed", kwargs={"pk": canary_initiative.pk}),
        }
    return {
        "initiative": initiative.pk,
        "database": connection.settings_dict["NAME"],
        "session_updates_before": session_updates,
        "required_signatures": initiative.required_signatures,
        **{key: paths[key] for key in ("sign_path", "signed_path", "detail_path")},
        "canary": {
            "initiative": canary_initiative.pk,
            "sign_path": paths["canary_sign_path"],
            "signed_path": paths["canary_signed_path"],
            "cookie": cookies[canary_id][0],
            "body": f"csrfmiddlewaretoken={cookies[canary_id][1]}",
        },
        "planned_users": planned,
        "plan": {
            "persons": len(planned),
            "requests": total,
            "first": len(planned),
            "again": again_total,
            "threads": threads,
            "follow": follow_total,
            "show_name": show_total,
            "resend_gap_requests": gap,
            "persons_created_now": persons["created"],
        },
        "settings": {
            "count_seconds": settings.TINGET_INITIATIVE_COUNT_SECONDS,
            "page_cache_seconds": settings.TINGET_INITIATIVE_PAGE_CACHE_SECONDS,
            "sign_rate": settings.TINGET_INITIATIVE_SIGN_RATE,
            "sign_network_rate": settings.TINGET_INITIATIVE_SIGN_NETWORK_RATE,
            "write_rate": settings.TINGET_WRITE_RATE,
            "write_rate_network": settings.TINGET_WRITE_RATE_NETWORK,
            "burst_count": settings.TINGET_INITIATIVE_BURST_COUNT,
            "session_engine": settings.SESSION_ENGINE,
            "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        },
        "seconds": seconds,
    }


def verify(path: str) -> dict:
    """The rows against the plan, and every sample of the page against the rows' times."""
    setup_django()
    from django.db.models import Count

    from tinget.core.models import Follow
    from tinget.initiatives.models import Burst, Initiative, Signature

    given = json.loads(Path(path).read_text())
    initiative = Initiative.objects.get(pk=given["initiative"])
    signatures = Signature.objects.filter(initiative=initiative)
    planned = set(given["planned_users"])
    meta = json.loads(Path(given["plan_meta"]).read_text())
    sent_persons, resends_sent = set(), 0
    for lines, sent in zip(meta, given["sent_lines"], strict=True):
        for user_id, again in lines[:sent]:
            if again:
                resends_sent += 1
            else:
                sent_persons.add(user_id)
    users = list(signatures.values_list("user_id", flat=True))
    created = sorted(t.timestamp() for t in signatures.values_list("created_at", flat=True))
    rows = len(users)
    with_row = set(users) & planned
    duplicates = signatures.values("user_id").annotate(n=Count("pk")).filter(n__gt=1).count()

    # Lag: a sample answered at t showing c, while more than c signatures were made by t, is behind by
    # t - (the time of signature number c + 1).
    lags, behind = [], 0
    for _sent, received, count, _status in given["samples"]:
        if count is None:
            continue
        t = received
        true = bisect.bisect_right(created, t)
        if true > count:
            behind += 1
            lags.append(t - created[count])
        else:
            lags.append(0.0)
    readable = len(lags)
    lag = {
        "max_s": round(max(lags), 3) if lags else None,
        "p50_s": round(percentile(lags, 50), 3) if lags else None,
        "p95_s": round(percentile(lags, 95), 3) if lags else None,
        "samples": readable,
        "samples_behind": behind,
        "definition": "for a sample answered at t showing c while the rows made by t were more than c: "
        "t - created_at of signature number c+1; else 0",
    }
    if not readable:
        lag["max_s"] = None
    span = (created[-1] - created[0]) if len(created) > 1 else 0
    return {
        "rows": rows,
        "distinct_persons": signatures.values("pid_digest").distinct().count(),
        "distinct_users": len(set(users)),
        "duplicate_users": duplicates,
        "planned_with_row": len(with_row),
        "planned_without_row": len(planned - with_row),
        "unplanned_rows": sum(1 for user in users if user not in planned),
        "sent_lines": sum(given["sent_lines"]),
        "sent_persons": len(sent_persons),
        "resends_sent": resends_sent,
        "sent_persons_without_row": len(sent_persons - set(users)),
        "rows_not_sent": sum(1 for user in users if user not in sent_persons),
        "rows_per_s": round((rows - 1) / span, 1) if span else None,
        "first_signed_after_start_s": round(created[0] - given["started"], 3) if created else None,
        "last_signed_before_done_s": round(given["signers_done"] - created[-1], 3) if created else None,
        "initiative": {
            "state": initiative.state,
            "online_count": initiative.online_count,
            "counted_at": initiative.counted_at.isoformat() if initiative.counted_at else None,
            "threshold_reached_at": initiative.threshold_reached_at.isoformat()
            if initiative.threshold_reached_at
            else None,
        },
        "follows": Follow.objects.filter(object_id=str(initiative.pk), content_type__model="initiative").count(),
        "shown_names": signatures.filter(show_name=True).count(),
        # Session writes during the run (the activity clock, a login...): each is a database UPDATE.
        "session_writes": (
            _session_updates() - given["session_updates_before"]
            if given.get("session_updates_before") is not None
            else None
        ),
        "bursts_flagged": list(Burst.objects.filter(initiative=initiative).values("network", "count", "outcome")),
        "lag": lag,
    }


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "prepare" and len(sys.argv) == 4:
        outcome = prepare(sys.argv[2], json.loads(sys.argv[3]))
    elif command == "verify" and len(sys.argv) == 3:
        outcome = verify(sys.argv[2])
    else:
        sys.exit("usage: python -m bench.initiatives prepare WORK_DIR OPTIONS_JSON | verify INPUT_JSON")
    print(json.dumps(outcome, default=str))
