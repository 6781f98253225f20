"""Staff's pages for writing consultations: who gets in (login, permission, second factor, the unit), the overview,
a new consultation and its fields, sections, questions, documents, the publish step and late input. Every form:
malformed, oversized, duplicate and unauthorised input, HTML refused, typed values kept."""

import datetime as dt
import html as htmllib
import uuid
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from tinget.accounts.staff import ADMINISTRATOR, EDITOR
from tinget.accounts.tests.pagecheck import assert_page_is_sound
from tinget.accounts.tests.people import fast_staff_client, new_staff
from tinget.consultations import services
from tinget.consultations.models import Consultation, Document, Question, Section, Stage, Version
from tinget.core.models import Area, AuditEntry
from tinget.core.text import PLAIN_TEXT_MESSAGE

from .conftest import consultation_data, pass_deadline, send_input

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def en(name, **kwargs):
    """An address of the English pages: tests read English words, which the translators may reword in nb."""
    with translation.override("en"):
        return reverse(f"consultations:{name}", kwargs=kwargs)


def page(response) -> str:
    return response.content.decode()


def query(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def english(message) -> str:
    with translation.override("en"):
        return str(message)


def local(year, month, day, hour, minute):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute), timezone.get_current_timezone())


def form_data(unit, /, **overrides):
    """What the consultation form sends for a valid consultation."""
    data = {
        "form_key": uuid.uuid4().hex,
        "title": "Skolestruktur i Asker nord",
        "summary": "Kommunen foreslår å slå sammen to skoler.",
        "influence": "Hvilken skole som blir stående.",
        "next_steps": "Kommunestyret vedtar strukturen i juni.",
        "case_number": "2026/77",
        "unit": unit.pk,
        "contact_name": "Sara Skole",
        "contact_email": "sara@example.no",
        "contact_phone": "66 00 00 00",
        "opens_on": "2030-01-01",
        "opens_time": "09:00",
        "deadline_on": "2030-01-15",
        "deadline_time": "23:59",
    }
    data.update(overrides)
    return data


@pytest.fixture
def administrator(municipality):
    return new_staff("ada@example.no", ADMINISTRATOR)


@pytest.fixture
def admin_client_2fa(administrator):
    return fast_staff_client(administrator)


@pytest.fixture
def bare(case_worker, municipality, unit):
    """A draft without sections or questions."""
    return services.consultation_create(actor=case_worker, municipality=municipality, data=consultation_data(unit))


def section_of(consultation):
    return consultation.sections.order_by("order", "pk").first()


def question_of(consultation):
    return consultation.questions.order_by("order", "pk").first()


# --- Who gets in -----------------------------------------------------------------------------------------------
def every_page(consultation):
    """(method, address, data) for each page and form of one consultation."""
    pk = consultation.pk
    section = section_of(consultation)
    question = question_of(consultation)
    document = consultation.documents.first()
    return [
        ("get", en("staff_edit", pk=pk), None),
        ("post", en("staff_edit", pk=pk), {"title": "Kapret"}),
        ("get", en("section_new", pk=pk), None),
        ("post", en("section_new", pk=pk), {"heading": "Kapret", "body": "x"}),
        ("get", en("section_edit", pk=pk, section_pk=section.pk), None),
        ("post", en("section_edit", pk=pk, section_pk=section.pk), {"heading": "Kapret", "body": "x"}),
        ("post", en("section_edit", pk=pk, section_pk=section.pk), {"action": "delete"}),
        ("get", en("question_new", pk=pk), None),
        ("post", en("question_new", pk=pk), {"kind": "text", "text": "Kapret?"}),
        ("get", en("question_edit", pk=pk, question_pk=question.pk), None),
        ("post", en("question_edit", pk=pk, question_pk=question.pk), {"kind": "text", "text": "Kapret?"}),
        ("post", en("question_edit", pk=pk, question_pk=question.pk), {"action": "delete"}),
        ("get", en("documents", pk=pk), None),
        ("post", en("documents", pk=pk), {"action": "add", "title": "Kapret", "file": pdf()}),
        ("post", en("documents", pk=pk), {"action": "remove", "document": document.pk if document else 1}),
        ("get", en("publish", pk=pk), None),
        ("post", en("publish", pk=pk), {"confirm": "1"}),
        ("post", en("late_input", pk=pk), {"allow": "1"}),
    ]


class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, draft):
        for url in (en("staff"), en("staff_new"), en("staff_edit", pk=draft.pk), en("documents", pk=draft.pk)):
            response = client.get(url)
            assert response.status_code == 302
            assert urlsplit(response.url).path == reverse("account_login")
            assert query(response.url)["next"] == url

    def test_an_anonymous_form_changes_nothing_and_leads_back_to_the_consultation(self, client, draft):
        response = client.post(en("publish", pk=draft.pk), {"confirm": "1"})
        assert response.status_code == 302
        assert query(response.url)["next"] == en("staff_edit", pk=draft.pk)
        assert Consultation.objects.get(pk=draft.pk).stage == Stage.DRAFT

    def test_residents_get_403(self, resident_client, draft):
        assert resident_client.get(en("staff")).status_code == 403
        assert resident_client.get(en("staff_new")).status_code == 403
        assert resident_client.post(en("publish", pk=draft.pk), {"confirm": "1"}).status_code == 403
        assert Consultation.objects.get(pk=draft.pk).stage == Stage.DRAFT

    def test_staff_without_a_consultations_permission_get_403(self, draft):
        for role in (None, EDITOR):
            client = fast_staff_client(new_staff(f"{role or 'none'}@example.no", role))
            assert client.get(en("staff")).status_code == 403
            assert client.get(en("staff_edit", pk=draft.pk)).status_code == 403
            assert client.post(en("publish", pk=draft.pk), {"confirm": "1"}).status_code == 403

    def test_a_moderator_does_not_write_consultations(self, moderator_client, draft):
        assert moderator_client.get(en("staff")).status_code == 403
        assert moderator_client.get(en("staff_edit", pk=draft.pk)).status_code == 403

    def test_staff_without_an_authenticator_are_sent_to_set_one_up(self, client, case_worker):
        client.force_login(case_worker)
        response = client.get(en("staff"))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")

    def test_staff_without_a_second_factor_this_session_are_asked_for_a_code(self, client, case_worker, draft):
        TOTP.activate(case_worker, generate_totp_secret())
        client.force_login(case_worker)
        url = en("staff_edit", pk=draft.pk)
        response = client.get(url)
        assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
        assert query(response.url)["next"] == url
        response = client.post(en("publish", pk=draft.pk), {"confirm": "1"})
        assert query(response.url)["next"] == url
        assert Consultation.objects.get(pk=draft.pk).stage == Stage.DRAFT

    def test_a_case_worker_of_another_unit_gets_403_everywhere_and_changes_nothing(self, other_client, draft):
        before = (draft.title, draft.sections.count(), draft.questions.count(), draft.stage, draft.allow_late_input)
        assert not draft.documents.exists()
        for method, url, data in every_page(draft):
            response = getattr(other_client, method)(url, data or {})
            assert response.status_code == 403, (method, url)
        draft.refresh_from_db()
        after = (draft.title, draft.sections.count(), draft.questions.count(), draft.stage, draft.allow_late_input)
        assert after == before and not draft.documents.exists()

    def test_a_case_worker_of_another_unit_gets_403_on_a_published_one_too(self, other_client, open_consultation):
        for method, url, data in every_page(open_consultation):
            assert getattr(other_client, method)(url, data or {}).status_code == 403, (method, url)
        assert open_consultation.versions.count() == 1

    def test_unknown_consultations_sections_and_questions_are_not_found(self, staff_client, draft, bare):
        assert staff_client.get(en("staff_edit", pk=draft.pk + 1000)).status_code == 404
        assert staff_client.post(en("publish", pk=draft.pk + 1000), {"confirm": "1"}).status_code == 404
        # A section or question of another consultation, through this one's address.
        section, question = section_of(draft), question_of(draft)
        assert staff_client.get(en("section_edit", pk=bare.pk, section_pk=section.pk)).status_code == 404
        assert staff_client.get(en("question_edit", pk=bare.pk, question_pk=question.pk)).status_code == 404
        response = staff_client.post(en("section_edit", pk=bare.pk, section_pk=section.pk), {"action": "delete"})
        assert response.status_code == 404
        assert Section.objects.filter(pk=section.pk).exists()

    def test_the_late_input_switch_only_takes_post(self, staff_client, draft):
        assert staff_client.get(en("late_input", pk=draft.pk)).status_code == 405

    def test_an_administrator_gets_in_everywhere(self, admin_client_2fa, draft):
        for method, url, _data in every_page(draft):
            if method == "get":
                assert admin_client_2fa.get(url).status_code == 200, url


# --- The overview ----------------------------------------------------------------------------------------------
class TestOverview:
    def test_my_units_consultations_with_state_deadline_and_input(
        self, staff_client, open_consultation, resident, case_worker, municipality, other_unit, other_worker
    ):
        first = send_input(resident, open_consultation)
        send_input(resident, open_consultation)
        services.submission_consider(actor=case_worker, submission=first)
        services.consultation_create(
            actor=other_worker,
            municipality=municipality,
            data=consultation_data(other_unit, title="Barnehagebehov i Heggedal"),
        )

        response = staff_client.get(en("staff"))

        html = page(response)
        assert open_consultation.title in html
        assert "Barnehagebehov i Heggedal" not in html
        assert en("staff_edit", pk=open_consultation.pk) in html
        assert en("staff_new") in html
        assert "Open for input: <strong>1</strong>" in html
        row = html[html.index(open_consultation.title) :]
        assert "<td>2</td>" in row and "<td>1</td>" in row  # two sent, one not yet considered
        with translation.override("en"):
            assert services.local_moment(open_consultation.deadline) in html
        assert_page_is_sound(response, "en")

    def test_states_filter_and_group(self, staff_client, draft, case_worker, municipality, unit):
        services.consultation_create(
            actor=case_worker, municipality=municipality, data=consultation_data(unit, title="Andre utkast")
        )
        published = services.consultation_create(
            actor=case_worker, municipality=municipality, data=consultation_data(unit, title="Publisert sak")
        )
        services.section_save(actor=case_worker, consultation=published, data={"heading": "H", "body": "B"})
        services.consultation_publish(actor=case_worker, consultation=published)

        html = page(staff_client.get(en("staff"), {"state": "draft"}))
        assert draft.title in html and "Andre utkast" in html and "Publisert sak" not in html
        html = page(staff_client.get(en("staff"), {"state": "open"}))
        assert "Publisert sak" in html and "Andre utkast" not in html
        html = page(staff_client.get(en("staff")))
        assert html.index("Andre utkast") < html.index("Publisert sak")  # drafts first, then open
        html = page(staff_client.get(en("staff"), {"state": "made-up"}))
        assert "Publisert sak" in html and "Andre utkast" in html

    def test_search_by_title_or_case_number(self, staff_client, draft, case_worker, municipality, unit):
        services.consultation_create(
            actor=case_worker,
            municipality=municipality,
            data=consultation_data(unit, title="Trafikksikkerhetsplan", case_number="2026/999"),
        )
        html = page(staff_client.get(en("staff"), {"q": "2026/999"}))
        assert "Trafikksikkerhetsplan" in html and draft.title not in html
        html = page(staff_client.get(en("staff"), {"q": "x" * 500}))
        assert "Trafikksikkerhetsplan" not in html

    def test_an_administrator_sees_every_unit(self, admin_client_2fa, draft, other_worker, municipality, other_unit):
        services.consultation_create(
            actor=other_worker, municipality=municipality, data=consultation_data(other_unit, title="Oppvekstsak")
        )
        html = page(admin_client_2fa.get(en("staff")))
        assert draft.title in html and "Oppvekstsak" in html

    def test_the_overview_is_paginated_and_costs_a_bounded_number_of_queries(
        self, staff_client, case_worker, municipality, unit, resident, django_assert_max_num_queries, settings
    ):
        settings.TINGET_CONSULTATION_PAGE_SIZE = 10
        for n in range(25):
            consultation = services.consultation_create(
                actor=case_worker, municipality=municipality, data=consultation_data(unit, title=f"Sak {n:02}")
            )
            if n % 5 == 0:
                services.section_save(actor=case_worker, consultation=consultation, data={"heading": "H", "body": "B"})
                services.consultation_publish(actor=case_worker, consultation=consultation)
                send_input(resident, consultation)
        staff_client.get(en("staff"))  # the session and the permissions are cached after the first page
        with django_assert_max_num_queries(15):
            response = staff_client.get(en("staff"))
        assert response.status_code == 200
        assert page(response).count('<th scope="row">') == 10
        with django_assert_max_num_queries(15):
            response = staff_client.get(en("staff"), {"side": 2, "state": "draft"})
        assert page(response).count('<th scope="row">') == 10  # 20 drafts
        response = staff_client.get(en("staff"), {"side": 3})
        assert page(response).count('<th scope="row">') == 5


# --- A new consultation ----------------------------------------------------------------------------------------
class TestNew:
    def test_the_form_is_sound_with_my_units_and_a_default_deadline_time(self, staff_client, unit, other_unit):
        response = staff_client.get(en("staff_new"))
        html = page(response)
        assert_page_is_sound(response, "en")
        assert 'name="deadline_time" value="23:59"' in html
        assert f'<option value="{unit.pk}"' in html
        assert f'<option value="{other_unit.pk}"' not in html

    def test_an_administrator_may_choose_every_unit(self, admin_client_2fa, unit, other_unit):
        html = page(admin_client_2fa.get(en("staff_new")))
        assert f'<option value="{unit.pk}"' in html and f'<option value="{other_unit.pk}"' in html

    def test_a_new_draft_with_norwegian_times(self, staff_client, unit, municipality, case_worker):
        area = Area.objects.filter(municipality=municipality).first()
        response = staff_client.post(en("staff_new"), form_data(unit, areas=[area.pk]))

        consultation = Consultation.objects.get(title="Skolestruktur i Asker nord")
        assert response.status_code == 302 and response.url == en("staff_edit", pk=consultation.pk)
        assert consultation.stage == Stage.DRAFT and consultation.created_by == case_worker
        assert consultation.deadline == local(2030, 1, 15, 23, 59)
        assert consultation.opens_at == local(2030, 1, 1, 9, 0)
        assert list(consultation.areas.all()) == [area]
        assert AuditEntry.objects.filter(action="consultations.consultation.created").count() == 1

    def test_the_same_form_sent_twice_makes_one_draft(self, staff_client, unit):
        data = form_data(unit)
        first = staff_client.post(en("staff_new"), data)
        second = staff_client.post(en("staff_new"), data)
        assert Consultation.objects.count() == 1
        consultation = Consultation.objects.get()
        assert first.url == second.url == en("staff_edit", pk=consultation.pk)

    def test_the_same_key_from_another_session_is_caught_by_the_claim(self, staff_client, case_worker, unit):
        data = form_data(unit)
        staff_client.post(en("staff_new"), data)
        other_session = fast_staff_client(case_worker)
        response = other_session.post(en("staff_new"), data)
        assert response.status_code == 302
        assert Consultation.objects.count() == 1

    def test_two_forms_make_two_drafts(self, staff_client, unit):
        staff_client.post(en("staff_new"), form_data(unit))
        staff_client.post(en("staff_new"), form_data(unit, title="Et annet utkast"))
        assert Consultation.objects.count() == 2

    @pytest.mark.parametrize(
        ("change", "field", "message"),
        [
            ({"deadline_on": "2030-02-30"}, "deadline_on", "Write a date that exists, as dd.mm.yyyy."),
            ({"deadline_on": "tomorrow"}, "deadline_on", "Write a date that exists, as dd.mm.yyyy."),
            ({"deadline_time": "25:00"}, "deadline_time", "Write the time as hh:mm, for example 23:59."),
            ({"deadline_on": "2029-12-31"}, "deadline_on", "The deadline must come after the consultation opens."),
            ({"deadline_on": ""}, "deadline_on", "Write the date of the deadline."),
            ({"unit": "999999"}, "unit", "Choose one of your own units."),
            ({"unit": "abc"}, "unit", "Choose one of your own units."),
            ({"title": ""}, "title", "Write a title."),
            ({"title": "x" * 201}, "title", "Write at most 200 characters (you wrote 201)."),
            ({"case_number": "9" * 41}, "case_number", "Write at most 40 characters (you wrote 41)."),
            ({"contact_email": "not an address"}, "contact_email", "Write an e-mail address such as name@example.no."),
            ({"summary": "Se <script>alert(1)</script>"}, "summary", english(PLAIN_TEXT_MESSAGE)),
            ({"title": '<img src=x onerror="alert(1)">'}, "title", english(PLAIN_TEXT_MESSAGE)),
            ({"areas": ["999999"]}, "areas", "Choose areas from the list."),
        ],
    )
    def test_malformed_oversized_and_html_input_is_refused_and_kept(self, staff_client, unit, change, field, message):
        data = form_data(unit, **change)
        response = staff_client.post(en("staff_new"), data)
        assert response.status_code == 400
        html = page(response)
        assert message in htmllib.unescape(html)
        assert f'href="#id_{field}{"_0" if field == "areas" else ""}"' in html  # the error summary links to the field
        assert "Skolestruktur i Asker nord" in html or field == "title"
        assert "Kommunen foreslår å slå sammen to skoler." in html or field == "summary"
        assert Consultation.objects.count() == 0

    def test_a_unit_of_another_case_worker_is_refused(self, staff_client, unit, other_unit):
        response = staff_client.post(en("staff_new"), form_data(unit, unit=other_unit.pk))
        assert response.status_code == 400 and "Choose one of your own units." in page(response)
        assert Consultation.objects.count() == 0

    def test_a_time_the_clocks_skip_is_refused(self, staff_client, unit):
        with timezone.override(ZoneInfo("Europe/Oslo")):
            response = staff_client.post(
                en("staff_new"), form_data(unit, deadline_on="2030-03-31", deadline_time="02:30")
            )
        assert response.status_code == 400
        assert "That time does not exist on that day" in page(response)

    def test_norwegian_dates_typed_by_hand_are_read(self, staff_client, unit):
        response = staff_client.post(en("staff_new"), form_data(unit, opens_on="01.01.2030", deadline_on="15.01.2030"))
        assert response.status_code == 302
        assert Consultation.objects.get().deadline == local(2030, 1, 15, 23, 59)


# --- Changing a consultation -----------------------------------------------------------------------------------
class TestEdit:
    def test_the_page_shows_everything_about_the_draft(self, staff_client, draft):
        response = staff_client.get(en("staff_edit", pk=draft.pk))
        html = page(response)
        assert_page_is_sound(response, "en")
        for text in ("Bakgrunn", "Byggehøyder", "Hvor bør torget ligge?", "Hva synes du om fem etasjer?"):
            assert text in html
        assert en("publish", pk=draft.pk) in html
        assert en("section_new", pk=draft.pk) in html
        assert en("question_new", pk=draft.pk) in html
        assert en("documents", pk=draft.pk) in html
        assert 'name="note"' not in html  # a draft keeps no versions
        assert f'value="{draft.title}"' in html

    def test_changing_a_draft_makes_no_version(self, staff_client, draft, unit):
        data = form_data(unit, title="Nytt navn på planen")
        response = staff_client.post(en("staff_edit", pk=draft.pk), data)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "Nytt navn på planen" and draft.version == 0
        assert not Version.objects.exists()

    def test_after_publication_a_change_needs_a_note_and_the_typed_values_stay(
        self, staff_client, open_consultation, unit
    ):
        url = en("staff_edit", pk=open_consultation.pk)
        assert 'name="note"' in page(staff_client.get(url))
        deadline = timezone.localtime(open_consultation.deadline)
        data = form_data(
            unit,
            title="Reguleringsplan for Holmen, endret",
            opens_on=timezone.localtime(open_consultation.opens_at).strftime("%Y-%m-%d"),
            opens_time=timezone.localtime(open_consultation.opens_at).strftime("%H:%M"),
            deadline_on=(deadline + dt.timedelta(days=7)).strftime("%Y-%m-%d"),
        )
        response = staff_client.post(url, data)
        assert response.status_code == 400
        html = page(response)
        assert "Say briefly what you changed: readers see it with the new version." in html
        assert "Reguleringsplan for Holmen, endret" in html
        assert Consultation.objects.get(pk=open_consultation.pk).version == 1

        response = staff_client.post(url, {**data, "note": "Fristen er forlenget med en uke."})

        assert response.status_code == 302
        consultation = Consultation.objects.get(pk=open_consultation.pk)
        assert consultation.version == 2 and consultation.title == "Reguleringsplan for Holmen, endret"
        version = consultation.versions.get(number=2)
        assert version.note == "Fristen er forlenget med en uke." and version.snapshot["title"] == consultation.title
        html = page(staff_client.get(url))
        assert "Fristen er forlenget med en uke." in html

    def test_a_note_with_html_is_refused(self, staff_client, open_consultation, unit):
        data = form_data(unit, note="<b>Endret</b>")
        response = staff_client.post(en("staff_edit", pk=open_consultation.pk), data)
        assert response.status_code == 400 and english(PLAIN_TEXT_MESSAGE) in htmllib.unescape(page(response))
        assert open_consultation.versions.count() == 1

    def test_the_late_input_box_is_only_on_a_draft(self, staff_client, bare, open_consultation):
        assert 'name="allow_late_input"' in page(staff_client.get(en("staff_edit", pk=bare.pk)))
        assert 'name="allow_late_input"' not in page(staff_client.get(en("staff_edit", pk=open_consultation.pk)))

    def test_a_concluded_consultation_cannot_be_changed(self, staff_client, closed_consultation, case_worker, unit):
        services.conclude(actor=case_worker, consultation=closed_consultation, outcome="Planen ble vedtatt.")
        url = en("staff_edit", pk=closed_consultation.pk)
        html = page(staff_client.get(url))
        assert "can no longer be changed" in html and 'name="title"' not in html
        response = staff_client.post(url, form_data(unit, note="Endret"))
        assert response.status_code == 409
        assert Consultation.objects.get(pk=closed_consultation.pk).title == closed_consultation.title

    def test_moving_it_to_a_unit_that_is_not_mine_is_refused(self, staff_client, draft, unit, other_unit):
        response = staff_client.post(en("staff_edit", pk=draft.pk), form_data(unit, unit=other_unit.pk))
        assert response.status_code == 400
        assert Consultation.objects.get(pk=draft.pk).unit == unit

    def test_the_edit_page_costs_a_bounded_number_of_queries(
        self, staff_client, open_consultation, django_assert_max_num_queries
    ):
        url = en("staff_edit", pk=open_consultation.pk)
        staff_client.get(url)
        with django_assert_max_num_queries(30):
            assert staff_client.get(url).status_code == 200


# --- Sections --------------------------------------------------------------------------------------------------
class TestSections:
    def test_adding_a_section(self, staff_client, draft):
        response = staff_client.get(en("section_new", pk=draft.pk))
        assert_page_is_sound(response, "en")
        key = uuid.uuid4().hex
        data = {"form_key": key, "number": "3", "heading": "Trafikk", "body": "Ny vei til Holmen."}
        response = staff_client.post(en("section_new", pk=draft.pk), data)
        assert response.status_code == 302
        section = draft.sections.get(heading="Trafikk")
        assert section.number == "3" and section.order == 3

    def test_the_same_section_form_sent_twice_adds_one(self, staff_client, draft):
        data = {"form_key": uuid.uuid4().hex, "heading": "Trafikk", "body": "Ny vei til Holmen."}
        staff_client.post(en("section_new", pk=draft.pk), data)
        staff_client.post(en("section_new", pk=draft.pk), data)
        assert draft.sections.filter(heading="Trafikk").count() == 1

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"heading": "", "body": "Tekst"}, "heading", "Write the section&#x27;s heading."),
            ({"heading": "H" * 201, "body": "Tekst"}, "heading", "Write at most 200 characters (you wrote 201)."),
            ({"heading": "Trafikk", "body": "<script>x</script>"}, "body", None),
            ({"heading": "Trafikk", "body": "Tekst", "order": "først"}, "order", "Write a whole number."),
            ({"heading": "Trafikk", "body": "Tekst", "number": "1" * 21}, "number", "Write at most 20 characters"),
        ],
    )
    def test_bad_sections_are_refused_and_kept(self, staff_client, draft, data, field, message):
        response = staff_client.post(en("section_new", pk=draft.pk), {"form_key": uuid.uuid4().hex, **data})
        assert response.status_code == 400
        html = page(response)
        assert (message or "Write plain text") in html
        assert f'href="#id_{field}"' in html
        assert "Trafikk" in html or field == "heading"
        assert draft.sections.count() == 2

    def test_after_publication_a_section_change_is_a_version(self, staff_client, open_consultation):
        section = section_of(open_consultation)
        url = en("section_edit", pk=open_consultation.pk, section_pk=section.pk)
        data = {"heading": "Bakgrunn og mål", "body": "Holmen skal få flere boliger og et torg."}
        response = staff_client.post(url, data)
        assert response.status_code == 400 and "Say briefly what you changed" in page(response)
        assert "Bakgrunn og mål" in page(response)

        response = staff_client.post(url, {**data, "note": "Målet for torget er lagt til."})

        assert response.status_code == 302
        section.refresh_from_db()
        assert section.heading == "Bakgrunn og mål"
        version = Version.objects.get(consultation=open_consultation, number=2)
        assert version.note == "Målet for torget er lagt til."
        assert version.snapshot["sections"][0]["heading"] == "Bakgrunn og mål"

    def test_deleting_a_section_without_input(self, staff_client, draft):
        section = section_of(draft)
        response = staff_client.post(en("section_edit", pk=draft.pk, section_pk=section.pk), {"action": "delete"})
        assert response.status_code == 302
        assert not Section.objects.filter(pk=section.pk).exists()

    def test_a_section_with_input_is_not_deleted_and_says_why(self, staff_client, open_consultation, resident):
        section = section_of(open_consultation)
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            data={"author_name": "Kari", "text": "Bra bakgrunn."},
            section=section,
            send=True,
        )
        url = en("section_edit", pk=open_consultation.pk, section_pk=section.pk)
        html = page(staff_client.get(url))
        assert "cannot be deleted" in html and 'value="delete"' not in html

        response = staff_client.post(url, {"action": "delete", "note": "Fjernet bakgrunnen."})

        assert response.status_code == 400
        assert "This section has input on it and cannot be deleted. Change its text instead." in page(response)
        assert Section.objects.filter(pk=section.pk).exists()
        assert open_consultation.versions.count() == 1

    def test_deleting_after_publication_needs_a_note(self, staff_client, open_consultation, case_worker):
        extra = services.section_save(
            actor=case_worker,
            consultation=open_consultation,
            data={"heading": "Vedlegg", "body": "Se kartet."},
            note="Vedlegg lagt til.",
        )
        url = en("section_edit", pk=open_consultation.pk, section_pk=extra.pk)
        response = staff_client.post(url, {"action": "delete"})
        assert response.status_code == 400 and Section.objects.filter(pk=extra.pk).exists()
        response = staff_client.post(url, {"action": "delete", "note": "Vedlegget var dobbelt."})
        assert response.status_code == 302 and not Section.objects.filter(pk=extra.pk).exists()
        assert open_consultation.versions.get(number=3).note == "Vedlegget var dobbelt."


# --- Structured questions --------------------------------------------------------------------------------------
class TestQuestions:
    def test_adding_a_choice_question_with_options_one_a_line(self, staff_client, draft):
        response = staff_client.get(en("question_new", pk=draft.pk))
        assert_page_is_sound(response, "en")
        data = {
            "form_key": uuid.uuid4().hex,
            "kind": "choice",
            "text": "Hvilken skole bør bestå?",
            "help_text": "Velg én.",
            "required": "on",
            "options": "Holmen skole\r\n\r\n  Hovlia skole  \r\nBegge",
        }
        response = staff_client.post(en("question_new", pk=draft.pk), data)
        assert response.status_code == 302
        question = draft.questions.get(text="Hvilken skole bør bestå?")
        assert question.required and question.kind == Question.Kind.CHOICE
        assert [o.label for o in question.options.all()] == ["Holmen skole", "Hovlia skole", "Begge"]

    def test_a_scale_question(self, staff_client, draft):
        data = {"kind": "scale", "text": "Hvor fornøyd er du?", "scale_max": "7", "scale_min_label": "Lite"}
        assert staff_client.post(en("question_new", pk=draft.pk), data).status_code == 302
        question = draft.questions.get(text="Hvor fornøyd er du?")
        assert question.scale_max == 7 and question.scale_min_label == "Lite"

    def test_the_same_question_form_sent_twice_adds_one(self, staff_client, draft):
        data = {"form_key": uuid.uuid4().hex, "kind": "text", "text": "Noe mer?"}
        staff_client.post(en("question_new", pk=draft.pk), data)
        staff_client.post(en("question_new", pk=draft.pk), data)
        assert draft.questions.filter(text="Noe mer?").count() == 1

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"kind": "choice", "text": "Q?", "options": "Bare én"}, "options", "Give at least two options"),
            ({"kind": "choice", "text": "Q?", "options": "A\nA"}, "options", "Each option only once."),
            ({"kind": "choice", "text": "Q?", "options": "A\n" + "B" * 201}, "options", "at most 200 characters"),
            ({"kind": "choice", "text": "Q?", "options": "A\n<b>B</b>"}, "options", "Write plain text"),
            ({"kind": "scale", "text": "Q?", "scale_max": "11"}, "scale_max", "A scale has from 2 to 10 steps."),
            ({"kind": "scale", "text": "Q?", "scale_max": ""}, "scale_max", "Write how many steps the scale has"),
            ({"kind": "poll", "text": "Q?"}, "kind", "Choose one of the kinds of answer."),
            ({"kind": "text", "text": "Q" * 301}, "text", "Write at most 300 characters (you wrote 301)."),
            ({"kind": "text", "text": "<script>alert(1)</script>"}, "text", "Write plain text"),
        ],
    )
    def test_bad_questions_are_refused_and_kept(self, staff_client, draft, data, field, message):
        response = staff_client.post(en("question_new", pk=draft.pk), {"form_key": uuid.uuid4().hex, **data})
        assert response.status_code == 400
        html = page(response)
        assert message in html
        anchor = f"id_{field}_0" if field == "kind" else f"id_{field}"
        assert f'href="#{anchor}"' in html
        assert draft.questions.count() == 3

    def test_changing_and_deleting_a_question_while_a_draft(self, staff_client, draft):
        question = question_of(draft)
        url = en("question_edit", pk=draft.pk, question_pk=question.pk)
        html = page(staff_client.get(url))
        assert "Ved stasjonen\nVed skolen\nVed butikkene" in html
        data = {"kind": "choice", "text": "Hvor bør torget ligge?", "options": "Ved stasjonen\nVed sjøen"}
        assert staff_client.post(url, data).status_code == 302
        assert [o.label for o in question.options.all()] == ["Ved stasjonen", "Ved sjøen"]
        assert staff_client.post(url, {"action": "delete"}).status_code == 302
        assert not Question.objects.filter(pk=question.pk).exists()

    def test_questions_are_fixed_once_published(self, staff_client, open_consultation):
        question = question_of(open_consultation)
        html = page(staff_client.get(en("question_new", pk=open_consultation.pk)))
        assert "can no longer be changed" in html and 'name="text"' not in html
        response = staff_client.post(en("question_new", pk=open_consultation.pk), {"kind": "text", "text": "Ny?"})
        assert response.status_code == 409
        url = en("question_edit", pk=open_consultation.pk, question_pk=question.pk)
        assert staff_client.post(url, {"kind": "text", "text": "Endret?"}).status_code == 409
        assert staff_client.post(url, {"action": "delete"}).status_code == 409
        assert open_consultation.questions.count() == 3
        assert Question.objects.get(pk=question.pk).text == question.text


# --- Documents -------------------------------------------------------------------------------------------------
def pdf(name="plankart.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class TestDocuments:
    def test_uploading_and_removing_a_document(self, staff_client, draft):
        response = staff_client.get(en("documents", pk=draft.pk))
        assert_page_is_sound(response, "en")
        response = staff_client.post(
            en("documents", pk=draft.pk), {"action": "add", "title": "Plankart", "file": pdf()}
        )
        assert response.status_code == 302
        document = Document.objects.get(consultation=draft)
        assert document.title == "Plankart" and document.content_type == "application/pdf"
        assert document.size == len(PDF)
        assert "Plankart" in page(staff_client.get(en("staff_edit", pk=draft.pk)))

        response = staff_client.post(en("documents", pk=draft.pk), {"action": "remove", "document": document.pk})
        assert response.status_code == 302
        assert not Document.objects.filter(pk=document.pk).exists()

    def test_the_same_upload_sent_twice_adds_one(self, staff_client, draft):
        key = uuid.uuid4().hex
        for _n in range(2):
            staff_client.post(
                en("documents", pk=draft.pk), {"action": "add", "form_key": key, "title": "Plankart", "file": pdf()}
            )
        assert Document.objects.filter(consultation=draft).count() == 1

    def test_a_file_of_another_type_is_refused_and_the_title_kept(self, staff_client, draft):
        upload = SimpleUploadedFile("notat.txt", b"Bare tekst", content_type="text/plain")
        response = staff_client.post(en("documents", pk=draft.pk), {"action": "add", "title": "Notat", "file": upload})
        assert response.status_code == 400
        html = page(response)
        assert "is not a type we accept" in html and 'value="Notat"' in html
        assert not Document.objects.exists()

    def test_a_file_too_large_is_refused(self, staff_client, draft, settings):
        settings.TINGET_CONSULTATION_DOCUMENT_MAX_BYTES = 50
        response = staff_client.post(
            en("documents", pk=draft.pk), {"action": "add", "title": "Plankart", "file": pdf()}
        )
        assert response.status_code == 400 and "is too large" in page(response)
        assert not Document.objects.exists()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"title": ""}, "Write the document&#x27;s title."),
            ({"title": "T" * 201}, "Write at most 200 characters (you wrote 201)."),
            ({"title": "<a href=x>Kart</a>"}, "Write plain text"),
        ],
    )
    def test_bad_titles_are_refused(self, staff_client, draft, data, message):
        response = staff_client.post(en("documents", pk=draft.pk), {"action": "add", "file": pdf(), **data})
        assert response.status_code == 400 and message in page(response)
        assert not Document.objects.exists()

    def test_no_file_is_refused(self, staff_client, draft):
        response = staff_client.post(en("documents", pk=draft.pk), {"action": "add", "title": "Plankart"})
        assert response.status_code == 400 and "Choose the file." in page(response)

    def test_after_publication_a_document_needs_a_note(self, staff_client, open_consultation):
        url = en("documents", pk=open_consultation.pk)
        response = staff_client.post(url, {"action": "add", "title": "Plankart", "file": pdf()})
        assert response.status_code == 400 and 'value="Plankart"' in page(response)
        response = staff_client.post(
            url, {"action": "add", "title": "Plankart", "file": pdf(), "note": "Kart lagt til."}
        )
        assert response.status_code == 302
        version = open_consultation.versions.get(number=2)
        assert version.note == "Kart lagt til." and version.snapshot["documents"][0]["title"] == "Plankart"
        document = Document.objects.get(consultation=open_consultation)
        response = staff_client.post(url, {"action": "remove", "document": document.pk})
        assert response.status_code == 400 and Document.objects.filter(pk=document.pk).exists()
        response = staff_client.post(url, {"action": "remove", "document": document.pk, "note": "Feil kart."})
        assert response.status_code == 302 and not Document.objects.filter(pk=document.pk).exists()

    def test_removing_an_unknown_document_says_so(self, staff_client, draft):
        response = staff_client.post(en("documents", pk=draft.pk), {"action": "remove", "document": "999999"})
        assert response.status_code == 404
        response = staff_client.post(en("documents", pk=draft.pk), {"action": "remove", "document": "x"})
        assert response.status_code == 302


# --- Publishing and late input ---------------------------------------------------------------------------------
class TestPublish:
    def test_the_confirm_step_says_what_happens(self, staff_client, draft):
        response = staff_client.post(en("publish", pk=draft.pk))
        assert response.status_code == 200
        html = page(response)
        assert "It becomes visible to everyone on the site as soon as you publish." in html
        assert "It is open for input at once" in html
        assert Consultation.objects.get(pk=draft.pk).stage == Stage.DRAFT
        assert_page_is_sound(staff_client.get(en("publish", pk=draft.pk)), "en")

    def test_an_upcoming_consultation_says_when_it_opens(self, staff_client, draft):
        Consultation.objects.filter(pk=draft.pk).update(
            opens_at=timezone.now() + dt.timedelta(days=3), deadline=timezone.now() + dt.timedelta(days=30)
        )
        draft.refresh_from_db()
        html = page(staff_client.get(en("publish", pk=draft.pk)))
        with translation.override("en"):
            assert f"It opens for input {services.local_moment(draft.opens_at)}" in html

    def test_publishing(self, staff_client, draft, case_worker):
        response = staff_client.post(en("publish", pk=draft.pk), {"confirm": "1"})
        assert response.status_code == 302 and response.url == en("staff_edit", pk=draft.pk)
        consultation = Consultation.objects.get(pk=draft.pk)
        assert consultation.stage == Stage.PUBLISHED and consultation.version == 1
        assert consultation.versions.get().created_by == case_worker

    def test_publishing_twice_publishes_once(self, staff_client, draft):
        staff_client.post(en("publish", pk=draft.pk), {"confirm": "1"})
        response = staff_client.post(en("publish", pk=draft.pk), {"confirm": "1"})
        assert response.status_code == 302
        assert Version.objects.filter(consultation=draft).count() == 1

    def test_not_without_a_section(self, staff_client, bare):
        response = staff_client.post(en("publish", pk=bare.pk), {"confirm": "1"})
        assert response.status_code == 400
        assert "Add at least one section of text before publishing." in page(response)
        assert Consultation.objects.get(pk=bare.pk).stage == Stage.DRAFT

    def test_not_with_a_deadline_passed(self, staff_client, draft):
        pass_deadline(draft)
        response = staff_client.post(en("publish", pk=draft.pk), {"confirm": "1"})
        assert response.status_code == 400
        assert "The deadline has passed. Set a deadline in the future before publishing." in page(response)
        assert Consultation.objects.get(pk=draft.pk).stage == Stage.DRAFT


class TestLateInput:
    def test_accepting_and_refusing_late_input(self, staff_client, closed_consultation):
        url = en("late_input", pk=closed_consultation.pk)
        assert "Accept late input" in page(staff_client.get(en("staff_edit", pk=closed_consultation.pk)))
        assert staff_client.post(url, {"allow": "1"}).status_code == 302
        assert Consultation.objects.get(pk=closed_consultation.pk).allow_late_input
        assert staff_client.post(url, {"allow": "1"}).status_code == 302  # twice: the same
        assert Consultation.objects.get(pk=closed_consultation.pk).allow_late_input
        assert staff_client.post(url, {"allow": "0"}).status_code == 302
        assert not Consultation.objects.get(pk=closed_consultation.pk).allow_late_input

    def test_a_malformed_switch_changes_nothing(self, staff_client, closed_consultation):
        response = staff_client.post(en("late_input", pk=closed_consultation.pk), {"allow": "yes please"})
        assert response.status_code == 302
        assert not Consultation.objects.get(pk=closed_consultation.pk).allow_late_input

    def test_another_unit_may_not(self, other_client, closed_consultation):
        assert other_client.post(en("late_input", pk=closed_consultation.pk), {"allow": "1"}).status_code == 403
        assert not Consultation.objects.get(pk=closed_consultation.pk).allow_late_input
