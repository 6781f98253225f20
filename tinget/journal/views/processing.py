"""The case worker's side of access requests: the queue of parts for my units, soonest deadline first, and one
part with the requester's message, the entries asked for, the deadline, the history and the answer (grant, partly
grant or refuse; after an appeal, answer again or send the appeal on to the County Governor).

Who gets in: a logged-in, active staff member who may answer access requests, with a second factor this session
(staff_only, as on the consultations' processing pages); anyone else gets 403. A part of another unit is 404: its
existence is not revealed (selectors.part_for_staff), and the services refuse it again. Every view of a part shows
the requester's e-mail address and message and is logged once (services.request_log_read).

Each form is a POST that calls one service. A form sent twice (a double click, a resent POST) finds the part
already answered and says so, changing nothing and telling nobody again.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tinget.accounts.decorators import has_any_perm
from tinget.accounts.decorators import staff_only as staff_only_for
from tinget.accounts.staff import units_for
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.workdays import working_days_between

from .. import rules, selectors, services
from ..models import AccessRequestItem, RequestStatus
from ..processing_forms import GRANT, LEGAL_BASIS_SUGGESTIONS, AnswerForm, ForwardForm, QueueFilterForm

ANSWER = "journal.answer_accessrequest"


# --- Access ----------------------------------------------------------------------------------------------------
def _come_back(kwargs):
    # A form sent without a session cannot be replayed after logging in: come back to the page it was on.
    if "pk" in kwargs:
        return reverse("journal:part", kwargs={"pk": kwargs["pk"]})
    return reverse("journal:queue")


staff_only = staff_only_for(
    has_any_perm(ANSWER),
    come_back=_come_back,
    setup_message=gettext_lazy(
        "Answering access requests needs two-factor authentication. Set up an authenticator app on your phone, "
        "then go to the requests again."
    ),
)


def _url(name, **kwargs) -> str:
    """An address on another helper's pages, or "" while that page does not exist."""
    try:
        return reverse(f"journal:{name}", kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def _crumbs(*last):
    crumbs = [
        (_("Front page"), reverse("core:hub")),
        (_("Mail journal"), _url("index")),
        (_("Access requests"), reverse("journal:queue")),
        *last,
    ]
    # A page that does not exist (yet) is left out rather than linked to nothing; the current page (last) stays.
    return [crumb for crumb in crumbs[:-1] if crumb[1]] + [(crumbs[-1][0], None)]


# --- Deadlines -------------------------------------------------------------------------------------------------
def deadline_status(part, today) -> tuple[str, str]:
    """The deadline tag a case worker sees: (label, colour). Only a part still waiting for its first answer runs
    against the § 32 deadline; an appealed part is marked as such, an answered one by its status."""
    if part.status == RequestStatus.SENT:
        if today > part.deadline:
            return _("Overdue"), "danger"
        if today == part.deadline:
            return _("Due today"), "warning"
        left = working_days_between(today, part.deadline)
        label = ngettext("%(count)s working day left", "%(count)s working days left", left) % {"count": left}
        return label, "warning" if left <= 1 else "info"
    if part.status == RequestStatus.APPEALED:
        return _("Appeal waiting"), "warning"
    return part.get_status_display(), "success" if part.status == RequestStatus.GRANTED else "neutral"


def _status_color(status) -> str:
    return {
        RequestStatus.SENT: "info",
        RequestStatus.GRANTED: "success",
        RequestStatus.PARTLY_GRANTED: "warning",
        RequestStatus.REFUSED: "danger",
        RequestStatus.APPEALED: "warning",
        RequestStatus.FORWARDED: "neutral",
    }.get(status, "neutral")


# --- The queue -------------------------------------------------------------------------------------------------
@never_cache
@require_GET
@staff_only
def queue(request):
    """Parts of sent requests for my units (every unit for an administrator), soonest deadline first."""
    user = request.user
    units = list(units_for(user).only("pk", "slug", "name").order_by("name"))
    form = QueueFilterForm(request.GET or None, units=units)
    filters = form.filters()
    paginator = Paginator(selectors.queue_for(user, **filters), settings.TINGET_JOURNAL_PAGE_SIZE)
    # "side" is the pagination component's parameter.
    page_obj = paginator.get_page(request.GET.get("side"))
    today = services.today()
    rows = []
    for part in page_obj.object_list:
        label, color = deadline_status(part, today)
        rows.append(
            {
                "part": part,
                "url": part.get_absolute_url(),
                "deadline_label": label,
                "deadline_color": color,
                "status_color": _status_color(part.status),
            }
        )
    context = {
        "form": form,
        "filters": filters,
        "filtered": filters != {"status": "waiting", "unit": ""},
        "page_obj": page_obj,
        "rows": rows,
        "crumbs": _crumbs((_("Access requests"), None)),
    }
    return render(request, "journal/processing/queue.html", context)


# --- One part --------------------------------------------------------------------------------------------------
def answered_decision(part) -> str:
    """The unit's last decision, also once the part is appealed or sent on (the status then says that instead):
    from the entries' decisions, or for a request for a period, from whether a legal basis was given."""
    if part.status in (RequestStatus.GRANTED, RequestStatus.PARTLY_GRANTED, RequestStatus.REFUSED):
        return part.status
    decisions = {item.decision for item in part.items.all() if item.decision}
    if decisions == {AccessRequestItem.Decision.GRANTED}:
        return RequestStatus.GRANTED
    if decisions == {AccessRequestItem.Decision.REFUSED}:
        return RequestStatus.REFUSED
    if decisions:
        return RequestStatus.PARTLY_GRANTED
    return RequestStatus.REFUSED if part.legal_basis else RequestStatus.GRANTED


def _history(part) -> list[dict]:
    """What happened to the part, in order (from its own timestamps; the forwarding from the audit log, as the
    part has no field for it)."""
    events = [{"at": part.sent_at, "text": _("Sent to %(unit)s") % {"unit": part.unit.name}}]
    if part.reminded_1_at:
        events.append({"at": part.reminded_1_at, "text": _("Reminder to the unit after 1 working day")})
    if part.reminded_3_at:
        events.append({"at": part.reminded_3_at, "text": _("Reminder to the unit after 3 working days")})
    if part.overdue_notified_at:
        events.append(
            {
                "at": part.overdue_notified_at,
                "text": _("The requester was told that no answer in time counts as a refusal (offentleglova § 32)"),
            }
        )
    if part.answered_at:
        who = (part.answered_by.display_name or part.answered_by.email) if part.answered_by else ""
        text = _("Answered: %(decision)s") % {"decision": RequestStatus(answered_decision(part)).label}
        events.append({"at": part.answered_at, "text": f"{text} ({who})" if who else text})
    if part.appealed_at:
        events.append({"at": part.appealed_at, "text": _("Appealed by the requester")})
    if part.forwarded_at:
        events.append(
            {"at": part.forwarded_at, "text": _("The appeal was sent to the County Governor (Statsforvalteren)")}
        )
    return sorted(events, key=lambda event: (event["at"] is None, event["at"]))


def _forms(part, *, failed=None, failed_name=None):
    items = list(part.items.all())
    answer_initial = {"decision": GRANT} if part.status == RequestStatus.APPEALED else {}
    forms = {
        "answer": AnswerForm(
            initial=answer_initial,
            items=items,
            is_period=part.request.is_period,
            has_files=bool(part.files.all()),
        ),
        "forward": ForwardForm(),
    }
    if failed is not None:
        forms[failed_name] = failed
    return forms


def _render_part(request, part, *, failed=None, failed_name=None, files_dropped=False, status=200):
    services.request_log_read(actor=request.user, access_request=part.request, part=part)
    items = list(part.items.all())
    for item in items:
        item.entry_url = _url("entry", pk=item.entry_id)
    files = list(part.files.all())
    for answer_file in files:
        answer_file.url = _url("answer_file", pk=answer_file.pk)
    label, color = deadline_status(part, services.today())
    forms = _forms(part, failed=failed, failed_name=failed_name)
    answer_form = forms["answer"]
    context = {
        "part": part,
        "access_request": part.request,
        "items": items,
        "files": files,
        "forms": forms,
        "item_fields": answer_form.item_fields(),
        "failed": failed,
        "files_dropped": files_dropped,
        "deadline_label": label,
        "deadline_color": color,
        "status_color": _status_color(part.status),
        "history": _history(part),
        "decision_label": RequestStatus(answered_decision(part)).label if part.answered_at else "",
        "may": {
            "answer": rules.can_answer_now(part),
            "forward": part.status == RequestStatus.APPEALED,
        },
        "legal_basis_suggestions": LEGAL_BASIS_SUGGESTIONS,
        "queue_url": reverse("journal:queue"),
        "crumbs": _crumbs(
            (_("Access request %(number)s, %(unit)s") % {"number": part.request_id, "unit": part.unit.name}, None)
        ),
    }
    return render(request, "journal/processing/part.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def part_detail(request, pk):
    """One part with the answer form (action=answer) or, after an appeal, the forwarding form (action=forward)."""
    part = selectors.part_for_staff(request.user, pk)
    if request.method == "GET":
        return _render_part(request, part)
    handler = ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return HttpResponseBadRequest(
            _("Choose what to do with the request."), content_type="text/plain; charset=utf-8"
        )
    return handler(request, part)


def _failed(request, part, form, name, error, *, files_dropped=False):
    """A service said no: 404 for who may not (the part is not revealed), 409 when the part moved on, else 400."""
    if isinstance(error, NotAllowed):
        raise Http404 from None
    form.add_error(None, str(error))
    fresh = selectors.part_for_staff(request.user, part.pk)
    status = 409 if isinstance(error, InvalidTransition) else 400
    return _render_part(request, fresh, failed=form, failed_name=name, files_dropped=files_dropped, status=status)


def _answer(request, part):
    form = AnswerForm(
        request.POST,
        request.FILES,
        items=list(part.items.all()),
        is_period=part.request.is_period,
        has_files=bool(part.files.all()),
    )
    files_dropped = bool(request.FILES.getlist("files"))
    if not rules.can_answer_now(part):
        # Sent twice, or a colleague was first: nothing changes and the requester is not told again.
        form.is_valid()
        form.add_error(
            None, _("This request has already been answered. Nothing was changed, and nobody was told again.")
        )
        return _render_part(request, part, failed=form, failed_name="answer", files_dropped=files_dropped, status=409)
    if not form.is_valid():
        return _render_part(request, part, failed=form, failed_name="answer", files_dropped=files_dropped, status=400)
    data = form.cleaned_data
    try:
        services.part_answer(
            actor=request.user,
            part=part,
            decision=data["decision"],
            answer=data["answer"],
            legal_basis=data["legal_basis"],
            appeal_information=data["appeal_information"],
            link=data["link"],
            files=data["files"],
            item_decisions=form.item_decisions() if data["decision"] == "partly_granted" else None,
        )
    except DomainError as error:
        return _failed(request, part, form, "answer", error, files_dropped=files_dropped)
    messages.success(
        request,
        _("The answer is sent. The requester is told by e-mail and can read it on the request's page."),
    )
    return redirect("journal:part", pk=part.pk)


def _forward(request, part):
    form = ForwardForm(request.POST)
    if part.status != RequestStatus.APPEALED:
        form.is_valid()
        if part.status == RequestStatus.FORWARDED:
            message = _("The appeal has already been sent to the County Governor. Nothing was changed.")
        else:
            message = _("Only an appealed request can be sent to the County Governor.")
        form.add_error(None, message)
        return _render_part(request, part, failed=form, failed_name="forward", status=409)
    if not form.is_valid():
        return _render_part(request, part, failed=form, failed_name="forward", status=400)
    try:
        services.part_forward(actor=request.user, part=part, note=form.cleaned_data["note"])
    except DomainError as error:
        return _failed(request, part, form, "forward", error)
    messages.success(
        request,
        _("The appeal is sent to the County Governor (Statsforvalteren). The requester is told by e-mail."),
    )
    return redirect("journal:part", pk=part.pk)


ACTIONS = {"answer": _answer, "forward": _forward}


urlpatterns = [
    path(gettext_lazy("requests/"), queue, name="queue"),
    path(gettext_lazy("requests/<int:pk>/"), part_detail, name="part"),
]
