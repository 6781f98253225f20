"""My input to consultations: login required, never cached, only the person's own; what I sent with the
consultation's state, whether it was considered (and the response) or hidden (and why); my drafts with the deadline
and links to finish or delete them; the consultations I follow; paginated, with a ceiling on queries."""

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.consultations import services
from tinget.consultations.models import Consultation
from tinget.core.notify import services as notify
from tinget.core.tests.html import parse

from .conftest import BJORN, consultation_data, idporten_client, pass_deadline, send_input

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


def mine_url():
    return reverse("consultations:mine")


def section_text(response, section_id) -> str:
    return parse(response.content).by_id(section_id).text


def another_consultation(case_worker, municipality, unit, title):
    consultation = services.consultation_create(
        actor=case_worker, municipality=municipality, data=consultation_data(unit, title=title)
    )
    services.section_save(actor=case_worker, consultation=consultation, data={"heading": "Del", "body": "Tekst"})
    return services.consultation_publish(actor=case_worker, consultation=consultation)


# --- Access ----------------------------------------------------------------------------------------------------
def test_login_required(client):
    response = client.get(mine_url())
    assert response.status_code == 302 and "next=" in response["Location"]


def test_never_cached_and_get_only(resident_client):
    response = resident_client.get(mine_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert resident_client.post(mine_url()).status_code == 405


def test_someone_with_nothing_sees_three_empty_sections(resident_client):
    response = resident_client.get(mine_url())
    document = parse(response.content)
    for section in ("sent", "drafts", "followed"):
        assert document.by_id(section).find(class_="empty-state") is not None


# --- What I sent -----------------------------------------------------------------------------------------------
def test_sent_input_with_what_became_of_it(
    resident, resident_client, person, open_consultation, case_worker, moderator
):
    first = send_input(resident, open_consultation, text="Første")
    second = send_input(resident, open_consultation, text="Andre", show_name=True)
    comment = services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=first.key.__class__(int=first.key.int + 1),
        section=open_consultation.sections.first(),
        data={"author_name": "Kari", "text": "Om delen"},
        send=True,
    )
    others = send_input(person(*BJORN), open_consultation, text="Bjørns innspill")
    services.submission_hide(actor=moderator, submission=second, reason="Personopplysninger om naboen.")
    pass_deadline(open_consultation)
    services.submission_consider(actor=case_worker, submission=first, response="Vi flytter torget.")

    response = resident_client.get(mine_url())
    sent = section_text(response, "sent")
    assert open_consultation.title in sent and "Deadline passed" in sent
    assert "Input 1" in sent and "Input 2" in sent and f"Comment {comment.number} on section" in sent
    assert "Considered by the municipality" in sent and "Vi flytter torget." in sent
    assert "Hidden on the site by a moderator." in sent and "Personopplysninger om naboen." in sent
    assert "Your name is shown." in sent and "Your name is not shown." in sent
    assert "Not yet considered." in sent
    page = response.content.decode()
    assert reverse("consultations:receipt", kwargs={"pk": open_consultation.pk, "key": first.key}) in page
    assert first.get_absolute_url() in page
    # The hidden one is not linked as others see it; another person's input is not here at all.
    assert second.get_absolute_url() not in page
    assert "Bjørns innspill" not in page and str(others.key) not in page


# --- My drafts -------------------------------------------------------------------------------------------------
def test_drafts_with_deadline_and_links(resident, resident_client, open_consultation, case_worker, municipality, unit):
    draft = send_input(resident, open_consultation, send=False)
    closed = another_consultation(case_worker, municipality, unit, "Skolestruktur")
    stale = send_input(resident, closed, send=False)
    pass_deadline(closed)

    response = resident_client.get(mine_url())
    drafts = parse(response.content).by_id("drafts")
    text = drafts.text
    assert open_consultation.title in text and "Skolestruktur" in text
    assert services.local_moment(open_consultation.deadline) in text
    links = [a.attrs["href"] for a in drafts.find_all("a")]
    finish = reverse("consultations:give_input", kwargs={"pk": open_consultation.pk}) + f"?draft={draft.key}"
    assert finish in links
    assert reverse("consultations:draft_discard", kwargs={"key": draft.key}) in links
    # A draft past its deadline can only be deleted.
    assert not [link for link in links if f"draft={stale.key}" in link]
    assert reverse("consultations:draft_discard", kwargs={"key": stale.key}) in links
    assert "cannot be sent" in text
    # Drafts are not among sent input.
    assert "empty-state" in str(parse(response.content).by_id("sent").find(class_="empty-state").attrs)


# --- Followed --------------------------------------------------------------------------------------------------
def test_followed_consultations(resident, resident_client, open_consultation, case_worker, municipality, unit):
    other = another_consultation(case_worker, municipality, unit, "Budsjett 2027")
    notify.follow(actor=resident, target=open_consultation)
    notify.follow(actor=resident, target=other)
    response = resident_client.get(mine_url())
    followed = parse(response.content).by_id("followed")
    assert open_consultation.title in followed.text and "Budsjett 2027" in followed.text
    assert "Open for input" in followed.text
    assert [f.find("input", name="action").attrs["value"] for f in followed.find_all("form")] == ["unfollow"] * 2


# --- Many ------------------------------------------------------------------------------------------------------
def test_paginated(resident, resident_client, open_consultation, settings):
    settings.TINGET_CONSULTATION_PAGE_SIZE = 2
    for number in range(5):
        send_input(resident, open_consultation, text=f"Innspill {number}")
    for _ in range(3):
        send_input(resident, open_consultation, send=False)
    first = resident_client.get(mine_url())
    document = parse(first.content)
    assert "(5)" in document.by_id("mine-sent-heading").text and "(3)" in document.by_id("mine-drafts-heading").text
    items = document.by_id("sent").find("ul", class_="consultation-mine__list").children
    assert len(items) == 2 and "Input 5," in items[0].text
    assert document.by_id("sent").find("a", rel="next") is not None
    assert document.by_id("drafts").find("a", rel="next") is not None
    last = parse(resident_client.get(mine_url() + "?side=3&utkast=2").content)
    assert "Input 1," in last.by_id("sent").text and "Input 5," not in last.by_id("sent").text
    assert last.by_id("drafts").find("a", rel="prev") is not None


def test_query_ceiling(
    resident, resident_client, open_consultation, case_worker, municipality, unit, django_assert_max_num_queries
):
    consultations = [open_consultation] + [
        another_consultation(case_worker, municipality, unit, f"Høring {i}") for i in range(3)
    ]
    for consultation in consultations:
        for _ in range(3):
            send_input(resident, consultation)
        send_input(resident, consultation, send=False)
        notify.follow(actor=resident, target=consultation)
    with django_assert_max_num_queries(10):
        response = resident_client.get(mine_url())
    assert response.status_code == 200


def test_only_my_own(resident, person, open_consultation):
    bjorn = person(*BJORN)
    send_input(resident, open_consultation, text="Karis")
    send_input(resident, open_consultation, send=False, text="Karis utkast")
    notify.follow(actor=resident, target=open_consultation)
    response = idporten_client(bjorn).get(mine_url())
    document = parse(response.content)
    for section in ("sent", "drafts", "followed"):
        assert document.by_id(section).find(class_="empty-state") is not None
    assert Consultation.objects.count() == 1
