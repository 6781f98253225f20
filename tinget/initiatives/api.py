"""Citizen initiatives' router in the project's REST API (/api/v1/initiatives/): the public initiatives with
their signature counts, days left and the steps of their political treatment. Read-only, and only what the
public pages show: never a draft or an initiative in review, never a signer, and the promoters' names only
(which the law makes public).

The counts are the initiative's tallies, recounted from the signatures at most every
TINGET_INITIATIVE_COUNT_SECONDS (see models.py); `counted_at` says when."""

from datetime import date, datetime
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.urls import NoReverseMatch
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from tinget.api.schemas import ErrorOut, InvalidOut, absolute

from . import rules, selectors, services
from .models import CoPromoter, State, Step

router = Router(tags=["initiatives"])

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,60}$"
PUBLIC_STATE_VALUES = tuple(state.value for state in State if state in rules.PUBLIC_STATES)
PublicState = Literal[PUBLIC_STATE_VALUES]  # type: ignore[valid-type]


# --- Schemas -----------------------------------------------------------------------------------------------------
class AreaRef(Schema):
    slug: str
    name: str


class TopicRef(Schema):
    slug: str
    name: str


class SignaturesOut(Schema):
    online: int = Field(description="Valid signatures given online with ID-porten.")
    paper: int = Field(description="Valid signatures on paper forms, registered by staff.")
    total: int = Field(description="online + paper.")
    required: int = Field(
        description="Signatures the council needs to consider it: min(ceil(2 % of the inhabitants), 300), fixed "
        "when the initiative was published (kommuneloven § 12-1)."
    )


class StepOut(Schema):
    kind: str = Field(
        description="published, threshold, handed_over, case_opened, meeting, decided, expired, withdrawn or note."
    )
    kind_label: str = Field(description="The kind in words, in the language asked for.")
    date: date
    text: str
    case_number: str
    meeting: str
    url: str

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_date(obj):
        return obj.happened_on


class InitiativeOut(Schema):
    id: int
    url: str = Field(description="The initiative's public page.")
    title: str
    proposal: str = Field(description="What the municipality should do.")
    reasons: str = Field(description="Why.")
    state: str = Field(
        description="collecting, threshold_reached (enough signatures, still collecting), handed_over, "
        "under_treatment, decided or expired."
    )
    state_label: str = Field(description="The state in words, in the language asked for.")
    area: AreaRef | None
    topic: TopicRef | None
    promoter_name: str
    co_promoters: list[str] = Field(description="The names of the co-promoters who confirmed.")
    signatures: SignaturesOut
    days_left: int | None = Field(description="Days left to sign; null when it no longer takes signatures.")
    published_at: datetime | None
    signing_ends_at: datetime | None
    threshold_reached_at: datetime | None
    handed_over_at: datetime | None
    decision_due: date | None = Field(description="The council must decide by this date (six months).")
    case_number: str = Field(description="The municipality's case number, once registered.")
    decided_on: date | None
    decision_text: str
    counted_at: datetime | None = Field(description="When the signatures were last counted.")
    steps: list[StepOut] = Field(description="What happened, oldest first.")

    @staticmethod
    def resolve_url(obj, context):
        try:
            return absolute(context, obj.get_absolute_url())
        except NoReverseMatch:  # the public pages are not mounted
            return ""

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_area(obj):
        return {"slug": obj.area.slug, "name": obj.area.name} if obj.area_id else None

    @staticmethod
    def resolve_topic(obj):
        if not obj.topic_id:
            return None
        return {"slug": obj.topic.slug, "name": obj.topic.localized("name", translation.get_language())}

    @staticmethod
    def resolve_co_promoters(obj):
        return [c.name for c in obj.confirmed_co_promoters]

    @staticmethod
    def resolve_signatures(obj):
        return {
            "online": obj.online_count,
            "paper": obj.paper_count,
            "total": obj.total_count,
            "required": obj.required_signatures,
        }

    @staticmethod
    def resolve_days_left(obj):
        return selectors.days_left(obj)

    @staticmethod
    def resolve_steps(obj):
        return obj.steps.all()


class InitiativeFilters(Schema):
    state: PublicState | None = Field(None, description="Only initiatives in this state.")
    area: str | None = Field(None, pattern=SLUG_PATTERN, description="An area's slug.")
    topic: str | None = Field(None, pattern=SLUG_PATTERN, description="A topic's slug.")
    sort: Literal["activity", "new", "ending"] = Field(
        "activity",
        description="activity: most signatures the last seven days first; new: newest published first; ending: "
        "the signing period ending soonest first (only initiatives still taking signatures).",
    )


class InitiativePagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=100, description="At most 100; 50 when not given.")

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=100, **kwargs)


def _with_related(qs):
    return qs.select_related("area", "topic").prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("happened_on", "created_at")),
        Prefetch(
            "co_promoters",
            queryset=CoPromoter.objects.filter(confirmed_at__isnull=False).order_by("confirmed_at"),
            to_attr="confirmed_co_promoters",
        ),
    )


# --- Operations --------------------------------------------------------------------------------------------------
@router.get(
    "/",
    response={200: list[InitiativeOut], 422: InvalidOut},
    summary="Public citizen initiatives",
    description="Initiatives that are collecting signatures or have been; drafts, initiatives in review, refused "
    "and withdrawn ones are never listed.",
)
@paginate(InitiativePagination)
def list_initiatives(request, filters: Query[InitiativeFilters]):
    initiatives = selectors.filter_public(selectors.public_initiatives(), state=filters.state or "", sort=filters.sort)
    if filters.area:
        initiatives = initiatives.filter(area__slug=filters.area)
    if filters.topic:
        initiatives = initiatives.filter(topic__slug=filters.topic)
    return _with_related(initiatives)


@router.get(
    "/{initiative_id}",
    response={200: InitiativeOut, 404: ErrorOut, 422: InvalidOut},
    summary="One public citizen initiative, with its signature count and steps",
)
def get_initiative(request, initiative_id: int = Path(..., ge=1, le=2**62)):
    # Always as the public sees it: a promoter's or staff member's session must not widen the open API.
    initiative = selectors.initiative_for(initiative_id, AnonymousUser())
    if initiative is None:
        return Status(404, {"code": "not_found", "detail": "No public initiative has this id."})
    if initiative.state in rules.SIGNABLE_STATES:
        services.recount(initiative)  # at most every few seconds, whoever asks first
    return _with_related(selectors.public_initiatives().filter(pk=initiative.pk)).get()
