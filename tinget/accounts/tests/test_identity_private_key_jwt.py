"""ID-porten login with private_key_jwt client authentication (RFC 7523), against the real local provider
(tinget/devidp) on the live server, over HTTP."""

import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from joserfc import jws, jwt
from joserfc.jwk import OctKey, RSAKey

from tinget.accounts import oidc
from tinget.accounts.models import Identity
from tinget.core.models import AuditEntry

from .idporten_helpers import (
    ASKER_PID,
    CLIENT_ID,
    choose_at_provider,
    fresh_code,
    local_path,
    log_in_with_idporten,
    logged_in,
    start_login,
)

ROOT = Path(__file__).resolve().parents[3]
KEY_ID = "tinget-test-signing-1"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REDIRECT_URI = "http://testserver/idporten/callback/"


@pytest.fixture(scope="module")
def client_keys():
    # RSA keys take a while to make: the registered key and a stranger, shared by the module's tests.
    return RSAKey.generate_key(2048, private=True), RSAKey.generate_key(2048, private=True)


def public_jwk(key, kid):
    return {**key.as_dict(private=False), "kid": kid, "use": "sig", "alg": "RS256"}


def register_signing_client(settings, *jwks):
    settings.DEV_IDP_CLIENTS = {
        CLIENT_ID: {
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": list(jwks)},
            "redirect_uris": [REDIRECT_URI],
            "post_logout_redirect_uris": ["http://testserver/idporten/logged-out/"],
        }
    }


@pytest.fixture
def signing_idporten(idporten, settings, client_keys):
    """The local provider knows our client by its public key only; our client signs with the private key."""
    key, _stranger = client_keys
    register_signing_client(settings, public_jwk(key, KEY_ID))
    settings.IDPORTEN_CLIENT_AUTH_METHOD = "private_key_jwt"
    settings.IDPORTEN_CLIENT_SECRET = ""
    settings.IDPORTEN_CLIENT_PRIVATE_KEY = key.as_pem(private=True).decode()
    settings.IDPORTEN_CLIENT_PRIVATE_KEY_FILE = ""
    settings.IDPORTEN_CLIENT_KEY_ID = KEY_ID
    return idporten


def assert_refused(client, response):
    assert response.status_code == 400
    assert "did not accept the login" in response.content.decode()
    assert not logged_in(client)
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.idporten.refused", data__reason="token").exists()


# --- Our client's assertion -------------------------------------------------------------------------------


def test_the_assertion_names_us_the_issuer_and_a_short_life(signing_idporten, settings, client_keys):
    assertion = oidc.client_assertion()
    header = jws.extract_compact(assertion.encode()).protected
    assert header["alg"] == "RS256" and header["kid"] == KEY_ID
    claims = jwt.decode(assertion, client_keys[0], algorithms=["RS256"]).claims
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == settings.IDPORTEN_ISSUER
    assert 0 < claims["exp"] - claims["iat"] <= 120
    assert abs(claims["iat"] - time.time()) < 5
    assert len(claims["jti"]) >= 32
    assert oidc.client_assertion() != assertion


def test_the_client_key_must_be_configured(settings):
    settings.IDPORTEN_CLIENT_PRIVATE_KEY = ""
    settings.IDPORTEN_CLIENT_PRIVATE_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured):
        oidc.client_private_key()
    settings.IDPORTEN_CLIENT_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    with pytest.raises(ImproperlyConfigured):
        oidc.client_private_key()


# --- The whole login ---------------------------------------------------------------------------------------


def test_login_with_a_signed_client_assertion(client, signing_idporten):
    response = log_in_with_idporten(client)
    assert response.status_code == 302
    assert logged_in(client)
    assert Identity.objects.get().pid_digest in oidc.pid_digests(ASKER_PID)


def test_login_with_the_key_in_a_file_named_by_its_thumbprint(
    client, signing_idporten, settings, client_keys, tmp_path
):
    key = client_keys[0]
    path = tmp_path / "client-key.pem"
    path.write_bytes(key.as_pem(private=True))
    settings.IDPORTEN_CLIENT_PRIVATE_KEY = ""
    settings.IDPORTEN_CLIENT_PRIVATE_KEY_FILE = str(path)
    settings.IDPORTEN_CLIENT_KEY_ID = ""
    register_signing_client(settings, public_jwk(key, key.thumbprint()))
    assert log_in_with_idporten(client).status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("kid", [KEY_ID, "a-key-the-provider-never-saw"])
def test_a_key_the_provider_does_not_know_is_refused(client, signing_idporten, settings, client_keys, kid):
    # The stranger's key, once under the registered key's name (the signature fails) and once under its own.
    settings.IDPORTEN_CLIENT_PRIVATE_KEY = client_keys[1].as_pem(private=True).decode()
    settings.IDPORTEN_CLIENT_KEY_ID = kid
    assert_refused(client, log_in_with_idporten(client))


def test_an_assertion_made_out_to_another_issuer_is_refused(client, signing_idporten, settings, caplog):
    # The client knows the provider as http://localhost:PORT/dev-idp and makes its assertions out to that.
    # Pointing the token request at http://127.0.0.1:PORT sends it to the same server under another name,
    # whose issuer that audience is not.
    authorize = start_login(client)
    meta = oidc.metadata()
    assert "//localhost:" in meta["token_endpoint"]
    cache.set(
        f"idporten:metadata:{settings.IDPORTEN_ISSUER}",
        {**meta, "token_endpoint": meta["token_endpoint"].replace("//localhost:", "//127.0.0.1:")},
    )
    back = choose_at_provider(authorize, pid=ASKER_PID)
    with caplog.at_level(logging.INFO, logger="tinget.accounts.oidc"):
        response = client.get(local_path(back))
    assert_refused(client, response)
    assert "invalid_client" in caplog.text


def test_a_client_registered_for_private_key_jwt_cannot_use_a_secret(client, signing_idporten, settings):
    settings.IDPORTEN_CLIENT_AUTH_METHOD = "client_secret_post"
    settings.IDPORTEN_CLIENT_SECRET = "anything"
    assert_refused(client, log_in_with_idporten(client))


# --- The provider's token endpoint, called directly ---------------------------------------------------------


def redeem(live_server, assertion, **changes):
    verifier = secrets.token_urlsafe(48)
    form = {
        "grant_type": "authorization_code",
        "code": fresh_code(verifier),
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **changes,
    }
    return requests.post(f"{live_server.url}/dev-idp/token", data=form, timeout=10)


def sign(key, *, aud, **changes):
    """An assertion as a well-behaved client makes it, but for `changes` (None leaves a claim out)."""
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": aud,
        "jti": secrets.token_urlsafe(32),
        "iat": now,
        "exp": now + 60,
        **changes,
    }
    return jwt.encode({"alg": "RS256", "kid": KEY_ID}, {k: v for k, v in claims.items() if v is not None}, key)


def refused(answer):
    return answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_a_replayed_assertion_is_refused_even_with_a_fresh_code(signing_idporten, client_keys):
    issuer = f"{signing_idporten.url}/dev-idp"
    assertion = sign(client_keys[0], aud=issuer)
    first = redeem(signing_idporten, assertion)
    assert first.status_code == 200 and "id_token" in first.json()
    second = redeem(signing_idporten, assertion)
    assert refused(second)
    assert "used before" in second.json()["error_description"]


def test_the_provider_checks_every_claim_of_the_assertion(signing_idporten, client_keys):
    key, stranger = client_keys
    issuer = f"{signing_idporten.url}/dev-idp"
    now = int(time.time())
    # Each of these differs from an acceptable assertion in one point only.
    assert redeem(signing_idporten, sign(key, aud=issuer)).status_code == 200
    assert redeem(signing_idporten, sign(key, aud=[f"{issuer}/token"])).status_code == 200
    assert redeem(signing_idporten, sign(key, aud=issuer), client_id="").status_code == 200
    assert refused(redeem(signing_idporten, sign(key, aud=issuer, iat=now - 300, exp=now - 60)))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer, exp=now + 3600)))
    assert refused(redeem(signing_idporten, sign(key, aud="https://idporten.no")))
    assert refused(redeem(signing_idporten, sign(key, aud=f"{issuer}/authorize")))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer, sub="someone-else")))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer, jti=None)))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer, exp=None)))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer, iat=now + 600)))
    assert refused(redeem(signing_idporten, sign(stranger, aud=issuer)))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer), client_id="someone-else"))
    assert refused(redeem(signing_idporten, sign(key, aud=issuer), client_assertion_type="urn:other"))
    hs256 = jwt.encode(
        {"alg": "HS256", "kid": KEY_ID},
        {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": issuer, "jti": "x" * 32, "exp": now + 60},
        OctKey.import_key("a-shared-secret-of-sufficient-length-32b"),
    )
    assert refused(redeem(signing_idporten, hs256))


def test_an_expired_assertion_is_refused_with_a_reason(signing_idporten, client_keys):
    now = int(time.time())
    answer = redeem(signing_idporten, sign(client_keys[0], aud=f"{signing_idporten.url}/dev-idp", exp=now - 60))
    assert refused(answer)
    assert "expired" in answer.json()["error_description"]


def test_a_secret_client_cannot_present_an_assertion(idporten, client_keys):
    # tinget-test is registered with a secret here (the idporten fixture), and no keys.
    answer = redeem(idporten, sign(client_keys[0], aud=f"{idporten.url}/dev-idp"))
    assert refused(answer)


def test_discovery_advertises_private_key_jwt(client):
    meta = client.get("/dev-idp/.well-known/openid-configuration").json()
    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]
    assert meta["token_endpoint_auth_signing_alg_values_supported"] == ["RS256"]


# --- Production settings ------------------------------------------------------------------------------------


def test_production_settings_need_the_client_key_for_private_key_jwt(tmp_path):
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "x" * 64,
            "ALLOWED_HOSTS": "tinget.example.no",
            "IDPORTEN_ISSUER": "https://idporten.no",
            "IDPORTEN_CLIENT_ID": "tinget-asker",
            "IDPORTEN_PID_KEYS": '{"prod-1": "a-long-random-pid-key"}',
            "IDPORTEN_PID_KEY_ID": "prod-1",
            "IDPORTEN_CLIENT_AUTH_METHOD": "private_key_jwt",
        }
    )

    def start(**extra):
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    missing = start()
    assert missing.returncode != 0
    assert "IDPORTEN_CLIENT_AUTH_METHOD is private_key_jwt" in missing.stderr
    absent_file = start(IDPORTEN_CLIENT_PRIVATE_KEY_FILE=str(tmp_path / "nowhere.pem"))
    assert absent_file.returncode != 0
    path = tmp_path / "client-key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n")
    assert start(IDPORTEN_CLIENT_PRIVATE_KEY_FILE=str(path)).returncode == 0
    with_pem = start(IDPORTEN_CLIENT_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----")
    assert with_pem.returncode == 0, with_pem.stderr
    assert start(IDPORTEN_CLIENT_AUTH_METHOD="client_secret_post").returncode == 0
