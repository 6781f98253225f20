"""The case worker's and moderator's pages of fault reports: the queue of their units' reports, and one report
with everything about it and a form for each thing they can do to it (each a POST to its own address that
calls one service).

Who gets in: a logged-in, active staff member who handles reports (rules.can_handle_any) or moderates them
(rules.can_moderate); anyone else logged in gets 403. Like the admin (tinget/accounts/middleware.py), these
pages show people's contact details and change cases, so they open only when this session's login included
a second factor: staff without an authenticator app are sent to set one up, staff with one are asked for a
code first.

Every form carries the report's `version` (its newest history line and moderation). A form sent twice (a
double click, a resent POST) or after someone else changed the report finds another version, changes nothing
and says so, with what was typed kept.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tinget.accounts.decorators import staff_only as staff_only_for
from tinget.accounts.privacy import log_personal_data_read
from tinget.accounts.staff import units_for
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.models import Area, Unit
from tinget.core.notify.selectors import followers_of
from tinget.core.selectors import current_municipality

from .. import rules, selectors, services
from ..models import (
    FIXED_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    Category,
    Photo,
    Report,
    State,
    Update,
)

PER_PAGE = 25
TEXT_MAX = services.DESCRIPTION_MAX
REASON_MAX = 300

# What a person is told on Min side when staff have read their contact details (see accounts.privacy).
HANDLING_READ = gettext_noop("Your contact details on a fault report, on the case worker's page")


# --- Access ----------------------------------------------------------------------------------------------------
def _may_enter(user) -> bool:
    return rules.can_handle_any(user) or rules.can_moderate(user)


def _come_back(kwargs):
    # A form sent without a session cannot be replayed after logging in: come back to the report instead.
    if "pk" in kwargs:
        return reverse("reports:handle_detail", kwargs={"pk": kwargs["pk"]})
    return reverse("reports:handle")


# Login, a role that handles or moderates reports (403 otherwise), and a second factor this session.
staff_only = staff_only_for(
    _may_enter,
    come_back=_come_back,
    setup_message=gettext_lazy(
        "Handling fault reports needs two-factor authentication. Set up an authenticator app on your "
        "phone, then go to the handling pages again."
    ),
)


# --- How states look -------------------------------------------------------------------------------------------
def state_color(state) -> str:
    """The colour of a state's tag. The tag always carries the state's name too (never colour alone)."""
    if state in FIXED_STATES:
        return "success"
    if state in (State.INVESTIGATING, State.ACTION_SCHEDULED, State.IN_PROGRESS, State.INTERNAL_REFERRAL):
        return "warning"
    if state == State.OPEN:
        return "info"
    return "neutral"


STATE_ORDER = [s for s in State if s in PUBLIC_STATES]


# --- The queue -------------------------------------------------------------------------------------------------
class QueueFilterForm(forms.Form):
    # Not state names: "open" and "closed" are states of their own.
    STATUS_OPEN, STATUS_CLOSED, STATUS_ALL = "all_open", "all_closed", "all"
    SORTS = [
        ("age", gettext_lazy("Oldest first")),
        ("category", gettext_lazy("Category, then oldest first")),
        ("due", gettext_lazy("Answer due, soonest first")),
        ("newest", gettext_lazy("Newest first")),
    ]

    q = forms.CharField(
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Words in the title, description or address, or a report number."),
        max_length=100,
        required=False,
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), required=False, empty_label=gettext_lazy("All")
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"), queryset=Area.objects.none(), required=False, empty_label=gettext_lazy("All")
    )
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue reports"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), choices=SORTS, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (self.STATUS_OPEN, _("All open")),
            (self.STATUS_CLOSED, _("All closed")),
            (self.STATUS_ALL, _("All")),
            *[(s.value, s.label) for s in STATE_ORDER],
        ]
        self.fields["category"].queryset = Category.objects.order_by("name")
        municipality = current_municipality()
        units = Unit.objects.filter(municipality=municipality) if rules.can_moderate(user) else units_for(user)
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality).order_by("name")

    def value(self, name, default=None):
        """The cleaned value of a filter, or `default` when it was left out or was not valid."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


def _search(reports, query):
    query = query.strip()
    number = query.lstrip("#")
    if number.isdigit() and len(number) < 12:
        return reports.filter(pk=int(number))
    condition = Q()
    for word in query.split()[:5]:
        condition &= Q(title__icontains=word) | Q(description__icontains=word) | Q(address__icontains=word)
    return reports.filter(condition)


def _status_filter(reports, status):
    if status == QueueFilterForm.STATUS_OPEN:
        return reports.filter(state__in=OPEN_STATES)
    if status == QueueFilterForm.STATUS_CLOSED:
        return reports.exclude(state__in=OPEN_STATES)
    if status == QueueFilterForm.STATUS_ALL:
        return reports
    return reports.filter(state=status)


ORDERINGS = {
    "age": ("created_at", "id"),
    "category": ("category__name", "created_at", "id"),
    "due": (F("due_at").asc(nulls_last=True), "created_at", "id"),
    "newest": ("-created_at", "-id"),
}


@never_cache
@require_GET
@staff_only
def queue(request):
    """The reports of the person's units: open ones by default, oldest first, overdue ones marked."""
    form = QueueFilterForm(
        request.GET or None, user=request.user, initial={"status": QueueFilterForm.STATUS_OPEN, "sort": "age"}
    )
    now = timezone.now()
    reports = selectors.handling_queue(request.user)
    if query := form.value("q"):
        reports = _search(reports, query)
    for name in ("category", "unit", "area"):
        if value := form.value(name):
            reports = reports.filter(**{name: value})
    if form.value("overdue", False):
        reports = reports.filter(state__in=OPEN_STATES, due_at__lt=now)

    # How many in each state, with every filter but the status applied: each count links to its status.
    counted = {
        row["state"]: row
        for row in reports.order_by()
        .values("state")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    }
    status = form.value("status", QueueFilterForm.STATUS_OPEN)
    params = request.GET.copy()
    params.pop("side", None)
    counts = []
    for state in STATE_ORDER:
        params["status"] = state.value
        counts.append(
            {
                "state": state,
                "label": state.label,
                "total": counted.get(state, {}).get("total", 0),
                "url": "?" + params.urlencode(),
                "current": status == state,
            }
        )
    overdue_total = sum(row["overdue"] for state, row in counted.items() if state in OPEN_STATES)
    open_total = sum(row["total"] for state, row in counted.items() if state in OPEN_STATES)

    reports = _status_filter(reports, status).select_related("category", "unit", "area")
    reports = reports.order_by(*ORDERINGS[form.value("sort", "age")])
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("side"))
    for report in page:
        report.state_color = state_color(report.state)
    return render(
        request,
        "reports/handling/queue.html",
        {
            "form": form,
            "page_obj": page,
            "counts": counts,
            "open_total": open_total,
            "overdue_total": overdue_total,
            "filtered": bool(request.GET.dict().keys() - {"side"}),
            "crumbs": _crumbs(),
        },
    )


def _crumbs(*last):
    return [
        (_("Front page"), reverse("core:hub")),
        (_("Report a fault"), reverse("reports:index")),
        (_("Handle fault reports"), reverse("reports:handle") if last else None),
        *last,
    ]


# --- The forms on a report -------------------------------------------------------------------------------------
class ReportForm(forms.Form):
    """A form about one report: carries the version of the report it was made from (see the module docstring).
    `errors_by_code` places a service's error on the field it is about."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=40)
    errors_by_code: dict[str, str] = {}

    def add_domain_error(self, error: DomainError):
        self.add_error(self.errors_by_code.get(error.code), str(error))


def report_number(value: str) -> int:
    number = (value or "").strip().lstrip("#").strip()
    if not number.isdigit() or len(number) > 12:
        raise forms.ValidationError(_("Write the report's number, for example 1234."), code="invalid")
    return int(number)


class StateForm(ReportForm):
    state = forms.ChoiceField(label=gettext_lazy("New status"))
    answer = forms.CharField(
        label=gettext_lazy("Public answer"),
        help_text=gettext_lazy(
            "Shown on the report's page and sent to the reporter and followers. Required when closing the report "
            "without fixing it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX,
        required=False,
    )
    duplicate_of = forms.CharField(
        label=gettext_lazy("Duplicate of report number"),
        help_text=gettext_lazy("Only for the status Duplicate. Followers of this report will follow that one."),
        max_length=20,
        required=False,
    )
    errors_by_code = {
        "answer_required": "answer",
        "description_too_long": "answer",
        "duplicate_target_required": "duplicate_of",
        "invalid_transition": "state",
    }

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(s.value, s.label) for s in STATE_ORDER if s != report.state]

    def clean_duplicate_of(self):
        value = self.cleaned_data["duplicate_of"]
        return report_number(value) if value.strip() else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("duplicate_of") and cleaned.get("state") != State.DUPLICATE:
            self.add_error("duplicate_of", _("Only fill this in when the new status is Duplicate."))
        if cleaned.get("state") == State.DUPLICATE and "duplicate_of" in cleaned and not cleaned["duplicate_of"]:
            self.add_error("duplicate_of", services.DuplicateTargetRequired.default_message)
        return cleaned


class TextForm(ReportForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX)
    errors_by_code = {"answer_required": "text", "description_too_long": "text"}

    def __init__(self, *args, label, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].help_text = help_text


def answer_form(*args, **kwargs):
    return TextForm(
        *args,
        label=_("Answer"),
        help_text=_("Shown on the report's page and sent to the reporter and followers. The status stays."),
        prefix="answer",
        **kwargs,
    )


def note_form(*args, **kwargs):
    return TextForm(*args, label=_("Internal note"), help_text=_("Only staff see this."), prefix="note", **kwargs)


class RerouteForm(ReportForm):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Another unit"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Another category"),
        help_text=gettext_lazy("The report goes to the category's unit, unless you choose a unit as well."),
        queryset=Category.objects.none(),
        required=False,
        empty_label="—",
    )
    note = forms.CharField(
        label=gettext_lazy("Internal note"),
        help_text=gettext_lazy("Why, for the unit that takes over. Only staff see this."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality=current_municipality()).exclude(
            pk=report.unit_id
        )
        self.fields["category"].queryset = Category.objects.active().exclude(pk=report.category_id)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("unit") and not cleaned.get("category"):
            raise forms.ValidationError(_("Choose another unit or category."), code="nothing_chosen")
        return cleaned


class MergeForm(ReportForm):
    into = forms.CharField(
        label=gettext_lazy("Report number"),
        help_text=gettext_lazy("The report this one is a duplicate of. Its followers will follow that one."),
        max_length=20,
    )
    answer = forms.CharField(
        label=gettext_lazy("Public answer"),
        help_text=gettext_lazy("If you leave it empty, the reporter is told which report to follow instead."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )
    errors_by_code = {"duplicate_target_required": "into", "description_too_long": "answer"}

    def clean_into(self):
        return report_number(self.cleaned_data["into"])


class ReasonForm(ReportForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("For the moderation log. Only staff see it."),
        max_length=REASON_MAX,
    )
    errors_by_code = {"reason_required": "reason"}


class VisibilityForm(ReasonForm):
    hidden = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )


class RedactForm(ReasonForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX, required=False
    )
    field_order = ["title", "description", "reason"]
    errors_by_code = {"reason_required": "reason", "description_too_long": "description"}


# --- One report ------------------------------------------------------------------------------------------------
def version_of(report_pk) -> str:
    """Changes whenever the report's history or moderation log gets a line: every service leaves one."""
    row = Report.objects.filter(pk=report_pk).aggregate(u=Max("updates__id"), m=Max("moderations__id"))
    return f"{row['u'] or 0}.{row['m'] or 0}"


def _unit_names(user) -> str | None:
    return ", ".join(user.units.order_by("name").values_list("name", flat=True)) or None


def _log_contact_read(request, report):
    """Seeing the reporter's contact details is a read of their personal data: logged, and shown to them on Min
    side. Someone without an account has no Min side; the read is still logged, against the report."""
    if not (report.reporter_id or report.reporter_name or report.reporter_email or report.reporter_phone):
        return
    log_personal_data_read(
        staff_user=request.user,
        subject_user=report.reporter if report.reporter_id else report,
        what=HANDLING_READ,
        unit=_unit_names(request.user),
    )


def _forms_for(report, user, version):
    """Fresh forms for what this person may do with the report, by name."""
    initial = {"version": version}
    found = {}
    if rules.can_handle(user, report):
        # A report waiting for its reporter's confirmation is not public: it cannot be answered or moved on yet.
        if report.state != State.UNCONFIRMED:
            found["state"] = StateForm(report=report, initial=initial, prefix="state")
            found["answer"] = answer_form(initial=initial)
            found["merge"] = MergeForm(initial=initial, prefix="merge")
        found["note"] = note_form(initial=initial)
        found["reroute"] = RerouteForm(report=report, initial=initial, prefix="reroute")
    if rules.can_moderate(user):
        found["hide"] = VisibilityForm(initial={**initial, "hidden": "0" if report.is_hidden else "1"}, prefix="hide")
        found["redact"] = RedactForm(
            initial={**initial, "title": report.title, "description": report.description}, prefix="redact"
        )
        for photo in report.photos.all():
            found[f"photo-{photo.pk}"] = VisibilityForm(
                initial={**initial, "hidden": "0" if photo.is_hidden else "1"}, prefix=f"photo-{photo.pk}"
            )
        for update in report.updates.all():
            # Only what the public sees can be hidden from it; internal lines are staff's own.
            if update.is_public and not update.is_hidden and update.text:
                found[f"update-{update.pk}"] = ReasonForm(initial=initial, prefix=f"update-{update.pk}")
    return found


def _render_detail(request, pk, *, failed=None, failed_name=None, status=200):
    report = selectors.report_for(request.user, pk)
    if report is None:
        raise Http404
    can_handle = rules.can_handle(request.user, report)
    if not (can_handle or rules.can_moderate(request.user)):
        raise PermissionDenied
    updates = list(report.updates.all())
    photos = list(report.photos.all())
    moderations = list(report.moderations.select_related("moderator", "photo", "update"))
    version = f"{max((u.pk for u in updates), default=0)}.{max((m.pk for m in moderations), default=0)}"
    found = _forms_for(report, request.user, version)
    if failed is not None:
        # Keep what was typed, but let the form be sent again against the report as it is now.
        failed.data = failed.data.copy()
        failed.data[failed.add_prefix("version")] = version
        found[failed_name] = failed
    for photo in photos:
        photo.form = found.get(f"photo-{photo.pk}")
    for update in updates:
        update.form = found.get(f"update-{update.pk}")
        update.old_state_label = State(update.old_state).label if update.old_state else ""
        update.new_state_label = State(update.new_state).label if update.new_state else ""
    questions = {q.code: q for q in report.category.questions.all()}
    answers = []
    for code, value in (report.answers or {}).items():
        question = questions.get(code)
        values = value if isinstance(value, list) else [value]
        names = [question.value_name(v, request.LANGUAGE_CODE) if question else v for v in values]
        label = question.localized("question", request.LANGUAGE_CODE) if question else code
        answers.append({"question": label, "answer": ", ".join(map(str, names))})
    if can_handle:
        _log_contact_read(request, report)
    context = {
        "report": report,
        "state_color": state_color(report.state),
        "photos": photos,
        "updates": updates,
        "moderations": moderations,
        "answers": answers,
        "duplicates": list(report.duplicates.only("pk", "title", "state")),
        "followers": followers_of(report).count(),
        "subscribers": report.subscribers.filter(confirmed_at__isnull=False).count(),
        "can_handle": can_handle,
        "can_moderate": rules.can_moderate(request.user),
        "forms": found,
        "failed": failed,
        "crumbs": _crumbs((f"#{report.pk} {report.title}", None)),
    }
    return render(request, "reports/handling/detail.html", context, status=status)


@never_cache
@require_GET
@staff_only
def detail(request, pk):
    """Everything about one report, with the forms this person may use."""
    return _render_detail(request, pk)


# --- Sending a form --------------------------------------------------------------------------------------------
STALE = gettext_lazy(
    "The report has changed since you opened this page, or the form was sent twice. Nothing was saved. Check the "
    "history below, then send the form again if it is still needed."
)


def _handle_form(request, pk, *, name, make_form, need, act, done, instance_check=None):
    """The common path of every form on a report: the right to do it, a valid form, the same version of the report
    as the form was made from, then the service (`act(report, cleaned_data)`), and back to the report with a
    message (`done`). A broken rule or a changed report shows the page again with the form as it was sent."""
    report = get_object_or_404(Report.objects.select_related("unit", "category"), pk=pk)
    if need == "handle" and not rules.can_handle(request.user, report):
        raise PermissionDenied
    if need == "moderate" and not rules.can_moderate(request.user):
        raise PermissionDenied
    if instance_check is not None:
        instance_check(report)
    form = make_form(report, request.POST)
    valid = form.is_valid()
    # A form sent twice may no longer be valid (the status it asks for is now the status): say what happened.
    if "version" in form.cleaned_data and form.cleaned_data["version"] != version_of(pk):
        form.add_error(None, STALE)
        return _render_detail(request, pk, failed=form, failed_name=name, status=409)
    if not valid:
        return _render_detail(request, pk, failed=form, failed_name=name, status=400)
    try:
        with transaction.atomic():
            # The lock makes a double click wait for the first request, which then has changed the version.
            report = Report.objects.select_for_update().select_related("unit", "category").get(pk=pk)
            if form.cleaned_data["version"] != version_of(pk):
                form.add_error(None, STALE)
                raise _Stale
            result = act(report, form.cleaned_data)
    except _Stale:
        return _render_detail(request, pk, failed=form, failed_name=name, status=409)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_domain_error(error)
        return _render_detail(request, pk, failed=form, failed_name=name, status=400)
    messages.success(request, done(report, form.cleaned_data, result))
    report.refresh_from_db(fields=["unit"])
    if not (rules.can_handle(request.user, report) or rules.can_moderate(request.user)):
        return redirect("reports:handle")
    return redirect("reports:handle_detail", pk=pk)


class _Stale(Exception):
    pass


@require_POST
@staff_only
def change_state(request, pk):
    def act(report, data):
        state = data["state"]
        if state == State.DUPLICATE:
            # Marking a duplicate is a merge: the followers move to the report it duplicates.
            into = _report_by_number(data["duplicate_of"])
            return services.report_merge(actor=request.user, duplicate=report, into=into, answer=data["answer"])
        return services.report_change_state(actor=request.user, report=report, state=state, answer=data["answer"])

    return _handle_form(
        request,
        pk,
        name="state",
        make_form=lambda report, data: StateForm(data, report=report, prefix="state"),
        need="handle",
        act=act,
        done=lambda report, data, update: _("The status is now: %(state)s.") % {"state": State(data["state"]).label},
    )


def _report_by_number(number) -> Report:
    into = Report.objects.filter(pk=number).first()
    if into is None:
        raise services.DuplicateTargetRequired(_("There is no report with number %(id)s.") % {"id": number})
    return into


@require_POST
@staff_only
def merge(request, pk):
    def act(report, data):
        into = _report_by_number(data["into"])
        return services.report_merge(actor=request.user, duplicate=report, into=into, answer=data["answer"])

    return _handle_form(
        request,
        pk,
        name="merge",
        make_form=lambda report, data: MergeForm(data, prefix="merge"),
        need="handle",
        act=act,
        done=lambda report, data, update: (
            _("Marked as a duplicate of report #%(id)s. Its followers follow that one.") % {"id": data["into"]}
        ),
    )


@require_POST
@staff_only
def answer(request, pk):
    return _handle_form(
        request,
        pk,
        name="answer",
        make_form=lambda report, data: answer_form(data),
        need="handle",
        act=lambda report, data: services.report_answer(actor=request.user, report=report, text=data["text"]),
        done=lambda report, data, update: _("The answer is published."),
    )


@require_POST
@staff_only
def note(request, pk):
    return _handle_form(
        request,
        pk,
        name="note",
        make_form=lambda report, data: note_form(data),
        need="handle",
        act=lambda report, data: services.report_add_note(actor=request.user, report=report, text=data["text"]),
        done=lambda report, data, update: _("The note is saved."),
    )


@require_POST
@staff_only
def reroute(request, pk):
    def act(report, data):
        return services.report_reroute(
            actor=request.user, report=report, unit=data["unit"], category=data["category"], note=data["note"]
        )

    def done(report, data, update):
        report.refresh_from_db(fields=["unit"])
        return _("The report is sent to %(unit)s.") % {"unit": Unit.objects.get(pk=report.unit_id).name}

    return _handle_form(
        request,
        pk,
        name="reroute",
        make_form=lambda report, data: RerouteForm(data, report=report, prefix="reroute"),
        need="handle",
        act=act,
        done=done,
    )


@require_POST
@staff_only
def set_hidden(request, pk):
    def done(report, data, moderation):
        if data["hidden"]:
            return _("The report is hidden from the public.")
        return _("The report is shown to the public again.")

    return _handle_form(
        request,
        pk,
        name="hide",
        make_form=lambda report, data: VisibilityForm(data, prefix="hide"),
        need="moderate",
        act=lambda report, data: services.report_set_hidden(
            actor=request.user, report=report, hidden=data["hidden"], reason=data["reason"]
        ),
        done=done,
    )


@require_POST
@staff_only
def redact(request, pk):
    return _handle_form(
        request,
        pk,
        name="redact",
        make_form=lambda report, data: RedactForm(data, prefix="redact"),
        need="moderate",
        act=lambda report, data: services.report_redact(
            actor=request.user,
            report=report,
            reason=data["reason"],
            title=data["title"],
            description=data["description"],
        ),
        done=lambda report, data, done: _("The text is changed. The original is kept in the moderation log."),
    )


@require_POST
@staff_only
def photo_visibility(request, pk, photo_pk):
    photo = get_object_or_404(Photo, pk=photo_pk, report_id=pk)

    def done(report, data, moderation):
        if data["hidden"]:
            return _("The photo is hidden from the public.")
        return _("The photo is shown to the public again.")

    return _handle_form(
        request,
        pk,
        name=f"photo-{photo.pk}",
        make_form=lambda report, data: VisibilityForm(data, prefix=f"photo-{photo.pk}"),
        need="moderate",
        act=lambda report, data: services.photo_set_hidden(
            actor=request.user, photo=photo, hidden=data["hidden"], reason=data["reason"]
        ),
        done=done,
    )


@require_POST
@staff_only
def update_hide(request, pk, update_pk):
    update = get_object_or_404(Update, pk=update_pk, report_id=pk)
    return _handle_form(
        request,
        pk,
        name=f"update-{update.pk}",
        make_form=lambda report, data: ReasonForm(data, prefix=f"update-{update.pk}"),
        need="moderate",
        act=lambda report, data: services.update_hide(actor=request.user, update=update, reason=data["reason"]),
        done=lambda report, data, moderation: _("The history line is hidden from the public."),
    )


urlpatterns = [
    path(
        gettext_lazy("handling/"),
        include(
            [
                path("", queue, name="handle"),
                path(
                    "<int:pk>/",
                    include(
                        [
                            path("", detail, name="handle_detail"),
                            path(gettext_lazy("status/"), change_state, name="handle_state"),
                            path(gettext_lazy("answer/"), answer, name="handle_answer"),
                            path(gettext_lazy("note/"), note, name="handle_note"),
                            path(gettext_lazy("reroute/"), reroute, name="handle_reroute"),
                            path(gettext_lazy("merge/"), merge, name="handle_merge"),
                            path(gettext_lazy("visibility/"), set_hidden, name="handle_hide"),
                            path(gettext_lazy("redact/"), redact, name="handle_redact"),
                            path(
                                gettext_lazy("photos/"),
                                include([path("<int:photo_pk>/", photo_visibility, name="handle_photo")]),
                            ),
                            path(
                                gettext_lazy("history/"),
                                include([path("<int:update_pk>/", update_hide, name="handle_update_hide")]),
                            ),
                        ]
                    ),
                ),
            ]
        ),
    ),
]
