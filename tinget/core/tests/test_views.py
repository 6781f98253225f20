"""The core's pages: hub, search, the on-call numbers, content pages and Min side."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tinget.core.registry import MinSideSection, Module, registry
from tinget.core.tests.factories import EmergencyContactFactory
from tinget.core.tests.html import parse

LANGUAGES = ["nb", "nn", "en"]


def url_in(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)


def text_in(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.mark.django_db
class TestHub:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_renders_in_every_language(self, client, municipality, language):
        response = client.get(url_in(language, "core:hub"))

        assert response.status_code == 200
        page = parse(response.content)
        assert page.find("html").attrs["lang"] == language
        assert municipality.name in page.find("h1").text
        # The search form on the hub goes to the search page in the same language.
        form = page.find("form", role="search")
        assert form.attrs["action"] == url_in(language, "core:search")
        assert form.attrs["method"] == "get"

    def test_links_to_the_other_languages(self, client, municipality):
        page = parse(client.get(url_in("nb", "core:on_call")).content)
        links = {a.attrs["hreflang"]: a.attrs["href"] for a in page.find(class_="language-links").find_all("a")}
        assert links == {language: url_in(language, "core:on_call") for language in LANGUAGES}


@pytest.mark.django_db
class TestSearch:
    def test_finds_the_on_call_channel_in_bokmal(self, client, municipality):
        response = client.get(url_in("nb", "core:search"), {"q": "Vakt"})

        assert response.status_code == 200
        page = parse(response.content)
        results = page.find(class_="search-results")
        assert results is not None
        links = {a.text: a.attrs["href"] for a in results.find_all("a")}
        assert links == {"Vakt- og beredskapstelefoner": url_in("nb", "core:on_call")}
        assert page.find(role="status") is not None
        assert page.find(id="error-summary") is None

    def test_finds_the_on_call_channel_in_english(self, client, municipality):
        page = parse(client.get(url_in("en", "core:search"), {"q": "ON-CALL  numbers"}).content)
        links = [a.attrs["href"] for a in page.find(class_="search-results").find_all("a")]
        assert links == [url_in("en", "core:on_call")]

    def test_nothing_found(self, client, municipality):
        page = parse(client.get(url_in("en", "core:search"), {"q": "zyxwvu"}).content)
        assert page.find(class_="search-results") is None
        assert page.find(class_="empty-state") is not None
        assert "0 results" in page.find(role="status").text

    def test_no_query_yet_shows_no_errors(self, client, db):
        page = parse(client.get(url_in("en", "core:search")).content)
        assert page.find(id="error-summary") is None
        assert page.find(role="status") is None

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("", "Write what you are looking for."),
            ("   ", "Write what you are looking for."),
            ("v", "Write at least 2 characters."),
            ("v" * 201, "Write at most 200 characters."),
        ],
    )
    def test_bad_query_gives_the_error_summary_and_keeps_the_text(self, client, db, typed, message):
        response = client.get(url_in("en", "core:search"), {"q": typed})

        assert response.status_code == 200
        page = parse(response.content)
        summary = page.by_id("error-summary")
        assert summary is not None
        link = summary.find("a")
        assert link.text == message
        target = page.by_id(link.attrs["href"].removeprefix("#"))
        assert target is not None and target.tag == "input"
        assert target.attrs["aria-invalid"] == "true"
        if typed.strip():
            assert target.attrs["value"] == typed
        assert page.find(class_="search-results") is None

    def test_error_message_is_translated(self, client, db):
        page = parse(client.get(url_in("nn", "core:search"), {"q": "v"}).content)
        with translation.override("nn"):
            expected = gettext("Write at least %(limit_value)d characters.") % {"limit_value": 2}
        assert page.by_id("error-summary").find("a").text == expected

    def test_the_form_is_get_and_needs_no_csrf_token(self, client, db):
        page = parse(client.get(url_in("en", "core:search")).content)
        form = page.find("main").find("form")
        assert form.attrs["method"] == "get"
        assert form.find("input", name="csrfmiddlewaretoken") is None

    def test_the_query_is_escaped(self, client, municipality):
        body = client.get(url_in("en", "core:search"), {"q": "<script>alert(1)</script>"}).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body

    def test_results_are_paginated_keeping_the_query(self, client, municipality):
        def many_hits(query, viewer):
            from tinget.core.registry import SearchHit

            return [SearchHit(f"Treff {i}", f"/treff/{i}") for i in range(45)]

        searcher = Module(
            slug="test-search",
            name="Test",
            description="Test",
            section="follow",
            url_name="core:about",
            search=many_hits,
        )
        with registry.temporarily(searcher):
            first = parse(client.get(url_in("en", "core:search"), {"q": "treff"}).content)
            third = parse(client.get(url_in("en", "core:search"), {"q": "treff", "side": "3"}).content)

        assert len(first.find(class_="search-results").find_all("li")) == 20
        assert "45 results" in first.find(role="status").text
        next_link = first.find("a", rel="next")
        assert "q=treff" in next_link.attrs["href"] and "side=2" in next_link.attrs["href"]
        assert len(third.find(class_="search-results").find_all("li")) == 5
        assert third.find("a", rel="next") is None

    def test_a_page_number_out_of_range_shows_the_last_page(self, client, municipality):
        response = client.get(url_in("en", "core:search"), {"q": "on-call", "side": "99"})
        assert response.status_code == 200
        assert parse(response.content).find(class_="search-results") is not None


@pytest.mark.django_db
class TestOnCall:
    @pytest.mark.parametrize(
        ("language", "name"),
        [
            ("nb", "Medisinsk nødtelefon (ambulanse)"),
            ("nn", "Medisinsk naudtelefon (ambulanse)"),
            ("en", "Medical emergency (ambulance)"),
        ],
    )
    def test_lists_the_numbers_in_each_language(self, client, municipality, language, name):
        response = client.get(url_in(language, "core:on_call"))

        assert response.status_code == 200
        page = parse(response.content)
        main = page.find("main")
        names = [strong.text for strong in main.find_all("strong")]
        assert name in names
        tel_links = {a.attrs["href"] for a in main.find_all("a") if a.attrs.get("href", "").startswith("tel:")}
        assert {"tel:113", "tel:110", "tel:112", "tel:116117", "tel:66700000"} <= tel_links
        headings = [h.text for h in main.find_all("h2")]
        with translation.override(language):
            assert headings == [
                gettext("Emergency"),
                gettext("Municipal on-call service"),
                gettext("Advice and guidance"),
            ]

    def test_falls_back_to_bokmal_where_nynorsk_is_missing(self, client, municipality):
        EmergencyContactFactory(municipality=municipality, name="Berre bokmål-namn", name_nn="", order=99)
        main = parse(client.get(url_in("nn", "core:on_call")).content).find("main")
        assert "Berre bokmål-namn" in [strong.text for strong in main.find_all("strong")]

    def test_without_a_profile_says_there_are_no_numbers(self, client, db):
        response = client.get(url_in("en", "core:on_call"))
        assert response.status_code == 200
        assert parse(response.content).find(class_="empty-state") is not None

    def test_query_count(self, client, municipality, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            client.get(url_in("en", "core:on_call"))


CONTENT_PAGES = ["core:accessibility", "core:privacy", "core:about", "core:on_call", "core:search", "core:hub"]


@pytest.mark.django_db
class TestContentPages:
    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("name", CONTENT_PAGES)
    def test_every_page_in_every_language(self, client, municipality, name, language):
        response = client.get(url_in(language, name))

        assert response.status_code == 200
        page = parse(response.content)
        assert page.find("html").attrs["lang"] == language
        assert len(page.find_all("h1")) == 1
        assert page.find("title").text

    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("name", ["core:accessibility", "core:privacy", "core:about", "core:on_call"])
    def test_breadcrumbs_lead_to_the_front_page_in_the_same_language(self, client, municipality, name, language):
        page = parse(client.get(url_in(language, name)).content)

        crumbs = page.find("nav", class_="ds-breadcrumbs").find_all("a")

        assert crumbs[0].attrs["href"] == url_in(language, "core:hub")
        assert crumbs[-1].attrs["aria-current"] == "page"

    @pytest.mark.parametrize("name", ["core:accessibility", "core:privacy", "core:about"])
    def test_answers_only_get(self, client, db, name):
        assert client.post(reverse(name)).status_code == 405

    def test_every_page_links_the_accessibility_statement(self, client, municipality):
        for name in CONTENT_PAGES:
            footer = parse(client.get(reverse(name)).content).find("footer")
            assert reverse("core:accessibility") in [a.attrs.get("href") for a in footer.find_all("a")]


@pytest.mark.django_db
class TestMinSide:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_requires_login(self, client, language):
        url = url_in(language, "accounts:min_side")

        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"{url_in(language, 'account_login')}?next={url}"

    def test_renders_for_a_resident(self, resident_client, resident, municipality):
        response = resident_client.get(reverse("accounts:min_side"))

        assert response.status_code == 200
        page = parse(response.content)
        assert resident.email in page.find("main").text
        assert page.find("main").find(class_="empty-state") is not None

    def test_shows_what_each_module_has_for_this_person(self, resident_client, resident, client, municipality):
        seen = []

        def provider(user):
            seen.append(user)
            return MinSideSection(
                title="Mine prøvesaker", items=[{"title": "Sak 1", "url": "/sak/1", "status": "Åpen"}]
            )

        entry = Module(
            slug="test-min-side",
            name="Test",
            description="Test",
            section="local",
            url_name="core:about",
            min_side=provider,
        )
        with registry.temporarily(entry):
            response = resident_client.get(reverse("accounts:min_side"))

        assert seen == [resident]
        main = parse(response.content).find("main")
        heading = main.find(id="ms-test-min-side")
        assert heading.text == "Mine prøvesaker"
        section = next(s for s in main.find_all("section") if s.attrs.get("aria-labelledby") == "ms-test-min-side")
        assert section.find("a").attrs["href"] == "/sak/1"
        assert section.find(class_="ds-tag").text == "Åpen"

    def test_query_count(self, resident_client, municipality, django_assert_max_num_queries):
        # Session, user, profile, and one query for each part of the page (identity, notifications,
        # follows, staff reads of my data): a fixed number, whatever the person has.
        with django_assert_max_num_queries(10):
            assert resident_client.get(reverse("accounts:min_side")).status_code == 200
