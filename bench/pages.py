"""The hub's speed against a trivial view under gunicorn, and what a first visit to the hub transfers.

Production settings on PostgreSQL (DATABASE_URL, default tinget_bench on loopback, created if missing),
migrated and loaded with the demo; gunicorn on a free loopback port; wrk as the load from a second
process. Knobs (environment): BENCH_DURATION (seconds of load per URL, 10, in 4 rounds rounded up to whole
seconds), BENCH_CONNECTIONS (16), BENCH_WRK_THREADS (2), BENCH_WORKER_CLASS (sync or gthread),
BENCH_WORKER_THREADS (4), BENCH_CACHE (locmem, redis, or a CACHE_URL). See bench/README.md.
"""

import gzip
import math
import os
import re
import tempfile
import time
import zlib
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from ._support import (
    DEFAULT_DATABASE_URL,
    LOOPBACK,
    REDIS_URL,
    BenchError,
    Gunicorn,
    ensure_database,
    fetch,
    manage,
    production_env,
    redis_answers,
    require_wrk,
    wrk,
)

TARGETS = {"hub_to_trivial": (">=", 0.5), "hub_bytes": ("<=", 100 * 1024)}
WORKERS = 2
WARM_UP_SECONDS = 3
ROUNDS = 4  # per URL; an even number, for the mirrored order
# Elements whose URL the browser fetches while loading the page (links in <a> are not fetched).
FETCHED = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
FETCHED_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest", "prefetch", "preconnect"}
FONT_FILE = re.compile(r"\.(woff2?|ttf|otf|eot)(\?|#|$)", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)\1""")


class PageResources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stylesheets, self.scripts, self.fetched, self.fonts = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if "stylesheet" in rels:
                self.stylesheets.append(attrs["href"])
            if rels & FETCHED_LINK_RELS:
                self.fetched.append(attrs["href"])
            if attrs.get("as") == "font" or FONT_FILE.search(attrs["href"]):
                self.fonts.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        for name in FETCHED.get(tag, ()):
            for value in (attrs.get(name) or "").split(","):
                if value.strip():
                    self.fetched.append(value.strip().split()[0])


def decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # only served when WhiteNoise had brotli to compress with, so it is installed

        return brotli.decompress(body)
    return body


def is_off_site(url: str, base_url: str) -> bool:
    parts = urlsplit(urljoin(base_url, url))
    return parts.scheme not in ("http", "https", "data", "") or (
        parts.scheme in ("http", "https") and parts.netloc != urlsplit(base_url).netloc
    )


def first_visit(base_url: str) -> dict:
    """The hub's HTML as served to a browser that accepts gzip, plus every stylesheet (and what it imports)
    and script it links, each fetched with gzip and brotli accepted; bytes counted as they came."""
    status, headers, body = fetch(base_url + "/", {"Accept-Encoding": "gzip"})
    if status != 200:
        raise BenchError(f"The hub answered {status}")
    html_encoding = headers.get("content-encoding", "identity")
    html = decode(body, html_encoding).decode("utf-8")
    page = PageResources()
    page.feed(html)
    resources, off_site, fonts = [], [], list(page.fonts)
    off_site += [url for url in page.fetched if not url.startswith("data:") and is_off_site(url, base_url)]
    queue = [("stylesheet", url) for url in page.stylesheets] + [("script", url) for url in page.scripts]
    seen = set()
    while queue:
        kind, url = queue.pop(0)
        absolute = urljoin(base_url + "/", url)
        if absolute in seen:
            continue
        seen.add(absolute)
        if is_off_site(absolute, base_url):
            off_site.append(absolute)
            continue
        res_status, res_headers, res_body = fetch(absolute, {"Accept-Encoding": "gzip, br"})
        if res_status != 200:
            raise BenchError(f"{absolute} answered {res_status}")
        encoding = res_headers.get("content-encoding", "identity")
        plain = decode(res_body, encoding)
        resources.append(
            {
                "kind": kind,
                "url": urlsplit(absolute).path,
                "bytes": len(res_body),
                "uncompressed_bytes": len(plain),
                "encoding": encoding,
                "cache_control": res_headers.get("cache-control"),
            }
        )
        if kind == "stylesheet":
            css = plain.decode("utf-8", errors="replace")
            if "@font-face" in css:
                fonts.append(f"@font-face in {urlsplit(absolute).path}")
            for _, imported in CSS_IMPORT.findall(css):
                queue.append(("stylesheet", urljoin(absolute, imported)))
            for _, referenced in CSS_URL.findall(css):
                if referenced.startswith("data:"):
                    continue
                target = urljoin(absolute, referenced)
                if FONT_FILE.search(referenced):
                    fonts.append(target)
                if is_off_site(target, base_url):
                    off_site.append(target)
    resource_bytes = sum(resource["bytes"] for resource in resources)
    return {
        "hub_bytes": len(body) + resource_bytes,
        "html": {"bytes": len(body), "uncompressed_bytes": len(html.encode()), "encoding": html_encoding},
        "resources": resources,
        "off_site_urls": sorted(set(off_site)),
        "off_site": bool(off_site),
        "web_fonts": sorted(set(fonts)),
        "web_font_loaded": bool(fonts),
    }


def check_pages(base_url: str):
    """Both measured pages must answer what a resident gets, or the comparison means nothing."""
    status, headers, body = fetch(base_url + "/")
    page = body.decode("utf-8", errors="replace")
    if status != 200 or not headers.get("content-type", "").startswith("text/html") or "<main" not in page:
        raise BenchError(f"The hub does not answer a page ({status}): {page[:300]!r}")
    status, _, body = fetch(base_url + "/trivial")
    if status != 200 or body != b"ok":
        raise BenchError(f"/trivial answered {status}: {body[:300]!r}")


# A session for the demo resident, made the way a login makes one, so that wrk can load the hub as a
# logged-in resident sees it: the layout rendered for this person around the cached body.
_SESSION_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user = get_user_model().objects.get(email="innbygger@example.no")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(settings.SESSION_COOKIE_NAME + "=" + session.session_key)
"""


def logged_in_cookie(env: dict, base_url: str) -> str:
    cookie = manage(env, "shell", "--no-imports", "-c", _SESSION_SCRIPT).strip().splitlines()[-1]
    status, _, body = fetch(base_url + "/", {"Cookie": cookie})
    if status != 200 or b"csrfmiddlewaretoken" not in body:  # only the logged-in header has a form
        raise BenchError("Could not load the hub as the logged-in demo resident")
    return cookie


def combine(runs: list) -> dict:
    """One figure from several wrk runs of the same URL: requests over time, and the worst of the latency
    percentiles (wrk reports them per run, and percentiles cannot be merged exactly)."""
    requests = sum(run["requests"] for run in runs)
    duration_ms = sum(run["duration_ms"] for run in runs)
    percentiles = {key for run in runs for key in run["latency_ms"]}
    return {
        "requests_per_second": requests / (duration_ms / 1000),
        "requests": requests,
        "duration_ms": duration_ms,
        "latency_ms": {key: max(run["latency_ms"].get(key, 0) for run in runs) for key in sorted(percentiles)},
        "non_2xx_3xx": sum(run["non_2xx_3xx"] for run in runs),
        "socket_errors": {
            kind: sum(run["socket_errors"][kind] for run in runs) for kind in ("connect", "read", "write", "timeout")
        },
        "runs": runs,
    }


def choose_cache() -> tuple[str, str]:
    wanted = os.environ.get("BENCH_CACHE", "locmem")
    if wanted == "locmem":
        return "locmem", "locmemcache://tinget-bench"
    if wanted == "redis":
        if not redis_answers(REDIS_URL):
            raise BenchError(f"BENCH_CACHE=redis, but Redis does not answer at {REDIS_URL}")
        return "redis", REDIS_URL
    return wanted.split(":", 1)[0], wanted


def run() -> dict:
    require_wrk()
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "16"))
    wrk_threads = int(os.environ.get("BENCH_WRK_THREADS", "2"))
    # sync beat gthread (4 threads) on this 2-core machine for every figure, and by far on p99: the hub is
    # CPU-bound, so one request at a time per core is the best use of it (figures in bench/README.md).
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    worker_threads = int(os.environ.get("BENCH_WORKER_THREADS", "4"))
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    cache_name, cache_url = choose_cache()
    steps = {}

    load_before = list(os.getloadavg())
    clock = time.monotonic()
    database = ensure_database(database_url)
    steps["database_s"] = round(time.monotonic() - clock, 1)
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        env = production_env(DATABASE_URL=database_url, CACHE_URL=cache_url, STATIC_ROOT=static_root)
        for label, args in (
            ("migrate_s", ("migrate", "--noinput")),
            ("load_demo_s", ("load_demo", "--quiet-logins")),
            ("collectstatic_s", ("collectstatic", "--noinput", "-v", "0")),
        ):
            clock = time.monotonic()
            manage(env, *args)
            steps[label] = round(time.monotonic() - clock, 1)

        server = Gunicorn(env, workers=WORKERS, worker_class=worker_class, threads=worker_threads)
        with server:
            check_pages(server.base_url)
            visit = first_visit(server.base_url)
            hub_url, trivial_url = server.base_url + "/", server.base_url + "/trivial"
            targets = {
                "hub": (hub_url, {}),
                "trivial": (trivial_url, {}),
                "hub_logged_in": (hub_url, {"Cookie": logged_in_cookie(env, server.base_url)}),
            }
            load = {"threads": wrk_threads, "connections": connections}
            for url, headers in targets.values():
                wrk(url, duration=WARM_UP_SECONDS, headers=headers, **load)
            # Short rounds, taking turns in mirrored order: whatever else the machine does drifts over the
            # run, and this way the drift weighs about the same on every URL.
            rounds = {name: [] for name in targets}
            for name in (*targets, *reversed(targets)) * (ROUNDS // 2):
                url, headers = targets[name]
                rounds[name].append(wrk(url, duration=max(1, math.ceil(duration / ROUNDS)), headers=headers, **load))
            server_log = server.log_tail()
    hub, trivial, logged_in = (combine(rounds[name]) for name in ("hub", "trivial", "hub_logged_in"))

    for name, measured in (("hub", hub), ("trivial", trivial), ("hub_logged_in", logged_in)):
        bad = measured["non_2xx_3xx"] + sum(measured["socket_errors"].values())
        if bad:
            outputs = "\n".join(run["output"] for run in measured["runs"])
            raise BenchError(f"{name}: {bad} failed requests under load:\n{outputs}\n{server_log}")

    figures = {
        "hub_rps": round(hub["requests_per_second"], 1),
        "trivial_rps": round(trivial["requests_per_second"], 1),
        "hub_to_trivial": round(hub["requests_per_second"] / trivial["requests_per_second"], 3),
        "hub_p99_ms": round(hub["latency_ms"].get("p99", float("nan")), 2),
        "hub_bytes": visit["hub_bytes"],
        "hub_logged_in_rps": round(logged_in["requests_per_second"], 1),
        "hub_logged_in_to_trivial": round(logged_in["requests_per_second"] / trivial["requests_per_second"], 3),
    }
    return {
        "figures": figures,
        "database": database,
        "details": {
            "server": {
                "command": " ".join(server.command),
                "workers": WORKERS,
                "worker_class": worker_class,
                "threads_per_worker": worker_threads if worker_class == "gthread" else 1,
                "settings": "config.settings.production",
                "cache": {"backend": cache_name, "url": cache_url},
                "bound_to": LOOPBACK,
            },
            "wrk": {
                "hub": hub,
                "trivial": trivial,
                "hub_logged_in": logged_in,
                "order": f"a warm-up of each, then {ROUNDS // 2} x (hub, trivial, hub_logged_in, hub_logged_in, "
                f"trivial, hub), each round 1/{ROUNDS} of the duration",
                "warm_up_seconds_each": WARM_UP_SECONDS,
            },
            "first_visit": visit,
            "setup_seconds": steps,
            # Other work on the machine moves every figure; the ratios move least.
            "load_average_before": load_before,
            "server_log_tail": server_log,
        },
    }
