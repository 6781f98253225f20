"""Consultations' router in the project's REST API (/api/v1/consultations/): the published consultations with their
text, sections, documents, questions and the answers' counts, and the public input to each. Read-only, and only
what the public pages show: never a draft consultation or a draft of input, never the text, answers or
attachments of input a moderator hid (only the reason), and a sender's name only when they chose to show it (an
organisation's name is always shown: it sent the input as an organisation).

Times are ISO 8601 with the municipality's UTC offset (Europe/Oslo): a deadline is a moment, such as
2027-01-15T23:59:00+01:00."""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from tinget.api.schemas import ErrorOut, InvalidOut, absolute

from . import rules, selectors, services
from .models import State

router = Router(tags=["consultations"])

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,60}$"
MAX_ID = 2**62
MAX_PAGE_SIZE = 100
PUBLIC_STATE_VALUES = tuple(state.value for state in State if state in rules.PUBLIC_STATES)
PublicState = Literal[PUBLIC_STATE_VALUES]  # type: ignore[valid-type]


def _link(context, name: str, **kwargs) -> str:
    try:
        return absolute(context, reverse(name, kwargs=kwargs))
    except NoReverseMatch:  # the public pages are not mounted
        return ""


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


# --- Schemas -----------------------------------------------------------------------------------------------------
class Ref(Schema):
    slug: str
    name: str


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class ConsultationItemOut(Schema):
    id: int
    url: str = Field(description="The consultation's public page.")
    input_url: str = Field(description="The public input to it, in this API.")
    title: str
    summary: str = Field(description="What this is about, in plain language.")
    case_number: str
    state: str = Field(description="upcoming, open, closed (deadline passed), processing or concluded.")
    state_label: str = Field(description="The state in words, in the language asked for.")
    unit: Ref = Field(description="The responsible unit.")
    areas: list[Ref] = Field(description="The parts of the municipality it concerns; empty: all of it.")
    topic: Ref | None
    opens_at: datetime = Field(description="When it takes input from (ISO 8601, local time with offset).")
    deadline: datetime = Field(description="The last moment input is taken (ISO 8601, local time with offset).")
    deadline_label: str = Field(description="The deadline as the site says it, in the language asked for.")
    published_at: datetime | None
    input_count: int = Field(description="Input sent to it (hidden input too: it keeps its number).")

    @staticmethod
    def resolve_url(obj, context):
        return _link(context, "consultations:detail", pk=obj.pk)

    @staticmethod
    def resolve_input_url(obj, context):
        return absolute(context, f"/api/v1/consultations/{obj.pk}/input")

    @staticmethod
    def resolve_state(obj):
        return obj.state

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_unit(obj):
        return {"slug": obj.unit.slug, "name": obj.unit.name}

    @staticmethod
    def resolve_areas(obj):
        return [{"slug": a.slug, "name": a.name} for a in obj.areas.all()]

    @staticmethod
    def resolve_topic(obj):
        if not obj.topic_id:
            return None
        return {"slug": obj.topic.slug, "name": obj.topic.localized("name", translation.get_language())}

    @staticmethod
    def resolve_opens_at(obj):
        return _local(obj.opens_at)

    @staticmethod
    def resolve_deadline(obj):
        return _local(obj.deadline)

    @staticmethod
    def resolve_deadline_label(obj):
        return str(services.local_moment(obj.deadline))

    @staticmethod
    def resolve_published_at(obj):
        return _local(obj.published_at)

    @staticmethod
    def resolve_input_count(obj):
        return obj.public_input_count


class SectionOut(Schema):
    id: int
    number: str
    heading: str
    body: str
    comment_count: int = Field(description="Public comments on this section (hidden ones not counted).")

    @staticmethod
    def resolve_comment_count(obj):
        return obj.public_comment_count


class DocumentOut(Schema):
    id: int
    title: str
    url: str = Field(description="Where the file is downloaded.")
    content_type: str
    size: int = Field(description="In bytes.")

    @staticmethod
    def resolve_url(obj, context):
        return _link(context, "consultations:document", pk=obj.consultation_id, document_pk=obj.pk)


class OptionOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    kind: str = Field(description="choice (choose one option), scale (1 to scale_max) or text.")
    text: str
    help_text: str
    required: bool
    options: list[OptionOut] = Field(description="For a choice question; empty otherwise.")
    scale_max: int | None = Field(description="For a scale question: the highest value (the lowest is 1).")
    scale_min_label: str
    scale_max_label: str

    @staticmethod
    def resolve_options(obj):
        return list(obj.options.all())

    @staticmethod
    def resolve_scale_max(obj):
        return obj.scale_max if obj.kind == obj.Kind.SCALE else None


class ResultRowOut(Schema):
    label: str
    count: int
    percent: int


class ResultOut(Schema):
    question: int = Field(description="The question's id.")
    kind: str
    total: int = Field(description="Answers counted (for a text question: how many answered).")
    rows: list[ResultRowOut] = Field(description="Per option or scale value; empty for a text question.")

    @staticmethod
    def resolve_question(obj):
        return obj["question"].pk


class ConsultationOut(ConsultationItemOut):
    influence: str = Field(description="What a resident can influence.")
    next_steps: str = Field(description="What happens next.")
    contact: ContactOut
    version: int = Field(description="The version of the text: 1 as published, one more for each change.")
    sections: list[SectionOut]
    documents: list[DocumentOut]
    questions: list[QuestionOut]
    results: list[ResultOut] = Field(
        description="The answers to choice and scale questions, counted from input that is not hidden."
    )
    processing_started_at: datetime | None
    concluded_at: datetime | None
    input_report: str = Field(description="The case worker's summary of the input received.")
    outcome: str = Field(description="What became of it, once concluded.")
    political_case_number: str
    political_case_url: str

    @staticmethod
    def resolve_sections(obj):
        return obj.api_sections

    @staticmethod
    def resolve_documents(obj):
        return obj.api_documents

    @staticmethod
    def resolve_questions(obj):
        return obj.api_questions

    @staticmethod
    def resolve_results(obj):
        return obj.api_results

    @staticmethod
    def resolve_contact(obj):
        return {"name": obj.contact_name, "email": obj.contact_email, "phone": obj.contact_phone}

    @staticmethod
    def resolve_processing_started_at(obj):
        return _local(obj.processing_started_at)

    @staticmethod
    def resolve_concluded_at(obj):
        return _local(obj.concluded_at)


class SectionRef(Schema):
    id: int
    number: str
    heading: str


class AnswerOut(Schema):
    question: int = Field(description="The question's id.")
    option: int | None = Field(description="The chosen option's id (choice questions).")
    answer: str = Field(description="The option's label, the scale value or the text.")

    @staticmethod
    def resolve_question(obj):
        return obj.question_id

    @staticmethod
    def resolve_option(obj):
        return obj.option_id

    @staticmethod
    def resolve_answer(obj):
        if obj.option_id:
            return obj.option.label
        if obj.scale_value is not None:
            return str(obj.scale_value)
        return obj.text


class AttachmentOut(Schema):
    filename: str
    url: str
    content_type: str
    size: int


class SubmissionOut(Schema):
    number: int = Field(description="Input 1, 2, 3 … in the order received.")
    url: str = Field(description="Its public page.")
    sent_at: datetime
    hidden: bool = Field(description="Hidden by a moderator: only the reason is given, never the input.")
    hidden_reason: str | None
    sender: str | None = Field(description="As the site shows it: the organisation, the name, or that it is not shown.")
    sender_kind: str | None = Field(description="person or organisation.")
    name: str | None = Field(description="The sender's name, when they chose to show it.")
    organisation: str | None
    section: SectionRef | None = Field(description="The section this is a comment on.")
    text: str | None
    answers: list[AnswerOut]
    attachments: list[AttachmentOut]
    response: str | None = Field(description="The municipality's response to it, when it has given one.")
    late: bool | None = Field(description="Sent after the deadline, when staff allowed late input.")
    version: int | None = Field(description="The version of the text the sender read.")


class SubmissionPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[SubmissionOut]


class ConsultationFilters(Schema):
    state: PublicState | None = Field(None, description="Only consultations in this state.")
    area: str | None = Field(None, pattern=SLUG_PATTERN, description="An area's slug.")
    unit: str | None = Field(None, pattern=SLUG_PATTERN, description="The responsible unit's slug.")
    topic: str | None = Field(None, pattern=SLUG_PATTERN, description="A topic's slug.")


class ConsultationPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="At most 100; 50 when not given.")

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=MAX_PAGE_SIZE, **kwargs)


class InputQuery(Schema):
    section: int | None = Field(None, ge=1, le=MAX_ID, description="Only comments on this section (its id).")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int | None = Field(
        None, ge=1, le=MAX_PAGE_SIZE, description="At most 100; TINGET_CONSULTATION_PAGE_SIZE (25) when not given."
    )


NOT_FOUND = {"code": "not_found", "detail": "No published consultation has this id."}


def _published(consultation_id):
    """The consultation as the public sees it (a staff member's session must not widen the open API), or None."""
    return selectors.public_consultations().filter(pk=consultation_id).first()


def _submission_out(submission, context) -> dict:
    url = _link(context, "consultations:submission", pk=submission.consultation_id, number=submission.number)
    if submission.is_hidden:
        return {
            "number": submission.number,
            "url": url,
            "sent_at": _local(submission.sent_at),
            "hidden": True,
            "hidden_reason": submission.hidden_reason,
            **dict.fromkeys(
                ("sender", "sender_kind", "name", "organisation", "section", "text", "response", "late", "version"),
                None,
            ),
            "answers": [],
            "attachments": [],
        }
    organisation = submission.sender_kind == submission.SenderKind.ORGANISATION
    return {
        "number": submission.number,
        "url": url,
        "sent_at": _local(submission.sent_at),
        "hidden": False,
        "hidden_reason": None,
        "sender": str(submission.public_name),
        "sender_kind": submission.sender_kind,
        "name": submission.author_name if submission.show_name else None,
        "organisation": submission.organisation_name if organisation else None,
        "section": submission.section,
        "text": submission.text,
        "answers": list(submission.answers.all()),
        "attachments": [
            {
                "filename": a.filename,
                "url": _link(
                    context,
                    "consultations:attachment",
                    pk=submission.consultation_id,
                    number=submission.number,
                    attachment_pk=a.pk,
                ),
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in submission.attachments.all()
        ],
        "response": submission.response or None,
        "late": submission.late,
        "version": submission.version,
    }


# --- Operations --------------------------------------------------------------------------------------------------
@router.get(
    "/",
    response={200: list[ConsultationItemOut], 422: InvalidOut},
    summary="Published consultations",
    description="Upcoming, open, closed, processing and concluded consultations, the latest deadline first; drafts "
    "are never listed.",
)
@paginate(ConsultationPagination)
def list_consultations(request, filters: Query[ConsultationFilters]):
    consultations = selectors.public_consultations(state=filters.state or None)
    if filters.area:
        consultations = consultations.filter(areas__slug=filters.area)
    if filters.unit:
        consultations = consultations.filter(unit__slug=filters.unit)
    if filters.topic:
        consultations = consultations.filter(topic__slug=filters.topic)
    return consultations


@router.get(
    "/{consultation_id}",
    response={200: ConsultationOut, 404: ErrorOut, 422: InvalidOut},
    summary="One published consultation: its text, documents, questions and the answers' counts",
)
def get_consultation(request, consultation_id: int = Path(..., ge=1, le=MAX_ID)):
    consultation = _published(consultation_id)
    if consultation is None:
        return Status(404, NOT_FOUND)
    # The reverse relations' names (sections, documents, questions) cannot be assigned to: the lists go beside them.
    consultation.api_sections, _total = selectors.public_sections(consultation)
    consultation.api_documents = selectors.documents_of(consultation)
    consultation.api_questions = list(selectors.questions_of(consultation))
    consultation.api_results = selectors.question_results(consultation, include_hidden=False)
    return consultation


@router.get(
    "/{consultation_id}/input",
    response={200: SubmissionPageOut, 404: ErrorOut, 422: InvalidOut},
    summary="The public input to one consultation, in the order received",
    description="Hidden input keeps its place and number, with the moderator's reason instead of the input. A "
    "sender's name is given only when they chose to show it.",
)
def list_input(request, query: Query[InputQuery], consultation_id: int = Path(..., ge=1, le=MAX_ID)):
    consultation = _published(consultation_id)
    if consultation is None:
        return Status(404, NOT_FOUND)
    page_size = query.page_size or min(settings.TINGET_CONSULTATION_PAGE_SIZE, MAX_PAGE_SIZE)
    submissions = selectors.public_input_for_api(consultation)
    if query.section:
        submissions = submissions.filter(section_id=query.section)
    offset = (query.page - 1) * page_size
    context = {"request": request}
    return {
        "count": submissions.count(),
        "page": query.page,
        "page_size": page_size,
        "items": [_submission_out(s, context) for s in submissions[offset : offset + page_size]],
    }
