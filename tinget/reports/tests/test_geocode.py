"""The geocoders (tinget/core/geocode.py): Kartverket's address API read from a sample answer through a stand-in
HTTP session (no network in tests), and the local gazetteer on the Asker profile and its demo places."""

import json
import logging

import pytest
import requests
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinget.core import geo
from tinget.core.geocode import (
    PROFILE_DIR,
    KartverketGeocoder,
    LocalGeocoder,
    Place,
    fold,
    get_geocoder,
)

# The shape of an answer from https://ws.geonorge.no/adresser/v1/sok (fields as Kartverket documents them; the
# addresses and points are examples). Kartverket writes postal places in capitals.
KARTVERKET_ANSWER = {
    "metadata": {
        "side": 0,
        "treffPerSide": 5,
        "totaltAntallTreff": 3,
        "viserFra": 0,
        "viserTil": 3,
        "sokeStreng": "sok=Katrine%C3%A5sveien&kommunenummer=3203&treffPerSide=5",
        "asciiKompatibel": True,
    },
    "adresser": [
        {
            "adressenavn": "Katrineåsveien",
            "adressetekst": "Katrineåsveien 20",
            "adressetilleggsnavn": None,
            "adressekode": 10710,
            "nummer": 20,
            "bokstav": "",
            "kommunenummer": "3203",
            "kommunenavn": "ASKER",
            "gardsnummer": 1,
            "bruksnummer": 137,
            "festenummer": 0,
            "undernummer": None,
            "bruksenhetsnummer": [],
            "objtype": "Vegadresse",
            "poststed": "RØYKEN",
            "postnummer": "3440",
            "adressetekstutenadressetilleggsnavn": "Katrineåsveien 20",
            "stedfestingverifisert": True,
            "representasjonspunkt": {"epsg": "EPSG:4258", "lat": 59.74236, "lon": 10.38712},
            "oppdateringsdato": "2023-11-02T10:15:07",
        },
        {
            "adressenavn": "Katrineåsveien",
            "adressetekst": "Katrineåsveien 22B",
            "nummer": 22,
            "bokstav": "B",
            "kommunenummer": "3203",
            "kommunenavn": "ASKER",
            "objtype": "Vegadresse",
            "poststed": "RØYKEN",
            "postnummer": "3440",
            "representasjonspunkt": {"epsg": "EPSG:4258", "lat": 59.74301, "lon": 10.38655},
        },
        {
            # No point: skipped, not an error.
            "adressenavn": "Katrineåsveien",
            "adressetekst": "Katrineåsveien 99",
            "kommunenummer": "3203",
            "poststed": "RØYKEN",
            "postnummer": "3440",
            "representasjonspunkt": None,
        },
    ],
}


def response(status=200, body=b""):
    """A real requests.Response, as the session would give it."""
    answer = requests.Response()
    answer.status_code = status
    answer._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer.headers["Content-Type"] = "application/json"
    answer.encoding = "utf-8"
    answer.url = KartverketGeocoder.url
    return answer


class StubSession:
    """Stands in for requests.Session: records what was asked and answers with a prepared response (or raises)."""

    def __init__(self, answer=None, error=None):
        self.answer = answer
        self.error = error
        self.calls = []

    def get(self, url, params=None, timeout=None):
        self.calls.append({"url": url, "params": params, "timeout": timeout})
        if self.error is not None:
            raise self.error
        return self.answer


# --- Kartverket ------------------------------------------------------------------------------------------------
def test_kartverket_asks_for_five_addresses_in_the_municipality_with_the_configured_timeout(municipality):
    session = StubSession(response(body=KARTVERKET_ANSWER))
    with override_settings(TINGET_GEOCODER_TIMEOUT=2.5):
        places = KartverketGeocoder(session=session).search("  Katrineåsveien   20 ", municipality)

    [call] = session.calls
    assert call["url"] == "https://ws.geonorge.no/adresser/v1/sok"
    assert call["params"]["sok"] == "Katrineåsveien 20"
    assert call["params"]["kommunenummer"] == "3203"
    assert call["params"]["treffPerSide"] == 5
    assert call["timeout"] == 2.5
    assert places == [
        Place(name="Katrineåsveien 20, 3440 Røyken", latitude=59.74236, longitude=10.38712),
        Place(name="Katrineåsveien 22B, 3440 Røyken", latitude=59.74301, longitude=10.38655),
    ]


def test_kartverket_places_lie_in_asker(municipality):
    for place in KartverketGeocoder.parse(KARTVERKET_ANSWER):
        assert geo.in_municipality(municipality, place.latitude, place.longitude)


@pytest.mark.parametrize(
    "session",
    [
        StubSession(error=requests.ConnectionError("no route to host")),
        StubSession(error=requests.Timeout("read timed out")),
        StubSession(response(status=503, body=b"Service Unavailable")),
        StubSession(response(body=b"<html>not json</html>")),
        StubSession(response(body={"unexpected": "shape"})),
        StubSession(response(body={"adresser": "not a list"})),
    ],
    ids=["connection", "timeout", "503", "not-json", "no-addresses", "addresses-not-a-list"],
)
def test_kartverket_failures_give_no_places_and_a_log_line(municipality, session, caplog):
    with caplog.at_level(logging.WARNING, logger="tinget.core.geocode"):
        assert KartverketGeocoder(session=session).search("Torvveien 3", municipality) == []
    assert caplog.records, "a failure is logged"


def test_kartverket_skips_malformed_entries():
    answer = {
        "adresser": [
            "not an object",
            {"adressetekst": "Ingen punkt"},
            {"adressetekst": "Feil punkt", "representasjonspunkt": {"lat": "nord", "lon": 10}},
            {"adressetekst": "Utenfor kloden", "representasjonspunkt": {"lat": 95, "lon": 10}},
            {"adressetekst": "Torvveien 3", "poststed": "ASKER", "representasjonspunkt": {"lat": 59.83, "lon": 10.43}},
        ]
    }
    assert KartverketGeocoder.parse(answer) == [Place(name="Torvveien 3, Asker", latitude=59.83, longitude=10.43)]


def test_kartverket_does_not_ask_for_empty_text(municipality):
    session = StubSession(response(body=KARTVERKET_ANSWER))
    assert KartverketGeocoder(session=session).search("   ", municipality) == []
    assert session.calls == []


def test_kartverket_sends_at_most_100_characters(municipality):
    session = StubSession(response(body={"adresser": []}))
    KartverketGeocoder(session=session).search("x" * 5000, municipality)
    assert len(session.calls[0]["params"]["sok"]) == 100


# --- The local gazetteer ---------------------------------------------------------------------------------------
def names(places):
    return [place.name for place in places]


@pytest.mark.parametrize("text", ["Sætre", "saetre", "SÆTRE", "  sætre  "])
def test_local_matches_without_case_or_diacritics(municipality, text):
    assert names(LocalGeocoder().search(text, municipality))[0] == "Sætre"


def test_local_finds_areas_places_and_streets(municipality):
    geocoder = LocalGeocoder()
    assert names(geocoder.search("asker stasjon", municipality)) == ["Asker stasjon"]
    assert names(geocoder.search("vardasen", municipality)) == ["Vardåsen"]
    assert names(geocoder.search("Royken", municipality))[0] == "Røyken sentrum"
    # A word with a Norwegian ending finds the place without it.
    assert names(geocoder.search("kulturhuset", municipality)) == ["Asker kulturhus"]
    # The gazetteer has no house numbers: the street is found.
    assert names(geocoder.search("Torvveien 3", municipality)) == ["Torvveien, Asker"]


def test_local_offers_every_street_of_the_same_name(municipality):
    assert names(LocalGeocoder().search("Kirkeveien", municipality)) == ["Kirkeveien, Asker", "Kirkeveien, Slemmestad"]


def test_local_puts_whole_words_before_prefixes(municipality):
    found = names(LocalGeocoder().search("Asker", municipality))
    assert found[0] == "Asker sentrum"
    assert "Askerhallen" not in found[:4]
    assert len(found) == 5


def test_local_finds_postcodes_only_when_a_number_is_written(municipality):
    assert names(LocalGeocoder().search("1384", municipality)) == ["1384 Asker"]
    assert not any(name[0].isdigit() for name in names(LocalGeocoder().search("Tofte", municipality)))


@pytest.mark.parametrize("text", ["", "   ", "xyzzy", "Drøbak", "<script>", "'; DROP TABLE", "🙂"])
def test_local_finds_nothing_for_what_is_not_there(municipality, text):
    assert LocalGeocoder().search(text, municipality) == []


def test_local_without_a_municipality_finds_nothing(db):
    assert LocalGeocoder().search("Asker", None) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_local_never_fails_and_gives_at_most_five(municipality, text):
    places = LocalGeocoder().search(text, municipality)
    assert len(places) <= 5
    assert len({place.name for place in places}) == len(places)


def test_the_demo_places_are_marked_as_demo_and_lie_in_asker(municipality):
    data = json.loads((PROFILE_DIR / "asker-places.json").read_text(encoding="utf-8"))
    assert data["demo"] is True
    assert "DEMO" in data["_comment"]
    assert len(data["places"]) >= 40
    assert len({place["name"] for place in data["places"]}) == len(data["places"])
    for place in data["places"]:
        assert place["kind"] in ("place", "street"), place
        assert geo.in_municipality(municipality, place["latitude"], place["longitude"]), place


def test_fold_spells_norwegian_letters_as_typed_without_them():
    assert fold("Bærum Østre Åsane") == "baerum ostre asane"
    assert fold("Café") == "cafe"


def test_the_setting_picks_the_geocoder():
    assert isinstance(get_geocoder(), LocalGeocoder)
    with override_settings(TINGET_GEOCODER="tinget.core.geocode.KartverketGeocoder"):
        assert isinstance(get_geocoder(), KartverketGeocoder)
