"""Fault reports in the admin: categories edited as data, reports read-only with actions that call services,
unit scoping, API keys issued and revoked through services, and logged reads of personal data."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from tinget.accounts.privacy import STAFF_READ_ACTION, staff_reads
from tinget.accounts.staff import ADMINISTRATOR, CASE_WORKER
from tinget.core.models import AuditEntry, Unit
from tinget.reports import services
from tinget.reports.admin import mask_email
from tinget.reports.models import ApiKey, Category, Report, State, Subscriber, Update

from .factories import CategoryFactory, QuestionFactory
from .test_handling import make, new_staff, staff_client
from .test_services import processed_photo

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def changelist(model):
    return reverse(f"admin:reports_{model}_changelist")


def change(model, pk):
    return reverse(f"admin:reports_{model}_change", args=[pk])


def body(response):
    return response.content.decode()


def shown_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def administrator(municipality):
    return new_staff("ada@example.no", ADMINISTRATOR)


@pytest.fixture
def other_case_worker(municipality):
    return new_staff("rita@example.no", CASE_WORKER, "renovasjon")


@pytest.fixture
def admin_client_2fa(administrator):
    return staff_client(administrator)


@pytest.fixture
def everything(report, case_worker, moderator, pothole, resident):
    """One of each row the reports admin lists."""
    with_photo = make(pothole, resident, photos=[processed_photo()])
    QuestionFactory(category=pothole, code="dybde")
    services.report_add_note(actor=case_worker, report=report, text="Notat")
    services.report_set_hidden(actor=moderator, report=with_photo, hidden=True, reason="Spam")
    Subscriber.objects.create(report=report, email="per@example.no", confirmed_at=timezone.now())
    services.api_key_create(actor=None, name="Bymelding")
    return report


# --- Every page opens ------------------------------------------------------------------------------------------
MODELS = ["categorygroup", "category", "report", "photo", "update", "moderation", "subscriber", "apikey"]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_object_page_opens_for_an_administrator(model, admin_client_2fa, everything):
    assert admin_client_2fa.get(changelist(model)).status_code == 200
    from django.apps import apps

    obj = apps.get_model("reports", model).objects.first()
    assert admin_client_2fa.get(change(model, obj.pk)).status_code == 200


@pytest.mark.parametrize("model", ["categorygroup", "category", "apikey"])
def test_add_pages_of_what_staff_create(model, admin_client_2fa, municipality):
    assert admin_client_2fa.get(reverse(f"admin:reports_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", ["report", "photo", "update", "moderation", "subscriber"])
def test_nothing_services_own_can_be_added_here(model, admin_client_2fa, municipality):
    assert admin_client_2fa.get(reverse(f"admin:reports_{model}_add")).status_code == 403


def test_the_admin_still_needs_the_second_factor(client, case_worker):
    client.force_login(case_worker)
    assert client.get(changelist("report")).status_code == 302


# --- Categories ------------------------------------------------------------------------------------------------
def test_categories_are_listed_with_routing_and_can_be_searched(admin_client_2fa, pothole):
    CategoryFactory(name="Gatelys ute", is_urgent=True, unit=Unit.objects.get(slug="eiendom"))
    html = body(admin_client_2fa.get(changelist("category"), {"q": "Gatelys"}))
    assert "Gatelys ute" in html and "Hull i veien" not in html
    assert "Eiendom" in html


def test_a_category_is_edited_with_its_questions(admin_client_2fa, pothole):
    QuestionFactory(category=pothole, code="dybde", question="Hvor dypt?")
    html = body(admin_client_2fa.get(change("category", pothole.pk)))
    assert "Hvor dypt?" in html and 'name="questions-0-code"' in html


def test_a_case_worker_sees_but_does_not_edit_categories(case_worker, pothole):
    client = staff_client(case_worker)
    assert client.get(changelist("category")).status_code == 200
    response = client.post(change("category", pothole.pk), {"name": "Nytt navn"})
    assert response.status_code == 403
    assert Category.objects.get(pk=pothole.pk).name == "Hull i veien"


# --- Reports ---------------------------------------------------------------------------------------------------
def test_a_case_worker_sees_their_units_reports_only(case_worker, report, resident):
    waste = CategoryFactory(unit=Unit.objects.get(slug="renovasjon"))
    elsewhere = make(waste, resident, title="Søppelkasse full")
    client = staff_client(case_worker)

    html = body(client.get(changelist("report")))

    assert report.title in html and "Søppelkasse full" not in html
    assert client.get(change("report", elsewhere.pk)).status_code == 302  # "does not exist", back to the index


def test_administrators_and_moderators_see_every_unit(admin_client_2fa, moderator, resident):
    waste = CategoryFactory(unit=Unit.objects.get(slug="renovasjon"))
    make(waste, resident, title="Søppelkasse full")
    assert "Søppelkasse full" in body(admin_client_2fa.get(changelist("report")))
    assert "Søppelkasse full" in body(staff_client(moderator).get(changelist("report")))


def test_the_report_list_filters(admin_client_2fa, report, case_worker, pothole, resident):
    late = make(pothole, resident, title="Sent svar")
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(days=2))
    services.report_change_state(actor=case_worker, report=report, state=State.INVESTIGATING, answer="Ok")

    assert "Sent svar" in body(admin_client_2fa.get(changelist("report"), {"overdue": "yes"}))
    assert report.title not in body(admin_client_2fa.get(changelist("report"), {"overdue": "yes"}))
    html = body(admin_client_2fa.get(changelist("report"), {"state__exact": "investigating"}))
    assert report.title in html and "Sent svar" not in html
    assert report.title in body(admin_client_2fa.get(changelist("report"), {"q": str(report.pk)}))


def test_a_report_is_read_only_and_points_to_the_handling_page(case_worker, report):
    client = staff_client(case_worker)
    html = body(client.get(change("report", report.pk)))
    assert reverse("reports:handle_detail", kwargs={"pk": report.pk}) in html
    assert 'name="state"' not in html and 'name="title"' not in html

    response = client.post(change("report", report.pk), {"state": "fixed", "title": "Endret"})

    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).state == State.OPEN


def test_opening_a_report_logs_reading_the_reporters_details(case_worker, report, resident):
    staff_client(case_worker).get(change("report", report.pk))
    entry = staff_reads(resident).get()
    assert entry.actor == case_worker and "administration" in entry.data["what"]


def test_a_reporter_without_an_account_is_logged_against_the_report(case_worker, pothole):
    from django.contrib.auth.models import AnonymousUser

    from .conftest import ASKER

    report = services.report_create(
        actor=AnonymousUser(),
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        reporter=services.Reporter(name="Ola", email="ola@example.no"),
    )
    html = body(staff_client(case_worker).get(change("report", report.pk)))
    assert "ola@example.no" in html
    assert AuditEntry.objects.filter(action=STAFF_READ_ACTION, target_id=str(report.pk)).exists()


def test_a_moderator_does_not_see_the_reporter(moderator, report, resident):
    html = body(staff_client(moderator).get(change("report", report.pk)))
    assert resident.email not in html
    assert not staff_reads(resident).exists()


# --- Actions ---------------------------------------------------------------------------------------------------
def action_post(client, action, reports, **extra):
    data = {"action": action, "_selected_action": [r.pk for r in reports], **extra}
    return client.post(changelist("report"), data, **ENGLISH)


def test_marking_fixed_asks_for_the_answer_then_calls_the_service(case_worker, report, pothole, resident):
    other = make(pothole, resident, title="Annet hull")
    client = staff_client(case_worker)

    response = action_post(client, "mark_fixed", [report, other], index=0)

    assert response.status_code == 200
    html = body(response)
    # The admin has no language prefix, so it speaks Bokmål: the suggested answer is the translated one.
    with translation.override("nb"):
        suggested = gettext("The fault is fixed. Thank you for telling us.")
    assert "Annet hull" in html and 'name="answer"' in html and suggested in html

    response = action_post(client, "mark_fixed", [report, other], apply="1", answer="Lappet i dag.")

    assert response.status_code == 302
    for pk in (report.pk, other.pk):
        changed = Report.objects.get(pk=pk)
        assert changed.state == State.FIXED and changed.fixed_at is not None
        assert changed.updates.last().text == "Lappet i dag."
    with translation.override("nb"):
        changed = ngettext("%(count)s report is now: %(state)s", "%(count)s reports are now: %(state)s", 2) % {
            "count": 2,
            "state": State.FIXED.label,
        }
    assert any(changed in m for m in shown_messages(response))


def test_an_action_says_which_reports_it_could_not_change(case_worker, report, pothole, resident):
    other = make(pothole, resident)
    services.report_change_state(actor=case_worker, report=other, state=State.INVESTIGATING, answer="Ok")
    client = staff_client(case_worker)

    response = action_post(client, "mark_investigating", [report, other], apply="1", answer="Ser på det.")

    assert Report.objects.get(pk=report.pk).state == State.INVESTIGATING
    assert other.updates.filter(kind=Update.Kind.STATE).count() == 1
    messages = shown_messages(response)
    with translation.override("nb"):
        changed = ngettext("%(count)s report is now: %(state)s", "%(count)s reports are now: %(state)s", 1) % {
            "count": 1,
            "state": State.INVESTIGATING.label,
        }
    assert any(changed in m for m in messages), messages
    assert any(f"#{other.pk}" in m for m in messages)


def test_an_oversized_answer_is_refused_with_the_form_again(case_worker, report):
    response = action_post(
        staff_client(case_worker), "mark_in_progress", [report], apply="1", answer="x" * (services.DESCRIPTION_MAX + 1)
    )
    assert response.status_code == 200 and "errornote" in body(response)
    assert Report.objects.get(pk=report.pk).state == State.OPEN


def test_a_case_worker_cannot_act_on_another_units_report(other_case_worker, report):
    response = action_post(staff_client(other_case_worker), "mark_fixed", [report], apply="1", answer="Nei")
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == State.OPEN


def test_hiding_is_for_moderators_and_needs_a_reason(moderator, case_worker, report):
    assert 'value="hide_from_public"' not in body(staff_client(case_worker).get(changelist("report")))
    response = action_post(staff_client(case_worker), "hide_from_public", [report], apply="1", reason="Spam")
    assert not Report.objects.get(pk=report.pk).is_hidden
    assert response.status_code in (200, 302)

    client = staff_client(moderator)
    assert 'value="hide_from_public"' in body(client.get(changelist("report")))
    response = action_post(client, "hide_from_public", [report], apply="1", reason="")
    assert response.status_code == 200 and not Report.objects.get(pk=report.pk).is_hidden

    action_post(client, "hide_from_public", [report], apply="1", reason="Personopplysninger")

    assert Report.objects.get(pk=report.pk).is_hidden
    assert report.moderations.get().reason == "Personopplysninger"


def test_a_moderator_cannot_change_states(moderator, report):
    html = body(staff_client(moderator).get(changelist("report")))
    assert 'value="mark_fixed"' not in html


# --- Subscribers -----------------------------------------------------------------------------------------------
def test_subscriber_addresses_are_masked_in_the_list_and_reading_one_is_logged(admin_client_2fa, report, resident):
    subscriber = Subscriber.objects.create(report=report, email="per@example.no", confirmed_at=timezone.now())
    html = body(admin_client_2fa.get(changelist("subscriber")))
    assert "per@example.no" not in html and "p***@example.no" in html

    html = body(admin_client_2fa.get(change("subscriber", subscriber.pk)))

    assert "per@example.no" in html
    assert AuditEntry.objects.filter(
        action=STAFF_READ_ACTION, target_type="reports.subscriber", target_id=str(subscriber.pk)
    ).exists()


def test_reading_a_subscription_of_someone_with_an_account_shows_on_their_min_side(admin_client_2fa, report, resident):
    subscriber = Subscriber.objects.create(report=report, email=resident.email.upper())
    admin_client_2fa.get(change("subscriber", subscriber.pk))
    assert staff_reads(resident).exists()


@pytest.mark.parametrize(
    "address, masked", [("per@example.no", "p***@example.no"), ("x@y.no", "x***@y.no"), ("broken", "***")]
)
def test_mask_email(address, masked):
    assert mask_email(address) == masked


# --- Open311 API keys ------------------------------------------------------------------------------------------
def test_a_key_is_issued_through_the_service_and_shown_once(admin_client_2fa, administrator):
    response = admin_client_2fa.post(reverse("admin:reports_apikey_add"), {"name": "Bymelding"}, follow=True)

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    assert api_key.created_by == administrator
    html = body(response)
    match = re.search(r"(" + re.escape(api_key.prefix) + r"[A-Za-z0-9_-]+)", html)
    assert match, html
    assert services.api_key_check(match.group(1)) == api_key
    assert AuditEntry.objects.filter(action="reports.apikey.created").exists()
    # Never again.
    assert match.group(1) not in body(admin_client_2fa.get(changelist("apikey")))
    assert match.group(1) not in body(admin_client_2fa.get(change("apikey", api_key.pk)))


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_a_key_needs_a_name(admin_client_2fa, name):
    response = admin_client_2fa.post(reverse("admin:reports_apikey_add"), {"name": name})
    assert response.status_code == 200 and "errornote" in body(response)
    assert not ApiKey.objects.exists()


def test_keys_are_revoked_through_the_service(admin_client_2fa):
    api_key, key = services.api_key_create(actor=None, name="Bymelding")

    response = admin_client_2fa.post(
        changelist("apikey"), {"action": "revoke", "_selected_action": [api_key.pk], "index": 0}
    )

    assert response.status_code == 302
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="reports.apikey.revoked").count() == 1
    with pytest.raises(services.RevokedKey):
        services.api_key_check(key)


def test_a_key_cannot_be_edited_or_used_by_case_workers(admin_client_2fa, case_worker):
    api_key, _key = services.api_key_create(actor=None, name="Bymelding")
    response = admin_client_2fa.post(change("apikey", api_key.pk), {"name": "Annet"})
    assert response.status_code == 403
    assert staff_client(case_worker).get(changelist("apikey")).status_code == 403
