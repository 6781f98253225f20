"""Consultations as people use them (issue 6, "Done when"): a case worker writes and publishes a consultation, a
resident comments on a section and sends input with an attachment, an organisation answers the structured
questions, the deadline passes (the clock moved in the test), the case worker processes the input and concludes
the consultation, and both senders are told the outcome. The same resident path on a phone-sized window by
keyboard alone. axe checks every page on the way."""

import datetime as dt

import pytest
from browser_checks import context_with_session_of, format_violations, run_axe

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "et-langt-passord-for-sander-42"
TITLE = "Reguleringsplan for Vollen brygge"
PHONE = {"width": 375, "height": 740}


def path_for(name, query="", **kwargs):
    from django.urls import reverse
    from django.utils import translation

    with translation.override("nb"):
        return reverse(f"consultations:{name}", kwargs=kwargs) + query


def assert_accessible(page, axe_source):
    violations = run_axe(page, axe_source)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


def press_submit(page, form_selector, value=None):
    button = page.locator(f"{form_selector} [type=submit]" + (f"[value={value}]" if value else "")).first
    with page.expect_navigation():
        button.click()


@pytest.fixture
def unit(site):
    from tinget.core.models import Unit

    return Unit.objects.get(slug="plan-og-bygning")


@pytest.fixture
def case_worker_context(browser, site, unit, django_user_model, two_factor_login):
    from django.test import Client

    from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles

    user = django_user_model.objects.create_user(
        "sander.horing@example.no", STAFF_PASSWORD, display_name="Sander Saksbehandler", is_staff=True
    )
    user.groups.add(ensure_staff_roles()[CASE_WORKER])
    user.units.add(unit)
    client = Client()
    two_factor_login(client, user, STAFF_PASSWORD)
    context = context_with_session_of(browser, site, client)
    yield context
    context.close()


def resident_context(browser, site, django_user_model, email, name, **options):
    """A resident logged in with e-mail (a verified address), as a browser context."""
    from allauth.account.models import EmailAddress
    from django.test import Client

    user = django_user_model.objects.create_user(email, "et-langt-passord-123", display_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    return user, context_with_session_of(browser, site, client, **options)


def pdf_file(tmp_path):
    path = tmp_path / "innspill-vollen.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    return path


def test_from_publication_to_outcome(
    browser, site, unit, case_worker_context, axe_source, console_errors, mailoutbox, django_user_model, tmp_path
):
    from tinget.consultations.models import Consultation, State, Submission
    from tinget.consultations.tests.conftest import pass_deadline

    # --- The case worker writes and publishes --------------------------------------------------------------
    staff = console_errors.watch(case_worker_context.new_page())
    staff.goto(path_for("staff"))
    assert_accessible(staff, axe_source)
    staff.goto(path_for("staff_new"))
    assert_accessible(staff, axe_source)
    today = dt.date.today()
    staff.fill("[name=title]", TITLE)
    staff.fill("[name=summary]", "Kommunen foreslår nye regler for bygg og båtplasser ved Vollen brygge.")
    staff.fill("[name=influence]", "Høyden på nye bygg og hvor gangveien langs sjøen skal gå.")
    staff.fill("[name=next_steps]", "Planutvalget behandler planen etter høringen.")
    staff.select_option("[name=unit]", value=str(unit.pk))
    staff.fill("[name=opens_on]", (today - dt.timedelta(days=1)).isoformat())
    staff.fill("[name=opens_time]", "08:00")
    staff.fill("[name=deadline_on]", (today + dt.timedelta(days=30)).isoformat())
    staff.fill("[name=deadline_time]", "23:59")
    press_submit(staff, f"form[action='{path_for('staff_new')}']")
    consultation = Consultation.objects.get(title=TITLE)
    assert consultation.state == State.DRAFT
    assert_accessible(staff, axe_source)

    staff.goto(path_for("section_new", pk=consultation.pk))
    staff.fill("[name=number]", "1")
    staff.fill("[name=heading]", "Byggehøyder")
    staff.fill("[name=body]", "Nye bygg ved brygga kan bli inntil tre etasjer.")
    press_submit(staff, f"form[action='{path_for('section_new', pk=consultation.pk)}']")
    staff.goto(path_for("question_new", pk=consultation.pk))
    assert_accessible(staff, axe_source)
    staff.check("[name=kind][value=choice]")
    staff.fill("[name=text]", "Hvor bør gangveien gå?")
    staff.fill("[name=options]", "Langs sjøen\nBak byggene")
    press_submit(staff, f"form[action='{path_for('question_new', pk=consultation.pk)}']")
    staff.goto(path_for("staff_edit", pk=consultation.pk))
    assert_accessible(staff, axe_source)
    staff.goto(path_for("publish", pk=consultation.pk))
    assert_accessible(staff, axe_source)
    press_submit(staff, f"form[action='{path_for('publish', pk=consultation.pk)}']")
    consultation.refresh_from_db()
    assert consultation.state == State.OPEN
    section = consultation.sections.get()
    question = consultation.questions.get()

    # --- A resident comments on the section, then sends input with an attachment ------------------------------
    kari, kari_context = resident_context(browser, site, django_user_model, "kari.vollen@example.no", "Kari Vollen")
    page = console_errors.watch(kari_context.new_page())
    page.goto(path_for("index"))
    assert TITLE in page.locator("main").inner_text()
    assert_accessible(page, axe_source)
    page.goto(path_for("detail", pk=consultation.pk))
    assert_accessible(page, axe_source)
    comment_path = path_for("give_input", pk=consultation.pk, query=f"?section={section.pk}")
    page.locator(f"a[href='{comment_path}']").first.click()
    page.wait_for_load_state()
    assert_accessible(page, axe_source)
    page.fill("[name=text]", "Tre etasjer er for høyt ved sjøen.")
    page.check("[name=show_name][value=yes]")
    press_submit(page, "form.consultation-input__form", "send")
    assert "/sent/" in page.url or "/sendt/" in page.url, page.url
    assert_accessible(page, axe_source)

    page.goto(path_for("give_input", pk=consultation.pk))
    page.fill("[name=text]", "Se vedlagt innspill om gangveien.")
    page.set_input_files("[name=attachments]", str(pdf_file(tmp_path)))
    page.check("[name=show_name][value=no]")
    press_submit(page, "form.consultation-input__form", "send")
    assert_accessible(page, axe_source)
    sent = list(Submission.objects.sent().filter(author=kari).order_by("number"))
    assert [s.section_id for s in sent] == [section.pk, None]
    assert sent[1].attachments.get().filename == "innspill-vollen.pdf"

    # --- An organisation answers the structured question ------------------------------------------------------
    vel, vel_context = resident_context(browser, site, django_user_model, "leder@vollen-vel.example.no", "Per Vel")
    org = console_errors.watch(vel_context.new_page())
    org.goto(path_for("give_input", pk=consultation.pk))
    org.check("[name=sender_kind][value=organisation]")
    org.fill("[name=organisation_name]", "Vollen velforening")
    org.fill("[name=organisation_role]", "Leder")
    org.check(f"[name=question_{question.pk}] >> nth=0")
    org.fill("[name=text]", "Velforeningen ønsker gangveien langs sjøen.")
    org.check("[name=show_name][value=yes]")
    press_submit(org, "form.consultation-input__form", "send")
    assert_accessible(org, axe_source)
    org_input = Submission.objects.sent().get(author=vel)
    assert org_input.organisation_name == "Vollen velforening" and org_input.answers.count() == 1

    public = console_errors.watch(kari_context.new_page())
    public.goto(path_for("submissions", pk=consultation.pk))
    text = public.locator("main").inner_text()
    assert "Vollen velforening" in text and "Kari Vollen" in text and "Tre etasjer" in text
    assert_accessible(public, axe_source)

    # --- The deadline passes; input is refused with the date ---------------------------------------------------
    pass_deadline(consultation)
    page.goto(path_for("give_input", pk=consultation.pk))
    assert page.locator("form.consultation-input__form").count() == 0
    assert_accessible(page, axe_source)

    # --- The case worker processes and concludes ------------------------------------------------------------
    staff.goto(path_for("staff_submissions", pk=consultation.pk))
    assert_accessible(staff, axe_source)
    for submission in Submission.objects.sent().filter(consultation=consultation):
        staff.goto(path_for("staff_submission", pk=consultation.pk, number=submission.number))
        staff.check("[name=considered][value=yes]")
        staff.fill("[name=response]", f"Takk. Innspill {submission.number} er vurdert i planutvalgets sak.")
        press_submit(staff, "form:has(input[name=action][value=consider])")
    assert_accessible(staff, axe_source)
    assert not Submission.objects.sent().filter(consultation=consultation, considered_at__isnull=True).exists()

    staff.goto(path_for("report", pk=consultation.pk))
    assert_accessible(staff, axe_source)
    press_submit(staff, "form:has(input[name=action][value=start])")
    staff.fill("[name=text]", "Tre innspill: to om byggehøyder, ett om gangveien.")
    press_submit(staff, "form:has(input[name=action][value=report])")
    staff.fill("[name=outcome]", "Planen vedtas med to etasjer ved sjøen og gangvei langs sjøen.")
    staff.fill("[name=political_case_number]", "27/15")
    press_submit(staff, "form:has(input[name=action][value=conclude])")
    consultation.refresh_from_db()
    assert consultation.state == State.CONCLUDED
    assert_accessible(staff, axe_source)

    public.goto(path_for("detail", pk=consultation.pk))
    assert "to etasjer ved sjøen" in public.locator("main").inner_text()
    assert_accessible(public, axe_source)

    # --- Both senders are told the outcome, with the response to their own input -------------------------------
    for user in (kari, vel):
        outcome = [m for m in mailoutbox if m.to == [user.email] and "to etasjer ved sjøen" in m.body]
        assert len(outcome) == 1, [m.subject for m in mailoutbox if m.to == [user.email]]
        assert "er vurdert i planutvalgets sak" in outcome[0].body
    receipts = [m for m in mailoutbox if m.to == [kari.email] and "Tre etasjer er for høyt" in m.body]
    assert len(receipts) == 1

    mine = console_errors.watch(kari_context.new_page())
    mine.goto(path_for("mine"))
    assert TITLE in mine.locator("main").inner_text()
    assert_accessible(mine, axe_source)

    kari_context.close()
    vel_context.close()
    assert console_errors == []


@pytest.fixture
def open_consultation(site, unit, django_user_model):
    """A published consultation (through the services; the journey above goes through the pages)."""
    from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles
    from tinget.consultations import services
    from tinget.consultations.tests.conftest import consultation_data
    from tinget.core.models import Municipality

    staff = django_user_model.objects.create_user("sara.horing@example.no", STAFF_PASSWORD, is_staff=True)
    staff.groups.add(ensure_staff_roles()[CASE_WORKER])
    staff.units.add(unit)
    consultation = services.consultation_create(
        actor=staff, municipality=Municipality.objects.get(), data=consultation_data(unit, title=TITLE)
    )
    services.section_save(
        actor=staff, consultation=consultation, data={"number": "1", "heading": "Byggehøyder", "body": "Tre etasjer."}
    )
    return services.consultation_publish(actor=staff, consultation=consultation)


def test_input_on_a_phone_by_keyboard_alone(browser, site, open_consultation, axe_source, django_user_model):
    """A phone-sized window, Tab, Space, Enter and typing only: from the list to the consultation, to the form, and
    a sent input with the name not shown. axe checks the pages at that size."""
    from tinget.consultations.models import Submission

    user, context = resident_context(
        browser, site, django_user_model, "tastatur@example.no", "Tora Tastatur", viewport=PHONE
    )
    page = context.new_page()
    try:
        page.goto(path_for("index"))
        assert_accessible(page, axe_source)

        def tab_to(selector, limit=120):
            for _ in range(limit):
                page.keyboard.press("Tab")
                if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                    return
            raise AssertionError(f"Tab never reached {selector} on {page.url}")

        tab_to(f"main a[href='{path_for('detail', pk=open_consultation.pk)}']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert_accessible(page, axe_source)
        tab_to(f"main a[href='{path_for('give_input', pk=open_consultation.pk)}']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert_accessible(page, axe_source)
        tab_to("textarea[name=text]")
        page.keyboard.type("Husk sykkelparkering ved brygga.")
        # A radio group is one Tab stop; the arrow keys choose within it.
        tab_to("input[name=show_name][value=yes]")
        page.keyboard.press("ArrowDown")
        assert page.is_checked("input[name=show_name][value=no]")
        tab_to("form.consultation-input__form button[value=send]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert_accessible(page, axe_source)
        submission = Submission.objects.sent().get(author=user)
        assert submission.text == "Husk sykkelparkering ved brygga." and not submission.show_name
        # Nothing on the page is wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
