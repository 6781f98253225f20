"""Citizen initiatives in the REST API (/api/v1/initiatives/): only public initiatives, their signature counts,
days left and steps; filters, pagination, bad parameters, and a session that must not widen what is shown."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tinget.core.models import Area
from tinget.initiatives import services
from tinget.initiatives.models import Initiative, State, Step, Topic

from .conftest import DRAFT, idporten_client

URL = "/api/v1/initiatives/"


def get_json(client, path, status=200, data=None, **extra):
    response = client.get(path, data, **extra)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


@pytest.fixture
def topic(db):
    return Topic.objects.create(slug="natur", name="Natur", name_nn="Natur (nn)", name_en="Nature")


def published(promoter, case_worker, municipality, **data):
    initiative = services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, **data})
    services.submit_for_review(actor=promoter, initiative=initiative)
    return services.approve(actor=case_worker, initiative=initiative)


@pytest.mark.django_db
class TestList:
    def test_public_fields_with_signatures_days_left_and_steps(self, client, collecting, signer, promoter):
        services.sign(actor=signer, initiative_id=collecting.pk, show_name=True)
        services.recount(collecting, force=True)

        data = get_json(client, URL)

        assert data["count"] == 1
        item = data["items"][0]
        assert item["id"] == collecting.pk and item["title"] == DRAFT["title"]
        assert item["state"] == "collecting" and item["state_label"]
        assert item["signatures"] == {"online": 1, "paper": 0, "total": 1, "required": 300}
        assert 89 <= item["days_left"] <= 90
        assert item["promoter_name"] == "Astrid Testesen" and item["co_promoters"] == []
        assert [step["kind"] for step in item["steps"]] == ["published"]
        assert item["steps"][0]["date"] == timezone.localdate().isoformat()
        assert item["url"].startswith("http://testserver/") and item["url"].endswith(f"/{collecting.pk}/")
        body = json.dumps(data)
        assert "Bjørn" not in body and "Prøvestad" not in body  # no signer, even one who shows their name
        assert promoter.email not in body

    def test_drafts_reviews_refused_and_withdrawn_are_not_listed(
        self, client, collecting, promoter, case_worker, municipality
    ):
        services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
        in_review = services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
        services.submit_for_review(actor=promoter, initiative=in_review)
        refused = services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
        services.submit_for_review(actor=promoter, initiative=refused)
        services.refuse(actor=case_worker, initiative=refused, reason="Nedsettende.")
        withdrawn = published(promoter, case_worker, municipality)
        services.withdraw(actor=promoter, initiative=withdrawn)

        assert [item["id"] for item in get_json(client, URL)["items"]] == [collecting.pk]

    def test_a_promoters_or_staff_session_does_not_widen_the_api(self, draft, promoter, case_worker, staff_client):
        services.submit_for_review(actor=promoter, initiative=draft)
        for client in (idporten_client(promoter), staff_client):
            assert get_json(client, URL)["count"] == 0
            get_json(client, f"{URL}{draft.pk}", status=404)

    def test_filters(self, client, collecting, promoter, case_worker, municipality, topic, signer):
        area = Area.objects.filter(municipality=municipality).order_by("slug").first()
        other = published(promoter, case_worker, municipality, title="Natur", area=area, topic=topic)
        Initiative.objects.filter(pk=other.pk).update(required_signatures=1)
        services.sign(actor=signer, initiative_id=other.pk)
        services.recount(Initiative.objects.get(pk=other.pk), force=True)

        def ids(**query):
            return [item["id"] for item in get_json(client, URL, data=query)["items"]]

        assert ids(state="threshold_reached") == [other.pk]
        assert ids(state="collecting") == [collecting.pk]
        assert ids(state="decided") == []
        assert ids(area=area.slug) == [other.pk]
        assert ids(topic="natur") == [other.pk]
        assert ids(topic="finnes-ikke") == [] and ids(area="finnes-ikke") == []
        assert ids() == [other.pk, collecting.pk]  # the one signed the last week first
        assert set(ids(sort="new")) == {other.pk, collecting.pk}
        assert ids(sort="ending", area=area.slug) == [other.pk]
        item = get_json(client, URL, data={"topic": "natur"})["items"][0]
        assert item["topic"] == {"slug": "natur", "name": "Natur"} and item["area"]["slug"] == area.slug

    def test_topic_names_follow_accept_language(self, client, collecting, topic):
        Initiative.objects.filter(pk=collecting.pk).update(topic=topic)
        assert get_json(client, URL, HTTP_ACCEPT_LANGUAGE="en")["items"][0]["topic"]["name"] == "Nature"
        assert get_json(client, URL, HTTP_ACCEPT_LANGUAGE="nn")["items"][0]["topic"]["name"] == "Natur (nn)"

    @pytest.mark.parametrize(
        "query",
        [
            "state=draft",  # not a public state
            "state=in_review",
            "state=samler",
            "area=%3Cscript%3E",
            "area=" + "a" * 61,
            "topic=%00",
            "topic=natur%20og%20friluft",
            "sort=random",
            "page=0",
            "page=abc",
            "page_size=101",
            "page_size=-1",
        ],
    )
    def test_bad_parameters(self, client, collecting, query):
        data = get_json(client, f"{URL}?{query}", status=422)
        assert data["code"] == "invalid"

    @pytest.mark.parametrize("query", ["state=", "area=", "topic="])
    def test_an_empty_filter_is_refused_as_the_document_says(self, client, collecting, query):
        assert get_json(client, f"{URL}?{query}", status=422)["code"] == "invalid"

    def test_pagination(self, client, promoter, case_worker, municipality):
        made = [published(promoter, case_worker, municipality, title=f"Forslag {n}") for n in range(3)]

        page = get_json(client, URL, data={"page_size": 2, "sort": "new"})
        assert page["count"] == 3 and len(page["items"]) == 2
        rest = get_json(client, URL, data={"page_size": 2, "page": 2, "sort": "new"})["items"]
        assert {item["id"] for item in page["items"] + rest} == {m.pk for m in made}
        assert get_json(client, URL, data={"page": 99})["items"] == []

    def test_query_count(self, client, promoter, case_worker, municipality, topic, django_assert_max_num_queries):
        area = Area.objects.filter(municipality=municipality).first()
        for n in range(8):
            published(promoter, case_worker, municipality, title=f"Forslag {n}", area=area, topic=topic)
        with django_assert_max_num_queries(4):
            assert len(get_json(client, URL)["items"]) == 8


@pytest.mark.django_db
class TestDetail:
    def test_counts_steps_and_the_decision(self, client, collecting, signer, promoter, case_worker):
        Initiative.objects.filter(pk=collecting.pk).update(required_signatures=1)
        services.sign(actor=signer, initiative_id=collecting.pk)
        services.recount(Initiative.objects.get(pk=collecting.pk), force=True)
        handed = services.hand_over(actor=promoter, initiative=Initiative.objects.get(pk=collecting.pk))
        services.record_step(
            actor=case_worker,
            initiative=handed,
            kind=Step.Kind.CASE_OPENED,
            happened_on=timezone.localdate(),
            case_number="26/1234",
        )
        services.record_step(
            actor=case_worker,
            initiative=handed,
            kind=Step.Kind.MEETING,
            happened_on=timezone.localdate(),
            meeting="Kommunestyret",
        )
        services.record_step(
            actor=case_worker,
            initiative=handed,
            kind=Step.Kind.DECIDED,
            happened_on=timezone.localdate(),
            text="Kommunestyret vedtok forslaget.",
        )

        data = get_json(client, f"{URL}{collecting.pk}")

        assert data["state"] == "decided" and data["days_left"] is None
        assert data["signatures"] == {"online": 1, "paper": 0, "total": 1, "required": 1}
        assert [s["kind"] for s in data["steps"]] == [
            "published",
            "threshold",
            "handed_over",
            "case_opened",
            "meeting",
            "decided",
        ]
        assert data["case_number"] == "26/1234" and data["decision_text"] == "Kommunestyret vedtok forslaget."
        assert data["steps"][4]["meeting"] == "Kommunestyret"
        assert data["decided_on"] == timezone.localdate().isoformat() and data["decision_due"]
        assert data["handed_over_at"] and data["threshold_reached_at"]

    def test_the_count_is_fresh(self, client, collecting, signer, settings):
        settings.TINGET_INITIATIVE_COUNT_SECONDS = 0
        services.sign(actor=signer, initiative_id=collecting.pk)
        assert get_json(client, f"{URL}{collecting.pk}")["signatures"]["online"] == 1

    def test_non_public_unknown_and_malformed(self, client, draft, promoter, case_worker, collecting):
        services.withdraw(actor=promoter, initiative=collecting)
        for pk in (draft.pk, collecting.pk, 999_999):
            assert get_json(client, f"{URL}{pk}", status=404)["code"] == "not_found"
        for bad in ("0", "-1", "abc", str(2**63), "1.5"):
            get_json(client, f"{URL}{bad}", status=422)

    def test_an_expired_one_has_no_days_left(self, client, collecting):
        Initiative.objects.filter(pk=collecting.pk).update(signing_ends_at=timezone.now() - timedelta(seconds=1))
        services.sweep()
        data = get_json(client, f"{URL}{collecting.pk}")
        assert data["state"] == State.EXPIRED and data["days_left"] is None

    def test_text_is_returned_as_text(self, client, promoter, case_worker, municipality):
        initiative = published(promoter, case_worker, municipality, reasons="<script>alert(1)</script>")
        assert get_json(client, f"{URL}{initiative.pk}")["reasons"] == "<script>alert(1)</script>"

    def test_writes_are_refused(self, client, collecting):
        assert client.post(URL, {}).status_code == 405
        assert client.delete(f"{URL}{collecting.pk}").status_code == 405


@pytest.mark.django_db
def test_the_document_lists_the_operations(client):
    document = get_json(client, "/api/v1/openapi.json")
    assert "/api/v1/initiatives/" in document["paths"] and "/api/v1/initiatives/{initiative_id}" in document["paths"]
    modules = {m["slug"]: m for m in get_json(client, "/api/v1/modules")}
    assert modules["initiatives"]["api"] == "http://testserver/api/v1/initiatives/"
