"""Turning an address or place name into a point on the map (geocoding).

The reporting form asks a geocoder when someone writes an address instead of clicking the map (no JavaScript,
a keyboard, a screen reader). `settings.TINGET_GEOCODER` names the implementation:

- `LocalGeocoder` (the default) runs without network: the municipality's areas and postcodes from the profile,
  plus the demo gazetteer `profiles/<municipality slug>-places.json`, matched by word prefixes, ignoring case
  and diacritics ("saetre", "Sætre" and "SÆTRE" are the same).
- `KartverketGeocoder` asks Kartverket's open address API (every address in Norway, kept up to date).

A geocoder never raises for a bad answer: no network, a timeout or a malformed answer gives an empty list and a
log line, and the form asks the person to click the map or write the address differently.
"""

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
MAX_QUERY_LENGTH = 100
MAX_RESULTS = 5


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


class Geocoder:
    """The interface: places matching `text` inside `municipality`, best first, at most five."""

    def search(self, text: str, municipality) -> list[Place]:
        raise NotImplementedError


def get_geocoder() -> Geocoder:
    """The geocoder `settings.TINGET_GEOCODER` names (one instance per process and setting)."""
    return _geocoder(settings.TINGET_GEOCODER)


@lru_cache(maxsize=4)
def _geocoder(dotted_path: str) -> Geocoder:
    return import_string(dotted_path)()


# --- Kartverket ------------------------------------------------------------------------------------------------
class KartverketGeocoder(Geocoder):
    """Kartverket's address search (https://ws.geonorge.no/adresser/v1/), open data without a key.

    Only addresses (street and number, or farm names) within the municipality's number are returned, with their
    representation point in WGS 84 (EPSG:4258, which equals WGS 84 at map precision)."""

    url = "https://ws.geonorge.no/adresser/v1/sok"

    def __init__(self, session=None, timeout=None):
        # A session keeps the TLS connection open between searches; tests pass one that answers from a recording.
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout if timeout is not None else settings.TINGET_GEOCODER_TIMEOUT

    def search(self, text: str, municipality) -> list[Place]:
        text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
        if not text or municipality is None:
            return []
        params = {
            "sok": text,
            "kommunenummer": municipality.number,
            "treffPerSide": MAX_RESULTS,
            "utkoordsys": 4258,
        }
        try:
            response = self.session.get(self.url, params=params, timeout=self.timeout)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("Kartverket address search failed for %r: %s", text, exc)
            return []
        return self.parse(data)

    @staticmethod
    def parse(data) -> list[Place]:
        """The places in an answer from /adresser/v1/sok; entries without a usable point are skipped."""
        if not isinstance(data, dict) or not isinstance(data.get("adresser"), list):
            logger.warning("Kartverket address search answered without a list of addresses")
            return []
        places = []
        for address in data["adresser"]:
            if not isinstance(address, dict):
                continue
            point = address.get("representasjonspunkt") or {}
            try:
                latitude, longitude = float(point["lat"]), float(point["lon"])
            except (KeyError, TypeError, ValueError):
                continue
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                continue
            street = str(address.get("adressetekst") or address.get("adressenavn") or "").strip()
            postcode = str(address.get("postnummer") or "").strip()
            # Kartverket writes the postal place in capitals (ASKER); people write Asker.
            town = str(address.get("poststed") or "").strip().title()
            where = " ".join(part for part in (postcode, town) if part)
            name = ", ".join(part for part in (street, where) if part)
            if name:
                places.append(Place(name=name[:200], latitude=latitude, longitude=longitude))
        return places[:MAX_RESULTS]


# --- The local gazetteer ---------------------------------------------------------------------------------------
_KIND_ORDER = {"area": 0, "place": 1, "street": 2, "postcode": 3}


@dataclass(frozen=True)
class _Entry:
    place: Place
    kind: str
    words: tuple[str, ...]


def fold(text: str) -> str:
    """Lower case without diacritics, with the Norwegian letters spelt the way people type them without a
    Norwegian keyboard: æ → ae, ø → o, å → a."""
    text = (text or "").casefold().replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def _word_matches(query_word: str, entry_word: str) -> bool:
    # A prefix ("kultur" finds "kulturhus"), or the entry word with a Norwegian ending added ("stasjonen",
    # "kulturhuset" find "stasjon", "kulturhus").
    if entry_word.startswith(query_word):
        return True
    return len(entry_word) >= 4 and query_word.startswith(entry_word) and len(query_word) - len(entry_word) <= 3


@lru_cache(maxsize=8)
def _demo_places(path: str) -> tuple[tuple[str, str, float, float], ...]:
    file = Path(path)
    if not file.exists():
        return ()
    data = json.loads(file.read_text(encoding="utf-8"))
    return tuple(
        (entry["name"], entry.get("kind", "place"), float(entry["latitude"]), float(entry["longitude"]))
        for entry in data.get("places", [])
    )


class LocalGeocoder(Geocoder):
    """A small gazetteer without network: the profile's areas (at their centres) and postcodes (at their area's
    centre), and the places and streets in `profiles/<slug>-places.json` (invented for the demo, marked so)."""

    def __init__(self, places_dir: Path | None = None):
        self.places_dir = Path(places_dir) if places_dir else PROFILE_DIR

    def entries(self, municipality, *, postcodes=True) -> list[_Entry]:
        from .models import Area, Postcode

        found = []

        def add(name, kind, latitude, longitude, extra=""):
            place = Place(name=name, latitude=latitude, longitude=longitude)
            found.append(_Entry(place=place, kind=kind, words=tuple(words(f"{name} {extra}"))))

        for area in Area.objects.filter(municipality=municipality, center_latitude__isnull=False):
            if area.center_longitude is not None:
                add(area.name, "area", area.center_latitude, area.center_longitude)
        rows = Postcode.objects.filter(
            municipality=municipality, area__center_latitude__isnull=False, area__center_longitude__isnull=False
        ).select_related("area")
        for postcode in rows if postcodes else ():
            add(
                f"{postcode.code} {postcode.place}",
                "postcode",
                postcode.area.center_latitude,
                postcode.area.center_longitude,
            )
        for name, kind, latitude, longitude in _demo_places(str(self.places_dir / f"{municipality.slug}-places.json")):
            add(name, kind, latitude, longitude)
        return found

    def search(self, text: str, municipality) -> list[Place]:
        query = words((text or "")[:MAX_QUERY_LENGTH])[:8]
        if not query or municipality is None:
            return []
        # Numbers narrow the search only when they are all there is (a postcode); "Torvveien 3" finds the
        # street, since the gazetteer does not know house numbers.
        required = query if all(w.isdigit() for w in query) else [w for w in query if not w.isdigit()]
        folded_text = " ".join(query)
        scored = []
        # Postcodes only when a number is written: otherwise "Tofte" would also list 3481 Tofte and 3482 Tofte.
        for entry in self.entries(municipality, postcodes=any(w.isdigit() for w in query)):
            if not all(any(_word_matches(q, w) for w in entry.words) for q in required):
                continue
            # Best first: the whole name as written, then whole words ("Asker" before "Askerhallen"), then names
            # that start with what was written, then the shortest, then areas before places before streets.
            not_exact = " ".join(entry.words) != folded_text
            partial = sum(1 for q in required if q not in entry.words)
            not_first = not (entry.words and _word_matches(required[0], entry.words[0]))
            extra = len(entry.words) - len(required)
            kind = _KIND_ORDER.get(entry.kind, 9)
            scored.append(((not_exact, partial, not_first, extra, kind, entry.place.name), entry.place))
        scored.sort(key=lambda pair: pair[0])
        seen, places = set(), []
        for _key, place in scored:
            if place.name in seen:
                continue
            seen.add(place.name)
            places.append(place)
        return places[:MAX_RESULTS]
