"""Staff's pages for writing consultations, under "manage/": the overview of my units' consultations, a new one,
and one consultation's page with its fields, sections, structured questions, documents and versions, the publish
step and the late-input switch. Reading and processing the input is views/processing.py.

Who gets in: a logged-in, active staff member who may write or process consultations, whose login this session
included a second factor (tinget.accounts.decorators.staff_only); each consultation's pages then need
rules.can_author for its unit (403 otherwise), the late-input switch can_author or can_process.

A "new" form sent twice (a double click, a resent POST) makes one thing: each carries a one-time key; the first
request claims it with cache.add (atomic: of two requests at the same moment only one goes on; across processes
when the cache is shared, as with CACHE_URL pointing at Redis), and what it made is remembered in the session and
the cache, so the second is sent to it. Other forms are safe to send twice: they set the same values again, or
find the consultation in another stage and say so.
"""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinget.accounts.decorators import has_any_perm
from tinget.accounts.decorators import staff_only as staff_only_for
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.selectors import current_municipality

from .. import rules, selectors, services
from ..authoring_forms import (
    ConsultationForm,
    DeleteForm,
    DocumentForm,
    LateInputForm,
    QuestionForm,
    SectionForm,
    question_initial,
)
from ..models import Stage, State

# What the tag of each state looks like; the tag always carries the state's name too (never colour alone).
STATE_COLORS = {
    State.DRAFT: "neutral",
    State.UPCOMING: "info",
    State.OPEN: "success",
    State.CLOSED: "warning",
    State.PROCESSING: "warning",
    State.CONCLUDED: "neutral",
}
SEARCH_MAX = 100
ONCE_SESSION_KEY = "consultations_made"
ONCE_SECONDS = 60 * 60 * 12
# A claim while the first request works; if that request dies half-way, the key is free again after this.
ONCE_CLAIM_SECONDS = 60


# --- Access ----------------------------------------------------------------------------------------------------
def _come_back(kwargs):
    # A form sent without a session cannot be replayed after logging in: come back to the page it was on.
    if "pk" in kwargs:
        return reverse("consultations:staff_edit", kwargs={"pk": kwargs["pk"]})
    return reverse("consultations:staff")


staff_only = staff_only_for(
    has_any_perm("consultations.publish_consultation", "consultations.process_consultation"),
    come_back=_come_back,
    setup_message=gettext_lazy(
        "Writing and handling consultations needs two-factor authentication. Set up an authenticator app on your "
        "phone, then go to the consultation pages again."
    ),
)


def _authored(request, pk):
    """The consultation, if this person may write it (its unit is theirs); 404 if there is none, else 403."""
    consultation = selectors.consultation_for_staff(pk)
    if not rules.can_author(request.user, consultation):
        raise PermissionDenied
    return consultation


def _url(name, **kwargs) -> str:
    """An address of another part of the module, or "" while that part does not exist."""
    try:
        return reverse(f"consultations:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _crumbs(*last):
    return [
        (_("Front page"), reverse("core:hub")),
        (_("Consultations"), _url("index") or None),
        (_("Manage consultations"), reverse("consultations:staff") if last else None),
        *last,
    ]


def _consultation_crumbs(consultation, *last):
    edit = reverse("consultations:staff_edit", kwargs={"pk": consultation.pk})
    return _crumbs((consultation.title, edit if last else None), *last)


def _edit_url(consultation, anchor=""):
    url = reverse("consultations:staff_edit", kwargs={"pk": consultation.pk})
    return f"{url}#{anchor}" if anchor else url


def _moved_on(consultation) -> str:
    return _("Nothing was changed: the consultation is now “%(state)s”.") % {"state": consultation.get_state_display()}


# --- One-time keys for "new" forms -----------------------------------------------------------------------------
def _once_cache_key(request, kind, key):
    return f"consultations:once:{request.user.pk}:{kind}:{key}"


def _already_made(request, kind, key):
    """What this person made with this form before (the pk), or None. A claim still being worked on is 0."""
    made = request.session.get(ONCE_SESSION_KEY, {}).get(f"{kind}:{key}")
    if made is not None:
        return made
    return cache.get(_once_cache_key(request, kind, key))


def _claim(request, kind, key) -> bool:
    return cache.add(_once_cache_key(request, kind, key), 0, ONCE_CLAIM_SECONDS)


def _release(request, kind, key):
    cache.delete(_once_cache_key(request, kind, key))


def _remember(request, kind, key, pk):
    made = dict(list(request.session.get(ONCE_SESSION_KEY, {}).items())[-19:])
    made[f"{kind}:{key}"] = pk
    request.session[ONCE_SESSION_KEY] = made
    cache.set(_once_cache_key(request, kind, key), pk, ONCE_SECONDS)


def _sent_twice(request, kind, key):
    """If this "new" form was sent before: (True, what it made or 0 while the first is still being saved)."""
    made = _already_made(request, kind, key)
    if made is not None:
        return True, made
    if not _claim(request, kind, key):
        return True, _already_made(request, kind, key) or 0
    return False, None


# --- The overview ----------------------------------------------------------------------------------------------
def _decorate(consultation, counts, now, *, may_process):
    state = consultation.state_at(now)
    consultation.state_now = State(state)
    consultation.state_color = STATE_COLORS[state]
    consultation.sent_count, consultation.unconsidered_count = counts.get(consultation.pk, (0, 0))
    consultation.edit_url = reverse("consultations:staff_edit", kwargs={"pk": consultation.pk})
    published = state != State.DRAFT
    consultation.input_url = _url("staff_submissions", pk=consultation.pk) if may_process and published else ""
    consultation.report_url = _url("report", pk=consultation.pk) if may_process and published else ""
    consultation.deadline_text = services.local_moment(consultation.deadline)
    return consultation


@never_cache
@require_GET
@staff_only
def overview(request):
    """The consultations of my units (administrators: all), by state, with their deadlines and input counts."""
    user = request.user
    municipality = current_municipality()
    now = timezone.now()
    state = request.GET.get("state", "")
    if state not in selectors.STAFF_STATES:
        state = ""
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX]
    counts = selectors.staff_state_counts(user, municipality=municipality, now=now)
    tabs = [
        {
            "label": State(value).label,
            "total": counts[value],
            "url": f"?state={value}",
            "current": value == state,
        }
        for value in selectors.STAFF_STATES
    ]
    listing = Paginator(
        selectors.staff_consultations(user, municipality=municipality, state=state, query=query, now=now),
        settings.TINGET_CONSULTATION_PAGE_SIZE,
    ).get_page(request.GET.get("side"))
    input_counts = selectors.input_counts([c.pk for c in listing])
    may_process = user.has_perm("consultations.process_consultation")
    for consultation in listing:
        _decorate(consultation, input_counts, now, may_process=may_process)
    context = {
        "tabs": tabs,
        "total": sum(counts.values()),
        "state": State(state) if state else None,
        "query": query,
        "listing": listing,
        "may_author": rules.can_author(user),
        "crumbs": _crumbs(),
    }
    return render(request, "consultations/authoring/overview.html", context)


# --- A new consultation ----------------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def new(request):
    """A new draft: the consultation's fields. Sections, questions and documents come on its page after."""
    if not rules.can_author(request.user):
        raise PermissionDenied
    municipality = current_municipality()
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=request.user, municipality=municipality)
        if form.is_valid():
            key = form.cleaned_data["form_key"]
            twice, made = _sent_twice(request, "consultation", key)
            if twice:
                messages.info(request, _("This form was sent twice; the consultation was created once."))
                if made:
                    return redirect("consultations:staff_edit", pk=made)
                return redirect("consultations:staff")
            try:
                consultation = services.consultation_create(
                    actor=request.user,
                    municipality=municipality,
                    data=form.data_for_service(),
                    areas=form.areas_for_service() or (),
                )
            except NotAllowed:
                _release(request, "consultation", key)
                raise PermissionDenied from None
            except DomainError as error:
                _release(request, "consultation", key)
                form.add_domain_error(error)
            else:
                _remember(request, "consultation", key, consultation.pk)
                messages.success(
                    request,
                    _("The draft is saved. Only staff can see it. Add the text in sections, then publish it."),
                )
                return redirect("consultations:staff_edit", pk=consultation.pk)
    else:
        form = ConsultationForm(user=request.user, municipality=municipality)
    context = {"form": form, "crumbs": _crumbs((_("New consultation"), None))}
    return render(request, "consultations/authoring/new.html", context, status=400 if form.is_bound else 200)


# --- One consultation ------------------------------------------------------------------------------------------
def _render_edit(request, consultation, *, form=None, status=200):
    now = timezone.now()
    state = consultation.state_at(now)
    published = consultation.is_published
    concluded = consultation.stage == Stage.CONCLUDED
    if form is None and not concluded:
        form = ConsultationForm(user=request.user, municipality=consultation.municipality, consultation=consultation)
    may_process = rules.can_process(request.user, consultation)
    versions = list(selectors.versions_of(consultation))
    for version in versions:
        version.url = _url("version", pk=consultation.pk, number=version.number)
    context = {
        "consultation": consultation,
        "form": form,
        "state": State(state),
        "state_color": STATE_COLORS[state],
        "published": published,
        "concluded": concluded,
        "is_draft": not published,
        "opens_text": services.local_moment(consultation.opens_at),
        "deadline_text": services.local_moment(consultation.deadline),
        "opened": consultation.opens_at <= now,
        "sections": selectors.sections_for_staff(consultation),
        "questions": list(selectors.questions_of(consultation)),
        "documents": selectors.documents_of(consultation),
        "document_form": None if concluded else DocumentForm(published=published, auto_id="doc_%s"),
        "versions": versions,
        "late_input_open": state in (State.OPEN, State.CLOSED),
        "preview_url": _url("detail", pk=consultation.pk),
        "input_url": _url("staff_submissions", pk=consultation.pk) if may_process and published else "",
        "report_url": _url("report", pk=consultation.pk) if may_process and published else "",
        "crumbs": _consultation_crumbs(consultation),
    }
    return render(request, "consultations/authoring/edit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def edit(request, pk):
    """The consultation's fields (after publication each save is a new version with a note), and from here its
    sections, questions, documents, versions, the preview and the publish step."""
    consultation = _authored(request, pk)
    if request.method == "GET":
        return _render_edit(request, consultation)
    form = ConsultationForm(
        request.POST, user=request.user, municipality=consultation.municipality, consultation=consultation
    )
    if consultation.stage == Stage.CONCLUDED:
        form.is_valid()
        form.add_error(None, _("A concluded consultation cannot be changed."))
        return _render_edit(request, consultation, form=form, status=409)
    if not form.is_valid():
        return _render_edit(request, consultation, form=form, status=400)
    try:
        services.consultation_update(
            actor=request.user,
            consultation=consultation,
            data=form.data_for_service(),
            areas=form.areas_for_service(),
            note=form.cleaned_data.get("note", ""),
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_domain_error(error)
        return _render_edit(request, selectors.consultation_for_staff(pk), form=form, status=400)
    if consultation.is_published:
        messages.success(request, _("The changes are saved as a new version, with your note for readers."))
    else:
        messages.success(request, _("The changes are saved."))
    return redirect("consultations:staff_edit", pk=pk)


# --- Sections --------------------------------------------------------------------------------------------------
def _render_section(request, consultation, form, *, section=None, delete_form=None, status=200):
    published = consultation.is_published
    if delete_form is None and section is not None and not section.input_count:
        delete_form = DeleteForm(published=published, auto_id="delete_%s")
    title = str(section) if section is not None else _("New section")
    context = {
        "consultation": consultation,
        "form": form,
        "section": section,
        "delete_form": delete_form,
        "published": published,
        "concluded": consultation.stage == Stage.CONCLUDED,
        "page_title": title,
        "crumbs": _consultation_crumbs(consultation, (title, None)),
    }
    return render(request, "consultations/authoring/section.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def section_new(request, pk):
    consultation = _authored(request, pk)
    published = consultation.is_published
    if request.method == "GET":
        return _render_section(request, consultation, SectionForm(published=published))
    form = SectionForm(request.POST, published=published)
    if not form.is_valid():
        return _render_section(request, consultation, form, status=400)
    key = form.cleaned_data["form_key"]
    twice, _made = _sent_twice(request, f"section{pk}", key)
    if twice:
        messages.info(request, _("This form was sent twice; the section was added once."))
        return redirect(_edit_url(consultation, "sections"))
    try:
        section = services.section_save(
            actor=request.user,
            consultation=consultation,
            data=form.data_for_service(),
            note=form.cleaned_data.get("note", ""),
        )
    except NotAllowed:
        _release(request, f"section{pk}", key)
        raise PermissionDenied from None
    except DomainError as error:
        _release(request, f"section{pk}", key)
        form.add_domain_error(error)
        return _render_section(request, consultation, form, status=409 if isinstance(error, InvalidTransition) else 400)
    _remember(request, f"section{pk}", key, section.pk)
    messages.success(request, _("The section “%(section)s” is added.") % {"section": section})
    return redirect(_edit_url(consultation, "sections"))


def _section_initial(section):
    return {"number": section.number, "heading": section.heading, "body": section.body, "order": section.order}


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def section_edit(request, pk, section_pk):
    """Change a section, or delete it (not when it has input: the input refers to it)."""
    consultation = _authored(request, pk)
    section = selectors.section_for_staff(consultation, section_pk)
    published = consultation.is_published
    if request.method == "GET":
        form = SectionForm(published=published, initial=_section_initial(section))
        return _render_section(request, consultation, form, section=section)
    if request.POST.get("action") == "delete":
        delete_form = DeleteForm(request.POST, published=published, auto_id="delete_%s")
        form = SectionForm(published=published, initial=_section_initial(section))
        if not delete_form.is_valid():
            return _render_section(request, consultation, form, section=section, delete_form=delete_form, status=400)
        try:
            services.section_delete(actor=request.user, section=section, note=delete_form.cleaned_data.get("note", ""))
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            delete_form.add_domain_error(error)
            return _render_section(request, consultation, form, section=section, delete_form=delete_form, status=400)
        messages.success(request, _("The section “%(section)s” is deleted.") % {"section": section})
        return redirect(_edit_url(consultation, "sections"))
    form = SectionForm(request.POST, published=published)
    if not form.is_valid():
        return _render_section(request, consultation, form, section=section, status=400)
    try:
        services.section_save(
            actor=request.user,
            consultation=consultation,
            section=section,
            data=form.data_for_service(),
            note=form.cleaned_data.get("note", ""),
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_domain_error(error)
        status = 409 if isinstance(error, InvalidTransition) else 400
        return _render_section(request, consultation, form, section=section, status=status)
    messages.success(request, _("The section “%(section)s” is saved.") % {"section": form.cleaned_data["heading"]})
    return redirect(_edit_url(consultation, "sections"))


# --- Structured questions --------------------------------------------------------------------------------------
def _render_question(request, consultation, form, *, question=None, status=200):
    title = question.text if question is not None else _("New question")
    context = {
        "consultation": consultation,
        "form": form,
        "question": question,
        "fixed": consultation.stage != Stage.DRAFT,
        "page_title": title,
        "crumbs": _consultation_crumbs(consultation, (title, None)),
    }
    return render(request, "consultations/authoring/question.html", context, status=status)


def _questions_fixed(request, consultation, form, question=None):
    messages.warning(request, _("Questions can only be changed before the consultation is published."))
    return _render_question(request, consultation, form, question=question, status=409)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def question_new(request, pk):
    """A structured question (choice, scale or text); only while the consultation is a draft."""
    consultation = _authored(request, pk)
    if request.method == "GET":
        return _render_question(request, consultation, QuestionForm())
    form = QuestionForm(request.POST)
    if consultation.stage != Stage.DRAFT:
        return _questions_fixed(request, consultation, form)
    if not form.is_valid():
        return _render_question(request, consultation, form, status=400)
    key = form.cleaned_data["form_key"]
    twice, _made = _sent_twice(request, f"question{pk}", key)
    if twice:
        messages.info(request, _("This form was sent twice; the question was added once."))
        return redirect(_edit_url(consultation, "questions"))
    try:
        services.question_save(
            actor=request.user,
            consultation=consultation,
            data=form.data_for_service(),
            options=form.cleaned_data["option_labels"],
        )
    except NotAllowed:
        _release(request, f"question{pk}", key)
        raise PermissionDenied from None
    except DomainError as error:
        _release(request, f"question{pk}", key)
        form.add_domain_error(error)
        status = 409 if isinstance(error, InvalidTransition) else 400
        return _render_question(request, consultation, form, status=status)
    _remember(request, f"question{pk}", key, 1)
    messages.success(request, _("The question is added."))
    return redirect(_edit_url(consultation, "questions"))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def question_edit(request, pk, question_pk):
    """Change or delete a structured question; only while the consultation is a draft."""
    consultation = _authored(request, pk)
    question = selectors.question_for_staff(consultation, question_pk)
    if request.method == "GET":
        form = QuestionForm(initial=question_initial(question))
        return _render_question(request, consultation, form, question=question)
    deleting = request.POST.get("action") == "delete"
    form = QuestionForm(initial=question_initial(question)) if deleting else QuestionForm(request.POST)
    if consultation.stage != Stage.DRAFT:
        return _questions_fixed(request, consultation, form, question)
    try:
        if deleting:
            services.question_delete(actor=request.user, question=question)
            messages.success(request, _("The question is deleted."))
            return redirect(_edit_url(consultation, "questions"))
        if not form.is_valid():
            return _render_question(request, consultation, form, question=question, status=400)
        services.question_save(
            actor=request.user,
            consultation=consultation,
            question=question,
            data=form.data_for_service(),
            options=form.cleaned_data["option_labels"],
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_domain_error(error)
        status = 409 if isinstance(error, InvalidTransition) else 400
        return _render_question(request, consultation, form, question=question, status=status)
    messages.success(request, _("The question is saved."))
    return redirect(_edit_url(consultation, "questions"))


# --- Documents -------------------------------------------------------------------------------------------------
def _render_documents(request, consultation, *, form=None, failed_remove=None, failed_document=None, status=200):
    published = consultation.is_published
    concluded = consultation.stage == Stage.CONCLUDED
    documents = selectors.documents_of(consultation)
    for document in documents:
        document.url = _url("document", pk=consultation.pk, document_pk=document.pk)
        document.remove_form = (
            failed_remove
            if failed_document == document.pk
            else DeleteForm(published=published, auto_id=f"remove{document.pk}_%s")
        )
    context = {
        "consultation": consultation,
        "documents": documents,
        "form": form if form is not None else DocumentForm(published=published, auto_id="doc_%s"),
        "failed_remove": failed_remove,
        "published": published,
        "concluded": concluded,
        "crumbs": _consultation_crumbs(consultation, (_("Documents"), None)),
    }
    return render(request, "consultations/authoring/documents.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def documents(request, pk):
    """The documents published with the consultation: upload one with a title, or remove one."""
    consultation = _authored(request, pk)
    published = consultation.is_published
    if request.method == "GET":
        return _render_documents(request, consultation)
    if request.POST.get("action") == "remove":
        return _remove_document(request, consultation)
    form = DocumentForm(request.POST, request.FILES, published=published, auto_id="doc_%s")
    if consultation.stage == Stage.CONCLUDED:
        form.is_valid()
        form.add_error(None, _("A concluded consultation cannot be changed."))
        return _render_documents(request, consultation, form=form, status=409)
    if not form.is_valid():
        return _render_documents(request, consultation, form=form, status=400)
    key = form.cleaned_data["form_key"]
    twice, _made = _sent_twice(request, f"document{pk}", key)
    if twice:
        messages.info(request, _("This form was sent twice; the document was added once."))
        return redirect("consultations:documents", pk=pk)
    try:
        document = services.document_add(
            actor=request.user,
            consultation=consultation,
            checked=form.checked,
            title=form.cleaned_data["title"],
            note=form.cleaned_data.get("note", ""),
        )
    except NotAllowed:
        _release(request, f"document{pk}", key)
        raise PermissionDenied from None
    except DomainError as error:
        _release(request, f"document{pk}", key)
        form.add_domain_error(error)
        return _render_documents(request, consultation, form=form, status=400)
    _remember(request, f"document{pk}", key, document.pk)
    messages.success(request, _("The document “%(title)s” is added.") % {"title": document.title})
    return redirect("consultations:documents", pk=pk)


def _remove_document(request, consultation):
    published = consultation.is_published
    raw = request.POST.get("document", "")
    document = selectors.document_for_staff(consultation, int(raw)) if raw.isdigit() else None
    if document is None:
        messages.warning(request, _("That document is not part of this consultation (any more)."))
        return redirect("consultations:documents", pk=consultation.pk)
    form = DeleteForm(request.POST, published=published, auto_id=f"remove{document.pk}_%s")
    if not form.is_valid():
        return _render_documents(request, consultation, failed_remove=form, failed_document=document.pk, status=400)
    try:
        services.document_remove(actor=request.user, document=document, note=form.cleaned_data.get("note", ""))
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        form.add_domain_error(error)
        status = 409 if isinstance(error, InvalidTransition) else 400
        return _render_documents(request, consultation, failed_remove=form, failed_document=document.pk, status=status)
    messages.success(request, _("The document “%(title)s” is removed.") % {"title": document.title})
    return redirect("consultations:documents", pk=consultation.pk)


# --- Publishing and late input ---------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
@staff_only
def publish(request, pk):
    """The publish step: what publishing means and when the consultation opens, then a confirmed POST."""
    consultation = _authored(request, pk)
    now = timezone.now()
    error = ""
    status = 200
    if request.method == "POST" and request.POST.get("confirm") == "1":
        if consultation.is_published:
            messages.info(request, _moved_on(consultation))
            return redirect("consultations:staff_edit", pk=pk)
        try:
            consultation = services.consultation_publish(actor=request.user, consultation=consultation)
        except NotAllowed:
            raise PermissionDenied from None
        except InvalidTransition:
            messages.info(request, _moved_on(selectors.consultation_for_staff(pk)))
            return redirect("consultations:staff_edit", pk=pk)
        except DomainError as refused:
            error, status = str(refused), 400
        else:
            if consultation.opens_at <= now:
                done = _("The consultation is published and open for input until %(deadline)s.")
            else:
                done = _("The consultation is published. It opens for input %(opens)s; the deadline is %(deadline)s.")
            messages.success(
                request,
                done
                % {
                    "opens": services.local_moment(consultation.opens_at),
                    "deadline": services.local_moment(consultation.deadline),
                },
            )
            return redirect("consultations:staff_edit", pk=pk)
    if consultation.is_published and not error:
        messages.info(request, _moved_on(consultation))
        return redirect("consultations:staff_edit", pk=pk)
    context = {
        "consultation": consultation,
        "error": error,
        "opened": consultation.opens_at <= now,
        "opens_text": services.local_moment(consultation.opens_at),
        "deadline_text": services.local_moment(consultation.deadline),
        "section_count": len(selectors.sections_for_staff(consultation)),
        "question_count": len(selectors.questions_of(consultation)),
        "preview_url": _url("detail", pk=consultation.pk),
        "crumbs": _consultation_crumbs(consultation, (_("Publish"), None)),
    }
    return render(request, "consultations/authoring/publish.html", context, status=status)


@require_POST
@staff_only
def late_input(request, pk):
    """Accept input after the deadline, or stop accepting it (for example after an error on the site)."""
    consultation = selectors.consultation_for_staff(pk)
    if not (rules.can_author(request.user, consultation) or rules.can_process(request.user, consultation)):
        raise PermissionDenied
    form = LateInputForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether late input is accepted."))
        return redirect("consultations:staff_edit", pk=pk)
    allow = form.cleaned_data["allow"]
    try:
        services.set_late_input(actor=request.user, consultation=consultation, allow=allow)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("consultations:staff_edit", pk=pk)
    if allow:
        messages.success(request, _("Input sent after the deadline is accepted until processing starts."))
    else:
        messages.success(request, _("Input is no longer accepted after the deadline."))
    if rules.can_author(request.user, consultation):
        return redirect(_edit_url(consultation))
    return redirect(_url("report", pk=pk) or reverse("consultations:staff"))


urlpatterns = [
    path(
        gettext_lazy("manage/"),
        include(
            [
                path("", overview, name="staff"),
                path(gettext_lazy("new/"), new, name="staff_new"),
                path(
                    "<int:pk>/",
                    include(
                        [
                            path("", edit, name="staff_edit"),
                            path(
                                gettext_lazy("sections/"),
                                include(
                                    [
                                        path(gettext_lazy("new/"), section_new, name="section_new"),
                                        path("<int:section_pk>/", section_edit, name="section_edit"),
                                    ]
                                ),
                            ),
                            path(
                                gettext_lazy("questions/"),
                                include(
                                    [
                                        path(gettext_lazy("new/"), question_new, name="question_new"),
                                        path("<int:question_pk>/", question_edit, name="question_edit"),
                                    ]
                                ),
                            ),
                            path(gettext_lazy("documents/"), documents, name="documents"),
                            path(gettext_lazy("publish/"), publish, name="publish"),
                            path(gettext_lazy("late-input/"), late_input, name="late_input"),
                        ]
                    ),
                ),
            ]
        ),
    ),
]
