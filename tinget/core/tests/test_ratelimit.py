"""Rate limits: the rate parser, networks, the per-person and per-network counters, and the 429 answer.

Rates here count per day or hour so that a test never straddles the counters' window boundary."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from tinget.core.ratelimit import RateLimited, check, network_of, parse_rate
from tinget.core.tests.factories import UserFactory
from tinget.core.tests.html import parse

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TestParseRate:
    @given(
        count=st.integers(min_value=1, max_value=10**6),
        number=st.none() | st.integers(min_value=1, max_value=10**4),
        unit=st.sampled_from(sorted(UNITS)),
        pad=st.sampled_from(["", " ", "\t", "\n "]),
    )
    def test_valid_forms_round_trip(self, count, number, unit, pad):
        text = f"{pad}{count}/{'' if number is None else number}{unit}{pad}"
        assert parse_rate(text) == (count, (number or 1) * UNITS[unit])

    @pytest.mark.parametrize(
        ("text", "expected"), [("60/10m", (60, 600)), ("10/m", (10, 60)), ("5/2h", (5, 7200)), ("1/s", (1, 1))]
    )
    def test_examples(self, text, expected):
        assert parse_rate(text) == expected

    @given(st.text(max_size=30))
    def test_garbage_raises_value_error_and_nothing_else(self, text):
        try:
            count, seconds = parse_rate(text)
        except ValueError:
            return
        assert count >= 1 and seconds >= 1

    @given(
        st.from_regex(r"\A-?[0-9]{0,4}/-?[0-9]{0,3}[a-z]?\Z")
        | st.from_regex(r"\A[0-9/ smhd]{0,8}\Z")
        | st.integers().map(lambda n: f"{n}/{n}m")
    )
    def test_near_misses_raise_value_error_or_parse_to_positive_numbers(self, text):
        try:
            count, seconds = parse_rate(text)
        except ValueError:
            return
        assert count >= 1 and seconds >= 1

    @pytest.mark.parametrize("text", ["", "/", "10", "10/", "10/x", "0/m", "-1/m", "10/0m", "10/-2m", "a/m", "10/m/"])
    def test_rejects(self, text):
        with pytest.raises(ValueError):
            parse_rate(text)


class TestNetworkOf:
    @pytest.mark.parametrize(
        ("ip", "network"),
        [
            ("192.0.2.77", "192.0.2.0/24"),
            ("192.0.2.1", "192.0.2.0/24"),
            ("198.51.100.9", "198.51.100.0/24"),
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
            ("2001:db8::1", "2001:db8::/64"),
            ("::1", "::/64"),
            ("::ffff:192.0.2.77", "192.0.2.0/24"),
            ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ],
    )
    def test_networks(self, ip, network):
        assert network_of(ip) == network

    @pytest.mark.parametrize("ip", ["", "garbage", "300.1.2.3", "1.2.3", "::g", " 192.0.2.1", "fe80::1%"])
    def test_garbage(self, ip):
        assert network_of(ip) == "unknown"

    @given(st.ip_addresses(v=4))
    def test_every_ipv4_address_is_in_its_network(self, address):
        import ipaddress

        assert address in ipaddress.ip_network(network_of(str(address)))
        assert network_of(str(address)).endswith("/24")

    @given(st.ip_addresses(v=6))
    def test_every_ipv6_address_gets_a_network(self, address):
        import ipaddress

        network = ipaddress.ip_network(network_of(str(address)))
        assert address in network or (address.ipv4_mapped and address.ipv4_mapped in network)

    @given(st.text(max_size=50))
    def test_never_raises(self, text):
        assert isinstance(network_of(text), str)


def request_from(ip, user=None):
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    request.user = user or AnonymousUser()
    return request


@pytest.mark.django_db
class TestCheck:
    def test_counts_per_person(self):
        kari, ola = UserFactory(), UserFactory()
        for _ in range(3):
            check(request_from("192.0.2.10", kari), "scope", "3/d", "100/d")

        with pytest.raises(RateLimited) as excinfo:
            check(request_from("192.0.2.10", kari), "scope", "3/d", "100/d")
        assert 0 < excinfo.value.retry_after <= 86400
        # Another person behind the same address is not shut out by Kari.
        check(request_from("192.0.2.10", ola), "scope", "3/d", "100/d")
        # Kari from another address is still Kari.
        with pytest.raises(RateLimited):
            check(request_from("203.0.113.5", kari), "scope", "3/d", "100/d")

    def test_two_people_on_one_network_share_the_network_limit(self):
        kari, ola = UserFactory(), UserFactory()
        for _ in range(3):
            check(request_from("192.0.2.10", kari), "scope", "3/d", "5/d")
        for _ in range(2):
            check(request_from("192.0.2.200", ola), "scope", "3/d", "5/d")

        with pytest.raises(RateLimited):
            check(request_from("192.0.2.201", UserFactory()), "scope", "3/d", "5/d")
        # Another network is unaffected.
        check(request_from("198.51.100.1", UserFactory()), "scope", "3/d", "5/d")

    def test_anonymous_is_counted_by_address(self):
        for _ in range(3):
            check(request_from("192.0.2.10"), "scope", "3/d", "100/d")

        with pytest.raises(RateLimited):
            check(request_from("192.0.2.10"), "scope", "3/d", "100/d")
        check(request_from("192.0.2.11"), "scope", "3/d", "100/d")

    def test_anonymous_neighbours_share_the_network_limit(self):
        for last in range(1, 6):
            check(request_from(f"192.0.2.{last}"), "scope", "3/d", "5/d")
        with pytest.raises(RateLimited):
            check(request_from("192.0.2.99"), "scope", "3/d", "5/d")

    def test_network_limit_defaults_to_five_times_the_personal_one(self):
        for last in range(10):
            check(request_from(f"192.0.2.{last}"), "scope", "2/d")
        with pytest.raises(RateLimited):
            check(request_from("192.0.2.99"), "scope", "2/d")

    def test_scopes_are_counted_apart(self):
        check(request_from("192.0.2.10"), "one", "1/d")
        check(request_from("192.0.2.10"), "two", "1/d")
        with pytest.raises(RateLimited):
            check(request_from("192.0.2.10"), "one", "1/d")

    def test_ipv4_clients_on_a_dual_stack_socket_are_not_one_network(self):
        for last in range(1, 6):
            check(request_from(f"::ffff:192.0.2.{last}"), "scope", "3/d", "5/d")
        check(request_from("::ffff:198.51.100.1"), "scope", "3/d", "5/d")


@pytest.fixture
def write_rate(settings):
    settings.TINGET_WRITE_RATE = "3/d"
    settings.TINGET_WRITE_RATE_NETWORK = "100/d"


@pytest.mark.django_db
class TestMiddleware:
    def test_too_many_writes_get_a_readable_page(self, client, municipality, write_rate):
        url = reverse("core:hub")
        for _ in range(3):
            assert client.post(url).status_code == 405

        response = client.post(url)

        assert response.status_code == 429
        assert response["Content-Type"].startswith("text/html")
        assert 0 < int(response["Retry-After"]) <= 86400
        page = parse(response.content)
        with translation.override("nb"):
            assert page.find("h1").text == gettext("Too many attempts")
            assert str(RateLimited.default_message) in page.find("main").text
        assert response["Retry-After"] in page.find("main").text
        assert municipality.phone in response.content.decode()

    def test_the_page_follows_the_language(self, client, db, write_rate):
        with translation.override("en"):
            url = reverse("core:search")
        for _ in range(3):
            client.post(url)
        page = parse(client.post(url).content)
        assert page.find("html").attrs["lang"] == "en"
        assert page.find("h1").text == "Too many attempts"

    def test_api_gets_json(self, client, municipality, write_rate):
        url = "/api/v1/modules"
        for _ in range(3):
            client.post(url)

        response = client.post(url)

        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["code"] == "rate_limited"
        assert int(response["Retry-After"]) > 0

    def test_get_is_not_limited(self, client, municipality, write_rate):
        for _ in range(10):
            assert client.get(reverse("core:hub")).status_code == 200

    def test_every_write_method_counts(self, client, db, write_rate):
        url = reverse("core:hub")
        assert [client.post(url).status_code, client.put(url).status_code, client.patch(url).status_code] == [405] * 3
        assert client.delete(url).status_code == 429

    def test_a_signed_in_person_is_counted_apart_from_the_others_on_the_address(
        self, client, resident_client, db, write_rate
    ):
        from django.test import Client

        url = reverse("core:hub")
        for _ in range(4):
            resident_client.post(url)
        assert resident_client.post(url).status_code == 429
        assert Client().post(url).status_code == 405

    @pytest.mark.urls("tinget.core.tests.urls_errors")
    def test_a_view_limit_raised_below_the_middleware_gets_the_page(self, client, db):
        assert client.get("/test-errors/limited").status_code == 200
        assert client.get("/test-errors/limited").status_code == 200

        response = client.get("/test-errors/limited")

        assert response.status_code == 429
        assert "Retry-After" in response
        assert parse(response.content).find("h1") is not None

    @pytest.mark.urls("tinget.core.tests.urls_errors")
    def test_a_view_limit_under_api_is_json(self, client, db):
        for _ in range(2):
            client.get("/api/test-errors/limited")
        response = client.get("/api/test-errors/limited")
        assert response.status_code == 429
        assert json.loads(response.content)["code"] == "rate_limited"
