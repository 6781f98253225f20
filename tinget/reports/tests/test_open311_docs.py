"""The developers' page (reports:open311_docs): what it documents, that its examples work, and its structure."""

import itertools
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.core.tests.html import parse
from tinget.reports.models import State


@pytest.mark.django_db
class TestDevelopersPage:
    def test_documents_the_endpoint(self, client, pothole):
        response = client.get(reverse("reports:open311_docs"))

        assert response.status_code == 200
        page = parse(response.content)
        body = response.content.decode()
        assert len(page.find_all("h1")) == 1
        assert "http://testserver/open311/v2/" in body
        for word in ("discovery.json", "services.xml", "requests.json", "tokens/", "servicerequestupdates"):
            assert word in body, word
        assert "open311_apikey create --name" in body
        assert "3203" in body  # the jurisdiction_id to use
        assert "hull-i-veien" in body  # examples use a real service code
        assert reverse("api-v1:openapi-view") in body
        assert reverse("api-v1:openapi-json") in body

    def test_the_status_table(self, client, municipality):
        page = parse(client.get(reverse("reports:open311_docs")).content)

        table = page.find("table")
        assert table.find("caption").text
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.find_all("th"))
        rows = table.find("tbody").find_all("tr")
        assert len(rows) == len(State) - 1  # every public state; never "awaiting confirmation"
        text = table.text
        assert "not_councils_responsibility" in text and "action_scheduled" in text

    def test_headings_are_in_order_and_code_can_be_scrolled_by_keyboard(self, client, municipality):
        page = parse(client.get(reverse("reports:open311_docs")).content)

        levels = [int(el.tag[1]) for el in page.find_all() if re.fullmatch(r"h[1-6]", el.tag)]
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, levels
        for block in page.find_all("pre"):
            assert block.attrs.get("tabindex") == "0"
        assert all(script.attrs.get("src") for script in page.find_all("script"))  # CSP: no inline script
        assert 'style="' not in client.get(reverse("reports:open311_docs")).content.decode()

    def test_the_read_examples_answer(self, client, pothole):
        body = client.get(reverse("reports:open311_docs")).content.decode()

        examples = set(re.findall(r"curl (?:-G )?http://testserver(/open311/v2/[\w./-]+)", body))
        assert len(examples) >= 4
        for path in examples:
            if "TOKEN" in path or "/requests/101" in path:
                continue
            response = client.get(path)
            assert response.status_code == 200, (path, response.content)

    @pytest.mark.parametrize("language", ["nn", "en"])
    def test_other_languages(self, client, municipality, language):
        with translation.override(language):
            url = reverse("reports:open311_docs")
        assert url.startswith(f"/{language}/")
        assert client.get(url).status_code == 200

    def test_without_a_profile(self, client, db):
        assert client.get(reverse("reports:open311_docs")).status_code == 200
