"""Helpers for the ID-porten tests: the local provider on the live server, a person's trip through its
login page (over HTTP, as a browser would), and a stand-in provider that answers with crafted tokens."""

import html
import json
import re
import threading
import time
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

ASKER_PID = "14437812099"  # Astrid Testesen, 1384 Asker (tinget/devidp/persons.json)
D_NUMBER_PID = "41498820024"  # Dorota Eksempel, 1396 Billingstad, a D-number
OSLO_PID = "30416441207"  # Eva Utenbys, 0150 Oslo
SUBSTANTIAL = "idporten-loa-substantial"
HIGH = "idporten-loa-high"
CLIENT_ID = "tinget-test"
CLIENT_SECRET = "test-client-secret"


def register_client(settings, origin="http://testserver"):
    settings.DEV_IDP_CLIENTS = {
        CLIENT_ID: {
            "secret": CLIENT_SECRET,
            "redirect_uris": [f"{origin}/idporten/callback/"],
            "post_logout_redirect_uris": [f"{origin}/idporten/logged-out/"],
        }
    }


@pytest.fixture
def idporten(live_server, settings, municipality):
    """The real local provider, served by the live server; our client fetches from it over loopback."""
    settings.IDPORTEN_ISSUER = f"{live_server.url}/dev-idp"
    settings.IDPORTEN_CLIENT_ID = CLIENT_ID
    settings.IDPORTEN_CLIENT_SECRET = CLIENT_SECRET
    register_client(settings)
    return live_server


def hidden_inputs(page: str) -> dict:
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)
    }


def choose_at_provider(authorize_url: str, *, pid: str, acr: str = SUBSTANTIAL, cancel: bool = False) -> str:
    """What a person does on the provider's page: pick a test person and a level, press the button.
    Returns where the provider sends the browser back to."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    data = hidden_inputs(page.text)
    data.update({"pid": pid, "acr": acr})
    data["cancel" if cancel else "login"] = "1"
    answer = browser.post(authorize_url, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_login(client, *, level="substantial", next_url="", language="en"):
    from django.utils import translation

    with translation.override(language):
        start = reverse("accounts:idporten_login")
    response = client.get(start + "?" + urlencode({"level": level, "next": next_url}))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def log_in_with_idporten(client, *, pid=ASKER_PID, acr=SUBSTANTIAL, level="substantial", next_url=""):
    """The whole journey; returns the answer to the callback."""
    authorize = start_login(client, level=level, next_url=next_url)
    back = choose_at_provider(authorize, pid=pid, acr=acr)
    return client.get(local_path(back))


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@lru_cache(maxsize=1)
def _keys():
    # RSA keys take a while to make; one pair serves every test in a process.
    return RSAKey.generate_key(2048, auto_kid=True), RSAKey.generate_key(2048, auto_kid=True)


class FakeProvider:
    """A stand-in for an outside OpenID Connect provider on loopback: discovery and keys like a real one,
    and a token endpoint that answers with whatever id_token the test made (`make_token(grant)`)."""

    def __init__(self):
        self.key, self.other_key = _keys()
        self.make_token = None
        self.token_requests = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, document, status=200):
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif self.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                self._json({"access_token": "x", "token_type": "Bearer", "id_token": provider.make_token(form)})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/endsession",
        }

    def claims(self, expected_nonce, /, **changes):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "pairwise-subject-1",
            "pid": ASKER_PID,
            "acr": SUBSTANTIAL,
            "amr": ["TestID"],
            "nonce": expected_nonce,
            "iat": now,
            "exp": now + 120,
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims, key=None, alg="RS256"):
        key = key or self.key
        return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_provider(settings, municipality):
    provider = FakeProvider()
    settings.IDPORTEN_ISSUER = provider.issuer
    settings.IDPORTEN_CLIENT_ID = CLIENT_ID
    settings.IDPORTEN_CLIENT_SECRET = CLIENT_SECRET
    yield provider
    provider.close()


def fresh_code(verifier, *, scope="openid", acr=SUBSTANTIAL):
    """A code the local provider has issued for Astrid, as if she had just logged in at its page; for tests
    that call the token endpoint directly."""
    from tinget.devidp import provider

    return provider.issue_code(
        client_id=CLIENT_ID,
        redirect_uri="http://testserver/idporten/callback/",
        code_challenge=provider.s256(verifier),
        nonce="n",
        scope=scope,
        pid=ASKER_PID,
        acr=acr,
        auth_time=0,
    )
