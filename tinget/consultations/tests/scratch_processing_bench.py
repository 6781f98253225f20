import random
import time
import tracemalloc

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinget.consultations.models import Answer, Submission, SubmissionAttachment, Tag

from .conftest import pass_deadline
from .test_processing import en, questions


def test_scratch(staff_client, open_consultation, resident):
    c = open_consultation
    rng = random.Random(1)
    sections = list(c.sections.all())
    choice, scale, text = questions(c)
    options = list(choice.options.all())
    now = timezone.now()
    subs = [
        Submission(
            consultation=c, number=i, status="sent", show_name=False, author=resident, author_name=f"Person {i}",
            sender_kind="organisation" if i % 7 == 0 else "person",
            organisation_name="Vel" if i % 7 == 0 else "", organisation_role="Leder" if i % 7 == 0 else "",
            text=("Tekst om planen; med mange ord. " * rng.randint(5, 60)), sent_at=now,
            section=rng.choice(sections + [None] * 3), hidden_at=now if i % 50 == 0 else None,
            considered_at=now if i % 3 == 0 else None, response="Svar" if i % 3 == 0 else "",
        )
        for i in range(1, 10001)
    ]
    Submission.objects.bulk_create(subs, batch_size=2000)
    subs = list(Submission.objects.filter(consultation=c).order_by("number"))
    answers = []
    for s in subs:
        if s.section_id is None:
            answers.append(Answer(submission=s, question=choice, option=rng.choice(options)))
            answers.append(Answer(submission=s, question=scale, scale_value=rng.randint(1, 5)))
    Answer.objects.bulk_create(answers, batch_size=5000)
    tags = [Tag.objects.create(consultation=c, name=f"tema {n}") for n in range(6)]
    Through = Submission.tags.through
    Through.objects.bulk_create([Through(submission_id=s.pk, tag_id=rng.choice(tags).pk) for s in subs], batch_size=5000)
    SubmissionAttachment.objects.bulk_create(
        [SubmissionAttachment(submission=s, file="x.pdf", filename="x.pdf", content_type="application/pdf", size=10) for s in subs[::10]]
    )
    pass_deadline(c)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
    import cProfile, pstats, io
    from tinget.consultations import exports, selectors
    pr = cProfile.Profile()
    pr.enable()
    t = time.perf_counter()
    n = sum(1 for _ in exports.csv_lines(c, selectors.export_rows(selectors.export_submissions(c), 500)))
    print("direct csv", time.perf_counter() - t, n)
    pr.disable()
    out = io.StringIO()
    pstats.Stats(pr, stream=out).sort_stats("tottime").print_stats(20)
    print(out.getvalue())
    from django.template import Template
    from django.test.utils import _TestState
    Template._render = _TestState.saved_data.template_render
    from tinget.consultations import selectors as sel
    qs = sel.staff_submissions(c, {})[2500:2525]
    with connection.cursor() as cur:
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN ANALYZE " + sql, params)
        print("\n".join(r[0] for r in cur.fetchall()))
        sql, params = sel.staff_submissions(c, {"tag": tags[2].pk}).order_by().query.sql_with_params()
        cur.execute("EXPLAIN ANALYZE SELECT COUNT(*) FROM (" + sql + ") s", params)
        print("\n".join(r[0] for r in cur.fetchall()))
    url = en("staff_submissions", pk=c.pk)
    for _ in range(3):
        staff_client.get(url)
    pr = cProfile.Profile()
    pr.enable()
    for k in range(10):
        staff_client.get(url, {"side": k + 20})
    pr.disable()
    out = io.StringIO()
    pstats.Stats(pr, stream=out).sort_stats("cumulative").print_stats(60)
    print("PROFILE LIST", out.getvalue())
    cases = [{}, {"tag": tags[2].pk}, {"section": sections[0].pk}, {"considered": "no"}, {"q": "planen"}, {"answer": f"o{options[1].pk}"}, {"hidden": "yes"}, {"sender": "vel"}]
    for params in cases:
        times = []
        sql = []
        for _ in range(15):
            p = {**params, "side": rng.randint(1, 100)}
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                r = staff_client.get(url, p)
            times.append((time.perf_counter() - t) * 1000)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            assert r.status_code == 200
        times.sort()
        print(params, "p50 %.1f max %.1f sql p50 %.1f" % (times[7], times[-1], sorted(sql)[7]), len(ctx.captured_queries))
    t = time.perf_counter()
    r = staff_client.get(en("staff_submission", pk=c.pk, number=5000))
    print("detail", (time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    r = staff_client.get(en("report", pk=c.pk))
    print("report", (time.perf_counter() - t) * 1000)
    tracemalloc.start()
    t = time.perf_counter()
    r = staff_client.get(en("export_csv", pk=c.pk))
    n = 0
    size = 0
    for chunk in r.streaming_content:
        size += len(chunk)
        n += chunk.count(b"\r\n")
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("csv s", time.perf_counter() - t, "bytes", size, "lines", n, "peak MB", peak / 2**20)
