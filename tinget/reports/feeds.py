"""RSS and Atom feeds of new and changed public fault reports: for the whole municipality, for one area
(?area=slug) and for one category (?category=slug), or both.

Each change to a report gives a new entry id (the report's address with the time of the change), so a feed
reader shows the report again when its status moves, not only when it is new."""

import uuid

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html, linebreaks
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tinget.core.selectors import area_by_slug, current_municipality

from . import selectors
from .models import Category

FEED_ITEMS = 50
SLUG_MAX_LENGTH = 60


class RssReportsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request):
        """(area, category) from the query; an unknown one is a 404 rather than a feed of everything."""
        area = category = None
        area_slug = request.GET.get("area", "").strip()
        category_slug = request.GET.get("category", "").strip()
        if len(area_slug) > SLUG_MAX_LENGTH or len(category_slug) > SLUG_MAX_LENGTH:
            raise Http404
        if area_slug:
            municipality = current_municipality()
            area = area_by_slug(municipality, area_slug) if municipality else None
            if area is None:
                raise Http404
        if category_slug:
            category = Category.objects.filter(slug=category_slug).first()
            if category is None:
                raise Http404
        return area, category

    def title(self, obj):
        area, category = obj
        municipality = current_municipality()
        place = area.name if area else (municipality.name if municipality else "Tinget")
        if category:
            return _("Fault reports: %(category)s in %(place)s") % {
                "category": category.localized("name", get_language()),
                "place": place,
            }
        return _("Fault reports in %(place)s") % {"place": place}

    def link(self, obj):
        area, category = obj
        params = []
        if area:
            params.append(f"area={area.slug}")
        if category:
            params.append(f"category={category.slug}")
        return reverse("reports:index") + ("?" + "&".join(params) if params else "")

    def description(self, obj):
        return _("New fault reports and reports whose status has changed.")

    def subtitle(self, obj):
        return self.description(obj)

    def items(self, obj):
        area, category = obj
        filters = selectors.ReportFilters(
            area_id=area.pk if area else None, category_id=category.pk if category else None
        )
        return selectors.public_feed_reports(filters, limit=FEED_ITEMS)

    def item_title(self, item):
        # Feed titles are read as HTML by many readers: escaped like Django's default (ticket #6533).
        return escape(f"#{item.pk} {item.title} ({item.get_state_display()})")

    def item_description(self, item):
        language = get_language()
        facts = [str(item.get_state_display()), item.category.localized("name", language)]
        if item.area_id:
            facts.append(item.area.name)
        if item.address:
            facts.append(item.address)
        summary = format_html("<p>{}</p>", " · ".join(facts))
        text = Truncator(item.description).chars(500)
        return summary + (linebreaks(text, autoescape=True) if text else "")

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # A URN rather than an address: the feed instance serves every request, so it cannot know the host.
        changed = int(item.updated_at.timestamp())
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'tinget:reports:{item.pk}:{changed}')}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.confirmed_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        categories = [item.category.localized("name", get_language())]
        if item.area_id:
            categories.append(item.area.name)
        return categories


class AtomReportsFeed(RssReportsFeed):
    feed_type = Atom1Feed
