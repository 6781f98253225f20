"""The fault reports' router in the project's REST API (/api/v1/reports/): public reports and the categories
they are made in. Read-only; only what the public pages show (never a reporter's contact details, and their
name only when they chose to show it). Sending a report from another system goes through Open311
(/open311/v2/, see reports:open311_docs)."""

import re
from datetime import UTC, datetime
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_validator

from tinget.api.schemas import ErrorOut, InvalidOut, absolute
from tinget.core.geo import BBox

from . import selectors
from .models import CLOSED_UNFIXED_STATES, FIXED_STATES, OPEN_STATES, Question

router = Router(tags=["reports"])

_NUMBER = r"-?\d{1,3}(\.\d{1,12})?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"
STATE_GROUPS = {"open": OPEN_STATES, "fixed": FIXED_STATES, "closed": CLOSED_UNFIXED_STATES}


def _language():
    return translation.get_language()


# --- Schemas -----------------------------------------------------------------------------------------------------
class CategoryRef(Schema):
    slug: str = Field(description="The category's code (also its Open311 service_code).")
    name: str


class GroupRef(Schema):
    slug: str
    name: str


class AreaRef(Schema):
    slug: str
    name: str


class ReportOut(Schema):
    id: int
    url: str = Field(description="The report's public page.")
    title: str
    description: str
    category: CategoryRef
    state: str = Field(
        description="open, investigating, action_scheduled, in_progress, internal_referral (still open); fixed; "
        "duplicate, not_responsible, no_further_action, closed (closed without being fixed)."
    )
    state_label: str = Field(description="The state in words, in the language asked for.")
    is_open: bool
    latitude: float
    longitude: float
    address: str
    area: AreaRef | None
    reporter_name: str | None = Field(description="Only when the reporter chose to show their name.")
    duplicate_of: int | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = Field(description="When an answer is expected.")
    fixed_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_url(obj, context):
        try:
            return absolute(context, obj.get_absolute_url())
        except NoReverseMatch:  # the public pages are not mounted
            return ""

    @staticmethod
    def resolve_category(obj):
        return {"slug": obj.category.slug, "name": obj.category.localized("name", _language())}

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_area(obj):
        return {"slug": obj.area.slug, "name": obj.area.name} if obj.area_id else None

    @staticmethod
    def resolve_reporter_name(obj):
        return obj.public_name or None

    @staticmethod
    def resolve_duplicate_of(obj):
        return obj.duplicate_of_id


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    width: int
    height: int
    alt_text: str

    @staticmethod
    def resolve_url(obj, context):
        return absolute(context, obj.full_url)

    @staticmethod
    def resolve_thumbnail_url(obj, context):
        return absolute(context, obj.thumbnail_url)


class UpdateOut(Schema):
    kind: str = Field(description="created, state, answer, reopened or questionnaire.")
    state: str | None = Field(description="The report's state after this update.")
    text: str
    author: str = Field(description="Who answered: the unit, or the reporter's public name (may be empty).")
    created_at: datetime

    @staticmethod
    def resolve_state(obj):
        return obj.new_state or None

    @staticmethod
    def resolve_author(obj):
        return obj.author_label


class ReportDetailOut(ReportOut):
    photos: list[PhotoOut]
    updates: list[UpdateOut]

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())

    @staticmethod
    def resolve_updates(obj):
        return list(obj.updates.all())


class ValueOut(Schema):
    key: str
    name: str


class QuestionOut(Schema):
    code: str
    datatype: str = Field(description="string, number, datetime, text, singlevaluelist or multivaluelist.")
    required: bool
    question: str
    hint: str
    values: list[ValueOut]

    @staticmethod
    def resolve_question(obj):
        return obj.localized("question", _language())

    @staticmethod
    def resolve_hint(obj):
        return obj.localized("hint", _language())

    @staticmethod
    def resolve_values(obj):
        if obj.datatype not in (Question.Datatype.SINGLE, Question.Datatype.MULTI):
            return []
        language = _language()
        return [
            {"key": str(value.get("key", "")), "name": obj.value_name(value.get("key"), language)}
            for value in obj.values
        ]


class CategoryOut(Schema):
    slug: str = Field(description="The category's code (also its Open311 service_code).")
    name: str
    description: str
    group: GroupRef
    unit: str = Field(description="The unit reports in this category are routed to.")
    response_days: int = Field(description="Expected time to an answer, in days.")
    is_urgent: bool = Field(description="Urgent: call urgent_phone instead of reporting.")
    urgent_phone: str
    not_ours: bool = Field(description="Not the municipality's responsibility: see contact_text and contact_url.")
    contact_text: str
    contact_url: str
    keywords: list[str]
    questions: list[QuestionOut]

    @staticmethod
    def resolve_name(obj):
        return obj.localized("name", _language())

    @staticmethod
    def resolve_description(obj):
        return obj.localized("description", _language())

    @staticmethod
    def resolve_group(obj):
        return {"slug": obj.group.slug, "name": obj.group.localized("name", _language())}

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name

    @staticmethod
    def resolve_contact_text(obj):
        return obj.localized("contact_text", _language())

    @staticmethod
    def resolve_keywords(obj):
        return [word.strip() for word in obj.keywords.split(",") if word.strip()]

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.all())


class ReportFilters(Schema):
    category: str | None = Field(None, max_length=60, description="A category's slug.")
    state: Literal["open", "fixed", "closed"] | None = Field(
        None, description="open: still being worked on; fixed; closed: closed without being fixed."
    )
    area: str | None = Field(None, max_length=60, description="An area's slug.")
    bbox: str | None = Field(
        None,
        pattern=BBOX_PATTERN,
        description="west,south,east,north in WGS 84 degrees, e.g. 10.40,59.82,10.47,59.85.",
    )
    since: datetime | None = Field(
        None, description="Only reports changed at or after this time (ISO 8601; local time without a zone)."
    )

    @field_validator("since", mode="before")
    @classmethod
    def _iso_only(cls, value):
        # pydantic would also read a bare number as a Unix time; the document promises a date-time.
        if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
            raise ValueError("Write the time as ISO 8601, e.g. 2026-11-27T10:00:00+01:00.")
        return value

    @field_validator("since")
    @classmethod
    def _in_utc(cls, value):
        # In UTC, so that an unusual offset (+16:58) or a time at the edge of the calendar never reaches the
        # database as something it cannot store.
        if value is None:
            return None
        try:
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValueError("This time is out of range.") from None


class ReportPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=100, description="At most 100; 50 when not given.")

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=100, **kwargs)


def parse_bbox(text: str) -> BBox:
    """Four numbers (the schema's pattern checks the form), kept on the globe and put in order, so that a box
    drawn from any corner works."""
    west, south, east, north = (float(part) for part in text.split(","))
    lons = sorted(min(max(value, -180.0), 180.0) for value in (west, east))
    lats = sorted(min(max(value, -90.0), 90.0) for value in (south, north))
    return BBox(south=lats[0], west=lons[0], north=lats[1], east=lons[1])


# --- Operations --------------------------------------------------------------------------------------------------
@router.get(
    "/",
    response={200: list[ReportOut], 422: InvalidOut},
    summary="Public fault reports",
    description="Newest first. Hidden reports and reports waiting for the reporter's confirmation are never listed.",
)
@paginate(ReportPagination)
def list_reports(request, filters: Query[ReportFilters]):
    reports = selectors.public_reports().select_related("reporter")
    if filters.category:
        reports = reports.filter(category__slug=filters.category)
    if filters.state:
        reports = reports.filter(state__in=STATE_GROUPS[filters.state])
    if filters.area:
        reports = reports.filter(area__slug=filters.area)
    if filters.bbox:
        reports = reports.in_bbox(parse_bbox(filters.bbox))
    if filters.since:
        reports = reports.filter(updated_at__gte=filters.since)
    return reports.order_by("-created_at", "-id")


@router.get("/categories", response=list[CategoryOut], summary="The categories a fault can be reported in")
def list_categories(request):
    return list(selectors.categories().order_by("group__order", "group__name", "order", "name"))


@router.get(
    "/{report_id}",
    response={200: ReportDetailOut, 404: ErrorOut, 422: InvalidOut},
    summary="One public fault report, with its photos and public history",
)
def get_report(request, report_id: int = Path(..., ge=1, le=2**62)):
    # Always as the public sees it: a staff member's session must not widen what the open API shows.
    report = selectors.report_for(AnonymousUser(), report_id)
    if report is None:
        return Status(404, {"code": "not_found", "detail": "No public report has this id."})
    return report
