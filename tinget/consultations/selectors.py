"""Every read of consultations that a page, the API, a feed or Min side uses, with its visibility rules: the public
never gets a draft consultation, a draft submission, hidden input's text, or a name the sender chose not to show.
"""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from . import rules
from .models import Consultation, Document, Section, Stage, State, Submission, Topic

# The states the public list can be filtered on, in the list's order.
LIST_STATES = (State.OPEN, State.UPCOMING, State.CLOSED, State.PROCESSING, State.CONCLUDED)


def public_consultations(*, municipality=None, state=None, area=None, unit=None, topic=None, query="", now=None):
    """Published consultations, soonest deadline first for open ones. Filters take model instances or pks."""
    now = now or timezone.now()
    qs = Consultation.objects.published()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if state:
        qs = qs.in_state(state, now)
    if area:
        qs = qs.filter(areas=area)
    if unit:
        qs = qs.filter(unit=unit)
    if topic:
        qs = qs.filter(topic=topic)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(summary__icontains=query) | Q(case_number__icontains=query))
    qs = qs.select_related("unit", "topic").prefetch_related("areas")
    qs = qs.annotate(public_input_count=Count("submissions", filter=Q(submissions__status=Submission.Status.SENT)))
    if state == State.OPEN:
        return qs.order_by("deadline", "pk")
    if state == State.UPCOMING:
        return qs.order_by("opens_at", "pk")
    return qs.order_by("-deadline", "-pk")


def consultation_for_viewer(pk, viewer) -> Consultation:
    """The consultation if this viewer may see it (published, or a draft for those who may write it); else 404."""
    consultation = (
        Consultation.objects.select_related("unit", "topic", "municipality")
        .prefetch_related("areas")
        .filter(pk=pk)
        .first()
    )
    if consultation is None:
        raise Http404
    if consultation.stage == Stage.DRAFT and not (
        rules.can_author(viewer, consultation) or rules.can_process(viewer, consultation)
    ):
        raise Http404
    return consultation


def sections_of(consultation) -> list[Section]:
    return list(
        consultation.sections.annotate(
            public_comment_count=Count(
                "submissions",
                filter=Q(submissions__status=Submission.Status.SENT, submissions__hidden_at__isnull=True),
            )
        ).order_by("order", "pk")
    )


def documents_of(consultation) -> list[Document]:
    return list(consultation.documents.order_by("order", "pk"))


def questions_of(consultation):
    return consultation.questions.prefetch_related("options").order_by("order", "pk")


def public_submissions(consultation, *, section=None):
    """Sent input as the public sees it, in the order received. Hidden input stays in the list (with the reason
    instead of its text) so the numbering has no gaps; templates show `hidden_reason` for those."""
    qs = (
        consultation.submissions.sent()
        .select_related("section")
        .prefetch_related("attachments")
        .defer("response")
        .order_by("number")
    )
    if section is not None:
        qs = qs.filter(section=section)
    return qs


def public_submission(consultation, number) -> Submission:
    submission = (
        consultation.submissions.sent()
        .select_related("section")
        .prefetch_related("attachments", Prefetch("answers__option"), "answers__question")
        .filter(number=number)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def submission_for_author(user, key) -> Submission:
    """A person's own input (draft or sent) by its form key; 404 for anyone else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    submission = (
        Submission.objects.select_related("consultation", "section")
        .prefetch_related("attachments", "answers")
        .filter(key=key, author=user)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def topics():
    return Topic.objects.all()


def question_results(consultation, *, include_hidden: bool = True) -> list[dict]:
    """Counts per answer for choice and scale questions, and the number of text answers, from sent input.

    Each item: {"question", "kind", "total", "rows": [{"label", "count", "percent"}]} (rows empty for text
    questions). Hidden input still counts unless include_hidden=False: it was sent, and its answers are input.
    Two aggregate queries, whatever the number of submissions.
    """
    from .models import Answer, Question

    questions = list(questions_of(consultation))
    answers = Answer.objects.filter(submission__consultation=consultation, submission__status=Submission.Status.SENT)
    if not include_hidden:
        answers = answers.filter(submission__hidden_at__isnull=True)
    option_counts = dict(
        answers.filter(option__isnull=False)
        .values_list("option_id")
        .annotate(n=Count("pk"))
        .values_list("option_id", "n")
    )
    scale_counts = {}
    text_counts = {}
    for question_id, scale_value, text_count in (
        answers.filter(option__isnull=True)
        .values_list("question_id", "scale_value")
        .annotate(n=Count("pk"))
        .values_list("question_id", "scale_value", "n")
    ):
        if scale_value is None:
            text_counts[question_id] = text_counts.get(question_id, 0) + text_count
        else:
            scale_counts[(question_id, scale_value)] = text_count
    results = []
    for question in questions:
        if question.kind == Question.Kind.CHOICE:
            rows = [{"label": o.label, "count": option_counts.get(o.pk, 0)} for o in question.options.all()]
        elif question.kind == Question.Kind.SCALE:
            rows = []
            for value in range(1, question.scale_max + 1):
                label = str(value)
                if value == 1 and question.scale_min_label:
                    label = f"1 ({question.scale_min_label})"
                elif value == question.scale_max and question.scale_max_label:
                    label = f"{value} ({question.scale_max_label})"
                rows.append({"label": label, "count": scale_counts.get((question.pk, value), 0)})
        else:
            rows = []
        total = sum(r["count"] for r in rows) if rows else text_counts.get(question.pk, 0)
        for row in rows:
            row["percent"] = round(100 * row["count"] / total) if total else 0
        results.append({"question": question, "kind": question.kind, "total": total, "rows": rows})
    return results
