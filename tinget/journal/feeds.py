"""The mail journal's feed: RSS 2.0 of the newest entries matching a search, so that a saved search tells its
reader when a new entry matches ("tell me when"). The search is the search page's own URL parameters, checked by
forms.SearchForm in views/public.feed.

Items carry what the search list shows except correspondents' names: a feed is copied into readers and archives
that the twelve months after which personal names stop being searchable cannot reach. The entry's page has them.
"""

import uuid

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tinget.core.selectors import current_municipality

from . import selectors
from .forms import query_items
from .models import Document

FEED_ITEMS = 50


def _place():
    municipality = current_municipality()
    return municipality.name if municipality else "Tinget"


def describe(params: selectors.SearchParams) -> str:
    """The search in a few words, for the feed's title."""
    parts = []
    if params.text:
        parts.append(f"“{Truncator(params.text).chars(60)}”")
    if params.case:
        parts.append(_("case %(number)s") % {"number": params.case})
    if params.types:
        parts.append(_("type %(types)s") % {"types": ", ".join(params.types)})
    if params.units:
        parts.append(_("unit %(units)s") % {"units": ", ".join(params.units)})
    if params.year:
        parts.append(str(params.year))
    if params.date_from or params.date_to:
        start = date_format(params.date_from, "SHORT_DATE_FORMAT") if params.date_from else ""
        end = date_format(params.date_to, "SHORT_DATE_FORMAT") if params.date_to else ""
        parts.append(f"{start}\u2013{end}")
    return ", ".join(parts)


class SearchFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, params=None):
        return params or selectors.SearchParams()

    def title(self, params):
        summary = describe(params)
        if summary:
            return _("Mail journal of %(place)s: %(search)s") % {"place": _place(), "search": summary}
        return _("Mail journal of %(place)s") % {"place": _place()}

    def link(self, params):
        query = query_items(params)
        return reverse("journal:index") + (f"?{urlencode(query)}" if query else "")

    def feed_url(self, params):
        query = query_items(params)
        return reverse("journal:feed") + (f"?{urlencode(query)}" if query else "")

    def description(self, params):
        return _("New entries in the public mail journal that match this search.")

    def items(self, params):
        entries = selectors.newest_matching(params, limit=FEED_ITEMS)
        prefetch_related_objects(entries, Prefetch("documents", queryset=Document.objects.order_by("order", "pk")))
        return entries

    def item_title(self, entry):
        # Feed titles are read as HTML by many readers: escaped like Django's default (ticket #6533).
        return escape(f"{entry.entry_number} {entry.public_title}")

    def item_description(self, entry):
        facts = [
            entry.get_type_display(),
            entry.unit.name,
            _("Journal date %(date)s") % {"date": date_format(entry.journal_date, "DATE_FORMAT")},
        ]
        if entry.document_date:
            facts.append(_("Document date %(date)s") % {"date": date_format(entry.document_date, "DATE_FORMAT")})
        parts = [format_html("<p>{}</p>", " · ".join(str(f) for f in facts))]
        parts.append(
            format_html("<p>{}: {} {}</p>", _("Case"), entry.case.case_number, entry.case.public_title),
        )
        if entry.screened:
            parts.append(format_html("<p>{}: {}</p>", _("Screened"), entry.legal_basis or entry.restriction_code))
        documents = list(entry.documents.all())
        if documents:
            parts.append(
                format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((d.title,) for d in documents)))
            )
        return "".join(parts)

    def item_link(self, entry):
        return entry.get_absolute_url()

    def item_guid(self, entry):
        # A URN rather than an address: the same entry has a page in each language.
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'tinget:journal:entry:{entry.pk}')}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_categories(self, entry):
        return [entry.get_type_display(), entry.unit.name]
