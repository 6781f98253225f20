"""The fault reports in the REST API (/api/v1/reports/): only what the public sees, filters, pagination and the
OpenAPI document."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tinget.reports import services
from tinget.reports.models import Photo, Question, Report, State

from .conftest import ASKER
from .factories import CategoryFactory, QuestionFactory

URL = "/api/v1/reports/"


def get_json(client, path, status=200, data=None, **extra):
    response = client.get(path, data, **extra)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def make_report(category, actor, **kwargs):
    defaults = {"latitude": ASKER[0], "longitude": ASKER[1], "title": "Hull", "description": "Stort hull."}
    return services.report_create(actor=actor, category=category, **{**defaults, **kwargs})


def add_photo(report, order=0, hidden=False):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 80, 40)).save(buffer, "JPEG")
    photo = Photo(report=report, order=order, is_hidden=hidden, alt_text="Hullet")
    photo.image.save("photo.jpg", ContentFile(buffer.getvalue(), name="photo.jpg"), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(buffer.getvalue(), name="thumb.jpg"), save=False)
    photo.save()
    return photo


@pytest.mark.django_db
class TestList:
    def test_public_fields_only(self, client, report):
        data = get_json(client, URL)

        assert data["count"] == 1
        item = data["items"][0]
        assert item["id"] == report.pk
        assert item["title"] == "Dypt hull ved bussholdeplassen"
        assert item["category"] == {"slug": "hull-i-veien", "name": "Hull i veien"}
        assert item["state"] == "open"
        assert item["is_open"] is True
        assert item["latitude"] == pytest.approx(ASKER[0])
        assert item["area"]["name"]
        assert item["reporter_name"] is None
        assert item["url"].startswith("http://testserver/")
        body = json.dumps(data)
        assert "kari@example.no" not in body
        assert "Kari" not in body

    def test_the_name_only_when_the_reporter_chose_to_show_it(self, client, pothole, resident):
        make_report(pothole, resident, reporter=services.Reporter(show_name=True))
        assert get_json(client, URL)["items"][0]["reporter_name"] == "Kari"

    def test_a_caller_without_an_account_is_never_named(self, client, pothole, case_worker):
        caller = services.Reporter(name="Per Innringer", email="per@example.no", phone="90000000")
        make_report(pothole, case_worker, reporter=caller, channel="phone")
        body = json.dumps(get_json(client, URL))
        assert "Per" not in body and "per@example.no" not in body and "90000000" not in body

    def test_unconfirmed_and_hidden_reports_are_not_listed(self, client, pothole, report, resident, moderator):
        make_report(pothole, AnonymousUser(), reporter=services.Reporter(name="Ola", email="ola@example.no"))
        hidden = make_report(pothole, resident)
        services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Personangrep")

        assert [item["id"] for item in get_json(client, URL)["items"]] == [report.pk]

    def test_a_staff_session_does_not_widen_the_api(self, client, pothole, moderator, resident):
        hidden = make_report(pothole, resident)
        services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Personangrep")
        client.force_login(moderator)

        assert get_json(client, URL)["count"] == 0
        get_json(client, f"{URL}{hidden.pk}", status=404)

    def test_filters(self, client, pothole, report, resident, case_worker):
        light = make_report(CategoryFactory(slug="gatelys"), resident, latitude=59.70, longitude=10.40)
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Fikset.")
        closed = make_report(pothole, resident)
        services.report_change_state(actor=case_worker, report=closed, state=State.NO_FURTHER_ACTION, answer="Nei.")

        def ids(**query):
            return {item["id"] for item in get_json(client, URL, data=query)["items"]}

        assert ids(category="gatelys") == {light.pk}
        assert ids(state="open") == {light.pk}
        assert ids(state="fixed") == {report.pk}
        assert ids(state="closed") == {closed.pk}
        assert ids(bbox="10.39,59.69,10.41,59.71") == {light.pk}
        assert ids(bbox="10.41,59.71,10.39,59.69") == {light.pk}  # drawn from the other corner
        assert report.pk in ids(area=report.area.slug)
        assert ids(area="finnes-ikke") == set()
        assert ids(category="finnes-ikke") == set()

    def test_since(self, client, pothole, report, resident):
        old = make_report(pothole, resident)
        Report.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
        since = (timezone.now() - timedelta(days=1)).isoformat()

        data = get_json(client, URL, data={"since": since})

        assert [item["id"] for item in data["items"]] == [report.pk]

    @pytest.mark.parametrize(
        "query",
        ["state=fikset", "bbox=1,2,3", "bbox=a,b,c,d", "since=0.5", "since=i%20går", "page=0", "page_size=101"],
    )
    def test_bad_parameters(self, client, report, query):
        data = get_json(client, f"{URL}?{query}", status=422)
        assert data["code"] == "invalid"

    def test_pagination(self, client, pothole, resident):
        made = [make_report(pothole, resident) for _ in range(3)]

        page = get_json(client, f"{URL}?page_size=2")
        assert page["count"] == 3
        assert [item["id"] for item in page["items"]] == [made[2].pk, made[1].pk]
        assert [item["id"] for item in get_json(client, f"{URL}?page_size=2&page=2")["items"]] == [made[0].pk]
        assert get_json(client, f"{URL}?page=99")["items"] == []

    def test_query_count(self, client, pothole, resident, django_assert_max_num_queries):
        for _n in range(12):
            make_report(pothole, resident, reporter=services.Reporter(show_name=True))
        with django_assert_max_num_queries(2):
            assert len(get_json(client, URL)["items"]) == 12


@pytest.mark.django_db
class TestDetail:
    def test_photos_and_public_history(self, client, report, case_worker):
        add_photo(report, order=0, hidden=True)
        shown = add_photo(report, order=1)
        services.report_add_note(actor=case_worker, report=report, text="Intern notat")
        services.report_change_state(
            actor=case_worker, report=report, state=State.INVESTIGATING, answer="Vi ser på det."
        )

        data = get_json(client, f"{URL}{report.pk}")

        assert data["id"] == report.pk
        assert [photo["url"] for photo in data["photos"]] == ["http://testserver" + shown.full_url]
        assert data["photos"][0]["thumbnail_url"] == "http://testserver" + shown.thumbnail_url
        assert data["photos"][0]["alt_text"] == "Hullet"
        kinds = [(u["kind"], u["state"], u["text"]) for u in data["updates"]]
        assert kinds == [("created", "open", ""), ("state", "investigating", "Vi ser på det.")]
        assert data["updates"][1]["author"] == report.unit.name
        assert "Intern notat" not in json.dumps(data)
        assert "kari@example.no" not in json.dumps(data)

    def test_unknown_unconfirmed_and_hidden(self, client, pothole, resident, moderator):
        unconfirmed = make_report(
            pothole, AnonymousUser(), reporter=services.Reporter(name="Ola", email="o@example.no")
        )
        hidden = make_report(pothole, resident)
        services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Personangrep")

        for pk in (unconfirmed.pk, hidden.pk, 999999):
            assert get_json(client, f"{URL}{pk}", status=404)["code"] == "not_found"
        get_json(client, f"{URL}{2**63}", status=422)

    def test_html_is_returned_as_text(self, client, pothole, resident):
        report = make_report(pothole, resident, description="<script>alert(1)</script>")
        assert get_json(client, f"{URL}{report.pk}")["description"] == "<script>alert(1)</script>"


@pytest.mark.django_db
class TestCategories:
    def test_categories_with_their_questions(self, client, pothole):
        QuestionFactory(
            category=pothole,
            code="storrelse",
            datatype=Question.Datatype.SINGLE,
            required=True,
            question="Hvor stort?",
            question_en="How big?",
            values=[{"key": "lite", "name": "Lite", "name_en": "Small"}],
        )
        CategoryFactory(slug="ring-na", is_urgent=True, urgent_phone="66 70 00 01")
        CategoryFactory(slug="gammel", is_active=False)

        data = get_json(client, f"{URL}categories", HTTP_ACCEPT_LANGUAGE="en")

        by_slug = {c["slug"]: c for c in data}
        assert "gammel" not in by_slug
        assert by_slug["ring-na"]["is_urgent"] is True and by_slug["ring-na"]["urgent_phone"] == "66 70 00 01"
        pothole_out = by_slug["hull-i-veien"]
        assert pothole_out["name"] == "Pothole"
        assert pothole_out["unit"] == pothole.unit.name
        assert pothole_out["response_days"] == 5
        assert pothole_out["questions"] == [
            {
                "code": "storrelse",
                "datatype": "singlevaluelist",
                "required": True,
                "question": "How big?",
                "hint": "",
                "values": [{"key": "lite", "name": "Small"}],
            }
        ]


@pytest.mark.django_db
def test_the_openapi_document_describes_the_reports(client):
    schema = get_json(client, "/api/v1/openapi.json")

    assert {"/api/v1/reports/", "/api/v1/reports/{report_id}", "/api/v1/reports/categories"} <= set(schema["paths"])
    listing = schema["paths"]["/api/v1/reports/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"category", "state", "area", "bbox", "since", "page"}
    assert set(schema["paths"]["/api/v1/reports/{report_id}"]["get"]["responses"]) >= {"200", "404"}
    report_schema = schema["components"]["schemas"]["ReportOut"]["properties"]
    assert "reporter_email" not in report_schema and "reporter_phone" not in report_schema
