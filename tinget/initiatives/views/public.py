"""The public pages of citizen initiatives: the list with its filters, one initiative's page, the printable
paper form with a QR code, and the feed (tinget/initiatives/feeds.py).

The numbers shown are the initiative's stored counts, which services.recount refreshes from the signature
rows at most every TINGET_INITIATIVE_COUNT_SECONDS. An initiative's page as a visitor who is not logged in
sees it is the same for every such visitor, so it is kept whole for TINGET_INITIATIVE_PAGE_CACHE_SECONDS in
each process's memory (the "layout" cache, as the hub does): many readers while many sign cost one render
per process every few seconds, and the number shown is at most the two periods behind."""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinget.core import pagecache
from tinget.core.selectors import areas as municipality_areas
from tinget.core.selectors import current_municipality

from .. import rules, selectors, services
from ..feeds import InitiativesFeed
from ..models import State
from ..templatetags.initiatives import state_color

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 100
SORTS = [
    ("activity", gettext_lazy("Most signed the last week")),
    ("new", gettext_lazy("Newest first")),
    ("ending", gettext_lazy("Signing ends soonest")),
]
# States whose counts can still move (signatures come or are withdrawn), so the pages recount them.
COUNTING_STATES = rules.WITHDRAWABLE_STATES


def url_or_none(name, *args):
    """The address of a page another part of the module provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def refresh_counts(initiative, now=None):
    """The initiative with counts no older than TINGET_INITIATIVE_COUNT_SECONDS. The age is looked at here
    first so that a fresh count costs no query; services.recount decides which process does the counting."""
    if initiative.state not in COUNTING_STATES:
        return initiative
    now = now or timezone.now()
    if (
        initiative.counted_at
        and (now - initiative.counted_at).total_seconds() < settings.TINGET_INITIATIVE_COUNT_SECONDS
    ):
        return initiative
    return services.recount(initiative)


def share_url(request, initiative) -> str:
    return request.build_absolute_uri(initiative.get_absolute_url())


# --- The list ---------------------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """The list's filters. A value that is not among the choices is shown as an error and left out."""

    q = forms.CharField(label=gettext_lazy("Words in the title or the proposal"), required=False, max_length=100)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    area = forms.ChoiceField(label=gettext_lazy("Area"), required=False)
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=SORTS)

    def __init__(self, *args, areas=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language()
        self.areas = {area.slug: area for area in areas}
        self.topics = {topic.slug: topic for topic in topics}
        self.fields["state"].choices = [("", _("Any status"))] + [
            (value, label) for value, label in State.choices if value in rules.PUBLIC_STATES
        ]
        self.fields["area"].choices = [("", _("All areas"))] + [(a.slug, a.name) for a in areas]
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (t.slug, t.localized("name", language)) for t in topics
        ]
        self.fields["q"].widget.attrs.update({"autocomplete": "off", "type": "search"})

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def filters(self) -> dict:
        """What filter_public gets: the valid part of what was asked."""
        if not self.is_bound:
            return {"sort": "activity"}
        self.is_valid()
        data = self.cleaned_data
        return {
            "state": data.get("state") or "",
            "area": self.areas.get(data.get("area") or ""),
            "topic": self.topics.get(data.get("topic") or ""),
            "query": data.get("q") or "",
            "sort": data.get("sort") or "activity",
        }


def _decorate(initiatives, now):
    for initiative in initiatives:
        refresh_counts(initiative, now)
        initiative.state_color = state_color(initiative.state)
    return initiatives


@require_safe
def index(request):
    """Public initiatives with filters, sorted by activity, a page at a time. A plain GET form: no script."""
    municipality = current_municipality()
    area_list = list(municipality_areas(municipality)) if municipality else []
    topic_list = list(selectors.topics())
    params = request.GET.copy()
    params.pop("side", None)
    form = FilterForm(params or None, areas=area_list, topics=topic_list)
    filters = form.filters()
    initiatives = selectors.filter_public(selectors.public_initiatives(municipality), **filters)
    page = Paginator(initiatives, PAGE_SIZE).get_page(request.GET.get("side"))
    _decorate(page.object_list, timezone.now())
    filtered = bool(filters.get("state") or filters.get("area") or filters.get("topic") or filters.get("query"))
    return render(
        request,
        "initiatives/public/index.html",
        {
            "form": form,
            "filtered": filtered,
            "page_obj": page,
            "initiatives": page.object_list,
            "total": page.paginator.count,
            "new_url": url_or_none("initiatives:new"),
            "mine_url": url_or_none("initiatives:mine") if request.user.is_authenticated else None,
            "my_signatures_url": url_or_none("initiatives:my_signatures") if request.user.is_authenticated else None,
            "feed_url": reverse("initiatives:feed"),
            "crumbs": [(_("Front page"), reverse("core:hub")), (_("Citizen initiatives"), None)],
        },
    )


# --- One initiative ---------------------------------------------------------------------------------------


@require_safe
def detail(request, pk):
    """One initiative: its text, promoters, count, days left, timeline, signers who show their name, and what
    the viewer can do (sign, withdraw, follow, share, print the paper form). Not public: only for the
    promoter, confirmed co-promoters and staff; everyone else gets 404."""
    seconds = settings.TINGET_INITIATIVE_PAGE_CACHE_SECONDS
    page_key = pagecache.anonymous_key(request, "initiatives:page", seconds)
    if (page := pagecache.cached(page_key)) is not None:
        return page
    user = request.user
    initiative = selectors.initiative_for(pk, user)
    if initiative is None:
        raise Http404
    initiative = refresh_counts(initiative)
    signature = selectors.signature_of(user, initiative) if user.is_authenticated else None
    is_public = initiative.state in rules.PUBLIC_STATES
    signable = initiative.state in rules.SIGNABLE_STATES and not (
        initiative.signing_ends_at and timezone.now() > initiative.signing_ends_at
    )
    response = render(
        request,
        "initiatives/public/detail.html",
        {
            "initiative": initiative,
            "state_color": state_color(initiative.state),
            "is_public": is_public,
            "is_promoter": user.is_authenticated and initiative.promoter_id == user.pk,
            "co_promoters": list(selectors.confirmed_co_promoters(initiative)),
            "steps": list(selectors.steps(initiative)),
            "signers": list(selectors.public_signers(initiative)) if is_public else [],
            "attachments": _attachments(initiative),
            "signable": signable,
            "signature": signature,
            "can_withdraw": signature is not None and initiative.state in rules.WITHDRAWABLE_STATES,
            "sign_url": reverse("initiatives:sign", args=[initiative.pk]),
            "withdraw_url": reverse("initiatives:withdraw_signature", args=[initiative.pk]),
            "paper_form_url": reverse("initiatives:paper_form", args=[initiative.pk]),
            "share_url": share_url(request, initiative),
            "edit_url": url_or_none("initiatives:edit", initiative.pk)
            if user.is_authenticated and initiative.promoter_id == user.pk and initiative.state in rules.EDITABLE_STATES
            else None,
            "staff_url": url_or_none("initiatives:staff_detail", initiative.pk)
            if user.is_authenticated and user.has_perm("initiatives.handle_initiative")
            else None,
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("Citizen initiatives"), reverse("initiatives:index")),
                (initiative.title, None),
            ],
        },
    )
    if user.is_authenticated:
        # What the viewer signed and follows is theirs alone: no shared cache may keep it.
        add_never_cache_headers(response)
    elif is_public:
        pagecache.keep(page_key, request, response, seconds)
    return response


def _attachments(initiative):
    items = []
    for attachment in selectors.attachments_of(initiative):
        items.append(
            {"attachment": attachment, "url": url_or_none("initiatives:attachment", initiative.pk, attachment.pk)}
        )
    return items


# --- The paper form ---------------------------------------------------------------------------------------

PAPER_FORM_LINES = 15


def qr_svg(url: str, label: str) -> str:
    """An inline SVG QR code for `url`, with `label` as its text alternative (role="img" and <title>)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :].lstrip()
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace("<svg ", '<svg class="paper-form__qr" role="img" aria-labelledby="qr-title" ', 1)
    return f'{head}<title id="qr-title">{escape(label)}</title>{svg[head_end:]}'


@require_safe
def paper_form(request, pk):
    """A page to print: the initiative, the law, lines for signatures and where to send them, and a QR code to
    the initiative's page for those who would rather sign online."""
    initiative = selectors.initiative_for(pk, request.user)
    if initiative is None or initiative.state not in rules.PUBLIC_STATES:
        raise Http404
    signable = initiative.state in rules.SIGNABLE_STATES
    address = share_url(request, initiative)
    response = render(
        request,
        "initiatives/public/paper_form.html",
        {
            "initiative": initiative,
            "signable": signable,
            "page_url": address,
            "qr": qr_svg(address, _("QR code that leads to the initiative online: %(url)s") % {"url": address}),
            "lines": range(PAPER_FORM_LINES),
            "crumbs": [
                (_("Front page"), reverse("core:hub")),
                (_("Citizen initiatives"), reverse("initiatives:index")),
                (initiative.title, initiative.get_absolute_url()),
                (_("Paper form"), None),
            ],
        },
        # A form for an initiative that no longer takes signatures is gone, though the page says why.
        status=200 if signable else 410,
    )
    return response


urlpatterns = [
    path("", index, name="index"),
    path("feed.rss", require_safe(InitiativesFeed()), name="feed"),
    path("<int:pk>/", detail, name="detail"),
    path(format_lazy("<int:pk>/{}", gettext_lazy("paper-form/")), paper_form, name="paper_form"),
]
