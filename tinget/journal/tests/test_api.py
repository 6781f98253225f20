"""The mail journal in the REST API (/api/v1/journal/): search with filters, facets, sorting and pages; one entry;
one case with its entries. The same visibility as the pages (never a withdrawn entry, never a screened name), and
malformed, oversized and hostile parameters answered with 404/422, never a 500."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tinget.journal.api import CorrespondentOut
from tinget.journal.models import EntryType, JournalEntry

URL = "/api/v1/journal/"
SCREENED = "Offl. § 13 jf. fvl. § 13"

pytestmark = pytest.mark.django_db


def get_json(client, path, data=None, status=200):
    response = client.get(URL + path, data)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


@pytest.fixture
def journal(unit, other_unit, entry_factory):
    """Five public entries in two units and two years, one screened, one withdrawn."""
    today = timezone.localdate()
    school = entry_factory(
        unit,
        title="Søknad om skoleskyss",
        case_title="Skoleskyss",
        journal_date=today - dt.timedelta(days=3),
        correspondents=(("sender", "Kari Nordmann", True),),
    )
    answer = entry_factory(
        unit,
        title="Svar på søknad om skoleskyss",
        case=school.case,
        type=EntryType.OUTGOING,
        journal_date=today - dt.timedelta(days=1),
        correspondents=(("recipient", "Kari Nordmann", True),),
    )
    screened = entry_factory(
        unit,
        title="Søknad om spesialundervisning for *****",
        case_title="Spesialundervisning",
        journal_date=today - dt.timedelta(days=2),
        correspondents=(("sender", "", True), ("copy", "Statsforvalteren i Oslo og Viken", False)),
        restriction_code="13",
        legal_basis=SCREENED,
    )
    building = entry_factory(
        other_unit,
        title="Rammetillatelse for skolebygg på Holmen",
        case_title="Holmen skole",
        type=EntryType.OUTGOING,
        journal_date=dt.date(today.year - 1, 6, 15),
        correspondents=(("recipient", "Nordvik Arkitekter AS", False),),
    )
    withdrawn = entry_factory(
        unit, title="Feilregistrert skoleskyss", case_title="Feil", correspondents=(("sender", "Ola Trekt", True),)
    )
    JournalEntry.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    return {"school": school, "answer": answer, "screened": screened, "building": building, "withdrawn": withdrawn}


class TestSearch:
    def test_items_with_every_field(self, client, journal):
        school = journal["school"]
        data = get_json(client, "entries", {"q": "skoleskyss", "sort": "oldest"})

        assert data["total"] == 2 and data["page"] == 1 and data["pages"] == 1 and data["page_size"] == 20
        item = data["items"][0]
        assert item["id"] == school.pk
        assert item["entry_number"] == school.entry_number and item["case_number"] == school.case.case_number
        assert item["journal_date"] == school.journal_date.isoformat()
        assert item["document_date"] == school.document_date.isoformat()
        assert item["type"] == "I" and item["type_label"]
        assert item["title"] == "Søknad om skoleskyss"
        assert item["unit"] == {"slug": "oppvekst", "name": school.unit.name}
        assert item["correspondents"] == [{"kind": "sender", "name": "Kari Nordmann", "screened": False}]
        assert item["screened"] is None
        assert item["api_url"] == f"http://testserver/api/v1/journal/entries/{school.pk}"
        assert item["case_url"].endswith(f"/api/v1/journal/cases/{school.case.year}/{school.case.sequence}")
        assert item["url"].startswith("http://testserver/") or item["url"] == ""  # "" only while no pages are mounted
        assert dt.datetime.fromisoformat(item["published_at"]).tzinfo is not None

    def test_the_facets_count_each_filter_as_if_it_were_not_chosen(self, client, journal):
        data = get_json(client, "entries", {"q": "skoleskyss", "type": "U"})
        assert [i["id"] for i in data["items"]] == [journal["answer"].pk]
        types = {f["value"]: f for f in data["facets"]["type"]}
        assert types["I"]["count"] == 1 and types["U"]["count"] == 1 and types["U"]["selected"]
        assert data["facets"]["unit"] == [
            {"value": "oppvekst", "label": journal["answer"].unit.name, "count": 1, "selected": False}
        ]
        assert get_json(client, "entries", {"facets": "false"})["facets"] is None

    def test_filters(self, client, journal):
        def ids(**params):
            return {item["id"] for item in get_json(client, "entries", params)["items"]}

        today = timezone.localdate()
        j = journal
        assert ids() == {j["school"].pk, j["answer"].pk, j["screened"].pk, j["building"].pk}
        assert ids(unit=["plan-og-bygning"]) == {j["building"].pk}
        assert ids(unit=["plan-og-bygning", "oppvekst"]) == ids()
        assert ids(type=["I", "U"], unit="oppvekst") == {j["school"].pk, j["answer"].pk, j["screened"].pk}
        assert ids(year=today.year - 1) == {j["building"].pk}
        assert ids(case=j["school"].case.case_number) == {j["school"].pk, j["answer"].pk}
        assert ids(case="1999/4") == set()
        assert ids(**{"from": (today - dt.timedelta(days=2)).isoformat()}) == {j["screened"].pk, j["answer"].pk}
        assert ids(**{"to": (today - dt.timedelta(days=3)).isoformat()}) == {j["school"].pk, j["building"].pk}
        # The document date is two days before the journal date in these entries.
        document_day = (today - dt.timedelta(days=3)).isoformat()
        assert ids(date_field="document", **{"from": document_day, "to": document_day}) == {j["answer"].pk}
        assert ids(q="skole -skyss") == {j["building"].pk}
        assert ids(q='"svar på søknad"') == {j["answer"].pk}
        assert ids(q="nordvik") == {j["building"].pk}

    def test_sorting_and_pages(self, client, journal):
        newest = get_json(client, "entries", {"page_size": 2})
        assert newest["total"] == 4 and newest["pages"] == 2 and len(newest["items"]) == 2
        assert newest["items"][0]["id"] == journal["answer"].pk
        second = get_json(client, "entries", {"page_size": 2, "page": 2})
        assert second["page"] == 2 and second["items"][-1]["id"] == journal["building"].pk
        past_the_end = get_json(client, "entries", {"page_size": 2, "page": 99})
        assert past_the_end["page"] == 2
        oldest = get_json(client, "entries", {"sort": "oldest"})
        assert oldest["items"][0]["id"] == journal["building"].pk
        relevant = get_json(client, "entries", {"q": "skoleskyss", "sort": "relevance"})
        assert {i["id"] for i in relevant["items"]} == {journal["school"].pk, journal["answer"].pk}

    def test_never_a_withdrawn_entry(self, client, journal, staff_client):
        for who in (client, staff_client):  # a staff session does not widen the open API
            data = get_json(who, "entries", {"q": "feilregistrert"})
            assert data["total"] == 0 and data["items"] == []
            assert "Ola Trekt" not in json.dumps(get_json(who, "entries", {"page_size": 100}))

    def test_query_count_does_not_grow_with_the_page(self, client, journal, django_assert_max_num_queries):
        # count, page, correspondents, and three facets with the units
        with django_assert_max_num_queries(7):
            get_json(client, "entries", {"page_size": 100})
        with django_assert_max_num_queries(3):
            get_json(client, "entries", {"page_size": 100, "facets": "false"})


class TestScreening:
    def test_a_screened_correspondent_has_a_kind_but_no_name(self, client, journal):
        screened = journal["screened"]
        data = get_json(client, "entries", {"q": "spesialundervisning"})
        (item,) = data["items"]
        assert item["screened"] == {"restriction_code": "13", "legal_basis": SCREENED}
        assert item["title"] == "Søknad om spesialundervisning for *****"
        assert item["correspondents"] == [
            {"kind": "sender", "name": None, "screened": True},
            {"kind": "copy", "name": "Statsforvalteren i Oslo og Viken", "screened": False},
        ]
        detail = get_json(client, f"entries/{screened.pk}")
        assert detail["correspondents"][0] == {"kind": "sender", "name": None, "screened": True}
        case = get_json(client, f"cases/{screened.case.year}/{screened.case.sequence}")
        assert case["entries"][0]["correspondents"][0]["name"] is None

    def test_the_schema_never_gives_a_screened_name_even_if_one_slipped_through(self):
        class Leaky:
            kind = "sender"
            name = "Per Hemmelig"
            screened = True

        assert CorrespondentOut.from_orm(Leaky()).name is None


class TestEntry:
    def test_one_entry_with_its_case_and_documents(self, client, journal):
        answer = journal["answer"]
        answer.documents.create(title="Svar", is_main=True, url="https://example.no/svar.pdf")
        answer.documents.create(title="Vedlegg uten fil", is_main=False)
        data = get_json(client, f"entries/{answer.pk}")
        assert data["id"] == answer.pk and data["type"] == "U"
        assert data["case"]["case_number"] == answer.case.case_number and data["case"]["title"] == "Skoleskyss"
        assert data["case_worker"] == "Siri Saksbehandler"
        assert data["documents"] == [
            {"title": "Svar", "main": True, "url": "https://example.no/svar.pdf"},
            {"title": "Vedlegg uten fil", "main": False, "url": None},
        ]

    def test_unknown_withdrawn_and_malformed_ids(self, client, journal):
        for pk in (journal["withdrawn"].pk, 987654):
            assert get_json(client, f"entries/{pk}", status=404) == {
                "code": "not_found",
                "detail": "No public journal entry has this id.",
            }
        for pk in ("0", "-1", "abc", "1.5", str(2**70), "%00"):
            assert get_json(client, f"entries/{pk}", status=422)["code"] == "invalid"


class TestCase:
    def test_a_case_with_its_entries_in_order(self, client, journal, django_assert_max_num_queries):
        school = journal["school"]
        with django_assert_max_num_queries(4):
            data = get_json(client, f"cases/{school.case.year}/{school.case.sequence}")
        assert data["case_number"] == school.case.case_number and data["title"] == "Skoleskyss"
        assert data["unit"]["slug"] == "oppvekst"
        assert [e["id"] for e in data["entries"]] == [school.pk, journal["answer"].pk]

    def test_unknown_empty_and_malformed_cases(self, client, journal):
        withdrawn = journal["withdrawn"].case  # its only entry is withdrawn
        for path in (f"cases/{withdrawn.year}/{withdrawn.sequence}", "cases/2026/999999", "cases/1999/1"):
            assert get_json(client, path, status=404)["code"] == "not_found"
        for path in ("cases/26/1", "cases/20261/1", "cases/2026/0", "cases/2026/x", f"cases/2026/{2**40}"):
            assert get_json(client, path, status=422)["code"] == "invalid"


class TestBadInput:
    @pytest.mark.parametrize(
        "params",
        [
            {"page_size": 10_000},
            {"page_size": 0},
            {"page": 0},
            {"page": "two"},
            {"page": 10**9},
            {"from": "2026-13-45"},
            {"to": "yesterday"},
            {"from": "0"},
            {"to": "20260501"},
            {"from": "1. mai 2026"},
            {"type": "Z"},
            {"type": ["I", "Q"]},
            {"unit": "no such unit!"},
            {"unit": [f"u{n}" for n in range(21)]},
            {"case": "abc"},
            {"case": "2026-123"},
            {"year": "abc"},
            {"year": 99999},
            {"sort": "random"},
            {"date_field": "created"},
            {"facets": "perhaps"},
            {"q": "x" * 100_000},
        ],
    )
    def test_malformed_and_oversized_parameters_are_422_with_what_is_wrong(self, client, journal, params):
        data = get_json(client, "entries", params, status=422)
        assert data["code"] == "invalid" and data["detail"] and all("msg" in d for d in data["detail"])

    def test_a_day_must_be_written_as_iso(self, client, journal):
        data = get_json(client, "entries", {"from": "0"}, status=422)
        assert "YYYY-MM-DD" in data["detail"][0]["msg"]

    def test_a_period_that_ends_before_it_starts_finds_nothing(self, client, journal):
        # Well-formed, so not an error (the OpenAPI document cannot say one parameter must follow another).
        today = timezone.localdate()
        period = {"from": today.isoformat(), "to": (today - dt.timedelta(days=30)).isoformat()}
        assert get_json(client, "entries", period)["total"] == 0

    @pytest.mark.parametrize(
        "q",
        [
            '"',
            '"""',
            "-",
            "AND OR NOT",
            "NEAR(a b)",
            "skole*",
            "^skole",
            "a:b",
            "\x00",
            "😀" * 50,
            "x" * 1000,
            "'; DROP TABLE journal_journalentry; --",
            "skole & !barn | (x",
            "\u01c5 \ufb01 \u210c \u202e",
            '-"unclosed',
            "%",
            "_",
            "\\",
        ],
    )
    def test_hostile_text_is_searched_never_an_error(self, client, journal, q):
        data = get_json(client, "entries", {"q": q, "sort": "relevance"})
        assert data["total"] >= 0

    def test_unknown_units_and_an_unknown_unit_facet_find_nothing(self, client, journal):
        assert get_json(client, "entries", {"unit": "finnes-ikke"})["total"] == 0


def test_the_router_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/journal/entries", "/api/v1/journal/entries/{entry_id}"} <= set(spec["paths"])
    assert "/api/v1/journal/cases/{year}/{sequence}" in spec["paths"]
    parameters = {p["name"] for p in spec["paths"]["/api/v1/journal/entries"]["get"]["parameters"]}
    assert {"q", "date_field", "from", "to", "type", "unit", "case", "year", "sort", "page", "page_size"} <= parameters
    modules = {m["slug"]: m for m in client.get("/api/v1/modules").json()}
    assert modules["journal"]["api"] == "http://testserver/api/v1/journal/"
