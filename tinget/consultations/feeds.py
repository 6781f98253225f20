"""Consultations' feeds: RSS of published consultations, newest first, and an iCal calendar of the deadlines of
those open or upcoming, which a calendar app can subscribe to (deadlines.ics)."""

import uuid

import icalendar
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape, format_html, linebreaks
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinget.core.selectors import current_municipality

from . import selectors
from .models import State
from .services import local_moment

FEED_ITEMS = 50


def _place():
    municipality = current_municipality()
    return municipality.name if municipality else "Tinget"


class ConsultationsFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self):
        return _("Consultations in %(place)s") % {"place": _place()}

    def link(self):
        return reverse("consultations:index")

    def description(self):
        return _("Cases and plans the municipality has put out for consultation, and the deadlines for input.")

    def items(self):
        return selectors.feed_consultations(current_municipality(), limit=FEED_ITEMS)

    def item_title(self, consultation):
        # Feed titles are read as HTML by many readers: escaped like Django's default (ticket #6533).
        return escape(consultation.title)

    def item_description(self, consultation):
        now = timezone.now()
        state = consultation.state_at(now)
        facts = [str(State(state).label)]
        if state == State.UPCOMING:
            facts.append(_("Opens %(when)s") % {"when": local_moment(consultation.opens_at)})
        if state in (State.UPCOMING, State.OPEN):
            facts.append(_("Deadline %(when)s") % {"when": local_moment(consultation.deadline)})
        else:
            facts.append(_("The deadline was %(when)s") % {"when": local_moment(consultation.deadline)})
        facts.append(consultation.unit.name)
        parts = [format_html("<p>{}</p>", " · ".join(facts))]
        if consultation.case_number:
            parts.append(format_html("<p>{}: {}</p>", _("Case number"), consultation.case_number))
        parts.append(linebreaks(Truncator(consultation.summary).chars(1000), autoescape=True))
        if state == State.CONCLUDED and consultation.outcome:
            parts.append(format_html("<p><strong>{}</strong></p>", _("Outcome")))
            parts.append(linebreaks(Truncator(consultation.outcome).chars(1000), autoescape=True))
        return "".join(parts)

    def item_link(self, consultation):
        return consultation.get_absolute_url()

    def item_guid(self, consultation):
        # A URN rather than an address: the feed instance serves every request, so it cannot know the host.
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'tinget:consultations:consultation:{consultation.pk}')}"

    item_guid_is_permalink = False

    def item_pubdate(self, consultation):
        return consultation.published_at

    def item_updateddate(self, consultation):
        return consultation.updated_at

    def item_categories(self, consultation):
        categories = []
        if consultation.topic_id:
            categories.append(consultation.topic.localized("name", get_language()))
        categories.extend(area.name for area in consultation.areas.all())
        return categories


def deadline_uid(consultation, municipality) -> str:
    """The same for a consultation's deadline event however often it moves, so calendars update it in place. The
    municipality's number, not the host name: an installation may be reached by more than one name."""
    number = municipality.number if municipality else "0000"
    return f"consultation-{consultation.pk}-deadline@{number}.tinget"


@require_safe
def deadlines_calendar(request):
    """An iCalendar (RFC 5545) file with a VEVENT at each open or upcoming consultation's deadline."""
    municipality = current_municipality()
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Tinget//Consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("Consultation deadlines in %(place)s") % {"place": _place()}
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Oslo")
    for consultation in selectors.calendar_consultations(municipality, now=now):
        url = request.build_absolute_uri(consultation.get_absolute_url())
        event = icalendar.Event()
        event.add("uid", deadline_uid(consultation, municipality))
        event.add("dtstamp", now)
        # A moment, not a day: the event is the deadline itself, in UTC (the calendar shows it in local time).
        event.add("dtstart", consultation.deadline)
        event.add("dtend", consultation.deadline)
        event.add("summary", _("Deadline: %(title)s") % {"title": consultation.title})
        event.add("description", f"{Truncator(consultation.summary).chars(500)}\n\n{url}")
        event.add("url", url)
        event.add("last-modified", consultation.updated_at)
        event.add("sequence", consultation.version)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response
