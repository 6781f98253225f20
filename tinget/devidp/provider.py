"""The local OpenID Connect provider's workings: its signing key, its test persons, its codes and tokens.

It speaks ID-porten's dialect (code flow with PKCE S256, `pid`, pairwise `sub`, `acr`, `amr`) so that the
client in tinget.accounts.oidc is exercised exactly as it will be against idporten.no. Codes and access
tokens live in the cache with short lifetimes; the RSA key is generated once into settings.DEV_IDP_KEY_FILE.
A client registered with "token_endpoint_auth_method": "private_key_jwt" authenticates at the token endpoint
with a JWT signed by one of the keys in its "jwks" (RFC 7523), checked as ID-porten checks it.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

PERSONS_FILE = Path(__file__).with_name("persons.json")
LEVELS = ("idporten-loa-substantial", "idporten-loa-high")
CODE_SECONDS = 60
ACCESS_TOKEN_SECONDS = 120
ID_TOKEN_SECONDS = 120
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# ID-porten accepts a client assertion that expires at most 120 seconds ahead; clocks may differ a little.
CLIENT_ASSERTION_MAX_SECONDS = 120
CLOCK_LEEWAY = 10


class ProviderError(Exception):
    """An OAuth error answered to the client: `error` is the protocol's code, `description` for people."""

    def __init__(self, error, description=""):
        super().__init__(description or error)
        self.error = error
        self.description = description


def persons() -> list[dict]:
    return _persons(str(PERSONS_FILE))


@lru_cache(maxsize=4)
def _persons(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["persons"]


def person(pid: str) -> dict | None:
    return next((p for p in persons() if p["pid"] == pid), None)


def signing_key() -> RSAKey:
    return _signing_key(str(settings.DEV_IDP_KEY_FILE))


@lru_cache(maxsize=4)
def _signing_key(path: str) -> RSAKey:
    """The provider's RSA key, generated on first use. Several processes (runserver's reloader, test
    workers) may start at once: the key is written to a private temporary file and linked into place,
    which fails if another process got there first, so all of them end up using the same key."""
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, private=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key.as_pem(private=True))
        try:
            os.link(temporary, target)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = RSAKey.import_key(target.read_bytes(), parameters={"use": "sig", "alg": "RS256"})
    key.ensure_kid()
    return key


def jwks() -> dict:
    return {"keys": [signing_key().as_dict(private=False)]}


def client(client_id: str) -> dict | None:
    return settings.DEV_IDP_CLIENTS.get(client_id)


def _refuse_client(description: str) -> ProviderError:
    return ProviderError("invalid_client", description)


def authenticate_client_assertion(*, assertion_type: str, assertion: str, client_id: str, audiences) -> str:
    """The id of the client whose private_key_jwt assertion checks out: signed RS256 by a key the client
    registered, iss = sub = the client, aud naming this provider (issuer or token endpoint, any of
    `audiences`), exp in the future but no more than CLIENT_ASSERTION_MAX_SECONDS ahead, and a jti not seen
    before. Raises ProviderError("invalid_client") otherwise."""
    if assertion_type != CLIENT_ASSERTION_TYPE:
        raise _refuse_client("client_assertion_type must be " + CLIENT_ASSERTION_TYPE)
    # client_id is optional with an assertion (RFC 7521 § 4.2): the unverified issuer says whose keys to
    # try, and the signature then has to prove it.
    try:
        unverified = json.loads(jws.extract_compact(assertion.encode()).payload)
    except (JoseError, ValueError, TypeError, UnicodeError) as exc:
        raise _refuse_client("The client_assertion is not a JWT.") from exc
    claimed = unverified.get("iss") if isinstance(unverified, dict) else None
    if not isinstance(claimed, str) or (client_id and client_id != claimed):
        raise _refuse_client("The client_assertion's iss does not name the client.")
    registered = client(claimed)
    if registered is None or registered.get("token_endpoint_auth_method") != "private_key_jwt":
        raise _refuse_client("The client is not registered for private_key_jwt.")
    try:
        key_set = KeySet.import_key_set(registered.get("jwks") or {"keys": []})
        claims = jwt.decode(assertion, key_set, algorithms=["RS256"]).claims
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise _refuse_client("The client_assertion is not signed by a key registered for the client.") from exc
    if claims.get("iss") != claimed or claims.get("sub") != claimed:
        raise _refuse_client("The client_assertion's iss and sub must both be the client_id.")
    audience = claims.get("aud")
    named = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if not set(audiences) & {a for a in named if isinstance(a, str)}:
        raise _refuse_client("The client_assertion's aud is not this provider.")
    now = int(time.time())
    expires = claims.get("exp")
    if not isinstance(expires, int) or isinstance(expires, bool) or expires <= now - CLOCK_LEEWAY:
        raise _refuse_client("The client_assertion has expired.")
    if expires > now + CLIENT_ASSERTION_MAX_SECONDS + CLOCK_LEEWAY:
        raise _refuse_client(f"The client_assertion may live at most {CLIENT_ASSERTION_MAX_SECONDS} seconds.")
    issued = claims.get("iat")
    if issued is not None and (not isinstance(issued, int) or issued > now + CLOCK_LEEWAY):
        raise _refuse_client("The client_assertion's iat is in the future.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise _refuse_client("The client_assertion needs a jti.")
    # Remembered until the assertion could no longer pass the exp check anyway; cache.add is atomic, so of
    # two requests with the same assertion only one is first.
    seen = hashlib.sha256(f"{claimed}\x00{jti}".encode()).hexdigest()
    if not cache.add(f"devidp:jti:{seen}", True, expires - now + CLOCK_LEEWAY + 1):
        raise _refuse_client("The client_assertion has been used before.")
    return claimed


def pairwise_subject(pid: str, client_id: str) -> str:
    """ID-porten gives each client its own `sub` for a person, so clients cannot join their records."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{client_id}\x00{pid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def issue_code(**grant) -> str:
    code = secrets.token_urlsafe(32)
    cache.set(f"devidp:code:{code}", grant, CODE_SECONDS)
    return code


def redeem_code(*, issuer, code, client_id, redirect_uri, code_verifier) -> dict:
    """Exchange a code for tokens, once. Raises ProviderError with the protocol's error code."""
    grant = cache.get(f"devidp:code:{code}") if code else None
    if grant is None:
        raise ProviderError("invalid_grant", "The code is unknown or has expired.")
    # cache.add is atomic: of two requests with the same code, only one is first.
    if not cache.add(f"devidp:code-used:{code}", True, CODE_SECONDS * 10):
        raise ProviderError("invalid_grant", "The code has already been used.")
    if grant["client_id"] != client_id:
        raise ProviderError("invalid_grant", "The code was issued to another client.")
    if grant["redirect_uri"] != redirect_uri:
        raise ProviderError("invalid_grant", "redirect_uri differs from the authorization request.")
    if not code_verifier or not hmac.compare_digest(s256(code_verifier), grant["code_challenge"]):
        raise ProviderError("invalid_grant", "The PKCE code_verifier does not match the code_challenge.")
    now = int(time.time())
    subject = pairwise_subject(grant["pid"], client_id)
    claims = {
        "iss": issuer,
        "aud": client_id,
        "sub": subject,
        "pid": grant["pid"],
        "acr": grant["acr"],
        "amr": ["TestID"],
        "nonce": grant["nonce"],
        "auth_time": grant["auth_time"],
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "jti": secrets.token_urlsafe(16),
        "locale": grant.get("ui_locales", "nb"),
    }
    found = person(grant["pid"]) or {}
    if "profile" in grant["scope"].split():
        claims.update(
            {
                "given_name": found.get("given_name", ""),
                "family_name": found.get("family_name", ""),
                "name": f"{found.get('given_name', '')} {found.get('family_name', '')}".strip(),
            }
        )
    key = signing_key()
    id_token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
    access_token = secrets.token_urlsafe(32)
    userinfo = {k: v for k, v in claims.items() if k in ("sub", "pid", "given_name", "family_name", "name", "locale")}
    cache.set(f"devidp:access:{access_token}", userinfo, ACCESS_TOKEN_SECONDS)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "id_token": id_token,
        "scope": grant["scope"],
    }


def userinfo(access_token: str) -> dict | None:
    return cache.get(f"devidp:access:{access_token}") if access_token else None


def verify_own_id_token(token: str, issuer: str) -> dict | None:
    """The claims of an id_token this provider issued (for end-session's id_token_hint), expired or not."""
    try:
        decoded = jwt.decode(token, signing_key(), algorithms=["RS256"])
    except Exception:
        return None
    return decoded.claims if decoded.claims.get("iss") == issuer else None
