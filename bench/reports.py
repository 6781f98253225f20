"""Fault reports with 200,000 generated reports: the map's GeoJSON, the Open311 list and the nearby check.

PostgreSQL in a database of its own (BENCH_REPORTS_DATABASE_URL; by default DATABASE_URL's, or
tinget_bench's, name with "_reports" added, created if missing), migrated and loaded with the demo, then
filled with generated reports (submission keys "bench-…"; reused when already there). gunicorn serves
config.wsgi with production settings on a free loopback port; one client asks one request at a time, so each
figure is the latency of one request (or one selector call) on an otherwise idle server:

- map_bbox_p95_ms: GET reports:geojson?bbox=… for random bounding boxes holding 100-500 public reports
  (and, without a target, map_bbox_dense_p95_ms for boxes holding 1,000-10,000, of which it answers 500);
- open311_list_p95_ms: GET /open311/v2/requests.json for random 90-day windows, each answering 1,000
  requests;
- nearby_p95_ms: selectors.nearby_open(category, lat, long) at random points near existing reports,
  in-process (the check the form makes before a report is sent).

The *_cpu_p95_ms figures time the same work in-process with time.process_time(): the application's own cost,
which stays put when other work keeps the cores busy and the wall-clock figures climb.

Knobs (environment): BENCH_REPORTS (200000), BENCH_MAP_ITERATIONS (400), BENCH_OPEN311_ITERATIONS (100),
BENCH_NEARBY_ITERATIONS (2000), BENCH_SEED (3203). `python -m bench.reports generate|measure` are the two
halves this scenario runs in subprocesses with Django set up (see run()).
"""

import json
import math
import os
import sys
import tempfile
import time

from ._support import (
    LOOPBACK,
    BenchError,
    Gunicorn,
    ensure_database,
    env_int,
    fetch,
    manage,
    production_env,
    redacted,
    run_python,
    scenario_database_url,
    setup_django,
    summary,
)

TARGETS = {"map_bbox_p95_ms": ("<=", 30), "open311_list_p95_ms": ("<=", 150), "nearby_p95_ms": ("<=", 10)}
WORKERS = 2
KEY_PREFIX = "bench-"
BATCH = 5000


def _worker(env, *args, timeout=1800) -> dict:
    """Run `python -m bench.reports ARGS` (Django set up from env); its last stdout line is JSON."""
    stdout = run_python(env, "-m", "bench.reports", *args, timeout=timeout)
    return json.loads(stdout.strip().splitlines()[-1])


def run() -> dict:
    database_url = scenario_database_url("reports")
    steps = {}
    clock = time.monotonic()
    database = ensure_database(database_url)
    database["url"] = redacted(database_url)
    steps["database_s"] = round(time.monotonic() - clock, 1)
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        env = production_env(
            DATABASE_URL=database_url, CACHE_URL="locmemcache://tinget-bench-reports", STATIC_ROOT=static_root
        )
        for label, args in (
            ("migrate_s", ("migrate", "--noinput")),
            ("load_demo_s", ("load_demo", "--quiet-logins")),
            ("collectstatic_s", ("collectstatic", "--noinput", "-v", "0")),
        ):
            clock = time.monotonic()
            manage(env, *args, timeout=600)
            steps[label] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()
        generated = _worker(env, "generate")
        steps["generate_s"] = round(time.monotonic() - clock, 1)

        load_before = list(os.getloadavg())
        server = Gunicorn(env, workers=WORKERS)
        with server:
            measured = _worker(env, "measure", server.base_url)
            server_log = server.log_tail()

    figures = {
        "map_bbox_p95_ms": measured["map"]["p95"],
        "map_bbox_dense_p95_ms": measured["map_dense"]["p95"],
        "open311_list_p95_ms": measured["open311"]["p95"],
        "nearby_p95_ms": measured["nearby"]["p95"],
        # The application's own CPU per request (in-process; see measure()): steady when the machine is busy.
        "map_bbox_cpu_p95_ms": measured["cpu_ms"]["map"]["p95"],
        "open311_list_cpu_p95_ms": measured["cpu_ms"]["open311"]["p95"],
        "nearby_cpu_p95_ms": measured["cpu_ms"]["nearby"]["p95"],
        "reports": generated["total_reports"],
    }
    return {
        "figures": figures,
        "database": database,
        "details": {
            "latency_ms": {name: measured[name] for name in ("map", "map_dense", "open311", "nearby")},
            "map": measured["map_details"],
            "open311": measured["open311_details"],
            "nearby": measured["nearby_details"],
            "cpu_ms": measured["cpu_ms"],
            "load_average_before": load_before,
            "load_average_after": measured["load_average_after"],
            "explain": measured["explain"],
            "indexes": measured["indexes"],
            "data": generated,
            "server": {
                "command": " ".join(server.command),
                "workers": WORKERS,
                "settings": "config.settings.production",
                "bound_to": LOOPBACK,
                "client": "one request at a time (sequential), http.client over loopback",
            },
            "setup_seconds": steps,
            "server_log_tail": server_log,
        },
    }


# --- The halves that run with Django set up ------------------------------------------------------


# Where the generated reports are: the demo areas' centres (weights roughly by inhabitants) and how far they
# spread, plus some anywhere inside the outline.
AREA_SPREAD_M = {
    "asker-sentrum": (20, 1800),
    "borgen": (12, 1400),
    "heggedal": (11, 1500),
    "holmen": (13, 1500),
    "slemmestad": (11, 1400),
    "spikkestad": (11, 1500),
    "saetre": (11, 1600),
    "tofte": (10, 1800),
}
ANYWHERE = 0.15


def generate() -> dict:
    """Make reports until there are BENCH_REPORTS with bench keys (none when they are already there), each with
    the "reported" line and, when it has moved on, a public answer; then ANALYZE."""
    setup_django()
    import random
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from tinget.core import geo
    from tinget.core.models import Area
    from tinget.core.selectors import current_municipality
    from tinget.reports.models import CLOSED_UNFIXED_STATES, OPEN_STATES, Category, Report, State, Update

    wanted = env_int("BENCH_REPORTS", 200_000)
    existing = Report.objects.filter(submission_key__startswith=KEY_PREFIX).count()
    result = {"wanted": wanted, "existing_before": existing, "created": 0}
    if existing < wanted:
        rng = random.Random(env_int("BENCH_SEED", 3203) + existing)
        municipality = current_municipality()
        ring = municipality.boundary
        box = geo.ring_bbox(ring)
        areas = [a for a in Area.objects.filter(municipality=municipality) if a.center_latitude is not None]
        weights = [AREA_SPREAD_M.get(a.slug, (5, 1500))[0] for a in areas]
        categories = list(Category.objects.reportable().select_related("unit"))
        now = timezone.now()
        states_old = [State.FIXED] * 75 + [State.CLOSED] * 8 + [State.NO_FURTHER_ACTION] * 5 + [State.OPEN] * 12
        states_new = [State.OPEN] * 50 + [State.INVESTIGATING] * 20 + [State.IN_PROGRESS] * 15 + [State.FIXED] * 15

        def point():
            while True:
                if rng.random() < ANYWHERE:
                    lat, lon = rng.uniform(box.south, box.north), rng.uniform(box.west, box.east)
                else:
                    area = rng.choices(areas, weights)[0]
                    spread = AREA_SPREAD_M.get(area.slug, (5, 1500))[1]
                    lat = area.center_latitude + math.degrees(rng.gauss(0, spread) / geo.EARTH_RADIUS_M)
                    lon = area.center_longitude + math.degrees(
                        rng.gauss(0, spread) / (geo.EARTH_RADIUS_M * math.cos(math.radians(area.center_latitude)))
                    )
                if geo.point_in_ring(lat, lon, ring):
                    return round(lat, 6), round(lon, 6), geo.nearest_area(areas, lat, lon)

        number = existing
        while number < wanted:
            batch = []
            for _ in range(min(BATCH, wanted - number)):
                number += 1
                category = rng.choice(categories)
                lat, lon, area = point()
                created = now - timedelta(seconds=rng.uniform(60, 365 * 86400))
                age_days = (now - created).total_seconds() / 86400
                state = rng.choice(states_new if age_days < 30 else states_old)
                done_at = (
                    created + min(now - created, timedelta(days=rng.uniform(0.2, 20)))
                    if state not in OPEN_STATES
                    else None
                )
                batch.append(
                    Report(
                        category=category,
                        unit=category.unit,
                        area=area,
                        title=f"{category.name} (generert #{number})",
                        description=f"Generert for ytelsesmåling, nummer {number}.",
                        latitude=lat,
                        longitude=lon,
                        address=f"{area.name} {rng.randint(1, 120)}",
                        state=state,
                        is_hidden=rng.random() < 0.003,
                        reporter_name="Generert Innbygger",
                        reporter_email=f"bench{number}@example.no",
                        submission_key=f"{KEY_PREFIX}{number:07d}",
                        created_at=created,
                        confirmed_at=created,
                        updated_at=done_at or created,
                        due_at=created + timedelta(days=category.response_days),
                        fixed_at=done_at if state == State.FIXED else None,
                        closed_at=done_at if state == State.FIXED or state in CLOSED_UNFIXED_STATES else None,
                        questionnaire_sent_at=done_at + timedelta(days=28)
                        if state == State.FIXED and now - done_at > timedelta(days=28)
                        else None,
                    )
                )
            with transaction.atomic():
                Report.objects.bulk_create(batch, batch_size=1000)
                updates = []
                for report in batch:
                    updates.append(
                        Update(
                            report=report,
                            kind=Update.Kind.CREATED,
                            new_state=State.OPEN,
                            created_at=report.created_at,
                        )
                    )
                    if report.state != State.OPEN:
                        updates.append(
                            Update(
                                report=report,
                                kind=Update.Kind.STATE,
                                author_label=report.unit.name,
                                old_state=State.OPEN,
                                new_state=report.state,
                                text="Generert svar fra enheten.",
                                created_at=report.updated_at,
                            )
                        )
                Update.objects.bulk_create(updates, batch_size=2000)
            result["created"] += len(batch)
            print(f"{number} / {wanted}", file=sys.stderr, flush=True)
    # A table that was just filled has no visibility map yet, so PostgreSQL cannot answer from an index alone
    # (the map's newest-first index is made for that) until autovacuum comes by: vacuum now, as it would have.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) reports_report")
        cursor.execute("VACUUM (ANALYZE) reports_update")
    result["total_reports"] = Report.objects.count()
    result["public_reports"] = Report.objects.public().count()
    result["updates"] = Update.objects.count()
    return result


def _explain(sql_and_params) -> str:
    from django.db import connection

    sql, params = sql_and_params
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(base_url: str) -> dict:
    setup_django()
    import random
    from datetime import UTC, timedelta

    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone, translation

    from tinget.core import geo
    from tinget.reports import selectors
    from tinget.reports.models import OPEN_STATES, Category, Report

    rng = random.Random(env_int("BENCH_SEED", 3203))
    with translation.override("nb"):
        geojson_path = reverse("reports:geojson")
    open311_path = "/open311/v2/requests.json"  # fixed by the GeoReport v2 spec
    public = Report.objects.public()
    sample = list(public.order_by("?").values_list("latitude", "longitude", "category_id")[:3000])

    # Bounding boxes around random reports, grown or shrunk until they hold 100-500 public reports.
    def find_boxes(low, high, wanted=60):
        found = []
        for lat, lon, _category in sample:
            if len(found) >= wanted:
                break
            metres = 400.0 * math.sqrt(high / 500)
            for _step in range(12):
                box = geo.bbox_around(lat, lon, metres)
                count = public.in_bbox(box).count()
                if low <= count <= high:
                    found.append((box, count))
                    break
                metres *= 0.75 if count > high else 1.4
        if len(found) < 10:
            raise BenchError(f"Could not find bounding boxes with {low}-{high} reports (found {len(found)})")
        return found

    # The target's boxes: a street or two, 100-500 reports. Also, for the record, a neighbourhood where the map
    # shows the newest 500 of 1,000-10,000 (no target; the plan differs, see details.explain.map_dense).
    boxes = find_boxes(100, 500)
    dense_boxes = find_boxes(1000, 10_000, wanted=30)

    def timed_get(path):
        started = time.perf_counter()
        status, _headers, body = fetch(base_url + path, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {body[:500]!r}")
        return elapsed, body

    # Warm both workers (and PostgreSQL's caches) before measuring.
    for box, _count in boxes[:20]:
        timed_get(f"{geojson_path}?bbox={box}")
    timed_get(open311_path)

    map_ms, map_features = [], []
    for index in range(env_int("BENCH_MAP_ITERATIONS", 400)):
        box, count = boxes[index % len(boxes)]
        elapsed, body = timed_get(f"{geojson_path}?bbox={box}")
        features = len(json.loads(body)["features"])
        if features != min(count, 500):
            raise BenchError(f"The map answered {features} features for a box holding {count} public reports")
        map_ms.append(elapsed)
        map_features.append(features)

    dense_ms = []
    for index in range(env_int("BENCH_MAP_ITERATIONS", 400) // 2):
        box, _count = dense_boxes[index % len(dense_boxes)]
        elapsed, body = timed_get(f"{geojson_path}?bbox={box}")
        if len(json.loads(body)["features"]) != 500:
            raise BenchError("The map did not answer the newest 500 reports of a dense box")
        dense_ms.append(elapsed)

    now = timezone.now()
    open311_ms, open311_sizes = [], []
    for _index in range(env_int("BENCH_OPEN311_ITERATIONS", 100)):
        end = now - timedelta(days=rng.uniform(0, 250))
        start = end - timedelta(days=90)
        start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        query = f"start_date={start_utc:%Y-%m-%dT%H:%M:%SZ}&end_date={end_utc:%Y-%m-%dT%H:%M:%SZ}"
        elapsed, body = timed_get(f"{open311_path}?{query}")
        size = len(json.loads(body))
        if size != 1000:
            raise BenchError(f"GET {open311_path}?{query} answered {size} requests, not 1,000")
        open311_ms.append(elapsed)
        open311_sizes.append(len(body))

    categories = {c.pk: c for c in Category.objects.all()}
    for lat, lon, category_id in sample[:50]:
        selectors.nearby_open(categories[category_id], lat, lon)
    nearby_ms, nearby_found = [], []
    iterations = env_int("BENCH_NEARBY_ITERATIONS", 2000)
    for index in range(iterations):
        lat, lon, category_id = sample[index % len(sample)]
        # A new report somewhere within 200 m of an existing one.
        lat += math.degrees(rng.uniform(-200, 200) / geo.EARTH_RADIUS_M)
        lon += math.degrees(rng.uniform(-200, 200) / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat))))
        started = time.perf_counter()
        found = selectors.nearby_open(categories[category_id], lat, lon)
        nearby_ms.append((time.perf_counter() - started) * 1000)
        nearby_found.append(len(found))

    # The same requests in this process through Django's test client, timing CPU only (time.process_time): what
    # the application itself costs per request, whatever else the machine is doing (the wall-clock figures
    # above also hold waiting for a core, which on a busy machine can be most of them).
    from django.test import Client

    client = Client(HTTP_HOST=LOOPBACK)
    cpu = {"map": [], "open311": [], "nearby": []}
    for index in range(min(100, len(map_ms))):
        box, _count = boxes[index % len(boxes)]
        started = time.process_time()
        client.get(f"{geojson_path}?bbox={box}")
        cpu["map"].append((time.process_time() - started) * 1000)
    for _index in range(min(20, len(open311_ms))):
        started = time.process_time()
        client.get(open311_path)
        cpu["open311"].append((time.process_time() - started) * 1000)
    for index in range(min(500, iterations)):
        lat, lon, category_id = sample[index % len(sample)]
        started = time.process_time()
        selectors.nearby_open(categories[category_id], lat, lon)
        cpu["nearby"].append((time.process_time() - started) * 1000)

    # The plans of the three queries, for the record (and for when a figure moves).
    box, _count = boxes[0]
    lat, lon, category_id = sample[0]
    from tinget.reports.open311 import find_requests

    explain = {
        "map": _explain(
            Report.objects.public()
            .in_bbox(box)
            .order_by("-created_at", "-id")
            .values_list(*selectors.MAP_FIELDS)[:501]
            .query.sql_with_params()
        ),
        "map_dense": _explain(
            Report.objects.public()
            .in_bbox(dense_boxes[0][0])
            .order_by("-created_at", "-id")
            .values_list(*selectors.MAP_FIELDS)[:501]
            .query.sql_with_params()
        ),
        "open311": _explain(find_requests({}).query.sql_with_params()),
        "nearby": _explain(
            Report.objects.public()
            .filter(category_id=category_id, state__in=sorted(OPEN_STATES))
            .in_bbox(geo.bbox_around(lat, lon, 250))
            .only("pk", "title", "latitude", "longitude", "state", "created_at", "address", "category_id")[:200]
            .query.sql_with_params()
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('reports_report', 'reports_update') "
            "ORDER BY tablename, indexname"
        )
        indexes = {name: definition for name, definition in cursor.fetchall()}

    return {
        "map": summary(map_ms),
        "map_dense": summary(dense_ms),
        "open311": summary(open311_ms),
        "nearby": summary(nearby_ms),
        "map_details": {
            "path": geojson_path,
            "boxes": len(boxes),
            "reports_per_box": {"min": min(c for _, c in boxes), "max": max(c for _, c in boxes)},
            "dense_boxes": len(dense_boxes),
            "reports_per_dense_box": {"min": min(c for _, c in dense_boxes), "max": max(c for _, c in dense_boxes)},
            "features_mean": round(sum(map_features) / len(map_features), 1),
        },
        "open311_details": {
            "path": open311_path,
            "requests_per_answer": 1000,
            "bytes_mean": round(sum(open311_sizes) / len(open311_sizes)),
        },
        "nearby_details": {
            "call": "selectors.nearby_open(category, lat, long) in-process",
            "found_mean": round(sum(nearby_found) / len(nearby_found), 2),
            "found_max": max(nearby_found),
        },
        "cpu_ms": {name: summary(values) for name, values in cpu.items()},
        "explain": explain,
        "indexes": indexes,
        "load_average_after": list(os.getloadavg()),
    }


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "generate":
        outcome = generate()
    elif command == "measure" and len(sys.argv) == 3:
        outcome = measure(sys.argv[2])
    else:
        sys.exit("usage: python -m bench.reports generate | measure BASE_URL")
    print(json.dumps(outcome, default=str))
