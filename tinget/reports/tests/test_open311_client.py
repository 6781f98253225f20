"""An Open311 client over real HTTP (issue 4, "Done when"): it lists the services, posts a request with its key
and reads the request back in XML and in JSON, against the live server on loopback."""

import xml.etree.ElementTree as ET

import pytest
import requests

from tinget.core.profile import load_profile
from tinget.reports import services
from tinget.reports.categories import load_report_categories


@pytest.fixture
def server(live_server, transactional_db):
    load_profile("asker")
    load_report_categories("asker")
    return f"{live_server.url}/open311/v2"


def test_an_open311_client_lists_posts_and_reads_back(server):
    _row, key = services.api_key_create(actor=None, name="Prøveklient")

    services_xml = requests.get(f"{server}/services.xml", timeout=10)
    assert services_xml.status_code == 200
    assert services_xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    codes = [s.findtext("service_code") for s in ET.fromstring(services_xml.content).iter("service")]
    assert "hull-i-veien" in codes

    posted = requests.post(
        f"{server}/requests.json",
        data={
            "api_key": key,
            "service_code": "hull-i-veien",
            "lat": "59.8335",
            "long": "10.4345",
            "description": "Hull i veien ved rundkjøringen <b>nå</b>.",
            "email": "klient@example.no",
            "first_name": "Kari",
            "last_name": "Klient",
        },
        timeout=10,
    )
    assert posted.status_code == 200, posted.text
    answer = posted.json()
    assert len(answer) == 1 and "token" not in answer[0]
    request_id = answer[0]["service_request_id"]

    as_json = requests.get(f"{server}/requests/{request_id}.json", timeout=10).json()
    assert as_json[0]["service_code"] == "hull-i-veien"
    assert as_json[0]["status"] == "open"
    assert as_json[0]["description"] == "Hull i veien ved rundkjøringen <b>nå</b>."

    as_xml = requests.get(f"{server}/requests/{request_id}.xml", timeout=10)
    request = ET.fromstring(as_xml.content).find("request")
    assert request.findtext("service_request_id") == str(request_id)
    assert request.findtext("description") == "Hull i veien ved rundkjøringen <b>nå</b>."
    assert float(request.findtext("lat")) == pytest.approx(59.8335)

    listed = requests.get(f"{server}/requests.json", params={"service_code": "hull-i-veien"}, timeout=10).json()
    assert [r["service_request_id"] for r in listed] == [as_json[0]["service_request_id"]]


def test_a_revoked_key_is_refused_in_the_spec_format(server):
    row, key = services.api_key_create(actor=None, name="Gammel klient")
    services.api_key_revoke(actor=None, api_key=row)

    refused = requests.post(
        f"{server}/requests.xml",
        data={"api_key": key, "service_code": "hull-i-veien", "lat": "59.8335", "long": "10.4345"},
        timeout=10,
    )
    assert refused.status_code == 403
    error = ET.fromstring(refused.content).find("error")
    assert error.findtext("code") == "403" and error.findtext("description")
