"""The resident's pages: give input to a consultation (or comment on one of its sections), save it as a draft and
finish it later, the receipt after sending, and throwing a draft away.

Who gets in: anyone logged in, with e-mail or with ID-porten at any level; residency is not asked (associations,
businesses and neighbours in the next municipality have a say in a consultation too). A visitor who is not logged
in is sent to the login page and back to the form. Someone else's draft or receipt answers 404, so nobody learns
that it exists.

The form carries a one-time key (a hidden uuid4 made when the form is shown, or the draft's key when a draft is
finished): services.submission_save turns two clicks on "Send" into one submission, and the second click lands on
the same receipt. Errors are shown on the same form with what was typed kept: the form's own (missing, too long,
HTML, a choice that is not offered, a file of the wrong type or size) and the services' (the deadline has passed,
with the date; not open yet).

A request larger than Django reads (settings.DATA_UPLOAD_MAX_MEMORY_SIZE for the fields, DATA_UPLOAD_MAX_NUMBER_FILES
or _FIELDS) gets a page saying so with status 413, not Django's generic error: the body is read before the CSRF
check (which would otherwise meet the error first), and the check runs right after (csrf_protect on the inner view).
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponseRedirect, UnreadablePostError
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from tinget.accounts.identity import has_working_email
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.images import megabytes

from .. import rules, selectors, services
from ..forms import InputForm, default_name, new_key, thousands
from ..models import State, Submission


# --- Helpers ---------------------------------------------------------------------------------------------------
def url_or_none(name, **kwargs):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _crumbs(consultation, *more):
    crumbs = [(_("Front page"), reverse("core:hub"))]
    index = url_or_none("consultations:index")
    if index:
        crumbs.append((_("Consultations"), index))
    if consultation is not None:
        crumbs.append((consultation.title, url_or_none("consultations:detail", pk=consultation.pk)))
    return [*crumbs, *more]


def _form_url(consultation, *, section=None, draft_key=None) -> str:
    url = reverse("consultations:give_input", kwargs={"pk": consultation.pk})
    query = {}
    if draft_key:
        query["draft"] = str(draft_key)
    if section is not None:
        query["section"] = section.pk
    return f"{url}?{urlencode(query)}" if query else url


def _receipt(submission):
    return HttpResponseRedirect(
        reverse("consultations:receipt", kwargs={"pk": submission.consultation_id, "key": submission.key}), status=303
    )


def _parse_key(raw):
    try:
        return uuid.UUID(str(raw or ""))
    except ValueError:
        return None


def _section(consultation, raw):
    """(section, ok): the section named by `raw` if it is one of this consultation's; ok=False when `raw` names
    none of them."""
    if raw in (None, ""):
        return None, True
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None, False
    section = consultation.sections.filter(pk=pk).first()
    return section, section is not None


def _takes_input_message(consultation, now) -> str | None:
    """Why input cannot be sent now, or None when it can."""
    try:
        services.check_takes_input(consultation, now)
    except DomainError as error:
        return str(error)
    return None


def _show_service_error(form, error):
    """A DomainError on the form: on the field it names (HTML in one of them), else at the top."""
    field = (error.params or {}).get("field") if isinstance(error, services.InvalidInput) else None
    form.add_error(field if field in form.fields else None, str(error))


# --- Too large a request ---------------------------------------------------------------------------------------
def _unreadable(request):
    """None when the POST could be read, else the page that says what was too large (413) or broken (400)."""
    try:
        request.POST  # noqa: B018 - reading it parses the body, files included
        request.FILES  # noqa: B018
    except RequestDataTooBig:
        reason = "size"
    except TooManyFilesSent:
        reason = "files"
    except TooManyFieldsSent:
        reason = "fields"
    except UnreadablePostError:
        # The connection broke while the body was read: the sender will not see an answer anyway.
        return render(request, "400.html", status=400)
    else:
        return None
    return render(
        request,
        "consultations/submitting/too_large.html",
        {
            "reason": reason,
            "text_max": thousands(settings.TINGET_CONSULTATION_TEXT_MAX),
            "max_attachments": settings.TINGET_CONSULTATION_MAX_ATTACHMENTS,
            "max_size": megabytes(settings.TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES),
        },
        status=413,
    )


# --- Giving input ----------------------------------------------------------------------------------------------
@csrf_exempt  # checked in _give_input, once the body has been read safely (see the module's docstring)
@never_cache
@require_http_methods(["GET", "POST"])
def give_input(request, pk):
    if request.method == "POST":
        refusal = _unreadable(request)
        if refusal is not None:
            return refusal
    return _give_input(request, pk)


@csrf_protect
def _give_input(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    consultation = selectors.consultation_for_viewer(pk, request.user)
    now = timezone.now()
    if request.method == "POST":
        return _post(request, consultation, now)

    draft = None
    if "draft" in request.GET:
        draft = selectors.own_submission(request.user, _parse_key(request.GET["draft"]))
        if draft is None or draft.consultation_id != consultation.pk:
            raise Http404
        if draft.is_sent:
            return _receipt(draft)
    section, ok = _section(consultation, request.GET.get("section"))
    if not ok:
        raise Http404
    if section is None and draft is not None:
        section = draft.section

    refusal = _takes_input_message(consultation, now)
    if refusal is not None:
        return render(
            request,
            "consultations/submitting/closed.html",
            {
                "consultation": consultation,
                "message": refusal,
                "draft": draft,
                "detail_url": url_or_none("consultations:detail", pk=consultation.pk),
                "mine_url": reverse("consultations:mine"),
                "crumbs": _crumbs(consultation, (_("Give input"), None)),
            },
        )

    if draft is not None:
        initial = InputForm.initial_from(draft)
        initial["author_name"] = initial["author_name"] or default_name(request.user)
    else:
        initial = {"key": new_key(), "author_name": default_name(request.user)}
    form = InputForm(
        initial=initial,
        consultation=consultation,
        section=section,
        questions=selectors.questions_of(consultation),
        draft=draft,
    )
    return _render_form(request, consultation, form, now=now)


def _post(request, consultation, now):
    user = request.user
    data = request.POST.copy()
    key = _parse_key(data.get("key"))
    if key is None:
        # A form without a valid key (altered, or very old): it gets one, kept if the form comes back with errors.
        key = new_key()
        data["key"] = str(key)
    own = selectors.own_submission(user, key)
    if own is not None and own.consultation_id != consultation.pk:
        raise Http404
    if own is not None and own.is_sent:
        # The same form again (a second click on "Send", or a reload): one submission, the same receipt.
        return _receipt(own)
    draft = own

    section, section_ok = _section(consultation, request.GET.get("section"))
    if section is None and section_ok and draft is not None and "section" not in request.GET:
        section = draft.section
    sending = data.get("action") == "send"
    form = InputForm(
        data,
        request.FILES,
        consultation=consultation,
        section=section,
        questions=selectors.questions_of(consultation),
        draft=draft,
        sending=sending,
    )
    valid = form.is_valid()
    if not section_ok:
        form.add_error(None, _("That section is not part of this consultation. Choose a section on its page."))
        valid = False
    status = 400
    if valid:
        try:
            submission = services.submission_save(
                actor=user,
                consultation=consultation,
                key=form.cleaned_data["key"],
                data=form.data_for_service(),
                section=section,
                answers=form.answers_for_service(),
                new_files=form.checked_files,
                remove_attachments=form.removed_attachments(),
                send=sending,
                language=(translation.get_language() or "nb")[:5],
            )
        except NotAllowed:
            # The key is someone else's, or belongs to another consultation.
            raise Http404 from None
        except DomainError as error:
            _show_service_error(form, error)
            if isinstance(error, (services.DeadlinePassed, services.NotOpenYet)):
                status = 409
        else:
            if submission.is_sent:
                return _receipt(submission)
            messages.success(
                request,
                _(
                    "Your draft is saved. Only you can see it. You can finish and send it until the deadline, "
                    "%(deadline)s."
                )
                % {"deadline": services.local_moment(consultation.deadline)},
            )
            return HttpResponseRedirect(_form_url(consultation, draft_key=submission.key), status=303)
    return _render_form(request, consultation, form, now=now, status=status, draft=draft)


def _render_form(request, consultation, form, *, now, status=200, draft=None):
    draft = draft or form.draft
    section = form.section
    draft_key = draft.key if draft is not None else None
    state = consultation.state_at(now)
    title = _("Comment on a section") if section is not None else _("Give input")
    return render(
        request,
        "consultations/submitting/form.html",
        {
            "consultation": consultation,
            "form": form,
            "section": section,
            "draft": draft,
            "title": title,
            "action": _form_url(consultation, section=section, draft_key=draft_key),
            "deadline": services.local_moment(consultation.deadline),
            "late": state == State.CLOSED and consultation.allow_late_input,
            "has_questions": bool(form.questions),
            "existing_attachments": getattr(form, "existing_attachments", []),
            "detail_url": url_or_none("consultations:detail", pk=consultation.pk),
            "section_url": (
                f"{url_or_none('consultations:detail', pk=consultation.pk)}#{section.anchor}"
                if section is not None and url_or_none("consultations:detail", pk=consultation.pk)
                else None
            ),
            "general_url": reverse("consultations:give_input", kwargs={"pk": consultation.pk}),
            "discard_url": (
                reverse("consultations:draft_discard", kwargs={"key": draft.key}) if draft is not None else None
            ),
            "crumbs": _crumbs(consultation, (title, None)),
        },
        status=status if form.is_bound else 200,
    )


# --- The receipt -----------------------------------------------------------------------------------------------
@never_cache
@require_safe
def receipt(request, pk, key):
    """What was sent, for its sender only: its number and time, whether the name is shown, a copy of it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    submission = selectors.own_submission(request.user, key)
    if submission is None or submission.consultation_id != pk:
        raise Http404
    consultation = submission.consultation
    if not submission.is_sent:
        return HttpResponseRedirect(_form_url(consultation, draft_key=submission.key))
    answers = sorted(submission.answers.all(), key=lambda a: (a.question.order, a.question.pk))
    return render(
        request,
        "consultations/submitting/receipt.html",
        {
            "consultation": consultation,
            "submission": submission,
            "answers": answers,
            "attachments": list(submission.attachments.all()),
            "sent_when": services.local_moment(submission.sent_at),
            "organisation": submission.sender_kind == Submission.SenderKind.ORGANISATION,
            "emailed": has_working_email(request.user),
            "email": request.user.email,
            "public_url": url_or_none("consultations:submission", pk=consultation.pk, number=submission.number),
            "detail_url": url_or_none("consultations:detail", pk=consultation.pk),
            "mine_url": reverse("consultations:mine"),
            "crumbs": _crumbs(consultation, (_("Input sent"), None)),
        },
    )


# --- Throwing a draft away -------------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def draft_discard(request, key):
    """GET asks "delete this draft?"; POST deletes it. Sent input is a public document and stays."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    submission = selectors.own_submission(request.user, key)
    mine = HttpResponseRedirect(reverse("consultations:mine"), status=303)
    if request.method == "POST":
        if submission is None:
            # Already deleted (a second click), or never this person's: nothing to do and nothing to tell.
            messages.info(request, _("The draft was already deleted."))
            return mine
        if submission.is_sent:
            messages.error(request, _("Input that has been sent cannot be deleted: it is a public document."))
            return _receipt(submission)
        try:
            services.draft_discard(actor=request.user, submission=submission)
        except NotAllowed:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Your draft for “%(title)s” is deleted.") % {"title": submission.consultation.title},
            )
        return mine
    if submission is None:
        raise Http404
    if submission.is_sent:
        messages.info(request, _("Input that has been sent cannot be deleted: it is a public document."))
        return _receipt(submission)
    consultation = submission.consultation
    return render(
        request,
        "consultations/submitting/discard.html",
        {
            "submission": submission,
            "consultation": consultation,
            "form_url": _form_url(consultation, draft_key=submission.key),
            "can_send": rules.takes_input(consultation, timezone.now()),
            "crumbs": _crumbs(consultation, (_("Delete draft"), None)),
        },
    )


urlpatterns = [
    path(format_lazy("<int:pk>/{}", gettext_lazy("give-input/")), give_input, name="give_input"),
    path(format_lazy("<int:pk>/{}<uuid:key>/", gettext_lazy("sent/")), receipt, name="receipt"),
    path(
        format_lazy("{}<uuid:key>/{}", gettext_lazy("drafts/"), gettext_lazy("delete/")),
        draft_discard,
        name="draft_discard",
    ),
]
