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
    """Published consultations (the API's list and site search), filtered as the public list filters them, each
    with `public_input_count`: open ones soonest deadline first, upcoming soonest opening first, the rest newest
    first."""
    now = now or timezone.now()
    qs = _public_filtered(municipality=municipality, area=area, unit=unit, topic=topic, query=query)
    if state:
        qs = qs.in_state(state, now)
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


# --- Staff: writing consultations (views/authoring.py) ---------------------------------------------------------
# The overview's states, in the order a case worker works through them.
STAFF_STATES = (State.DRAFT, State.UPCOMING, State.OPEN, State.CLOSED, State.PROCESSING, State.CONCLUDED)


def _state_conditions(now) -> dict:
    """Each state as a condition on the row (the same as ConsultationQuerySet.in_state), for one-query counts."""
    return {
        State.DRAFT: Q(stage=Stage.DRAFT),
        State.UPCOMING: Q(stage=Stage.PUBLISHED, opens_at__gt=now),
        State.OPEN: Q(stage=Stage.PUBLISHED, opens_at__lte=now, deadline__gte=now),
        State.CLOSED: Q(stage=Stage.PUBLISHED, deadline__lt=now),
        State.PROCESSING: Q(stage=Stage.PROCESSING),
        State.CONCLUDED: Q(stage=Stage.CONCLUDED),
    }


def _staff_scope(user, municipality=None):
    from tinget.accounts.staff import scope_to_units

    qs = scope_to_units(Consultation.objects.all(), user)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs


def staff_consultations(user, *, municipality=None, state="", query="", now=None):
    """The consultations of the units this staff member works for (administrators: every unit), for the staff
    overview. Without a state: grouped by state in STAFF_STATES' order, soonest deadline first within each.
    Input counts are not annotated here (that would count every consultation's input before paginating):
    ask `input_counts` for the page's rows."""
    from django.db.models import Case, IntegerField, Value, When

    now = now or timezone.now()
    qs = _staff_scope(user, municipality).select_related("unit", "topic")
    if state:
        qs = qs.in_state(state, now)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(case_number__icontains=query))
    if state == State.OPEN:
        return qs.order_by("deadline", "pk")
    if state == State.UPCOMING:
        return qs.order_by("opens_at", "pk")
    if state == State.DRAFT:
        return qs.order_by("-updated_at", "-pk")
    if state:
        return qs.order_by("-deadline", "-pk")
    rank = Case(
        *(When(condition, then=Value(i)) for i, condition in enumerate(_state_conditions(now).values())),
        default=Value(len(STAFF_STATES)),
        output_field=IntegerField(),
    )
    return qs.annotate(state_rank=rank).order_by("state_rank", "deadline", "pk")


def staff_state_counts(user, *, municipality=None, now=None) -> dict:
    """{state: how many of this staff member's consultations are in it}, in one query."""
    now = now or timezone.now()
    conditions = _state_conditions(now)
    counts = _staff_scope(user, municipality).aggregate(
        **{str(state): Count("pk", filter=condition) for state, condition in conditions.items()}
    )
    return {state: counts[str(state)] or 0 for state in STAFF_STATES}


def input_counts(consultation_ids) -> dict:
    """{consultation id: (input sent, sent input not yet marked as considered)}, in one query."""
    rows = (
        Submission.objects.filter(consultation_id__in=list(consultation_ids), status=Submission.Status.SENT)
        .values("consultation_id")
        .annotate(sent=Count("pk"), unconsidered=Count("pk", filter=Q(considered_at__isnull=True)))
        .values_list("consultation_id", "sent", "unconsidered")
    )
    return {pk: (sent, unconsidered) for pk, sent, unconsidered in rows}


def consultation_for_staff(pk) -> Consultation:
    """Any consultation, drafts included, with what the staff pages show; 404 if there is none. Whether this
    staff member may write it is rules.can_author's question."""
    consultation = (
        Consultation.objects.select_related("unit", "topic", "municipality", "created_by")
        .prefetch_related("areas")
        .filter(pk=pk)
        .first()
    )
    if consultation is None:
        raise Http404
    return consultation


def sections_for_staff(consultation) -> list[Section]:
    """The sections with `input_count`: all input on each, drafts included (a section with any cannot go)."""
    return list(consultation.sections.annotate(input_count=Count("submissions")).order_by("order", "pk"))


def section_for_staff(consultation, section_pk) -> Section:
    section = consultation.sections.annotate(input_count=Count("submissions")).filter(pk=section_pk).first()
    if section is None:
        raise Http404
    return section


def question_for_staff(consultation, question_pk):
    question = consultation.questions.prefetch_related("options").filter(pk=question_pk).first()
    if question is None:
        raise Http404
    return question


def document_for_staff(consultation, document_pk) -> Document:
    document = consultation.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return document


def versions_of(consultation):
    """The published versions, newest first, with who made each."""
    return consultation.versions.select_related("created_by").order_by("-number")


# --- Processing (staff) ---------------------------------------------------------------------------------------
# Appended by the processing pages (views/processing.py). Staff see all sent input, hidden input included, with
# the sender's real name; these never serve a public page.

# The characters of the text a row in the staff list shows: the database cuts it, so a long text never leaves it.
STAFF_EXCERPT_CHARS = 300


def staff_consultation(pk) -> Consultation:
    """The consultation for a staff page (any stage), with its unit; 404 when there is none. Whether this person
    may process or moderate it is the view's question (rules.can_process / can_moderate)."""
    consultation = Consultation.objects.select_related("unit").filter(pk=pk).first()
    if consultation is None:
        raise Http404
    return consultation


def _staff_filtered(consultation, filters):
    """Sent input to `consultation` narrowed by `filters` (see staff_submissions), without loading anything."""
    from django.db.models import Exists, OuterRef

    from .models import Answer

    filters = filters or {}
    qs = Submission.objects.filter(consultation=consultation, status=Submission.Status.SENT)
    section = filters.get("section")
    if section == "general":
        qs = qs.filter(section__isnull=True)
    elif section:
        qs = qs.filter(section_id=section)
    answers = Answer.objects.filter(submission=OuterRef("pk"))
    if filters.get("option"):
        qs = qs.filter(Exists(answers.filter(option_id=filters["option"])))
    if filters.get("scale"):
        question_id, value = filters["scale"]
        qs = qs.filter(Exists(answers.filter(question_id=question_id, scale_value=value)))
    if filters.get("question"):
        qs = qs.filter(Exists(answers.filter(question_id=filters["question"])))
    if filters.get("sender_kind"):
        qs = qs.filter(sender_kind=filters["sender_kind"])
    if sender := (filters.get("sender") or "").strip():
        qs = qs.filter(Q(author_name__icontains=sender) | Q(organisation_name__icontains=sender))
    tag = filters.get("tag")
    if tag == "none":
        qs = qs.exclude(Exists(Submission.tags.through.objects.filter(submission_id=OuterRef("pk"))))
    elif tag:
        qs = qs.filter(Exists(Submission.tags.through.objects.filter(submission_id=OuterRef("pk"), tag_id=tag)))
    for name, field in (("considered", "considered_at"), ("hidden", "hidden_at")):
        if filters.get(name) is not None:
            qs = qs.filter(**{f"{field}__isnull": not filters[name]})
    if filters.get("late") is not None:
        qs = qs.filter(late=filters["late"])
    if query := (filters.get("q") or "").strip():
        condition = (
            Q(text__icontains=query) | Q(response__icontains=query) | Q(Exists(answers.filter(text__icontains=query)))
        )
        number = query.lstrip("#")
        if number.isdigit() and len(number) < 10:
            condition |= Q(number=int(number))
        qs = qs.filter(condition)
    return qs


def staff_submissions(consultation, filters=None):
    """All sent input to a consultation for its case workers, hidden input included, in the order received.

    `filters` (all optional): section ("general" for input on no section, or a Section pk), option (an Option
    pk: answered with it), scale ((question pk, value)), question (a Question pk: answered at all), sender_kind,
    sender (part of the person's or the organisation's name), tag ("none" for untagged, or a Tag pk), considered,
    hidden, late (True / False), q (words in the text, the response or a text answer, or an input number).

    Each row carries `excerpt` (the text's first STAFF_EXCERPT_CHARS characters; the full text is not loaded),
    `attachment_count`, its section and its tags. A page of rows costs three queries (the count, the rows, the
    tags), however many rows there are; the list is served by the (consultation, status, number) index.
    """
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce, Substr

    from .models import SubmissionAttachment, Tag

    attachments = (
        SubmissionAttachment.objects.filter(submission=OuterRef("pk"))
        .order_by()
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _staff_filtered(consultation, filters)
        .select_related("section")
        .defer("text", "response", "hidden_reason")
        .annotate(
            excerpt=Substr("text", 1, STAFF_EXCERPT_CHARS),
            attachment_count=Coalesce(Subquery(attachments, output_field=IntegerField()), 0),
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("pk", "name", "consultation_id")))
        .order_by("number")
    )


def staff_submission_page(consultation, filters=None, *, page=1, per_page=25):
    """One page of staff_submissions as a Paginator page: its numbers first (from the (consultation, status,
    number) index alone, however deep the page), then only those rows with their excerpt, attachment count and
    tags. A plain OFFSET over the full rows would make the database cut the text and count the attachments of
    every row it skips. Three queries and the count (with a search: three), whatever the page."""
    from django.core.paginator import Paginator

    numbers = _staff_filtered(consultation, filters).order_by("number").values_list("number", flat=True)
    if (filters or {}).get("q"):
        # A search reads every row's text: read the matching numbers once, rather than once to count them and
        # again for the page (at most one integer per input to this consultation).
        numbers = list(numbers)
    page_obj = Paginator(numbers, per_page).get_page(page)
    wanted = list(page_obj.object_list)
    page_obj.object_list = list(staff_submissions(consultation).filter(number__in=wanted)) if wanted else []
    return page_obj


def staff_neighbours(consultation, number, filters=None) -> tuple[int | None, int | None]:
    """The numbers of the input before and after `number` in the staff list as filtered (for previous/next)."""
    qs = _staff_filtered(consultation, filters).order_by()
    previous = qs.filter(number__lt=number).order_by("-number").values_list("number", flat=True).first()
    following = qs.filter(number__gt=number).order_by("number").values_list("number", flat=True).first()
    return previous, following


def staff_submission(consultation, number) -> Submission:
    """One sent input in full for staff: the original text of hidden input, the sender's account (e-mail), the
    answers with their questions, the attachments, the tags, who considered and who hid it. 404 if none."""
    from .models import Answer

    submission = (
        Submission.objects.filter(consultation=consultation, status=Submission.Status.SENT, number=number)
        .select_related("section", "author", "considered_by", "hidden_by")
        .prefetch_related(
            "attachments",
            "tags",
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question", "option").order_by("question__order", "question"),
            ),
        )
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def staff_attachment(consultation, number, attachment_pk):
    """One attachment of sent input for staff (also of hidden input); 404 if it is not that input's."""
    from .models import SubmissionAttachment

    attachment = (
        SubmissionAttachment.objects.select_related("submission")
        .filter(
            pk=attachment_pk,
            submission__consultation=consultation,
            submission__status=Submission.Status.SENT,
            submission__number=number,
        )
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def tags_of(consultation):
    from .models import Tag

    return Tag.objects.filter(consultation=consultation).order_by("name")


def processing_counts(consultation) -> dict:
    """What the processing page counts, in three queries: all sent input (considered, hidden, late, from
    organisations), per section (None: general input) and per tag.

    {"total", "considered", "not_considered", "hidden", "late", "organisations",
     "sections": [{"section": Section | None, "total", "considered"}], "tags": [{"tag", "total"}]}"""
    sent = Submission.objects.filter(consultation=consultation, status=Submission.Status.SENT).order_by()
    totals = sent.aggregate(
        total=Count("pk"),
        considered=Count("pk", filter=Q(considered_at__isnull=False)),
        hidden=Count("pk", filter=Q(hidden_at__isnull=False)),
        late=Count("pk", filter=Q(late=True)),
        organisations=Count("pk", filter=Q(sender_kind=Submission.SenderKind.ORGANISATION)),
    )
    per_section = {
        row["section_id"]: row
        for row in sent.values("section_id").annotate(
            total=Count("pk"), considered=Count("pk", filter=Q(considered_at__isnull=False))
        )
    }
    sections = [
        {
            "section": section,
            "total": per_section.get(section.pk, {}).get("total", 0),
            "considered": per_section.get(section.pk, {}).get("considered", 0),
        }
        for section in consultation.sections.order_by("order", "pk")
    ]
    general = per_section.get(None, {})
    sections.insert(0, {"section": None, "total": general.get("total", 0), "considered": general.get("considered", 0)})
    tags = [
        {"tag": tag, "total": tag.total}
        for tag in tags_of(consultation).annotate(
            total=Count("submissions", filter=Q(submissions__status=Submission.Status.SENT))
        )
    ]
    return {
        **{key: totals[key] or 0 for key in ("total", "considered", "hidden", "late", "organisations")},
        "not_considered": (totals["total"] or 0) - (totals["considered"] or 0),
        "sections": sections,
        "tags": tags,
    }


def export_submissions(consultation):
    """Every sent input for an export, hidden input included, in the order received, with the author's e-mail
    (`author_email`). Read it with export_rows(), which adds each row's tags, attachments and answers."""
    from django.db.models import F

    return (
        Submission.objects.filter(consultation=consultation, status=Submission.Status.SENT)
        .only(*EXPORT_FIELDS)
        .annotate(author_email=F("author__email"))
        .order_by("number")
    )


EXPORT_FIELDS = (
    "pk",
    "consultation_id",
    "number",
    "status",
    "author_id",
    "author_name",
    "sender_kind",
    "organisation_name",
    "organisation_role",
    "show_name",
    "section_id",
    "text",
    "version",
    "late",
    "sent_at",
    "considered_at",
    "response",
    "hidden_at",
    "hidden_reason",
)


def export_rows(submissions, chunk_size=500):
    """`submissions` (export_submissions, or a part of it) read `chunk_size` at a time through
    `.iterator(chunk_size=...)`, each with `export_tags` (names), `export_attachments` (SubmissionAttachment rows)
    and `export_answers` ((question_id, option_id, scale_value, text) tuples), fetched for a whole chunk at once:
    three queries a chunk, and memory for one chunk, however much input there is. (prefetch_related would do the
    same queries, but builds a queryset per row and relation, which costs more than the rest of an export.)"""
    from itertools import islice

    from .models import Answer, SubmissionAttachment

    rows = submissions.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        ids = [submission.pk for submission in chunk]
        tags, attachments, answers = {}, {}, {}
        through = Submission.tags.through.objects.filter(submission_id__in=ids)
        for submission_id, name in through.order_by("tag__name").values_list("submission_id", "tag__name"):
            tags.setdefault(submission_id, []).append(name)
        for attachment in (
            SubmissionAttachment.objects.filter(submission_id__in=ids)
            .only("pk", "submission_id", "file", "filename", "content_type", "size")
            .order_by("pk")
        ):
            attachments.setdefault(attachment.submission_id, []).append(attachment)
        for submission_id, *answer in Answer.objects.filter(submission_id__in=ids).values_list(
            "submission_id", "question_id", "option_id", "scale_value", "text"
        ):
            answers.setdefault(submission_id, []).append(tuple(answer))
        for submission in chunk:
            submission.export_tags = tags.get(submission.pk, [])
            submission.export_attachments = attachments.get(submission.pk, [])
            submission.export_answers = answers.get(submission.pk, [])
            yield submission


# --- Public pages (views/public.py, feeds.py) -----------------------------------------------------------------
# Appended by the public pages. A visitor picks one of these tabs on the list; "closed" holds everything past the
# deadline that is not concluded yet (processing too): for a resident both mean "no more input, no outcome yet".
PUBLIC_TABS = ("open", "upcoming", "closed", "concluded", "all")


def _public_tab_condition(tab, now):
    return {
        "open": Q(stage=Stage.PUBLISHED, opens_at__lte=now, deadline__gte=now),
        "upcoming": Q(stage=Stage.PUBLISHED, opens_at__gt=now),
        "closed": Q(stage=Stage.PUBLISHED, deadline__lt=now) | Q(stage=Stage.PROCESSING),
        "concluded": Q(stage=Stage.CONCLUDED),
    }.get(tab, Q())


def _public_filtered(*, municipality=None, area=None, unit=None, topic=None, query=""):
    qs = Consultation.objects.published()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if area:
        qs = qs.filter(areas=area)
    if unit:
        qs = qs.filter(unit=unit)
    if topic:
        qs = qs.filter(topic=topic)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(summary__icontains=query) | Q(case_number__icontains=query))
    return qs


def public_list(*, tab="open", municipality=None, area=None, unit=None, topic=None, query="", now=None):
    """Published consultations in one of PUBLIC_TABS ("all" or anything else: every published one), filtered.

    Open ones soonest deadline first, upcoming soonest opening first, the rest newest first. Input is not counted
    here (counting every consultation's input before paginating costs a join on all input): ask
    `public_input_counts` for the page's rows."""
    now = now or timezone.now()
    qs = (
        _public_filtered(municipality=municipality, area=area, unit=unit, topic=topic, query=query)
        .filter(_public_tab_condition(tab, now))
        .select_related("unit", "topic")
        .prefetch_related("areas")
    )
    if tab == "open":
        return qs.order_by("deadline", "pk")
    if tab == "upcoming":
        return qs.order_by("opens_at", "pk")
    if tab == "concluded":
        return qs.order_by("-concluded_at", "-pk")
    return qs.order_by("-deadline", "-pk")


def public_tab_counts(*, municipality=None, area=None, unit=None, topic=None, query="", now=None) -> dict:
    """{tab: how many published consultations match the other filters in it}, in one query."""
    now = now or timezone.now()
    qs = _public_filtered(municipality=municipality, area=area, unit=unit, topic=topic, query=query).order_by()
    counts = qs.aggregate(
        **{tab: Count("pk", distinct=True, filter=_public_tab_condition(tab, now)) for tab in PUBLIC_TABS}
    )
    return {tab: counts[tab] or 0 for tab in PUBLIC_TABS}


def public_input_counts(consultation_ids) -> dict:
    """{consultation id: input sent to it} (hidden input too: it keeps its number in the public list)."""
    rows = (
        Submission.objects.filter(consultation_id__in=list(consultation_ids), status=Submission.Status.SENT)
        .order_by()
        .values("consultation_id")
        .annotate(n=Count("pk"))
        .values_list("consultation_id", "n")
    )
    return dict(rows)


def public_units(municipality=None):
    """The units responsible for a published consultation: the list's filter offers only those."""
    from tinget.core.models import Unit

    published = Consultation.objects.published()
    if municipality is not None:
        published = published.filter(municipality=municipality)
    return Unit.objects.filter(pk__in=published.values("unit_id")).order_by("name")


def public_submission_count(consultation) -> int:
    return consultation.submissions.sent().count()


def latest_public_submissions(consultation, limit=3) -> list[Submission]:
    """The newest input the public may read (hidden input left out), for the consultation's page."""
    return list(
        consultation.submissions.public()
        .select_related("section")
        .defer("response", "hidden_reason")
        .order_by("-number")[:limit]
    )


def public_versions(consultation):
    """The published versions, newest first, without their content or who made them."""
    return consultation.versions.only("pk", "consultation_id", "number", "created_at", "note").order_by("-number")


def latest_version(consultation):
    """The current version (its note says what changed last), or None before publication."""
    if not consultation.version:
        return None
    return (
        consultation.versions.only("pk", "consultation_id", "number", "created_at", "note")
        .filter(number=consultation.version)
        .first()
    )


def public_version(consultation, number):
    """(the version, the one before it or None) in one query; 404 if there is no such version."""
    found = {v.number: v for v in consultation.versions.filter(number__in=[number, number - 1])}
    if number not in found:
        raise Http404
    return found[number], found.get(number - 1)


def public_document(consultation, document_pk):
    """One of the consultation's documents, or None. Whether the viewer may see the consultation is
    consultation_for_viewer's question."""
    return consultation.documents.filter(pk=document_pk).first()


def public_attachment(consultation, number, attachment_pk):
    """An attachment of the sent input `number`, with its submission (hidden or not: the view decides), or None."""
    from .models import SubmissionAttachment

    return (
        SubmissionAttachment.objects.select_related("submission")
        .filter(
            pk=attachment_pk,
            submission__consultation=consultation,
            submission__number=number,
            submission__status=Submission.Status.SENT,
        )
        .first()
    )


def feed_consultations(municipality=None, *, limit=50):
    """Published consultations, the newest published first, for the RSS feed."""
    qs = Consultation.objects.published()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return list(qs.select_related("unit", "topic").prefetch_related("areas").order_by("-published_at", "-pk")[:limit])


def calendar_consultations(municipality=None, *, now=None):
    """Open and upcoming consultations, soonest deadline first: the deadlines' calendar."""
    now = now or timezone.now()
    qs = Consultation.objects.filter(stage=Stage.PUBLISHED, deadline__gte=now)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return list(qs.select_related("unit").order_by("deadline", "pk"))


def public_sections(consultation) -> tuple[list[Section], int]:
    """The sections, each with `public_comment_count` (its sent input not hidden), and the number of input sent
    to the consultation (hidden input too: it keeps its number). Two queries, the counting one a single pass over
    the consultation's input by the (consultation, status, number) index, however many sections."""
    counts = (
        Submission.objects.filter(consultation=consultation, status=Submission.Status.SENT)
        .order_by()
        .values("section_id")
        .annotate(sent=Count("pk"), public=Count("pk", filter=Q(hidden_at__isnull=True)))
        .values_list("section_id", "sent", "public")
    )
    public_by_section = {}
    total = 0
    for section_id, sent, public in counts:
        total += sent
        public_by_section[section_id] = public
    sections = list(consultation.sections.order_by("order", "pk"))
    for section in sections:
        section.public_comment_count = public_by_section.get(section.pk, 0)
    return sections, total


def question_results(consultation, *, include_hidden: bool = True) -> list[dict]:
    """Counts per answer for choice and scale questions, and the number of text answers, from sent input:
    [{"question", "kind", "total", "rows": [{"label", "count", "percent"}]}] (rows empty for text questions).

    Hidden input counts unless include_hidden=False (the public's figures): it was sent, and its answers are
    input. One counting query, grouped by question, option and scale value, whatever the number of answers."""
    from .models import Answer, Question

    questions = list(questions_of(consultation))
    if not questions:
        return []
    answers = Answer.objects.filter(submission__consultation=consultation, submission__status=Submission.Status.SENT)
    if not include_hidden:
        answers = answers.filter(submission__hidden_at__isnull=True)
    counts = (
        answers.order_by()
        .values("question_id", "option_id", "scale_value")
        .annotate(n=Count("pk"))
        .values_list("question_id", "option_id", "scale_value", "n")
    )
    by_option, by_scale, texts = {}, {}, {}
    for question_id, option_id, scale_value, n in counts:
        if option_id is not None:
            by_option[option_id] = by_option.get(option_id, 0) + n
        elif scale_value is not None:
            by_scale[(question_id, scale_value)] = by_scale.get((question_id, scale_value), 0) + n
        else:
            texts[question_id] = texts.get(question_id, 0) + n
    results = []
    for question in questions:
        if question.kind == Question.Kind.CHOICE:
            rows = [{"label": o.label, "count": by_option.get(o.pk, 0)} for o in question.options.all()]
        elif question.kind == Question.Kind.SCALE:
            rows = [
                {"label": question.scale_label(value), "count": by_scale.get((question.pk, value), 0)}
                for value in range(1, question.scale_max + 1)
            ]
        else:
            rows = []
        total = sum(r["count"] for r in rows) if rows else texts.get(question.pk, 0)
        for row in rows:
            row["percent"] = round(100 * row["count"] / total) if total else 0
        results.append({"question": question, "kind": question.kind, "total": total, "rows": rows})
    return results


# --- Platform: Min side, privacy and the API (providers.py, api.py) -------------------------------------------


def submissions_of(user):
    """A person's own input, drafts and sent, most recently changed first, with its consultation and section.
    Nothing for an anonymous visitor."""
    if not getattr(user, "is_authenticated", False):
        return Submission.objects.none()
    return (
        Submission.objects.filter(author=user).select_related("consultation", "section").order_by("-updated_at", "-pk")
    )


def submissions_for_export_of(user):
    """Everything a person's input holds, for "download my data": answers with their questions, attachments and
    the case worker's tags, in a fixed number of queries."""
    from .models import Answer

    return submissions_of(user).prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question", "option").order_by("question__order")),
        "attachments",
        "tags",
    )


def public_input_for_api(consultation, *, section=None):
    """The public input as public_submissions gives it, with each one's answers (question and option) and the
    municipality's response too (the public page of one input shows it): what the API shows of input that is not
    hidden. One query per relation, whatever the page size."""
    from .models import Answer

    return (
        public_submissions(consultation, section=section)
        .defer(None)
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question", "option").order_by("question__order", "question_id"),
            )
        )
    )


# --- The resident's own input (views/submitting.py, views/mine.py) ------------------------------------------------


def own_submission(user, key) -> Submission | None:
    """This person's input (draft or sent) with the form key `key`, or None (no such key, or someone else's)."""
    if key is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Submission.objects.select_related("consultation", "section")
        .prefetch_related("attachments", Prefetch("answers", queryset=_answers_in_order()))
        .filter(key=key, author=user)
        .first()
    )


def _answers_in_order():
    from .models import Answer

    return Answer.objects.select_related("question", "option").order_by("question__order", "question__pk")


def sent_input_of(user):
    """What this person has sent, newest first (with the consultation, for its state)."""
    return (
        Submission.objects.sent()
        .filter(author=user)
        .select_related("consultation", "section")
        .order_by("-sent_at", "-pk")
    )


def drafts_of(user):
    """This person's unsent drafts, most recently saved first. Only they ever see them."""
    return (
        Submission.objects.drafts()
        .filter(author=user)
        .select_related("consultation", "section")
        .order_by("-updated_at", "-pk")
    )


def followed_consultations(user) -> list[Consultation]:
    """The published consultations this person follows, soonest deadline first."""
    from django.contrib.contenttypes.models import ContentType

    from tinget.core.models import Follow

    ids = Follow.objects.filter(user=user, content_type=ContentType.objects.get_for_model(Consultation)).values_list(
        "object_id", flat=True
    )
    return list(
        Consultation.objects.published()
        .filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
        .select_related("unit")
        .order_by("deadline", "pk")
    )
