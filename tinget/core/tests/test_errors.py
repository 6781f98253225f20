"""Health check, error pages and security headers."""

import json

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tinget.core.tests.html import parse

LANGUAGES = ["nb", "nn", "en"]


def url_in(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.django_db
class TestHealth:
    def test_up(self, client):
        response = client.get("/helse")

        assert response.status_code == 200
        assert json.loads(response.content) == {"status": "ok", "database": "up"}
        assert "no-cache" in response["Cache-Control"]

    def test_down_when_the_database_cannot_be_reached(self, client, monkeypatch):
        # Stands in for the database server going away: the connection refuses to give a cursor.
        def refuse(*args, **kwargs):
            raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(connection, "cursor", refuse)

        response = client.get("/helse")

        assert response.status_code == 503
        assert json.loads(response.content) == {"status": "unavailable", "database": "down"}


@pytest.mark.django_db(transaction=True)
def test_health_is_down_when_postgresql_is_on_a_closed_port(client):
    """The real thing: point the connection at a port where nothing listens."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database lives in memory; there is no server to lose")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "9", "OPTIONS": {"connect_timeout": 2}})
    try:
        response = client.get("/helse")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert client.get("/helse").status_code == 200


def nb(message):
    with translation.override("nb"):
        return gettext(message)


def page_lang(response):
    return parse(response.content).find("html").attrs.get("lang")


@pytest.mark.django_db
class TestNotFound:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_translated_page(self, client, municipality, language):
        prefix = "" if language == "nb" else f"/{language}"

        response = client.get(f"{prefix}/finnes-ikke-{language}/")

        assert response.status_code == 404
        assert page_lang(response) == language
        with translation.override(language):
            heading = gettext("We cannot find that page")
        assert parse(response.content).find("h1").text == heading
        assert municipality.phone in response.content.decode()

    def test_headings_differ_between_languages(self, client, db):
        headings = {
            language: parse(client.get(f"{'' if language == 'nb' else '/' + language}/nope/").content).find("h1").text
            for language in LANGUAGES
        }
        assert headings["en"] == "We cannot find that page"
        assert headings["nb"] != headings["en"]
        assert headings["nn"] != headings["en"]

    def test_without_a_profile(self, client, db):
        response = client.get("/finnes-ikke/")
        assert response.status_code == 404
        assert parse(response.content).find("h1") is not None


@pytest.mark.django_db
class TestCsrfFailure:
    def test_expired_form_page(self, municipality):
        client = Client(enforce_csrf_checks=True)
        url = url_in("en", "account_login")

        response = client.post(url, {"login": "kari@example.no", "password": "feil"})

        assert response.status_code == 403
        assert page_lang(response) == "en"
        assert parse(response.content).find("h1").text == "The form has expired"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_in_every_language(self, language, db):
        client = Client(enforce_csrf_checks=True)
        response = client.post(url_in(language, "account_login"), {})
        assert response.status_code == 403
        assert page_lang(response) == language
        with translation.override(language):
            assert parse(response.content).find("h1").text == gettext("The form has expired")

    def test_with_a_token_the_form_works(self, db):
        client = Client(enforce_csrf_checks=True)
        url = url_in("en", "account_login")
        client.get(url)
        token = client.cookies["csrftoken"].value
        response = client.post(url, {"login": "kari@example.no", "password": "feil", "csrfmiddlewaretoken": token})
        assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("tinget.core.tests.urls_errors")
class TestServerAndClientErrors:
    def test_500_page(self, client, municipality):
        client.raise_request_exception = False

        response = client.get("/test-errors/explode")

        assert response.status_code == 500
        assert parse(response.content).find("h1").text == nb("Something went wrong on our side")
        assert "a bug in a view" not in response.content.decode()

    def test_500_page_when_the_database_is_what_failed(self, client, db, monkeypatch):
        """The error page itself needs the database (the profile); then plain text is better than nothing."""

        def refuse(*args, **kwargs):
            raise OperationalError("server closed the connection unexpectedly")

        client.raise_request_exception = False
        monkeypatch.setattr(connection, "cursor", refuse)

        response = client.get("/test-errors/explode")

        assert response.status_code == 500
        assert response.content.decode() == nb("Something went wrong on our side. Please try again later.")

    def test_400_page(self, client, municipality):
        response = client.get("/test-errors/bad-request")

        assert response.status_code == 400
        assert parse(response.content).find("h1").text == nb("Something was wrong with the request")

    def test_400_for_a_host_we_do_not_serve(self, client, db):
        response = client.get(reverse("core:hub"), HTTP_HOST="evil.example.com")
        assert response.status_code == 400
        assert parse(response.content).find("h1").text == nb("Something was wrong with the request")

    def test_403_page(self, client, db):
        response = client.get("/test-errors/forbidden")
        assert response.status_code == 403
        assert parse(response.content).find("h1") is not None


@pytest.mark.django_db
class TestSecurityHeaders:
    @pytest.mark.parametrize("name", ["core:hub", "core:search", "core:on_call", "core:about"])
    def test_on_a_normal_page(self, client, municipality, name):
        response = client.get(reverse(name))

        assert response.status_code == 200
        csp = {
            directive.split()[0]: directive.split()[1:]
            for directive in response["Content-Security-Policy"].split(";")
            if directive.strip()
        }
        assert csp["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"

    def test_no_inline_scripts_or_styles(self, client, municipality):
        page = parse(client.get(reverse("core:hub")).content)
        for script in page.find_all("script"):
            assert script.attrs.get("src", "").startswith("/static/"), script.attrs
            assert not script.text
        assert page.find_all("style") == []
        assert [el for el in page.iter() if "style" in el.attrs] == []
        assert [el for el in page.iter() if any(name.startswith("on") for name in el.attrs)] == []

    def test_error_pages_carry_the_headers_too(self, client, db):
        response = client.get("/finnes-ikke/")
        assert response.status_code == 404
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
