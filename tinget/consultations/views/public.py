"""The public pages of consultations: the list with its tabs and filters, a consultation's page, its public input
(all of it and one at a time), its documents and the attachments to input (served from protected storage after a
check), its versions, and the feeds (RSS and the deadlines' iCal calendar, tinget/consultations/feeds.py).

What the public may see is the selectors' business: drafts are 404 except for the staff who may write or process
them, hidden input shows only the moderator's reason, and a sender's name only when they chose to show it
(Submission.public_name).

A consultation's page counts its input per section and per answer; with thousands of inputs that is most of the
page's cost. The page as a visitor who is not logged in sees it is the same for every such visitor, so it is kept
whole for TINGET_CONSULTATION_PAGE_CACHE_SECONDS (default 2) in each process's memory (the "layout" cache, as the
hub and initiatives do): a new input, a change or a moderator's hiding shows at most that much later."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from django.utils.text import format_lazy, slugify
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinget.core import pagecache
from tinget.core.selectors import areas as municipality_areas
from tinget.core.selectors import current_municipality

from .. import rules, selectors
from ..attachments import DOCX, ODT
from ..feeds import ConsultationsFeed, deadlines_calendar
from ..models import Question, State
from ..services import local_moment

QUERY_MAX_LENGTH = 100
DEFAULT_TAB = "open"
# (value, the tab's short label, the list's heading): short enough that the five tabs fit a phone in two lines.
TABS = [
    ("open", gettext_lazy("Open"), gettext_lazy("Open for input")),
    ("upcoming", gettext_lazy("Upcoming"), gettext_lazy("Upcoming")),
    ("closed", gettext_lazy("Closed"), gettext_lazy("Deadline passed")),
    ("concluded", gettext_lazy("Concluded"), gettext_lazy("Concluded")),
    ("all", gettext_lazy("All"), gettext_lazy("All consultations")),
]
# How many of the newest input the consultation's page shows before "all input".
LATEST_INPUT = 3
# Designsystemet colours; the tag always carries the state's name as text.
STATE_COLORS = {
    State.DRAFT: "neutral",
    State.UPCOMING: "info",
    State.OPEN: "success",
    State.CLOSED: "warning",
    State.PROCESSING: "accent",
    State.CONCLUDED: "neutral",
}
# What a file is, for the documents list and the file's name when it is downloaded.
FILE_KINDS = {
    "application/pdf": (gettext_lazy("PDF"), "pdf"),
    DOCX: (gettext_lazy("Word document"), "docx"),
    ODT: (gettext_lazy("OpenDocument text"), "odt"),
    "image/jpeg": (gettext_lazy("JPEG image"), "jpg"),
    "image/png": (gettext_lazy("PNG image"), "png"),
}
# Shown in the browser; everything else is downloaded (a document can do nothing inside the site's pages).
INLINE_TYPES = {"image/jpeg", "image/png"}


def url_or_none(name, *args, query=None):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def state_color(state: str) -> str:
    return STATE_COLORS.get(state, "neutral")


def _days_left(deadline, now) -> str:
    """ "3 days left" while the deadline is a week or less away, "Last day today" on its day, else ""."""
    days = (timezone.localdate(deadline) - timezone.localdate(now)).days
    if days < 0 or days > 7:
        return ""
    if days == 0:
        return _("Last day today")
    return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": days}


def when_text(consultation, state, now) -> str:
    """The one line a visitor needs about time: when it opens, the deadline, or when it was concluded."""
    if state == State.UPCOMING:
        return _("Opens %(when)s") % {"when": local_moment(consultation.opens_at)}
    if state == State.OPEN:
        return _("Deadline %(when)s") % {"when": local_moment(consultation.deadline)}
    if state == State.CONCLUDED and consultation.concluded_at:
        return _("Concluded %(date)s") % {"date": local_moment(consultation.concluded_at)}
    if state == State.DRAFT:
        return _("Deadline %(when)s") % {"when": local_moment(consultation.deadline)}
    return _("The deadline was %(when)s") % {"when": local_moment(consultation.deadline)}


def _decorate(consultation, now):
    """What the templates show about a consultation's state and time, worked out once."""
    state = consultation.state_at(now)
    consultation.current_state = state
    consultation.state_label = State(state).label
    consultation.state_color = state_color(state)
    consultation.when_text = when_text(consultation, state, now)
    consultation.days_left = _days_left(consultation.deadline, now) if state == State.OPEN else ""
    return consultation


def _crumbs(*items):
    return [(_("Front page"), reverse("core:hub")), (_("Consultations"), reverse("consultations:index")), *items]


def _consultation_crumbs(consultation, *items):
    if not items:
        return _crumbs((consultation.title, None))
    return _crumbs((consultation.title, consultation.get_absolute_url()), *items)


# --- The list ---------------------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """The list's filters (the tab is a link, kept in a hidden field). A value that is not among the choices is
    shown as an error and left out."""

    q = forms.CharField(label=gettext_lazy("Words in the title or summary"), required=False, max_length=100)
    area = forms.ChoiceField(label=gettext_lazy("Area"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Responsible unit"), required=False)
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False)

    def __init__(self, *args, areas=(), units=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language()
        self.areas = {area.slug: area for area in areas}
        self.units = {unit.slug: unit for unit in units}
        self.topics = {topic.slug: topic for topic in topics}
        self.fields["area"].choices = [("", _("All areas"))] + [(a.slug, a.name) for a in areas]
        self.fields["unit"].choices = [("", _("All units"))] + [(u.slug, u.name) for u in units]
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (t.slug, t.localized("name", language)) for t in topics
        ]
        self.fields["q"].widget.attrs.update({"autocomplete": "off", "type": "search"})

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def filters(self) -> dict:
        """The valid part of what was asked, as public_list takes it."""
        if not self.is_bound:
            return {"area": None, "unit": None, "topic": None, "query": ""}
        self.is_valid()
        data = self.cleaned_data
        return {
            "area": self.areas.get(data.get("area") or ""),
            "unit": self.units.get(data.get("unit") or ""),
            "topic": self.topics.get(data.get("topic") or ""),
            "query": data.get("q") or "",
        }

    def kept(self) -> dict:
        """The valid filters as query parameters, for the tabs' links."""
        filters = self.filters()
        kept = {}
        for name in ("area", "unit", "topic"):
            if filters[name] is not None:
                kept[name] = filters[name].slug
        if filters["query"]:
            kept["q"] = filters["query"]
        return kept


@require_safe
def index(request):
    """Published consultations, a tab per state (open by default) and filters by area, unit, topic and words, a
    page at a time. Plain links and a GET form: no script."""
    municipality = current_municipality()
    now = timezone.now()
    area_list = list(municipality_areas(municipality)) if municipality else []
    unit_list = list(selectors.public_units(municipality))
    topic_list = list(selectors.topics())
    params = request.GET.copy()
    params.pop("side", None)
    tab = params.pop("state", [DEFAULT_TAB])[-1] or DEFAULT_TAB
    form = FilterForm(params or None, areas=area_list, units=unit_list, topics=topic_list)
    filters = form.filters()
    if tab not in selectors.PUBLIC_TABS:
        if not form.is_bound:
            form = FilterForm({}, areas=area_list, units=unit_list, topics=topic_list)
            form.is_valid()
        form.add_error(None, _("There is no such status to show. Showing the consultations open for input."))
        tab = DEFAULT_TAB
    kept = form.kept()
    counts = selectors.public_tab_counts(municipality=municipality, now=now, **filters)
    tabs = []
    for value, label, _heading in TABS:
        query = {**kept, "state": value} if value != DEFAULT_TAB else kept
        tabs.append(
            {
                "value": value,
                "label": label,
                "count": counts[value],
                "url": reverse("consultations:index") + (f"?{urlencode(query)}" if query else ""),
                "current": value == tab,
            }
        )
    consultations = selectors.public_list(tab=tab, municipality=municipality, now=now, **filters)
    page = Paginator(consultations, settings.TINGET_CONSULTATION_PAGE_SIZE).get_page(request.GET.get("side"))
    items = [_decorate(c, now) for c in page.object_list]
    input_counts = selectors.public_input_counts(c.pk for c in items)
    for consultation in items:
        consultation.input_count = input_counts.get(consultation.pk, 0)
    filtered = any(filters[name] for name in ("area", "unit", "topic", "query"))
    return render(
        request,
        "consultations/public/index.html",
        {
            "form": form,
            "tab": tab,
            "tab_label": next(heading for value, _label, heading in TABS if value == tab),
            "tabs": tabs,
            "filtered": filtered,
            "clear_url": reverse("consultations:index") + (f"?state={tab}" if tab != DEFAULT_TAB else ""),
            "page_obj": page,
            "consultations": items,
            "total": page.paginator.count,
            "counts": counts,
            "feed_url": reverse("consultations:feed"),
            "calendar_url": reverse("consultations:calendar"),
            "mine_url": url_or_none("consultations:mine") if request.user.is_authenticated else None,
            "staff_url": url_or_none("consultations:staff") if rules.can_author(request.user) else None,
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Consultations"), None)],
        },
    )


# --- One consultation -------------------------------------------------------------------------------------


def _file_kind(content_type: str):
    return FILE_KINDS.get(content_type, (_("File"), "bin"))


def _status_sentence(consultation, state, takes_input):
    """What a visitor is told when there is no "Give input" button (or why late input is still taken)."""
    if state == State.DRAFT:
        return _("This is a draft. Only staff can see it until it is published.")
    if state == State.UPCOMING:
        return _("Opens for input on %(when)s.") % {"when": local_moment(consultation.opens_at)}
    if state == State.OPEN:
        return ""
    if state == State.CLOSED and takes_input:
        return _("The deadline was %(when)s, but the municipality still accepts input to this consultation.") % {
            "when": local_moment(consultation.deadline)
        }
    if state == State.CLOSED:
        return _("The deadline was %(when)s. The municipality will now go through the input.") % {
            "when": local_moment(consultation.deadline)
        }
    if state == State.PROCESSING:
        return _("The deadline was %(when)s. The municipality is going through the input.") % {
            "when": local_moment(consultation.deadline)
        }
    # The line above already says when it was concluded: here, where to read what came of it.
    return _("The outcome is below. The deadline for input was %(when)s.") % {
        "when": local_moment(consultation.deadline)
    }


def _results(consultation):
    """The structured questions' answers, as charts with tables (choice, scale) and counts (text)."""
    results = selectors.question_results(consultation, include_hidden=False)
    for result in results:
        result["is_chart"] = result["kind"] in (Question.Kind.CHOICE, Question.Kind.SCALE)
        result["chart_id"] = f"question-{result['question'].pk}"
    return results


@require_safe
def detail(request, pk):
    """A consultation: its state and deadline, the way to give input, the plain-language summary, the text in
    sections, the documents, what changed after publication, the answers to its questions, the newest input, and
    once concluded its outcome. Drafts are only for the staff who may write or process them."""
    seconds = settings.TINGET_CONSULTATION_PAGE_CACHE_SECONDS
    page_key = pagecache.anonymous_key(request, "consultations:page", seconds)
    if (page := pagecache.cached(page_key)) is not None:
        return page
    user = request.user
    consultation = selectors.consultation_for_viewer(pk, user)
    now = timezone.now()
    _decorate(consultation, now)
    state = consultation.current_state
    takes_input = rules.takes_input(consultation, now)
    give_input_url = url_or_none("consultations:give_input", consultation.pk) if takes_input else None
    sections, input_total = selectors.public_sections(consultation)
    for section in sections:
        section.comment_url = (
            url_or_none("consultations:give_input", consultation.pk, query={"section": section.pk})
            if give_input_url
            else None
        )
        section.comments_url = (
            reverse("consultations:submissions", args=[consultation.pk]) + f"?{urlencode({'section': section.pk})}"
        )
    documents = selectors.documents_of(consultation)
    for document in documents:
        document.kind_label = _file_kind(document.content_type)[0]
        document.url = reverse("consultations:document", args=[consultation.pk, document.pk])
    results = _results(consultation)
    response = render(
        request,
        "consultations/public/detail.html",
        {
            "consultation": consultation,
            "state": state,
            "is_draft": state == State.DRAFT,
            "takes_input": takes_input,
            "give_input_url": give_input_url,
            "status_sentence": _status_sentence(consultation, state, takes_input),
            "sections": sections,
            "documents": documents,
            "latest_version": selectors.latest_version(consultation) if consultation.version > 1 else None,
            "versions_url": reverse("consultations:versions", args=[consultation.pk]),
            "results": results,
            "has_results": any(r["total"] for r in results),
            "latest_input": selectors.latest_public_submissions(consultation, LATEST_INPUT) if input_total else [],
            "input_total": input_total,
            "submissions_url": reverse("consultations:submissions", args=[consultation.pk]),
            "show_report": state in (State.CLOSED, State.PROCESSING, State.CONCLUDED) and consultation.input_report,
            "edit_url": url_or_none("consultations:staff_edit", consultation.pk)
            if rules.can_author(user, consultation)
            else None,
            "process_url": url_or_none("consultations:report", consultation.pk)
            if rules.can_process(user, consultation) and state != State.DRAFT
            else None,
            "crumbs": _consultation_crumbs(consultation),
        },
    )
    if user.is_authenticated:
        # What the viewer follows (and, for staff, drafts) is theirs alone: no shared cache may keep it.
        add_never_cache_headers(response)
    elif state != State.DRAFT:
        pagecache.keep(page_key, request, response, seconds)
    return response


# --- Input ------------------------------------------------------------------------------------------------


def _section_filter(request, sections):
    """The section asked for in ?section=, or None; and whether the value asked for was not one of them."""
    raw = request.GET.get("section", "")
    if not raw:
        return None, False
    by_pk = {str(s.pk): s for s in sections}
    section = by_pk.get(raw.strip())
    return section, section is None


def _attachment_links(consultation, submission):
    return [
        {
            "attachment": a,
            "kind": _file_kind(a.content_type)[0],
            "url": reverse("consultations:attachment", args=[consultation.pk, submission.number, a.pk]),
        }
        for a in submission.attachments.all()
    ]


@require_safe
def submissions(request, pk):
    """All sent input, in the order received, a page at a time, optionally on one section. Hidden input keeps its
    place and number, with the moderator's reason instead of its text and attachments."""
    consultation = selectors.consultation_for_viewer(pk, request.user)
    now = timezone.now()
    _decorate(consultation, now)
    sections, _total = selectors.public_sections(consultation)
    section, unknown_section = _section_filter(request, sections)
    rows = selectors.public_submissions(consultation, section=section)
    page = Paginator(rows, settings.TINGET_CONSULTATION_PAGE_SIZE).get_page(request.GET.get("side"))
    items = list(page.object_list)
    for submission in items:
        submission.attachment_links = [] if submission.is_hidden else _attachment_links(consultation, submission)
    return render(
        request,
        "consultations/public/submissions.html",
        {
            "consultation": consultation,
            "sections": sections,
            "section": section,
            "unknown_section": unknown_section,
            "page_obj": page,
            "submissions": items,
            "total": page.paginator.count,
            "give_input_url": url_or_none("consultations:give_input", consultation.pk)
            if rules.takes_input(consultation, now)
            else None,
            "crumbs": _consultation_crumbs(consultation, (_("Input"), None)),
        },
    )


@require_safe
def submission(request, pk, number):
    """One sent input on its own page: as in the list, with its answers and the municipality's response."""
    consultation = selectors.consultation_for_viewer(pk, request.user)
    _decorate(consultation, timezone.now())
    found = selectors.public_submission(consultation, number)
    answers = []
    if not found.is_hidden:
        answers = sorted(found.answers.all(), key=lambda a: (a.question.order, a.question.pk))
    return render(
        request,
        "consultations/public/submission.html",
        {
            "consultation": consultation,
            "submission": found,
            "answers": answers,
            "attachment_links": [] if found.is_hidden else _attachment_links(consultation, found),
            "submissions_url": reverse("consultations:submissions", args=[consultation.pk]),
            "crumbs": _consultation_crumbs(
                consultation,
                (_("Input"), reverse("consultations:submissions", args=[consultation.pk])),
                (_("Input %(number)s") % {"number": found.number}, None),
            ),
        },
    )


# --- Files ------------------------------------------------------------------------------------------------


def _safe_filename(name: str, content_type: str, fallback: str) -> str:
    """A download's name: the given name's letters and digits (Norwegian letters kept), with the extension of
    what the file is (its checked content type), never the one the sender gave it."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = slugify(stem, allow_unicode=True)[:80] or fallback
    return f"{stem}.{_file_kind(content_type)[1]}"


def _serve(stored, *, content_type: str, filename: str, public: bool):
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=content_type not in INLINE_TYPES, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        patch_cache_control(response, public=True, max_age=300)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def document(request, pk, document_pk):
    """A document published with the consultation; a draft's documents only for the staff who may see the draft."""
    consultation = selectors.consultation_for_viewer(pk, request.user)
    found = selectors.public_document(consultation, document_pk)
    if found is None:
        raise Http404
    return _serve(
        found.file,
        content_type=found.content_type,
        filename=_safe_filename(found.title, found.content_type, "dokument"),
        public=consultation.is_published,
    )


@require_safe
def attachment(request, pk, number, attachment_pk):
    """An attachment to sent input: for everyone unless a moderator hid the input, then only for the staff who
    may process or moderate this consultation's input."""
    user = request.user
    consultation = selectors.consultation_for_viewer(pk, user)
    found = selectors.public_attachment(consultation, number, attachment_pk)
    if found is None:
        raise Http404
    public = not found.submission.is_hidden and consultation.is_published
    if not public and not (rules.can_process(user, consultation) or rules.can_moderate(user, consultation)):
        raise Http404
    return _serve(
        found.file,
        content_type=found.content_type,
        filename=_safe_filename(found.filename, found.content_type, "vedlegg"),
        # Staff fetching hidden input's file: nobody else's cache keeps it. Public files may be hidden later, so
        # they are kept briefly.
        public=public,
    )


# --- Versions ---------------------------------------------------------------------------------------------


@require_safe
def versions(request, pk):
    """Every version of the published text: when, and what changed."""
    consultation = selectors.consultation_for_viewer(pk, request.user)
    _decorate(consultation, timezone.now())
    items = list(selectors.public_versions(consultation))
    for version in items:
        version.url = reverse("consultations:version", args=[consultation.pk, version.number])
    return render(
        request,
        "consultations/public/versions.html",
        {
            "consultation": consultation,
            "versions": items,
            "crumbs": _consultation_crumbs(consultation, (_("Versions"), None)),
        },
    )


SNAPSHOT_FIELDS = [
    ("title", gettext_lazy("Title")),
    ("summary", gettext_lazy("What this is about")),
    ("influence", gettext_lazy("What you can influence")),
    ("next_steps", gettext_lazy("What happens next")),
    ("opens_at", gettext_lazy("Opens")),
    ("deadline", gettext_lazy("Deadline")),
]


def _moment(value):
    try:
        return local_moment(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return ""


def compare(snapshot: dict, previous: dict | None) -> dict:
    """The version's text with what changed since `previous`: each section marked "new", "changed" or "", the
    sections taken out, the summary's fields that changed, and the documents added or taken out."""
    snapshot = snapshot or {}
    old_sections = {s.get("id"): s for s in (previous or {}).get("sections", [])}
    sections = []
    for section in snapshot.get("sections", []):
        old = old_sections.get(section.get("id"))
        if previous is None:
            change = ""
        elif old is None:
            change = "new"
        elif any(old.get(k) != section.get(k) for k in ("number", "heading", "body")):
            change = "changed"
        else:
            change = ""
        sections.append({**section, "change": change})
    current_ids = {s.get("id") for s in snapshot.get("sections", [])}
    removed = [s for pk, s in old_sections.items() if pk not in current_ids]
    changed_fields = []
    if previous is not None:
        changed_fields = [str(label) for name, label in SNAPSHOT_FIELDS if previous.get(name) != snapshot.get(name)]
    old_documents = {d.get("id"): d for d in (previous or {}).get("documents", [])}
    new_documents = {d.get("id"): d for d in snapshot.get("documents", [])}
    return {
        "sections": sections,
        "removed": removed,
        "changed_fields": changed_fields,
        "documents": list(new_documents.values()),
        "documents_added": [d for pk, d in new_documents.items() if previous is not None and pk not in old_documents],
        "documents_removed": [d for pk, d in old_documents.items() if pk not in new_documents],
    }


@require_safe
def version(request, pk, number):
    """The text as it was in one version, with what changed since the one before it."""
    consultation = selectors.consultation_for_viewer(pk, request.user)
    _decorate(consultation, timezone.now())
    found, previous = selectors.public_version(consultation, number)
    snapshot = found.snapshot or {}
    return render(
        request,
        "consultations/public/version.html",
        {
            "consultation": consultation,
            "version": found,
            "previous": previous,
            "snapshot": snapshot,
            "opens_text": _moment(snapshot.get("opens_at")),
            "deadline_text": _moment(snapshot.get("deadline")),
            "diff": compare(snapshot, previous.snapshot if previous else None),
            "is_current": found.number == consultation.version,
            "versions_url": reverse("consultations:versions", args=[consultation.pk]),
            "crumbs": _consultation_crumbs(
                consultation,
                (_("Versions"), reverse("consultations:versions", args=[consultation.pk])),
                (_("Version %(number)s") % {"number": found.number}, None),
            ),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("feed.rss", require_safe(ConsultationsFeed()), name="feed"),
    path(gettext_lazy("deadlines.ics"), deadlines_calendar, name="calendar"),
    path("<int:pk>/", detail, name="detail"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("input/")), submissions, name="submissions"),
    path(format_lazy("<int:pk>/{}<int:number>/", gettext_lazy("input/")), submission, name="submission"),
    path(
        format_lazy(
            "<int:pk>/{}<int:number>/{}<int:attachment_pk>/", gettext_lazy("input/"), gettext_lazy("attachments/")
        ),
        attachment,
        name="attachment",
    ),
    path(format_lazy("<int:pk>/{}<int:document_pk>/", gettext_lazy("documents/")), document, name="document"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("versions/")), versions, name="versions"),
    path(format_lazy("<int:pk>/{}<int:number>/", gettext_lazy("versions/")), version, name="version"),
]
