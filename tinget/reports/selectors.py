"""Every read of fault reports that a view or the API uses, with visibility applied for the viewer."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, Subquery

from tinget.accounts.staff import scope_to_units
from tinget.core import geo

from . import rules
from .models import OPEN_STATES, PUBLIC_STATES, Category, CategoryGroup, Photo, Question, Report, State, Update


def categories():
    """Active categories in their groups, for the form and Open311's service list."""
    return Category.objects.active().select_related("group", "unit").prefetch_related("questions")


def category_groups():
    return CategoryGroup.objects.prefetch_related(
        Prefetch("categories", queryset=Category.objects.active().order_by("order", "name"))
    )


def category_by_code(code: str) -> Category | None:
    if not code or len(code) > 60:
        return None
    return categories().filter(slug=code).first()


def public_reports():
    return Report.objects.public().select_related("category", "area")


def handling_queue(user):
    """The reports this person works on: their units' reports (every unit for administrators); moderators, who
    screen what anyone publishes, see every unit's. Reports waiting for the reporter's confirmation are not
    cases yet and are left out."""
    reports = Report.objects.exclude(state=State.UNCONFIRMED)
    if rules.can_moderate(user):
        return reports
    return scope_to_units(reports, user)


def report_for(viewer, pk) -> Report | None:
    """One report as `viewer` may see it, with its public photos and history (staff: everything), or None."""
    staff = rules.can_moderate(viewer) or rules.can_handle_any(viewer)
    photos = Photo.objects.all() if staff else Photo.objects.filter(is_hidden=False)
    updates = Update.objects.select_related("author")
    if not staff:
        updates = updates.filter(is_public=True, is_hidden=False)
    report = (
        Report.objects.select_related("category", "category__group", "unit", "area", "duplicate_of", "reporter")
        .prefetch_related(Prefetch("photos", queryset=photos), Prefetch("updates", queryset=updates))
        .filter(pk=pk)
        .first()
    )
    if report is None:
        return None
    if report.is_public or rules.can_moderate(viewer) or rules.can_handle(viewer, report):
        return report
    if getattr(viewer, "is_authenticated", False) and report.reporter_id == viewer.pk and not report.is_hidden:
        return report
    return None


def nearby_open(category: Category, latitude: float, longitude: float, metres: int | None = None, limit: int = 5):
    """Open public reports of the same category within `metres` (250 by default), nearest first, each with
    `.distance_m`. Used before a new report is sent ("is this yours too?")."""
    metres = metres or settings.TINGET_REPORT_NEARBY_METRES
    box = geo.bbox_around(latitude, longitude, metres)
    candidates = (
        Report.objects.public()
        .filter(category=category, state__in=OPEN_STATES)
        .in_bbox(box)
        .only("pk", "title", "latitude", "longitude", "state", "created_at", "address", "category_id")[:200]
    )
    found = []
    for report in candidates:
        report.distance_m = geo.distance_m(latitude, longitude, report.latitude, report.longitude)
        if report.distance_m <= metres:
            found.append(report)
    found.sort(key=lambda r: r.distance_m)
    return found[:limit]


def reports_of(user):
    """What this person reported (Min side), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return Report.objects.filter(reporter=user).select_related("category").order_by("-created_at")


def search(query: str, viewer):
    """Public reports whose title, description or address contains the words."""
    words = [w for w in (query or "").split() if w][:5]
    if not words:
        return Report.objects.none()
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(description__icontains=word) | Q(address__icontains=word)
    return public_reports().filter(condition)


# --- The public map, list and feeds ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportFilters:
    """What a visitor narrowed the public list, map, feeds or statistics down to. Empty means everything.

    `since` and `until` are aware datetimes: reports received at or after `since` and before `until`."""

    category_id: int | None = None
    group_id: int | None = None
    states: frozenset = frozenset()
    area_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""


def filter_reports(queryset, filters: ReportFilters | None):
    if filters is None:
        return queryset
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.group_id:
        queryset = queryset.filter(category__group_id=filters.group_id)
    if filters.states:
        queryset = queryset.filter(state__in=sorted(filters.states))
    if filters.area_id:
        queryset = queryset.filter(area_id=filters.area_id)
    if filters.since:
        queryset = queryset.filter(created_at__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__lt=filters.until)
    words = [w for w in (filters.text or "").split() if w][:5]
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(address__icontains=word)
        )
    return queryset


PUBLIC_LIST_ORDER = {"newest": ("-created_at", "-id"), "updated": ("-updated_at", "-id")}


def public_report_list(filters: ReportFilters | None = None, order: str = "newest"):
    """Public reports for the list under the map, newest (or most recently changed) first."""
    ordering = PUBLIC_LIST_ORDER.get(order, PUBLIC_LIST_ORDER["newest"])
    return filter_reports(public_reports(), filters).order_by(*ordering)


MAP_FIELDS = ("pk", "title", "state", "category_id", "latitude", "longitude", "created_at")


def public_map_rows(bbox, filters: ReportFilters | None = None, limit: int = 500):
    """Rows (MAP_FIELDS) of the newest public reports inside `bbox`, at most `limit` + 1 of them (the extra one
    tells the caller there are more). Plain tuples, no model instances: the map asks for this on every pan."""
    queryset = filter_reports(Report.objects.public().in_bbox(bbox), filters)
    return list(queryset.order_by("-created_at", "-id").values_list(*MAP_FIELDS)[: limit + 1])


def public_feed_reports(filters: ReportFilters | None = None, limit: int = 50):
    """The most recently new or changed public reports, for RSS and Atom."""
    return list(filter_reports(public_reports(), filters).order_by("-updated_at", "-id")[:limit])


def report_just_made(pk):
    """A report for the page right after it was sent (the view checks that this session sent it): published or
    still waiting for the e-mail confirmation."""
    return Report.objects.select_related("category", "reporter").filter(pk=pk).first()


def photo_for(viewer, report_pk, photo_pk) -> tuple[Photo | None, bool]:
    """A report's photo as `viewer` may see it, and whether anyone may (so it can be cached publicly).
    Staff of the report see hidden photos; the public sees a shown photo of a public report; a reporter sees
    their own report's photos while it waits for confirmation."""
    photo = Photo.objects.select_related("report").filter(pk=photo_pk, report_id=report_pk).first()
    if photo is None:
        return None, False
    report = photo.report
    public = report.is_public and not photo.is_hidden
    if public or rules.can_moderate(viewer) or rules.can_handle(viewer, report):
        return photo, public
    own = getattr(viewer, "is_authenticated", False) and report.reporter_id == viewer.pk
    if own and not report.is_hidden and not photo.is_hidden:
        return photo, False
    return None, False


# --- Open311 (tinget/reports/open311.py maps these onto the spec) -----------------------------------------------
# The columns of a service request, read as plain rows: the list answers 1,000 requests in one query.
OPEN311_REQUEST_FIELDS = (
    "pk",
    "state",
    "title",
    "description",
    "address",
    "latitude",
    "longitude",
    "created_at",
    "updated_at",
    "due_at",
    "category__slug",
    "category__name",
    "category__name_nn",
    "category__name_en",
    "category__response_days",
    "unit__name",
    "status_notes",
    "photo",
)
# The updates whose text is the municipality's answer (status_notes).
ANSWER_KINDS = (Update.Kind.STATE, Update.Kind.ANSWER)


def reportable_categories(*, with_question_flag=False):
    """What a client can report: active categories that take a report (not urgent, not someone else's)."""
    categories = Category.objects.reportable().select_related("group", "unit")
    if with_question_flag:
        categories = categories.annotate(has_questions=Exists(Question.objects.filter(category=OuterRef("pk"))))
    return categories


def reportable_category(code: str) -> Category | None:
    """One reportable category with its questions in order (an Open311 service definition), or None."""
    if not code or len(code) > 60:
        return None
    return (
        reportable_categories()
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
        .filter(slug=code)
        .first()
    )


def active_category(code: str) -> Category | None:
    """An active category by service code, urgent and not-ours ones included (so a client is told why not)."""
    if not code or len(code) > 60:
        return None
    return (
        Category.objects.active()
        .select_related("group", "unit")
        .prefetch_related("questions")
        .filter(slug=code)
        .first()
    )


def categories_changed_at():
    """The latest admin edit of a category, group or question, or None."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(Category, CategoryGroup, Question).values()
    return LogEntry.objects.filter(content_type__in=list(types)).aggregate(latest=Max("action_time"))["latest"]


def public_reports_plain():
    """Public reports without joins, for callers that read plain rows (`open311_request_rows`)."""
    return Report.objects.public()


def open311_request_rows(reports):
    """`reports` as OPEN311_REQUEST_FIELDS rows, each with its latest public answer from the municipality
    (status_notes) and the id of its first shown photo, as subqueries of the same query: one round trip however
    many rows."""
    notes = (
        Update.objects.filter(report=OuterRef("pk"), is_public=True, is_hidden=False, kind__in=ANSWER_KINDS)
        .exclude(text="")
        .order_by("-created_at", "-id")
        .values("text")[:1]
    )
    photo = Photo.objects.filter(report=OuterRef("pk"), is_hidden=False).order_by("order", "id").values("pk")[:1]
    return reports.annotate(status_notes=Subquery(notes), photo=Subquery(photo)).values(*OPEN311_REQUEST_FIELDS)


def public_report_id_for_token(token) -> int | None:
    return Report.objects.public().filter(token=token).values_list("pk", flat=True).first()


def public_updates(start, end):
    """Public updates to public reports between `start` and `end`, oldest first, as plain rows
    (pk, report_id, new_state, report state, created_at, text). The "reported" line is not an update."""
    return (
        Update.objects.filter(
            is_public=True,
            is_hidden=False,
            created_at__gte=start,
            created_at__lte=end,
            report__state__in=PUBLIC_STATES,
            report__is_hidden=False,
        )
        .exclude(kind=Update.Kind.CREATED)
        .order_by("created_at", "id")
        .values_list("pk", "report_id", "new_state", "report__state", "created_at", "text")
    )
