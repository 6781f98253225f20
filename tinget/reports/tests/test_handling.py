"""The case worker's pages: who gets in (login, role, second factor), the queue and one report."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation

from tinget.accounts.privacy import STAFF_READ_ACTION, staff_reads
from tinget.accounts.staff import ADMINISTRATOR, CASE_WORKER, ensure_staff_roles
from tinget.accounts.tests.pagecheck import assert_page_is_sound
from tinget.accounts.tests.people import fast_staff_client
from tinget.core.models import AuditEntry, Unit
from tinget.reports import services
from tinget.reports.models import Report, State

from .conftest import ASKER, NEAR_ASKER
from .factories import CategoryFactory, QuestionFactory
from .test_services import processed_photo

PASSWORD = "et-langt-passord-123"
QUEUE = "reports:handle"


# --- Logging in as the handling pages demand -------------------------------------------------------------------
def staff_client(user):
    """Logged in with the second factor used, reading English."""
    return fast_staff_client(user)


@pytest.fixture
def handler(case_worker):
    return staff_client(case_worker)


def new_staff(email, role, unit_slug=None):
    """A staff member in a role (and a unit); fixtures in the handling and admin tests make theirs with it."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email, PASSWORD, display_name=email.split("@")[0], is_staff=True)
    user.groups.add(ensure_staff_roles()[role])
    if unit_slug:
        user.units.add(Unit.objects.get(slug=unit_slug))
    return user


@pytest.fixture
def other_case_worker(municipality):
    return new_staff("rita@example.no", CASE_WORKER, "renovasjon")


@pytest.fixture
def administrator(municipality):
    return new_staff("ada@example.no", ADMINISTRATOR)


def make(category, resident, **kwargs):
    defaults = {"latitude": ASKER[0], "longitude": ASKER[1], "title": "Hull"}
    return services.report_create(actor=resident, category=category, **{**defaults, **kwargs})


def en(name, **kwargs):
    """An address of the English pages, for tests that read words the translators may reword in nb."""
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def query(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def page(response) -> str:
    return response.content.decode()


# --- Who gets in -----------------------------------------------------------------------------------------------
class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, report):
        for url in (reverse(QUEUE), reverse("reports:handle_detail", kwargs={"pk": report.pk})):
            response = client.get(url)
            assert response.status_code == 302
            assert urlsplit(response.url).path == reverse("account_login")
            assert query(response.url)["next"] == url

    def test_residents_and_staff_without_the_role_get_403(self, resident_client, report, django_user_model):
        assert resident_client.get(reverse(QUEUE)).status_code == 403
        assert resident_client.get(reverse("reports:handle_detail", kwargs={"pk": report.pk})).status_code == 403
        editor = django_user_model.objects.create_user("ed@example.no", PASSWORD, is_staff=True)
        assert staff_client(editor).get(reverse(QUEUE)).status_code == 403

    def test_staff_without_an_authenticator_are_sent_to_set_one_up(self, client, case_worker):
        client.force_login(case_worker)
        response = client.get(reverse(QUEUE))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")

    def test_staff_without_a_second_factor_this_session_are_asked_for_a_code(self, client, case_worker, report):
        TOTP.activate(case_worker, generate_totp_secret())
        client.force_login(case_worker)
        url = reverse("reports:handle_detail", kwargs={"pk": report.pk})

        response = client.get(url)

        assert response.status_code == 302
        assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
        assert query(response.url)["next"] == url
        # A form sent meanwhile changes nothing and leads back to the report after the code.
        response = client.post(reverse("reports:handle_note", kwargs={"pk": report.pk}), {"note-text": "Hei"})
        assert query(response.url)["next"] == url
        assert not report.updates.filter(kind="note").exists()

    def test_the_real_login_with_a_code_opens_the_queue(self, client, case_worker, two_factor_login):
        two_factor_login(client, case_worker, PASSWORD)
        assert client.get(reverse(QUEUE)).status_code == 200

    def test_a_case_worker_of_another_unit_cannot_open_the_report(self, report, other_case_worker):
        other = staff_client(other_case_worker)
        assert other.get(reverse("reports:handle_detail", kwargs={"pk": report.pk})).status_code == 403
        assert f"#{report.pk}<" not in page(other.get(reverse(QUEUE)))

    def test_an_unknown_report_is_404(self, handler, db):
        assert handler.get(reverse("reports:handle_detail", kwargs={"pk": 999999})).status_code == 404

    def test_the_pages_are_not_cached(self, handler, report):
        response = handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk}))
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# --- The queue -------------------------------------------------------------------------------------------------
class TestQueue:
    def test_open_reports_of_the_own_unit_oldest_first(self, handler, pothole, resident, case_worker):
        newest = make(pothole, resident, title="Nyeste")
        oldest = make(pothole, resident, title="Eldste")
        Report.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(days=3))
        fixed = make(pothole, resident, title="Fikset hull")
        services.report_change_state(actor=case_worker, report=fixed, state=State.FIXED, answer="Ok")
        waste = CategoryFactory(unit=Unit.objects.get(slug="renovasjon"))
        make(waste, resident, title="Søppelkasse full")
        services.report_create(
            actor=AnonymousUser(),
            category=pothole,
            latitude=ASKER[0],
            longitude=ASKER[1],
            title="Ubekreftet",
            reporter=services.Reporter(name="Ola", email="ola@example.no"),
        )

        html = page(handler.get(reverse(QUEUE)))

        assert html.index("Eldste") < html.index("Nyeste")
        for absent in ("Fikset hull", "Søppelkasse full", "Ubekreftet"):
            assert absent not in html
        assert str(newest.pk) in html

    def test_overdue_reports_are_marked_with_text(self, handler, report):
        Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(days=1))
        html = page(handler.get(en(QUEUE)))
        assert 'class="handling-overdue"' in html
        assert 'data-color="danger">Overdue<' in html

    def test_filters(self, handler, pothole, resident, case_worker, municipality):
        light = CategoryFactory(name="Gatelys")
        lamp = make(light, resident, title="Lyset er ute", description="Lampen blinker")
        hole = make(pothole, resident, title="Hull i asfalten", latitude=NEAR_ASKER[0], longitude=NEAR_ASKER[1])
        far = make(pothole, resident, title="Hull ved Tofte", latitude=59.545, longitude=10.56)
        Report.objects.filter(pk=hole.pk).update(due_at=timezone.now() - timedelta(hours=1))
        services.report_change_state(actor=case_worker, report=far, state=State.INVESTIGATING, answer="Ser på.")

        def titles(**params):
            html = page(handler.get(reverse(QUEUE), params))
            return {r.title for r in (lamp, hole, far) if r.title in html}

        assert titles() == {"Lyset er ute", "Hull i asfalten", "Hull ved Tofte"}
        assert titles(category=light.pk) == {"Lyset er ute"}
        assert titles(status=State.INVESTIGATING) == {"Hull ved Tofte"}
        assert titles(overdue="on") == {"Hull i asfalten"}
        assert titles(q="blinker") == {"Lyset er ute"}
        assert titles(q=f"#{hole.pk}") == {"Hull i asfalten"}
        assert titles(area=far.area_id) == {"Hull ved Tofte"}
        assert titles(unit=Unit.objects.get(slug="vei-og-park").pk, status="all") == {
            "Lyset er ute",
            "Hull i asfalten",
            "Hull ved Tofte",
        }
        assert titles(status="all_closed") == set()
        assert titles(status=State.OPEN) == {"Lyset er ute", "Hull i asfalten"}

    def test_counts_per_state_link_to_their_state(self, handler, pothole, resident, case_worker):
        make(pothole, resident)
        moved = make(pothole, resident)
        services.report_change_state(actor=case_worker, report=moved, state=State.IN_PROGRESS, answer="Ok")
        html = page(handler.get(en(QUEUE)))
        assert "status=in_progress" in html
        # The default (every open state) is not mistaken for the state "open".
        assert 'status=open" aria-current' not in html
        assert "2 open reports" in html

    def test_malformed_filters_are_said_and_ignored(self, handler, report):
        response = handler.get(reverse(QUEUE), {"category": "abc", "status": "nonsense", "q": "x" * 500})
        assert response.status_code == 200
        html = page(response)
        assert "ds-error-summary" in html
        assert report.title in html

    def test_pagination(self, handler, pothole, resident):
        for number in range(27):
            make(pothole, resident, title=f"Melding {number:02d}")
        first = page(handler.get(reverse(QUEUE)))
        second = page(handler.get(reverse(QUEUE), {"side": 2}))
        assert "Melding 00" in first and "Melding 26" not in first
        assert "Melding 26" in second and "Melding 00" not in second
        assert page(handler.get(reverse(QUEUE), {"side": "abc"})).count("Melding ") >= 25

    def test_sorting_by_category(self, handler, resident, pothole):
        make(CategoryFactory(name="Aaa kategori"), resident, title="Nyest men A")
        older = make(pothole, resident, title="Eldre men H")
        Report.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
        html = page(handler.get(reverse(QUEUE), {"sort": "category"}))
        assert html.index("Nyest men A") < html.index("Eldre men H")

    def test_text_is_escaped(self, handler, pothole, resident):
        make(pothole, resident, title="<script>alert(1)</script>")
        html = page(handler.get(reverse(QUEUE)))
        assert "<script>alert(1)" not in html and "&lt;script&gt;" in html

    def test_moderators_and_administrators_see_every_unit(self, resident, moderator, administrator):
        waste = CategoryFactory(unit=Unit.objects.get(slug="renovasjon"))
        make(waste, resident, title="Søppelkasse full")
        for user in (moderator, administrator):
            assert "Søppelkasse full" in page(staff_client(user).get(reverse(QUEUE)))

    def test_query_count_does_not_grow_with_the_reports(
        self, handler, pothole, resident, django_assert_max_num_queries
    ):
        for number in range(30):
            make(pothole, resident, title=f"Melding {number}")
        with django_assert_max_num_queries(14):
            response = handler.get(reverse(QUEUE), {"q": "Melding", "overdue": "", "sort": "due"})
        assert response.status_code == 200


# --- One report ------------------------------------------------------------------------------------------------
class TestDetail:
    def test_everything_about_the_report(self, handler, case_worker, moderator, pothole, resident):
        QuestionFactory(category=pothole, code="dybde", question="Hvor dypt?", datatype="number")
        report = make(
            pothole,
            resident,
            title="Hull med navn",
            description="Naboen Per Hansen kjører i det.",
            answers={"dybde": "20"},
            photos=[processed_photo("Første"), processed_photo("Andre")],
        )
        services.report_add_note(actor=case_worker, report=report, text="Ring entreprenøren")
        services.report_redact(actor=moderator, report=report, reason="Navn", description="Naboen kjører i det.")
        services.photo_set_hidden(actor=moderator, photo=report.photos.first(), hidden=True, reason="Bilnummer")

        html = page(handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk})))

        assert resident.email in html
        assert "Ring entreprenøren" in html
        # The moderation log keeps the original for staff.
        assert "Naboen Per Hansen kjører i det." in html and "Bilnummer" in html
        assert html.count("<img ") == 2
        assert "Hvor dypt?" in html and ">20<" in html

    def test_reading_the_reporters_details_is_logged(self, handler, case_worker, report, resident):
        handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk}))
        entry = staff_reads(resident).get()
        assert entry.actor == case_worker
        assert entry.data["unit"] == "Vei og park" or entry.data["unit"]

    def test_a_reporter_without_an_account_is_logged_against_the_report(self, handler, pothole):
        report = services.report_create(
            actor=AnonymousUser(),
            category=pothole,
            latitude=ASKER[0],
            longitude=ASKER[1],
            reporter=services.Reporter(name="Ola", email="ola@example.no", phone="99999999"),
        )
        html = page(handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk})))
        assert "ola@example.no" in html and "99999999" in html
        assert AuditEntry.objects.filter(
            action=STAFF_READ_ACTION, target_type="reports.report", target_id=str(report.pk)
        ).exists()

    def test_a_moderator_sees_no_contact_details_and_only_moderation(self, moderator, report, resident):
        html = page(staff_client(moderator).get(reverse("reports:handle_detail", kwargs={"pk": report.pk})))
        assert resident.email not in html
        assert not staff_reads(resident).exists()
        assert reverse("reports:handle_redact", kwargs={"pk": report.pk}) in html
        assert reverse("reports:handle_state", kwargs={"pk": report.pk}) not in html

    def test_a_case_worker_sees_no_moderation_forms(self, handler, report):
        html = page(handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk})))
        assert reverse("reports:handle_state", kwargs={"pk": report.pk}) in html
        assert reverse("reports:handle_redact", kwargs={"pk": report.pk}) not in html

    def test_a_hidden_report_is_still_there_for_staff(self, handler, moderator, report):
        services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Spam")
        response = handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk}))
        assert response.status_code == 200 and "Spam" in page(response)


# --- The pages are sound ---------------------------------------------------------------------------------------
class TestPages:
    """Labels, one h1 in the title, unique ids, no inline script or style (tinget/accounts/tests/pagecheck.py);
    the browser suite runs axe on them too."""

    def test_the_queue(self, handler, pothole, resident, moderator):
        late = make(pothole, resident, title="Sent")
        Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
        services.report_set_hidden(actor=moderator, report=late, hidden=True, reason="Spam")
        assert_page_is_sound(handler.get(reverse(QUEUE)), "nb")
        assert_page_is_sound(handler.get(reverse(QUEUE), {"q": "ingenting slikt"}), "nb")
        assert_page_is_sound(handler.get(en(QUEUE), {"category": "x"}), "en")

    def test_a_report_with_every_form(self, case_worker, moderator, pothole, resident):
        both = staff_client(case_worker)
        case_worker.groups.add(*moderator.groups.all())
        report = make(pothole, resident, photos=[processed_photo(), processed_photo("")])
        services.report_answer(actor=case_worker, report=report, text="Svar")
        services.report_add_note(actor=case_worker, report=report, text="Notat")
        services.report_redact(actor=moderator, report=report, reason="Navn", title="Nytt")
        url = reverse("reports:handle_detail", kwargs={"pk": report.pk})
        page_ = assert_page_is_sound(both.get(url), "nb")
        # Log out, then handle (5), moderate (2), the photos (2) and the one public answer.
        assert len(page_.all("form", method="post")) == 1 + 5 + 2 + 2 + 1

        response = both.post(reverse("reports:handle_state", kwargs={"pk": report.pk}), {"state-state": "x"})
        assert response.status_code == 400
        response.status_code = 200  # the check wants a page; the 400 itself is asserted above
        assert_page_is_sound(response, "nb")


def test_an_unconfirmed_report_can_only_get_notes_and_be_rerouted(handler, pothole):
    report = services.report_create(
        actor=AnonymousUser(),
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        reporter=services.Reporter(name="Ola", email="ola@example.no"),
    )
    response = handler.get(reverse("reports:handle_detail", kwargs={"pk": report.pk}))
    html = page(response)
    assert response.status_code == 200
    assert reverse("reports:handle_note", kwargs={"pk": report.pk}) in html
    assert reverse("reports:handle_state", kwargs={"pk": report.pk}) not in html
    assert reverse("reports:handle_answer", kwargs={"pk": report.pk}) not in html
    # Sent anyway, the service refuses and the page says so.
    from tinget.reports.views.handling import version_of

    response = handler.post(
        reverse("reports:handle_answer", kwargs={"pk": report.pk}),
        {"answer-text": "Hei", "answer-version": version_of(report.pk)},
    )
    assert response.status_code == 400 and "ds-error-summary" in page(response)
    assert not report.updates.filter(kind="answer").exists()
