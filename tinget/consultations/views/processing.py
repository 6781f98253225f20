"""Case workers' pages for processing a consultation's input: the list of all sent input with filters, one input
in full (consider it with a response, tag it, hide it or show it again), the processing page (counts, the
summary of input, start processing, conclude with the outcome) and the exports (CSV, and a ZIP with a PDF per
input and the attachments).

Who gets in: a logged-in, active staff member with a second factor this session (staff_only, as for initiatives)
who may process consultations or moderate input; then, per consultation, rules.can_process (the responsible
unit's case workers) or, for reading input and hiding it, rules.can_moderate (also moderators). Anyone else
gets 403. Every read of one input in full is logged (services.log_submission_read), and every export
(services.log_export) before a byte of it is sent.

Each form is a POST that calls one service. A form sent twice (a double click, a resent POST) finds the input or
the consultation already changed and says so, changing nothing more.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tinget.accounts.decorators import has_any_perm
from tinget.accounts.decorators import staff_only as staff_only_for
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.selectors import current_municipality

from .. import exports, rules, selectors, services
from ..models import Stage, State
from ..processing_forms import (
    NO,
    YES,
    ConcludeForm,
    ConsiderForm,
    HideForm,
    InputReportForm,
    StartProcessingForm,
    SubmissionFilterForm,
    TagsForm,
)

PROCESS = "consultations.process_consultation"
MODERATE = "consultations.moderate_submission"


# --- Access ----------------------------------------------------------------------------------------------------
def _come_back(kwargs):
    # A form sent without a session cannot be replayed after logging in: come back to the page it was on.
    if "number" in kwargs:
        return reverse("consultations:staff_submission", kwargs={"pk": kwargs["pk"], "number": kwargs["number"]})
    return reverse("consultations:report", kwargs={"pk": kwargs["pk"]})


staff_only = staff_only_for(
    has_any_perm(PROCESS, MODERATE),
    come_back=_come_back,
    setup_message=gettext_lazy(
        "Processing consultations needs two-factor authentication. Set up an authenticator app on your phone, "
        "then go to the consultation's pages again."
    ),
)


def _may(request, consultation) -> dict:
    """What this person may do with the consultation, asked of rules.py once per request (each rule reads the
    person's units and groups)."""
    cache = getattr(request, "_consultation_may", None)
    if cache is None or cache[0] != consultation.pk:
        user = request.user
        process = rules.can_process(user, consultation)
        may = {
            "process": process,
            "moderate": process or rules.can_moderate(user, consultation),
            "export": process and rules.can_export(user, consultation),
            "author": rules.can_author(user, consultation),
        }
        cache = request._consultation_may = (consultation.pk, may)
    return cache[1]


def _consultation(request, pk, *, moderate=False):
    """The consultation if this person may process it (moderate=True: or moderate its input); else 403."""
    consultation = selectors.staff_consultation(pk)
    if not _may(request, consultation)["moderate" if moderate else "process"]:
        raise PermissionDenied
    return consultation


def _unit_names(user) -> str | None:
    return ", ".join(user.units.order_by("name").values_list("name", flat=True)) or None


def _url(name, **kwargs) -> str:
    """An address on another helper's pages, or "" while that page does not exist."""
    try:
        return reverse(f"consultations:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _crumbs(consultation, *last):
    crumbs = [
        (_("Front page"), reverse("core:hub")),
        (_("Consultations"), reverse("consultations:index") if _url("index") else ""),
        (_("Manage consultations"), _url("staff")),
        (consultation.title, reverse("consultations:staff_submissions", kwargs={"pk": consultation.pk})),
        *last,
    ]
    # A page that does not exist (yet) is left out rather than linked to nothing; the current page (last) stays.
    return [crumb for crumb in crumbs[:-1] if crumb[1]] + [(crumbs[-1][0], None)]


def _links(request, consultation):
    """The processing pages' own navigation."""
    may = _may(request, consultation)
    pk = consultation.pk
    return {
        "submissions": reverse("consultations:staff_submissions", kwargs={"pk": pk}),
        "report": reverse("consultations:report", kwargs={"pk": pk}) if may["process"] else "",
        "edit": _url("staff_edit", pk=pk) if may["author"] else "",
        "public": consultation.get_absolute_url() if consultation.is_published and _url("index") else "",
        "csv": reverse("consultations:export_csv", kwargs={"pk": pk}) if may["export"] else "",
        "zip": reverse("consultations:export_zip", kwargs={"pk": pk}) if may["export"] else "",
    }


def _filter_form(request, consultation):
    return SubmissionFilterForm(
        request.GET or None,
        sections=list(consultation.sections.order_by("order", "pk")),
        questions=list(selectors.questions_of(consultation)),
        tags=list(selectors.tags_of(consultation)),
    )


def _filter_query(request) -> str:
    """The list's filters as a query string, without the page number: kept on links between the pages."""
    params = request.GET.copy()
    params.pop("side", None)
    params.pop("page", None)
    return params.urlencode()


# --- The list --------------------------------------------------------------------------------------------------
@never_cache
@require_GET
@staff_only
def staff_submissions(request, pk):
    """All sent input to the consultation, in the order received, hidden input too, with the filters."""
    consultation = _consultation(request, pk, moderate=True)
    form = _filter_form(request, consultation)
    filters = form.filters()
    # "side" is the pagination component's parameter; "page" is also read (the benchmark and older links use it).
    page_obj = selectors.staff_submission_page(
        consultation,
        filters,
        page=request.GET.get("side") or request.GET.get("page"),
        per_page=settings.TINGET_CONSULTATION_PAGE_SIZE,
    )
    context = {
        "consultation": consultation,
        "form": form,
        "page_obj": page_obj,
        "filtered": bool(filters),
        "all_count": consultation.submissions.sent().count() if filters else page_obj.paginator.count,
        "filter_query": _filter_query(request),
        "links": _links(request, consultation),
        "may_process": _may(request, consultation)["process"],
        # The rows link to ".../input/<number>/": reversed once for the page, not once a row.
        "row_url_prefix": reverse("consultations:staff_submissions", kwargs={"pk": consultation.pk}),
        "general_label": _("General input"),
        "labels": {
            "considered": _("Considered"),
            "not_considered": _("Not considered"),
            "hidden": _("Hidden"),
            "late": _("Late"),
        },
        "crumbs": _crumbs(consultation, (_("Input"), None)),
    }
    return render(request, "consultations/processing/submissions.html", context)


# --- One input -------------------------------------------------------------------------------------------------
def _render_submission(request, consultation, submission, *, failed=None, failed_name=None, status=200):
    user = request.user
    services.log_submission_read(actor=user, submission=submission, unit=_unit_names(user))
    filter_form = _filter_form(request, consultation)
    previous, following = selectors.staff_neighbours(consultation, submission.number, filter_form.filters())
    tags = list(selectors.tags_of(consultation))
    may = _may(request, consultation)
    forms = {
        "consider": ConsiderForm(
            initial={"considered": YES if submission.considered_at else NO, "response": submission.response}
        ),
        "tags": TagsForm(tags=tags, initial={"tags": [tag.name for tag in submission.tags.all()]}),
        "hide": HideForm(),
    }
    if failed is not None:
        forms[failed_name] = failed
    query = _filter_query(request)

    def at(number):
        if number is None:
            return ""
        url = reverse("consultations:staff_submission", kwargs={"pk": consultation.pk, "number": number})
        return f"{url}?{query}" if query else url

    attachments = list(submission.attachments.all())
    for attachment in attachments:
        attachment.url = reverse(
            "consultations:staff_attachment",
            kwargs={"pk": consultation.pk, "number": submission.number, "attachment_pk": attachment.pk},
        )
    list_url = reverse("consultations:staff_submissions", kwargs={"pk": consultation.pk})
    context = {
        "consultation": consultation,
        "submission": submission,
        "attachments": attachments,
        "answers": list(submission.answers.all()),
        "forms": forms,
        "failed": failed,
        "may": {
            "process": may["process"] and consultation.stage != Stage.CONCLUDED,
            "see_email": may["process"],
            "moderate": may["moderate"],
        },
        "concluded": consultation.stage == Stage.CONCLUDED,
        "previous_url": at(previous),
        "next_url": at(following),
        "list_url": f"{list_url}?{query}" if query else list_url,
        "public_url": submission.get_absolute_url() if _url("index") else "",
        "links": _links(request, consultation),
        "crumbs": _crumbs(
            consultation,
            (_("Input"), list_url),
            (_("Input %(number)s") % {"number": submission.number}, None),
        ),
    }
    return render(request, "consultations/processing/submission.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def staff_submission(request, pk, number):
    """One input in full, with the forms to consider, tag, hide or show it again (action=...)."""
    consultation = _consultation(request, pk, moderate=True)
    submission = selectors.staff_submission(consultation, number)
    if request.method == "GET":
        return _render_submission(request, consultation, submission)
    handler = ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return HttpResponseBadRequest(_("Choose what to do with the input."), content_type="text/plain; charset=utf-8")
    return handler(request, consultation, submission)


def _done(request, message):
    messages.success(request, message)
    return redirect(request.get_full_path())


def _service_failed(request, consultation, submission, form, name, error):
    """A service said no: 403 for who may not, 409 when the input or the consultation moved on, else 400."""
    if isinstance(error, NotAllowed):
        raise PermissionDenied from None
    form.add_error(None, str(error))
    fresh = selectors.staff_submission(consultation, submission.number)
    status = 409 if isinstance(error, InvalidTransition) else 400
    return _render_submission(request, consultation, fresh, failed=form, failed_name=name, status=status)


def _consider(request, consultation, submission):
    if not _may(request, consultation)["process"]:
        raise PermissionDenied
    form = ConsiderForm(request.POST)
    if consultation.stage == Stage.CONCLUDED:
        form.is_valid()
        form.add_error(None, _("The consultation is concluded; its input can no longer be changed."))
        return _render_submission(request, consultation, submission, failed=form, failed_name="consider", status=409)
    if not form.is_valid():
        return _render_submission(request, consultation, submission, failed=form, failed_name="consider", status=400)
    considered = form.cleaned_data["considered"] == YES
    try:
        services.submission_consider(
            actor=request.user, submission=submission, response=form.cleaned_data["response"], considered=considered
        )
    except DomainError as error:
        return _service_failed(request, consultation, submission, form, "consider", error)
    if considered:
        return _done(request, _("Input %(number)s is marked as considered.") % {"number": submission.number})
    return _done(request, _("Input %(number)s is marked as not considered yet.") % {"number": submission.number})


def _tag(request, consultation, submission):
    if not _may(request, consultation)["process"]:
        raise PermissionDenied
    form = TagsForm(request.POST, tags=list(selectors.tags_of(consultation)))
    if consultation.stage == Stage.CONCLUDED:
        form.is_valid()
        form.add_error(None, _("The consultation is concluded; its input can no longer be changed."))
        return _render_submission(request, consultation, submission, failed=form, failed_name="tags", status=409)
    if not form.is_valid():
        return _render_submission(request, consultation, submission, failed=form, failed_name="tags", status=400)
    try:
        tags = services.submission_set_tags(actor=request.user, submission=submission, names=form.cleaned_data["names"])
    except DomainError as error:
        return _service_failed(request, consultation, submission, form, "tags", error)
    if not tags:
        return _done(request, _("Input %(number)s has no tags now.") % {"number": submission.number})
    return _done(
        request,
        _("Input %(number)s is tagged: %(tags)s.")
        % {"number": submission.number, "tags": ", ".join(tag.name for tag in tags)},
    )


def _hide(request, consultation, submission):
    form = HideForm(request.POST)
    if submission.is_hidden:
        # Sent twice, or a colleague was first: the author is not told a second time.
        form.is_valid()
        form.add_error(None, _("This input is already hidden. Nothing was changed."))
        return _render_submission(request, consultation, submission, failed=form, failed_name="hide", status=409)
    if not form.is_valid():
        return _render_submission(request, consultation, submission, failed=form, failed_name="hide", status=400)
    try:
        services.submission_hide(actor=request.user, submission=submission, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _service_failed(request, consultation, submission, form, "hide", error)
    return _done(
        request,
        _("Input %(number)s is hidden. The public sees the reason, and the author is told by e-mail.")
        % {"number": submission.number},
    )


def _unhide(request, consultation, submission):
    if not submission.is_hidden:
        messages.info(request, _("This input is already shown on the site. Nothing was changed."))
        return redirect(request.get_full_path())
    try:
        services.submission_unhide(actor=request.user, submission=submission)
    except NotAllowed:
        raise PermissionDenied from None
    return _done(request, _("Input %(number)s is shown on the site again.") % {"number": submission.number})


ACTIONS = {"consider": _consider, "tags": _tag, "hide": _hide, "unhide": _unhide}


@never_cache
@require_GET
@staff_only
def staff_attachment(request, pk, number, attachment_pk):
    """An attachment of sent input for staff, hidden input's too (the public page serves only visible input's)."""
    consultation = _consultation(request, pk, moderate=True)
    attachment = selectors.staff_attachment(consultation, number, attachment_pk)
    try:
        file = attachment.file.storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(file, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type)


# --- The processing page ---------------------------------------------------------------------------------------
def _render_report(request, consultation, *, failed=None, failed_name=None, status=200):
    state = consultation.state
    counts = selectors.processing_counts(consultation)
    list_url = reverse("consultations:staff_submissions", kwargs={"pk": consultation.pk})
    for row in counts["sections"]:
        section = row["section"]
        row["url"] = f"{list_url}?section={section.pk if section else 'general'}"
    for row in counts["tags"]:
        row["url"] = f"{list_url}?tag={row['tag'].pk}"
    results = selectors.question_results(consultation)
    for result in results:
        question = result["question"]
        result["url"] = f"{list_url}?answer=q{question.pk}"
        options = list(question.options.all())
        for index, row in enumerate(result["rows"]):
            if result["kind"] == "choice":
                row["url"] = f"{list_url}?answer=o{options[index].pk}"
            else:
                row["url"] = f"{list_url}?answer=s{question.pk}-{index + 1}"
    forms = {
        "report": InputReportForm(initial={"text": consultation.input_report}),
        "start": StartProcessingForm(),
        "conclude": ConcludeForm(),
    }
    if failed is not None:
        forms[failed_name] = failed
    context = {
        "consultation": consultation,
        "state": state,
        "state_label": State(state).label,
        "deadline_text": services.local_moment(consultation.deadline),
        "counts": counts,
        "results": results,
        "forms": forms,
        "failed": failed,
        "may": {
            "report": state in (State.CLOSED, State.PROCESSING, State.CONCLUDED),
            "start": state == State.CLOSED,
            "conclude": state in (State.CLOSED, State.PROCESSING),
        },
        "list_url": list_url,
        "links": _links(request, consultation),
        "crumbs": _crumbs(consultation, (_("Processing"), None)),
    }
    return render(request, "consultations/processing/report.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def report(request, pk):
    """Counts, the summary of input, start processing, conclude (action=report|start|conclude)."""
    consultation = _consultation(request, pk)
    if request.method == "GET":
        return _render_report(request, consultation)
    handler = REPORT_ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return HttpResponseBadRequest(
            _("Choose what to do with the consultation."), content_type="text/plain; charset=utf-8"
        )
    return handler(request, consultation)


def _report_failed(request, pk, form, name, error):
    if isinstance(error, NotAllowed):
        raise PermissionDenied from None
    form.add_error(None, str(error))
    status = 409 if isinstance(error, InvalidTransition) else 400
    return _render_report(request, selectors.staff_consultation(pk), failed=form, failed_name=name, status=status)


def _save_report(request, consultation):
    form = InputReportForm(request.POST)
    if not form.is_valid():
        return _render_report(request, consultation, failed=form, failed_name="report", status=400)
    try:
        services.input_report_save(actor=request.user, consultation=consultation, text=form.cleaned_data["text"])
    except DomainError as error:
        return _report_failed(request, consultation.pk, form, "report", error)
    messages.success(request, _("The summary of input is saved. It is shown on the consultation's page."))
    return redirect("consultations:report", pk=consultation.pk)


def _start(request, consultation):
    form = StartProcessingForm(request.POST)
    form.is_valid()
    if consultation.stage == Stage.PROCESSING:
        messages.info(request, _("Processing had already started. Nothing was changed."))
        return redirect("consultations:report", pk=consultation.pk)
    try:
        services.start_processing(actor=request.user, consultation=consultation)
    except DomainError as error:
        return _report_failed(request, consultation.pk, form, "start", error)
    messages.success(request, _("Processing has started. The consultation takes no more input, not even late input."))
    return redirect("consultations:report", pk=consultation.pk)


def _conclude(request, consultation):
    form = ConcludeForm(request.POST)
    if consultation.stage == Stage.CONCLUDED:
        # Sent twice: nobody is told a second time.
        form.is_valid()
        form.add_error(
            None, _("The consultation is already concluded. Nothing was changed, and nobody was told again.")
        )
        return _render_report(request, consultation, failed=form, failed_name="conclude", status=409)
    if not form.is_valid():
        return _render_report(request, consultation, failed=form, failed_name="conclude", status=400)
    data = form.cleaned_data
    try:
        services.conclude(
            actor=request.user,
            consultation=consultation,
            outcome=data["outcome"],
            political_case_number=data["political_case_number"],
            political_case_url=data["political_case_url"],
        )
    except DomainError as error:
        return _report_failed(request, consultation.pk, form, "conclude", error)
    messages.success(
        request, _("The consultation is concluded. Everyone who sent input or follows it is told the outcome.")
    )
    return redirect("consultations:report", pk=consultation.pk)


REPORT_ACTIONS = {"report": _save_report, "start": _start, "conclude": _conclude}


# --- Exports ---------------------------------------------------------------------------------------------------
def _export(request, pk, fmt):
    """The consultation and its input for an export, the export logged; 403 without rules.can_export."""
    consultation = _consultation(request, pk)
    if not _may(request, consultation)["export"]:
        raise PermissionDenied
    submissions = selectors.export_submissions(consultation)
    try:
        services.log_export(actor=request.user, consultation=consultation, fmt=fmt, count=submissions.count())
    except NotAllowed:
        raise PermissionDenied from None
    return consultation, submissions


def _in_language(chunks_of):
    """The stream is read after the view has returned: keep the page's language (headings, file names)."""
    language = translation.get_language()

    def stream():
        with translation.override(language):
            yield from chunks_of()

    return stream()


@never_cache
@require_GET
@staff_only
def export_csv(request, pk):
    """All sent input as CSV (hidden input too, with names and e-mail addresses), streamed."""
    consultation, submissions = _export(request, pk, "csv")
    response = StreamingHttpResponse(
        _in_language(lambda: exports.csv_lines(consultation, selectors.export_rows(submissions, exports.CHUNK_SIZE))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(consultation, "csv")}"'
    return response


@never_cache
@require_GET
@staff_only
def export_zip(request, pk):
    """A ZIP with a PDF per input and its attachments, written as it streams (never whole in memory)."""
    consultation, submissions = _export(request, pk, "zip")
    municipality = current_municipality()
    name = municipality.name if municipality else ""
    response = StreamingHttpResponse(
        _in_language(
            lambda: exports.zip_chunks(
                consultation, selectors.export_rows(submissions, exports.ZIP_CHUNK_SIZE), municipality_name=name
            )
        ),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(consultation, "zip")}"'
    return response


# "manage/<pk>/input/<number>/attachments/<attachment_pk>/" and the rest, each segment translated.
attachment_patterns = [path("<int:attachment_pk>/", staff_attachment, name="staff_attachment")]
input_patterns = [
    path("", staff_submissions, name="staff_submissions"),
    path("<int:number>/", staff_submission, name="staff_submission"),
    path("<int:number>/", include([path(gettext_lazy("attachments/"), include(attachment_patterns))])),
]
consultation_patterns = [
    path(gettext_lazy("input/"), include(input_patterns)),
    path(gettext_lazy("report/"), report, name="report"),
    path(gettext_lazy("input.csv"), export_csv, name="export_csv"),
    path(gettext_lazy("input.zip"), export_zip, name="export_zip"),
]
urlpatterns = [path(gettext_lazy("manage/"), include([path("<int:pk>/", include(consultation_patterns))]))]
