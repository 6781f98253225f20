"""RSS and Atom feeds of new and changed public fault reports."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from tinget.reports import services
from tinget.reports.models import Report, State

from .conftest import ASKER
from .factories import CategoryFactory

ATOM = "{http://www.w3.org/2005/Atom}"
SLEMMESTAD = (59.7801, 10.4951)


def make(actor, category, title, at=ASKER, **kwargs):
    return services.report_create(
        actor=actor, category=category, latitude=at[0], longitude=at[1], title=title, **kwargs
    )


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss"
    return root.find("channel"), root.findall("channel/item")


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


@pytest.fixture
def reports(pothole, resident, moderator):
    light = CategoryFactory(slug="gatelys", name="Gatelys")
    hole = make(resident, pothole, "Hull ved skolen")
    lamp = make(resident, light, "Mørk lyktestolpe", at=SLEMMESTAD)
    services.report_create(
        actor=AnonymousUser(),
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        title="Ikke bekreftet",
        reporter=services.Reporter(name="Ola", email="ola@example.no"),
    )
    hidden = make(resident, pothole, "Skjult")
    services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Spam")
    return hole, lamp


def test_rss_lists_public_reports(client, reports):
    hole, lamp = reports
    channel, items = rss_items(client.get(reverse("reports:feed_rss")))
    assert channel.find("title").text
    titles = [item.find("title").text for item in items]
    assert titles == [
        f"#{lamp.pk} Mørk lyktestolpe ({State.OPEN.label})",
        f"#{hole.pk} Hull ved skolen ({State.OPEN.label})",
    ]
    links = [item.find("link").text for item in items]
    assert links[1].endswith(hole.get_absolute_url())
    assert all(item.find("guid").get("isPermaLink") == "false" for item in items)
    assert all(item.find("pubDate").text for item in items)
    assert "Skjult" not in response_text(client) and "Ikke bekreftet" not in response_text(client)


def response_text(client):
    return (
        client.get(reverse("reports:feed_rss")).content.decode()
        + client.get(reverse("reports:feed_atom")).content.decode()
    )


def test_atom_lists_public_reports(client, reports):
    root, entries = atom_entries(client.get(reverse("reports:feed_atom")))
    assert root.find(f"{ATOM}title").text
    assert root.find(f"{ATOM}id").text
    assert len(entries) == 2
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}link").get("href")


def test_the_index_links_its_feeds(client, reports):
    content = client.get(reverse("reports:index")).content.decode()
    assert f'href="{reverse("reports:feed_rss")}"' in content
    assert f'href="{reverse("reports:feed_atom")}"' in content


def test_feed_per_area_and_category(client, reports):
    hole, lamp = reports
    _, items = rss_items(client.get(reverse("reports:feed_rss"), {"area": "slemmestad"}))
    assert [item.find("link").text.rsplit("/", 2)[-2] for item in items] == [str(lamp.pk)]
    _, items = rss_items(client.get(reverse("reports:feed_rss"), {"category": "hull-i-veien"}))
    assert [item.find("link").text.rsplit("/", 2)[-2] for item in items] == [str(hole.pk)]
    channel, items = rss_items(client.get(reverse("reports:feed_rss"), {"category": "gatelys", "area": "slemmestad"}))
    assert len(items) == 1
    assert "Gatelys" in channel.find("title").text and "Slemmestad" in channel.find("title").text
    _, entries = atom_entries(client.get(reverse("reports:feed_atom"), {"area": "asker-sentrum"}))
    assert len(entries) == 1


def test_index_links_the_narrowed_feed(client, reports):
    content = client.get(reverse("reports:index"), {"area": "slemmestad", "category": "gatelys"}).content.decode()
    assert reverse("reports:feed_rss") + "?area=slemmestad&amp;category=gatelys" in content


@pytest.mark.parametrize(
    "params", [{"area": "oslo"}, {"category": "finnes-ikke"}, {"area": "x" * 500}, {"category": "group:lys"}]
)
def test_unknown_area_or_category_is_404(client, reports, params):
    assert client.get(reverse("reports:feed_rss"), params).status_code == 404
    assert client.get(reverse("reports:feed_atom"), params).status_code == 404


def test_a_change_gives_a_new_entry(client, reports, case_worker):
    hole, _ = reports
    # An entry's id carries the second of the last change: let the report be five minutes old.
    Report.objects.filter(pk=hole.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    before = {item.find("guid").text for item in rss_items(client.get(reverse("reports:feed_rss")))[1]}
    services.report_change_state(actor=case_worker, report=hole, state=State.FIXED, answer="Lappet.")
    _, items = rss_items(client.get(reverse("reports:feed_rss")))
    assert items[0].find("title").text == f"#{hole.pk} Hull ved skolen ({State.FIXED.label})"
    after = {item.find("guid").text for item in items}
    assert len(after - before) == 1


def test_html_in_reports_is_escaped_in_feeds(client, pothole, resident):
    make(resident, pothole, '<script>alert("x")</script>', description="<img src=x onerror=alert(1)>")
    for name in ("reports:feed_rss", "reports:feed_atom"):
        response = client.get(reverse(name))
        ET.fromstring(response.content)  # still well-formed XML
        text = response.content.decode()
        assert "<script>" not in text and "<img src=x" not in text
        # The title and description are HTML-escaped text inside the XML: a reader shows them, never runs them.
        assert "&amp;lt;script&amp;gt;" in text
        assert "&amp;lt;img src=x" in text


def test_feeds_only_answer_get_and_head(client, reports):
    assert client.post(reverse("reports:feed_rss")).status_code == 405
    assert client.head(reverse("reports:feed_atom")).status_code == 200


def test_feed_query_count(client, pothole, resident, django_assert_max_num_queries):
    for n in range(10):
        make(resident, pothole, f"Rapport {n}")
    client.get(reverse("reports:feed_rss"))
    with django_assert_max_num_queries(3):
        rss_items(client.get(reverse("reports:feed_rss"), {"category": "hull-i-veien"}))
