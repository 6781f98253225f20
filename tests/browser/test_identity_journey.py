"""Issue 3's journey in Chromium: a page that needs a verified resident, ID-porten login through the local
provider, back on that page, the level on Min side, download my data, delete my account; and a person from
outside the municipality, told kindly why they cannot take part."""

import json
import re
import zipfile

import pytest
from browser_checks import format_violations, run_axe, url_for

from tinget.accounts.tests.idporten_helpers import ASKER_PID, OSLO_PID, register_client

pytestmark = pytest.mark.browser


@pytest.fixture
def idporten(site, settings):
    """Our client talks to the real local provider on the live server, over loopback."""
    settings.IDPORTEN_ISSUER = f"{site}/dev-idp"
    settings.IDPORTEN_CLIENT_ID = "tinget-test"
    settings.IDPORTEN_CLIENT_SECRET = "test-client-secret"
    register_client(settings, origin=site)
    return site


def assert_accessible(page, axe_source):
    violations = run_axe(page, axe_source)
    assert not violations, format_violations(violations)


def log_in_at_provider(page, pid, axe_source):
    page.wait_for_url(re.compile(r".*/dev-idp/authorize.*"))
    assert_accessible(page, axe_source)
    page.check(f"input[name=pid][value='{pid}']")
    page.click("button[name=login]")
    page.wait_for_load_state()


def test_a_resident_logs_in_with_id_porten_downloads_and_deletes(
    page, idporten, axe_source, console_errors, django_user_model
):
    residency = url_for("accounts:residency")
    page.goto(residency)

    log_in_at_provider(page, ASKER_PID, axe_source)

    # Back where they started, confirmed as a resident at the substantial level.
    assert page.url.endswith(residency)
    main = page.locator("main")
    assert "Asker kommune" in main.inner_text()
    assert "betydelig" in main.inner_text().lower()
    assert_accessible(page, axe_source)

    page.goto(url_for("accounts:min_side"))
    assert "betydelig" in page.locator("main").inner_text().lower()
    assert_accessible(page, axe_source)

    page.goto(url_for("accounts:privacy"))
    download_action = url_for("accounts:privacy_download")
    with page.expect_download() as download_info:
        page.click(f"form[action='{download_action}'] button[type=submit]")
    archive = zipfile.ZipFile(download_info.value.path())
    assert {"data.json", "index.html"} <= set(archive.namelist())
    exported = archive.read("data.json").decode()
    assert ASKER_PID not in exported
    assert json.loads(exported)["account"]

    user_count = django_user_model.objects.count()
    page.goto(url_for("accounts:privacy_delete"))
    assert_accessible(page, axe_source)
    page.check("input[name=understand]")
    page.click(f"form[action='{url_for('accounts:privacy_delete')}'] button[type=submit]")
    page.wait_for_load_state()

    assert django_user_model.objects.count() == user_count - 1
    assert page.locator("h1").count() == 1
    assert not console_errors, console_errors


def test_a_person_from_elsewhere_is_told_kindly(page, idporten, axe_source, console_errors):
    page.goto(url_for("accounts:residency"))

    log_in_at_provider(page, OSLO_PID, axe_source)

    text = page.locator("main").inner_text()
    assert "Asker kommune" in text
    assert "66 70 00 00" in text  # who to contact
    assert page.locator("h1").count() == 1
    assert_accessible(page, axe_source)
    # The page answers 403 on purpose (they may not take part), which Chromium reports on the console.
    assert [e for e in console_errors if "status of 403" not in e] == []
