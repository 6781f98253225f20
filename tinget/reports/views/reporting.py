"""The resident's reporting flow, after FixMyStreet: where and what (step 1), details and who (step 2, after the
open reports of the same kind nearby), thanks; confirming by e-mail; "this is mine too" and its e-mail
subscription; "is it fixed?" and reopening; and the staff's intake of a report from a caller.

Every page works without JavaScript and by keyboard: the map only fills in the point that the address field
otherwise finds on the server. Pages reached from a link in an e-mail (confirm, subscribe, unsubscribe, "is it
fixed?") show a button first and change nothing on GET, so a mail scanner that follows links cannot confirm or
unsubscribe anyone; the signed token in the address is what authorises them, hence no CSRF cookie is needed."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinget.core import ratelimit
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.selectors import current_municipality

from .. import rules, selectors, services
from ..forms import (
    SUBMISSION_KEY,
    DetailsForm,
    IntakeForm,
    QuestionnaireForm,
    ReopenForm,
    SupportForm,
    WhereWhatForm,
    new_submission_key,
)
from ..models import Channel, State
from ..photos import ProcessedPhoto

CREATE_RATE = "10/h"
INTAKE_RATE = "300/h"
SUPPORT_RATE = "20/h"
# Photos that passed the checks wait this long for the rest of the form to be corrected.
KEPT_PHOTOS_SECONDS = 2 * 60 * 60
MADE_SESSION_KEY = "reports_made"
CARRIED = ("category", "latitude", "longitude", "address")


# --- Helpers ---------------------------------------------------------------------------------------------------
def _url_or_none(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _report_url(report):
    """The report's public page; the form if that page is not there."""
    return _url_or_none("reports:detail", pk=report.pk) or reverse("reports:new")


def _next_url(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _crumbs(*more):
    crumbs = [(_("Front page"), reverse("core:hub"))]
    index = _url_or_none("reports:index")
    if index:
        crumbs.append((_("Report a fault"), index))
    return [*crumbs, *more]


def _intake_denied(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.can_register_for_caller(request.user):
        raise PermissionDenied
    return None


def _where_what_form(data, municipality):
    return WhereWhatForm(data, category_groups=selectors.category_groups(), municipality=municipality)


def _call_notice(category, municipality):
    """What an urgent or someone else's category shows instead of the rest of the form."""
    language = get_language()
    if category.is_urgent:
        phone = category.urgent_phone or (municipality.phone if municipality else "")
        return {
            "kind": "urgent",
            "name": category.localized("name", language),
            "phone": phone,
            "tel": "".join(c for c in phone if c.isdigit() or c == "+"),
        }
    return {
        "kind": "not_ours",
        "name": category.localized("name", language),
        "text": category.localized("contact_text", language),
        "url": category.contact_url,
    }


def _kept_key(submission_key):
    return f"reports:kept-photos:{submission_key}"


def _kept_photos(submission_key) -> list[ProcessedPhoto]:
    if not submission_key:
        return []
    kept = cache.get(_kept_key(submission_key)) or []
    return [
        ProcessedPhoto(
            image=ContentFile(item["image"], name="photo.jpg"),
            thumbnail=ContentFile(item["thumbnail"], name="thumbnail.jpg"),
            width=item["width"],
            height=item["height"],
        )
        for item in kept
    ]


def _keep_photos(submission_key, photos):
    """Photos that passed the checks are kept (re-encoded, without metadata) while the person corrects the rest
    of the form: a browser never refills a file input."""
    if not photos:
        cache.delete(_kept_key(submission_key))
        return
    items = []
    for photo in photos:
        photo.image.seek(0)
        photo.thumbnail.seek(0)
        items.append(
            {
                "image": photo.image.read(),
                "thumbnail": photo.thumbnail.read(),
                "width": photo.width,
                "height": photo.height,
            }
        )
    cache.set(_kept_key(submission_key), items, KEPT_PHOTOS_SECONDS)


def _remember_made(request, report):
    made = [pk for pk in request.session.get(MADE_SESSION_KEY, []) if pk != report.pk][-19:]
    request.session[MADE_SESSION_KEY] = [*made, report.pk]


def _invalid_link(request):
    return render(request, "reports/new/link_invalid.html", status=400)


def _token_ok(token, salt, max_age=None) -> bool:
    try:
        signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return False
    return True


# --- Step 1: where and what ------------------------------------------------------------------------------------
@require_GET
def new(request):
    return _where_what(request, intake=False)


@require_GET
def intake(request):
    return _intake_denied(request) or _where_what(request, intake=True)


def _where_what(request, *, intake):
    municipality = current_municipality()
    # The form is sent with GET, so a category in the query means it was sent; a link from the map with only a
    # point (or an address) fills the form in without complaining about what is not chosen yet.
    if "category" in request.GET:
        form = _where_what_form(request.GET, municipality)
    else:
        initial = {key: request.GET.get(key, "") for key in CARRIED}
        form = WhereWhatForm(initial=initial, category_groups=selectors.category_groups(), municipality=municipality)
    notice = None
    if form.is_bound and form.is_valid():
        if form.category.is_urgent or form.category.not_ours:
            notice = _call_notice(form.category, municipality)
        else:
            step2 = reverse("reports:intake_details" if intake else "reports:new_details")
            return redirect(f"{step2}?{urlencode(form.where_what())}")
    title = _("Register a report for a caller") if intake else _("Report a fault")
    return render(
        request,
        "reports/new/where_what.html",
        {
            "form": form,
            "notice": notice,
            "intake": intake,
            "title": title,
            "action": reverse("reports:intake" if intake else "reports:new"),
            "crumbs": _crumbs((_("Register for a caller") if intake else _("New report"), None)),
        },
    )


# --- Step 2: details and who -----------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def new_details(request):
    return _details(request, intake=False)


@require_http_methods(["GET", "POST"])
def intake_details(request):
    return _intake_denied(request) or _details(request, intake=True)


def _details(request, *, intake):
    municipality = current_municipality()
    data = request.POST if request.method == "POST" else request.GET
    carried = {key: data.get(key, "")[:200] for key in CARRIED}
    step1 = reverse("reports:intake" if intake else "reports:new")
    # Step 2 needs a point from step 1; anything wrong with what was carried (a category no longer in use, an
    # edited address) goes back to step 1, which says what is wrong.
    where = _where_what_form(carried, municipality) if carried["latitude"] and carried["longitude"] else None
    if where is None or not where.is_valid() or where.point is None:
        return redirect(f"{step1}?{urlencode(carried)}")
    category = where.category
    carried = where.where_what()
    form_class = IntakeForm if intake else DetailsForm

    submission_key = None
    if request.method == "POST":
        posted_key = request.POST.get("submission_key", "")
        kept = _kept_photos(posted_key if SUBMISSION_KEY.match(posted_key) else "")
        form = form_class(request.POST, request.FILES, category=category, user=request.user, kept_photos=len(kept))
        if form.is_valid():
            submission_key = form.cleaned_data["submission_key"]
            photos = ([] if form.cleaned_data.get("remove_kept_photos") else kept) + form.processed_photos
            if intake:
                ratelimit.check(request, "reports.intake", INTAKE_RATE)
            else:
                ratelimit.check(request, "reports.create", CREATE_RATE)
            try:
                report = services.report_create(
                    actor=request.user,
                    category=category,
                    latitude=where.point[0],
                    longitude=where.point[1],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    address=carried["address"],
                    answers=form.cleaned_data.get("answers", {}),
                    photos=photos,
                    reporter=form.reporter(),
                    channel=form.cleaned_data["channel"] if intake else Channel.WEB,
                    submission_key=submission_key,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                cache.delete(_kept_key(submission_key))
                _remember_made(request, report)
                return redirect("reports:thanks", pk=report.pk)
        else:
            submission_key = form.cleaned_data.get("submission_key") or new_submission_key()
            kept = [] if form.cleaned_data.get("remove_kept_photos") else kept
            photos = kept + form.processed_photos
        photos = photos[: services.MAX_PHOTOS]
        _keep_photos(submission_key, photos)
        form.kept_count = len(photos)
        # The box "remove the photos I added" has done its work; shown again, it starts unticked.
        form.data = form.data.copy()
        form.data.pop("remove_kept_photos", None)
    else:
        submission_key = new_submission_key()
        form = form_class(category=category, user=request.user)
        form.kept_count = 0

    language = get_language()
    title = _("Register a report for a caller") if intake else _("Describe the fault")
    return render(
        request,
        "reports/new/details.html",
        {
            "form": form,
            "intake": intake,
            "title": title,
            "category": category,
            "category_name": category.localized("name", language),
            "carried": carried,
            "submission_key": submission_key,
            "change_url": f"{step1}?{urlencode(carried)}",
            "action": reverse("reports:intake_details" if intake else "reports:new_details"),
            "here_url": f"{reverse('reports:new_details')}?{urlencode(carried)}",
            "nearby": selectors.nearby_open(category, where.point[0], where.point[1]),
            "nearby_metres": settings.TINGET_REPORT_NEARBY_METRES,
            "crumbs": _crumbs((_("Register for a caller") if intake else _("New report"), None)),
        },
    )


@require_GET
@never_cache
def thanks(request, pk):
    # Only the session that sent the report sees this page: it would otherwise tell anyone that an unconfirmed
    # report exists.
    if pk not in request.session.get(MADE_SESSION_KEY, []):
        raise Http404
    report = selectors.report_just_made(pk)
    if report is None:
        raise Http404
    return render(
        request,
        "reports/new/thanks.html",
        {
            "report": report,
            "published": report.state != State.UNCONFIRMED,
            "intake": report.registered_by_id is not None and report.registered_by_id == request.user.pk,
            "crumbs": _crumbs((_("Thank you"), None)),
        },
    )


# --- Confirming by e-mail --------------------------------------------------------------------------------------
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    if not _token_ok(token, services.CONFIRM_SALT, services.CONFIRM_MAX_AGE):
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "reports/new/confirm.html", {"token": token})
    try:
        report = services.report_confirm(token=token)
    except DomainError:
        return _invalid_link(request)
    return render(request, "reports/new/confirm_done.html", {"report": report})


# --- "This is mine too" and e-mail subscriptions ---------------------------------------------------------------
@require_POST
def support(request, pk):
    report = selectors.public_reports().filter(pk=pk).first()
    if report is None:
        raise Http404
    form = SupportForm(request.POST)
    if form.is_valid():
        ratelimit.check(request, "reports.support", SUPPORT_RATE)
        try:
            result = services.report_support(actor=request.user, report=report, email=form.cleaned_data["email"])
        except NotAllowed:
            raise Http404 from None
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            if result == "following":
                messages.success(
                    request, _("You now follow report #%(id)s. We tell you when it changes.") % {"id": report.pk}
                )
            else:
                messages.success(
                    request,
                    _("We have sent an e-mail to %(email)s. Open the link in it to get updates about report #%(id)s.")
                    % {"email": form.cleaned_data["email"], "id": report.pk},
                )
            return redirect(_next_url(request, _report_url(report)))
    return render(
        request,
        "reports/new/support.html",
        {"form": form, "report": report, "crumbs": _crumbs((_("This is mine too"), None))},
        status=400,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, token):
    if not _token_ok(token, services.SUBSCRIBE_SALT, services.CONFIRM_MAX_AGE):
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "reports/new/subscribe_confirm.html", {"token": token})
    try:
        subscriber = services.subscriber_confirm(token=token)
    except DomainError:
        return _invalid_link(request)
    return render(request, "reports/new/subscribe_done.html", {"report": subscriber.report})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if not _token_ok(token, services.UNSUBSCRIBE_SALT):
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "reports/new/unsubscribe.html", {"token": token})
    try:
        report = services.subscriber_unsubscribe(token=token)
    except DomainError:
        return _invalid_link(request)
    return render(request, "reports/new/unsubscribe_done.html", {"report": report})


# --- "Is it fixed?" and reopening ------------------------------------------------------------------------------
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request, token):
    try:
        report = services.report_for_questionnaire(token)
    except DomainError:
        return _invalid_link(request)
    form = QuestionnaireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fixed = form.cleaned_data["fixed"] == "yes"
        asked = report.state == State.FIXED
        report = services.questionnaire_answer(token=token, fixed=fixed, text=form.cleaned_data["text"])
        return render(
            request,
            "reports/new/questionnaire_done.html",
            {"report": report, "fixed": fixed, "changed": asked},
        )
    return render(
        request,
        "reports/new/questionnaire.html",
        {"form": form, "report": report, "token": token, "asked": report.state == State.FIXED},
        status=400 if form.is_bound else 200,
    )


@require_POST
def reopen(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(_url_or_none("reports:detail", pk=pk) or reverse("reports:new"))
    report = selectors.report_for(request.user, pk)
    if report is None:
        raise Http404
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment can be at most 4,000 characters."))
        return redirect(_next_url(request, _report_url(report)))
    try:
        services.report_reopen(actor=request.user, report=report, text=form.cleaned_data["text"])
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("Report #%(id)s is open again. We have told the case worker.") % {"id": report.pk})
    return redirect(_next_url(request, _report_url(report)))


urlpatterns = [
    path(gettext_lazy("new/"), new, name="new"),
    path(gettext_lazy("new/details/"), new_details, name="new_details"),
    path(format_lazy("{}<int:pk>/", gettext_lazy("new/thanks/")), thanks, name="thanks"),
    path(format_lazy("{}<str:token>/", gettext_lazy("confirm/")), confirm, name="confirm"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("mine-too/")), support, name="support"),
    path(format_lazy("{}<str:token>/", gettext_lazy("updates/confirm/")), subscribe_confirm, name="subscribe_confirm"),
    path(format_lazy("{}<str:token>/", gettext_lazy("updates/stop/")), unsubscribe, name="unsubscribe"),
    path(format_lazy("{}<str:token>/", gettext_lazy("is-it-fixed/")), questionnaire, name="questionnaire"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("reopen/")), reopen, name="reopen"),
    path(gettext_lazy("intake/"), intake, name="intake"),
    path(gettext_lazy("intake/details/"), intake_details, name="intake_details"),
]
