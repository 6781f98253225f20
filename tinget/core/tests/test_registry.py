"""The module registry, and the hub that is built from it."""

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.core.registry import SECTIONS, Module, Registry, registry
from tinget.core.tests.html import parse


def module(slug="test-module", section="local", url_name="core:about", order=100, **kwargs):
    return Module(
        slug=slug,
        name=kwargs.pop("name", f"Name of {slug}"),
        description=kwargs.pop("description", f"What {slug} does"),
        section=section,
        url_name=url_name,
        order=order,
        **kwargs,
    )


class TestRegistry:
    def test_register_and_unregister(self):
        reg = Registry()
        entry = module()

        assert reg.register(entry) is entry
        assert reg.get("test-module") is entry
        assert len(reg) == 1
        reg.unregister("test-module")
        assert reg.get("test-module") is None
        assert len(reg) == 0
        reg.unregister("test-module")  # forgetting twice is harmless

    def test_registering_the_same_module_again_is_idempotent(self):
        reg = Registry()
        reg.register(module())
        reg.register(module())
        assert len(reg) == 1

    def test_duplicate_slug_with_a_different_module_raises(self):
        reg = Registry()
        reg.register(module(section="local"))
        with pytest.raises(ValueError, match="test-module"):
            reg.register(module(section="politics"))
        assert reg.get("test-module").section == "local"

    def test_unknown_section_raises(self):
        with pytest.raises(ValueError, match="nowhere"):
            module(section="nowhere")

    def test_iterates_by_order_then_slug(self):
        reg = Registry()
        for entry in (module("c", order=20), module("b", order=10), module("a", order=20), module("z", order=1)):
            reg.register(entry)
        assert [m.slug for m in reg] == ["z", "b", "a", "c"]

    def test_sections_keep_the_seed_order_and_include_empty_ones(self):
        reg = Registry()
        reg.register(module("late", section="follow", order=1))
        reg.register(module("early", section="politics", order=50))

        sections = reg.sections()

        assert [section.slug for section, _ in sections] == [s.slug for s in SECTIONS]
        assert [s.slug for s in SECTIONS] == ["politics", "local", "insight", "culture", "follow"]
        as_dict = {section.slug: [m.slug for m in modules] for section, modules in sections}
        assert as_dict == {"politics": ["early"], "local": [], "insight": [], "culture": [], "follow": ["late"]}

    def test_a_module_without_a_working_page_is_hidden(self):
        reg = Registry()
        reg.register(module("dead", url_name="nowhere:at-all"))
        reg.register(module("alive", url_name="core:about"))

        listed = [m.slug for _, modules in reg.sections() for m in modules]

        assert listed == ["alive"]
        assert reg.get("dead").url is None
        assert reg.get("alive").url == reverse("core:about")

    def test_temporarily(self):
        reg = Registry()
        reg.register(module("kept"))
        with reg.temporarily(module("a"), module("b")) as inside:
            assert inside is reg
            assert {m.slug for m in reg} == {"kept", "a", "b"}
        assert [m.slug for m in reg] == ["kept"]

    def test_temporarily_cleans_up_after_an_error(self):
        reg = Registry()
        with pytest.raises(RuntimeError), reg.temporarily(module("a")):
            raise RuntimeError
        assert len(reg) == 0

    def test_the_core_registers_the_on_call_page(self):
        on_call = registry.get("on-call")
        assert on_call is not None
        assert on_call.section == "insight"
        assert on_call.url == reverse("core:on_call")


def section_element(page, slug):
    element = page.by_id(slug)
    assert element is not None and element.tag == "section", f"no hub section {slug!r}"
    return element


@pytest.mark.django_db
class TestHub:
    def test_a_registered_module_shows_as_a_card_in_its_section(self, client, municipality):
        entry = module("test-card", section="culture", url_name="core:about", name="Prøvekortet")
        with registry.temporarily(entry):
            response = client.get(reverse("core:hub"))

        assert response.status_code == 200
        culture = section_element(parse(response.content), "culture")
        links = [a for a in culture.find_all("a") if a.text == "Prøvekortet"]
        assert [a.attrs["href"] for a in links] == [reverse("core:about")]
        assert "What test-card does" in culture.text
        politics = section_element(parse(response.content), "politics")
        assert "Prøvekortet" not in politics.text

    def test_a_module_with_a_dead_link_is_not_shown(self, client, municipality):
        with registry.temporarily(module("dead-card", url_name="nowhere:page", name="Ingen side")):
            response = client.get(reverse("core:hub"))
        assert "Ingen side" not in response.content.decode()

    def test_empty_sections_say_so_and_give_the_phone_number(self, client, municipality):
        page = parse(client.get(reverse("core:hub")).content)

        for section, modules in registry.sections():
            element = section_element(page, section.slug)
            empty = element.find(class_="empty-state")
            if modules:
                assert empty is None
            else:
                assert empty is not None
                assert municipality.phone in empty.text
        # The core itself registers the on-call page under "insight", so that section is never empty.
        assert section_element(page, "insight").find(class_="empty-state") is None

    def test_empty_sections_without_a_profile(self, client, db):
        page = parse(client.get(reverse("core:hub")).content)
        assert section_element(page, "politics").find(class_="empty-state") is not None

    def test_every_section_has_a_heading_that_labels_it(self, client, municipality):
        page = parse(client.get(reverse("core:hub")).content)
        for section in SECTIONS:
            element = section_element(page, section.slug)
            heading = page.by_id(element.attrs["aria-labelledby"])
            assert heading is not None and heading.tag == "h2"

    def test_query_count_is_bounded(self, client, municipality, resident, django_assert_max_num_queries):
        with registry.temporarily(*(module(f"m{i}", section=s.slug) for i, s in enumerate(SECTIONS))):
            with django_assert_max_num_queries(2):
                assert client.get(reverse("core:hub")).status_code == 200
            client.force_login(resident)
            # Session and user; the profile is cached.
            with django_assert_max_num_queries(4):
                assert client.get(reverse("core:hub")).status_code == 200

    def test_hub_body_cache_is_per_language(self, client, municipality, settings):
        settings.TINGET_HUB_CACHE_SECONDS = 60
        with translation.override("nb"):
            nb_url, nb_search = reverse("core:hub"), reverse("core:search")
        with translation.override("en"):
            en_url, en_search = reverse("core:hub"), reverse("core:search")
        assert nb_search != en_search

        assert f'action="{nb_search}"' in client.get(nb_url).content.decode()
        # The body is cached, but a change to the profile shows at once, in the footer and in the body.
        municipality.phone = "99 99 99 99"
        municipality.save()
        nb_again = parse(client.get(nb_url).content)
        en_body = client.get(en_url).content.decode()

        assert "99 99 99 99" in nb_again.find("footer").text
        assert "99 99 99 99" in nb_again.find(class_="hub-phone").text
        assert f'action="{en_search}"' in en_body
        assert f'action="{nb_search}"' not in en_body
        assert "99 99 99 99" in parse(en_body).find(class_="hub-phone").text

    def test_hub_answers_only_get(self, client, db):
        assert client.post(reverse("core:hub")).status_code == 405
