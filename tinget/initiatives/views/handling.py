"""Staff's pages for citizen initiatives: the overview (by state, with what is due soonest), one initiative with
everything about it, and a form for each thing staff do to it, each a POST to its own address that calls one
service: the review, paper signatures, bursts and invalidation, the hand-over, the political treatment, and the
signature list for the council (CSV or PDF, every download logged).

Who gets in: a logged-in, active staff member with at least one of the initiatives' staff permissions, whose
session's login included a second factor (tinget.accounts.decorators.staff_only, as for fault reports); each
page then needs its own permission (review_initiative, handle_initiative, invalidate_signatures,
view_signature_list), else 403.

A form sent twice (a double click, a resent POST) finds the initiative in another state, or, for a paper
batch, another batch registered since the preview; it changes nothing and says so.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinget.accounts.decorators import has_any_perm
from tinget.accounts.decorators import staff_only as staff_only_for
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.selectors import current_municipality

from .. import rules, selectors, services
from .. import signature_list as lists
from ..models import Burst, PaperSignature, State
from ..staff_forms import (
    BurstForm,
    Decision,
    HandOverForm,
    InvalidateForm,
    PaperBatchForm,
    ReviewForm,
    StepForm,
    preview_token,
    preview_token_matches,
)

PER_PAGE = 25
# Rows per section of the overview; the state's own list (a click on its count) has them all.
OVERVIEW_ROWS = 20
DUE_SOON_DAYS = 30

STAFF_PERMISSIONS = (
    "initiatives.review_initiative",
    "initiatives.handle_initiative",
    "initiatives.invalidate_signatures",
    "initiatives.view_signature_list",
)
# Paper signatures and invalidation are for signatures still being counted (services say the same).
COUNTING_STATES = rules.SIGNABLE_STATES | {State.EXPIRED}
TREATMENT_STATES = frozenset({State.HANDED_OVER, State.UNDER_TREATMENT})

# What the log of staff reads says (tinget.accounts.privacy; translated when shown).
SIGNATURE_LIST_READ = gettext_noop("The signature list of a citizen initiative")


# --- Access ----------------------------------------------------------------------------------------------------
def _come_back(kwargs):
    # A form sent without a session cannot be replayed after logging in: come back to the initiative instead.
    if "pk" in kwargs:
        return reverse("initiatives:staff_detail", kwargs={"pk": kwargs["pk"]})
    return reverse("initiatives:staff")


staff_only = staff_only_for(
    has_any_perm(*STAFF_PERMISSIONS),
    come_back=_come_back,
    setup_message=gettext_lazy(
        "Handling citizen initiatives needs two-factor authentication. Set up an authenticator app on your "
        "phone, then go to the handling pages again."
    ),
)


def _need(request, codename):
    if not request.user.has_perm(f"initiatives.{codename}"):
        raise PermissionDenied


def _initiative(pk):
    initiative = selectors.staff_initiative(pk)
    if initiative is None:
        raise Http404
    return initiative


def _unit_names(user) -> str | None:
    return ", ".join(user.units.order_by("name").values_list("name", flat=True)) or None


# --- How states look -------------------------------------------------------------------------------------------
WAITING_FOR_STAFF = rules.STAFF_STATES


def state_color(state) -> str:
    """The colour of a state's tag; the tag always carries the state's name too (never colour alone)."""
    if state in WAITING_FOR_STAFF:
        return "warning"
    if state == State.COLLECTING:
        return "info"
    if state == State.DECIDED:
        return "success"
    return "neutral"


def _decision_due(initiative, today):
    """Days until the council's deadline, and whether it is overdue or close (within DUE_SOON_DAYS)."""
    if not initiative.decision_due or initiative.state not in TREATMENT_STATES:
        initiative.due_days, initiative.due_flag = None, ""
        return initiative
    days = (initiative.decision_due - today).days
    initiative.due_days = days
    initiative.due_flag = "overdue" if days < 0 else "soon" if days <= DUE_SOON_DAYS else ""
    return initiative


def _decorate(initiative, today):
    initiative.state_color = state_color(initiative.state)
    initiative.days_left = selectors.days_left(initiative)
    initiative.percent = selectors.progress_percent(initiative)
    return _decision_due(initiative, today)


def _crumbs(*last):
    return [
        (_("Front page"), reverse("core:hub")),
        (_("Citizen initiatives"), reverse("initiatives:index")),
        (_("Handle citizen initiatives"), reverse("initiatives:staff") if last else None),
        *last,
    ]


def _initiative_crumbs(initiative, *last):
    detail = reverse("initiatives:staff_detail", kwargs={"pk": initiative.pk})
    return _crumbs((f"#{initiative.pk} {initiative.title}", detail if last else None), *last)


# --- The overview ----------------------------------------------------------------------------------------------
@never_cache
@require_GET
@staff_only
def overview(request):
    """Initiatives by state (each count a link to that state's list), the review queue oldest first, the
    collections that end soonest, the council's deadlines that come soonest, and bursts nobody has looked at."""
    municipality = current_municipality()
    data = selectors.staff_overview(municipality)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    if state not in State.values or state == State.DRAFT:
        state = ""
    counts = [
        {
            "state": value,
            "label": value.label,
            "total": data["counts"].get(value, 0),
            "url": f"?state={value.value}",
            "current": value == state,
        }
        for value in State
        if value != State.DRAFT
    ]
    listing = None
    if state:
        listing = Paginator(selectors.staff_initiatives(municipality, state=state), PER_PAGE).get_page(
            request.GET.get("side")
        )
        for initiative in listing:
            _decorate(initiative, today)
    context = {
        "counts": counts,
        "drafts": data["counts"].get(State.DRAFT, 0),
        "state": State(state) if state else None,
        "listing": listing,
        "in_review": [_decorate(i, today) for i in data["in_review"][:OVERVIEW_ROWS]],
        "in_review_total": data["counts"].get(State.IN_REVIEW, 0),
        "collecting": [_decorate(i, today) for i in data["collecting"][:OVERVIEW_ROWS]],
        "awaiting_decision": [_decorate(i, today) for i in data["awaiting_decision"][:OVERVIEW_ROWS]],
        "open_bursts": list(data["open_bursts"][:OVERVIEW_ROWS]),
        "due_soon_days": DUE_SOON_DAYS,
        "crumbs": _crumbs(),
    }
    return render(request, "initiatives/handling/overview.html", context)


# --- One initiative --------------------------------------------------------------------------------------------
def _attachment_url(initiative, attachment):
    try:
        return reverse("initiatives:attachment", kwargs={"pk": initiative.pk, "attachment_pk": attachment.pk})
    except NoReverseMatch:
        return ""


def _review_forms(failed=None):
    found = {
        decision: ReviewForm(initial={"decision": decision}, auto_id=f"{decision}_%s")
        for decision, _label in Decision.CHOICES
    }
    if failed is not None and failed.data.get("decision") in found:
        found[failed.data["decision"]] = failed
    return found


def _render_detail(request, initiative, *, failed=None, failed_name=None, status=200):
    user = request.user
    today = timezone.localdate()
    _decorate(initiative, today)
    may = {
        "review": user.has_perm("initiatives.review_initiative") and initiative.state == State.IN_REVIEW,
        "paper": user.has_perm("initiatives.handle_initiative"),
        "paper_open": initiative.state in COUNTING_STATES,
        "bursts": user.has_perm("initiatives.invalidate_signatures") and initiative.published_at is not None,
        "hand_over": user.has_perm("initiatives.handle_initiative") and initiative.state == State.THRESHOLD_REACHED,
        "step": user.has_perm("initiatives.handle_initiative") and initiative.state in rules.PUBLIC_STATES,
        "decide": initiative.state in TREATMENT_STATES,
        "signature_list": user.has_perm("initiatives.view_signature_list")
        and initiative.published_at is not None
        and initiative.signatures_purged_at is None,
    }
    forms = {
        "review": _review_forms(failed if failed_name == "review" else None) if may["review"] else {},
        "hand_over": HandOverForm(auto_id="handover_%s"),
        "step": StepForm(
            auto_id="step_%s", initial={"happened_on": today}, treatment=initiative.state in TREATMENT_STATES
        ),
    }
    if failed is not None and failed_name in ("hand_over", "step"):
        forms[failed_name] = failed
    attachments = list(selectors.attachments_of(initiative))
    for attachment in attachments:
        attachment.url = _attachment_url(initiative, attachment)
    context = {
        "initiative": initiative,
        "may": may,
        "forms": forms,
        "failed": failed,
        "steps": list(selectors.steps(initiative).select_related("created_by")),
        "co_promoters": list(selectors.confirmed_co_promoters(initiative)),
        "co_promoters_pending": sum(1 for c in selectors.co_promoters_of(initiative) if c.confirmed_at is None),
        "attachments": attachments,
        "batches": list(selectors.paper_batches(initiative)[:5]),
        "open_bursts": selectors.open_burst_count(initiative),
        "invalidations": list(selectors.invalidations_of(initiative)[:5]),
        "public_url": initiative.get_absolute_url() if initiative.state in rules.PUBLIC_STATES else "",
        "crumbs": _initiative_crumbs(initiative),
    }
    return render(request, "initiatives/handling/detail.html", context, status=status)


@never_cache
@require_GET
@staff_only
def detail(request, pk):
    """Everything about one initiative, with the forms this person may use."""
    return _render_detail(request, _initiative(pk))


def _moved_on(initiative) -> str:
    return _("Nothing was changed: the initiative's status is now “%(state)s”. Someone may have done it already.") % {
        "state": State(initiative.state).label
    }


# --- Review ----------------------------------------------------------------------------------------------------
@require_POST
@staff_only
def review(request, pk):
    """Approve (publish for signing), ask for changes, or refuse with a ground and a reason."""
    _need(request, "review_initiative")
    initiative = _initiative(pk)
    decision = request.POST.get("decision")
    form = ReviewForm(request.POST, auto_id=f"{decision}_%s" if decision in dict(Decision.CHOICES) else "review_%s")
    # A form sent twice, or after a colleague answered, is told so whatever it holds.
    if initiative.state != State.IN_REVIEW:
        form.is_valid()
        form.add_error(None, _moved_on(initiative))
        return _render_detail(request, initiative, failed=form, failed_name="review", status=409)
    if not form.is_valid():
        return _render_detail(request, initiative, failed=form, failed_name="review", status=400)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"].strip()
    try:
        if decision == Decision.APPROVE:
            initiative = services.approve(actor=request.user, initiative=initiative)
            done = _("The initiative is published and can be signed until %(date)s.") % {
                "date": formats.date_format(timezone.localdate(initiative.signing_ends_at), "DATE_FORMAT")
            }
        elif decision == Decision.CHANGES:
            services.request_changes(actor=request.user, initiative=initiative, reason=reason)
            done = _("The promoter is asked to make changes, and sees your reason.")
        else:
            # The promoter reads the ground in the initiative's language, then staff's own words.
            with translation.override(initiative.language):
                ground = form.ground_label()
            services.refuse(actor=request.user, initiative=initiative, reason=f"{ground}.\n\n{reason}")
            done = _("The initiative is refused. The promoter sees the ground and your reason.")
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidTransition:
        form.add_error(None, _moved_on(_initiative(pk)))
        return _render_detail(request, _initiative(pk), failed=form, failed_name="review", status=409)
    except DomainError as error:
        form.add_error("reason" if decision != Decision.APPROVE else None, str(error))
        return _render_detail(request, _initiative(pk), failed=form, failed_name="review", status=400)
    messages.success(request, done)
    return redirect("initiatives:staff_detail", pk=pk)


# --- Paper signatures ------------------------------------------------------------------------------------------
STALE_PREVIEW = gettext_lazy(
    "Another batch was registered after you checked these lines, or the form was sent twice. Nothing was saved. "
    "The lines are checked again below: look at the duplicates, then register them if they are still to be."
)


def _render_paper(request, initiative, form, *, preview=None, status=200):
    edit_form = None
    if preview is not None:
        # Below the preview: the lines as read, to change and check again.
        edit_form = PaperBatchForm(
            initial={"received_on": preview["received_on"], "note": preview["note"], "text": preview["text"]}
        )
    context = {
        "initiative": initiative,
        "form": form,
        "edit_form": edit_form,
        "preview": preview,
        "open": initiative.state in COUNTING_STATES,
        "batches": list(selectors.paper_batches(initiative)),
        "crumbs": _initiative_crumbs(initiative, (_("Paper signatures"), None)),
    }
    return render(request, "initiatives/handling/paper.html", context, status=status)


def _preview(initiative, form):
    """What registering the checked lines would count, and the confirmation carrying them."""
    lines = form.cleaned_data["lines"]
    statuses = selectors.paper_statuses(initiative, [line.as_row() for line in lines])
    rows = [
        {"line": line, "status": status, "label": PaperSignature.Status(status).label}
        for line, status in zip(lines, statuses, strict=True)
    ]
    counted = sum(1 for status in statuses if status == PaperSignature.Status.COUNTED)
    return {
        "rows": rows,
        "counted": counted,
        "not_counted": len(rows) - counted,
        "text": form.cleaned_data["normalised"],
        "received_on": form.cleaned_data["received_on"],
        "note": form.cleaned_data.get("note", ""),
        "token": preview_token(
            initiative.pk,
            selectors.latest_paper_batch_id(initiative),
            form.cleaned_data["normalised"],
            form.cleaned_data["received_on"],
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def paper(request, pk):
    """Type in (or upload) a batch of paper signatures, check it, see which lines are duplicates, confirm."""
    _need(request, "handle_initiative")
    initiative = _initiative(pk)
    if request.method == "GET":
        return _render_paper(request, initiative, PaperBatchForm(initial={"received_on": timezone.localdate()}))
    form = PaperBatchForm(request.POST, request.FILES)
    if initiative.state not in COUNTING_STATES:
        form.is_valid()
        form.add_error(None, _("Paper signatures can only be registered before the hand-over."))
        return _render_paper(request, initiative, form, status=409)
    if not form.is_valid():
        return _render_paper(request, initiative, form, status=400)
    if not request.POST.get("confirm"):
        return _render_paper(request, initiative, form, preview=_preview(initiative, form))

    data = form.cleaned_data
    if not preview_token_matches(
        data["token"],
        initiative.pk,
        selectors.latest_paper_batch_id(initiative),
        data["normalised"],
        data["received_on"],
    ):
        messages.warning(request, STALE_PREVIEW)
        return _render_paper(request, initiative, form, preview=_preview(initiative, form), status=409)
    try:
        batch = services.register_paper_batch(
            actor=request.user,
            initiative=initiative,
            received_on=data["received_on"],
            rows=[line.as_row() for line in data["lines"]],
            note=data.get("note", ""),
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_error(None, str(error))
        return _render_paper(request, initiative, form, status=400)
    rows = batch.signatures.count()
    counted = batch.signatures.filter(status=PaperSignature.Status.COUNTED).count()
    messages.success(
        request,
        ngettext(
            "Batch %(batch)s is registered: %(rows)s signature, %(counted)s counted.",
            "Batch %(batch)s is registered: %(rows)s signatures, %(counted)s counted.",
            rows,
        )
        % {"batch": batch.pk, "rows": rows, "counted": counted},
    )
    return redirect("initiatives:paper", pk=pk)


# --- Bursts and invalidation -----------------------------------------------------------------------------------
def _render_bursts(request, initiative, *, failed=None, failed_burst=None, status=200):
    bursts = list(selectors.bursts_of(initiative))
    for burst in bursts:
        burst.form = None
        if burst.outcome == Burst.Outcome.OPEN:
            burst.form = (
                failed
                if failed_burst == burst.pk
                else BurstForm(
                    initial={"burst": burst.pk, "action": BurstForm.INVALIDATE}, auto_id=f"burst{burst.pk}_%s"
                )
            )
    bulk = failed if isinstance(failed, InvalidateForm) else None
    if bulk is None:
        initial = {"network": request.GET.get("network", "")[:16]}
        burst = next((b for b in bursts if b.network == initial["network"]), None)
        if burst is not None:
            initial.update(
                since=timezone.localtime(burst.window_start).replace(second=0, microsecond=0),
                until=timezone.localtime(burst.window_end).replace(second=0, microsecond=0) + timedelta(minutes=1),
            )
        bulk = InvalidateForm(initial=initial, auto_id="bulk_%s")
    context = {
        "initiative": initiative,
        "bursts": bursts,
        "bulk": bulk,
        "failed": failed,
        "open": initiative.state in COUNTING_STATES,
        "invalidations": list(selectors.invalidations_of(initiative)),
        "crumbs": _initiative_crumbs(initiative, (_("Bursts and invalidation"), None)),
    }
    return render(request, "initiatives/handling/bursts.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def bursts(request, pk):
    """Flagged bursts (many signatures from one network in a short time): dismiss one, or invalidate its
    signatures with a reason."""
    _need(request, "invalidate_signatures")
    initiative = _initiative(pk)
    if request.method == "GET":
        return _render_bursts(request, initiative)
    burst_pk = request.POST.get("burst", "")
    form = BurstForm(request.POST, auto_id=f"burst{burst_pk}_%s" if burst_pk.isdigit() else "burst_%s")
    if not form.is_valid():
        return _render_bursts(request, initiative, failed=form, failed_burst=form.cleaned_data.get("burst"), status=400)
    burst = selectors.burst_of(initiative, form.cleaned_data["burst"])
    if burst is None:
        raise Http404
    if burst.outcome != Burst.Outcome.OPEN:
        messages.warning(
            request,
            _("This burst has already been looked at: %(outcome)s.") % {"outcome": Burst.Outcome(burst.outcome).label},
        )
        return redirect("initiatives:bursts", pk=pk)
    try:
        if form.cleaned_data["action"] == BurstForm.DISMISS:
            services.dismiss_burst(actor=request.user, burst=burst)
            done = _("The burst is marked as looked at; its signatures still count.")
        else:
            invalidation = services.invalidate(
                actor=request.user, initiative=initiative, reason=form.cleaned_data["reason"], burst=burst
            )
            done = ngettext(
                "%(count)s signature is invalidated.", "%(count)s signatures are invalidated.", invalidation.count
            ) % {"count": invalidation.count}
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_error("reason" if form.cleaned_data["action"] == BurstForm.INVALIDATE else None, str(error))
        return _render_bursts(request, initiative, failed=form, failed_burst=burst.pk, status=400)
    messages.success(request, done)
    return redirect("initiatives:bursts", pk=pk)


@require_POST
@staff_only
def invalidate(request, pk):
    """Invalidate the signatures from one network in a time range, with a reason."""
    _need(request, "invalidate_signatures")
    initiative = _initiative(pk)
    form = InvalidateForm(request.POST, auto_id="bulk_%s")
    if not form.is_valid():
        return _render_bursts(request, initiative, failed=form, status=400)
    data = form.cleaned_data
    matching = selectors.valid_signatures_matching(
        initiative, network=data["network"], since=data["since"], until=data["until"]
    )
    if not matching:
        form.add_error(None, _("No counted signatures came from that network in that time. Nothing was changed."))
        return _render_bursts(request, initiative, failed=form, status=400)
    try:
        invalidation = services.invalidate(
            actor=request.user,
            initiative=initiative,
            reason=data["reason"],
            network=data["network"],
            since=data["since"],
            until=data["until"],
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_error(None, str(error))
        return _render_bursts(request, initiative, failed=form, status=400)
    messages.success(
        request,
        ngettext("%(count)s signature is invalidated.", "%(count)s signatures are invalidated.", invalidation.count)
        % {"count": invalidation.count},
    )
    return redirect("initiatives:bursts", pk=pk)


# --- Hand-over and treatment -----------------------------------------------------------------------------------
@require_POST
@staff_only
def staff_hand_over(request, pk):
    """Staff hand an initiative with enough signatures over (for example when the promoter asks by letter)."""
    _need(request, "handle_initiative")
    initiative = _initiative(pk)
    form = HandOverForm(request.POST, auto_id="handover_%s")
    if initiative.state != State.THRESHOLD_REACHED:
        form.is_valid()
        form.add_error(None, _moved_on(initiative))
        return _render_detail(request, initiative, failed=form, failed_name="hand_over", status=409)
    if not form.is_valid():
        return _render_detail(request, initiative, failed=form, failed_name="hand_over", status=400)
    try:
        initiative = services.hand_over(actor=request.user, initiative=initiative)
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidTransition:
        form.add_error(None, _moved_on(_initiative(pk)))
        return _render_detail(request, _initiative(pk), failed=form, failed_name="hand_over", status=409)
    except DomainError as error:
        form.add_error(None, str(error))
        return _render_detail(request, _initiative(pk), failed=form, failed_name="hand_over", status=400)
    messages.success(
        request,
        _("The initiative is handed over. The council must decide by %(date)s.")
        % {"date": formats.date_format(initiative.decision_due, "DATE_FORMAT")},
    )
    return redirect("initiatives:staff_detail", pk=pk)


@require_POST
@staff_only
def step(request, pk):
    """Record a step of the political treatment: the case registered, a meeting, the decision, or an update."""
    _need(request, "handle_initiative")
    initiative = _initiative(pk)
    form = StepForm(request.POST, auto_id="step_%s", treatment=initiative.state in TREATMENT_STATES)
    if not form.is_valid():
        return _render_detail(request, initiative, failed=form, failed_name="step", status=400)
    data = form.cleaned_data
    try:
        recorded = services.record_step(
            actor=request.user,
            initiative=initiative,
            kind=data["kind"],
            happened_on=data["happened_on"],
            text=data["text"],
            case_number=data["case_number"],
            meeting=data["meeting"],
            url=data["url"],
        )
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidTransition:
        form.add_error(
            None,
            _("This cannot be recorded while the initiative's status is “%(state)s”.")
            % {"state": State(_initiative(pk).state).label},
        )
        return _render_detail(request, _initiative(pk), failed=form, failed_name="step", status=409)
    except DomainError as error:
        form.add_error(None, str(error))
        return _render_detail(request, _initiative(pk), failed=form, failed_name="step", status=400)
    messages.success(
        request,
        _("Recorded: %(step)s. Those who follow the initiative are told.") % {"step": recorded.get_kind_display()},
    )
    return redirect("initiatives:staff_detail", pk=pk)


# --- The signature list ----------------------------------------------------------------------------------------
@never_cache
@require_GET
@staff_only
def signature_list(request, pk):
    """Every signature for the council, as CSV (?format=csv) or PDF (?format=pdf). Each download is logged
    before anything is sent; the answer is never cached."""
    _need(request, "view_signature_list")
    initiative = _initiative(pk)
    fmt = request.GET.get("format", "")
    if fmt not in ("csv", "pdf"):
        return HttpResponseBadRequest(_("Choose the format: CSV or PDF."), content_type="text/plain; charset=utf-8")
    if initiative.published_at is None:
        raise Http404
    if initiative.signatures_purged_at is not None:
        return HttpResponse(
            _("The signatures of this initiative were deleted on %(date)s, as the retention rules say.")
            % {"date": formats.date_format(timezone.localdate(initiative.signatures_purged_at), "DATE_FORMAT")},
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    online, paper_rows = selectors.signature_list(initiative)
    try:
        services.log_signature_list_read(
            actor=request.user,
            initiative=initiative,
            what=SIGNATURE_LIST_READ,
            fmt=fmt,
            online=online.count(),
            paper=paper_rows.count(),
            unit=_unit_names(request.user),
        )
    except NotAllowed:
        raise PermissionDenied from None
    if fmt == "pdf":
        municipality = current_municipality()
        response = HttpResponse(
            lists.pdf_bytes(
                initiative, online, paper_rows, municipality_name=municipality.name if municipality else ""
            ),
            content_type="application/pdf",
        )
    else:
        language = translation.get_language()

        def stream():
            # The rows are written after the view has returned: keep the page's language for the headings.
            with translation.override(language):
                yield from lists.csv_lines(online.iterator(chunk_size=1000), paper_rows.iterator(chunk_size=1000))

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lists.filename(initiative, fmt)}"'
    return response


urlpatterns = [
    path(
        gettext_lazy("handling/"),
        include(
            [
                path("", overview, name="staff"),
                path(
                    "<int:pk>/",
                    include(
                        [
                            path("", detail, name="staff_detail"),
                            path(gettext_lazy("review/"), review, name="review"),
                            path(gettext_lazy("paper/"), paper, name="paper"),
                            path(gettext_lazy("bursts/"), bursts, name="bursts"),
                            path(gettext_lazy("invalidate/"), invalidate, name="invalidate"),
                            path(gettext_lazy("hand-over/"), staff_hand_over, name="staff_hand_over"),
                            path(gettext_lazy("treatment/"), step, name="step"),
                            path(gettext_lazy("signatures/"), signature_list, name="signature_list"),
                        ]
                    ),
                ),
            ]
        ),
    ),
]
