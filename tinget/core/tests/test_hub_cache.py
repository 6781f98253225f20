"""The cached parts of the hub and the layout: what is cached is what every such visitor would see, and a
change to the profile shows at once. (Tests run with caching off; these turn it on.)"""

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.core.tests.html import parse


@pytest.fixture
def hub_cache(settings):
    settings.TINGET_HUB_CACHE_SECONDS = 60


@pytest.fixture
def layout_cache(settings, request):
    settings.CACHES = {
        **settings.CACHES,
        "layout": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid},
    }
    yield
    from django.core.cache import caches

    caches["layout"].clear()


def rendered(response):
    """Whether the page was rendered for this request (the test client records templates it renders)."""
    return any(template.name == "core/hub.html" for template in response.templates)


@pytest.mark.django_db
class TestAnonymousHubPage:
    def test_the_second_anonymous_visit_gets_the_cached_page(self, client, municipality, hub_cache, layout_cache):
        first = client.get(reverse("core:hub"))
        second = client.get(reverse("core:hub"))

        assert rendered(first)
        assert not rendered(second)
        assert second.status_code == 200
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]

    def test_a_profile_change_shows_in_the_layout_at_once(self, client, municipality, hub_cache, layout_cache):
        client.get(reverse("core:hub"))
        municipality.phone = "99 99 99 99"
        municipality.save()

        page = client.get(reverse("core:hub"))

        assert rendered(page)
        assert "99 99 99 99" in parse(page.content).find("footer").text

    def test_each_language_has_its_own_page(self, client, municipality, hub_cache, layout_cache):
        with translation.override("en"):
            en_url, en_search = reverse("core:hub"), reverse("core:search")
        nb_url, nb_search = reverse("core:hub"), reverse("core:search")
        client.get(nb_url)
        client.get(en_url)

        nb_page = client.get(nb_url).content.decode()
        en_page = client.get(en_url).content.decode()

        assert f'href="{nb_search}"' in nb_page and f'href="{en_search}"' not in nb_page
        assert f'href="{en_search}"' in en_page and f'href="{nb_search}"' not in en_page

    def test_a_logged_in_resident_gets_their_own_header(self, client, municipality, resident, hub_cache, layout_cache):
        client.get(reverse("core:hub"))
        client.force_login(resident)

        page = client.get(reverse("core:hub"))

        assert rendered(page)
        assert reverse("accounts:min_side") in page.content.decode()
        assert "csrfmiddlewaretoken" in page.content.decode()
        client.logout()
        assert "csrfmiddlewaretoken" not in client.get(reverse("core:hub")).content.decode()

    def test_a_waiting_message_is_shown_and_not_cached(self, client, municipality, resident, hub_cache, layout_cache):
        client.get(reverse("core:hub"))
        client.force_login(resident)

        # Logging out sends the visitor to the front page with a message saying so.
        after_logout = client.post(reverse("account_logout"), follow=True)
        again = client.get(reverse("core:hub"))

        assert rendered(after_logout)
        assert parse(after_logout.content).find(class_="messages") is not None
        assert parse(again.content).find(class_="messages") is None

    def test_a_query_string_is_rendered_not_cached(self, client, municipality, hub_cache, layout_cache):
        client.get(reverse("core:hub"))
        assert rendered(client.get(reverse("core:hub"), {"utm_source": "avis"}))

    def test_without_the_hub_cache_every_visit_is_rendered(self, client, municipality, layout_cache):
        client.get(reverse("core:hub"))
        assert rendered(client.get(reverse("core:hub")))


@pytest.mark.django_db
class TestLayoutPieces:
    def test_the_anonymous_header_follows_the_page(self, client, municipality, layout_cache):
        for name in ("core:about", "core:privacy", "core:about"):
            url = reverse(name)
            with translation.override("en"):
                en_url = reverse(name)
            page = parse(client.get(url).content)
            login = next(a for a in page.find("header").find_all("a") if "next=" in a.attrs.get("href", ""))
            assert login.attrs["href"].endswith(f"next={url}")
            assert [a.attrs["href"] for a in page.find("header").find_all("a", hreflang="en")] == [en_url]

    def test_the_footer_follows_the_profile(self, client, municipality, layout_cache):
        assert "66 70 00 00" in parse(client.get(reverse("core:about")).content).find("footer").text
        municipality.phone = "99 99 99 99"
        municipality.save()
        assert "99 99 99 99" in parse(client.get(reverse("core:about")).content).find("footer").text

    def test_the_menu_is_in_the_page_language(self, client, municipality, layout_cache):
        with translation.override("en"):
            en_about, en_search = reverse("core:about"), reverse("core:search")
        client.get(reverse("core:about"))
        nav = parse(client.get(en_about).content).find("nav", class_="site-nav")
        assert en_search in [a.attrs["href"] for a in nav.find_all("a")]
