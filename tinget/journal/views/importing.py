"""Staff pages for importing the mail journal: the list of imports with the upload form, and one import's progress
and report (what was rejected, by line, and why).

Who gets in: a logged-in, active staff member with the permission journal.import_journal, whose login this session
included a second factor (tinget.accounts.decorators.staff_only); anyone else logged in gets 403, a visitor who is
not logged in is sent to the login page.

The upload is a POST that calls one service (importing.import_start); the import itself runs in the background.
While it runs, the import's page shows how far it has come (a <progress> element) and reloads itself every few
seconds without JavaScript (a meta refresh, only while the import waits or runs), with a plain link to reload.
Uploading the same file twice is harmless: the second import finds every entry unchanged.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tinget.accounts.decorators import has_any_perm
from tinget.accounts.decorators import staff_only as staff_only_for
from tinget.core.errors import DomainError, NotAllowed

from ..formats import render_reason
from ..import_forms import ImportForm
from ..importing import import_start, job_progress
from ..models import ImportJob

IMPORT = "journal.import_journal"
JOBS_PER_PAGE = 20
ERRORS_PER_PAGE = 100
REFRESH_SECONDS = 5
STATE_COLORS = {
    ImportJob.State.QUEUED: "neutral",
    ImportJob.State.RUNNING: "info",
    ImportJob.State.DONE: "success",
    ImportJob.State.REJECTED: "danger",
    ImportJob.State.FAILED: "danger",
}


def _come_back(kwargs):
    # A form sent without a session cannot be replayed after logging in: come back to the page it was on.
    return reverse("journal:imports")


staff_only = staff_only_for(
    has_any_perm(IMPORT),
    come_back=_come_back,
    setup_message=gettext_lazy(
        "Importing the mail journal needs two-factor authentication. Set up an authenticator app on your phone, "
        "then go to the import page again."
    ),
)


def _crumbs(*last):
    try:
        journal = reverse("journal:index")
    except NoReverseMatch:
        journal = ""
    crumbs = [(_("Front page"), reverse("core:hub")), (_("Mail journal"), journal), *last]
    return [crumb for crumb in crumbs[:-1] if crumb[1]] + [(crumbs[-1][0], None)]


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("side"))


def _render_list(request, form, status=200):
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")
    page = _page(request, jobs, JOBS_PER_PAGE)
    rows = [{"job": job, "color": STATE_COLORS.get(job.state, "neutral")} for job in page.object_list]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "max_mb": settings.TINGET_JOURNAL_IMPORT_MAX_BYTES // (1024 * 1024),
        "crumbs": _crumbs((_("Imports"), None)),
    }
    return render(request, "journal/importing/list.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def imports(request):
    """The imports, newest first, and the form to upload a file."""
    if request.method == "GET":
        return _render_list(request, ImportForm(auto_id="import_%s"))
    form = ImportForm(request.POST, request.FILES, auto_id="import_%s")
    if not form.is_valid():
        return _render_list(request, form, status=400)
    try:
        job = import_start(actor=request.user, upload=form.cleaned_data["file"], format=form.cleaned_data["format"])
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_error(None, str(error))
        return _render_list(request, form, status=400)
    messages.success(request, _("“%(name)s” is uploaded and will be imported.") % {"name": job.original_name})
    return redirect("journal:import_detail", pk=job.pk)


@never_cache
@require_GET
@staff_only
def import_detail(request, pk):
    """One import: its state, how far it has come while it runs, its counts and the rejected records."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    active = job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    progress = job_progress(job) if job.state == ImportJob.State.RUNNING else None
    percent = None
    if progress and progress.get("size"):
        percent = min(100, round(100 * progress.get("bytes", 0) / progress["size"]))
    errors = _page(request, job.errors or [], ERRORS_PER_PAGE)
    rows = [
        {"line": error.get("line"), "reason": render_reason(error.get("detail") or error.get("reason", ""))}
        for error in errors.object_list
        if isinstance(error, dict)
    ]
    context = {
        "job": job,
        "color": STATE_COLORS.get(job.state, "neutral"),
        "active": active,
        "refresh_seconds": REFRESH_SECONDS,
        "progress": progress,
        "percent": percent,
        "page_obj": errors,
        "rows": rows,
        "crumbs": _crumbs((_("Imports"), reverse("journal:imports")), (job.original_name, None)),
    }
    return render(request, "journal/importing/detail.html", context)


urlpatterns = [
    path(gettext_lazy("imports/"), imports, name="imports"),
    path(gettext_lazy("imports/<int:pk>/"), import_detail, name="import_detail"),
]
