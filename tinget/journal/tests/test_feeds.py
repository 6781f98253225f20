"""The saved search's feed: valid RSS 2.0 of the newest entries matching the search page's own parameters; a search
the form refuses is a 400, never a feed of something else or an error page."""

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone, translation

from tinget.journal.models import Document, EntryType, JournalEntry

from .test_public import reverse

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


def feed(client, **params):
    return client.get(reverse("journal:feed"), params)


@pytest.fixture
def entries(unit, other_unit, entry_factory):
    now = timezone.now()
    older = entry_factory(
        unit,
        title="Søknad om skoleskyss",
        case_title="Skyss",
        journal_date=dt.date(2025, 3, 1),
        published_at=now - dt.timedelta(days=2),
        correspondents=(("sender", "Kari Nordmann", True),),
    )
    newer = entry_factory(
        other_unit,
        title="Byggesøknad for ny skole",
        case_title="Heggedal skole",
        journal_date=dt.date(2025, 2, 1),
        published_at=now - dt.timedelta(hours=1),
        type=EntryType.OUTGOING,
        correspondents=(("recipient", "", True),),
        restriction_code="13",
        legal_basis="Offl. § 13 jf. fvl. § 13",
    )
    other = entry_factory(
        unit,
        title="Referat fra foreldremøte",
        case_title="Foreldremøter",
        journal_date=dt.date(2025, 3, 3),
        published_at=now - dt.timedelta(days=1),
        type=EntryType.INTERNAL_FOLLOW_UP,
    )
    return {"older": older, "newer": newer, "other": other}


def test_the_feed_lists_matching_entries_newest_published_first(client, entries):
    _channel, items = rss_items(feed(client, q="skole"))
    assert [item.findtext("title") for item in items] == [
        f"{entries['newer'].entry_number} Byggesøknad for ny skole",
    ]
    _channel, items = rss_items(feed(client))
    # By publication, not by journal date: a feed says what is new in the journal.
    assert [item.findtext("title").split(" ", 1)[1] for item in items] == [
        "Byggesøknad for ny skole",
        "Referat fra foreldremøte",
        "Søknad om skoleskyss",
    ]


def test_the_feed_describes_its_search_and_links_to_it(client, entries, other_unit):
    channel, items = rss_items(feed(client, q="skole", type="U", unit=other_unit.slug))
    assert "“skole”" in channel.findtext("title")
    assert channel.findtext("link").endswith(f"{reverse('journal:index')}?q=skole&type=U&unit={other_unit.slug}")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.attrib["href"].endswith(f"{reverse('journal:feed')}?q=skole&type=U&unit={other_unit.slug}")
    item = items[0]
    entry = entries["newer"]
    assert item.findtext("link").endswith(reverse("journal:entry", kwargs={"pk": entry.pk}))
    assert item.find("guid").attrib["isPermaLink"] == "false"
    assert parsedate_to_datetime(item.findtext("pubDate")) == entry.published_at.replace(microsecond=0)
    description = item.findtext("description")
    assert "Outgoing document" in description and other_unit.name in description
    assert "Screened: Offl. § 13 jf. fvl. § 13" in description
    assert {c.text for c in item.findall("category")} == {"Outgoing document", other_unit.name}


def test_the_filters_narrow_the_feed(client, entries, unit):
    _channel, items = rss_items(feed(client, unit=unit.slug, type="N"))
    assert [i.findtext("title").split(" ", 1)[1] for i in items] == ["Referat fra foreldremøte"]
    _channel, items = rss_items(feed(client, **{"from": "2025-03-02"}))
    assert [i.findtext("title").split(" ", 1)[1] for i in items] == ["Referat fra foreldremøte"]
    _channel, items = rss_items(feed(client, case=entries["older"].case.case_number))
    assert [i.findtext("title").split(" ", 1)[1] for i in items] == ["Søknad om skoleskyss"]


def test_the_feed_names_no_correspondent(client, entries):
    """A feed is copied where the twelve months after which names stop being searchable cannot reach."""
    response = feed(client)
    assert b"Kari Nordmann" not in response.content


def test_the_feed_lists_document_titles(client, entries):
    Document.objects.create(entry=entries["older"], title="Søknad med vedlegg <b>", url="https://example.no/x")
    _channel, items = rss_items(feed(client, q="skoleskyss"))
    assert "Søknad med vedlegg &lt;b&gt;" in items[0].findtext("description")


def test_withdrawn_entries_leave_the_feed(client, entries):
    JournalEntry.objects.filter(pk=entries["newer"].pk).update(withdrawn_at=timezone.now())
    _channel, items = rss_items(feed(client, q="skole"))
    assert items == []


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-13-01"},
        {"from": "2025-03-01", "to": "2025-01-01"},
        {"year": "1800"},
        {"case": "sak 12"},
        {"type": "Q"},
        {"unit": "finnes-ikke"},
        {"from": "\x00"},
    ],
)
def test_a_search_the_form_refuses_is_a_400_with_the_reason(client, entries, params):
    response = feed(client, **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "This search cannot be made into a feed" in response.content.decode()


@pytest.mark.parametrize(
    "text", ['"', "-", "x" * 10_000, "\x00", "😀" * 20, "'; DROP TABLE journal_journalentry; --", "<![CDATA[x]]>"]
)
def test_hostile_words_give_a_valid_feed(client, entries, text):
    rss_items(feed(client, q=text))


def test_the_feed_in_each_language(client, entries):
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            from django.urls import reverse as django_reverse

            url = django_reverse("journal:feed")
        channel, items = rss_items(client.get(url, {"q": "skole"}))
        assert channel.findtext("language") == language
        assert len(items) == 1


def test_the_feed_takes_only_get(client, entries):
    assert client.post(reverse("journal:feed")).status_code == 405


def test_the_feed_needs_few_queries(client, entries, django_assert_max_num_queries):
    for entry in entries.values():
        Document.objects.create(entry=entry, title="Dokument", url="https://example.no/d")
    feed(client)
    with django_assert_max_num_queries(4):
        rss_items(feed(client, q="skole"))
