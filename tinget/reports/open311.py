"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2), with FixMyStreet's
`servicerequestupdates` extension.

A thin mapping onto the same services and visibility rules as the web pages: a category is a service
(its slug is the service_code), a public report is a service request, and a POSTed request goes through
services.report_create with the client's API key. Every call answers in XML (required by the spec) or
JSON, chosen by the extension (`services.xml`, `services.json`); errors are the spec's list of
{code, description} with HTTP 400, 403, 404 or 405. An empty parameter counts as a missing one.

XML is built with xml.etree, never by joining strings, so whatever a resident wrote comes out as text."""

import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tinget.core import ratelimit
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.selectors import current_municipality

from . import selectors, services
from .models import OPEN_STATES, PUBLIC_STATES, Category, Channel, Question, State

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MAX_DAYS = 90
MAX_REQUESTS = 1000
# When the service list or definitions last changed, if the admin log knows of no later edit.
CHANGESET = datetime(2026, 11, 27, tzinfo=UTC)

# FixMyStreet's extended states (its Open311 adapters send these, and its client reads them in any case).
FMS_STATUS = {
    State.OPEN: "open",
    State.INVESTIGATING: "investigating",
    State.ACTION_SCHEDULED: "action_scheduled",
    State.IN_PROGRESS: "in_progress",
    State.FIXED: "fixed",
    State.DUPLICATE: "duplicate",
    State.NOT_RESPONSIBLE: "not_councils_responsibility",
    State.NO_FURTHER_ACTION: "no_further_action",
    State.INTERNAL_REFERRAL: "internal_referral",
    State.CLOSED: "closed",
}
LIST_TYPES = frozenset({Question.Datatype.SINGLE, Question.Datatype.MULTI})
# Updates whose text explains the current state to the public (status_notes).
# The XML element for each item of a list (the Spark convention: JSON has the list, XML wraps each item).
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def open311_status(state: str) -> str:
    """The spec's two states: a report still being worked on is open; everything else is closed."""
    return "open" if state in OPEN_STATES else "closed"


# --- Rendering -------------------------------------------------------------------------------------------------
class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# Characters XML 1.0 cannot carry at all (control characters other than tab and line breaks); dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _NOT_XML.sub("", str(value))


def _append(parent, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM[name], item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _append(element, ITEM[root], item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")) if fmt == "json" else to_xml(root, data)
    return HttpResponse(body.encode("utf-8"), content_type=CONTENT_TYPES[fmt], status=status)


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    fmt = fmt if fmt in CONTENT_TYPES else "xml"
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def w3c(value: datetime | None) -> str | None:
    """A W3C date-time with the local zone's offset, e.g. 2026-11-27T10:00:00+01:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# --- Reading parameters ------------------------------------------------------------------------------------------
def _param(data, name: str, max_length: int = 200) -> str | None:
    """The parameter, trimmed; None when absent or empty (the spec treats both alike)."""
    value = (data.get(name) or "").strip()
    if not value:
        return None
    if len(value) > max_length:
        raise Open311Error(400, _("%(name)s is too long.") % {"name": name})
    return value


def _comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


_W3C = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?(Z|[+-]\d{2}:\d{2}))?$"
)


def parse_w3c(name: str, text: str | None, *, end: bool = False) -> datetime | None:
    """A W3C date-time with a zone (2026-11-27T10:00:00+01:00 or …Z), or a date (the whole day, local time).

    A "+" that arrived as a space (an unencoded query string) is read as "+". Raises Open311Error(400)."""
    if text is None:
        return None
    match = _W3C.match(text.replace(" ", "+"))
    invalid = Open311Error(
        400,
        _("%(name)s must be a W3C date and time with a time zone, e.g. 2026-11-27T10:00:00+01:00.") % {"name": name},
    )
    if match is None:
        raise invalid
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if not 1900 <= int(year) <= 2999:
        raise invalid
    try:
        if hour is None:
            value = timezone.make_aware(datetime(int(year), int(month), int(day)))
            return value + timedelta(days=1, microseconds=-1) if end else value
        if zone == "Z":
            tzinfo = UTC
        else:
            sign = -1 if zone[0] == "-" else 1
            tzinfo = dt_timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tzinfo,
        )
        # In UTC: the database need not store an unusual offset such as +16:58.
        return value.astimezone(UTC)
    except ValueError:
        raise invalid from None


def date_range(data) -> tuple[datetime, datetime]:
    """start_date and end_date, at most 90 days apart; the most recent 90 days when neither is given."""
    start = parse_w3c("start_date", _param(data, "start_date", 40))
    end = parse_w3c("end_date", _param(data, "end_date", 40), end=True)
    span = timedelta(days=MAX_DAYS)
    if start is None and end is None:
        end = timezone.now()
        start = end - span
    elif start is None:
        start = end - span
    elif end is None:
        end = start + span
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > span:
        raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
    return start, end


def _limit(data) -> int:
    value = _param(data, "limit", 10)
    if value is None:
        return MAX_REQUESTS
    if not value.isdigit() or not 1 <= int(value) <= MAX_REQUESTS:
        raise Open311Error(400, _("limit must be a number from 1 to 1000."))
    return int(value)


def _check_jurisdiction(value: str | None) -> None:
    """This endpoint serves one municipality: its number, slug or web domain are accepted, or nothing."""
    if value is None:
        return
    municipality = current_municipality()
    if municipality is None:
        return
    accepted = {municipality.number, municipality.slug.lower()}
    host = (urlsplit(municipality.website).hostname or "").lower() if municipality.website else ""
    if host:
        accepted |= {host, host.removeprefix("www.")}
    if value.lower() not in accepted:
        raise Open311Error(
            404,
            _("jurisdiction_id %(given)s was not found: this endpoint serves %(name)s (%(number)s).")
            % {"given": value, "name": municipality.name, "number": municipality.number},
        )


# --- The view wrapper ------------------------------------------------------------------------------------------
def endpoint(*methods):
    """Answer in the format the extension names, in the language the client asks for (Accept-Language), and
    turn errors into the spec's error list. POST is exempt from CSRF: it is authenticated by api_key, never
    by a session."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view):
        @ratelimit.answers_429_itself
        @csrf_exempt
        @wraps(view)
        def wrapped(request, fmt, **kwargs):
            language = translation.get_language_from_request(request, check_path=False)
            with translation.override(language):
                response = _dispatch(view, allowed, request, fmt, **kwargs)
            response["Content-Language"] = language
            patch_vary_headers(response, ("Accept-Language",))
            if request.method in ("GET", "HEAD"):
                # Public data: any web page may read it.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapped

    return decorator


def _dispatch(view, allowed, request, fmt, **kwargs):
    if fmt not in CONTENT_TYPES:
        return error_response("xml", 404, _("Unknown format: use .xml or .json."))
    if request.method not in allowed:
        response = error_response(fmt, 405, _("Method %(method)s is not allowed here.") % {"method": request.method})
        response["Allow"] = ", ".join(sorted(allowed))
        return response
    if request.method in ratelimit.WRITE_METHODS:
        try:
            ratelimit.check_writes(request)
        except ratelimit.RateLimited as exc:
            response = error_response(fmt, 429, str(exc))
            response["Retry-After"] = str(exc.retry_after)
            return response
    try:
        data = request.POST if request.method == "POST" else request.GET
    except (MultiPartParserError, SuspiciousOperation, BadRequest):
        return error_response(fmt, 400, _("The request body could not be read: send it form-encoded."))
    if any("\x00" in value for values in (*data.lists(), *request.GET.lists()) for value in values[1]):
        return error_response(fmt, 400, _("Parameters may not contain NUL characters."))
    try:
        _check_jurisdiction(_param(data, "jurisdiction_id") or _param(request.GET, "jurisdiction_id"))
        return view(request, fmt, **kwargs)
    except Open311Error as exc:
        return error_response(fmt, exc.status, exc.description)
    except NotAllowed as exc:
        return error_response(fmt, 403, str(exc))
    except DomainError as exc:
        return error_response(fmt, 400, str(exc))


# --- Discovery and services ------------------------------------------------------------------------------------
def changeset() -> datetime:
    """When the services last changed: the latest admin edit of a category, group or question."""
    latest = selectors.categories_changed_at()
    return max(latest, CHANGESET) if latest else CHANGESET


@endpoint("GET")
def discovery(request, fmt):
    municipality = current_municipality()
    docs = request.build_absolute_uri(reverse("reports:open311_docs"))
    if municipality is not None:
        contact = _("%(name)s: e-mail %(email)s, phone %(phone)s.") % {
            "name": municipality.name,
            "email": municipality.email,
            "phone": municipality.phone,
        }
        key_service = _("Ask %(name)s for an API key by e-mail to %(email)s. How to use the API: %(docs)s") % {
            "name": municipality.name,
            "email": municipality.email,
            "docs": docs,
        }
    else:
        contact = ""
        key_service = _("Ask the municipality for an API key. How to use the API: %(docs)s") % {"docs": docs}
    changed = w3c(changeset())
    data = {
        "changeset": changed,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:index")).rstrip("/"),
                "changeset": changed,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@endpoint("GET")
def service_list(request, fmt):
    language = translation.get_language()
    categories = selectors.reportable_categories(with_question_flag=True)
    data = [
        {
            "service_code": category.slug,
            "service_name": category.localized("name", language),
            "description": category.localized("description", language),
            "metadata": category.has_questions,
            "type": "realtime",
            "keywords": ", ".join(word.strip() for word in category.keywords.split(",") if word.strip()),
            "group": category.group.localized("name", language),
        }
        for category in categories
    ]
    return render(fmt, "services", data)


def _service_or_404(code: str) -> Category:
    category = selectors.reportable_category(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return category


@endpoint("GET")
def service_definition(request, fmt, code):
    language = translation.get_language()
    category = _service_or_404(code)
    attributes = []
    for order, question in enumerate(category.questions.all(), start=1):
        attributes.append(
            {
                "variable": True,
                "code": question.code,
                "datatype": question.datatype,
                "required": question.required,
                "datatype_description": question.localized("hint", language) or None,
                "order": order,
                "description": question.localized("question", language),
                "values": [
                    {"key": value.get("key"), "name": question.value_name(value.get("key"), language)}
                    for value in question.values
                ]
                if question.datatype in LIST_TYPES
                else [],
            }
        )
    return render(fmt, "service_definition", {"service_code": category.slug, "attributes": attributes})


# --- Service requests --------------------------------------------------------------------------------------------
def service_notice(unit: str, days: int) -> str:
    return _("%(unit)s looks at reports of this kind within %(days)s days.") % {"unit": unit, "days": days}


def requests_data(request, rows) -> list[dict]:
    """Rows from selectors.open311_request_rows as the spec's service requests."""
    language = translation.get_language()
    name_field = f"category__name_{language}" if language in ("nn", "en") else "category__name"
    zone = timezone.get_current_timezone()
    # One reverse() for all rows: the photo address with the two ids put in by string formatting.
    photo_url = (
        request.build_absolute_uri(
            reverse("reports:photo", kwargs={"pk": 123456789, "photo_pk": 987654321, "size": "full"})
        )
        .replace("123456789", "{report}")
        .replace("987654321", "{photo}")
    )

    def w3c_local(value):
        return value.astimezone(zone).isoformat(timespec="seconds") if value is not None else None

    notices = {}
    items = []
    for row in rows:
        is_open = row["state"] in OPEN_STATES
        notice = None
        if is_open:
            key = (row["unit__name"], row["category__response_days"])
            if key not in notices:
                notices[key] = service_notice(*key)
            notice = notices[key]
        photo = row["photo"]
        items.append(
            {
                "service_request_id": row["pk"],
                "status": "open" if is_open else "closed",
                "status_notes": row["status_notes"],
                "service_name": row[name_field] or row["category__name"],
                "service_code": row["category__slug"],
                "description": row["description"] or row["title"],
                "agency_responsible": row["unit__name"],
                "service_notice": notice,
                "requested_datetime": w3c_local(row["created_at"]),
                "updated_datetime": w3c_local(row["updated_at"]),
                "expected_datetime": w3c_local(row["due_at"]),
                "address": row["address"],
                "address_id": None,
                "zipcode": None,
                "lat": row["latitude"],
                "long": row["longitude"],
                "media_url": photo_url.format(report=row["pk"], photo=photo) if photo else None,
            }
        )
    return items


_ID = re.compile(r"^\d{1,18}$")


def find_requests(data):
    """The public reports GET requests asks for: service_request_id (a comma list) overrides every other
    parameter; otherwise service_code, status and start_date/end_date (the last 90 days by default) filter.
    Newest first, at most `limit` (1,000)."""
    limit = _limit(data)
    reports = selectors.public_reports_plain()
    ids = _comma_list(_param(data, "service_request_id", 20_000))
    if ids:
        if not all(_ID.match(pk) for pk in ids):
            raise Open311Error(400, _("service_request_id must be a comma-separated list of numbers."))
        if len(ids) > MAX_REQUESTS:
            raise Open311Error(400, _("Ask for at most 1000 service_request_id at a time."))
        reports = reports.filter(pk__in={int(pk) for pk in ids})
    else:
        codes = _comma_list(_param(data, "service_code", 4000))
        if codes:
            reports = reports.filter(category__slug__in=codes)
        statuses = set(_comma_list(_param(data, "status", 40)))
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, _("status must be open, closed or both (comma-separated)."))
        if statuses == {"open"}:
            reports = reports.filter(state__in=OPEN_STATES)
        elif statuses == {"closed"}:
            reports = reports.filter(state__in=PUBLIC_STATES - OPEN_STATES)
        start, end = date_range(data)
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
    return selectors.open311_request_rows(reports.order_by("-created_at", "-id"))[:limit]


@endpoint("GET", "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    return render(fmt, "service_requests", requests_data(request, find_requests(request.GET)))


@endpoint("GET")
def service_request(request, fmt, request_id):
    rows = []
    if _ID.match(request_id):
        rows = selectors.open311_request_rows(selectors.public_reports_plain().filter(pk=int(request_id)))
    items = requests_data(request, rows)
    if not items:
        raise Open311Error(404, _("Service request %(id)s was not found.") % {"id": request_id})
    return render(fmt, "service_requests", items)


@endpoint("GET")
def token_lookup(request, fmt, token):
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    pk = selectors.public_report_id_for_token(value) if value else None
    if pk is None:
        raise Open311Error(404, _("Token %(token)s was not found.") % {"token": token})
    return render(fmt, "service_requests", [{"service_request_id": pk, "token": str(value)}])


# --- POST requests ---------------------------------------------------------------------------------------------
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,60})\](\[\])?$")


def _answers(data, category: Category) -> dict:
    """attribute[code]=value, and attribute[code][]=value (or the same key repeated) for a multivaluelist."""
    given = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match:
            given.setdefault(match.group(1), []).extend(v.strip() for v in data.getlist(key) if v.strip())
    datatypes = {question.code: question.datatype for question in category.questions.all()}
    answers = {}
    for code, values in given.items():
        if code not in datatypes or not values:
            continue
        if datatypes[code] == Question.Datatype.MULTI:
            answers[code] = values
        elif len(values) == 1:
            answers[code] = values[0]
        else:
            raise Open311Error(400, _("attribute[%(code)s] takes one value.") % {"code": code})
    return answers


def _title(description: str) -> str:
    """A short title for the public list: the description's first line."""
    first = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


def _geocode(address: str) -> tuple[float, float]:
    """The best match for address_string from the installation's geocoder (tinget.core.geocode)."""
    from tinget.core.geocode import get_geocoder

    places = get_geocoder().search(address, current_municipality())
    if not places:
        raise Open311Error(
            400, _("The address %(address)s was not found: send lat and long.") % {"address": address[:100]}
        )
    return places[0].latitude, places[0].longitude


def _submission_key(api_key, data) -> str:
    """The same POST from the same key within ten minutes makes one request, not two (a client that
    retries after a timeout)."""
    items = sorted((key, value) for key in data for value in data.getlist(key) if key != "api_key")
    window = int(timezone.now().timestamp() // 600)
    return hashlib.sha256(json.dumps([api_key.pk, window, items]).encode()).hexdigest()


def create_request(request, fmt):
    data = request.POST
    try:
        api_key = services.api_key_check(data.get("api_key") or request.GET.get("api_key") or "")
    except NotAllowed:
        raise Open311Error(403, _("Invalid or revoked api_key: ask the municipality for a key.")) from None
    code = _param(data, "service_code", 60)
    if code is None:
        raise Open311Error(400, _("service_code was not provided."))
    category = selectors.active_category(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    if category.is_urgent:
        raise Open311Error(
            400, _("This is urgent and is not reported here: call %(phone)s.") % {"phone": category.urgent_phone}
        )
    if category.not_ours:
        raise Open311Error(
            400,
            _("This is not the municipality's responsibility. %(contact)s")
            % {"contact": category.localized("contact_text", translation.get_language())},
        )
    latitude, longitude = _param(data, "lat", 40), _param(data, "long", 40)
    address = _param(data, "address_string") or ""
    if latitude is None and longitude is None:
        if address:
            latitude, longitude = _geocode(address)
        elif _param(data, "address_id"):
            raise Open311Error(400, _("address_id is not supported here: send lat and long."))
        else:
            raise Open311Error(400, _("Give the location: lat and long, or address_string."))
    elif latitude is None or longitude is None:
        raise Open311Error(400, _("Send both lat and long."))
    description = data.get("description") or ""
    if len(description.strip()) > services.DESCRIPTION_MAX:
        raise Open311Error(400, _("description can be at most 4,000 characters."))
    email = _param(data, "email", 254) or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    name = " ".join(part for part in (_param(data, "first_name", 75), _param(data, "last_name", 75)) if part)
    phone = _param(data, "phone", 20) or ""
    report = services.report_create(
        actor=AnonymousUser(),
        category=category,
        latitude=latitude,
        longitude=longitude,
        title=_title(description),
        description=description,
        address=address,
        answers=_answers(data, category),
        reporter=services.Reporter(name=name, email=email, phone=phone),
        channel=Channel.OPEN311,
        api_key=api_key,
        submission_key=_submission_key(api_key, data),
    )
    notice = service_notice(category.unit.name, category.response_days)
    return render(
        fmt, "service_requests", [{"service_request_id": report.pk, "service_notice": notice, "account_id": None}]
    )


# --- FixMyStreet: servicerequestupdates --------------------------------------------------------------------------
@endpoint("GET")
def service_request_updates(request, fmt):
    """Public updates to public reports between start_date and end_date (the last 90 days by default), oldest
    first so that a client can go on from the last one it saw; at most `limit` (1,000)."""
    start, end = date_range(request.GET)
    limit = _limit(request.GET)
    rows = selectors.public_updates(start, end)[:limit]
    data = [
        {
            "update_id": pk,
            "service_request_id": report_id,
            "status": FMS_STATUS.get(new_state or report_state, "open"),
            "updated_datetime": w3c(created_at),
            "description": text,
            "media_url": None,
        }
        for pk, report_id, new_state, report_state, created_at, text in rows
    ]
    return render(fmt, "service_request_updates", data)


# --- Anything else under /open311/v2/ -----------------------------------------------------------------------------
def index(request):
    """People who open the base address in a browser get the documentation."""
    return HttpResponseRedirect(reverse("reports:open311_docs"))


@csrf_exempt
def not_found(request, path=""):
    fmt = "json" if path.endswith(".json") else "xml"
    return error_response(
        fmt,
        404,
        _("Not found. The API is described at %(docs)s")
        % {"docs": request.build_absolute_uri(reverse("reports:open311_docs"))},
    )
