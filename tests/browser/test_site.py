"""Site-wide checks in Chromium: axe (WCAG 2.1 A/AA), language, headings, console, no-JS, keyboard, reflow.

The page lists come from tinget.core.pages, which reads the module registry: a new module is checked here
without editing this file.
"""

import pytest
from browser_checks import LANGUAGES, format_violations, run_axe, url_for

from tinget.core.pages import login_required_pages, public_pages

pytestmark = pytest.mark.browser


def check_page(page, axe_source, console_errors, lang):
    html_lang = page.locator("html").get_attribute("lang")
    assert html_lang == lang, f"<html lang={html_lang!r}> on {page.url}, expected {lang!r}"
    h1_count = page.locator("h1").count()
    assert h1_count == 1, f"{h1_count} h1 elements on {page.url}"
    violations = run_axe(page, axe_source)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"
    assert not console_errors, f"console errors on {page.url}:\n" + "\n".join(console_errors)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", public_pages())
def test_public_page(page, axe_source, console_errors, name, lang):
    response = page.goto(url_for(name, lang))
    assert response.status == 200, f"{name} ({lang}) answered {response.status}"
    check_page(page, axe_source, console_errors, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", login_required_pages())
def test_login_required_page(logged_in_page, axe_source, console_errors, name, lang):
    page = logged_in_page
    response = page.goto(url_for(name, lang))
    assert response.status == 200, f"{name} ({lang}) answered {response.status}"
    assert page.url.endswith(url_for(name, lang)), f"{name} redirected to {page.url}"
    check_page(page, axe_source, console_errors, lang)


@pytest.mark.parametrize("name", public_pages())
def test_page_has_a_visible_heading_without_javascript(browser, site, name):
    context = browser.new_context(base_url=site, java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(url_for(name))
        assert response.status == 200
        h1 = page.locator("h1")
        assert h1.count() == 1
        assert h1.is_visible()
        assert h1.inner_text().strip()
    finally:
        context.close()


def focused(page):
    """A short description of the focused element, for comparing and for failure messages."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: el.innerText,
                    href: el.getAttribute('href'), inNav: !!el.closest('nav.site-nav'),
                    inMain: !!el.closest('main')};
        }"""
    )


def test_skip_link_and_main_navigation_by_keyboard(page):
    page.goto(url_for("core:hub"))

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip and "ds-skip-link" in skip["cls"], f"first Tab focused {skip}"
    box = page.locator(".ds-skip-link").bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10 and box["y"] >= 0, f"skip link not visible: {box}"
    assert page.locator(".ds-skip-link").is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # From the top again: Tab walks the header and reaches the menu's links in their visual order.
    page.goto(url_for("core:hub"))
    nav_hrefs = page.locator("nav.site-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert nav_hrefs, "the main menu has no links"
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        el = focused(page)
        assert el is not None, "focus fell back to the body before reaching the menu"
        assert not el["inMain"], f"reached main content before the menu's links were all reached: {reached}"
        if el["inNav"]:
            reached.append(el["href"])
            if len(reached) == len(nav_hrefs):
                break
    assert reached == nav_hrefs

    search_url = url_for("core:search")
    assert reached[-1] == search_url, "the menu should end with its Search link"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{search_url}")
    assert page.locator("h1").inner_text().strip()


def tab_to(page, selector, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_hub_search_by_keyboard(page, axe_source):
    page.goto(url_for("core:hub"))
    tab_to(page, "#hub-q")
    page.keyboard.type("vakt")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + url_for("core:search") + "?q=vakt")
    status = page.locator("[role=status]").filter(has_text="vakt")
    assert status.count() == 1 and status.is_visible()
    assert page.locator("h1").count() == 1
    violations = run_axe(page, axe_source)
    assert not violations, format_violations(violations)


def test_search_error_summary_links_to_the_field(page, axe_source, console_errors):
    page.goto(url_for("core:search"))
    tab_to(page, "input[name=q]")
    page.keyboard.press("Enter")  # nothing typed: the server answers with the form's errors
    page.wait_for_url("**?q=")

    summary = page.locator(".ds-error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    field = page.locator("input[name=q]")
    assert field.get_attribute("aria-invalid") == "true"
    described_by = field.get_attribute("aria-describedby").split()
    error_id = next(i for i in described_by if i.endswith("_error"))
    assert page.locator(f"#{error_id}").inner_text().strip()

    link = summary.locator("a").first
    link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "q"

    violations = run_axe(page, axe_source)
    assert not violations, format_violations(violations)
    assert not console_errors, "\n".join(console_errors)


@pytest.mark.parametrize("name", public_pages())
def test_reflow_at_320_css_pixels(browser, site, name):
    """WCAG 1.4.10: 320 CSS px wide is what a 1280 px window shows at 400 % zoom; nothing may scroll sideways."""
    context = browser.new_context(base_url=site, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(url_for(name))
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > 321
                              || (el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1))
                .slice(-5)
                .map(el => `${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''}: `
                           + (el.innerText || '').slice(0, 40))"""
        )
        assert scroll_width <= 321, f"scrollWidth {scroll_width} at 320 px; too wide: {wide}"
    finally:
        context.close()
