"""ID-porten login against the real local provider (tinget/devidp) on the live server, over HTTP."""

import requests
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tinget.accounts import oidc
from tinget.accounts.models import Identity, Residency, User
from tinget.core.models import AuditEntry

from .idporten_helpers import (
    ASKER_PID,
    CLIENT_ID,
    CLIENT_SECRET,
    D_NUMBER_PID,
    HIGH,
    OSLO_PID,
    choose_at_provider,
    fresh_code,
    local_path,
    log_in_with_idporten,
    logged_in,
    query_of,
    start_login,
)


def residency_url(language="nb"):
    with translation.override(language):
        return reverse("accounts:residency")


def test_resident_starts_on_a_page_for_residents_and_lands_back_on_it(client, idporten):
    first = client.get(residency_url("en"))
    assert first.status_code == 302
    authorize = client.get(first["Location"])["Location"]
    assert authorize.startswith(f"{idporten.url}/dev-idp/authorize?")
    request = query_of(authorize)
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) == 43
    assert request["state"] and request["nonce"] and request["acr_values"] == "idporten-loa-substantial"
    assert request["ui_locales"] == "en"

    back = choose_at_provider(authorize, pid=ASKER_PID)
    landed = client.get(local_path(back))

    assert landed.status_code == 302
    assert landed["Location"] == residency_url("en")
    page = client.get(landed["Location"])
    assert page.status_code == 200
    assert "Asker kommune" in page.content.decode()
    identity = Identity.objects.get()
    assert identity.acr == "idporten-loa-substantial"
    assert ASKER_PID not in identity.pid_digest
    assert identity.pid_digest in oidc.pid_digests(ASKER_PID)
    assert identity.user.email.endswith("@idporten.invalid")
    residency = Residency.objects.get(user=identity.user)
    assert (residency.is_resident, residency.source, residency.postcode) == (True, "registry", "1384")


def test_login_is_audited_without_the_pid(client, idporten):
    log_in_with_idporten(client)
    entry = AuditEntry.objects.get(action="accounts.idporten.login")
    assert entry.data["acr"] == "idporten-loa-substantial"
    assert ASKER_PID not in str(entry.data) + entry.target_label + entry.actor_label


def test_the_same_person_is_found_again_on_the_pairwise_subject(client, idporten):
    log_in_with_idporten(client)
    client.logout()
    log_in_with_idporten(client, acr=HIGH)
    assert User.objects.count() == 1
    assert Identity.objects.get().acr == HIGH


def test_a_d_number_person_logs_in(client, idporten):
    response = log_in_with_idporten(client, pid=D_NUMBER_PID)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_person_logged_in_with_email_gets_the_identity_on_their_account(resident_client, resident, idporten):
    log_in_with_idporten(resident_client)
    assert Identity.objects.get().user == resident
    assert int(resident_client.session["_auth_user_id"]) == resident.pk


def test_a_person_from_outside_is_told_kindly_why_they_cannot_take_part(client, idporten):
    response = log_in_with_idporten(client, pid=OSLO_PID, next_url=residency_url("en"))
    assert response["Location"] == residency_url("en")
    page = client.get(response["Location"])
    assert page.status_code == 403
    text = page.content.decode()
    assert "This is for people who live in Asker kommune" in text
    assert "According to the population register, you do not live in Asker kommune" in text
    assert "66 70 00 00" in text
    assert Residency.objects.get().is_resident is False


def test_ui_locales_follow_the_page_language(client, idporten):
    assert query_of(start_login(client, language="en"))["ui_locales"] == "en"
    assert query_of(start_login(client, language="nn"))["ui_locales"] == "nn"


def test_a_page_that_needs_a_high_level_asks_for_it_and_refuses_substantial(client, idporten):
    authorize = start_login(client, level="high")
    assert query_of(authorize)["acr_values"] == HIGH
    back = choose_at_provider(authorize, pid=ASKER_PID, acr="idporten-loa-substantial")
    response = client.get(local_path(back))
    assert response.status_code == 403
    assert "higher level of assurance" in response.content.decode()
    assert not logged_in(client)
    assert AuditEntry.objects.filter(action="accounts.idporten.refused", data__reason="acr").exists()


def test_a_tampered_state_is_refused(client, idporten):
    back = choose_at_provider(start_login(client), pid=ASKER_PID)
    response = client.get(local_path(back).replace("state=", "state=x"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "You have not been logged in" in response.content.decode()
    assert not logged_in(client)
    assert AuditEntry.objects.filter(action="accounts.idporten.refused", data__reason="state").exists()


def test_a_missing_state_is_refused(client, idporten):
    back = choose_at_provider(start_login(client), pid=ASKER_PID)
    response = client.get("/idporten/callback/?code=" + query_of(back)["code"])
    assert response.status_code == 400
    assert not logged_in(client)


def test_an_answer_meant_for_another_browser_is_refused(client, idporten):
    # A login started by someone else (login CSRF): its state is not in this browser's session.
    other = Client()
    back = choose_at_provider(start_login(other), pid=OSLO_PID)
    response = client.get(local_path(back))
    assert response.status_code == 400
    assert not logged_in(client)
    assert not Identity.objects.exists()


def test_a_replayed_code_is_refused(client, idporten):
    back = choose_at_provider(start_login(client), pid=ASKER_PID)
    assert client.get(local_path(back)).status_code == 302
    client.logout()
    # The same code, with a fresh login's state: the provider must not accept the code a second time.
    state = query_of(start_login(client))["state"]
    response = client.get(f"/idporten/callback/?code={query_of(back)['code']}&state={state}")
    assert response.status_code == 400
    assert "did not accept the login" in response.content.decode()
    assert not logged_in(client)


def test_the_provider_refuses_a_code_used_twice_even_with_the_right_verifier(idporten):
    # The token endpoint itself, as a client that keeps its verifier would call it.

    verifier = "v" * 64
    code = fresh_code(verifier)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://testserver/idporten/callback/",
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    first = requests.post(f"{idporten.url}/dev-idp/token", data=form, timeout=10)
    second = requests.post(f"{idporten.url}/dev-idp/token", data=form, timeout=10)
    assert first.status_code == 200 and "id_token" in first.json()
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_the_provider_refuses_a_wrong_verifier_and_a_wrong_secret(idporten):

    code = fresh_code("right" * 10)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://testserver/idporten/callback/",
        "code_verifier": "wrong" * 10,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert (
        requests.post(f"{idporten.url}/dev-idp/token", data={**form, "client_secret": "no"}, timeout=10).status_code
        == 401
    )
    wrong = requests.post(f"{idporten.url}/dev-idp/token", data=form, timeout=10)
    assert wrong.json()["error"] == "invalid_grant"


def test_cancelling_at_the_provider_logs_nobody_in(client, idporten):
    back = choose_at_provider(start_login(client), pid=ASKER_PID, cancel=True)
    response = client.get(local_path(back))
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert not logged_in(client)


def test_a_provider_that_does_not_answer_gets_a_friendly_page(client, settings, municipality):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.IDPORTEN_ISSUER = f"http://127.0.0.1:{port}/dev-idp"
    with translation.override("en"):
        response = client.get(reverse("accounts:idporten_login"))
    assert response.status_code == 503
    assert "ID-porten does not answer" in response.content.decode()
    assert not logged_in(client)


def test_the_provider_going_away_between_start_and_answer_gets_a_friendly_page(client, idporten, settings):
    back = choose_at_provider(start_login(client), pid=ASKER_PID)
    settings.IDPORTEN_METADATA_CACHE_SECONDS = 600
    from django.core.cache import cache

    metadata = oidc.metadata()
    cache.set(
        f"idporten:metadata:{settings.IDPORTEN_ISSUER}", {**metadata, "token_endpoint": "http://127.0.0.1:9/token"}
    )
    response = client.get(local_path(back))
    assert response.status_code == 503
    assert not logged_in(client)


def test_logging_out_logs_out_at_the_provider_too(client, idporten):
    log_in_with_idporten(client)
    response = client.post(reverse("account_logout"))
    assert not logged_in(client)
    end_session = response["Location"]
    assert end_session.startswith(f"{idporten.url}/dev-idp/endsession?")
    assert query_of(end_session)["post_logout_redirect_uri"] == "http://testserver/idporten/logged-out/"
    back = requests.get(end_session, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    assert back.headers["Location"].startswith("http://testserver/idporten/logged-out/?state=")
    assert client.get(local_path(back.headers["Location"]))["Location"] == reverse("core:hub")


def test_the_provider_refuses_an_unknown_client_or_redirect_address(client, idporten):
    authorize = start_login(client)
    wrong_client = requests.get(authorize.replace(f"client_id={CLIENT_ID}", "client_id=someone"), timeout=10)
    wrong_redirect = requests.get(authorize.replace("testserver", "evil.example"), timeout=10, allow_redirects=False)
    assert wrong_client.status_code == 400
    assert wrong_redirect.status_code == 400


def test_the_provider_sends_back_a_request_without_pkce(client, idporten):
    authorize = start_login(client)
    answer = requests.get(
        authorize.replace("code_challenge_method=S256", "code_challenge_method=plain"),
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_request"


def test_the_client_can_authenticate_with_http_basic(client, idporten, settings):
    settings.IDPORTEN_CLIENT_AUTH_METHOD = "client_secret_basic"
    assert log_in_with_idporten(client).status_code == 302
    assert logged_in(client)


def test_a_wrong_client_secret_is_refused_without_a_login(client, idporten, settings):
    settings.IDPORTEN_CLIENT_SECRET = "not-the-secret"
    response = log_in_with_idporten(client)
    assert response.status_code == 400
    assert not logged_in(client)


def test_userinfo_answers_for_the_access_token_only(client, idporten):

    verifier = "u" * 64
    code = fresh_code(verifier, scope="openid profile", acr=HIGH)
    tokens = requests.post(
        f"{idporten.url}/dev-idp/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/idporten/callback/",
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    ).json()
    info = requests.get(
        f"{idporten.url}/dev-idp/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert info.json()["pid"] == ASKER_PID and info.json()["given_name"] == "Astrid"
    wrong = requests.get(f"{idporten.url}/dev-idp/userinfo", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
