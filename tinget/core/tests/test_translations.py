"""The catalogues are complete, and each language is served at its own addresses with its own words.

These tests read locale/ as committed: a new msgid that `make messages` picked up but nobody translated fails
here, rather than showing English to a resident who chose Bokmål or Nynorsk.
"""

import re

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tinget.core.pages import login_required_pages, public_pages

from .html import parse

LOCALE = settings.BASE_DIR / "locale"
NORWEGIAN = ("nb", "nn")
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[sdifr%]")
URL_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/$")


def catalogues(language):
    paths = sorted((LOCALE / language / "LC_MESSAGES").glob("*.po"))
    assert paths, f"no catalogue for {language} in {LOCALE}; run `make messages`"
    return [(path, polib.pofile(str(path))) for path in paths]


def current_entries(po):
    return [entry for entry in po if not entry.obsolete]


def msgstrs(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", NORWEGIAN)
def test_norwegian_catalogues_have_nothing_untranslated_or_fuzzy(language):
    for path, po in catalogues(language):
        untranslated = [entry.msgid for entry in current_entries(po) if not all(msgstrs(entry))]
        fuzzy = [entry.msgid for entry in current_entries(po) if "fuzzy" in entry.flags]
        assert not untranslated, f"{path}: untranslated: {untranslated}"
        assert not fuzzy, f"{path}: fuzzy (check and remove the flag): {fuzzy}"


@pytest.mark.parametrize("language", ("nb", "nn", "en"))
def test_catalogue_headers_say_language_and_plural_rule(language):
    for path, po in catalogues(language):
        assert po.metadata.get("Language") == language, path
        assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);", path
        assert not po.metadata_is_fuzzy, f"{path}: the header is marked fuzzy"


def test_english_catalogue_has_no_stale_entries_and_fills_plurals():
    # An empty English msgstr falls back to the msgid, which is right; a fuzzy one is a leftover from a changed
    # msgid, and a plural entry needs both forms or ngettext shows the msgid for every count.
    for path, po in catalogues("en"):
        fuzzy = [entry.msgid for entry in current_entries(po) if "fuzzy" in entry.flags]
        half_plurals = [entry.msgid for entry in current_entries(po) if entry.msgid_plural and not all(msgstrs(entry))]
        assert not fuzzy, f"{path}: fuzzy: {fuzzy}"
        assert not half_plurals, f"{path}: plural entries without both forms: {half_plurals}"


@pytest.mark.parametrize("language", ("nb", "nn", "en"))
def test_translations_keep_the_placeholders_of_the_msgid(language):
    for path, po in catalogues(language):
        for entry in current_entries(po):
            if "python-format" not in entry.flags:
                continue
            wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
            for msgstr in msgstrs(entry):
                # A singular form may leave out the count ("ett treff"), but may not add or rename one.
                if msgstr:
                    found = sorted(PLACEHOLDER.findall(msgstr))
                    assert set(found) <= set(wanted), f"{path}: {entry.msgid!r} -> {msgstr!r}"


@pytest.mark.parametrize("language", NORWEGIAN)
def test_translated_url_paths_are_plain_lowercase_slugs(language):
    for path, po in catalogues(language):
        for entry in current_entries(po):
            if URL_SLUG.match(entry.msgid):
                assert URL_SLUG.match(entry.msgstr), f"{path}: {entry.msgid!r} -> {entry.msgstr!r} is not a slug"


@pytest.mark.parametrize(
    ("prefix", "language", "heading", "skip_link"),
    [
        ("/", "nb", "Bidra og påvirk i Asker kommune", "Hopp til hovedinnholdet"),
        ("/nn/", "nn", "Bidra og påverk i Asker kommune", "Hopp til hovudinnhaldet"),
        ("/en/", "en", "Take part and have your say in Asker kommune", "Skip to main content"),
    ],
)
def test_hub_is_served_in_each_language(client, municipality, prefix, language, heading, skip_link):
    response = client.get(prefix)
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("html").attrs["lang"] == language
    assert document.find("h1").text == heading
    assert document.find("a", class_="ds-skip-link").text == skip_link


def test_hub_section_headings_follow_the_municipal_page(client, municipality):
    document = parse(client.get("/").content)
    headings = {h2.text for h2 in document.find_all("h2")}
    assert {
        "Politikk",
        "Engasjer deg i ditt lokalmiljø",
        "Innsyn og meld om feil",
        "Idrett, kultur og frivillighet",
        "Følg med",
    } <= headings


@pytest.mark.parametrize(
    ("url", "language"),
    [
        ("/sok/", "nb"),
        ("/nn/sok/", "nn"),
        ("/en/search/", "en"),
        ("/tilgjengelighet/", "nb"),
        ("/nn/tilgjengelighet/", "nn"),
        ("/en/accessibility/", "en"),
        ("/vakttelefoner/", "nb"),
        ("/personvern/", "nb"),
        ("/om/", "nb"),
        ("/konto/login/", "nb"),
        ("/nn/konto/login/", "nn"),
        ("/en/account/login/", "en"),
    ],
)
def test_translated_paths_resolve(client, municipality, url, language):
    response = client.get(url)
    assert response.status_code == 200, url
    assert parse(response.content).find("html").attrs["lang"] == language


def test_english_paths_are_not_served_in_norwegian(client, municipality):
    assert client.get("/search/").status_code == 404
    assert client.get("/nn/search/").status_code == 404


def test_min_side_has_a_norwegian_address_and_asks_for_login(client, municipality):
    response = client.get("/min-side/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_min_side_opens_for_a_logged_in_resident(resident_client, municipality):
    assert resident_client.get("/min-side/").status_code == 200
    assert resident_client.get("/nn/min-side/").status_code == 200
    assert resident_client.get("/en/my-page/").status_code == 200


@pytest.mark.parametrize("language", ("nb", "nn", "en"))
def test_every_listed_page_answers_at_its_translated_address(client, resident, municipality, language):
    with translation.override(language):
        public = [reverse(name) for name in public_pages()]
        private = [reverse(name) for name in login_required_pages()]
    for url in public:
        assert client.get(url).status_code == 200, url
    client.force_login(resident)
    for url in private:
        assert client.get(url).status_code == 200, url
