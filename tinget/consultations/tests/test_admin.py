"""Consultations in the admin: topics edited as reference data; consultations, input, versions and tags read-only
(written through the staff pages' services), scoped to the staff member's units, and opening a piece of input is
a logged read of personal data."""

import pytest
from django.apps import apps
from django.urls import reverse

from tinget.accounts.privacy import STAFF_READ_ACTION, staff_reads
from tinget.accounts.staff import ADMINISTRATOR, EDITOR
from tinget.accounts.tests.people import fast_staff_client, new_staff
from tinget.consultations import services
from tinget.consultations.models import Consultation, Stage, Submission, Topic
from tinget.core.models import AuditEntry

from .conftest import consultation_data, send_input


def changelist(model):
    return reverse(f"admin:consultations_{model}_changelist")


def change(model, pk):
    return reverse(f"admin:consultations_{model}_change", args=[pk])


def body(response):
    return response.content.decode()


@pytest.fixture
def administrator(municipality):
    return new_staff("ada@example.no", ADMINISTRATOR)


@pytest.fixture
def admin_client_2fa(administrator):
    return fast_staff_client(administrator)


@pytest.fixture
def elsewhere(other_worker, municipality, other_unit, resident):
    """A published consultation of another unit, with input."""
    consultation = services.consultation_create(
        actor=other_worker,
        municipality=municipality,
        data=consultation_data(other_unit, title="Barnehagebehov i Heggedal", case_number="2026/555"),
    )
    services.section_save(actor=other_worker, consultation=consultation, data={"heading": "H", "body": "B"})
    services.consultation_publish(actor=other_worker, consultation=consultation)
    send_input(resident, consultation, text="Vi trenger flere plasser.", author_name="Kari Heggedal")
    return consultation


@pytest.fixture
def everything(open_consultation, resident, case_worker, elsewhere):
    """One of each row the consultations admin lists."""
    Topic.objects.get_or_create(slug="planer", defaults={"name": "Planer"})
    submission = send_input(resident, open_consultation, author_name="Kari Nordmann", text="Torget ved stasjonen.")
    services.submission_set_tags(actor=case_worker, submission=submission, names=["trafikk"])
    services.consultation_update(
        actor=case_worker, consultation=open_consultation, data={"title": "Holmen sentrum"}, note="Ny tittel."
    )
    send_input(resident, open_consultation, send=False, text="Et utkast ingen andre ser.", author_name="Utkast")
    open_consultation.refresh_from_db()
    return open_consultation


MODELS = ["topic", "consultation", "submission", "version", "tag"]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_object_page_opens_for_an_administrator(model, admin_client_2fa, everything):
    assert admin_client_2fa.get(changelist(model)).status_code == 200
    obj = (
        apps.get_model("consultations", model)
        .objects.filter(**({"status": Submission.Status.SENT} if model == "submission" else {}))
        .first()
    )
    assert admin_client_2fa.get(change(model, obj.pk)).status_code == 200


@pytest.mark.parametrize("model", ["consultation", "submission", "version", "tag"])
def test_list_and_object_pages_open_for_a_case_worker(model, staff_client, everything):
    assert staff_client.get(changelist(model)).status_code == 200
    obj = apps.get_model("consultations", model).objects.filter(
        **({"consultation": everything} if model != "consultation" else {"pk": everything.pk})
    )
    if model == "submission":
        obj = obj.filter(status=Submission.Status.SENT)
    assert staff_client.get(change(model, obj.first().pk)).status_code == 200


@pytest.mark.parametrize("model", ["consultation", "submission", "version", "tag"])
def test_nothing_services_own_can_be_added_here(model, admin_client_2fa, municipality):
    assert admin_client_2fa.get(reverse(f"admin:consultations_{model}_add")).status_code == 403


def test_the_admin_still_needs_the_second_factor(client, case_worker):
    client.force_login(case_worker)
    assert client.get(changelist("consultation")).status_code == 302


# --- Consultations ---------------------------------------------------------------------------------------------
def test_a_consultation_is_read_only_with_a_link_to_the_staff_page(admin_client_2fa, everything):
    html = body(admin_client_2fa.get(change("consultation", everything.pk)))
    assert 'name="title"' not in html and 'name="stage"' not in html and 'name="deadline_0"' not in html
    assert reverse("consultations:staff_edit", kwargs={"pk": everything.pk}) in html
    assert "Bakgrunn" in html  # the sections, read-only
    assert "Ny tittel." in html  # the versions
    response = admin_client_2fa.post(change("consultation", everything.pk), {"title": "Nytt", "stage": "concluded"})
    assert response.status_code == 403
    delete = reverse("admin:consultations_consultation_delete", args=[everything.pk])
    assert admin_client_2fa.post(delete, {"post": "yes"}).status_code == 403
    consultation = Consultation.objects.get(pk=everything.pk)
    assert consultation.title == "Holmen sentrum" and consultation.stage == Stage.PUBLISHED


def test_a_case_worker_sees_the_own_units_consultations(staff_client, everything, elsewhere):
    html = body(staff_client.get(changelist("consultation")))
    assert everything.title in html and elsewhere.title not in html
    response = staff_client.get(change("consultation", elsewhere.pk))
    assert response.status_code == 302  # not in the case worker's list: "does not exist"


def test_consultations_are_filtered_and_searched(admin_client_2fa, everything, draft, elsewhere):
    html = body(admin_client_2fa.get(changelist("consultation"), {"state": "open"}))
    assert everything.title in html
    html = body(admin_client_2fa.get(changelist("consultation"), {"state": "concluded"}))
    assert everything.title not in html
    html = body(admin_client_2fa.get(changelist("consultation"), {"stage__exact": "published"}))
    assert everything.title in html
    html = body(admin_client_2fa.get(changelist("consultation"), {"unit__id__exact": elsewhere.unit_id}))
    assert elsewhere.title in html and everything.title not in html
    html = body(admin_client_2fa.get(changelist("consultation"), {"q": "2026/555"}))
    assert elsewhere.title in html and everything.title not in html


# --- Input -----------------------------------------------------------------------------------------------------
def test_input_is_scoped_sent_only_and_names_no_one_in_the_list(staff_client, everything, elsewhere):
    html = body(staff_client.get(changelist("submission")))
    assert everything.title in html
    assert elsewhere.title not in html
    assert "Kari Nordmann" not in html
    draft = Submission.objects.get(status=Submission.Status.DRAFT)
    assert staff_client.get(change("submission", draft.pk)).status_code == 302
    other = Submission.objects.get(consultation=elsewhere)
    assert staff_client.get(change("submission", other.pk)).status_code == 302


def test_opening_input_shows_the_sender_and_is_a_logged_read(staff_client, everything, resident):
    submission = Submission.objects.sent().get(consultation=everything)
    response = staff_client.get(change("submission", submission.pk))
    html = body(response)
    assert "Kari Nordmann" in html and "Torget ved stasjonen." in html
    assert str(submission.key) not in html
    assert 'name="text"' not in html
    assert staff_reads(resident).count() == 1
    entry = AuditEntry.objects.get(action=STAFF_READ_ACTION)
    assert entry.data["unit"] == everything.unit.name


def test_a_moderator_screens_the_text_but_not_the_person(moderator_client, everything, elsewhere, resident):
    html = body(moderator_client.get(changelist("submission")))
    assert everything.title in html and elsewhere.title in html  # moderators screen every unit
    submission = Submission.objects.sent().get(consultation=everything)
    html = body(moderator_client.get(change("submission", submission.pk)))
    assert "Torget ved stasjonen." in html and "Kari Nordmann" not in html
    assert staff_reads(resident).count() == 0


def test_input_is_filtered_and_searched(admin_client_2fa, everything, elsewhere, case_worker):
    submission = Submission.objects.sent().get(consultation=everything)
    services.submission_consider(actor=case_worker, submission=submission, response="Takk.")
    html = body(admin_client_2fa.get(changelist("submission"), {"considered": "yes"}))
    assert f"/{submission.pk}/change/" in html
    html = body(admin_client_2fa.get(changelist("submission"), {"considered": "no"}))
    assert f"/{submission.pk}/change/" not in html
    html = body(admin_client_2fa.get(changelist("submission"), {"q": "Barnehagebehov"}))
    other = Submission.objects.get(consultation=elsewhere)
    assert f"/{other.pk}/change/" in html and f"/{submission.pk}/change/" not in html


def test_input_cannot_be_changed_or_deleted(admin_client_2fa, everything):
    submission = Submission.objects.filter(status=Submission.Status.SENT).first()
    response = admin_client_2fa.post(change("submission", submission.pk), {"text": "Endret"})
    assert response.status_code == 403
    delete = reverse("admin:consultations_submission_delete", args=[submission.pk])
    assert admin_client_2fa.post(delete, {"post": "yes"}).status_code == 403
    assert Submission.objects.get(pk=submission.pk).text == submission.text


# --- Topics ----------------------------------------------------------------------------------------------------
def test_an_editor_adds_and_edits_topics(municipality):
    client = fast_staff_client(new_staff("ed@example.no", EDITOR))
    response = client.post(
        reverse("admin:consultations_topic_add"),
        {"name": "Skole", "name_nn": "Skule", "name_en": "School", "slug": "skole", "order": 3},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(slug="skole")
    assert topic.name_en == "School"
    response = client.post(change("topic", topic.pk), {"name": "Skoler", "slug": "skole", "order": 1})
    assert response.status_code == 302 and Topic.objects.get(pk=topic.pk).name == "Skoler"


def test_a_topic_with_a_taken_slug_is_refused(admin_client_2fa, municipality):
    Topic.objects.create(name="Skole", slug="skole")
    response = admin_client_2fa.post(
        reverse("admin:consultations_topic_add"), {"name": "Skole 2", "slug": "skole", "order": 1}
    )
    assert response.status_code == 200 and "errornote" in body(response)
    assert Topic.objects.filter(slug="skole").count() == 1


def test_a_case_worker_does_not_edit_topics(staff_client, municipality):
    assert staff_client.get(changelist("topic")).status_code == 403
