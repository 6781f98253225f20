"""Identity levels, residency checks, require_identity, the keyed hash of the pid, and the local provider's
switch."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from stdnum.no import fodselsnummer

from tinget.accounts import identity, oidc
from tinget.accounts.models import Residency
from tinget.devidp import provider

from .idporten_helpers import ASKER_PID, OSLO_PID, log_in_with_idporten, logged_in, query_of
from .pagecheck import read

ROOT = Path(__file__).resolve().parents[3]
DECLARED = "tinget.accounts.identity.DeclaredPostcodeResidencyCheck"


def en(name):
    with translation.override("en"):
        return reverse(name)


def test_every_test_person_has_a_valid_number_and_some_live_in_asker(municipality):
    people = provider.persons()
    assert all(fodselsnummer.is_valid(person["pid"]) for person in people)
    assert any(int(person["pid"][0]) >= 4 for person in people), "a D-number"
    registry = identity.RegistryResidencyCheck()
    answers = [registry.check(municipality, pid=person["pid"]).is_resident for person in people]
    assert answers.count(True) >= 3 and answers.count(False) >= 2


def test_registry_check_does_not_know_a_person_outside_it(municipality):
    assert identity.RegistryResidencyCheck().check(municipality, pid="01010112345").is_resident is False
    assert identity.RegistryResidencyCheck().check(municipality) is None


def test_declared_postcode_check(municipality):
    check = identity.DeclaredPostcodeResidencyCheck()
    assert check.check(municipality, postcode="1384").is_resident
    assert not check.check(municipality, postcode="0150").is_resident
    assert check.check(municipality, postcode="1384").source == "declared"
    assert isinstance(check, identity.ResidencyCheck)


@override_settings(IDPORTEN_PID_KEYS={"old": "old-secret"}, IDPORTEN_PID_KEY_ID="old")
def test_a_digest_made_before_a_key_rotation_is_still_found():
    key_id, before = oidc.pid_digest(ASKER_PID)
    assert key_id == "old"
    with override_settings(IDPORTEN_PID_KEYS={"old": "old-secret", "new": "new-secret"}, IDPORTEN_PID_KEY_ID="new"):
        key_id, after = oidc.pid_digest(ASKER_PID)
        assert key_id == "new" and after != before
        assert {before, after} == oidc.pid_digests(ASKER_PID)
        assert before not in oidc.pid_digests(OSLO_PID)
    assert ASKER_PID not in before


@override_settings(IDPORTEN_PID_KEYS={}, IDPORTEN_PID_KEY_ID="none")
def test_no_pid_key_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        oidc.pid_digest(ASKER_PID)


def test_a_person_logged_in_with_email_only_has_the_email_level(resident_client, resident, municipality):
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    request = RequestFactory().get("/")
    request.user = resident
    request.session = resident_client.session
    assert identity.levels(request) == {"email_verified"}
    response = resident_client.get(reverse("accounts:residency"))
    assert response.status_code == 302
    assert query_of(response["Location"])["level"] == "substantial"
    assert query_of(response["Location"])["next"] == reverse("accounts:residency")


def test_email_level_sends_a_visitor_to_the_login_page(client, municipality):
    request = RequestFactory().get("/side/?a=1")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    request.session = client.session
    response = identity.require_identity(request, level="email_verified", resident=False)
    assert response["Location"] == reverse("account_login") + "?next=%2Fside%2F%3Fa%3D1"


def test_unknown_level_is_a_programming_error(rf):
    with pytest.raises(ValueError):
        identity.require_identity(rf.get("/"), level="very-high")


def test_the_next_address_is_not_allowed_to_leave_the_site(client, idporten):
    response = log_in_with_idporten(client, next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:min_side")


def test_min_side_shows_the_level_and_offers_to_raise_it(client, idporten):
    log_in_with_idporten(client)
    page = read(client.get(en("accounts:min_side")).content.decode())
    assert page.one("dd", id="identity-level").text == "ID-porten, substantial"
    assert "Lives in Asker kommune" in page.one("dd", id="identity-residency").text
    assert any("high level" in link.text for link in page.all("a"))


def test_min_side_for_an_email_person_offers_id_porten(resident_client, idporten):
    page = read(resident_client.get(en("accounts:min_side")).content.decode())
    assert page.one("dd", id="identity-level").text == "Not confirmed"
    assert any(link.text == "Log in with ID-porten to raise your level" for link in page.all("a"))


def test_the_login_page_offers_id_porten_with_the_way_back(client, idporten):
    page = read(client.get(en("account_login") + "?next=/en/").content.decode())
    button = next(link for link in page.all("a") if link.text == "Log in with ID-porten")
    assert query_of(button.attrs["href"])["next"] == "/en/"


@override_settings(TINGET_RESIDENCY_CHECK=DECLARED)
def test_with_declared_residency_the_person_gives_a_postcode_and_comes_back(client, idporten):
    response = log_in_with_idporten(client, next_url=reverse("accounts:residency"))
    assert not Residency.objects.exists(), "a declared check asks nobody's register"
    declare = client.get(response["Location"])
    assert declare.status_code == 302
    assert declare["Location"].startswith(reverse("accounts:residency_declare"))
    bad = client.post(declare["Location"], {"postcode": "12a4", "next": reverse("accounts:residency")})
    assert bad.status_code == 400
    saved = client.post(declare["Location"], {"postcode": "1384", "next": reverse("accounts:residency")})
    assert saved["Location"] == reverse("accounts:residency")
    assert client.get(saved["Location"]).status_code == 200
    assert Residency.objects.get().source == "declared"


@override_settings(TINGET_RESIDENCY_CHECK=DECLARED)
def test_a_declared_postcode_outside_is_told_kindly(client, idporten):
    log_in_with_idporten(client)
    client.post(reverse("accounts:residency_declare"), {"postcode": "0150"})
    page = client.get(en("accounts:residency"))
    assert page.status_code == 403
    assert "The postcode you gave, 0150, is not in Asker kommune" in page.content.decode()


def test_declaring_is_not_offered_when_the_register_decides(resident_client, municipality):
    assert resident_client.get(reverse("accounts:residency_declare")).status_code == 404


@override_settings(DEV_IDP_ENABLED=False)
def test_the_local_provider_is_shut_when_its_setting_is_off(client):
    assert client.get("/dev-idp/.well-known/openid-configuration").status_code == 404
    assert client.get("/dev-idp/authorize").status_code == 404


def test_the_local_provider_publishes_its_discovery_and_keys(client):
    meta = client.get("/dev-idp/.well-known/openid-configuration").json()
    assert meta["issuer"] == "http://testserver/dev-idp"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    keys = client.get("/dev-idp/jwks").json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_production_settings_refuse_the_local_provider():
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "x" * 64,
            "ALLOWED_HOSTS": "tinget.example.no",
            "DEV_IDP_ENABLED": "true",
        }
    )
    code = "import django; django.setup()"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0
    assert "DEV_IDP_ENABLED must not be set in production" in done.stderr
    env["DEV_IDP_ENABLED"] = "false"
    fine = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert fine.returncode == 0, fine.stderr


def test_id_porten_only_person_has_no_working_email(client, idporten):
    log_in_with_idporten(client)
    assert logged_in(client)
    from tinget.accounts.models import User

    user = User.objects.get()
    assert not identity.has_working_email(user)
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    assert identity.levels(request) == {"substantial"}
