"""Fault reports as people use them (issue 4, "Done when"): a resident reports a pothole with a photo and a map
click, confirms by e-mail, a case worker moves it through investigating to fixed with an answer, and the
resident sees each step on the report page, on Min side and in e-mail, and the statistics count it. A keyboard
user and a user without JavaScript report too. axe checks every page on the way."""

import io
import re
from urllib.parse import urlsplit

import pytest
from browser_checks import context_with_session_of, format_violations, run_axe, url_for
from PIL import Image

pytestmark = pytest.mark.browser

RESIDENT_EMAIL = "ingrid.browser@example.no"
RESIDENT_PASSWORD = "et-langt-passord-for-ingrid-42"
STAFF_PASSWORD = "et-langt-passord-for-sander-42"


@pytest.fixture
def categories(site):
    from tinget.reports.categories import load_report_categories

    load_report_categories("asker")


@pytest.fixture
def resident_account(site, django_user_model):
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user(RESIDENT_EMAIL, RESIDENT_PASSWORD, display_name="Ingrid Nettleser")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def case_worker_context(browser, site, django_user_model, two_factor_login):
    """A browser context logged in as a case worker of Vei og park, with the second factor used: logged in
    through the real login and two-factor pages with Django's test client, whose session cookie the browser
    then carries."""
    from django.test import Client

    from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles
    from tinget.core.models import Unit

    user = django_user_model.objects.create_user(
        "sander.browser@example.no", STAFF_PASSWORD, display_name="Sander Saksbehandler", is_staff=True
    )
    user.groups.add(ensure_staff_roles()[CASE_WORKER])
    user.units.add(Unit.objects.get(slug="vei-og-park"))
    client = Client()
    two_factor_login(client, user, STAFF_PASSWORD)
    context = context_with_session_of(browser, site, client)
    yield context
    context.close()


def photo_file(tmp_path):
    path = tmp_path / "hull.jpg"
    image = Image.new("RGB", (800, 600), (90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def path_for(name, **kwargs):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("nb"):
        return reverse(name, kwargs=kwargs)


def confirm_prefix():
    return path_for("reports:confirm", token="TOKEN").split("TOKEN")[0]


def assert_accessible(page, axe_source):
    violations = run_axe(page, axe_source)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


def link_in(message, name):
    """The path of the link in an e-mail whose address contains `name` (the e-mail's host is the site's)."""
    for url in re.findall(r"https?://\S+", message.body):
        if name in url:
            return urlsplit(url).path
    raise AssertionError(f"no {name} link in: {message.body}")


def test_pothole_from_report_to_fixed(
    page, case_worker_context, categories, resident_account, axe_source, console_errors, tmp_path, mailoutbox
):
    from tinget.reports.models import Report

    # Where and what: a click on the map, near Asker sentrum, and the category.
    page.goto(url_for("reports:new"))
    assert_accessible(page, axe_source)
    map_box = page.locator(".leaflet-container").bounding_box()
    assert map_box, "the map did not draw"
    page.mouse.click(map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2)
    assert page.locator("input[name=latitude]").input_value(), "the map click did not set the position"
    page.locator("select[name=category]").select_option("hull-i-veien")
    page.locator(
        "main form:has(select[name=category]) button[type=submit]:not([data-locate]):not([data-clear])"
    ).click()

    # The details, a photo, and who (not logged in: name and e-mail).
    page.wait_for_load_state()
    assert_accessible(page, axe_source)
    page.locator("textarea[name=description]").fill("Dypt hull midt i veien ved bussholdeplassen.")
    page.locator("input[type=file]").set_input_files(str(photo_file(tmp_path)))
    page.locator("input[name=name]").fill("Ingrid Nettleser")
    page.locator("input[name=email]").fill(RESIDENT_EMAIL)
    page.locator("main form:has(textarea[name=description]) button[type=submit]").click()
    page.wait_for_load_state()
    assert_accessible(page, axe_source)
    report = Report.objects.get()
    assert report.state == "unconfirmed" and report.photos.count() == 1

    # Confirm by e-mail: the report is published and joins Ingrid's account.
    confirm = next(m for m in mailoutbox if RESIDENT_EMAIL in m.to)
    page.goto(link_in(confirm, confirm_prefix()))
    assert_accessible(page, axe_source)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.state == "open" and report.reporter_id == resident_account.pk

    # The case worker moves it through investigating to fixed, with an answer each time.
    staff = case_worker_context.new_page()
    console_errors.watch(staff)
    staff.goto(path_for("reports:handle"))
    assert_accessible(staff, axe_source)
    assert f"#{report.pk}" in staff.locator("main").inner_text(), "the new report is not in the unit's queue"
    for state, answer in (
        ("investigating", "Vi har sett på hullet og bestiller asfalt."),
        ("fixed", "Hullet er fylt med asfalt."),
    ):
        staff.goto(path_for("reports:handle_detail", pk=report.pk))
        assert_accessible(staff, axe_source)
        form = staff.locator("#form-state")
        form.locator("select").first.select_option(state)
        form.locator("textarea").first.fill(answer)
        form.locator("button[type=submit]").click()
        staff.wait_for_load_state()
        report.refresh_from_db()
        assert report.state == state

    # The resident sees each step on the report page …
    page.goto(path_for("reports:detail", pk=report.pk))
    assert_accessible(page, axe_source)
    history = page.locator("main").inner_text()
    assert "Vi har sett på hullet" in history and "Hullet er fylt med asfalt." in history

    # … in e-mail (one for each step) …
    to_ingrid = [m for m in mailoutbox if RESIDENT_EMAIL in m.to]
    assert any("asfalt" in m.body for m in to_ingrid), [m.subject for m in to_ingrid]
    assert len(to_ingrid) >= 4, [m.subject for m in to_ingrid]  # confirm, receipt, investigating, fixed

    # … and on Min side, once logged in.
    page.goto(url_for("account_login"))
    page.locator("input[name=login]").fill(RESIDENT_EMAIL)
    page.locator("input[name=password]").fill(RESIDENT_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    page.goto(url_for("accounts:min_side"))
    assert_accessible(page, axe_source)
    mine = page.locator("main").inner_text()
    from django.utils import translation

    with translation.override("nb"):
        fixed_label = str(report.get_state_display())
    assert f"#{report.pk}" in mine and fixed_label in mine

    # Four weeks on, "is it fixed?": the page the e-mail links to answers with one click.
    from tinget.reports import services

    page.goto(path_for("reports:questionnaire", token=services.questionnaire_token(report)))
    assert_accessible(page, axe_source)

    # Staff register a report for a caller on the same form.
    staff.goto(path_for("reports:intake"))
    assert_accessible(staff, axe_source)

    # The statistics count it.
    page.goto(url_for("reports:stats"))
    assert_accessible(page, axe_source)
    assert "Hull i veien" in page.locator("main").inner_text()
    assert not console_errors, "\n".join(console_errors)


def test_without_javascript_by_address(browser, site, categories, resident_account, axe_source, mailoutbox):
    """No map, no script: the address finds the place on the server."""
    from tinget.reports.models import Report

    context = browser.new_context(base_url=site, locale="nb-NO", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url_for("reports:new"))
        page.locator("input[name=address]").fill("Slemmestad")
        page.locator("select[name=category]").select_option("gatelys")
        page.locator("main form [type=submit]").first.click()
        page.wait_for_load_state()
        choice = page.locator("input[name=place]")
        if choice.count():  # several places match: pick the first
            choice.first.check()
            page.locator("main form [type=submit]").first.click()
            page.wait_for_load_state()
        page.locator("textarea[name=description]").fill("Lyset er gått i lyktestolpen ved kaia.")
        for question in page.locator("fieldset:has(input[type=radio][required])").all():
            question.locator("input[type=radio]").first.check()
        page.locator("input[name=name]").fill("Ingrid Nettleser")
        page.locator("input[name=email]").fill(RESIDENT_EMAIL)
        page.locator("main form:has(textarea[name=description]) button[type=submit]").click()
        page.wait_for_load_state()
        report = Report.objects.get()
        assert report.category.slug == "gatelys" and report.area.slug == "slemmestad"
        page.goto(link_in(next(m for m in mailoutbox if RESIDENT_EMAIL in m.to), confirm_prefix()))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        report.refresh_from_db()
        assert report.state == "open"
    finally:
        context.close()


def test_keyboard_only(logged_in_page, categories, axe_source):
    """Tab, type and Enter only: a logged-in resident reports a street light by address."""
    from tinget.reports.models import Report

    page = logged_in_page
    page.goto(url_for("reports:new"))

    def tab_to(selector, limit=60):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector} on {page.url}: {page.locator('main').inner_text()[:600]}")

    def submit_by_keyboard():
        with page.expect_navigation():
            page.keyboard.press("Enter")

    tab_to("input[name=address]")
    page.keyboard.type("Heggedal")
    tab_to("select[name=category]")
    page.locator("select[name=category]").press("End")  # keyboard selection, no mouse
    page.locator("select[name=category]").select_option("gatelys")
    tab_to("main form button[type=submit]:not([data-locate]):not([data-clear])")
    submit_by_keyboard()
    if page.locator("input[name=place]").count():
        tab_to("input[name=place]")
        page.keyboard.press("Space")
        tab_to("main form button[type=submit]")
        submit_by_keyboard()
    tab_to("textarea[name=description]")
    page.keyboard.type("Gatelyset blinker hele natten.")
    for _ in range(3):
        radios = page.locator("fieldset:has(input[type=radio][required])")
        if not radios.count():
            break
        radios.first.locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")
    tab_to("main form:has(textarea[name=description]) button[type=submit]")
    submit_by_keyboard()
    assert_accessible(page, axe_source)
    report = Report.objects.get()
    assert report.state == "open" and report.area.slug == "heggedal"
