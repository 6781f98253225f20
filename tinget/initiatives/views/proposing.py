"""The promoter's pages: write an initiative (a draft), preview it as the public will see it, send it for review,
change it when staff ask for changes, add attachments and co-promoters, withdraw it, hand it over when it has
enough signatures; and the page where an invited co-promoter confirms.

Who gets in: writing a new initiative needs an ID-porten login at substantial or higher by a person registered
as living in the municipality (kommuneloven § 12-1: the residents' right). The promoter's other pages need the
same ID-porten level (an e-mail login is not enough to act for an initiative) and answer 404 to anyone who is
not the initiative's promoter, so that nobody learns that someone else's draft exists.

Every change is a POST to its own address that calls one service; a DomainError is shown on the page, with what
was typed kept. Sending twice (a double click, a resent POST) does not fail: the second time says what has
already happened."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.formats import date_format
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tinget.accounts.identity import require_identity
from tinget.core import ratelimit
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.selectors import current_municipality

from .. import rules, selectors, services
from ..forms import AttachmentForm, CoPromoterForm, InitiativeForm, new_submission_key
from ..models import Attachment, State

CREATE_RATE = "10/h"
ATTACHMENT_RATE = "30/h"
INVITE_RATE = "20/h"
DRAFTS_SESSION_KEY = "initiatives_drafts_made"

# What the promoter reads about each state on the preview page.
STATE_COLORS = {
    State.DRAFT: "neutral",
    State.IN_REVIEW: "info",
    State.CHANGES_REQUESTED: "warning",
    State.REFUSED: "danger",
    State.COLLECTING: "success",
    State.THRESHOLD_REACHED: "success",
    State.HANDED_OVER: "info",
    State.UNDER_TREATMENT: "info",
    State.DECIDED: "neutral",
    State.EXPIRED: "neutral",
    State.WITHDRAWN: "neutral",
}


# --- Helpers ---------------------------------------------------------------------------------------------------
def _url_or_none(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _crumbs(*more):
    crumbs = [(_("Front page"), reverse("core:hub"))]
    index = _url_or_none("initiatives:index")
    if index:
        crumbs.append((_("Citizen initiatives"), index))
    return [*crumbs, *more]


def _initiative_crumbs(initiative, *more):
    preview = reverse("initiatives:preview", kwargs={"pk": initiative.pk})
    return _crumbs((initiative.title, preview if more else None), *more)


def _gate(request, *, resident=False):
    """None, or the response that sends the person through ID-porten (or tells a non-resident why not)."""
    return require_identity(request, level="substantial", resident=resident)


def _own(request, pk):
    """The initiative if the person asking is its promoter; 404 otherwise (also for someone else's draft)."""
    initiative = selectors.initiative_of_promoter(pk, request.user)
    if initiative is None:
        raise Http404
    return initiative


def _preview(initiative):
    return redirect("initiatives:preview", pk=initiative.pk)


def _public_url(initiative):
    if initiative.state in rules.PUBLIC_STATES:
        return _url_or_none("initiatives:detail", pk=initiative.pk)
    return None


def _editable(initiative) -> bool:
    return initiative.state in rules.EDITABLE_STATES


def _remember_draft(request, key, initiative):
    made = dict(list(request.session.get(DRAFTS_SESSION_KEY, {}).items())[-9:])
    made[key] = initiative.pk
    request.session[DRAFTS_SESSION_KEY] = made


def _already_made(request, key):
    """The draft this session made from the same form (a double click on "Save"), if it is still the person's."""
    pk = request.session.get(DRAFTS_SESSION_KEY, {}).get(key)
    return selectors.initiative_of_promoter(pk, request.user) if pk else None


def _attachment_url(attachment):
    return reverse("initiatives:attachment", kwargs={"pk": attachment.initiative_id, "attachment_pk": attachment.pk})


def _attachment_items(initiative):
    return [
        {"attachment": a, "url": _attachment_url(a), "is_image": a.kind == Attachment.Kind.IMAGE}
        for a in selectors.attachments_of(initiative)
    ]


# --- Writing: new and edit -------------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def new(request):
    gate = _gate(request, resident=True)
    if gate is not None:
        return gate
    municipality = current_municipality()
    if request.method == "POST":
        form = InitiativeForm(request.POST, municipality=municipality)
        if form.is_valid():
            key = form.cleaned_data["submission_key"]
            made = _already_made(request, key)
            if made is not None:
                # The same form sent twice: one draft, and the second answer is the first's.
                return _preview(made)
            ratelimit.check(request, "initiatives.create", CREATE_RATE)
            try:
                initiative = services.draft_create(
                    actor=request.user, municipality=municipality, data=form.data_for_service()
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                _remember_draft(request, key, initiative)
                messages.success(
                    request,
                    _(
                        "Your draft is saved. Only you can see it. Check it, add attachments or co-promoters if "
                        "you like, and send it for review when you are ready."
                    ),
                )
                return _preview(initiative)
    else:
        form = InitiativeForm(municipality=municipality, initial={"submission_key": new_submission_key()})
    return render(
        request,
        "initiatives/proposing/form.html",
        {
            "form": form,
            "title": _("Propose a citizen initiative"),
            "action": reverse("initiatives:new"),
            "crumbs": _crumbs((_("New initiative"), None)),
        },
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    if not _editable(initiative):
        messages.info(request, _("The initiative can no longer be changed."))
        return _preview(initiative)
    municipality = initiative.municipality
    if request.method == "POST":
        form = InitiativeForm(request.POST, municipality=municipality)
        if form.is_valid():
            try:
                services.draft_update(actor=request.user, initiative=initiative, data=form.data_for_service())
            except NotAllowed:
                raise Http404 from None
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your changes are saved."))
                return _preview(initiative)
    else:
        form = InitiativeForm(
            municipality=municipality,
            initial={
                "title": initiative.title,
                "proposal": initiative.proposal,
                "reasons": initiative.reasons,
                "area": initiative.area_id,
                "topic": initiative.topic_id,
                "signing_days": initiative.signing_days,
            },
        )
    return render(
        request,
        "initiatives/proposing/form.html",
        {
            "form": form,
            "initiative": initiative,
            "title": _("Change the initiative"),
            "action": reverse("initiatives:edit", kwargs={"pk": initiative.pk}),
            "crumbs": _initiative_crumbs(initiative, (_("Change"), None)),
        },
        status=400 if form.is_bound else 200,
    )


# --- Preview, sending for review, withdrawing, handing over ----------------------------------------------------
@never_cache
@require_safe
def preview(request, pk):
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    editable = _editable(initiative)
    return render(
        request,
        "initiatives/proposing/preview.html",
        {
            "initiative": initiative,
            "state_color": STATE_COLORS.get(initiative.state, "neutral"),
            "editable": editable,
            "can_submit": rules.can_move(initiative.state, State.IN_REVIEW),
            "can_withdraw": rules.can_move(initiative.state, State.WITHDRAWN),
            "can_hand_over": initiative.state == State.THRESHOLD_REACHED,
            "co_promoters": list(selectors.confirmed_co_promoters(initiative)),
            "invited": [c for c in selectors.co_promoters_of(initiative) if c.confirmed_at is None],
            "attachments": _attachment_items(initiative),
            "public_url": _public_url(initiative),
            "signing_limits": rules.signing_days_allowed(),
            "crumbs": _initiative_crumbs(initiative),
        },
    )


@never_cache
@require_POST
def submit(request, pk):
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    try:
        services.submit_for_review(actor=request.user, initiative=initiative)
    except NotAllowed:
        raise Http404 from None
    except DomainError:
        initiative.refresh_from_db()
        if initiative.state == State.IN_REVIEW:
            messages.info(request, _("The initiative is already sent for review. We tell you when it has been read."))
        else:
            messages.error(
                request,
                _("The initiative cannot be sent for review now: it is “%(state)s”.")
                % {"state": initiative.get_state_display()},
            )
    else:
        messages.success(
            request,
            _(
                "The initiative is sent for review. The municipality checks that it can be published; we tell you "
                "when it is done."
            ),
        )
    return _preview(initiative)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    """GET asks "are you sure?"; POST withdraws. A withdrawn initiative cannot be taken up again."""
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    if request.method == "POST":
        try:
            services.withdraw(actor=request.user, initiative=initiative)
        except NotAllowed:
            raise Http404 from None
        except DomainError:
            initiative.refresh_from_db()
            if initiative.state == State.WITHDRAWN:
                messages.info(request, _("The initiative is already withdrawn."))
            else:
                messages.error(
                    request,
                    _("The initiative cannot be withdrawn now: it is “%(state)s”.")
                    % {"state": initiative.get_state_display()},
                )
        else:
            messages.success(request, _("The initiative is withdrawn."))
        return _preview(initiative)
    if not rules.can_move(initiative.state, State.WITHDRAWN):
        messages.info(
            request,
            _("The initiative cannot be withdrawn now: it is “%(state)s”.") % {"state": initiative.get_state_display()},
        )
        return _preview(initiative)
    return render(
        request,
        "initiatives/proposing/withdraw.html",
        {
            "initiative": initiative,
            "public": initiative.state in rules.PUBLIC_STATES,
            "crumbs": _initiative_crumbs(initiative, (_("Withdraw"), None)),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def hand_over(request, pk):
    """GET asks "are you sure?"; POST hands the initiative over to the municipality."""
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    if request.method == "POST":
        try:
            initiative = services.hand_over(actor=request.user, initiative=initiative)
        except NotAllowed:
            raise Http404 from None
        except DomainError:
            initiative.refresh_from_db()
            if initiative.state in (State.HANDED_OVER, State.UNDER_TREATMENT, State.DECIDED):
                messages.info(request, _("The initiative is already handed over."))
            else:
                messages.error(
                    request,
                    _("The initiative can be handed over when it has enough signatures; it is “%(state)s”.")
                    % {"state": initiative.get_state_display()},
                )
        else:
            messages.success(
                request,
                _("The initiative is handed over to the municipality. The council must decide by %(date)s.")
                % {"date": date_format(initiative.decision_due, "SHORT_DATE_FORMAT")},
            )
        return _preview(initiative)
    if initiative.state != State.THRESHOLD_REACHED:
        messages.info(request, _("The initiative can be handed over when it has enough signatures."))
        return _preview(initiative)
    return render(
        request,
        "initiatives/proposing/hand_over.html",
        {"initiative": initiative, "crumbs": _initiative_crumbs(initiative, (_("Hand over"), None))},
    )


# --- Attachments -----------------------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def attachments(request, pk):
    """The initiative's files: add one (a POST with a file and its title) or remove one (a POST with `remove`)."""
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    editable = _editable(initiative)
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if not editable:
            messages.error(request, _("The initiative can no longer be changed."))
            return redirect("initiatives:attachments", pk=initiative.pk)
        if "remove" in request.POST:
            return _remove_attachment(request, initiative)
        ratelimit.check(request, "initiatives.attachment", ATTACHMENT_RATE)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(
                    actor=request.user, initiative=initiative, checked=form.checked, title=form.cleaned_data["title"]
                )
            except NotAllowed:
                raise Http404 from None
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("“%(title)s” is added.") % {"title": form.cleaned_data["title"]})
                return redirect("initiatives:attachments", pk=initiative.pk)
        status = 400
    items = _attachment_items(initiative)
    return render(
        request,
        "initiatives/proposing/attachments.html",
        {
            "initiative": initiative,
            "form": form,
            "items": items,
            "editable": editable,
            "room": len(items) < settings.TINGET_INITIATIVE_MAX_ATTACHMENTS,
            "max_attachments": settings.TINGET_INITIATIVE_MAX_ATTACHMENTS,
            "crumbs": _initiative_crumbs(initiative, (_("Attachments"), None)),
        },
        status=status,
    )


def _remove_attachment(request, initiative):
    try:
        attachment_pk = int(request.POST.get("remove", ""))
    except ValueError:
        attachment_pk = None
    attachment = initiative.attachments.filter(pk=attachment_pk).first() if attachment_pk else None
    if attachment is None:
        # Already removed (a second click) or never this initiative's: nothing to do, and nothing to tell.
        messages.info(request, _("The file was already removed."))
        return redirect("initiatives:attachments", pk=initiative.pk)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except NotAllowed:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” is removed.") % {"title": attachment.title})
    return redirect("initiatives:attachments", pk=initiative.pk)


@require_safe
def attachment(request, pk, attachment_pk):
    """One attachment, served only to those who may see the initiative (selectors.can_view): everyone once it
    is public, before that its promoter, confirmed co-promoters and staff. Never from the storage directly."""
    found, public = selectors.attachment_for(pk, attachment_pk, request.user)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    is_image = found.kind == Attachment.Kind.IMAGE
    filename = f"{slugify(found.title)[:80] or 'vedlegg'}.{'jpg' if is_image else 'pdf'}"
    response = FileResponse(
        handle,
        content_type="image/jpeg" if is_image else "application/pdf",
        # A PDF is downloaded, not shown inside the site: whatever a PDF can do, it does not do it here.
        as_attachment=not is_image,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


# --- Co-promoters ----------------------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def co_promoters(request, pk):
    """Invite a co-promoter by e-mail, see who has confirmed, remove an invitation (a POST with `remove`)."""
    gate = _gate(request)
    if gate is not None:
        return gate
    initiative = _own(request, pk)
    editable = _editable(initiative)
    form = CoPromoterForm()
    status = 200
    if request.method == "POST":
        if not editable:
            messages.error(request, _("Co-promoters can only be added or removed while the initiative is a draft."))
            return redirect("initiatives:co_promoters", pk=initiative.pk)
        if "remove" in request.POST:
            return _remove_co_promoter(request, initiative)
        form = CoPromoterForm(request.POST)
        if form.is_valid():
            ratelimit.check(request, "initiatives.invite", INVITE_RATE)
            try:
                invited = services.invite_co_promoter(
                    actor=request.user, initiative=initiative, email=form.cleaned_data["email"]
                )
            except NotAllowed:
                raise Http404 from None
            except DomainError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    _("We have sent an invitation to %(email)s. Their name is shown once they have confirmed.")
                    % {"email": invited.email},
                )
                return redirect("initiatives:co_promoters", pk=initiative.pk)
        status = 400
    invitations = list(selectors.co_promoters_of(initiative))
    return render(
        request,
        "initiatives/proposing/co_promoters.html",
        {
            "initiative": initiative,
            "form": form,
            "invitations": invitations,
            "editable": editable,
            "room": len(invitations) < settings.TINGET_INITIATIVE_MAX_CO_PROMOTERS,
            "max_co_promoters": settings.TINGET_INITIATIVE_MAX_CO_PROMOTERS,
            "crumbs": _initiative_crumbs(initiative, (_("Co-promoters"), None)),
        },
        status=status,
    )


def _remove_co_promoter(request, initiative):
    try:
        co_promoter_pk = int(request.POST.get("remove", ""))
    except ValueError:
        co_promoter_pk = None
    co_promoter = initiative.co_promoters.filter(pk=co_promoter_pk).first() if co_promoter_pk else None
    if co_promoter is None:
        messages.info(request, _("The invitation was already removed."))
        return redirect("initiatives:co_promoters", pk=initiative.pk)
    try:
        services.remove_co_promoter(actor=request.user, co_promoter=co_promoter)
    except NotAllowed:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(who)s is no longer a co-promoter.") % {"who": str(co_promoter)})
    return redirect("initiatives:co_promoters", pk=initiative.pk)


def _bad_link(request):
    return render(request, "initiatives/proposing/link_invalid.html", status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def co_promoter_confirm(request, token):
    """The link in the invitation. A forged, altered or replaced link is told so before anything else; then the
    invited person logs in with ID-porten, reads the initiative and confirms with a button (a GET changes
    nothing, so a mail scanner that follows the link confirms nobody)."""
    try:
        co_promoter = services.co_promoter_from_token(token)
    except services.BadLink:
        return _bad_link(request)
    gate = _gate(request, resident=True)
    if gate is not None:
        return gate
    if co_promoter.confirmed_at and co_promoter.user_id != request.user.pk:
        # Somebody else has already used this link.
        return _bad_link(request)
    initiative = co_promoter.initiative
    error = None
    status = 200
    if request.method == "POST":
        try:
            co_promoter = services.confirm_co_promoter(actor=request.user, token=token)
        except services.BadLink:
            return _bad_link(request)
        except DomainError as problem:
            error = str(problem)
            status = 409
        else:
            return render(
                request,
                "initiatives/proposing/co_promoter_done.html",
                {"initiative": initiative, "co_promoter": co_promoter, "crumbs": _crumbs((_("Co-promoter"), None))},
            )
    open_states = rules.EDITABLE_STATES | {State.IN_REVIEW}
    return render(
        request,
        "initiatives/proposing/co_promoter_confirm.html",
        {
            "initiative": initiative,
            "co_promoter": co_promoter,
            "token": token,
            "error": error,
            "is_promoter": initiative.promoter_id == request.user.pk,
            "already": bool(co_promoter.confirmed_at) and co_promoter.user_id == request.user.pk,
            "closed": initiative.state not in open_states,
            "co_promoters": list(selectors.confirmed_co_promoters(initiative)),
            # The files of a draft are served to its promoters only (selectors.can_view): named, not shown.
            "attachment_titles": [a.title for a in selectors.attachments_of(initiative)],
            "crumbs": _crumbs((_("Co-promoter"), None)),
        },
        status=status,
    )


urlpatterns = [
    path(gettext_lazy("new/"), new, name="new"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("edit/")), edit, name="edit"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("preview/")), preview, name="preview"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("send-for-review/")), submit, name="submit"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("withdraw-initiative/")), withdraw, name="withdraw"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("hand-over/")), hand_over, name="hand_over"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("attachments/")), attachments, name="attachments"),
    path(format_lazy("<int:pk>/{}<int:attachment_pk>/", gettext_lazy("attachments/")), attachment, name="attachment"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("co-promoters/")), co_promoters, name="co_promoters"),
    path(format_lazy("{}<str:token>/", gettext_lazy("co-promoter/")), co_promoter_confirm, name="co_promoter_confirm"),
]
