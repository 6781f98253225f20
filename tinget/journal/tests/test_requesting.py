"""The resident's pages for access requests over HTTP: sending the basket (at once from a verified address, else
through the e-mailed link, read from the outbox), asking for the journal of a period, the link's confirm page (GET
changes nothing; forged and expired links), the request's page in every state (waiting, granted with a file,
refused with the legal basis, § 32 after five working days across Easter with time moved, appealed), the one-click
appeal, the answer's files, and every kind of bad input: malformed, oversized, duplicate and unauthorised."""

import datetime as dt
import re
import uuid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from conftest import CommittingClient
from tinget.core.tests.html import parse
from tinget.journal import basket, services
from tinget.journal.models import AccessRequest, RequestStatus
from tinget.journal.views import requesting

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# Easter 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April. Sent on the Wednesday before,
# the fifth working day is Monday 13 April.
SENT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=OSLO)
DEADLINE = dt.date(2026, 4, 13)
SECTION_32 = "The unit has not answered within five working days. The law counts this as a refusal, and you can appeal."


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


# --- Helpers ---------------------------------------------------------------------------------------------------
@pytest.fixture
def entries(unit, other_unit, entry_factory):
    return [
        entry_factory(unit, title="Søknad om skoleskyss"),
        entry_factory(other_unit, title="Byggesak Kirkeveien 3"),
        entry_factory(unit, title="Klage på skoleplass"),
    ]


@pytest.fixture
def verified(resident):
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    return resident


def fill(client, *entries):
    client.post(reverse("journal:basket_add"), {"entry": [e.pk for e in entries]})


def send(client, **changes):
    data = {
        "action": "send",
        "key": str(uuid.uuid4()),
        "email": "journalist@example.no",
        "message": "Til en sak om skoleskyss.",
        "language": "en",
    }
    data.update(changes)
    return client.post(reverse("journal:basket"), {k: v for k, v in data.items() if v is not None})


def period(client, **changes):
    data = {
        "key": str(uuid.uuid4()),
        "period_from": "2026-03-01",
        "period_to": "2026-03-31",
        "email": "journalist@example.no",
        "message": "",
        "language": "en",
    }
    data.update(changes)
    return client.post(reverse("journal:period_request"), {k: v for k, v in data.items() if v is not None})


def messages_of(response) -> str:
    found = parse(response.content).find("div", class_="messages")
    return found.text if found else ""


def error_summary(response) -> str:
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def summary_links(response) -> list[str]:
    summary = parse(response.content).find(id="error-summary")
    return [a.attrs["href"] for a in summary.find_all("a")] if summary else []


def field_value(response, name) -> str:
    document = parse(response.content)
    element = document.find("textarea", name=name)
    if element is not None:
        return element.text
    element = document.find("input", name=name)
    return element.attrs.get("value", "") if element is not None else ""


def link_in_mail() -> str:
    """The path of the confirm link in the last e-mail."""
    url = re.search(r"https?://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    return urlsplit(url).path


def only_request() -> AccessRequest:
    return AccessRequest.objects.get()


def page_of(access_request) -> str:
    return reverse("journal:request", kwargs={"key": access_request.key})


def sent_by_service(entries, *, now=None, email="journalist@example.no"):
    access_request = services.request_create(
        user=AnonymousUser(), email=email, entry_ids=[e.pk for e in entries], language="en", now=now
    )
    services.request_verify(token=services.verification_token(access_request), now=now)
    access_request.refresh_from_db()
    return access_request


def holder(access_request) -> CommittingClient:
    """A browser that followed the request's e-mailed link (its key is in the session)."""
    client = CommittingClient()
    assert client.get(page_of(access_request)).status_code == 200
    return client


def refuse(part, actor, *, now=None):
    return services.part_answer(
        actor=actor,
        part=part,
        decision="refused",
        answer="Dokumentet inneholder opplysninger om elevens helse.",
        legal_basis="Offl. § 13 jf. fvl. § 13",
        appeal_information="Du kan klage innen tre uker. Klagen sendes til Oppvekst.",
        now=now,
    )


def grant_with_file(part, actor, *, name="Vedtak om skoleskyss.pdf"):
    upload = SimpleUploadedFile(name, b"%PDF-1.4 dokumentet", content_type="application/pdf")
    return services.part_answer(actor=actor, part=part, decision="granted", answer="Her er dokumentet.", files=[upload])


# --- Sending the basket ----------------------------------------------------------------------------------------
def test_the_send_form_is_labelled_and_says_a_link_comes(client, entries):
    fill(client, entries[0])
    response = client.get(reverse("journal:basket"))
    document = parse(response.content)
    for name in ("email", "message"):
        field = document.find(id=f"id_{name}")
        assert document.find("label", for_=f"id_{name}") is not None
        assert f"id_{name}_hint" in field.attrs.get("aria-describedby", "")
    assert "We first e-mail you a link" in document.by_id("id_email_hint").text
    assert document.find("legend").text == "Language of the answer"
    assert document.find("input", name="language", value="en").attrs.get("checked") is not None
    assert "maxlength" not in document.by_id("id_message").attrs
    assert (
        "At most 4 000 characters." in document.by_id("id_message_hint").text
    )  # the reader makes no-break spaces plain


def test_the_default_language_follows_the_page(client, entries):
    fill(client, entries[0])
    with translation.override("nn"):
        url = reverse("journal:basket")
    document = parse(client.get(url).content)
    assert document.find("input", name="language", value="nn").attrs.get("checked") is not None


def test_anonymous_request_through_the_emailed_link(client, entries, unit, other_unit):
    fill(client, *entries)
    response = send(client)
    access_request = only_request()
    assert response.status_code == 303 and response["Location"] == page_of(access_request)
    assert access_request.sent_at is None and access_request.language == "en"
    assert client.session.get(basket.SESSION_KEY) is None
    assert client.session[basket.REQUESTS_KEY] == [str(access_request.key)]
    # The page says to check the e-mail; the units have heard nothing yet.
    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    document = parse(page.content)
    assert document.find("h1").text == "Check your e-mail"
    assert "journalist@example.no" in document.by_id("check-email").text
    assert [m.to for m in mail.outbox] == [["journalist@example.no"]]

    # Opening the link shows a button and changes nothing (mail scanners open links too).
    link = link_in_mail()
    assert link.startswith("/en/mail-journal/request/confirm/")
    stranger = CommittingClient()
    confirm = stranger.get(link)
    assert confirm.status_code == 200
    assert "Send my request" in confirm.content.decode()
    access_request.refresh_from_db()
    assert access_request.sent_at is None
    mail.outbox.clear()

    response = stranger.post(link)
    access_request.refresh_from_db()
    assert response.status_code == 303 and response["Location"] == page_of(access_request)
    assert access_request.sent_at is not None
    assert sorted(a for m in mail.outbox for a in m.to) == [
        "journalist@example.no",
        "oppvekst@example.no",
        "plan-og-bygning@example.no",
    ]
    page = stranger.get(response["Location"])
    assert "Your request has been sent." in messages_of(page)
    assert str(access_request.key) in stranger.session[basket.REQUESTS_KEY]
    document = parse(page.content)
    assert [h.text for h in document.find_all("h2")][:2] == [unit.name, other_unit.name]

    # The second click on the link sends nothing more.
    mail.outbox.clear()
    again = stranger.post(link, follow=True)
    assert "Your request was already sent." in messages_of(again)
    assert mail.outbox == []


def test_from_a_verified_address_it_is_sent_at_once(client, verified, entries):
    client.force_login(verified)
    fill(client, entries[0])
    page = client.get(reverse("journal:basket"))
    assert field_value(page, "email") == verified.email
    assert "is sent as soon as you press the button" in parse(page.content).by_id("id_email_hint").text
    response = send(client, email=verified.email)
    access_request = only_request()
    assert access_request.sent_at is not None and access_request.user == verified
    page = client.get(response["Location"])
    assert "Your request has been sent." in messages_of(page)
    assert parse(page.content).find("h1").text == f"Access request {access_request.pk}"
    assert not any("/confirm/" in m.body for m in mail.outbox)


def test_another_verified_address_of_mine_is_sent_at_once_without_the_limit(client, verified, entries, monkeypatch):
    monkeypatch.setattr(requesting, "SEND_RATE", "1/h")
    EmailAddress.objects.create(user=verified, email="jobb@example.no", verified=True, primary=False)
    client.force_login(verified)
    for _ in range(2):
        fill(client, entries[0])
        assert send(client, email="Jobb@example.no").status_code == 303
    assert [r.sent_at is not None for r in AccessRequest.objects.all()] == [True, True]


def test_a_logged_in_person_without_a_verified_address_gets_a_link(resident_client, resident, entries):
    fill(resident_client, entries[0])
    page = resident_client.get(reverse("journal:basket"))
    assert field_value(page, "email") == resident.email
    assert "We first e-mail you a link" in parse(page.content).by_id("id_email_hint").text
    send(resident_client, email=resident.email)
    assert only_request().sent_at is None and only_request().user == resident


@pytest.mark.parametrize(
    "changes, error, field",
    [
        ({"email": "not-an-address"}, "Write a whole e-mail address", "id_email"),
        ({"email": "a@b"}, "Write a whole e-mail address", "id_email"),
        ({"email": ""}, "Write your e-mail address", "id_email"),
        ({"email": None}, "Write your e-mail address", "id_email"),
        ({"email": "x" * 250 + "@example.no"}, "at most 254 characters", "id_email"),
        ({"message": "x" * (services.MESSAGE_MAX + 1)}, "4 001 characters long; it can be at most 4 000", "id_message"),
        ({"language": "de"}, "Choose bokmål, nynorsk or English", "id_language_0"),
        ({"language": None}, "Choose the language of the answer", "id_language_0"),
    ],
)
def test_malformed_and_oversized_input_comes_back_with_what_was_typed(client, entries, changes, error, field):
    fill(client, entries[0])
    response = send(client, **{"message": "Min melding", **changes})
    assert response.status_code == 400
    assert error in error_summary(response)
    assert f"#{field}" in summary_links(response)
    if "message" not in changes:
        assert field_value(response, "message") == "Min melding"
    if changes.get("email"):
        assert field_value(response, "email") == changes["email"]
    assert not AccessRequest.objects.exists()
    assert client.session[basket.SESSION_KEY] == [entries[0].pk]
    assert parse(response.content).by_id(field).attrs.get("aria-invalid") == "true"


def test_a_message_at_the_limit_counts_line_ends_once(client, entries):
    fill(client, entries[0])
    text = ("x" * 98 + "\r\n") * 40  # 3,960 characters as a browser sends them, 3,960 as written
    assert len(text) > services.MESSAGE_MAX - 100
    response = send(client, message=text)
    assert response.status_code == 303
    assert len(only_request().message) <= services.MESSAGE_MAX


def test_a_double_send_makes_one_request(client, entries):
    fill(client, *entries)
    key = str(uuid.uuid4())
    first = send(client, key=key)
    second = send(client, key=key)
    assert AccessRequest.objects.count() == 1
    assert second.status_code == 303 and second["Location"] == first["Location"]
    assert "already been sent" in messages_of(client.get(second["Location"]))


def test_sending_an_empty_basket_says_so(client, entries):
    fill(client, entries[0])
    send(client)
    response = send(client)  # a new form key, but the basket was emptied by the first
    assert AccessRequest.objects.count() == 1
    assert response.status_code == 303 and response["Location"] == reverse("journal:basket")
    assert "Your basket is empty, so nothing was sent." in messages_of(client.get(response["Location"]))


def test_a_form_being_sent_elsewhere_is_not_sent_twice(client, entries):
    # Two posts at once: the second finds the first one's key taken in the cache.
    from django.core.cache import cache

    fill(client, entries[0])
    key = str(uuid.uuid4())
    cache.add(f"journal:form:{key}", "sending", 60)
    response = send(client, key=key)
    assert response.status_code == 303 and not AccessRequest.objects.exists()
    assert "being sent" in messages_of(client.get(response["Location"]))


def test_an_entry_withdrawn_before_sending(client, entries):
    fill(client, *entries)
    entries[1].withdrawn_at = timezone.now()
    entries[1].save(update_fields=["withdrawn_at"])
    response = send(client)
    assert response.status_code == 400 and not AccessRequest.objects.exists()
    assert "Some entries were taken out of your basket" in error_summary(response)
    assert client.session[basket.SESSION_KEY] == [entries[0].pk, entries[2].pk]
    assert send(client).status_code == 303


def test_a_service_error_is_shown_in_the_summary(client, entries, settings):
    fill(client, *entries)
    settings.TINGET_JOURNAL_BASKET_MAX = 2  # lowered after the basket was filled
    response = send(client)
    assert response.status_code == 400
    assert "One request can hold at most 2 entries." in error_summary(response)
    assert field_value(response, "message") == "Til en sak om skoleskyss."


def test_sending_needs_the_csrf_token(csrf_client, entries):
    response = csrf_client.post(reverse("journal:basket"), {"action": "send", "email": "a@example.no"})
    assert response.status_code == 403


def test_anonymous_sending_is_rate_limited(client, entries, monkeypatch):
    monkeypatch.setattr(requesting, "SEND_RATE", "2/h")
    for _ in range(2):
        fill(client, entries[0])
        assert send(client).status_code == 303
    fill(client, entries[0])
    response = send(client)
    assert response.status_code == 429
    assert AccessRequest.objects.count() == 2
    assert client.session[basket.SESSION_KEY] == [entries[0].pk]


def test_a_verified_sender_is_not_held_by_the_send_limit(client, verified, entries, monkeypatch):
    monkeypatch.setattr(requesting, "SEND_RATE", "1/h")
    client.force_login(verified)
    for _ in range(3):
        fill(client, entries[0])
        assert send(client, email=verified.email).status_code == 303
    assert AccessRequest.objects.count() == 3


# --- The journal of a period (§ 28) ------------------------------------------------------------------------------
def test_period_request(client, municipality):
    page = client.get(reverse("journal:period_request"))
    assert page.status_code == 200
    document = parse(page.content)
    assert document.find("label", for_="id_period_from").text.startswith("From (first day)")
    assert document.find("input", name="period_from").attrs["type"] == "date"
    response = period(client, period_from="01.03.2026", period_to="2026-03-31")
    access_request = only_request()
    assert response.status_code == 303 and response["Location"] == page_of(access_request)
    assert (access_request.period_from, access_request.period_to) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert access_request.parts.get().unit.slug == "dokumentsenteret"
    page = client.get(response["Location"])
    assert "The mail journal from" in page.content.decode()


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"period_from": "2026-02-30"}, "Write the first day as a real date"),
        ({"period_from": "abc"}, "Write the first day as a real date"),
        ({"period_to": "31/03/2026"}, "Write the last day as a real date"),
        ({"period_to": "99999-01-01"}, "Write the last day as a real date"),
        ({"period_from": ""}, "Write the first day of the period"),
        ({"period_from": "2026-03-31", "period_to": "2026-03-01"}, "The last day must be on or after the first day"),
        ({"period_from": "2024-01-01", "period_to": "2026-03-01"}, "Ask for at most one year"),
        ({"period_from": "2099-01-01", "period_to": "2099-01-02"}, "The period must start today or earlier"),
        ({"email": "journalist"}, "Write a whole e-mail address"),
        ({"message": "y" * (services.MESSAGE_MAX + 10)}, "characters long"),
    ],
)
def test_period_request_bad_input(client, municipality, changes, error):
    response = period(client, **changes)
    assert response.status_code == 400
    assert error in error_summary(response)
    assert not AccessRequest.objects.exists()


def test_period_request_double_send(client, municipality):
    key = str(uuid.uuid4())
    first = period(client, key=key)
    second = period(client, key=key)
    assert AccessRequest.objects.count() == 1 and second["Location"] == first["Location"]


# --- The confirm link ----------------------------------------------------------------------------------------
def test_a_changed_link_is_a_clear_400(client, entries):
    fill(client, entries[0])
    send(client)
    link = link_in_mail()
    token = link.rstrip("/").rsplit("/", 1)[1]
    for bad in (token[:-3] + "abc", "nonsense", "x" * 2000, "%C3%A6%00"):
        url = reverse("journal:verify", kwargs={"token": "placeholder"}).replace("placeholder", bad)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 400
            assert "Copy the whole link" in response.content.decode()
    assert only_request().sent_at is None


def test_an_expired_link_is_410_and_says_what_to_do(client, entries):
    fill(client, entries[0])
    send(client)
    link = link_in_mail()
    with time_machine.travel(timezone.now() + dt.timedelta(days=4), tick=False):
        for method in (client.get, client.post):
            response = method(link)
            assert response.status_code == 410
            assert "Put the entries in your basket again" in response.content.decode()
        page = client.get(page_of(only_request()))
        assert "The link we e-mailed has expired" in page.content.decode()
    assert only_request().sent_at is None


def test_the_check_email_page_puts_the_entries_back(client, entries):
    fill(client, entries[0], entries[1])
    response = send(client, email="feil@example.no")
    page = parse(client.get(response["Location"]).content)
    form = page.find("form", action=reverse("journal:basket_add"))
    values = [i.attrs["value"] for i in form.find_all("input", name="entry")]
    assert sorted(values) == sorted([str(entries[0].pk), str(entries[1].pk)])
    client.post(form.attrs["action"], {"entry": values})
    assert sorted(client.session[basket.SESSION_KEY]) == sorted([entries[0].pk, entries[1].pk])


# --- The request's page ----------------------------------------------------------------------------------------
def test_a_key_that_names_no_request_is_404(client, entries):
    sent_by_service(entries)
    assert client.get(reverse("journal:request", kwargs={"key": uuid.uuid4()})).status_code == 404
    assert client.get("/en/mail-journal/request/not-a-uuid/").status_code == 404
    assert basket.REQUESTS_KEY not in client.session


def test_waiting_page(entries, unit, other_unit, django_assert_max_num_queries):
    access_request = sent_by_service(entries)
    client = CommittingClient()
    with django_assert_max_num_queries(12):
        response = client.get(page_of(access_request))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.session[basket.REQUESTS_KEY] == [str(access_request.key)]
    document = parse(response.content)
    assert len(document.find_all("h1")) == 1
    part = access_request.parts.get(unit=unit)
    section = document.by_id(f"part-{part.pk}")
    assert section.find(class_="ds-tag").text == "Sent"
    assert "Waiting for an answer" in section.text
    assert entries[2].entry_number in section.text and entries[1].entry_number not in section.text
    assert section.find("form") is None
    assert SECTION_32 not in response.content.decode()


def test_granted_with_a_file_and_refused_with_the_legal_basis(entries, unit, other_unit, case_worker, other_worker):
    access_request = sent_by_service(entries)
    granted = access_request.parts.get(unit=unit)
    refused = access_request.parts.get(unit=other_unit)
    grant_with_file(granted, case_worker)
    refuse(refused, other_worker)
    client = holder(access_request)
    document = parse(client.get(page_of(access_request)).content)

    section = document.by_id(f"part-{granted.pk}")
    assert section.find(class_="ds-tag").text == "Granted"
    assert (
        "Her er dokumentet." in section.text
        and f"{entries[0].entry_number} Søknad om skoleskyss: Granted" in section.text
    )
    link = section.find("a", href=reverse("journal:answer_file", kwargs={"pk": granted.files.get().pk}))
    assert link.text == "Vedtak om skoleskyss.pdf"
    assert section.find("form") is None

    section = document.by_id(f"part-{refused.pk}")
    assert section.find(class_="ds-tag").text == "Refused"
    assert "Legal basis" in section.text and "Offl. § 13 jf. fvl. § 13" in section.text
    assert "How to appeal" in section.text and "Du kan klage innen tre uker." in section.text
    form = section.find("form")
    assert form.attrs["action"] == reverse(
        "journal:request_appeal", kwargs={"key": access_request.key, "part_pk": refused.pk}
    )
    assert form.find("label", for_=f"appeal-{refused.pk}-message") is not None


def test_section_32_after_five_working_days_across_easter(entries, unit):
    with time_machine.travel(SENT, tick=False):
        access_request = sent_by_service(entries)
    part = access_request.parts.get(unit=unit)
    assert part.deadline == DEADLINE
    client = CommittingClient()
    # The whole deadline day is still in time, whatever the server's time zone.
    with time_machine.travel(dt.datetime(2026, 4, 13, 23, 50, tzinfo=OSLO), tick=False):
        response = client.get(page_of(access_request))
        assert SECTION_32 not in response.content.decode()
        assert parse(response.content).by_id(f"part-{part.pk}").find("form") is None
    with time_machine.travel(dt.datetime(2026, 4, 14, 0, 10, tzinfo=OSLO), tick=False):
        response = client.get(page_of(access_request))
        section = parse(response.content).by_id(f"part-{part.pk}")
        assert SECTION_32 in section.text
        assert [tag.text for tag in section.find_all(class_="ds-tag")] == ["Sent", "Deadline passed"]
        appeal = section.find("form")
        assert appeal is not None
        response = client.post(appeal.attrs["action"], {"message": "Jeg har ikke fått svar."})
    assert response.status_code == 303 and response["Location"] == f"{page_of(access_request)}#part-{part.pk}"
    part.refresh_from_db()
    assert part.status == RequestStatus.APPEALED and part.appeal_message == "Jeg har ikke fått svar."
    page = client.get(response["Location"])
    assert f"Your appeal has been sent to {unit.name}." in messages_of(page)
    section = parse(page.content).by_id(f"part-{part.pk}")
    assert section.find(class_="ds-tag").text == "Appealed"
    assert "Your appeal" in section.text and "Jeg har ikke fått svar." in section.text
    assert "You appealed" in section.text and section.find("form") is None
    assert SECTION_32 not in section.text


def test_appeal_a_refusal_then_forwarded(entries, unit, case_worker):
    access_request = sent_by_service(entries)
    part = access_request.parts.get(unit=unit)
    refuse(part, case_worker)
    client = holder(access_request)
    url = reverse("journal:request_appeal", kwargs={"key": access_request.key, "part_pk": part.pk})
    mail.outbox.clear()
    assert client.post(url, {}).status_code == 303  # one click: no text needed
    assert [m.to for m in mail.outbox] == [["oppvekst@example.no"]]
    services.part_forward(actor=case_worker, part=part, note="Vi opprettholder avslaget.")
    section = parse(client.get(page_of(access_request)).content).by_id(f"part-{part.pk}")
    assert section.find(class_="ds-tag").text == "Appeal sent to the County Governor"
    assert "County Governor (Statsforvalteren), who decides it" in section.text


def test_a_double_appeal_is_refused_with_a_message(entries, unit, case_worker):
    access_request = sent_by_service(entries)
    part = access_request.parts.get(unit=unit)
    refuse(part, case_worker)
    client = holder(access_request)
    url = reverse("journal:request_appeal", kwargs={"key": access_request.key, "part_pk": part.pk})
    client.post(url, {"message": "Første"})
    response = client.post(url, {"message": "Andre"}, follow=True)
    assert "cannot be appealed" in messages_of(response)
    part.refresh_from_db()
    assert part.appeal_message == "Første"


def test_an_oversized_appeal_comes_back_on_the_page(entries, unit, case_worker):
    access_request = sent_by_service(entries)
    part = access_request.parts.get(unit=unit)
    refuse(part, case_worker)
    client = holder(access_request)
    url = reverse("journal:request_appeal", kwargs={"key": access_request.key, "part_pk": part.pk})
    response = client.post(url, {"message": "z" * (services.MESSAGE_MAX + 1)})
    assert response.status_code == 400
    assert "The appeal is 4 001 characters long" in error_summary(response)
    assert f"#appeal-{part.pk}-message" in summary_links(response)
    assert field_value(response, "message") == "z" * (services.MESSAGE_MAX + 1)
    part.refresh_from_db()
    assert part.status == RequestStatus.REFUSED


def test_appeals_that_are_not_allowed(client, csrf_client, entries, unit, other_unit, case_worker):
    access_request = sent_by_service(entries)
    other_request = sent_by_service(entries[:1])
    part = access_request.parts.get(unit=unit)
    refuse(part, case_worker)

    def url(key, part_pk):
        return reverse("journal:request_appeal", kwargs={"key": key, "part_pk": part_pk})

    # Still in time (not refused): a message, nothing changes.
    waiting = access_request.parts.get(unit=other_unit)
    response = client.post(url(access_request.key, waiting.pk), follow=True)
    assert "cannot be appealed" in messages_of(response)
    # Another request's part, an unknown key, a part that does not exist: 404.
    assert client.post(url(other_request.key, part.pk)).status_code == 404
    assert client.post(url(uuid.uuid4(), part.pk)).status_code == 404
    assert client.post(url(access_request.key, 10**9)).status_code == 404
    # GET changes nothing; a post from another site is refused.
    assert client.get(url(access_request.key, part.pk)).status_code == 405
    assert csrf_client.post(url(access_request.key, part.pk)).status_code == 403
    part.refresh_from_db()
    waiting.refresh_from_db()
    assert part.status == RequestStatus.REFUSED and waiting.status == RequestStatus.SENT


def test_a_request_not_confirmed_cannot_be_appealed(client, entries):
    with time_machine.travel(SENT, tick=False):
        fill(client, entries[0])
        send(client)
    access_request = only_request()
    part = access_request.parts.get()
    with time_machine.travel(dt.datetime(2026, 5, 1, 12, tzinfo=OSLO), tick=False):
        page = client.get(page_of(access_request))
        assert SECTION_32 not in page.content.decode()
        url = reverse("journal:request_appeal", kwargs={"key": access_request.key, "part_pk": part.pk})
        response = client.post(url, follow=True)
    assert "has not been sent yet" in messages_of(response)
    part.refresh_from_db()
    assert part.appealed_at is None


# --- The answer's files ------------------------------------------------------------------------------------------
@pytest.fixture
def answer_file(entries, unit, case_worker):
    access_request = sent_by_service(entries)
    part = access_request.parts.get(unit=unit)
    grant_with_file(part, case_worker, name="Vedtak <om> skyss.pdf")
    return access_request, part.files.get()


def file_url(found):
    return reverse("journal:answer_file", kwargs={"pk": found.pk})


def test_the_requester_downloads_the_file(answer_file):
    access_request, found = answer_file
    client = holder(access_request)
    response = client.get(file_url(found))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 dokumentet"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "<" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_logged_in_requester_downloads_without_the_key(verified, entries, unit, case_worker):
    client = CommittingClient()
    client.force_login(verified)
    access_request = services.request_create(user=verified, email=verified.email, entry_ids=[entries[0].pk])
    part = access_request.parts.get()
    grant_with_file(part, case_worker)
    assert client.get(file_url(part.files.get())).status_code == 200


def test_the_unit_downloads_the_file(answer_file, staff_client):
    _access_request, found = answer_file
    assert staff_client.get(file_url(found)).status_code == 200


def test_nobody_else_gets_the_file(answer_file, client, other_client, resident_client, entries):
    _access_request, found = answer_file
    assert client.get(file_url(found)).status_code == 404
    assert other_client.get(file_url(found)).status_code == 404  # a case worker of another unit
    assert resident_client.get(file_url(found)).status_code == 404
    # Holding the key of another request does not help.
    other = sent_by_service(entries[:1], email="annen@example.no")
    assert holder(other).get(file_url(found)).status_code == 404
    assert client.get(reverse("journal:answer_file", kwargs={"pk": 10**9})).status_code == 404
    assert client.post(file_url(found)).status_code in (403, 405)


def test_a_file_missing_from_storage_is_404(answer_file):
    access_request, found = answer_file
    found.file.storage.delete(found.file.name)
    assert holder(access_request).get(file_url(found)).status_code == 404


# --- Languages -----------------------------------------------------------------------------------------------------
def test_the_pages_in_norwegian(entries):
    access_request = sent_by_service(entries)
    client = CommittingClient()
    with translation.override("nb"):
        urls = [page_of(access_request), reverse("journal:basket"), reverse("journal:period_request")]
    for url in urls:
        assert not url.startswith("/en/")
        response = client.get(url)
        assert response.status_code == 200 and 'lang="nb"' in response.content.decode()
