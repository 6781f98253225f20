"""The reporting flow's other pages: "this is mine too" with its e-mail subscription and unsubscription, "is it
fixed?" and reopening, and the staff's intake of a report from a caller."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tinget.core.tests.html import parse
from tinget.reports import services
from tinget.reports.models import Channel, Report, State, Update

from .conftest import ASKER
from .test_reporting import error_summary


@pytest.fixture(autouse=True)
def _english():
    """Pages in English (/en/…), so that the assertions read the msgids whatever the Norwegian catalogues say."""
    translation.activate("en")


@pytest.fixture
def fixed(report, case_worker):
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Hullet er tettet.")
    report.refresh_from_db()
    return report


def questionnaire_url(report):
    return reverse("reports:questionnaire", kwargs={"token": services.questionnaire_token(report)})


def test_is_it_fixed_shows_two_buttons(client, fixed):
    response = client.get(questionnaire_url(fixed))
    assert response.status_code == 200
    form = parse(response.content).find("form", method="post")
    buttons = form.find_all("button", name="fixed")
    assert [b.attrs["value"] for b in buttons] == ["yes", "no"]
    assert form.find("textarea", name="text") is not None
    fixed.refresh_from_db()
    assert fixed.state == State.FIXED  # opening the page changes nothing


def test_no_reopens_the_report_in_one_click(client, fixed):
    response = client.post(questionnaire_url(fixed), {"fixed": "no", "text": "Hullet er tilbake."})
    assert response.status_code == 200
    fixed.refresh_from_db()
    assert fixed.state == State.OPEN
    reopened = fixed.updates.get(kind=Update.Kind.REOPENED)
    assert reopened.text == "Hullet er tilbake." and reopened.is_public
    assert "open again" in response.content.decode()
    # The link again: the report has moved on, nothing to answer, nothing changes.
    again = client.get(questionnaire_url(fixed))
    assert again.status_code == 200
    assert parse(again.content).find("button", name="fixed") is None
    assert client.post(questionnaire_url(fixed), {"fixed": "yes"}).status_code == 200
    fixed.refresh_from_db()
    assert fixed.state == State.OPEN


def test_yes_is_recorded_once(client, fixed):
    for _answer in range(2):
        assert client.post(questionnaire_url(fixed), {"fixed": "yes"}).status_code == 200
    fixed.refresh_from_db()
    assert fixed.state == State.FIXED
    assert fixed.updates.filter(kind=Update.Kind.QUESTIONNAIRE).count() == 1


@pytest.mark.parametrize("data", [{}, {"fixed": "maybe"}, {"fixed": "no", "text": "x" * 4001}])
def test_a_bad_answer_is_refused_and_changes_nothing(client, fixed, data):
    response = client.post(questionnaire_url(fixed), data)
    assert response.status_code == 400
    assert error_summary(response)
    fixed.refresh_from_db()
    assert fixed.state == State.FIXED


def test_the_questionnaire_escapes_the_title(client, resident, pothole, case_worker):
    report = services.report_create(
        actor=resident, category=pothole, latitude=ASKER[0], longitude=ASKER[1], title="<script>alert(1)</script>"
    )
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED)
    body = client.get(questionnaire_url(report)).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


# --- Reopen (the logged-in reporter) ---------------------------------------------------------------------------
def reopen_url(report):
    return reverse("reports:reopen", kwargs={"pk": report.pk})


def test_the_reporter_reopens_a_fixed_report(resident_client, fixed):
    response = resident_client.post(reopen_url(fixed), {"text": "Fortsatt hull.", "next": "/en/"})
    assert response.status_code == 302 and response["Location"] == "/en/"
    fixed.refresh_from_db()
    assert fixed.state == State.OPEN
    assert fixed.updates.get(kind=Update.Kind.REOPENED).text == "Fortsatt hull."


def test_someone_else_may_not_reopen(client, fixed, django_user_model):
    client.force_login(django_user_model.objects.create_user("annen@example.no", "et-langt-passord-123"))
    assert client.post(reopen_url(fixed)).status_code == 403
    fixed.refresh_from_db()
    assert fixed.state == State.FIXED


def test_reopen_asks_an_anonymous_person_to_log_in(client, fixed):
    response = client.post(reopen_url(fixed))
    assert response.status_code == 302
    assert "login" in response["Location"]
    fixed.refresh_from_db()
    assert fixed.state == State.FIXED


def test_an_open_report_cannot_be_reopened(resident_client, report):
    assert resident_client.post(reopen_url(report)).status_code == 403


def test_reopen_is_post_only(resident_client, fixed):
    assert resident_client.get(reopen_url(fixed)).status_code == 405


def test_reopen_of_a_report_that_does_not_exist_is_404(resident_client, pothole):
    assert resident_client.post(reverse("reports:reopen", kwargs={"pk": 999_999})).status_code == 404


# --- Staff intake ----------------------------------------------------------------------------------------------
def test_intake_is_for_case_workers_only(client, resident, pothole):
    for url in (reverse("reports:intake"), reverse("reports:intake_details")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(reverse("reports:intake_details"), {"category": pothole.slug}).status_code == 302
    client.force_login(resident)
    assert client.get(reverse("reports:intake")).status_code == 403
    assert client.get(reverse("reports:intake_details")).status_code == 403
    data = {
        "category": pothole.slug,
        "latitude": str(ASKER[0]),
        "longitude": str(ASKER[1]),
        "channel": "phone",
        "name": "Innringer",
    }
    assert client.post(reverse("reports:intake_details"), data).status_code == 403
    assert not Report.objects.exists()


def test_a_case_worker_registers_a_report_for_a_caller(client, case_worker, pothole):
    client.force_login(case_worker)
    response = client.get(reverse("reports:intake"))
    assert response.status_code == 200
    assert parse(response.content).find("form", method="get").attrs["action"] == reverse("reports:intake")

    response = client.get(reverse("reports:intake"), {"category": pothole.slug, "address": "Asker stasjon"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("reports:intake_details")

    page = client.get(response["Location"])
    assert page.status_code == 200
    form = parse(page.content).find("form", enctype="multipart/form-data")
    assert [i.attrs["value"] for i in form.find_all("input", name="channel")] == ["phone", "counter", "email"]
    assert "checked" in form.find("input", name="channel", value="phone").attrs
    key = form.find("input", name="submission_key").attrs["value"]

    data = {
        "category": pothole.slug,
        "latitude": form.find("input", name="latitude").attrs["value"],
        "longitude": form.find("input", name="longitude").attrs["value"],
        "address": "Asker stasjon",
        "submission_key": key,
        "title": "Hull ved stasjonen",
        "description": "Innringer melder om et dypt hull.",
        "channel": "counter",
        "name": "Per Innringer",
        "email": "per@example.no",
        "phone": "911 11 111",
    }
    response = client.post(reverse("reports:intake_details"), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.state == State.OPEN
    assert report.channel == Channel.COUNTER
    assert report.registered_by == case_worker
    assert report.reporter is None
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == (
        "Per Innringer",
        "per@example.no",
        "911 11 111",
    )
    assert report.show_name is False
    assert "per@example.no" in [address for message in mail.outbox for address in message.to]

    thanks = client.get(response["Location"])
    assert "registered" in parse(thanks.content).find("h1").text
    # The same form twice: one report.
    assert client.post(reverse("reports:intake_details"), data).status_code == 302
    assert Report.objects.count() == 1


def test_intake_needs_no_contact_details_but_a_known_channel(client, case_worker, pothole):
    client.force_login(case_worker)
    data = {
        "category": pothole.slug,
        "latitude": str(ASKER[0]),
        "longitude": str(ASKER[1]),
        "description": "Anonym innringer.",
        "channel": "pigeon",
    }
    response = client.post(reverse("reports:intake_details"), data)
    assert response.status_code == 200
    assert error_summary(response)
    data["channel"] = "phone"
    assert client.post(reverse("reports:intake_details"), data).status_code == 302
    assert Report.objects.get().channel == Channel.PHONE
