"""The RSS feed of citizen initiatives: public initiatives and their steps, newest first, valid RSS 2.0."""

import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone

from tinget.initiatives import services
from tinget.initiatives.models import Step

from .conftest import DRAFT
from .test_public import hand_over_now, publish, reverse

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
    return client.get(reverse("initiatives:feed"))


def test_the_feed_is_valid_rss_with_the_public_initiatives(client, collecting, promoter, municipality):
    services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, "title": "Hemmelig utkast"})
    channel, items = rss_items(feed(client))
    # Absolute addresses on the site's domain (django.contrib.sites; the demo sets it, tests have example.com).
    assert channel.findtext("link") == f"http://example.com{reverse('initiatives:index')}"
    assert len(items) == 1
    item = items[0]
    assert collecting.title in item.findtext("title")
    step = collecting.steps.get()
    assert (
        item.findtext("link")
        == f"http://example.com{reverse('initiatives:detail', args=[collecting.pk])}#step-{step.pk}"
    )
    assert item.find("guid").attrib["isPermaLink"] == "false"
    assert parsedate_to_datetime(item.findtext("pubDate")) <= timezone.now()
    assert collecting.proposal in item.findtext("description")
    assert "Hemmelig utkast" not in feed(client).content.decode()


def test_the_feed_follows_an_initiative_to_its_decision(client, collecting, signer, promoter, case_worker):
    initiative = hand_over_now(collecting, signer, promoter)
    services.record_step(
        actor=case_worker,
        initiative=initiative,
        kind=Step.Kind.DECIDED,
        happened_on=timezone.localdate(),
        text="Vedtatt.",
        case_number="25/77",
    )
    _channel, items = rss_items(feed(client))
    kinds = [item.findtext("title").split(": ", 1)[1] for item in items]
    assert kinds[0] == "Decided"
    assert set(kinds) >= {"Published for signing", "Enough signatures", "Handed over to the municipality", "Decided"}
    guids = [item.findtext("guid") for item in items]
    assert len(set(guids)) == len(guids)
    assert "Vedtatt." in items[0].findtext("description") and "25/77" in items[0].findtext("description")


def test_a_withdrawn_initiative_leaves_the_feed(client, collecting, promoter):
    services.withdraw(actor=promoter, initiative=collecting)
    _channel, items = rss_items(feed(client))
    assert items == []


def test_markup_in_a_title_is_escaped(client, promoter, case_worker, municipality):
    publish(promoter, case_worker, municipality, title='<script>alert("x")</script>')
    _channel, items = rss_items(feed(client))
    assert "<script>" not in items[0].findtext("title")


def test_the_feed_query_count_is_bounded(client, promoter, case_worker, municipality, django_assert_max_num_queries):
    for number in range(5):
        publish(promoter, case_worker, municipality, title=f"Forslag {number}")
    with django_assert_max_num_queries(3):
        assert feed(client).status_code == 200


def test_the_feed_answers_get_and_head_only(client, municipality):
    assert client.head(reverse("initiatives:feed")).status_code == 200
    assert client.post(reverse("initiatives:feed")).status_code == 405
