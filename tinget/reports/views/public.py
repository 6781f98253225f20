"""The public side of fault reports: the map with its list, the GeoJSON the map reads, a page per report, my
reports, the statistics and the feeds (tinget/reports/feeds.py).

The list under the map is the page's main content and works without JavaScript; static/reports/map.js only
adds the map, which reads `reports:geojson` for the part of the municipality in view."""

import json
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, re_path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from tinget.core import geo
from tinget.core.models import Area
from tinget.core.selectors import areas as municipality_areas
from tinget.core.selectors import current_municipality

from .. import rules, selectors, stats
from ..feeds import AtomReportsFeed, RssReportsFeed
from ..models import (
    CLOSED_UNFIXED_STATES,
    FIXED_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    Category,
    CategoryGroup,
    State,
    Update,
)

PAGE_SIZE = 20
MAP_LIMIT = 500
# Leaflet's toBBoxString() gives four numbers of at most about 20 characters each.
BBOX_MAX_LENGTH = 120
GEOJSON_MAX_AGE = 60
GROUP_PREFIX = "group:"
# The open/fixed/closed groupings (exact states are filtered by their own value).
STATE_GROUPS = {"all-open": OPEN_STATES, "fixed": FIXED_STATES, "all-closed": CLOSED_UNFIXED_STATES}
# How a state looks, on the list (Designsystemet tag colours) and on the map (marker shapes in reports.css).
GROUP_COLORS = {"open": "warning", "fixed": "success", "closed": "neutral"}
EARLIEST = date(2000, 1, 1)
# The browser's date field sends yyyy-mm-dd; someone typing (no date picker) may write dd.mm.yyyy.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def state_group(state: str) -> str:
    """ "open", "fixed" or "closed": what the map and the tags show. Colour is never the only sign (shapes, text)."""
    if state in OPEN_STATES:
        return "open"
    if state in FIXED_STATES:
        return "fixed"
    return "closed"


def _url_or_none(name, *args):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _check_date(value):
    if value is None:
        return None
    latest = date(timezone.localdate().year + 1, 12, 31)
    if not EARLIEST <= value <= latest:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            params={
                "first": date_format(EARLIEST, "SHORT_DATE_FORMAT"),
                "last": date_format(latest, "SHORT_DATE_FORMAT"),
            },
        )
    return value


def _aware_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class SlugField(forms.CharField):
    """A slug chosen from a list that is filled per request (see set_*_choices); checked against the database
    only when given. No maxlength attribute: a <select> has none."""

    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.Select, **kwargs)

    def widget_attrs(self, widget):
        return {}


class PeriodForm(forms.Form):
    """From and to dates (both included), each optional; the range may be as long as the visitor likes."""

    from_date = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": gettext_lazy("Write the date as dd.mm.yyyy or yyyy-mm-dd.")},
    )
    to_date = forms.DateField(
        label=gettext_lazy("Received up to and including"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": gettext_lazy("Write the date as dd.mm.yyyy or yyyy-mm-dd.")},
    )
    area = SlugField(label=gettext_lazy("Area"), max_length=60)

    def clean_from_date(self):
        return _check_date(self.cleaned_data.get("from_date"))

    def clean_to_date(self):
        return _check_date(self.cleaned_data.get("to_date"))

    def clean_area(self):
        slug = (self.cleaned_data.get("area") or "").strip()
        if not slug:
            return None
        area = Area.objects.filter(municipality=current_municipality(), slug=slug).first()
        if area is None:
            raise ValidationError(_("Choose an area from the list."))
        return area

    def clean(self):
        data = super().clean()
        since, until = data.get("from_date"), data.get("to_date")
        if since and until and since > until:
            self.add_error("to_date", _("The end date must be the same as or after the start date."))
        return data

    def set_area_choices(self, areas):
        self.fields["area"].widget.choices = [("", _("All areas"))] + [(a.slug, a.name) for a in areas]


class ReportFilterForm(PeriodForm):
    """The filters of the list, the map and the GeoJSON. Slugs are checked against the database only when
    given, so the GeoJSON (asked on every pan of the map) does not load every category to validate one."""

    q = forms.CharField(label=gettext_lazy("Words in the report"), required=False, max_length=100)
    category = SlugField(label=gettext_lazy("Category"), max_length=70)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"),
        required=False,
        choices=[("newest", gettext_lazy("Newest first")), ("updated", gettext_lazy("Last changed first"))],
    )
    field_order = ["q", "category", "state", "area", "from_date", "to_date", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        exact = [(value, label) for value, label in State.choices if value in PUBLIC_STATES - FIXED_STATES]
        self.fields["state"].choices = [
            ("", _("Any status")),
            (
                _("Grouped"),
                [
                    ("all-open", _("Open (any open status)")),
                    ("fixed", _("Fixed")),
                    ("all-closed", _("Closed without being fixed")),
                ],
            ),
            (_("Exact status"), exact),
        ]

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def clean_category(self):
        value = (self.cleaned_data.get("category") or "").strip()
        if not value:
            return None
        if value.startswith(GROUP_PREFIX):
            found = CategoryGroup.objects.filter(slug=value.removeprefix(GROUP_PREFIX)).first()
        else:
            found = Category.objects.filter(slug=value).first()
        if found is None:
            raise ValidationError(_("Choose a category from the list."))
        return found

    def set_category_choices(self, groups):
        language = get_language()
        choices = [("", _("All categories"))]
        for group in groups:
            name = group.localized("name", language)
            options = [(GROUP_PREFIX + group.slug, _("All in “%(group)s”") % {"group": name})]
            options += [(c.slug, c.localized("name", language)) for c in group.categories.all()]
            choices.append((name, options))
        self.fields["category"].widget.choices = choices

    def filters(self) -> tuple[selectors.ReportFilters, str]:
        """The valid part of what was asked (an invalid field is left out and shown as an error) and the order."""
        self.is_valid()
        data = self.cleaned_data
        category, state = data.get("category"), data.get("state")
        since, until = data.get("from_date"), data.get("to_date")
        states = STATE_GROUPS.get(state) or ({state} if state else frozenset())
        filters = selectors.ReportFilters(
            category_id=category.pk if isinstance(category, Category) else None,
            group_id=category.pk if isinstance(category, CategoryGroup) else None,
            states=frozenset(states),
            area_id=data["area"].pk if data.get("area") else None,
            since=_aware_start(since) if since else None,
            until=_aware_start(until + timedelta(days=1)) if until else None,
            text=data.get("q") or "",
        )
        return filters, data.get("sort") or "newest"

    def feed_query(self) -> str:
        """?area=&category= for the feeds, when the list is narrowed to one area or one category."""
        data = getattr(self, "cleaned_data", {})
        params = {}
        if data.get("area"):
            params["area"] = data["area"].slug
        if isinstance(data.get("category"), Category):
            params["category"] = data["category"].slug
        return "?" + urlencode(params) if params else ""


def _decorate(reports):
    """What the list shows beside each report: its group (tag colour)."""
    for report in reports:
        report.state_group = state_group(report.state)
        report.state_color = GROUP_COLORS[report.state_group]
    return reports


def _query_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@require_GET
def index(request):
    """The map and the list of public reports, with filters, a count and pages."""
    municipality = current_municipality()
    form = ReportFilterForm(request.GET or None)
    filters, order = form.filters() if form.is_bound else (selectors.ReportFilters(), "newest")
    form.set_category_choices(selectors.category_groups())
    form.set_area_choices(municipality_areas(municipality) if municipality else [])
    page = Paginator(selectors.public_report_list(filters, order), PAGE_SIZE).get_page(request.GET.get("side"))
    _decorate(page.object_list)
    query = _query_without(request, "side", "bbox")
    feed_query = form.feed_query() if form.is_bound else ""
    return render(
        request,
        "reports/public/index.html",
        {
            "form": form,
            "filtered": form.is_bound and any(v for k, v in form.cleaned_data.items() if k != "sort"),
            "page_obj": page,
            "reports": page.object_list,
            "total": page.paginator.count,
            "municipality": municipality,
            "geojson_url": reverse("reports:geojson") + (f"?{query}" if query else ""),
            "new_url": _url_or_none("reports:new"),
            "feed_rss": reverse("reports:feed_rss") + feed_query,
            "feed_atom": reverse("reports:feed_atom") + feed_query,
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Fault reports"), None)],
        },
    )


def _json_error(message, status=400, **extra):
    body = json.dumps({"error": str(message), **extra}, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=GEOJSON_MAX_AGE)
def geojson(request):
    """A GeoJSON FeatureCollection of the newest public reports (at most 500) inside ?bbox=west,south,east,north,
    narrowed by the list's filters. Built from plain rows: the map asks for this on every pan and zoom."""
    raw = request.GET.get("bbox", "")
    if len(raw) > BBOX_MAX_LENGTH:
        return _json_error(_("The bounding box is too long."))
    try:
        bbox = geo.BBox.parse(raw)
    except ValueError:
        return _json_error(_("Give the bounding box as bbox=west,south,east,north in degrees."))
    form = ReportFilterForm(request.GET)
    filters, _order = form.filters()
    if form.errors:
        return _json_error(
            _("A filter is not valid."), fields={name: [str(e) for e in errors] for name, errors in form.errors.items()}
        )
    rows = selectors.public_map_rows(bbox, filters, limit=MAP_LIMIT)
    truncated = len(rows) > MAP_LIMIT
    # The JSON is put together as text around json-encoded strings: for 500 features this is about five times
    # faster than building dicts for json.dumps, and every value that is not a string is a number we made.
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    language = get_language()
    names = {pk: encode(category.localized("name", language)) for pk, category in _categories().items()}
    states = {value: (encode(value), encode(str(label)), encode(state_group(value))) for value, label in State.choices}
    marker = 987654321
    url_head, url_tail = reverse("reports:detail", kwargs={"pk": marker}).split(str(marker))
    unknown = encode("")
    features = []
    for pk, title, state, category_id, latitude, longitude, created_at in rows[:MAP_LIMIT]:
        state_json, label_json, group_json = states[state]
        features.append(
            f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{float(longitude)!r},{float(latitude)!r}]}},'
            f'"properties":{{"id":{int(pk)},"title":{encode(title)},"state":{state_json},"state_label":{label_json},'
            f'"group":{group_json},"category":{names.get(category_id, unknown)},'
            f'"url":{encode(f"{url_head}{pk}{url_tail}")},"created":"{created_at.isoformat()}"}}}}'
        )
    body = (
        '{"type":"FeatureCollection","features":['
        + ",".join(features)
        + f'],"truncated":{"true" if truncated else "false"}}}'
    )
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")


def _categories():
    """Every category (also those no longer in use, which old reports still have) by id, names only: a few
    dozen rows, unordered (the default order would join the groups)."""
    return {c.pk: c for c in Category.objects.order_by().only("pk", "name", "name_nn", "name_en")}


def _history(report, staff):
    """The report's history as the page lists it, oldest first."""
    labels = {value: str(label) for value, label in State.choices}
    items = []
    for update in report.updates.all():
        if not staff and (not update.is_public or update.is_hidden):
            continue
        kind = update.kind
        if kind == Update.Kind.CREATED:
            heading = _("Reported")
        elif kind == Update.Kind.STATE:
            heading = _("Status changed to “%(state)s”") % {"state": labels.get(update.new_state, update.new_state)}
        elif kind == Update.Kind.REOPENED:
            heading = _("Reopened: not fixed after all")
        elif kind == Update.Kind.QUESTIONNAIRE:
            heading = _("The reporter confirmed that it is fixed")
        else:
            heading = update.get_kind_display()
        items.append(
            {
                "update": update,
                "heading": heading,
                "old_state": labels.get(update.old_state, "") if kind == Update.Kind.STATE else "",
                "internal": not update.is_public,
                "hidden": update.is_hidden,
            }
        )
    return items


@require_safe
def photo(request, pk, photo_pk, size):
    """A report's photo (full size or thumbnail), served only to those who may see it: a moderator's hiding
    takes effect at once, also for anyone who kept the address."""
    found, public = selectors.photo_for(request.user, pk, photo_pk)
    if found is None:
        raise Http404
    field = found.thumbnail if size == "thumb" and found.thumbnail else found.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    # A shown photo of a public report may be cached by anyone; everything else only by this browser.
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


@require_GET
def detail(request, pk):
    """One report with its photos, position and public history. Hidden and unconfirmed reports are not found,
    except by staff (with a notice) and by their own reporter while they wait for confirmation."""
    user = request.user
    report = selectors.report_for(user, pk)
    if report is None:
        raise Http404
    staff = rules.can_moderate(user) or rules.can_handle_any(user)
    can_handle = rules.can_handle(user, report) if staff else False
    group = state_group(report.state)
    is_reporter = user.is_authenticated and report.reporter_id == user.pk
    duplicate_of = report.duplicate_of if report.state == State.DUPLICATE else None
    if duplicate_of is not None and not (duplicate_of.is_public or staff):
        duplicate_of = None
    photos = list(report.photos.all())
    return render(
        request,
        "reports/public/detail.html",
        {
            "report": report,
            "state_color": GROUP_COLORS[group],
            "state_group": group,
            "staff": staff,
            "photos": photos,
            "history": _history(report, staff),
            "duplicate_of": duplicate_of,
            "municipality": current_municipality(),
            "marker": [report.latitude, report.longitude],
            "osm_url": (
                f"https://www.openstreetmap.org/?mlat={report.latitude:.6f}&mlon={report.longitude:.6f}"
                f"#map=18/{report.latitude:.6f}/{report.longitude:.6f}"
            ),
            "reopen_url": _url_or_none("reports:reopen", report.pk)
            if is_reporter and report.state == State.FIXED
            else None,
            "handle_url": _url_or_none("reports:handle_detail", report.pk) if can_handle else None,
            # Someone without an account may still get e-mails about a public report ("this is mine too").
            "support_url": _url_or_none("reports:support", report.pk)
            if report.is_public and not user.is_authenticated
            else None,
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("Fault reports"), reverse("reports:index")),
                (f"#{report.pk}", None),
            ],
        },
    )


@require_GET
@login_required
def mine(request):
    """What I reported and where each report stands (Min side's "more")."""
    page = Paginator(selectors.reports_of(request.user), PAGE_SIZE).get_page(request.GET.get("side"))
    _decorate(page.object_list)
    return render(
        request,
        "reports/public/mine.html",
        {
            "page_obj": page,
            "reports": page.object_list,
            "new_url": _url_or_none("reports:new"),
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("My page"), reverse("accounts:min_side")),
                (_("My fault reports"), None),
            ],
        },
    )


@require_GET
def statistics(request):
    """Reports and median days to fix per category, unit and month, and how many are in each state: a chart
    built of HTML and CSS with the same numbers in tables."""
    municipality = current_municipality()
    form = PeriodForm(request.GET or None)
    form.set_area_choices(municipality_areas(municipality) if municipality else [])
    default_since, default_until = stats.default_period(timezone.localdate())
    since, until, area = default_since, default_until, None
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        since = data.get("from_date") or default_since
        until = data.get("to_date") or default_until
        if since > until:
            since, until = default_since, default_until
        area = data.get("area")
    figures = stats.report_stats(since=since, until=until, area_id=area.pk if area else None)

    def median_text(value):
        return _("none fixed") if value is None else number_format(value, 1)

    return render(
        request,
        "reports/public/stats.html",
        {
            "form": form,
            "stats": figures,
            "area": area,
            "month_chart": [
                {"label": date_format(row.key, "YEAR_MONTH_FORMAT"), "value": row.received, "bar": row.received_bar}
                for row in figures.by_month
            ],
            "category_chart": [
                {"label": row.label, "value": median_text(row.median_days), "bar": row.median_bar}
                for row in figures.by_category
            ],
            "unit_chart": [
                {"label": row.label, "value": row.received, "bar": row.received_bar} for row in figures.by_unit
            ],
            "state_chart": [
                {"label": label, "value": count, "bar": bar} for _value, label, count, bar in figures.by_state
            ],
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("Fault reports"), reverse("reports:index")),
                (_("Statistics"), None),
            ],
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("kart.geojson", geojson, name="geojson"),
    path("<int:pk>/", detail, name="detail"),
    re_path(r"^(?P<pk>[0-9]+)/foto/(?P<photo_pk>[0-9]+)/(?P<size>full|thumb)\.jpg$", photo, name="photo"),
    path(gettext_lazy("my-reports/"), mine, name="mine"),
    path(gettext_lazy("statistics/"), statistics, name="stats"),
    path("feed.rss", require_safe(RssReportsFeed()), name="feed_rss"),
    path("feed.atom", require_safe(AtomReportsFeed()), name="feed_atom"),
    # The name the module's overview gives the feeds: RSS, the format most readers take.
    path("feed.rss", require_safe(RssReportsFeed()), name="feed"),
]
