"""Chromium through Playwright against pytest-django's live server, with axe-core for the WCAG checks.

One browser and one live server serve the whole run; each test gets a fresh context (cookies, storage).
"""

import os
from pathlib import Path

import pytest
from browser_checks import AXE_PATH, CHROMIUM_ARGS, url_for

# Playwright's sync API runs an event loop in this thread, and Django then refuses ORM calls from it
# ("You cannot call this from an async context"). The tests only touch the ORM for setup, never from
# inside a callback, so the check is a false alarm here; it stays on everywhere else.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

USER_EMAIL = "browser-test@example.no"
USER_PASSWORD = "et-langt-passord-for-nettleser-42"


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing at {AXE_PATH}; run `npm ci`")
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.skip(f"no Chromium at {executable} (set CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the Asker profile loaded. transactional_db empties the tables after each test,
    so the profile is loaded again for every test (it is small)."""
    from tinget.core.profile import load_profile

    load_profile("asker")
    return live_server.url


class ConsoleErrors(list):
    """Console errors and uncaught page errors (a CSP violation is logged as a console error)."""

    def watch(self, page):
        page.on("console", lambda msg: self.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.append(f"pageerror: {exc}"))
        return page


@pytest.fixture
def console_errors():
    return ConsoleErrors()


@pytest.fixture
def context(browser, site):
    context = browser.new_context(base_url=site, locale="nb-NO")
    yield context
    context.close()


@pytest.fixture
def page(context, console_errors):
    page = console_errors.watch(context.new_page())
    page.set_default_timeout(10_000)
    yield page
    page.close()


@pytest.fixture
def user(site, django_user_model):
    return django_user_model.objects.create_user(USER_EMAIL, USER_PASSWORD, display_name="Nettleser Test")


@pytest.fixture
def logged_in_page(browser, site, user, console_errors):
    """A page in a context that logged in through the real login form, as a person would."""
    from allauth.account.models import EmailAddress

    # Mandatory e-mail verification would stop the login at "confirm your address".
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    context = browser.new_context(base_url=site, locale="nb-NO")
    page = console_errors.watch(context.new_page())
    page.set_default_timeout(10_000)
    page.goto(url_for("account_login"))
    page.locator("input[name=login]").fill(USER_EMAIL)
    page.locator("input[name=password]").fill(USER_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    assert any(c["name"] == "sessionid" for c in context.cookies()), f"login failed, still at {page.url}"
    yield page
    context.close()
