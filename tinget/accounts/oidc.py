"""ID-porten login through OpenID Connect: the client side of the authorization code flow.

Everything about the provider comes from settings (IDPORTEN_ISSUER, IDPORTEN_CLIENT_ID,
IDPORTEN_CLIENT_SECRET, IDPORTEN_CLIENT_AUTH_METHOD, IDPORTEN_SCOPES); its endpoints and keys come from
its discovery document. Authlib builds the authorization request (PKCE S256) and performs the token
request; joserfc verifies the id_token (RS256 signature against the provider's JWKS, iss, aud, exp, iat,
nonce); we check `acr` against the level the action needs.

With IDPORTEN_CLIENT_AUTH_METHOD = "private_key_jwt" the client proves itself at the token endpoint with a
short-lived JWT signed by its own RSA key (IDPORTEN_CLIENT_PRIVATE_KEY or IDPORTEN_CLIENT_PRIVATE_KEY_FILE,
named by IDPORTEN_CLIENT_KEY_ID) instead of a shared secret (RFC 7523, OpenID Connect Core § 9).

The national identity number (`pid`) is never stored. What is kept is HMAC-SHA256(pid) under a server-side
key from IDPORTEN_PID_KEYS ({"key-id": "secret", ...}); IDPORTEN_PID_KEY_ID names the key new digests use.

Rotating the key: add a new key to IDPORTEN_PID_KEYS and point IDPORTEN_PID_KEY_ID at it, keeping the old
ones listed. Digests already stored (an Identity, a signature in a module) keep the id of the key that made
them; a check for "has this person already signed?" compares against `pid_digests(pid)`, the digest under
every listed key, so it still finds a signature made before the rotation. Since the pids themselves are
not kept, old digests cannot be recomputed: each Identity is moved to the new key the next time its person
logs in, and a module's own digests age out with its retention rules. A key may be removed once nothing
stored still names it.
"""

import hashlib
import hmac
import logging
import secrets
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import requests
from authlib.common.urls import add_params_to_qs
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry
from stdnum.no import fodselsnummer

from tinget.core.errors import DomainError

logger = logging.getLogger(__name__)

SUBSTANTIAL = "idporten-loa-substantial"
HIGH = "idporten-loa-high"
# ID-porten's levels of assurance, weakest first.
ACR_ORDER = (SUBSTANTIAL, HIGH)
UI_LOCALES = ("nb", "nn", "en", "se")
SESSION_PENDING = "idporten_pending"
SESSION_LOGIN = "idporten"
# A login not finished within this many seconds is forgotten; a person can have a few going at once
# (several tabs), but not an unbounded number.
PENDING_SECONDS = 600
PENDING_MAX = 5
CLOCK_LEEWAY = 30
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# ID-porten refuses a client assertion that lives longer than 120 seconds; a shorter life leaves room for
# a client clock that runs a little ahead.
CLIENT_ASSERTION_SECONDS = 60


class LoginRefused(DomainError):
    """A login through ID-porten that must not go through. `code` says why (for the audit log)."""

    default_message = _("The login through ID-porten could not be completed, so you have not been logged in.")
    code = "login_refused"


class ProviderUnavailable(DomainError):
    default_message = _("ID-porten does not answer right now. Please try again in a few minutes.")
    code = "provider_unavailable"


REFUSALS = {
    "state": _(
        "The login could not be completed: it was started in another window, took too long, or the answer "
        "from ID-porten had been changed. Please start again."
    ),
    "cancelled": _("The login at ID-porten was cancelled, so you have not been logged in."),
    "provider_error": _("ID-porten could not log you in. Please try again."),
    "token": _("ID-porten did not accept the login. Please start again."),
    "id_token": _(
        "The answer from ID-porten could not be verified, so you have not been logged in. Please start again."
    ),
    "acr": _(
        "This needs a login at a higher level of assurance, such as BankID or Buypass. Please log in again "
        "and choose a higher level."
    ),
    "pid": _("ID-porten sent a national identity number that is not valid, so you have not been logged in."),
    "conflict": _(
        "This ID-porten identity belongs to another account here. Log out, and log in with ID-porten alone "
        "to use that account."
    ),
}


def refuse(reason: str) -> LoginRefused:
    return LoginRefused(REFUSALS[reason], code=reason)


def enabled() -> bool:
    return bool(settings.IDPORTEN_ISSUER and settings.IDPORTEN_CLIENT_ID)


def acr_at_least(acr: str, needed: str) -> bool:
    return acr in ACR_ORDER and ACR_ORDER.index(acr) >= ACR_ORDER.index(needed)


# --- The keyed hash of the national identity number -------------------------------------------------------


def _pid_keys() -> dict:
    keys = settings.IDPORTEN_PID_KEYS
    if not keys or settings.IDPORTEN_PID_KEY_ID not in keys:
        raise ImproperlyConfigured("IDPORTEN_PID_KEYS must hold the key named by IDPORTEN_PID_KEY_ID.")
    return keys


def _hmac(secret: str, pid: str) -> str:
    return hmac.new(secret.encode(), pid.encode(), hashlib.sha256).hexdigest()


def pid_digest(pid: str) -> tuple[str, str]:
    """(key id, digest) of a national identity number under the current key."""
    keys = _pid_keys()
    key_id = settings.IDPORTEN_PID_KEY_ID
    return key_id, _hmac(keys[key_id], fodselsnummer.compact(pid))


def pid_digests(pid: str) -> set[str]:
    """The digest of `pid` under every key still listed, so a second signature is refused after a rotation."""
    number = fodselsnummer.compact(pid)
    return {_hmac(secret, number) for secret in _pid_keys().values()}


def birth_date(pid: str):
    """The date of birth a fødselsnummer or D-number gives, or None when it gives none."""
    try:
        return fodselsnummer.get_birth_date(pid)
    except (ValueError, ArithmeticError, Exception):  # stdnum raises its own ValidationError subclasses
        return None


def valid_pid(pid) -> bool:
    """A fødselsnummer or D-number with correct check digits (python-stdnum knows both)."""
    return isinstance(pid, str) and fodselsnummer.is_valid(pid)


# --- The provider's metadata and keys ---------------------------------------------------------------------


def _issuer() -> str:
    return settings.IDPORTEN_ISSUER.rstrip("/")


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.IDPORTEN_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("ID-porten: %s did not answer properly: %s", url, exc)
        raise ProviderUnavailable() from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable()
    return document


def metadata(refresh: bool = False) -> dict:
    """The provider's discovery document, remembered for IDPORTEN_METADATA_CACHE_SECONDS."""
    if not enabled():
        raise ProviderUnavailable()
    issuer = _issuer()
    key = f"idporten:metadata:{issuer}"
    document = None if refresh else cache.get(key)
    if document is None:
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        # OpenID Connect Discovery § 4.3: the document must name the issuer it was fetched for.
        if document.get("issuer", "").rstrip("/") != issuer:
            logger.warning("ID-porten: discovery names issuer %r, expected %r", document.get("issuer"), issuer)
            raise ProviderUnavailable()
        cache.set(key, document, settings.IDPORTEN_METADATA_CACHE_SECONDS)
    return document


def keys(refresh: bool = False) -> KeySet:
    meta = metadata()
    key = f"idporten:jwks:{meta['jwks_uri']}"
    document = None if refresh else cache.get(key)
    if document is None:
        document = _get_json(meta["jwks_uri"])
        cache.set(key, document, settings.IDPORTEN_METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise ProviderUnavailable() from exc


# --- Client authentication with a signed JWT (private_key_jwt) --------------------------------------------


def client_private_key() -> RSAKey:
    """The client's RSA key, from IDPORTEN_CLIENT_PRIVATE_KEY (PEM) or the file IDPORTEN_CLIENT_PRIVATE_KEY_FILE."""
    pem = settings.IDPORTEN_CLIENT_PRIVATE_KEY
    if not pem and settings.IDPORTEN_CLIENT_PRIVATE_KEY_FILE:
        try:
            pem = Path(settings.IDPORTEN_CLIENT_PRIVATE_KEY_FILE).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured("IDPORTEN_CLIENT_PRIVATE_KEY_FILE cannot be read.") from exc
    if not pem:
        raise ImproperlyConfigured(
            "private_key_jwt needs IDPORTEN_CLIENT_PRIVATE_KEY or IDPORTEN_CLIENT_PRIVATE_KEY_FILE."
        )
    return _import_private_key(pem)


@lru_cache(maxsize=4)
def _import_private_key(pem: str) -> RSAKey:
    try:
        key = RSAKey.import_key(pem)
    except (JoseError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured("The ID-porten client key is not an RSA key in PEM form.") from exc
    if not key.is_private:
        raise ImproperlyConfigured("The ID-porten client key must be the private key.")
    return key


def client_assertion() -> str:
    """A fresh client assertion for one token request: iss = sub = our client id, aud = the issuer (as
    ID-porten asks, rather than the token endpoint), a random jti the provider remembers to stop a replay."""
    key = client_private_key()
    now = int(time.time())
    client_id = settings.IDPORTEN_CLIENT_ID
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": _issuer(),
        "jti": secrets.token_urlsafe(32),
        "iat": now,
        "exp": now + CLIENT_ASSERTION_SECONDS,
    }
    # Without a configured id, the RFC 7638 thumbprint is what a JWKS built from the key would name it.
    header = {"alg": "RS256", "typ": "JWT", "kid": settings.IDPORTEN_CLIENT_KEY_ID or key.thumbprint()}
    return jwt.encode(header, claims, key, algorithms=["RS256"])


def _private_key_jwt(auth, method, uri, headers, body):
    """Authlib's hook for the token request: add the assertion to the form body."""
    body = add_params_to_qs(
        body or "",
        [
            ("client_id", auth.client_id),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", client_assertion()),
        ],
    )
    return uri, headers, body


def _oauth_session(redirect_uri: str) -> OAuth2Session:
    method = settings.IDPORTEN_CLIENT_AUTH_METHOD
    session = OAuth2Session(
        client_id=settings.IDPORTEN_CLIENT_ID,
        client_secret=settings.IDPORTEN_CLIENT_SECRET if method != "private_key_jwt" else None,
        scope=settings.IDPORTEN_SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
        default_timeout=settings.IDPORTEN_TIMEOUT,
    )
    session.register_client_auth_method(("private_key_jwt", _private_key_jwt))
    return session


def redirect_uri(request) -> str:
    return settings.IDPORTEN_REDIRECT_URI or request.build_absolute_uri(reverse("idporten:callback"))


def post_logout_redirect_uri(request) -> str:
    return settings.IDPORTEN_POST_LOGOUT_REDIRECT_URI or request.build_absolute_uri(reverse("idporten:logged_out"))


# --- The flow ---------------------------------------------------------------------------------------------


def begin(request, *, acr: str = SUBSTANTIAL, next_url: str = "") -> str:
    """Start a login: remember state, nonce and PKCE verifier in the session; return the provider's URL."""
    if acr not in ACR_ORDER:
        acr = SUBSTANTIAL
    meta = metadata()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    language = get_language() or settings.LANGUAGE_CODE
    callback = redirect_uri(request)
    now = time.time()
    pending = {
        s: p for s, p in request.session.get(SESSION_PENDING, {}).items() if now - p["started"] < PENDING_SECONDS
    }
    for oldest in sorted(pending, key=lambda s: pending[s]["started"])[: max(0, len(pending) - PENDING_MAX + 1)]:
        del pending[oldest]
    pending[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "acr": acr,
        "next": next_url,
        "redirect_uri": callback,
        "language": language,
        "started": now,
    }
    request.session[SESSION_PENDING] = pending
    url, _state = _oauth_session(callback).create_authorization_url(
        meta["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        acr_values=acr,
        ui_locales=language if language in UI_LOCALES else "nb",
        prompt="login",
    )
    return url


def take_pending(request) -> dict | None:
    """The login this answer belongs to, by its state; each can be finished once."""
    state = request.GET.get("state", "")
    pending = request.session.get(SESSION_PENDING, {})
    found = pending.pop(state, None) if state else None
    if found is not None:
        request.session[SESSION_PENDING] = pending
        if time.time() - found["started"] >= PENDING_SECONDS:
            return None
    return found


def finish(request, pending: dict) -> tuple[dict, str]:
    """Exchange the code and verify the id_token. Returns (claims, id_token); raises LoginRefused or
    ProviderUnavailable."""
    if request.GET.get("error"):
        raise refuse("cancelled" if request.GET["error"] == "access_denied" else "provider_error")
    meta = metadata()
    # RFC 9207: when the provider names itself in the answer, it must be the one we asked.
    if "iss" in request.GET and request.GET["iss"].rstrip("/") != _issuer():
        raise refuse("id_token")
    code = request.GET.get("code", "")
    if not code:
        raise refuse("provider_error")
    try:
        token = _oauth_session(pending["redirect_uri"]).fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=pending["verifier"],
            redirect_uri=pending["redirect_uri"],
        )
    except OAuthError as exc:
        logger.info("ID-porten refused the code: %s", exc.error)
        raise refuse("token") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ProviderUnavailable() from exc
    except (requests.RequestException, ValueError) as exc:
        raise refuse("token") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise refuse("id_token")
    claims = verify_id_token(id_token, nonce=pending["nonce"])
    if not acr_at_least(claims.get("acr", ""), pending["acr"]):
        raise refuse("acr")
    if not valid_pid(claims.get("pid")):
        raise refuse("pid")
    return claims, id_token


def verify_id_token(id_token: str, *, nonce: str) -> dict:
    """The id_token's claims once its signature (RS256, by a key in the provider's JWKS), issuer, audience,
    times and nonce check out; LoginRefused("id_token") otherwise."""
    try:
        decoded = _decode(id_token, keys())
    except _UnknownKey:
        # The provider may have rotated its key since we fetched the set: fetch it once more.
        try:
            decoded = _decode(id_token, keys(refresh=True))
        except _UnknownKey as exc:
            raise refuse("id_token") from exc
    registry = JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": _issuer()},
        aud={"essential": True, "value": settings.IDPORTEN_CLIENT_ID},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
        acr={"essential": True},
    )
    claims = decoded.claims
    try:
        registry.validate(claims)
    except JoseError as exc:
        logger.info("ID-porten: id_token refused: %s", exc)
        raise refuse("id_token") from exc
    audience = claims["aud"]
    # With several audiences, the token must have been issued to us (OpenID Connect Core § 3.1.3.7).
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != settings.IDPORTEN_CLIENT_ID:
        raise refuse("id_token")
    if claims["iat"] > time.time() + CLOCK_LEEWAY:
        raise refuse("id_token")
    return claims


class _UnknownKey(Exception):
    pass


def _decode(id_token: str, key_set: KeySet):
    try:
        kid = jws.extract_compact(id_token.encode()).protected.get("kid")
    except (JoseError, ValueError, TypeError) as exc:
        raise refuse("id_token") from exc
    if kid is not None:
        try:
            key_set.get_by_kid(kid)
        except (JoseError, ValueError, KeyError) as exc:
            raise _UnknownKey() from exc
    try:
        return jwt.decode(id_token, key_set, algorithms=["RS256"])
    except JoseError as exc:
        logger.info("ID-porten: id_token signature refused: %s", exc)
        raise refuse("id_token") from exc
    except (ValueError, TypeError) as exc:
        raise refuse("id_token") from exc


def end_session_url(request) -> str | None:
    """Where to send a person who logs out after an ID-porten login, so they are logged out there too."""
    login = request.session.get(SESSION_LOGIN)
    if not login or not enabled():
        return None
    try:
        endpoint = metadata().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": login["id_token"],
            "post_logout_redirect_uri": post_logout_redirect_uri(request),
            "state": secrets.token_urlsafe(16),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
