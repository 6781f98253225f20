"""The reporting flow's other pages: "this is mine too" with its e-mail subscription and unsubscription, "is it
fixed?" and reopening, and the staff's intake of a report from a caller."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from tinget.core.notify.selectors import is_following
from tinget.core.tests.html import parse
from tinget.reports import services
from tinget.reports.models import Channel, Report, State, Subscriber, Update

from .conftest import ASKER


@pytest.fixture(autouse=True)
def _english():
    """Pages in English (/en/…), so that the assertions read the msgids whatever the Norwegian catalogues say."""
    translation.activate("en")


def link_in(message, name):
    for url in re.findall(r"https?://\S+", message.body):
        path = urlsplit(url).path
        # The e-mail is in the language the report was made in; its links have that language's prefix.
        for language in ("nb", "nn", "en"):
            with translation.override(language):
                try:
                    if resolve(path).view_name == f"reports:{name}":
                        return path
                except Resolver404:
                    continue
    raise AssertionError(f"no reports:{name} link in {message.body!r}")


def error_summary(response):
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def support_url(report):
    return reverse("reports:support", kwargs={"pk": report.pk})


# --- "This is mine too" ----------------------------------------------------------------------------------------
def test_a_logged_in_resident_follows_the_report_at_once(client, report, django_user_model):
    neighbour = django_user_model.objects.create_user("nabo@example.no", "et-langt-passord-123")
    client.force_login(neighbour)
    response = client.post(support_url(report), {"next": "/en/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert is_following(neighbour, report)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"You now follow report #{report.pk}. We tell you when it changes."
    ]
    # Twice is still one follow, no error.
    assert client.post(support_url(report)).status_code == 302


def test_anonymous_support_confirms_the_address_by_email_then_gets_updates(client, report):
    response = client.post(support_url(report), {"email": "Nabo@Example.no", "next": "/en/"})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "nabo@example.no" and subscriber.confirmed_at is None
    [message] = mail.outbox
    assert message.to == ["nabo@example.no"]
    confirm = link_in(message, "subscribe_confirm")

    page = client.get(confirm)
    assert page.status_code == 200
    assert parse(page.content).find("form", method="post").attrs["action"] == confirm
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None  # opening the link changes nothing

    done = client.post(confirm)
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    assert f"#{report.pk}" in done.content.decode()


def test_anonymous_support_without_an_email_address_asks_for_it(client, report):
    for data in ({}, {"email": ""}, {"email": "ikke en adresse"}, {"email": "x@" + "y" * 300 + ".no"}):
        response = client.post(support_url(report), data)
        assert response.status_code == 400
        assert error_summary(response)
        form = parse(response.content).find("form", method="post")
        assert form.attrs["action"] == support_url(report)
    assert not Subscriber.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize("pk", [999_999])
def test_support_for_a_report_that_does_not_exist_is_404(client, pothole, pk):
    assert client.post(reverse("reports:support", kwargs={"pk": pk}), {"email": "a@example.no"}).status_code == 404


def test_support_for_an_unconfirmed_or_hidden_report_is_404(client, pothole, moderator):
    unconfirmed = services.report_create(
        actor=None,
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        reporter=services.Reporter(name="Anna", email="anna@example.no"),
    )
    assert client.post(support_url(unconfirmed), {"email": "a@example.no"}).status_code == 404
    published = services.report_confirm(token=services.confirm_token(unconfirmed))
    services.report_set_hidden(actor=moderator, report=published, hidden=True, reason="Personopplysninger")
    assert client.post(support_url(published), {"email": "a@example.no"}).status_code == 404
    assert not Subscriber.objects.exists()


def test_support_is_post_only_and_needs_the_csrf_token(client, csrf_client, report):
    assert client.get(support_url(report)).status_code == 405
    assert csrf_client.post(support_url(report), {"email": "a@example.no"}).status_code == 403
    assert not Subscriber.objects.exists()


def test_support_never_redirects_to_another_site(client, report):
    response = client.post(support_url(report), {"email": "a@example.no", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_support_is_rate_limited(client, report):
    for n in range(20):
        assert client.post(support_url(report), {"email": f"n{n}@example.no", "next": "/en/"}).status_code == 302
    assert client.post(support_url(report), {"email": "n99@example.no"}).status_code == 429


# --- Subscription links ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["subscribe_confirm", "unsubscribe", "confirm", "questionnaire"])
@pytest.mark.parametrize("token", ["nonsense", "eyJyIjoxfQ:1tXYZ:forged", "a" * 400])
def test_every_bad_link_says_so_plainly(client, report, name, token):
    url = reverse(f"reports:{name}", kwargs={"token": token})
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "This link does not work" in parse(response.content).find("h1").text


def test_a_link_signed_for_something_else_does_not_work(client, report):
    # A confirmation token is not an unsubscribe token, nor the other way round.
    assert (
        client.get(reverse("reports:unsubscribe", kwargs={"token": services.confirm_token(report)})).status_code == 400
    )
    token = services.unsubscribe_token(report, "a@example.no")
    assert client.get(reverse("reports:confirm", kwargs={"token": token})).status_code == 400


def test_unsubscribe_stops_the_emails(client, report):
    client.post(support_url(report), {"email": "nabo@example.no", "next": "/en/"})
    client.post(link_in(mail.outbox[0], "subscribe_confirm"))
    url = reverse("reports:unsubscribe", kwargs={"token": services.unsubscribe_token(report, "nabo@example.no")})

    page = client.get(url)
    assert page.status_code == 200
    assert Subscriber.objects.exists()  # opening the link changes nothing
    assert parse(page.content).find("form", method="post").attrs["action"] == url

    done = client.post(url)
    assert done.status_code == 200
    assert not Subscriber.objects.exists()
    # Again: nothing left to stop, still a calm page.
    assert client.post(url).status_code == 200


def test_the_unsubscribe_link_in_an_update_email_works(client, report, case_worker, django_capture_on_commit_callbacks):
    client.post(support_url(report), {"email": "nabo@example.no", "next": "/en/"})
    client.post(link_in(mail.outbox[0], "subscribe_confirm"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_change_state(
            actor=case_worker, report=report, state=State.INVESTIGATING, answer="Vi ser på det."
        )
    update = next(m for m in mail.outbox if m.to == ["nabo@example.no"])
    assert client.post(link_in(update, "unsubscribe")).status_code == 200
    assert not Subscriber.objects.exists()


# --- "Is it fixed?" --------------------------------------------------------------------------------------------
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
