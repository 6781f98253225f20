"""id_tokens that must be refused. A stand-in provider on loopback (FakeProvider) answers the token request
with a token crafted here; everything on our side (discovery, keys, token request, checks) runs for real."""

import time

from joserfc.jwk import RSAKey

from tinget.accounts.models import Identity
from tinget.core.models import AuditEntry

from .idporten_helpers import (
    ASKER_PID,
    CLIENT_ID,
    HIGH,
    logged_in,
    query_of,
    start_login,
)


def answer_with(client, provider, make_claims, *, sign=None, level="substantial"):
    authorize = start_login(client, level=level)
    request = query_of(authorize)
    assert authorize.startswith(provider.issuer + "/authorize?")

    def make_token(form):
        claims = make_claims(request["nonce"])
        return sign(claims) if sign else provider.sign(claims)

    provider.make_token = make_token
    return client.get(f"/idporten/callback/?code=some-code&state={request['state']}")


def refused(client, response, status=400):
    assert response.status_code == status, response.content[:300]
    assert not logged_in(client)
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.idporten.refused").exists()
    return response.content.decode()


def test_a_well_made_token_logs_in(client, fake_provider):
    # The stand-in works: with nothing wrong, the same path logs the person in.
    response = answer_with(client, fake_provider, lambda nonce: fake_provider.claims(nonce))
    assert response.status_code == 302
    assert logged_in(client)
    request = fake_provider.token_requests[0]
    assert request["grant_type"] == "authorization_code"
    assert request["client_id"] == CLIENT_ID and request["client_secret"]
    assert len(request["code_verifier"]) >= 43


def test_a_wrong_nonce_is_refused(client, fake_provider):
    response = answer_with(client, fake_provider, lambda nonce: fake_provider.claims("another-" + nonce))
    assert "could not be verified" in refused(client, response)


def test_a_missing_nonce_is_refused(client, fake_provider):
    refused(client, answer_with(client, fake_provider, lambda nonce: fake_provider.claims(nonce, nonce=None)))


def test_a_wrong_issuer_is_refused(client, fake_provider):
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, iss="https://idporten.example"))
    refused(client, response)


def test_a_wrong_audience_is_refused(client, fake_provider):
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, aud="another-client"))
    refused(client, response)


def test_several_audiences_without_us_as_authorized_party_are_refused(client, fake_provider):
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, aud=[CLIENT_ID, "another"]))
    refused(client, response)


def test_an_expired_token_is_refused(client, fake_provider):
    past = int(time.time()) - 3600
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, iat=past - 120, exp=past))
    refused(client, response)


def test_a_token_issued_in_the_future_is_refused(client, fake_provider):
    later = int(time.time()) + 3600
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, iat=later, exp=later + 120))
    refused(client, response)


def test_an_unsigned_token_made_by_hand_is_refused(client, fake_provider):
    import base64
    import json

    def by_hand(claims):
        part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."

    refused(client, answer_with(client, fake_provider, lambda n: fake_provider.claims(n), sign=by_hand))


def test_a_token_signed_by_another_key_is_refused(client, fake_provider):
    response = answer_with(
        client,
        fake_provider,
        lambda n: fake_provider.claims(n),
        sign=lambda c: fake_provider.sign(c, fake_provider.other_key),
    )
    refused(client, response)


def test_a_token_signed_by_another_key_under_the_providers_key_id_is_refused(client, fake_provider):
    impostor = RSAKey.generate_key(2048)
    impostor_with_kid = RSAKey.import_key(impostor.as_dict(private=True), parameters={"kid": fake_provider.key.kid})
    response = answer_with(
        client,
        fake_provider,
        lambda n: fake_provider.claims(n),
        sign=lambda c: fake_provider.sign(c, impostor_with_kid),
    )
    refused(client, response)


def test_a_token_with_the_signature_of_hs256_over_the_public_key_is_refused(client, fake_provider):
    # The old algorithm-confusion attack: an HMAC keyed with the provider's public key. joserfc will not
    # make one, so it is made by hand.
    import base64
    import hashlib
    import hmac
    import json

    def confused(claims):
        part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
        signing_input = f"{part({'alg': 'HS256', 'kid': fake_provider.key.kid})}.{part(claims)}"
        mac = hmac.new(fake_provider.key.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    refused(client, answer_with(client, fake_provider, lambda n: fake_provider.claims(n), sign=confused))


def test_an_acr_below_what_the_action_needs_is_refused(client, fake_provider):
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n), level="high")
    assert "higher level of assurance" in refused(client, response, status=403)


def test_an_unknown_acr_is_refused(client, fake_provider):
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, acr="Level4"))
    refused(client, response, status=403)


def test_a_high_login_satisfies_a_substantial_need(client, fake_provider):
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, acr=HIGH))
    assert response.status_code == 302


def test_an_invalid_national_identity_number_is_refused(client, fake_provider):
    wrong_check_digit = ASKER_PID[:-1] + str((int(ASKER_PID[-1]) + 1) % 10)
    response = answer_with(client, fake_provider, lambda n: fake_provider.claims(n, pid=wrong_check_digit))
    assert "not valid" in refused(client, response)


def test_a_missing_national_identity_number_is_refused(client, fake_provider):
    refused(client, answer_with(client, fake_provider, lambda n: fake_provider.claims(n, pid=None)))
