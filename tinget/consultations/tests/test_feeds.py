"""Consultations' feeds: valid RSS 2.0 of published consultations, newest first, and an iCalendar of the deadlines
of open and upcoming ones that icalendar itself parses."""

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import icalendar
import pytest
from django.utils import timezone

from tinget.consultations import services
from tinget.consultations.models import Consultation

from .conftest import pass_deadline
from .test_public import make_consultation, reverse

pytestmark = pytest.mark.django_db


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.attrib["version"] == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), required
    return channel, channel.findall("item")


def feed(client):
    return client.get(reverse("consultations:feed"))


def calendar(client):
    response = client.get(reverse("consultations:calendar"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    assert str(parsed["VERSION"]) == "2.0" and parsed.get("PRODID")
    return parsed, list(parsed.walk("VEVENT"))


# --- RSS -------------------------------------------------------------------------------------------------------


def test_the_feed_is_valid_rss_with_published_consultations_newest_first(
    client, open_consultation, case_worker, municipality, unit
):
    make_consultation(case_worker, municipality, unit, publish=False, title="Hemmelig utkast")
    newer = make_consultation(case_worker, municipality, unit, title="Budsjett 2027")
    Consultation.objects.filter(pk=newer.pk).update(published_at=timezone.now() + dt.timedelta(minutes=1))
    channel, items = rss_items(feed(client))
    assert channel.findtext("link") == f"http://example.com{reverse('consultations:index')}"
    assert [item.findtext("title") for item in items] == ["Budsjett 2027", open_consultation.title]
    item = items[1]
    assert item.findtext("link") == f"http://example.com{reverse('consultations:detail', args=[open_consultation.pk])}"
    assert item.find("guid").attrib["isPermaLink"] == "false"
    assert parsedate_to_datetime(item.findtext("pubDate")) <= timezone.now()
    description = item.findtext("description")
    assert open_consultation.summary in description and "Open for input" in description
    assert "Hemmelig utkast" not in feed(client).content.decode()


def test_a_concluded_consultation_carries_its_outcome(client, closed_consultation, case_worker):
    services.conclude(actor=case_worker, consultation=closed_consultation, outcome="Vedtatt med endringer.")
    _channel, items = rss_items(feed(client))
    assert "Vedtatt med endringer." in items[0].findtext("description")
    assert "Concluded" in items[0].findtext("description")


def test_guids_are_stable_and_unique(client, open_consultation, case_worker, municipality, unit):
    make_consultation(case_worker, municipality, unit, title="Annen")
    _channel, first = rss_items(feed(client))
    _channel, second = rss_items(feed(client))
    guids = [item.findtext("guid") for item in first]
    assert len(set(guids)) == 2 and guids == [item.findtext("guid") for item in second]


def test_markup_in_a_title_is_escaped(client, case_worker, municipality, unit):
    consultation = make_consultation(case_worker, municipality, unit)
    Consultation.objects.filter(pk=consultation.pk).update(title='<script>alert("x")</script>')
    _channel, items = rss_items(feed(client))
    assert "<script>" not in items[0].findtext("title")


def test_the_feed_query_count_is_bounded(client, case_worker, municipality, unit, django_assert_max_num_queries):
    for number in range(6):
        make_consultation(case_worker, municipality, unit, title=f"Plan {number}")
    with django_assert_max_num_queries(4):
        assert feed(client).status_code == 200


def test_the_feed_answers_get_and_head_only(client, municipality):
    assert client.head(reverse("consultations:feed")).status_code == 200
    assert client.post(reverse("consultations:feed")).status_code == 405


# --- iCal ------------------------------------------------------------------------------------------------------


def test_the_calendar_has_a_deadline_event_per_open_or_upcoming_consultation(
    client, open_consultation, case_worker, municipality, unit
):
    now = timezone.now()
    upcoming = make_consultation(
        case_worker,
        municipality,
        unit,
        title="Budsjett 2027",
        opens_at=now + dt.timedelta(days=3),
        deadline=now + dt.timedelta(days=60),
    )
    make_consultation(case_worker, municipality, unit, publish=False, title="Hemmelig utkast")
    pass_deadline(make_consultation(case_worker, municipality, unit, title="Forbi fristen"))
    _calendar, events = calendar(client)
    assert [str(e["SUMMARY"]) for e in events] == [
        f"Deadline: {open_consultation.title}",
        "Deadline: Budsjett 2027",
    ]
    event = events[0]
    assert event.decoded("DTSTART") == open_consultation.deadline.replace(microsecond=0)  # iCal counts seconds
    assert str(event["URL"]) == f"http://testserver{reverse('consultations:detail', args=[open_consultation.pk])}"
    assert event.get("UID") and event.get("DTSTAMP")
    assert events[1].decoded("DTSTART") == upcoming.deadline.replace(microsecond=0)


def test_the_uid_stays_when_the_deadline_moves(client, open_consultation, case_worker):
    _calendar, before = calendar(client)
    services.consultation_update(
        actor=case_worker,
        consultation=open_consultation,
        data={"deadline": open_consultation.deadline + dt.timedelta(days=7)},
        note="Forlenget fristen.",
    )
    _calendar, after = calendar(client)
    assert str(before[0]["UID"]) == str(after[0]["UID"])
    assert after[0].decoded("DTSTART") == (open_consultation.deadline + dt.timedelta(days=7)).replace(microsecond=0)
    assert int(after[0]["SEQUENCE"]) > int(before[0]["SEQUENCE"])


def test_an_empty_calendar_is_still_a_calendar(client, municipality):
    _calendar, events = calendar(client)
    assert events == []


def test_text_in_the_calendar_is_escaped_for_ical(client, case_worker, municipality, unit):
    consultation = make_consultation(case_worker, municipality, unit)
    Consultation.objects.filter(pk=consultation.pk).update(title="Plan; med, komma\nog linjeskift")
    _calendar, events = calendar(client)
    assert str(events[0]["SUMMARY"]) == "Deadline: Plan; med, komma\nog linjeskift"


def test_the_calendar_query_count_is_bounded(client, case_worker, municipality, unit, django_assert_max_num_queries):
    for number in range(6):
        make_consultation(case_worker, municipality, unit, title=f"Plan {number}")
    with django_assert_max_num_queries(2):
        calendar(client)


def test_the_calendar_answers_get_and_head_only(client, municipality):
    assert client.head(reverse("consultations:calendar")).status_code == 200
    assert client.post(reverse("consultations:calendar")).status_code == 405
