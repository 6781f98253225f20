from django.urls import reverse

from tinget.core.pages import login_required_pages, public_pages
from tinget.core.registry import Module, registry


def test_core_and_account_pages_are_listed():
    pages = public_pages()
    for name in ("core:hub", "core:search", "core:on_call", "core:accessibility", "account_login"):
        assert name in pages
    assert len(pages) == len(set(pages))


def test_a_registered_module_brings_its_pages():
    module = Module(
        slug="test-pages-module",
        name="Test",
        description="Test",
        section="local",
        url_name="core:about",
        page_url_names=("core:privacy", "test_pages_extra"),
    )
    assert "test_pages_extra" not in public_pages()
    with registry.temporarily(module):
        pages = public_pages()
        assert "test_pages_extra" in pages
        # Names already listed are not repeated, so no page is checked twice.
        assert pages.count("core:privacy") == 1
    assert "test_pages_extra" not in public_pages()


def test_every_listed_page_reverses_without_arguments():
    for name in public_pages() + login_required_pages():
        assert reverse(name).startswith("/")


def test_login_required_pages_are_not_public():
    assert set(login_required_pages()).isdisjoint(public_pages())
    assert "accounts:min_side" in login_required_pages()
