"""Signing over HTTP, per the contract in var/HELPERS.md: GET `sign` is the confirmation, POST signs and answers
303 to `signed`, or the confirmation again with 409 (signed already), 403 (not a resident) or 410 (not taking
signatures). The level comes from the ID-porten login; residency and the rest from the service."""

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import CommittingClient
from tinget.accounts import oidc
from tinget.core.models import Follow
from tinget.core.tests.html import parse
from tinget.initiatives import services
from tinget.initiatives.models import Initiative, Signature

from .conftest import EVA, idporten_client
from .test_public import hand_over_now, reverse

pytestmark = pytest.mark.django_db


def sign_url(initiative):
    return reverse("initiatives:sign", args=[initiative.pk])


def post_sign(client, initiative, **fields):
    return client.post(sign_url(initiative), fields)


def assert_goes_to_idporten(response, initiative):
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("accounts:idporten_login")
    query = parse_qs(target.query)
    assert query["level"] == ["substantial"]
    assert query["next"] == [sign_url(initiative)]


@pytest.fixture
def outsider_client(outsider):
    return idporten_client(outsider)


# --- The confirmation (GET) -------------------------------------------------------------------------------


def test_the_confirmation_asks_for_name_and_follow(signer_client, collecting):
    response = signer_client.get(sign_url(collecting))
    assert response.status_code == 200
    document = parse(response.content)
    form = document.find("form", action=sign_url(collecting))
    assert form.attrs["method"] == "post"
    show_name = document.find("input", name="show_name")
    follow = document.find("input", name="follow")
    assert show_name.attrs["type"] == "checkbox" and "checked" not in show_name.attrs
    assert follow.attrs["type"] == "checkbox" and "checked" in follow.attrs
    assert document.find("label", for_=show_name.attrs["id"]) is not None
    content = response.content.decode()
    assert collecting.title in content and collecting.proposal in content
    assert "Bjørn Prøvestad" in content
    assert "no-cache" in response["Cache-Control"]


def test_not_logged_in_goes_to_idporten_and_back(client, collecting):
    assert_goes_to_idporten(client.get(sign_url(collecting)), collecting)


def test_logged_in_with_a_password_only_goes_to_idporten(client, collecting, signer):
    client.force_login(signer)
    assert_goes_to_idporten(client.get(sign_url(collecting)), collecting)


def test_too_low_a_level_goes_to_idporten(collecting, signer):
    client = idporten_client(signer, acr="idporten-loa-low")
    assert_goes_to_idporten(client.get(sign_url(collecting)), collecting)
    assert_goes_to_idporten(post_sign(client, collecting, follow="on"), collecting)
    assert not Signature.objects.exists()


def test_a_non_resident_gets_the_kind_page(outsider_client, collecting):
    response = outsider_client.get(sign_url(collecting))
    assert response.status_code == 403
    assert "accounts/idporten/not_resident.html" in [t.name for t in response.templates]


def test_the_confirmation_of_a_hidden_initiative_is_not_found(signer_client, promoter, municipality):
    from .conftest import DRAFT

    draft = services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
    assert signer_client.get(sign_url(draft)).status_code == 404
    assert post_sign(signer_client, draft).status_code == 404
    assert signer_client.get(reverse("initiatives:sign", args=[987654])).status_code == 404


def test_the_confirmation_after_the_period_says_it_is_over(signer_client, collecting):
    Initiative.objects.filter(pk=collecting.pk).update(signing_ends_at=timezone.now() - timedelta(minutes=1))
    response = signer_client.get(sign_url(collecting))
    assert response.status_code == 410
    assert parse(response.content).find("form", action=sign_url(collecting)) is None


# --- Signing (POST) ---------------------------------------------------------------------------------------


def test_signing_answers_303_to_the_receipt(signer_client, collecting, signer):
    response = post_sign(signer_client, collecting, show_name="on", follow="on")
    assert response.status_code == 303
    assert response.url == reverse("initiatives:signed", args=[collecting.pk])
    assert response.templates == []  # nothing rendered on the way
    signature = Signature.objects.get(initiative=collecting)
    assert signature.user == signer and signature.show_name and signature.name == "Bjørn Prøvestad"
    assert signature.network  # the hashed network, for bursts
    assert Follow.objects.filter(user=signer, object_id=str(collecting.pk)).exists()


def test_unticked_boxes_mean_no(signer_client, collecting, signer):
    assert post_sign(signer_client, collecting).status_code == 303
    signature = Signature.objects.get(initiative=collecting)
    assert not signature.show_name
    assert not Follow.objects.filter(user=signer, object_id=str(collecting.pk)).exists()


def test_odd_checkbox_values_do_not_fail(signer_client, collecting):
    response = post_sign(signer_client, collecting, show_name="x" * 10_000, follow=["on", "off"], extra="y")
    assert response.status_code == 303


def test_the_sign_post_is_lean(collecting, signer, person, django_assert_max_num_queries):
    """The user, the service's identity, initiative and residency, the insert in its savepoint; and with
    `follow`, the service's follow (initiative, follow row, audit). The view adds nothing: the level is in the
    session, and no page is rendered. Counted so that a query added to what the load test measures shows."""
    client = idporten_client(signer)
    with django_assert_max_num_queries(7):
        assert post_sign(client, collecting).status_code == 303
    other = idporten_client(person(pid=EVA[0], given="Annen", family="Signatar", postcode="1384"))
    with django_assert_max_num_queries(15):
        assert post_sign(other, collecting, follow="on").status_code == 303


def test_a_second_signature_is_409(signer_client, collecting):
    assert post_sign(signer_client, collecting).status_code == 303
    response = post_sign(signer_client, collecting, show_name="on")
    assert response.status_code == 409
    assert "You have already signed this initiative." in response.content.decode()
    assert "You signed on" in response.content.decode()
    assert Signature.objects.filter(initiative=collecting).count() == 1


def test_a_second_signature_from_another_browser_is_409(collecting, signer):
    first, second = idporten_client(signer), idporten_client(signer)
    assert post_sign(first, collecting).status_code == 303
    assert post_sign(second, collecting).status_code == 409
    assert Signature.objects.filter(initiative=collecting).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_signatures_at_the_same_moment(municipality, person, promoter, case_worker):
    """Two browsers of the same person sign at once: both pass the checks, the database keeps one."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time (IMMEDIATE transactions), so the two cannot overlap there")
    from .conftest import BJORN, DRAFT

    signer = person(*BJORN)
    initiative = services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
    services.submit_for_review(actor=promoter, initiative=initiative)
    services.approve(actor=case_worker, initiative=initiative)
    clients = []
    for _n in range(2):
        client = Client()
        client.force_login(signer)
        session = client.session
        session[oidc.SESSION_LOGIN] = {"acr": oidc.SUBSTANTIAL, "id_token": "", "issuer": "x", "user_id": signer.pk}
        session.save()
        clients.append(client)
    barrier = threading.Barrier(2)
    statuses = []

    def sign(client):
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(sign_url(initiative), {"follow": "on"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [303, 409]
    assert Signature.objects.filter(initiative=initiative).count() == 1


def test_signing_after_the_period_is_410(signer_client, collecting):
    Initiative.objects.filter(pk=collecting.pk).update(signing_ends_at=timezone.now() - timedelta(seconds=1))
    response = post_sign(signer_client, collecting)
    assert response.status_code == 410
    assert "The signing period has ended." in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_after_the_hand_over_is_410(collecting, promoter, person):
    from .conftest import BJORN

    first = person(*BJORN)
    hand_over_now(collecting, first, promoter)
    late = person(pid=EVA[0], given="Sen", family="Signatar", postcode="1384")
    response = post_sign(idporten_client(late), collecting)
    assert response.status_code == 410
    assert Signature.objects.filter(initiative=collecting).count() == 1


def test_a_non_resident_signing_is_403(outsider_client, collecting):
    response = post_sign(outsider_client, collecting)
    assert response.status_code == 403
    assert "Only people registered as living in the municipality can sign." in response.content.decode()
    assert not Signature.objects.exists()


def test_not_logged_in_posting_goes_to_idporten(client, collecting):
    assert_goes_to_idporten(post_sign(client, collecting), collecting)
    assert not Signature.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(collecting, signer):
    client = CommittingClient(enforce_csrf_checks=True)
    client.force_login(signer)
    session = client.session
    session[oidc.SESSION_LOGIN] = {"acr": oidc.SUBSTANTIAL, "id_token": "", "issuer": "x", "user_id": signer.pk}
    session.save()
    response = post_sign(client, collecting, follow="on")
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_too_many_attempts_are_429(signer_client, collecting, settings):
    settings.TINGET_INITIATIVE_SIGN_RATE = "2/m"
    assert post_sign(signer_client, collecting).status_code == 303
    assert post_sign(signer_client, collecting).status_code == 409
    response = post_sign(signer_client, collecting)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_network_limit_stops_many_people_from_one_address(collecting, person, settings):
    settings.TINGET_INITIATIVE_SIGN_NETWORK_RATE = "1/m"
    from .conftest import BJORN

    assert post_sign(idporten_client(person(*BJORN)), collecting).status_code == 303
    other = person(pid=EVA[0], given="Nabo", family="Signatar", postcode="1384")
    assert post_sign(idporten_client(other), collecting).status_code == 429


def test_the_general_write_limit_does_not_apply_to_signing(collecting, person, settings):
    """Signing has its own limits (a whole workplace may sign from one address); the general limit on writes
    per network would shut such a place out after a few hundred."""
    settings.TINGET_WRITE_RATE = settings.TINGET_WRITE_RATE_NETWORK = "1/m"
    from .conftest import BJORN

    assert post_sign(idporten_client(person(*BJORN)), collecting).status_code == 303
    other = person(pid=EVA[0], given="Nabo", family="Signatar", postcode="1384")
    assert post_sign(idporten_client(other), collecting).status_code == 303


def test_only_post_and_get(signer_client, collecting):
    assert signer_client.put(sign_url(collecting)).status_code == 405
    assert signer_client.delete(sign_url(collecting)).status_code == 405


# --- The receipt ------------------------------------------------------------------------------------------


def test_the_receipt_thanks_and_shows_the_count(signer_client, collecting):
    post_sign(signer_client, collecting, follow="on")
    response = signer_client.get(reverse("initiatives:signed", args=[collecting.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Thank you for signing" in content
    assert "What happens next" in content
    assert f"http://testserver{collecting.get_absolute_url()}" in content
    assert "You follow the initiative" in content
    assert parse(content).find("progress") is not None
    assert "no-cache" in response["Cache-Control"]


def test_the_receipt_of_someone_who_has_not_signed_goes_to_the_initiative(signer_client, client, collecting):
    response = signer_client.get(reverse("initiatives:signed", args=[collecting.pk]))
    assert response.status_code == 302 and response.url == collecting.get_absolute_url()
    response = client.get(reverse("initiatives:signed", args=[collecting.pk]))
    assert response.status_code == 302 and "next=" in response.url


# --- Withdrawing ------------------------------------------------------------------------------------------


def withdraw_url(initiative):
    return reverse("initiatives:withdraw_signature", args=[initiative.pk])


def test_withdrawing_asks_first_then_withdraws(signer_client, collecting, signer):
    services.sign(actor=signer, initiative_id=collecting.pk)
    response = signer_client.get(withdraw_url(collecting))
    assert response.status_code == 200
    assert parse(response.content).find("form", action=withdraw_url(collecting)) is not None
    assert Signature.objects.filter(user=signer).exists()
    response = signer_client.post(withdraw_url(collecting))
    assert response.status_code == 303 and response.url == collecting.get_absolute_url()
    assert not Signature.objects.filter(user=signer).exists()
    collecting.refresh_from_db()
    assert collecting.online_count == 0


def test_withdrawing_touches_only_your_own_signature(collecting, signer, person):
    services.sign(actor=signer, initiative_id=collecting.pk)
    other = person(pid=EVA[0], given="Annen", family="Person", postcode="1384")
    response = idporten_client(other).post(withdraw_url(collecting))
    assert response.status_code == 409
    assert "You have not signed this initiative." in response.content.decode()
    assert Signature.objects.filter(user=signer, initiative=collecting).exists()


def test_withdrawing_after_the_hand_over_is_refused(collecting, signer, promoter):
    hand_over_now(collecting, signer, promoter)
    client = idporten_client(signer)
    assert client.get(withdraw_url(collecting)).status_code == 409
    response = client.post(withdraw_url(collecting))
    assert response.status_code == 409
    assert Signature.objects.filter(user=signer).exists()


def test_withdrawing_needs_idporten_and_the_csrf_token(collecting, signer, client):
    services.sign(actor=signer, initiative_id=collecting.pk)
    response = client.post(withdraw_url(collecting))
    assert response.status_code == 302 and reverse("accounts:idporten_login") in response.url
    csrf = CommittingClient(enforce_csrf_checks=True)
    csrf.force_login(signer)
    session = csrf.session
    session[oidc.SESSION_LOGIN] = {"acr": oidc.SUBSTANTIAL, "id_token": "", "issuer": "x", "user_id": signer.pk}
    session.save()
    assert csrf.post(withdraw_url(collecting)).status_code == 403
    assert Signature.objects.filter(user=signer).exists()


def test_after_withdrawing_you_can_sign_again(signer_client, collecting, signer):
    services.sign(actor=signer, initiative_id=collecting.pk)
    signer_client.post(withdraw_url(collecting))
    assert post_sign(signer_client, collecting).status_code == 303
