"""The API root: index, modules, municipality, the OpenAPI document and its docs page."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.core.registry import Module, registry
from tinget.core.tests.html import parse


def get_json(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


@pytest.mark.django_db
class TestIndex:
    def test_index(self, client, municipality):
        data = get_json(client, "/api/v1/")

        assert data["name"] == "Tinget"
        assert data["version"] == "1"
        assert data["openapi"] == "http://testserver/api/v1/openapi.json"
        assert data["municipality"] == "Asker kommune"
        assert "on-call" in [m["slug"] for m in data["modules"]]

    def test_index_without_a_profile(self, client, db):
        assert get_json(client, "/api/v1/")["municipality"] is None


@pytest.mark.django_db
class TestModules:
    def test_lists_the_registry(self, client, db):
        data = get_json(client, "/api/v1/modules")

        assert [m["slug"] for m in data] == [m.slug for m in registry]
        on_call = next(m for m in data if m["slug"] == "on-call")
        assert on_call["section"] == "insight"
        assert on_call["url"] == "http://testserver" + reverse("core:on_call")
        assert on_call["api"] is None

    def test_a_module_without_a_page_has_no_url(self, client, db):
        entry = Module(slug="no-page", name="Uten side", description="-", section="local", url_name="no:page")
        with registry.temporarily(entry):
            data = get_json(client, "/api/v1/modules")
        assert next(m for m in data if m["slug"] == "no-page")["url"] is None

    @pytest.mark.parametrize(
        ("accept", "language"), [("", "nb"), ("en", "en"), ("nn,nb;q=0.8", "nn"), ("de", "nb"), ("x" * 300, "nb")]
    )
    def test_names_follow_accept_language(self, client, db, accept, language):
        response = client.get("/api/v1/modules", HTTP_ACCEPT_LANGUAGE=accept)
        names = {m["slug"]: m["name"] for m in json.loads(response.content)}
        assert response["Content-Language"] == language
        assert "Accept-Language" in response["Vary"]
        with translation.override(language):
            assert names["on-call"] == str(registry.get("on-call").name)


@pytest.mark.django_db
class TestMunicipality:
    def test_with_areas(self, client, municipality):
        data = get_json(client, "/api/v1/municipality")

        assert data["number"] == "3203"
        assert data["name"] == "Asker kommune"
        assert data["population"] == municipality.population
        assert len(data["areas"]) == 8
        assert data["areas"][0] == {"name": "Asker sentrum", "slug": "asker-sentrum", "is_demo": True}
        assert [a["name"] for a in data["areas"]] == sorted(a["name"] for a in data["areas"])

    def test_404_when_no_profile_is_loaded(self, client, db):
        data = get_json(client, "/api/v1/municipality", status=404)
        assert data == {"code": "not_configured", "detail": "No municipality profile is loaded."}

    def test_query_count(self, client, municipality, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            client.get("/api/v1/municipality")


@pytest.mark.django_db
class TestOpenApi:
    def test_document(self, client):
        schema = get_json(client, "/api/v1/openapi.json")

        assert schema["openapi"].startswith("3.")
        assert schema["info"]["title"] == "Tinget API"
        assert {"/api/v1/", "/api/v1/modules", "/api/v1/municipality"} <= set(schema["paths"])
        assert set(schema["paths"]["/api/v1/municipality"]["get"]["responses"]) == {"200", "404"}

    def test_docs_page_loads_nothing_from_elsewhere(self, client):
        response = client.get(reverse("api-v1:openapi-view"))

        assert response.status_code == 200
        page = parse(response.content)
        sources = [el.attrs["src"] for el in page.find_all("script") if "src" in el.attrs]
        sources += [el.attrs["href"] for el in page.find_all("link") if "href" in el.attrs]
        assert len(sources) >= 3
        for source in sources:
            assert source.startswith("/static/"), source
        body = response.content.decode()
        assert "cdn" not in body.lower()
        # Scripts that run come from files (CSP has no 'unsafe-inline'); the settings block is inert JSON.
        for script in page.find_all("script"):
            assert script.attrs.get("src") or script.attrs.get("type") == "application/json"

    def test_docs_static_files_exist(self, client):
        from django.contrib.staticfiles import finders

        page = parse(client.get(reverse("api-v1:openapi-view")).content)
        for script in page.find_all("script"):
            if "src" in script.attrs:
                assert finders.find(script.attrs["src"].removeprefix("/static/")), script.attrs["src"]


@pytest.mark.django_db
class TestErrors:
    def test_unknown_api_path_is_json(self, client):
        response = client.get("/api/v1/finnes-ikke")
        assert response.status_code == 404

    def test_writes_are_refused(self, client):
        assert client.post("/api/v1/modules").status_code == 405
