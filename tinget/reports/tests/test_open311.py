"""Open311 GeoReport v2 at /open311/v2/: every resource in XML (element names checked exactly) and JSON, the
error format and status codes, and the bad input the issue lists."""

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tinget.reports import open311, services
from tinget.reports.models import ApiKey, Channel, Photo, Question, Report, State, Update

from .conftest import ASKER, NEAR_ASKER, OSLO
from .factories import CategoryFactory, QuestionFactory

BASE = "/open311/v2/"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


# --- Helpers ---------------------------------------------------------------------------------------------------
def as_xml(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)


def as_json(response, status=200):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def names(element):
    return [child.tag for child in element]


def text_of(element, name):
    found = element.find(name)
    assert found is not None, f"no <{name}>"
    return found.text or ""


def assert_xml_error(response, status):
    root = as_xml(response, status)
    assert root.tag == "errors"
    assert names(root) == ["error"]
    assert names(root[0]) == ["code", "description"]
    assert text_of(root[0], "code") == str(status)
    assert text_of(root[0], "description")
    return text_of(root[0], "description")


def assert_json_error(response, status):
    data = as_json(response, status)
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) == {"code", "description"}
    assert data[0]["code"] == status
    assert data[0]["description"]
    return data[0]["description"]


def make_report(category, actor, **kwargs):
    defaults = {"latitude": ASKER[0], "longitude": ASKER[1], "title": "Hull", "description": "Stort hull."}
    return services.report_create(actor=actor, category=category, **{**defaults, **kwargs})


def jpeg(size=(20, 10)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def add_photo(report, order=0, hidden=False):
    photo = Photo(report=report, order=order, is_hidden=hidden)
    photo.image.save("photo.jpg", jpeg(), save=False)
    photo.thumbnail.save("thumb.jpg", jpeg((8, 4)), save=False)
    photo.save()
    return photo


@pytest.fixture
def api_key(municipality):
    _row, key = services.api_key_create(actor=None, name="Bymelding")
    return key


@pytest.fixture
def hole_size(pothole):
    return QuestionFactory(
        category=pothole,
        code="storrelse",
        datatype=Question.Datatype.SINGLE,
        required=True,
        question="Hvor stort er hullet?",
        question_en="How big is the hole?",
        hint="Velg det som passer best",
        values=[
            {"key": "lite", "name": "Lite", "name_en": "Small"},
            {"key": "stort", "name": "Stort", "name_en": "Big"},
        ],
        order=1,
    )


@pytest.fixture
def hole_where(pothole):
    return QuestionFactory(
        category=pothole,
        code="hvor",
        datatype=Question.Datatype.MULTI,
        question="Hvor i veien?",
        values=[{"key": "fortau", "name": "Fortau"}, {"key": "kjorebane", "name": "Kjørebane"}],
        order=2,
    )


def post(client, fmt="xml", **data):
    return client.post(f"{BASE}requests.{fmt}", data)


def valid_post(api_key, pothole, **extra):
    data = {
        "api_key": api_key,
        "service_code": pothole.slug,
        "lat": str(ASKER[0]),
        "long": str(ASKER[1]),
        "description": "Dypt hull i sykkelfeltet.",
        "email": "ola@example.no",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "phone": "99 88 77 66",
    }
    data.update(extra)
    return data


# --- Discovery -------------------------------------------------------------------------------------------------
@pytest.mark.django_db
class TestDiscovery:
    def test_xml(self, client, municipality):
        root = as_xml(client.get(f"{BASE}discovery.xml"))

        assert root.tag == "discovery"
        assert names(root) == ["changeset", "contact", "key_service", "endpoints"]
        assert W3C.match(text_of(root, "changeset"))
        assert "postmottak@asker.kommune.no" in text_of(root, "contact")
        assert "http://testserver/" in text_of(root, "key_service")
        endpoints = root.find("endpoints")
        assert names(endpoints) == ["endpoint"]
        endpoint = endpoints[0]
        assert names(endpoint) == ["specification", "url", "changeset", "type", "formats"]
        assert text_of(endpoint, "specification") == "http://wiki.open311.org/GeoReport_v2"
        assert text_of(endpoint, "url") == "http://testserver/open311/v2"
        assert text_of(endpoint, "type") == "production"
        assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
        assert names(endpoint.find("formats")) == ["format", "format"]

    def test_json(self, client, municipality):
        data = as_json(client.get(f"{BASE}discovery.json"))

        assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
        assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
        assert data["endpoints"][0]["url"] == "http://testserver/open311/v2"

    def test_without_a_profile(self, client, db):
        data = as_json(client.get(f"{BASE}discovery.json"))
        assert data["contact"] == ""

    def test_the_base_address_leads_people_to_the_documentation(self, client, municipality):
        response = client.get(BASE)
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200


# --- Services --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
class TestServices:
    def test_xml(self, client, pothole):
        pothole.keywords = "hull,asfalt , vei"
        pothole.description = "Hull i asfalten"
        pothole.save()

        root = as_xml(client.get(f"{BASE}services.xml"))

        assert root.tag == "services"
        assert set(names(root)) == {"service"}
        service = next(s for s in root if text_of(s, "service_code") == "hull-i-veien")
        assert names(service) == SERVICE_FIELDS
        assert text_of(service, "service_name") == "Hull i veien"
        assert text_of(service, "description") == "Hull i asfalten"
        assert text_of(service, "metadata") == "false"
        assert text_of(service, "type") == "realtime"
        assert text_of(service, "keywords") == "hull, asfalt, vei"
        assert text_of(service, "group") == pothole.group.name

    def test_json_and_metadata(self, client, pothole, hole_size):
        data = as_json(client.get(f"{BASE}services.json"))

        service = next(s for s in data if s["service_code"] == "hull-i-veien")
        assert list(service) == SERVICE_FIELDS
        assert service["metadata"] is True
        assert service["type"] == "realtime"

    def test_only_categories_that_take_a_report(self, client, pothole):
        CategoryFactory(slug="ring-na", is_urgent=True, urgent_phone="66 70 00 00")
        CategoryFactory(slug="fylkesvei", not_ours=True)
        CategoryFactory(slug="gammel", is_active=False)

        codes = [s["service_code"] for s in as_json(client.get(f"{BASE}services.json"))]

        assert "hull-i-veien" in codes
        assert not {"ring-na", "fylkesvei", "gammel"} & set(codes)

    def test_names_follow_accept_language(self, client, pothole):
        response = client.get(f"{BASE}services.json", HTTP_ACCEPT_LANGUAGE="en")
        service = next(s for s in as_json(response) if s["service_code"] == "hull-i-veien")
        assert service["service_name"] == "Pothole"
        assert response["Content-Language"] == "en"

    def test_query_count(self, client, pothole, hole_size, django_assert_max_num_queries):
        for _n in range(10):
            QuestionFactory(category=CategoryFactory())
        with django_assert_max_num_queries(2):
            client.get(f"{BASE}services.xml")


@pytest.mark.django_db
class TestServiceDefinition:
    def test_xml(self, client, pothole, hole_size, hole_where):
        QuestionFactory(category=pothole, code="merknad", datatype=Question.Datatype.TEXT, question="Merknad", order=3)

        root = as_xml(client.get(f"{BASE}services/hull-i-veien.xml"))

        assert root.tag == "service_definition"
        assert names(root) == ["service_code", "attributes"]
        assert text_of(root, "service_code") == "hull-i-veien"
        attributes = root.find("attributes")
        assert names(attributes) == ["attribute"] * 3
        size = attributes[0]
        assert names(size) == [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        ]
        assert text_of(size, "variable") == "true"
        assert text_of(size, "code") == "storrelse"
        assert text_of(size, "datatype") == "singlevaluelist"
        assert text_of(size, "required") == "true"
        assert text_of(size, "datatype_description") == "Velg det som passer best"
        assert text_of(size, "order") == "1"
        assert text_of(size, "description") == "Hvor stort er hullet?"
        values = size.find("values")
        assert names(values) == ["value", "value"]
        assert names(values[0]) == ["key", "name"]
        assert [(text_of(v, "key"), text_of(v, "name")) for v in values] == [("lite", "Lite"), ("stort", "Stort")]
        assert text_of(attributes[1], "datatype") == "multivaluelist"
        assert text_of(attributes[1], "required") == "false"
        assert [text_of(a, "order") for a in attributes] == ["1", "2", "3"]
        assert len(attributes[2].find("values")) == 0

    def test_json_in_english(self, client, pothole, hole_size):
        data = as_json(client.get(f"{BASE}services/hull-i-veien.json", HTTP_ACCEPT_LANGUAGE="en"))

        assert data["service_code"] == "hull-i-veien"
        attribute = data["attributes"][0]
        assert attribute["description"] == "How big is the hole?"
        assert attribute["values"] == [{"key": "lite", "name": "Small"}, {"key": "stort", "name": "Big"}]
        assert attribute["variable"] is True and attribute["required"] is True and attribute["order"] == 1

    def test_a_service_without_questions(self, client, pothole):
        assert as_json(client.get(f"{BASE}services/hull-i-veien.json")) == {
            "service_code": "hull-i-veien",
            "attributes": [],
        }

    @pytest.mark.parametrize("code", ["finnes-ikke", "x" * 61, "ring-na"])
    def test_unknown_service(self, client, pothole, code):
        CategoryFactory(slug="ring-na", is_urgent=True)
        assert "finnes-ikke" in assert_xml_error(client.get(f"{BASE}services/finnes-ikke.xml"), 404)
        assert_json_error(client.get(f"{BASE}services/{code}.json"), 404)


# --- GET requests ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
class TestRequests:
    def test_xml(self, client, report, case_worker):
        services.report_change_state(
            actor=case_worker, report=report, state=State.INVESTIGATING, answer="Vi ser på det."
        )

        root = as_xml(client.get(f"{BASE}requests.xml"))

        assert root.tag == "service_requests"
        assert names(root) == ["request"]
        request = root[0]
        assert names(request) == REQUEST_FIELDS
        assert text_of(request, "service_request_id") == str(report.pk)
        assert text_of(request, "status") == "open"
        assert text_of(request, "status_notes") == "Vi ser på det."
        assert text_of(request, "service_name") == "Hull i veien"
        assert text_of(request, "service_code") == "hull-i-veien"
        assert text_of(request, "description") == "Hullet er omtrent 30 cm bredt."
        assert text_of(request, "agency_responsible") == report.unit.name
        assert "5" in text_of(request, "service_notice")
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert W3C.match(text_of(request, field)), field
        assert text_of(request, "address") == "Asker sentrum"
        assert text_of(request, "address_id") == ""
        assert text_of(request, "zipcode") == ""
        assert float(text_of(request, "lat")) == pytest.approx(ASKER[0])
        assert float(text_of(request, "long")) == pytest.approx(ASKER[1])
        assert text_of(request, "media_url") == ""

    def test_json(self, client, report):
        data = as_json(client.get(f"{BASE}requests.json"))

        assert len(data) == 1
        item = data[0]
        assert list(item) == REQUEST_FIELDS
        assert item["service_request_id"] == report.pk
        assert item["status"] == "open"
        assert item["status_notes"] is None
        assert item["lat"] == pytest.approx(ASKER[0])
        assert item["long"] == pytest.approx(ASKER[1])
        assert item["media_url"] is None

    def test_dates_are_in_the_local_zone_with_its_offset(self, client, report):
        requested = as_json(client.get(f"{BASE}requests.json"))[0]["requested_datetime"]
        expected = timezone.localtime(report.created_at).replace(microsecond=0).isoformat()
        assert requested == expected
        assert not requested.endswith("+00:00")  # the test zone is America/Sao_Paulo

    def test_closed_and_fixed_reports_are_closed(self, client, report, case_worker):
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Lappet.")

        item = as_json(client.get(f"{BASE}requests.json"))[0]

        assert item["status"] == "closed"
        assert item["status_notes"] == "Lappet."
        assert item["service_notice"] is None

    def test_the_first_public_photo_is_the_media_url(self, client, report):
        add_photo(report, order=0, hidden=True)
        second = add_photo(report, order=1)
        add_photo(report, order=2)

        item = as_json(client.get(f"{BASE}requests.json"))[0]

        assert item["media_url"] == "http://testserver" + second.full_url

    def test_unconfirmed_and_hidden_reports_are_never_listed(self, client, pothole, report, resident, moderator):
        unconfirmed = make_report(
            pothole, AnonymousUser(), reporter=services.Reporter(name="Ola", email="o@example.no")
        )
        hidden = make_report(pothole, resident)
        services.report_set_hidden(actor=moderator, report=hidden, hidden=True, reason="Personangrep")

        ids = [r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json"))]
        assert ids == [report.pk]
        listed = as_json(client.get(f"{BASE}requests.json?service_request_id={unconfirmed.pk},{hidden.pk}"))
        assert listed == []
        for other in (unconfirmed, hidden):
            assert_json_error(client.get(f"{BASE}requests/{other.pk}.json"), 404)
            assert_xml_error(client.get(f"{BASE}tokens/{other.token}.xml"), 404)

    def test_html_comes_back_as_text(self, client, pothole, resident):
        text = '<script>alert("x")</script> & <b>fet</b>'
        make_report(pothole, resident, description=text)

        response = client.get(f"{BASE}requests.xml")
        assert b"<script>" not in response.content
        assert b"&lt;script&gt;" in response.content
        assert text_of(as_xml(response)[0], "description") == text
        assert as_json(client.get(f"{BASE}requests.json"))[0]["description"] == text

    def test_characters_xml_cannot_carry_are_dropped(self, client, pothole, resident):
        make_report(pothole, resident, description="Før\x0bEtter\x01")
        assert text_of(as_xml(client.get(f"{BASE}requests.xml"))[0], "description") == "FørEtter"

    def test_newest_first_and_the_limit(self, client, pothole, resident):
        reports = [make_report(pothole, resident) for _ in range(3)]

        ids = [r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json"))]
        assert ids == [r.pk for r in reversed(reports)]
        assert len(as_json(client.get(f"{BASE}requests.json?limit=2"))) == 2

    @pytest.mark.parametrize("limit", ["0", "1001", "abc", "-1"])
    def test_a_bad_limit(self, client, report, limit):
        assert_json_error(client.get(f"{BASE}requests.json", {"limit": limit}), 400)

    def test_service_code_filter(self, client, pothole, report, resident):
        other = CategoryFactory(slug="gatelys")
        light = make_report(other, resident)

        def ids(query):
            return {r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json?{query}"))}

        assert ids("service_code=gatelys") == {light.pk}
        assert ids("service_code=gatelys,hull-i-veien") == {light.pk, report.pk}
        assert ids("service_code=finnes-ikke") == set()

    def test_status_filter(self, client, pothole, report, resident, case_worker):
        fixed = make_report(pothole, resident)
        services.report_change_state(actor=case_worker, report=fixed, state=State.FIXED, answer="Fikset.")

        def ids(status):
            return {r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json?status={status}"))}

        assert ids("open") == {report.pk}
        assert ids("closed") == {fixed.pk}
        assert ids("open,closed") == {report.pk, fixed.pk}
        assert_xml_error(client.get(f"{BASE}requests.xml?status=fixed"), 400)

    def test_the_default_range_is_the_last_90_days(self, client, pothole, report, resident):
        old = make_report(pothole, resident)
        Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))

        ids = [r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json"))]

        assert ids == [report.pk]

    def test_a_date_range(self, client, pothole, report, resident):
        old = make_report(pothole, resident)
        Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
        start = (timezone.now() - timedelta(days=210)).isoformat()
        end = (timezone.now() - timedelta(days=150)).isoformat()

        data = as_json(client.get(f"{BASE}requests.json", {"start_date": start, "end_date": end}))
        assert [r["service_request_id"] for r in data] == [old.pk]
        only_start = as_json(client.get(f"{BASE}requests.json", {"start_date": start}))
        assert [r["service_request_id"] for r in only_start] == [old.pk]
        only_end = as_json(client.get(f"{BASE}requests.json", {"end_date": end}))
        assert [r["service_request_id"] for r in only_end] == [old.pk]

    @pytest.mark.parametrize(
        "value",
        [
            "2026-11-27T10:00:00Z",
            "2026-11-27T10:00:00+01:00",
            "2026-11-27T10:00:00.123456+01:00",
            "2026-11-27T10:00+01:00",
            "2026-11-27T10:00:00 01:00",  # a "+" sent unencoded arrives as a space
            "2026-11-27T10:00:00+16:58",
            "2999-12-31T23:59:59-23:59",
            "2026-11-27",
        ],
    )
    def test_w3c_dates_are_understood(self, client, report, value):
        as_json(client.get(f"{BASE}requests.json", {"start_date": value}))

    @pytest.mark.parametrize(
        "value",
        [
            "i går",
            "2026-11-27T10:00:00",  # no zone
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "27.11.2026",
            "0001-01-01T00:00:00+05:00",
            "2026-11-27T10:00:00+25:00",
            "9999-12-31T23:59:59-01:00",
        ],
    )
    def test_malformed_dates(self, client, report, value):
        description = assert_json_error(client.get(f"{BASE}requests.json", {"start_date": value}), 400)
        assert "start_date" in description
        assert_xml_error(client.get(f"{BASE}requests.xml", {"end_date": value}), 400)

    def test_a_range_over_90_days(self, client, report):
        query = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}
        assert "90" in assert_xml_error(client.get(f"{BASE}requests.xml", query), 400)
        query = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-03-31T00:00:00Z"}
        as_json(client.get(f"{BASE}requests.json", query))

    def test_end_before_start(self, client, report):
        query = {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}
        assert_json_error(client.get(f"{BASE}requests.json", query), 400)

    def test_service_request_id_overrides_every_other_parameter(self, client, pothole, report, resident):
        old = make_report(pothole, resident)
        Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
        query = {
            "service_request_id": f"{old.pk}, {report.pk},999999",
            "status": "closed",
            "service_code": "gatelys",
            "start_date": "nonsense",
        }

        data = as_json(client.get(f"{BASE}requests.json", query))

        assert {r["service_request_id"] for r in data} == {old.pk, report.pk}

    @pytest.mark.parametrize("ids", ["abc", "1,x", "1;2", "-1", "1" * 19])
    def test_a_malformed_service_request_id_list(self, client, report, ids):
        assert_xml_error(client.get(f"{BASE}requests.xml", {"service_request_id": ids}), 400)

    def test_empty_parameters_count_as_missing(self, client, report):
        empty = {
            name: ""
            for name in (
                "service_request_id",
                "service_code",
                "start_date",
                "end_date",
                "status",
                "limit",
                "jurisdiction_id",
            )
        }
        assert as_json(client.get(f"{BASE}requests.json", empty)) == as_json(client.get(f"{BASE}requests.json"))
        assert len(as_json(client.get(f"{BASE}requests.json", {"status": " "}))) == 1

    @pytest.mark.parametrize("jurisdiction", ["3203", "asker", "asker.kommune.no", "www.asker.kommune.no"])
    def test_the_jurisdiction_can_be_named(self, client, report, jurisdiction):
        assert len(as_json(client.get(f"{BASE}requests.json", {"jurisdiction_id": jurisdiction}))) == 1

    def test_another_jurisdiction_is_not_found(self, client, report):
        assert "3203" in assert_xml_error(client.get(f"{BASE}requests.xml?jurisdiction_id=oslo.kommune.no"), 404)
        assert_json_error(client.get(f"{BASE}services.json?jurisdiction_id=0301"), 404)

    def test_query_count_does_not_grow_with_rows(
        self, client, pothole, resident, case_worker, django_assert_max_num_queries
    ):
        for n in range(15):
            made = make_report(pothole, resident, address=f"Vei {n}")
            services.report_answer(actor=case_worker, report=made, text=f"Svar {n}")
            add_photo(made)
        with django_assert_max_num_queries(1):
            data = as_json(client.get(f"{BASE}requests.json"))
        assert len(data) == 15
        assert all(item["status_notes"] and item["media_url"] for item in data)
        with django_assert_max_num_queries(1):
            as_xml(client.get(f"{BASE}requests.xml"))


@pytest.mark.django_db
class TestOneRequest:
    def test_xml_and_json(self, client, report):
        root = as_xml(client.get(f"{BASE}requests/{report.pk}.xml"))
        assert root.tag == "service_requests"
        assert names(root) == ["request"]
        assert names(root[0]) == REQUEST_FIELDS

        data = as_json(client.get(f"{BASE}requests/{report.pk}.json"))
        assert [item["service_request_id"] for item in data] == [report.pk]

    def test_an_old_report_is_found_by_its_id(self, client, report):
        Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=900))
        assert len(as_json(client.get(f"{BASE}requests/{report.pk}.json"))) == 1

    @pytest.mark.parametrize("request_id", ["999999", "abc", "1" * 30, "-3"])
    def test_unknown_ids(self, client, report, request_id):
        assert_xml_error(client.get(f"{BASE}requests/{request_id}.xml"), 404)
        assert_json_error(client.get(f"{BASE}requests/{request_id}.json"), 404)


@pytest.mark.django_db
class TestTokens:
    def test_xml_and_json(self, client, report):
        root = as_xml(client.get(f"{BASE}tokens/{report.token}.xml"))
        assert root.tag == "service_requests"
        assert names(root[0]) == ["service_request_id", "token"]
        assert text_of(root[0], "service_request_id") == str(report.pk)
        assert text_of(root[0], "token") == str(report.token)

        data = as_json(client.get(f"{BASE}tokens/{report.token}.json"))
        assert data == [{"service_request_id": report.pk, "token": str(report.token)}]

    @pytest.mark.parametrize("token", ["0b7e1c2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d", "not-a-token", "1"])
    def test_unknown_tokens(self, client, report, token):
        assert_xml_error(client.get(f"{BASE}tokens/{token}.xml"), 404)


# --- POST requests ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
class TestPostRequest:
    def test_xml(self, client, pothole, api_key):
        response = post(client, **valid_post(api_key, pothole))

        root = as_xml(response)
        assert root.tag == "service_requests"
        assert names(root) == ["request"]
        assert names(root[0]) == ["service_request_id", "service_notice", "account_id"]
        assert root[0].find("token") is None
        report = Report.objects.get()
        assert text_of(root[0], "service_request_id") == str(report.pk)
        assert "5" in text_of(root[0], "service_notice")
        assert text_of(root[0], "account_id") == ""

        assert report.channel == Channel.OPEN311
        assert report.state == State.OPEN
        assert report.api_key == ApiKey.objects.get()
        assert report.reporter is None
        assert (report.reporter_name, report.reporter_email, report.reporter_phone) == (
            "Ola Nordmann",
            "ola@example.no",
            "99 88 77 66",
        )
        assert report.show_name is False
        assert report.title == "Dypt hull i sykkelfeltet."
        assert report.description == "Dypt hull i sykkelfeltet."

    def test_json_and_reading_it_back_by_id_and_token(self, client, pothole, api_key):
        created = as_json(post(client, "json", **valid_post(api_key, pothole, address_string="Torget 1")))

        assert list(created[0]) == ["service_request_id", "service_notice", "account_id"]
        pk = created[0]["service_request_id"]
        report = Report.objects.get(pk=pk)
        by_id = as_json(client.get(f"{BASE}requests/{pk}.json"))[0]
        assert by_id["description"] == "Dypt hull i sykkelfeltet."
        assert by_id["address"] == "Torget 1"
        assert by_id["service_code"] == "hull-i-veien"
        assert by_id["status"] == "open"
        by_token = as_json(client.get(f"{BASE}tokens/{report.token}.json"))
        assert by_token == [{"service_request_id": pk, "token": str(report.token)}]
        assert text_of(as_xml(client.get(f"{BASE}requests/{pk}.xml"))[0], "service_request_id") == str(pk)
        # …and it is in the list.
        assert pk in [r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json"))]

    def test_the_same_post_twice_makes_one_request(self, client, pothole, api_key):
        first = as_json(post(client, "json", **valid_post(api_key, pothole)))
        second = as_json(post(client, "json", **valid_post(api_key, pothole)))

        assert first[0]["service_request_id"] == second[0]["service_request_id"]
        assert Report.objects.count() == 1
        as_json(post(client, "json", **valid_post(api_key, pothole, description="Et annet hull.")))
        assert Report.objects.count() == 2

    def test_no_csrf_token_is_needed(self, csrf_client, pothole, api_key):
        as_xml(post(csrf_client, **valid_post(api_key, pothole)))

    def test_html_is_kept_as_text(self, client, pothole, api_key):
        text = "<img src=x onerror=alert(1)> & mer"
        pk = as_json(post(client, "json", **valid_post(api_key, pothole, description=text)))[0]["service_request_id"]

        response = client.get(f"{BASE}requests/{pk}.xml")
        assert b"<img" not in response.content
        assert text_of(as_xml(response)[0], "description") == text

    def test_attributes(self, client, pothole, api_key, hole_size, hole_where):
        data = valid_post(api_key, pothole)
        data["attribute[storrelse]"] = "stort"
        data["attribute[hvor][]"] = ["fortau", "kjorebane"]
        data["attribute[ukjent]"] = "ignoreres"
        as_xml(post(client, **data))

        assert Report.objects.get().answers == {"storrelse": "stort", "hvor": ["fortau", "kjorebane"]}

    def test_a_multivaluelist_may_also_repeat_the_plain_key(self, client, pothole, api_key, hole_where):
        data = valid_post(api_key, pothole)
        data["attribute[hvor]"] = ["fortau", "kjorebane"]
        as_xml(post(client, **data))

        assert Report.objects.get().answers == {"hvor": ["fortau", "kjorebane"]}

    @pytest.mark.parametrize(
        "attributes",
        [
            {},  # the required one is missing
            {"attribute[storrelse]": ""},
            {"attribute[storrelse]": "enormt"},
            {"attribute[storrelse]": ["lite", "stort"]},
            {"attribute[storrelse]": "lite", "attribute[hvor][]": ["fortau", "tak"]},
        ],
    )
    def test_bad_attributes(self, client, pothole, api_key, hole_size, hole_where, attributes):
        assert_xml_error(post(client, **valid_post(api_key, pothole, **attributes)), 400)
        assert not Report.objects.exists()

    def test_an_address_alone_is_looked_up(self, client, pothole, api_key):
        data = valid_post(api_key, pothole, address_string="Asker sentrum")
        del data["lat"], data["long"]

        as_xml(post(client, **data))

        report = Report.objects.get()
        assert report.address == "Asker sentrum"
        assert report.area.name == "Asker sentrum"

    def test_an_address_that_is_not_found(self, client, pothole, api_key):
        data = valid_post(api_key, pothole, address_string="Finnesikkeveien 99")
        del data["lat"], data["long"]

        assert "lat" in assert_xml_error(post(client, **data), 400)

    @pytest.mark.parametrize(
        "location",
        [
            {"lat": "", "long": ""},
            {"lat": str(ASKER[0]), "long": ""},
            {"lat": "", "long": str(ASKER[1])},
            {"lat": "abc", "long": "10.4"},
            {"lat": "91", "long": "10.4"},
            {"lat": "nan", "long": "inf"},
            {"lat": "", "long": "", "address_id": "12345"},
            {"lat": str(OSLO[0]), "long": str(OSLO[1])},
        ],
    )
    def test_a_missing_impossible_or_outside_location(self, client, pothole, api_key, location):
        assert_xml_error(post(client, **valid_post(api_key, pothole, **location)), 400)
        assert not Report.objects.exists()

    def test_outside_the_municipality_says_so(self, client, pothole, api_key):
        location = {"lat": str(OSLO[0]), "long": str(OSLO[1])}
        response = post(client, "json", **valid_post(api_key, pothole, **location))
        assert str(services.OutsideMunicipality.default_message) == assert_json_error(response, 400)

    def test_description_over_4000_characters(self, client, pothole, api_key):
        assert "4" in assert_xml_error(post(client, **valid_post(api_key, pothole, description="x" * 4001)), 400)
        assert not Report.objects.exists()
        as_xml(post(client, **valid_post(api_key, pothole, description="x" * 4000)))
        assert Report.objects.get().title == "x" * 79 + "…"

    def test_a_bad_email(self, client, pothole, api_key):
        assert_json_error(post(client, "json", **valid_post(api_key, pothole, email="ikke en adresse")), 400)

    def test_only_email_and_the_rest_are_optional(self, client, pothole, api_key):
        data = {"api_key": api_key, "service_code": pothole.slug, "lat": ASKER[0], "long": ASKER[1]}
        as_xml(post(client, **data))
        report = Report.objects.get()
        assert (report.reporter_name, report.reporter_email, report.title) == ("", "", "Hull i veien")

    @pytest.mark.parametrize("key", [None, "", "feil-nokkel", "x" * 300])
    def test_a_missing_or_wrong_key(self, client, pothole, api_key, key):
        data = valid_post(api_key, pothole)
        if key is None:
            del data["api_key"]
        else:
            data["api_key"] = key
        assert "api_key" in assert_xml_error(post(client, **data), 403)
        assert_json_error(post(client, "json", **data), 403)
        assert not Report.objects.exists()

    def test_a_revoked_key(self, client, pothole, api_key):
        services.api_key_revoke(actor=None, api_key=ApiKey.objects.get())
        assert_xml_error(post(client, **valid_post(api_key, pothole)), 403)
        assert not Report.objects.exists()

    def test_the_key_is_checked_before_anything_else(self, client, api_key):
        assert_xml_error(post(client, api_key="feil", service_code="finnes-ikke"), 403)

    def test_a_missing_service_code(self, client, pothole, api_key):
        data = valid_post(api_key, pothole, service_code="")
        assert "service_code" in assert_xml_error(post(client, **data), 400)

    def test_an_unknown_service_code(self, client, pothole, api_key):
        assert_json_error(post(client, "json", **valid_post(api_key, pothole, service_code="finnes-ikke")), 404)

    def test_urgent_and_not_ours_categories_take_no_report(self, client, municipality, api_key):
        urgent = CategoryFactory(slug="vannlekkasje", is_urgent=True, urgent_phone="66 70 00 01")
        county = CategoryFactory(slug="fylkesvei", not_ours=True, contact_text="Ring Statens vegvesen.")

        assert "66 70 00 01" in assert_xml_error(post(client, **valid_post(api_key, urgent)), 400)
        assert "Statens vegvesen" in assert_xml_error(post(client, **valid_post(api_key, county)), 400)
        assert not Report.objects.exists()

    def test_a_wrong_jurisdiction(self, client, pothole, api_key):
        assert_xml_error(post(client, **valid_post(api_key, pothole, jurisdiction_id="bergen")), 404)
        assert not Report.objects.exists()

    def test_nul_characters(self, client, pothole, api_key):
        assert_xml_error(post(client, **valid_post(api_key, pothole, description="a\x00b")), 400)

    def test_oversized_fields(self, client, pothole, api_key):
        assert_xml_error(post(client, **valid_post(api_key, pothole, first_name="O" * 500)), 400)
        assert_xml_error(post(client, **valid_post(api_key, pothole, service_code="x" * 61)), 400)
        assert not Report.objects.exists()

    def test_the_key_records_its_use(self, client, pothole, api_key):
        as_xml(post(client, **valid_post(api_key, pothole)))
        assert ApiKey.objects.get().last_used_at is not None


# --- Methods, formats, paths -----------------------------------------------------------------------------------
@pytest.mark.django_db
class TestProtocol:
    @pytest.mark.parametrize("path", ["services.html", "requests.csv", "discovery.XML", "requests/1.yaml"])
    def test_an_unknown_format_is_404(self, client, municipality, path):
        assert_xml_error(client.get(f"{BASE}{path}"), 404)

    @pytest.mark.parametrize("path", ["services", "finnes-ikke.json", "requests/1/2.xml"])
    def test_an_unknown_path_is_404_in_the_error_format(self, client, municipality, path):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 404
        if path.endswith(".json"):
            assert_json_error(response, 404)
        else:
            assert_xml_error(response, 404)

    @pytest.mark.parametrize("method", ["put", "delete", "patch"])
    def test_other_methods(self, client, municipality, method):
        response = getattr(client, method)(f"{BASE}requests.xml")
        assert_xml_error(response, 405)
        assert "POST" in response["Allow"]

    def test_post_only_where_the_spec_allows_it(self, client, municipality):
        assert_json_error(client.post(f"{BASE}services.json"), 405)

    def test_reading_is_open_to_web_pages(self, client, municipality):
        assert client.get(f"{BASE}services.json")["Access-Control-Allow-Origin"] == "*"

    def test_a_malformed_multipart_body(self, client, municipality):
        response = client.generic(
            "POST",
            f"{BASE}requests.xml",
            b"--xx\r\nbroken",
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert_xml_error(response, 400)


# --- servicerequestupdates -------------------------------------------------------------------------------------
@pytest.mark.django_db
class TestServiceRequestUpdates:
    def test_xml(self, client, report, case_worker):
        update = services.report_change_state(
            actor=case_worker, report=report, state=State.INVESTIGATING, answer="Vi undersøker."
        )

        root = as_xml(client.get(f"{BASE}servicerequestupdates.xml"))

        assert root.tag == "service_request_updates"
        assert names(root) == ["request_update"]
        item = root[0]
        assert names(item) == UPDATE_FIELDS
        assert text_of(item, "update_id") == str(update.pk)
        assert text_of(item, "service_request_id") == str(report.pk)
        assert text_of(item, "status") == "investigating"
        assert W3C.match(text_of(item, "updated_datetime"))
        assert text_of(item, "description") == "Vi undersøker."
        assert text_of(item, "media_url") == ""

    @pytest.mark.parametrize(
        ("state", "status"),
        [
            (State.ACTION_SCHEDULED, "action_scheduled"),
            (State.IN_PROGRESS, "in_progress"),
            (State.FIXED, "fixed"),
            (State.NOT_RESPONSIBLE, "not_councils_responsibility"),
            (State.NO_FURTHER_ACTION, "no_further_action"),
            (State.INTERNAL_REFERRAL, "internal_referral"),
            (State.CLOSED, "closed"),
        ],
    )
    def test_fixmystreet_states(self, client, report, case_worker, state, status):
        services.report_change_state(actor=case_worker, report=report, state=state, answer="Svar.")

        data = as_json(client.get(f"{BASE}servicerequestupdates.json"))

        assert [item["status"] for item in data] == [status]
        assert list(data[0]) == UPDATE_FIELDS

    def test_answers_follow_in_order_and_notes_stay_internal(self, client, report, case_worker):
        services.report_answer(actor=case_worker, report=report, text="Først.")
        services.report_add_note(actor=case_worker, report=report, text="Intern notat.")
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Så.")

        data = as_json(client.get(f"{BASE}servicerequestupdates.json"))

        assert [(item["description"], item["status"]) for item in data] == [("Først.", "open"), ("Så.", "fixed")]

    def test_updates_of_hidden_reports_are_not_shown(self, client, report, case_worker, moderator):
        services.report_answer(actor=case_worker, report=report, text="Svar.")
        services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Personopplysninger")

        assert as_json(client.get(f"{BASE}servicerequestupdates.json")) == []

    def test_a_hidden_update_is_not_shown(self, client, report, case_worker, moderator):
        update = services.report_answer(actor=case_worker, report=report, text="Feil svar.")
        services.update_hide(actor=moderator, update=update, reason="Feil")

        assert as_json(client.get(f"{BASE}servicerequestupdates.json")) == []

    def test_dates_and_limits(self, client, report, case_worker):
        update = services.report_answer(actor=case_worker, report=report, text="Svar.")
        Update.objects.filter(pk=update.pk).update(created_at=timezone.now() - timedelta(days=100))

        assert as_json(client.get(f"{BASE}servicerequestupdates.json")) == []
        start = (timezone.now() - timedelta(days=101)).isoformat()
        end = (timezone.now() - timedelta(days=99)).isoformat()
        query = {"start_date": start, "end_date": end}
        assert len(as_json(client.get(f"{BASE}servicerequestupdates.json", query))) == 1
        assert_xml_error(client.get(f"{BASE}servicerequestupdates.xml?start_date=2026-01-01&end_date=2026-06-01"), 400)
        assert_xml_error(client.get(f"{BASE}servicerequestupdates.xml?start_date=igår"), 400)
        assert_xml_error(client.get(f"{BASE}servicerequestupdates.xml?limit=5000"), 400)

    def test_query_count(self, client, pothole, resident, case_worker, django_assert_max_num_queries):
        for _n in range(10):
            made = make_report(pothole, resident)
            services.report_answer(actor=case_worker, report=made, text="Svar.")
        with django_assert_max_num_queries(1):
            assert len(as_json(client.get(f"{BASE}servicerequestupdates.json"))) == 10


def test_status_mapping_covers_every_public_state():
    from tinget.reports.models import OPEN_STATES, PUBLIC_STATES

    assert set(open311.FMS_STATUS) == PUBLIC_STATES
    assert {open311.open311_status(s) for s in OPEN_STATES} == {"open"}
    assert {open311.open311_status(s) for s in PUBLIC_STATES - OPEN_STATES} == {"closed"}


def test_near_asker_is_inside():
    # The fixtures' second point is used by other suites; keep it inside the municipality.
    from tinget.core import geo

    assert geo.valid_point(*NEAR_ASKER)


# --- Whatever a client sends, the answer is the spec's: never a server error ---------------------------------
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
_dateish = st.one_of(_text, st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()))


@pytest.mark.django_db
@FUZZ
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "start_date": _dateish,
            "end_date": _dateish,
            "status": st.one_of(_text, st.sampled_from(["open", "closed", "open,closed", ""])),
            "service_code": _text,
            "service_request_id": st.one_of(
                _text, st.lists(st.integers(-5, 10**20), max_size=5).map(lambda ids: ",".join(map(str, ids)))
            ),
            "limit": st.one_of(_text, st.integers(-10, 5000).map(str)),
            "jurisdiction_id": st.one_of(_text, st.just("3203")),
        },
    ),
    fmt=st.sampled_from(["xml", "json"]),
)
def test_get_requests_never_fails(client, report, query, fmt):
    response = client.get(f"{BASE}requests.{fmt}", query)
    assert response.status_code in (200, 400, 404)
    if fmt == "xml":
        as_xml(response, response.status_code)
    else:
        as_json(response, response.status_code)


@pytest.mark.django_db
@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "lat": st.one_of(_text, st.floats(allow_nan=True, allow_infinity=True).map(str)),
            "long": st.one_of(_text, st.floats(allow_nan=True, allow_infinity=True).map(str)),
            "description": st.text(max_size=4100),
            "email": _text,
            "first_name": _text,
            "phone": _text,
            "address_string": _text,
            "attribute[storrelse]": _text,
            "attribute[hvor][]": st.lists(_text, max_size=3),
        },
    )
)
def test_post_requests_never_fails(client, pothole, api_key, hole_size, hole_where, fields):
    cache.clear()  # every example is a fresh client, not one client over the write rate limit
    data = {"api_key": api_key, "service_code": pothole.slug, **fields}
    response = post(client, **data)
    assert response.status_code in (200, 400)
    as_xml(response, response.status_code)


@FUZZ
@given(text=_dateish)
def test_parse_w3c_raises_only_its_own_error(text):
    try:
        value = open311.parse_w3c("start_date", text)
    except open311.Open311Error as exc:
        assert exc.status == 400
    else:
        assert value is None or value.tzinfo is not None


# --- Rate limit ------------------------------------------------------------------------------------------------
def test_too_many_posts_get_429_in_the_open311_error_format(client, api_key, pothole, settings):
    settings.TINGET_WRITE_RATE = "2/d"
    settings.TINGET_WRITE_RATE_NETWORK = "100/d"
    url = "/open311/v2/requests.xml"
    for n in range(2):
        assert client.post(url, valid_post(api_key, pothole, description=f"Hull nummer {n}")).status_code == 200

    response = client.post(url, valid_post(api_key, pothole, description="Ett hull for mye"))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    error = ET.fromstring(response.content).find("error")
    assert error.findtext("code") == "429" and error.findtext("description")
    assert client.get("/open311/v2/services.json").status_code == 200  # reading is not limited
