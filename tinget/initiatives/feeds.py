"""The RSS feed of citizen initiatives: each step of a public initiative is an entry, newest first. A newly
published initiative is its "published" step, so the feed has both the new initiatives and what became of
them (enough signatures, handed over, the case, the meetings, the decision)."""

import uuid

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.html import escape, format_html, linebreaks
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tinget.core.selectors import current_municipality

from . import selectors
from .models import Step

FEED_ITEMS = 50


class InitiativesFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self):
        municipality = current_municipality()
        return _("Citizen initiatives in %(place)s") % {"place": municipality.name if municipality else "Tinget"}

    def link(self):
        return reverse("initiatives:index")

    def description(self):
        return _("New citizen initiatives and each step on their way to the council's decision.")

    def items(self):
        return selectors.public_steps(current_municipality(), limit=FEED_ITEMS)

    def item_title(self, step):
        # Feed titles are read as HTML by many readers: escaped like Django's default (ticket #6533).
        return escape(f"{step.initiative.title}: {step.get_kind_display()}")

    def item_description(self, step):
        initiative = step.initiative
        language = get_language()
        facts = [str(initiative.get_state_display())]
        if initiative.topic_id:
            facts.append(initiative.topic.localized("name", language))
        if initiative.area_id:
            facts.append(initiative.area.name)
        facts.append(
            _("%(count)s of %(required)s signatures")
            % {"count": initiative.total_count, "required": initiative.required_signatures}
        )
        parts = [format_html("<p>{}</p>", " · ".join(facts))]
        if step.case_number:
            parts.append(format_html("<p>{}: {}</p>", _("Case number"), step.case_number))
        if step.meeting:
            parts.append(format_html("<p>{}: {}</p>", _("Meeting"), step.meeting))
        if step.text:
            parts.append(linebreaks(Truncator(step.text).chars(1000), autoescape=True))
        if step.kind == Step.Kind.PUBLISHED:
            parts.append(linebreaks(Truncator(initiative.proposal).chars(500), autoescape=True))
        if initiative.decision_due and step.kind == Step.Kind.HANDED_OVER:
            parts.append(
                format_html(
                    "<p>{}</p>",
                    _("The council must decide by %(date)s.") % {"date": date_format(initiative.decision_due)},
                )
            )
        return "".join(parts)

    def item_link(self, step):
        return f"{step.initiative.get_absolute_url()}#step-{step.pk}"

    def item_guid(self, step):
        # A URN rather than an address: the feed instance serves every request, so it cannot know the host.
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'tinget:initiatives:step:{step.pk}')}"

    item_guid_is_permalink = False

    def item_pubdate(self, step):
        return step.created_at

    def item_categories(self, step):
        initiative = step.initiative
        categories = [str(step.get_kind_display())]
        if initiative.topic_id:
            categories.append(initiative.topic.localized("name", get_language()))
        if initiative.area_id:
            categories.append(initiative.area.name)
        return categories
