"""The mail journal's search page: words and filters narrow the list, facets count and link, sorting and pages, the
permanent address of a search, the basket link, and input that must never be an error page (on both engines)."""

import datetime as dt

import pytest
from django.urls import reverse as django_reverse
from django.utils import translation

from tinget.core.tests.html import parse
from tinget.journal import search, selectors
from tinget.journal.forms import SearchForm, query_items
from tinget.journal.models import EntryType
from tinget.journal.tests.test_public import reverse

pytestmark = pytest.mark.django_db


def page(client, **params):
    return client.get(reverse("journal:index"), params)


def titles(response):
    assert response.status_code == 200
    document = parse(response.content)
    return [h.text for h in document.find_all("h3", class_="journal-result__title")]


def heading(response):
    return parse(response.content).by_id("journal-results-heading").text


def facet(response, name):
    """{label: (count, href, selected)} of one facet group."""
    document = parse(response.content)
    group = document.by_id(f"journal-facet-{name}").parent
    found = {}
    for link in group.find_all("a"):
        count = link.find("span", class_="journal-facet__count").text.strip("()")
        label = link.text.replace("Remove the filter:", "").replace("✓", "").rsplit("(", 1)[0].strip()
        found[label] = (int(count), link.attrs["href"], "aria-current" in link.attrs)
    return found


def error_messages(response):
    summary = parse(response.content).by_id("error-summary")
    return [li.text for li in summary.find_all("li")] if summary else []


@pytest.fixture
def journal(unit, other_unit, entry_factory):
    """Five entries in two units over three years, each in its own case with its own title."""
    made = {}
    made["skyss"] = entry_factory(
        unit,
        title="Søknad om skoleskyss",
        case_title="Skyss for elever",
        journal_date=dt.date(2024, 3, 10),
        document_date=dt.date(2024, 3, 1),
    )
    made["skoler"] = entry_factory(
        unit,
        title="Nye skoler i Asker sentrum",
        case_title="Skolebruksplan",
        journal_date=dt.date(2025, 1, 15),
        document_date=dt.date(2024, 12, 20),
        type=EntryType.OUTGOING,
        correspondents=(("recipient", "Asker idrettsråd", False),),
    )
    made["bygg"] = entry_factory(
        other_unit,
        title="Byggesøknad for ny skole",
        case_title="Heggedal skole",
        journal_date=dt.date(2025, 2, 1),
        document_date=dt.date(2025, 1, 30),
    )
    made["referat"] = entry_factory(
        other_unit,
        title="Referat fra møte om reguleringsplan",
        case_title="Reguleringsplan Holmen",
        journal_date=dt.date(2025, 2, 10),
        document_date=dt.date(2025, 2, 10),
        type=EntryType.INTERNAL_FOLLOW_UP,
        correspondents=(),
    )
    made["klage"] = entry_factory(
        unit,
        title="Klage på skolens vedtak om *****",
        case_title="Klagesak",
        journal_date=dt.date(2023, 6, 1),
        document_date=dt.date(2023, 5, 28),
        correspondents=(("sender", "", True), ("copy", "Statsforvalteren i Oslo og Viken", False)),
        restriction_code="13",
        legal_basis="Offl. § 13 jf. fvl. § 13",
    )
    return made


ALL = [
    "Referat fra møte om reguleringsplan",
    "Byggesøknad for ny skole",
    "Nye skoler i Asker sentrum",
    "Søknad om skoleskyss",
    "Klage på skolens vedtak om *****",
]


# --- Listing, words, filters ------------------------------------------------------------------------------------


def test_without_a_search_the_newest_entries_are_listed(client, journal):
    response = page(client)
    assert titles(response) == ALL
    assert "5 entries" in heading(response)
    assert "Newest entries" in heading(response)


def test_words_find_every_form_of_a_word_in_titles_and_case_titles(client, journal):
    assert set(titles(page(client, q="skole"))) == {
        "Byggesøknad for ny skole",
        "Nye skoler i Asker sentrum",
        "Klage på skolens vedtak om *****",
    }
    assert titles(page(client, q="heggedal")) == ["Byggesøknad for ny skole"]


def test_phrases_and_exclusions(client, journal):
    assert titles(page(client, q='"asker sentrum"')) == ["Nye skoler i Asker sentrum"]
    assert titles(page(client, q='"sentrum asker"')) == []
    assert set(titles(page(client, q="skole -klage"))) == {"Byggesøknad for ny skole", "Nye skoler i Asker sentrum"}


def test_correspondents_are_searchable(client, journal):
    assert titles(page(client, q="idrettsråd")) == ["Nye skoler i Asker sentrum"]
    assert titles(page(client, q="statsforvalteren")) == ["Klage på skolens vedtak om *****"]


def test_type_unit_year_and_case_filters_narrow(client, journal, other_unit):
    assert set(titles(page(client, type="I"))) == {
        "Søknad om skoleskyss",
        "Byggesøknad for ny skole",
        "Klage på skolens vedtak om *****",
    }
    assert set(titles(page(client, type=["U", "N"]))) == {
        "Nye skoler i Asker sentrum",
        "Referat fra møte om reguleringsplan",
    }
    assert set(titles(page(client, unit=other_unit.slug))) == {
        "Byggesøknad for ny skole",
        "Referat fra møte om reguleringsplan",
    }
    assert set(titles(page(client, year="2025"))) == {
        "Nye skoler i Asker sentrum",
        "Byggesøknad for ny skole",
        "Referat fra møte om reguleringsplan",
    }
    assert titles(page(client, case=journal["skyss"].case.case_number)) == ["Søknad om skoleskyss"]
    # The case page's own way of writing it, and spaces, are accepted too.
    assert titles(page(client, case=f" {journal['skyss'].case.slug} ")) == ["Søknad om skoleskyss"]
    assert titles(page(client, q="skole", type="I", unit=other_unit.slug)) == ["Byggesøknad for ny skole"]


def test_date_range_on_journal_date_or_document_date(client, journal):
    assert titles(page(client, **{"from": "2025-01-01", "to": "2025-01-31"})) == ["Nye skoler i Asker sentrum"]
    # The same range on the document date: written in December, registered in January.
    assert set(titles(page(client, date_field="document", **{"from": "2025-01-01", "to": "2025-01-31"}))) == {
        "Byggesøknad for ny skole"
    }
    # Norwegian dates typed where the browser has no date picker.
    assert titles(page(client, **{"from": "15.01.2025", "to": "15.01.2025"})) == ["Nye skoler i Asker sentrum"]
    assert titles(page(client, **{"to": "2023-12-31"})) == ["Klage på skolens vedtak om *****"]


def test_a_typed_norwegian_date_is_shown_the_pickers_way(client, journal):
    document = parse(page(client, **{"from": "15.01.2025"}).content)
    field = document.by_id("id_from")
    assert field.attrs["type"] == "date" and field.attrs["value"] == "2025-01-15"


# --- Facets -----------------------------------------------------------------------------------------------------


def test_facets_count_each_value_as_if_its_own_filter_were_not_chosen(client, journal, unit, other_unit):
    response = page(client, type="I")
    types = facet(response, "type")
    assert {label: count for label, (count, _h, _s) in types.items()} == {
        "Incoming document (I)": 3,
        "Outgoing document (U)": 1,
        "Internal document for follow-up (N)": 1,
    }
    assert types["Incoming document (I)"][2] is True
    units = facet(response, "unit")
    assert {label: count for label, (count, _h, _s) in units.items()} == {unit.name: 2, other_unit.name: 1}
    years = facet(response, "year")
    assert {label: count for label, (count, _h, _s) in years.items()} == {"2025": 1, "2024": 1, "2023": 1}


def test_facet_links_add_and_remove_a_filter_and_keep_the_others(client, journal, other_unit):
    response = page(client, q="skole", type="I", side="2")
    types = facet(response, "type")
    add_outgoing = types["Outgoing document (U)"][1]
    assert "q=skole" in add_outgoing and "type=I" in add_outgoing and "type=U" in add_outgoing
    assert "side=" not in add_outgoing
    assert set(titles(client.get(add_outgoing))) == {
        "Byggesøknad for ny skole",
        "Nye skoler i Asker sentrum",
        "Klage på skolens vedtak om *****",
    }
    remove_incoming = types["Incoming document (I)"][1]
    assert "type=" not in remove_incoming and "q=skole" in remove_incoming
    unit_link = facet(response, "unit")[other_unit.name][1]
    assert titles(client.get(unit_link)) == ["Byggesøknad for ny skole"]
    year_link = facet(client.get(unit_link), "year")["2025"][1]
    chosen = client.get(year_link)
    assert facet(chosen, "year")["2025"][2] is True
    assert "year=" not in facet(chosen, "year")["2025"][1]


# --- Sorting and pages ------------------------------------------------------------------------------------------


def test_sorting(client, journal):
    assert titles(page(client, sort="oldest")) == list(reversed(ALL))
    assert titles(page(client, sort="date")) == ALL
    # By document date when the dates are document dates.
    assert titles(page(client, date_field="document"))[:2] == [
        "Referat fra møte om reguleringsplan",
        "Byggesøknad for ny skole",
    ]
    relevant = titles(page(client, q="skole", sort="relevance"))
    assert set(relevant) == {
        "Byggesøknad for ny skole",
        "Nye skoler i Asker sentrum",
        "Klage på skolens vedtak om *****",
    }
    # Relevance without words means newest first; an unknown sort too.
    assert titles(page(client, sort="relevance")) == ALL
    assert titles(page(client, sort="sideways")) == ALL


def test_sort_links_keep_the_search(client, journal):
    document = parse(page(client, q="skole", type="I").content)
    links = {a.text: a.attrs["href"] for a in document.find_all("a", class_="journal-sort")}
    assert set(links) == {"Newest first", "Oldest first", "Best match"}
    assert "sort=oldest" in links["Oldest first"] and "q=skole" in links["Oldest first"]
    assert "type=I" in links["Best match"]


def test_pages(client, journal, settings):
    settings.TINGET_JOURNAL_PAGE_SIZE = 2
    first = page(client)
    assert titles(first) == ALL[:2]
    assert "5 entries" in heading(first)
    nav = parse(first.content).find("nav", class_="ds-pagination")
    assert nav is not None
    assert titles(page(client, side="2")) == ALL[2:4]
    assert titles(page(client, side="3")) == ALL[4:]
    # Past the end shows the last page; anything that is not a page number shows the first.
    assert titles(page(client, side="99")) == ALL[4:]
    assert titles(page(client, side="9" * 40)) == ALL[4:]
    for junk in ("abc", "-1", "0", "1e9", "\x00", "½"):
        assert titles(page(client, side=junk)) == ALL[:2], junk


def test_page_links_keep_the_search(client, journal, settings):
    settings.TINGET_JOURNAL_PAGE_SIZE = 1
    document = parse(page(client, q="skole", type="I").content)
    next_link = document.find("a", rel="next").attrs["href"]
    assert "side=2" in next_link and "q=skole" in next_link and "type=I" in next_link


# --- The permanent address --------------------------------------------------------------------------------------


def test_link_to_this_search_gives_the_same_results(client, journal, other_unit):
    params = {"q": "skole", "type": ["I", "U"], "from": "01.01.2024", "sort": "oldest"}
    response = page(client, **params)
    document = parse(response.content)
    permanent = next(a for a in document.find_all("a") if a.text == "Link to this search").attrs["href"]
    assert permanent.startswith("http://testserver/en/mail-journal/?")
    assert "from=2024-01-01" in permanent
    again = client.get(permanent.removeprefix("http://testserver"))
    assert titles(again) == titles(response) == ["Nye skoler i Asker sentrum", "Byggesøknad for ny skole"]


@pytest.mark.parametrize(
    "params",
    [
        selectors.SearchParams(),
        selectors.SearchParams(text='skole "asker sentrum" -klage', sort="relevance"),
        selectors.SearchParams(
            date_field="document",
            date_from=dt.date(2024, 1, 1),
            date_to=dt.date(2025, 6, 30),
            types=("I", "S"),
            units=("oppvekst", "plan-og-bygning"),
            case="2025/17",
            year=2025,
            sort="oldest",
        ),
    ],
)
def test_the_url_of_a_search_reads_back_as_the_same_search(municipality, params):
    from django.http import QueryDict

    from tinget.core.models import Unit

    data = QueryDict(mutable=True)
    for name, value in query_items(params):
        data.appendlist(name, value)
    form = SearchForm(data, units=Unit.objects.filter(municipality=municipality))
    assert form.is_valid(), form.errors
    assert form.params() == params


# --- Errors and hostile input -----------------------------------------------------------------------------------


def test_bad_dates_are_explained_and_what_was_typed_is_kept(client, journal):
    response = page(client, q="skole", **{"from": "2025-13-45", "to": "31.02.2025"})
    assert response.status_code == 200
    messages = error_messages(response)
    assert messages == [
        "Write the date as dd.mm.yyyy, for example 31.01.2026.",
        "Write the date as dd.mm.yyyy, for example 31.01.2026.",
    ]
    document = parse(response.content)
    # Kept as text: a date picker would show an empty box for a value that is not a date.
    assert document.by_id("id_from").attrs["value"] == "2025-13-45"
    assert document.by_id("id_from").attrs["type"] == "text"
    assert document.by_id("id_to").attrs["value"] == "31.02.2025"
    assert document.by_id("id_from").attrs["aria-invalid"] == "true"
    assert document.by_id("id_q").attrs["value"] == "skole"
    # No list of something else than what was asked for.
    assert document.by_id("journal-results-heading") is None
    assert document.find("details", class_="journal-search__more").attrs.get("open") is not None


def test_an_end_before_the_start_is_an_error(client, journal):
    response = page(client, **{"from": "2025-02-01", "to": "2025-01-01"})
    assert error_messages(response) == ["The end date must be the same as or after the start date."]
    document = parse(response.content)
    assert document.by_id("id_from").attrs["value"] == "2025-02-01"
    assert document.by_id("id_to").attrs["value"] == "2025-01-01"
    assert document.by_id("id_to").attrs["type"] == "date"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "1800"}, "Choose a year between 1900 and"),
        ({"year": "99999999999999999999"}, "Choose a year between 1900 and"),
        ({"year": "tjuefemten"}, "Write the year with four digits, for example 2026."),
        ({"case": "sak 12"}, "Write the case number as year/number, for example 2026/123."),
        ({"case": "2026/"}, "Write the case number as year/number, for example 2026/123."),
        ({"case": "0001/5"}, "Write the case number as year/number, for example 2026/123."),
        ({"from": "1066-10-14"}, "Choose a date between the years 1900 and"),
        ({"type": "Q"}, "There is no document type Q. Choose one of the types listed."),
        ({"unit": "finnes-ikke"}, "There is no unit called finnes-ikke. Choose one of the units listed."),
    ],
)
def test_malformed_filters_are_explained(client, journal, params, message):
    response = page(client, **params)
    assert response.status_code == 200
    messages = error_messages(response)
    assert len(messages) == 1 and messages[0].startswith(message), messages
    field = next(iter(params))
    if field in ("year", "case"):
        assert parse(response.content).by_id(f"id_{field}").attrs["value"] == params[field]


HOSTILE = [
    '"',
    '"skole',
    '"""',
    "-",
    "--",
    "- - -",
    "-skole",
    "skole -",
    "AND OR NOT",
    "NEAR(skole asker)",
    "skole*",
    "^skole",
    "title:skole",
    "skole & !barn | (x",
    "\x00",
    "sko\x00le",
    "😀" * 50,
    "skole 😀",
    "x" * 10_000,
    "skole " * 2_000,
    "'; DROP TABLE journal_journalentry; --",
    "1' OR '1'='1",
    "\u01c5 \ufb01 \u210c \u200b \u202e",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    '-"unclosed',
    "%",
    "%00",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_words_are_never_an_error_page(client, journal, text):
    response = page(client, q=text)
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert error_messages(response) == []


@pytest.mark.parametrize(
    "params",
    [
        {"from": "\x00"},
        {"to": "😀"},
        {"from": "2025-01-01" * 1000},
        {"case": "x" * 10_000},
        {"case": "2026/" + "9" * 40},
        {"year": "\x00"},
        {"type": "'; DROP TABLE x; --"},
        {"unit": ["oppvekst", "oppvekst", "\x00"]},
        {"sort": "relevance'; --"},
        {"date_field": "<b>"},
        {"side": "\x00"},
    ],
)
def test_hostile_filters_are_never_an_error_page(client, journal, params):
    assert page(client, **params).status_code == 200


def test_very_long_words_are_cut_and_said_so(client, journal):
    response = page(client, q="skole " + "x" * 10_000)
    assert response.status_code == 200
    document = parse(response.content)
    assert len(document.by_id("id_q").attrs["value"]) <= search.MAX_QUERY_CHARS
    assert f"only the first {search.MAX_QUERY_CHARS} characters were used" in response.content.decode()
    assert error_messages(response) == []


def test_a_filter_given_twice_is_one_filter(client, journal):
    response = page(client, type=["I", "I"], unit=["oppvekst", "oppvekst"])
    assert set(titles(response)) == {"Søknad om skoleskyss", "Klage på skolens vedtak om *****"}
    document = parse(response.content)
    permanent = next(a for a in document.find_all("a") if a.text == "Link to this search").attrs["href"]
    assert permanent.endswith("?type=I&unit=oppvekst")


def test_a_nul_is_a_separator(client, journal):
    assert titles(page(client, q="asker\x00sentrum")) == ["Nye skoler i Asker sentrum"]


# --- What an entry in the list shows ----------------------------------------------------------------------------


def test_a_result_shows_number_type_dates_correspondents_unit_screening_and_links(client, journal):
    entry = journal["klage"]
    response = page(client, q="klage")
    document = parse(response.content)
    item = document.by_id(f"entry-{entry.pk}")
    text = item.text
    assert entry.entry_number in text
    assert "Incoming document" in text
    assert "Journal date 06/01/2023" in text and "Document date 05/28/2023" in text
    assert "Screened (Sender)" in text
    assert "Statsforvalteren i Oslo og Viken (Copy recipient)" in text
    assert "Screened: Offl. § 13 jf. fvl. § 13" in text
    assert entry.unit.name in text
    hrefs = [a.attrs["href"] for a in item.find_all("a")]
    assert entry.get_absolute_url() in hrefs and entry.case.get_absolute_url() in hrefs


def test_a_screened_correspondents_name_is_never_on_the_page(client, unit, entry_factory):
    from tinget.journal.models import Correspondent

    entry = entry_factory(unit, title="Bekymringsmelding", correspondents=(("sender", "", True),))
    assert Correspondent.objects.get(entry=entry).name == ""
    html = page(client, q="bekymringsmelding").content.decode()
    assert "Screened" in html
    # The case worker's name (on the entry's own page) is not part of the list either.
    assert "Kari Nordmann" not in html


def test_add_to_basket_posts_the_entry_and_the_way_back(client, journal):
    response = page(client, q="skole", type="I")
    entry = journal["bygg"]
    form = parse(response.content).by_id(f"entry-{entry.pk}").find("form")
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == reverse("journal:basket_add")
    values = {i.attrs["name"]: i.attrs["value"] for i in form.find_all("input")}
    assert values["entry"] == str(entry.pk)
    assert values["next"] == reverse("journal:index") + "?q=skole&type=I"
    assert "csrfmiddlewaretoken" in values


def test_the_basket_link_counts_what_is_in_the_basket(client, journal):
    session = client.session
    session["journal_basket"] = [journal["bygg"].pk, journal["skyss"].pk]
    session.save()
    response = page(client)
    document = parse(response.content)
    link = next(a for a in document.find_all("a") if a.attrs.get("href") == reverse("journal:basket"))
    assert link.text == "Your basket (2 entries)"
    in_basket = document.by_id(f"entry-{journal['bygg'].pk}")
    assert "In your basket" in in_basket.text and in_basket.find("form") is None
    assert document.by_id(f"entry-{journal['klage'].pk}").find("form") is not None


def test_the_basket_link_survives_a_session_that_holds_something_odd(client, journal):
    session = client.session
    session["journal_basket"] = "not a list"
    session.save()
    assert page(client).status_code == 200


# --- The page around the list -----------------------------------------------------------------------------------


def test_the_title_says_what_was_searched_for(client, journal):
    document = parse(page(client, q="skole").content)
    assert document.find("title").text.startswith("“skole” \u2013 Search the mail journal")
    assert len(document.find_all("h1")) == 1


def test_links_to_the_feed_and_the_statistics(client, journal):
    response = page(client, q="skole", type="I")
    document = parse(response.content)
    hrefs = [a.attrs.get("href") for a in document.find_all("a")]
    assert reverse("journal:feed") + "?q=skole&type=I" in hrefs
    assert reverse("journal:statistics") in hrefs
    alternate = document.find("link", type="application/rss+xml")
    assert alternate.attrs["href"] == reverse("journal:feed") + "?q=skole&type=I"


def test_nothing_found_gives_advice(client, journal):
    response = page(client, q="finnesikkeiheletatt")
    assert titles(response) == []
    assert "0 entries" in heading(response)
    assert "No entries match your search" in response.content.decode()
    assert "skole also finds skoler" in response.content.decode()


def test_an_empty_journal(client, municipality):
    response = page(client)
    assert response.status_code == 200
    assert "0 entries" in heading(response)


def test_withdrawn_entries_are_not_listed(client, journal):
    from django.utils import timezone

    from tinget.journal.models import JournalEntry

    JournalEntry.objects.filter(pk=journal["bygg"].pk).update(withdrawn_at=timezone.now())
    assert "Byggesøknad for ny skole" not in titles(page(client))


def test_the_search_page_needs_a_bounded_number_of_queries(
    client, unit, other_unit, entry_factory, django_assert_max_num_queries
):
    for number in range(24):
        entry_factory(
            unit if number % 2 else other_unit,
            title=f"Søknad om skoleplass {number}",
            case_title=f"Skolesak {number}",
            correspondents=(("sender", f"Person {number}", True), ("copy", "", False)),
            legal_basis="Offl. § 13" if number % 3 == 0 else "",
        )
    session = client.session
    session["journal_basket"] = [1, 2, 3]
    session.save()
    client.get(reverse("journal:index"))  # warm the per-process caches (municipality profile)
    with django_assert_max_num_queries(10):
        response = page(client, q="søknad skoleplass", type=["I", "U"], sort="relevance")
    assert len(titles(response)) == 20


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_page_in_each_language(client, journal, language):
    with translation.override(language):
        url = django_reverse("journal:index")
    response = client.get(url, {"q": "skole", "type": "I"})
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert len(titles(response)) == 2


def test_only_get(client, municipality):
    assert client.post(reverse("journal:index"), {"q": "skole"}).status_code == 405
