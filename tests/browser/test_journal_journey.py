"""The mail journal as people use it (issue 7, "Done when"): a journalist, not logged in, searches "skole" with a
date filter, opens a case, puts three entries from two units in the basket and sends the request (confirming the
e-mail address by the link mailed to them); the two units' case workers answer, one granting with a file and one
refusing with a legal basis; the journalist reads both answers, fetches the file and appeals the refusal. A
second journey moves the clock: across Easter a request is not late after five calendar-ish days, and the § 32
message shows the day after the fifth working day. axe checks every page on the way."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from browser_checks import context_with_session_of, format_violations, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "et-langt-passord-for-saksbehandler-7"
OSLO = ZoneInfo("Europe/Oslo")


def path_for(name, query="", **kwargs):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("nb"):
        return reverse(f"journal:{name}", kwargs=kwargs) + query


def assert_accessible(page, axe_source):
    violations = run_axe(page, axe_source)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


def staff_context(browser, site, django_user_model, two_factor_login, email, unit):
    from django.test import Client

    from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles

    user = django_user_model.objects.create_user(email, PASSWORD, display_name=email.split("@")[0], is_staff=True)
    user.groups.add(ensure_staff_roles()[CASE_WORKER])
    user.units.add(unit)
    client = Client()
    two_factor_login(client, user, PASSWORD)
    return context_with_session_of(browser, site, client)


@pytest.fixture
def units(site):
    from tinget.core.models import Unit

    return Unit.objects.get(slug="oppvekst"), Unit.objects.get(slug="plan-og-bygning")


@pytest.fixture
def journal(units):
    """A small journal: a school case with entries from two units, plus entries outside the date filter."""
    from tinget.journal.tests.conftest import make_entry

    schools, planning = units
    case = None
    made = []
    for title, unit, day in (
        ("Søknad om skolefritidsordning ved Heggedal skole", schools, dt.date(2026, 10, 5)),
        ("Svar på søknad om skolefritidsordning", schools, dt.date(2026, 10, 12)),
        ("Byggetillatelse for ny paviljong ved Heggedal skole", planning, dt.date(2026, 10, 14)),
    ):
        entry = make_entry(unit, title=title, case=case, case_title="Heggedal skole 2026", journal_date=day)
        case = entry.case
        made.append(entry)
    make_entry(schools, title="Skoleskyss for elever i Tofte", journal_date=dt.date(2025, 3, 3))
    make_entry(
        schools,
        title="Klage på vedtak om spesialundervisning ved ***** skole",
        journal_date=dt.date(2026, 10, 20),
        correspondents=(("sender", "", True),),
        restriction_code="13",
        legal_basis="Offl. § 13 jf. fvl. § 13",
    )
    return case, made


def confirm_link(mailoutbox):
    from django.urls import reverse

    bodies = [m.body for m in mailoutbox]
    prefix = re.escape(reverse("journal:verify", kwargs={"token": "x"}).rsplit("x/", 1)[0])
    for body in reversed(bodies):
        match = re.search(prefix + r"[^\s]+/", body)
        if match:
            return match.group(0)
    raise AssertionError(f"no confirmation link in {bodies}")


def add_to_basket(page, entry):
    form = page.locator(f"form.journal-basket-form:has(input[name=entry][value='{entry.pk}'])")
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def test_journalist_asks_two_units_and_appeals_a_refusal(
    browser,
    site,
    units,
    journal,
    axe_source,
    console_errors,
    mailoutbox,
    django_user_model,
    two_factor_login,
    tmp_path,
):
    from tinget.journal.models import AccessRequest, RequestStatus

    schools, planning = units
    case, entries = journal
    journalist = browser.new_context(locale="nb-NO")
    page = console_errors.watch(journalist.new_page())

    # --- Search with a date filter -------------------------------------------------------------------------
    page.goto(site + path_for("index"))
    assert_accessible(page, axe_source)
    page.fill("[name=q]", "skole")
    page.locator("main details summary").first.click()  # the filters are folded away until asked for
    page.fill("[name=from]", "2026-10-01")
    page.fill("[name=to]", "2026-10-31")
    with page.expect_navigation():
        page.locator("form[role=search] [type=submit], main form[method=get] [type=submit]").first.click()
    assert_accessible(page, axe_source)
    results = page.locator("main").inner_text()
    assert "Heggedal skole" in results
    assert "Tofte" not in results  # outside the dates
    assert "Offl. § 13" in results  # the screened entry shows its legal basis, never the name

    # --- Open the case and fill the basket ----------------------------------------------------------------
    page.goto(site + path_for("case", year=case.year, sequence=case.sequence))
    assert_accessible(page, axe_source)
    for entry in entries:
        add_to_basket(page, entry)
    page.goto(site + path_for("basket"))
    assert_accessible(page, axe_source)
    basket = page.locator("main").inner_text()
    assert schools.name in basket and planning.name in basket

    # --- Send, and confirm the address --------------------------------------------------------------------
    page.fill("[name=email]", "journalist@avisa.example.no")
    page.fill("[name=message]", "Gjelder skolefritidsordningen i Heggedal.")
    with page.expect_navigation():
        page.locator("main form[method=post]:has([name=email]) [type=submit]").first.click()
    assert_accessible(page, axe_source)
    access_request = AccessRequest.objects.get(email="journalist@avisa.example.no")
    assert access_request.sent_at is None
    page.goto(site + confirm_link(mailoutbox))
    assert_accessible(page, axe_source)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").first.click()
    access_request.refresh_from_db()
    assert access_request.sent_at is not None
    assert access_request.parts.count() == 2
    request_url = page.url
    assert str(access_request.key) in request_url
    assert_accessible(page, axe_source)

    # --- The school unit grants with a file ---------------------------------------------------------------
    school_part = access_request.parts.get(unit=schools)
    worker = staff_context(browser, site, django_user_model, two_factor_login, "siri.skole@example.no", schools)
    staff = console_errors.watch(worker.new_page())
    staff.goto(site + path_for("queue"))
    assert_accessible(staff, axe_source)
    assert f"{access_request.pk}" in staff.locator("main").inner_text()
    staff.goto(site + path_for("part", pk=school_part.pk))
    assert_accessible(staff, axe_source)
    staff.check("[name=decision][value=granted]")
    staff.fill("[name=answer]", "Her er dokumentene du ba om.")
    document = tmp_path / "svar-sfo.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    staff.set_input_files("[name=files]", str(document))
    with staff.expect_navigation():
        staff.locator("main form[method=post]:has([name=decision]) [type=submit]").first.click()
    assert_accessible(staff, axe_source)
    school_part.refresh_from_db()
    assert school_part.status == RequestStatus.GRANTED
    worker.close()

    # --- The planning unit refuses with a legal basis -----------------------------------------------------
    planning_part = access_request.parts.get(unit=planning)
    worker = staff_context(browser, site, django_user_model, two_factor_login, "petter.plan@example.no", planning)
    staff = console_errors.watch(worker.new_page())
    staff.goto(site + path_for("part", pk=planning_part.pk))
    staff.check("[name=decision][value=refused]")
    staff.fill("[name=legal_basis]", "Offl. § 23 første ledd")
    staff.fill("[name=answer]", "Dokumentet gjelder forhandlinger som pågår.")
    with staff.expect_navigation():
        staff.locator("main form[method=post]:has([name=decision]) [type=submit]").first.click()
    planning_part.refresh_from_db()
    assert planning_part.status == RequestStatus.REFUSED
    worker.close()

    # --- The journalist reads both answers, fetches the file and appeals ---------------------------------
    page.goto(request_url)
    assert_accessible(page, axe_source)
    text = page.locator("main").inner_text()
    assert "Her er dokumentene du ba om." in text
    assert "Offl. § 23 første ledd" in text
    with page.expect_download() as download:
        page.locator("main a:has-text('svar-sfo.pdf')").first.click()
    assert download.value.suggested_filename == "svar-sfo.pdf"
    appeal = page.locator(f"main form[method=post][action*='/{planning_part.pk}/']")
    appeal.locator("textarea").fill("Forhandlingene er avsluttet, så unntaket gjelder ikke lenger.")
    with page.expect_navigation():
        appeal.locator("[type=submit]").click()
    assert_accessible(page, axe_source)
    planning_part.refresh_from_db()
    assert planning_part.status == RequestStatus.APPEALED
    planning_address = planning.email or planning.municipality.email
    assert any("Forhandlingene er avsluttet" in m.body for m in mailoutbox if planning_address in m.to)
    journalist.close()


def test_section_32_message_after_five_working_days_across_easter(
    browser, site, units, journal, axe_source, console_errors, mailoutbox, django_user_model
):
    """Sent on Wednesday 24 March 2027, before Easter (25, 26 and 29 March are public holidays): five working
    days end on Monday 5 April. On that day the request is still in time; the next day the page and an e-mail say
    that no answer counts as a refusal, and the journalist appeals with one click."""
    import time_machine
    from allauth.account.models import EmailAddress
    from django.test import Client

    from tinget.journal import services
    from tinget.journal.models import RequestStatus

    _case, entries = journal
    user = django_user_model.objects.create_user("journalist@avisa.example.no", "et-langt-passord-123")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with time_machine.travel(dt.datetime(2027, 3, 24, 10, 0, tzinfo=OSLO), tick=True):
        access_request = services.request_create(user=user, email=user.email, entry_ids=[entries[0].pk], language="nb")
    part = access_request.parts.get()
    assert part.deadline == dt.date(2027, 4, 5)
    client = Client()
    client.force_login(user)
    context = context_with_session_of(browser, site, client)
    page = console_errors.watch(context.new_page())

    with time_machine.travel(dt.datetime(2027, 4, 5, 15, 0, tzinfo=OSLO), tick=True):
        services.sweep()
        page.goto(site + access_request.get_absolute_url())
        assert "§ 32" not in page.locator("main").inner_text()
        assert not page.locator("main form[method=post] textarea").count()

    with time_machine.travel(dt.datetime(2027, 4, 6, 9, 0, tzinfo=OSLO), tick=True):
        services.sweep()
        assert any("§ 32" in m.body for m in mailoutbox if user.email in m.to)
        page.goto(site + access_request.get_absolute_url())
        assert "§ 32" in page.locator("main").inner_text()
        assert_accessible(page, axe_source)
        with page.expect_navigation():
            page.locator("main form[method=post]:has(textarea) [type=submit]").first.click()
        part.refresh_from_db()
        assert part.status == RequestStatus.APPEALED
    context.close()
