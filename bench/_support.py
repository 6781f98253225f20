"""What the scenarios share: a description of the machine, a production-like environment, the database,
a gunicorn server on loopback, wrk, and plain HTTP fetches that keep the bytes as they went over the wire.

Modules in bench/ whose names start with an underscore are helpers; every other module is a scenario.
"""

import contextlib
import http.client
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tinget_bench"
REDIS_URL = "redis://127.0.0.1:6379/1"


class BenchError(Exception):
    """A scenario could not run; the message says what to do about it."""


# --- The machine ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    memory = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "memory": f"{memory / 2**30:.1f} GiB" if memory else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def process_cpu() -> dict:
    """CPU seconds every process on the machine has used so far, from /proc: {pid: (name, parent pid, command
    line, seconds)}, and under the key "machine" the seconds all cores together spent busy, idle and waiting
    for the disk (/proc/stat). Empty where there is no /proc."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {}
    with contextlib.suppress(OSError, ValueError, IndexError):
        numbers = [int(part) for part in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        # user nice system idle iowait irq softirq steal (guest time is already in user)
        idle, iowait = numbers[3], numbers[4]
        found["machine"] = {
            "busy": (sum(numbers[:8]) - idle - iowait) / ticks,
            "idle": idle / ticks,
            "iowait": iowait / ticks,
        }
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = (entry / "stat").read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            # Counted from the state (man 5 proc): [1] is the parent pid, [11] and [12] user and system time.
            fields = text[text.rindex(")") + 2 :].split()
            # A PostgreSQL backend names its database in its title: one database's load told from another's.
            title = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if name == "postgres"
                else ""
            )
            found[int(entry.name)] = (name, int(fields[1]), title, (int(fields[11]) + int(fields[12])) / ticks)
    return found


class CpuMeter(threading.Thread):
    """Where the cores go during a load: reads `process_cpu()` every `interval` seconds and adds up each
    process's CPU time per group, so that a process that ends in between (a database connection renewed) loses
    at most one interval. `groups` maps a group's name to a predicate on (pid, name, parent pid, command line);
    a process counts in the first group it matches. "other" is the machine's busy time that no group accounts
    for: whatever else runs on the machine, short-lived processes and the kernel's own work included; "idle"
    and "iowait" come too. The figures of a load are only worth as much as "other" is small.

        meter = CpuMeter(groups); meter.start(); ...load...; seconds = meter.stop()
    """

    def __init__(self, groups: dict, interval: float = 1.0):
        super().__init__(daemon=True)
        self.groups, self.interval = groups, interval
        self.halt = threading.Event()
        self.totals = {name: 0.0 for name in groups}
        self.first = self.last = process_cpu()
        self.started = time.monotonic()

    def _add(self, before: dict, after: dict):
        for pid, reading in after.items():
            if pid == "machine":
                continue
            name, parent, title, seconds = reading
            was = before.get(pid)
            used = seconds - (was[3] if was is not None and was[0] == name else 0.0)
            group = next((g for g, matches in self.groups.items() if matches(pid, name, parent, title)), None)
            if group is not None:
                self.totals[group] += max(0.0, used)

    def run(self):
        while not self.halt.wait(self.interval):
            reading = process_cpu()
            self._add(self.last, reading)
            self.last = reading

    def stop(self) -> dict:
        self.halt.set()
        self.join(timeout=10)
        reading = process_cpu()
        self._add(self.last, reading)
        totals = dict(self.totals)
        if "machine" in self.first and "machine" in reading:
            machine = {key: reading["machine"][key] - self.first["machine"][key] for key in reading["machine"]}
            totals["other"] = machine["busy"] - sum(totals.values())
            totals["idle"], totals["iowait"] = machine["idle"], machine["iowait"]
        totals["window_s"] = time.monotonic() - self.started
        return {name: round(seconds, 2) for name, seconds in totals.items()}


# --- Environment and database ---------------------------------------------------------------------


def production_env(**overrides) -> dict:
    """The environment of a production installation on plain-HTTP loopback: production settings, a fresh
    secret key, no HTTPS redirect (there is no TLS terminator in front of us here)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": LOOPBACK,
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def redis_answers(url: str = REDIS_URL) -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except Exception:  # any failure means "not usable"; the caller falls back to local memory
        return False


def redacted(url: str) -> str:
    """A database URL fit for the results: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str) -> dict:
    """Create the database named in a PostgreSQL URL if it is missing; answer its vendor and version."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        import sqlite3

        return {"vendor": "sqlite", "version": sqlite3.sqlite_version, "url": redacted(url)}
    if not parts.scheme.startswith(("postgres", "pgsql")):
        raise BenchError(f"Only PostgreSQL and SQLite URLs are supported here, not {parts.scheme!r}")
    if parts.hostname not in (LOOPBACK, "localhost", "::1", None):
        raise BenchError(f"The benchmark database must be on loopback, not {parts.hostname}")
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    if not name:
        raise BenchError(f"No database name in DATABASE_URL={url}")
    try:
        with psycopg.connect(_with_database(url, "postgres"), autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL does not answer at {redacted(_with_database(url, 'postgres'))} ({exc}). Start it, or set "
            "DATABASE_URL to one that answers."
        ) from exc
    return {"vendor": "postgresql", "version": version, "url": redacted(url), "created": not exists}


def run_python(env: dict, *args: str, timeout: float = 120) -> str:
    """Run `python ARGS` in the repository with `env`; its stdout, or BenchError with its output."""
    label = " ".join(args)
    try:
        done = subprocess.run(
            [PYTHON, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{label} took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise BenchError(f"{label} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return done.stdout


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    """Run a management command; fail with its output when it fails."""
    return run_python(env, "manage.py", *args, timeout=timeout)


# --- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving config.wsgi on a free loopback port, in its own process group so that stopping
    it stops its workers too. Use as a context manager: it is stopped on the way out, failure or not."""

    def __init__(self, env: dict, *, workers: int = 2, worker_class: str = "sync", threads: int = 4):
        self.env = env
        self.port = free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.command = [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
            "--worker-tmp-dir",
            "/dev/shm" if Path("/dev/shm").is_dir() else "/tmp",
        ]
        if worker_class == "gthread":
            self.command += ["--threads", str(threads)]
        self.process = None
        self.log_path = None

    def __enter__(self):
        import tempfile

        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.log_path = self.log.name
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            self._wait_until_healthy(timeout=30)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_healthy(self, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _, _ = fetch(self.base_url + "/helse", timeout=2)
                if status == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /helse within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.log.close()


# --- HTTP -----------------------------------------------------------------------------------------


def fetch(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    """GET a loopback URL; the body is returned exactly as sent (still compressed if it was)."""
    parts = urlsplit(url)
    if parts.hostname != LOOPBACK:
        raise BenchError(f"Refusing to send benchmark traffic off loopback: {url}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


# --- wrk ------------------------------------------------------------------------------------------


def require_wrk() -> str:
    path = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if path is None:
        raise BenchError("wrk is not installed: apt-get install wrk")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
_LATENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+(\d+(?:\.\d+)?)(us|ms|s|m)\s*$", re.MULTILINE)


def _to_ms(number: str, unit: str) -> float:
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", output, re.MULTILINE)
    if not rps or not total:
        raise BenchError(f"Could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    average = re.search(r"^\s*Latency\s+(\d+(?:\.\d+)?)(us|ms|s|m)", output, re.MULTILINE)
    return {
        "requests_per_second": float(rps.group(1)),
        "requests": int(total.group(1)),
        "duration_ms": _to_ms(total.group(2), total.group(3)),
        "latency_ms": {f"p{float(p):g}": _to_ms(v, u) for p, v, u in _LATENCY.findall(output)},
        "latency_avg_ms": _to_ms(*average.groups()) if average else None,
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
    }


def wrk(
    url: str,
    *,
    threads: int = 2,
    connections: int = 16,
    duration: int = 10,
    timeout_s: int = 5,
    headers: dict | None = None,
) -> dict:
    """Load one loopback URL with wrk and answer its figures, with the command line and raw output."""
    if urlsplit(url).hostname != LOOPBACK:
        raise BenchError(f"Refusing to send benchmark traffic off loopback: {url}")
    command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout_s}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["--latency", url]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish: {' '.join(command)}") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    result = parse_wrk(done.stdout)
    # The command line is kept for the results; a session cookie in it is not worth keeping.
    result["command"] = shlex.join(re.sub(r"(Cookie: \w+=)\S+", r"\1...", part) for part in command)
    result["output"] = done.stdout
    return result


# --- What every scenario's harness shares ---------------------------------------------------------------------


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def percentile(values, p) -> float:
    """The nearest-rank percentile of `values` (p from 0 to 100)."""
    import math

    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values_ms) -> dict:
    return {
        "n": len(values_ms),
        "p50": round(percentile(values_ms, 50), 2),
        "p95": round(percentile(values_ms, 95), 2),
        "p99": round(percentile(values_ms, 99), 2),
        "max": round(max(values_ms), 2) if values_ms else None,
        "mean": round(sum(values_ms) / len(values_ms), 2) if values_ms else None,
    }


def scenario_database_url(scenario: str) -> str:
    """BENCH_<SCENARIO>_DATABASE_URL, or DATABASE_URL's (or tinget_bench's) database name with "_<scenario>"
    added: each scenario fills a PostgreSQL database of its own."""
    explicit = os.environ.get(f"BENCH_{scenario.upper()}_DATABASE_URL")
    if explicit:
        return explicit
    parts = urlsplit(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    if parts.scheme.startswith("sqlite"):
        raise BenchError(
            f"The {scenario} targets are measured on PostgreSQL: set BENCH_{scenario.upper()}_DATABASE_URL to one."
        )
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'tinget_bench'}_{scenario}"))


def choose_shared_cache(scenario: str, redis_url: str) -> tuple[str, str]:
    """Redis (shared by the workers, as production has it: rate limits and sessions are per installation, not per
    process) when it answers; else each process's own memory. BENCH_CACHE=locmem|redis|<CACHE_URL>."""
    wanted = os.environ.get("BENCH_CACHE", "")
    if wanted == "locmem" or (not wanted and not redis_answers(redis_url)):
        return "locmem", f"locmemcache://tinget-bench-{scenario}"
    if wanted in ("", "redis"):
        if not redis_answers(redis_url):
            raise BenchError(f"BENCH_CACHE=redis, but Redis does not answer at {redis_url}")
        return "redis", redis_url
    return wanted.split(":", 1)[0], wanted


def empty_redis(url: str):
    import redis

    redis.Redis.from_url(url, socket_timeout=5).flushdb()


def setup_django():
    """For a scenario's halves that run in a subprocess: Django set up from the environment (production settings
    unless DJANGO_SETTINGS_MODULE says otherwise)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()


# --- Memory of a process ---------------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int | None:
    """A field of /proc/PID/status in kB (VmRSS, VmHWM), or None when the process or the field is gone."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


class RssSampler(threading.Thread):
    """Reads a process's VmRSS every `interval` seconds and keeps the largest."""

    def __init__(self, pid: int, interval: float = 0.002):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.samples = 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            rss = status_kb(self.pid, "VmRSS")
            if rss is not None:
                self.peak_kb = max(self.peak_kb, rss)
                self.samples += 1
            self.halt.wait(self.interval)

    def stop(self) -> int:
        self.halt.set()
        self.join(timeout=5)
        return self.peak_kb
