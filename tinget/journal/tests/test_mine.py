"""My access requests (Min side): login required, GET only, never cached, only the person's own requests with each
unit's status (and § 32 when the deadline has passed), links to the request pages, paginated, with a ceiling on
queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from tinget.core.tests.html import parse
from tinget.journal import services

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def verified(resident):
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    return resident


@pytest.fixture
def entries(unit, other_unit, entry_factory):
    return [entry_factory(unit, title="Søknad om skoleskyss"), entry_factory(other_unit, title="Byggesak")]


def mine_url():
    return reverse("journal:mine")


def request_for(user, entries, **kwargs):
    return services.request_create(user=user, email=user.email, entry_ids=[e.pk for e in entries], **kwargs)


def test_login_required(client):
    response = client.get(mine_url())
    assert response.status_code == 302 and "next=" in response["Location"]


def test_get_only_and_never_cached(resident_client):
    response = resident_client.get(mine_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert resident_client.post(mine_url()).status_code == 405


def test_nothing_yet(resident_client):
    document = parse(resident_client.get(mine_url()).content)
    assert "You have not sent any access requests." in document.find(class_="empty-state").text
    assert len(document.find_all("h1")) == 1


def test_my_requests_with_status_per_unit(
    resident_client, verified, entries, other_unit, other_worker, django_user_model
):
    with time_machine.travel(dt.datetime(2026, 4, 1, 10, tzinfo=OSLO), tick=False):
        overdue = request_for(verified, entries)
    refused = overdue.parts.get(unit=other_unit)
    services.part_answer(
        actor=other_worker,
        part=refused,
        decision="refused",
        legal_basis="Offl. § 13",
        appeal_information="Klag innen tre uker.",
    )
    waiting = request_for(verified, entries[:1])
    unconfirmed = services.request_create(user=verified, email="annen@example.no", entry_ids=[entries[0].pk])
    someone = django_user_model.objects.create_user("ola@example.no", "et-langt-passord-123")
    theirs = request_for(someone, entries[:1])

    response = resident_client.get(mine_url())
    document = parse(response.content)
    links = [a.attrs["href"] for a in document.by_id("requests").find_all("a")]
    assert links == [r.get_absolute_url() for r in (unconfirmed, waiting, overdue)]
    assert theirs.get_absolute_url() not in response.content.decode()
    items = document.by_id("requests").children
    assert "Not sent: confirm your e-mail address" in items[0].text
    assert "Sent" in items[1].text and "answer by" in items[1].text
    tags = [tag.text for tag in items[2].find_all(class_="ds-tag")]
    assert tags == ["Sent", "Refused"]
    assert "No answer in time: you can appeal." in items[2].text
    assert "2 entries." in items[2].text


def test_a_period_request(resident_client, verified, municipality):
    services.request_create(
        user=verified, email=verified.email, period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 31)
    )
    assert "The mail journal from" in parse(resident_client.get(mine_url()).content).by_id("requests").text


def test_paginated_with_a_ceiling_on_queries(
    resident_client, verified, entries, settings, django_assert_max_num_queries
):
    settings.TINGET_JOURNAL_PAGE_SIZE = 3
    for _ in range(7):
        request_for(verified, entries)
    with django_assert_max_num_queries(14):
        response = resident_client.get(mine_url())
    document = parse(response.content)
    assert len(document.by_id("requests").children) == 3
    assert document.find("nav", class_="ds-pagination") is not None
    last = parse(resident_client.get(mine_url() + "?side=3").content)
    assert len(last.by_id("requests").children) == 1
    assert resident_client.get(mine_url() + "?side=abc").status_code == 200
    assert resident_client.get(mine_url() + "?side=99999999999999999999").status_code == 200


def test_in_norwegian(resident_client):
    with translation.override("nb"):
        url = mine_url()
    response = resident_client.get(url)
    assert response.status_code == 200 and not url.startswith("/en/")
