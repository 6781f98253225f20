"""Co-promoters: the promoter invites by e-mail and sees each invitation's state; the invited person confirms
through the signed link after logging in with ID-porten. A forged, altered or replaced link gets a clear page and
confirms nobody."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.urls import resolve, reverse
from django.utils import translation

from tinget.core.tests.html import parse
from tinget.initiatives import services
from tinget.initiatives.models import CoPromoter, Initiative, State

from .conftest import BJORN, EVA, idporten_client

pytestmark = pytest.mark.django_db

INVITED = "bjorn@example.no"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


# --- Helpers ---------------------------------------------------------------------------------------------------
def url(name, **kwargs):
    return reverse(f"initiatives:{name}", kwargs=kwargs)


def invite(client, initiative, email=INVITED):
    return client.post(url("co_promoters", pk=initiative.pk), {"email": email})


def error_summary(response) -> str:
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def messages_of(response) -> str:
    found = parse(response.content).find("div", class_="messages")
    return found.text if found else ""


def link_in(message) -> str:
    """The confirmation link in the invitation, as the English page's path (the e-mail is in the promoter's
    language; the assertions read English)."""
    for address in re.findall(r"https?://\S+", message.body):
        with translation.override("nb"):
            match = resolve(urlsplit(address).path)
        assert match.view_name == "initiatives:co_promoter_confirm"
        return url("co_promoter_confirm", token=match.kwargs["token"])
    raise AssertionError("no link in the e-mail")


def token_of(path) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def invited(promoter_client, draft):
    """The promoter has invited Bjørn; returns the path of the link in the e-mail."""
    assert invite(promoter_client, draft).status_code == 302
    return link_in(mail.outbox[-1])


@pytest.fixture
def bjorn(person):
    return person(*BJORN)


@pytest.fixture
def bjorn_client(bjorn):
    return idporten_client(bjorn)


# --- Inviting --------------------------------------------------------------------------------------------------
def test_the_promoter_invites_and_sees_the_invitation(promoter_client, draft):
    page = promoter_client.get(url("co_promoters", pk=draft.pk))
    assert page.status_code == 200
    field = parse(page.content).find("input", name="email")
    assert field.attrs["type"] == "email" and field.attrs.get("required") is not None

    response = invite(promoter_client, draft, email="  Bjorn@Example.NO ")
    assert response.status_code == 302
    follow = promoter_client.get(response.url)
    assert "We have sent an invitation to bjorn@example.no" in messages_of(follow)
    row = parse(follow.content).find("table").find("tbody").find("tr")
    assert "bjorn@example.no" in row.text and "Not confirmed yet" in row.text

    message = mail.outbox[-1]
    assert message.to == [INVITED]
    assert draft.title in message.body and "Astrid Testesen" in message.body
    # The link is in the promoter's language and goes to the confirmation page.
    link = re.search(r"https?://\S+", message.body).group()
    with translation.override("nb"):
        assert urlsplit(link).path == reverse("initiatives:co_promoter_confirm", kwargs={"token": token_of(link)})


@pytest.mark.parametrize("email", ["", "ikke-en-adresse", "a@", "<script>@x.no", "x" * 250 + "@example.no"])
def test_a_bad_address_is_refused(promoter_client, draft, email):
    response = invite(promoter_client, draft, email=email)
    assert response.status_code == 400
    assert error_summary(response)
    assert not CoPromoter.objects.exists()
    assert not mail.outbox


def test_the_same_address_twice(promoter_client, draft):
    invite(promoter_client, draft)
    response = invite(promoter_client, draft, email=INVITED.upper())
    assert response.status_code == 400
    assert "already been invited" in error_summary(response)
    assert CoPromoter.objects.count() == 1 and len(mail.outbox) == 1


def test_at_most_the_configured_number(promoter_client, draft, settings):
    settings.TINGET_INITIATIVE_MAX_CO_PROMOTERS = 1
    invite(promoter_client, draft)
    page = parse(promoter_client.get(url("co_promoters", pk=draft.pk)).content)
    assert page.find("input", name="email") is None
    response = invite(promoter_client, draft, email="eva@example.no")
    assert response.status_code == 400
    assert "at most 1 co-promoters" in error_summary(response)
    assert CoPromoter.objects.count() == 1


def test_someone_else_cannot_invite_to_a_draft(bjorn_client, draft):
    assert invite(bjorn_client, draft).status_code == 404
    assert bjorn_client.get(url("co_promoters", pk=draft.pk)).status_code == 404
    assert not CoPromoter.objects.exists() and not mail.outbox


def test_no_invitations_after_sending(promoter_client, promoter, draft):
    services.submit_for_review(actor=promoter, initiative=draft)
    page = parse(promoter_client.get(url("co_promoters", pk=draft.pk)).content)
    assert page.find("input", name="email") is None
    response = invite(promoter_client, draft)
    assert response.status_code == 302
    assert "only be added or removed while the initiative is a draft" in messages_of(promoter_client.get(response.url))
    assert not CoPromoter.objects.exists()


def test_remove_and_remove_again(promoter_client, draft, invited):
    co_promoter = CoPromoter.objects.get()
    response = promoter_client.post(url("co_promoters", pk=draft.pk), {"remove": co_promoter.pk}, follow=True)
    assert "is no longer a co-promoter" in messages_of(response)
    assert not CoPromoter.objects.exists()
    again = promoter_client.post(url("co_promoters", pk=draft.pk), {"remove": co_promoter.pk}, follow=True)
    assert again.status_code == 200 and "already removed" in messages_of(again)
    assert promoter_client.post(url("co_promoters", pk=draft.pk), {"remove": "x"}, follow=True).status_code == 200


# --- Confirming ------------------------------------------------------------------------------------------------
def test_the_link_sends_the_invited_person_through_idporten(client, invited):
    response = client.get(invited)
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:idporten_login")
    assert "level=substantial" in response.url


def test_an_email_login_is_not_enough(client, resident, invited):
    client.force_login(resident)
    response = client.post(invited)
    assert response.status_code == 302 and reverse("accounts:idporten_login") in response.url
    assert CoPromoter.objects.get().confirmed_at is None


def test_the_invited_person_confirms(bjorn_client, bjorn, promoter_client, draft, invited):
    page = bjorn_client.get(invited)
    assert page.status_code == 200
    document = parse(page.content)
    assert document.find(id="initiative-title").text == draft.title
    assert document.find("form", action=invited) is not None
    # Reading the page confirms nothing (a mail scanner follows links too).
    assert CoPromoter.objects.get().confirmed_at is None

    done = bjorn_client.post(invited)
    assert done.status_code == 200
    assert "you are a co-promoter" in done.content.decode()
    co_promoter = CoPromoter.objects.get()
    assert co_promoter.user == bjorn and co_promoter.name == "Bjørn Prøvestad" and co_promoter.confirmed_at

    # The promoter sees it, and the preview names them.
    row = parse(promoter_client.get(url("co_promoters", pk=draft.pk)).content).find("tbody").find("tr")
    assert "Confirmed" in row.text and "Bjørn Prøvestad" in row.text
    preview = promoter_client.get(url("preview", pk=draft.pk)).content.decode()
    assert "Astrid Testesen, Bjørn Prøvestad" in preview

    # Pressing the button again changes nothing and fails nothing.
    again = bjorn_client.post(invited)
    assert again.status_code == 200
    assert CoPromoter.objects.get().confirmed_at == co_promoter.confirmed_at
    # And the page now says it is done.
    assert "You have confirmed" in bjorn_client.get(invited).content.decode()


def test_a_non_resident_is_told_why(person, invited):
    response = idporten_client(person(*EVA, resident=False)).post(invited)
    assert response.status_code == 403
    assert "not-resident-reason" in parse(response.content).ids()
    assert CoPromoter.objects.get().confirmed_at is None


def test_the_promoter_cannot_confirm_their_own_invitation(promoter_client, invited):
    page = promoter_client.get(invited)
    assert "You are the promoter of this initiative yourself" in page.content.decode()
    response = promoter_client.post(invited)
    assert response.status_code == 409
    assert "already the promoter" in response.content.decode()
    assert CoPromoter.objects.get().confirmed_at is None


def test_a_link_someone_else_used_does_not_work(bjorn_client, person, invited):
    bjorn_client.post(invited)
    stranger = idporten_client(person("12345678901", "Kari", "Annen", "1384"))
    assert stranger.get(invited).status_code == 400
    response = stranger.post(invited)
    assert response.status_code == 400
    assert CoPromoter.objects.get().name == "Bjørn Prøvestad"


def test_too_late_once_published(bjorn_client, promoter, case_worker, draft, invited):
    services.submit_for_review(actor=promoter, initiative=draft)
    services.approve(actor=case_worker, initiative=draft)
    page = bjorn_client.get(invited)
    assert "can no longer be confirmed" in page.content.decode()
    assert parse(page.content).find("form", action=invited) is None
    response = bjorn_client.post(invited)
    assert response.status_code == 409
    assert CoPromoter.objects.get().confirmed_at is None


def test_still_possible_while_in_review(bjorn_client, promoter, draft, invited):
    services.submit_for_review(actor=promoter, initiative=draft)
    assert bjorn_client.post(invited).status_code == 200
    assert CoPromoter.objects.get().confirmed_at


# --- Bad links -------------------------------------------------------------------------------------------------
def assert_bad_link(response):
    assert response.status_code == 400
    assert "link-invalid-reason" in parse(response.content).ids()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_link(bjorn_client, client, draft, invited, method):
    co_promoter = CoPromoter.objects.get()
    # Right content, signed with another key (or not at all).
    forged = signing.dumps({"c": co_promoter.pk, "n": str(co_promoter.nonce)}, key="not-our-secret", salt="x")
    for token in (forged, "abc", "x" * 300, "eyJjIjoxfQ:1abcde:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"):
        address = url("co_promoter_confirm", token=token)
        # Told before being asked to log in, and told the same when logged in.
        assert_bad_link(getattr(client, method)(address))
        assert_bad_link(getattr(bjorn_client, method)(address))
    assert CoPromoter.objects.get().confirmed_at is None


def test_an_altered_link(bjorn_client, invited):
    token = token_of(invited)
    # One character changed in the payload, and in the signature.
    for position in (2, len(token) - 3):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
        assert_bad_link(bjorn_client.post(url("co_promoter_confirm", token=changed)))
    # Another invitation's number under this signature.
    payload = signing.loads(token, salt=services.CO_PROMOTER_SALT)
    other = signing.dumps({**payload, "c": payload["c"] + 1}, salt="wrong-salt")
    assert_bad_link(bjorn_client.post(url("co_promoter_confirm", token=other)))
    assert CoPromoter.objects.get().confirmed_at is None


def test_a_replaced_link(bjorn_client, draft, invited):
    """The invitation made anew (a new nonce): the old link stops working."""
    CoPromoter.objects.update(nonce=uuid.uuid4())
    assert_bad_link(bjorn_client.get(invited))
    assert_bad_link(bjorn_client.post(invited))
    assert CoPromoter.objects.get().confirmed_at is None


def test_a_removed_invitation(promoter_client, bjorn_client, draft, invited):
    promoter_client.post(url("co_promoters", pk=draft.pk), {"remove": CoPromoter.objects.get().pk})
    assert_bad_link(bjorn_client.post(invited))
    # Invited again: the new link works, the old one still does not.
    invite(promoter_client, draft)
    new_link = link_in(mail.outbox[-1])
    assert new_link != invited
    assert_bad_link(bjorn_client.post(invited))
    assert bjorn_client.post(new_link).status_code == 200


def test_a_link_to_another_initiative_does_not_confirm_this_one(bjorn_client, promoter_client, promoter, municipality):
    from .conftest import DRAFT

    first = services.draft_create(actor=promoter, municipality=municipality, data=dict(DRAFT))
    second = services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, "title": "Annet"})
    invite(promoter_client, first)
    link = link_in(mail.outbox[-1])
    bjorn_client.post(link)
    assert CoPromoter.objects.get(initiative=first).confirmed_at
    assert not CoPromoter.objects.filter(initiative=second).exists()
    assert Initiative.objects.get(pk=second.pk).state == State.DRAFT


def test_the_invited_person_sees_the_attachments_named_not_served(bjorn_client, promoter, draft, invited):
    from django.core.files.base import ContentFile

    from tinget.initiatives.attachments import CheckedFile
    from tinget.initiatives.models import Attachment

    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    checked = CheckedFile(kind=Attachment.Kind.DOCUMENT, content=ContentFile(pdf, name="d.pdf"), size=len(pdf))
    attachment = services.attachment_add(actor=promoter, initiative=draft, checked=checked, title="Kart over løypa")
    address = url("attachment", pk=draft.pk, attachment_pk=attachment.pk)
    page = parse(bjorn_client.get(invited).content)
    assert "Kart over løypa" in page.find(id="co-promoter-attachments-heading").parent.text
    assert page.find("a", href=address) is None
    assert bjorn_client.get(address).status_code == 404
    # Once confirmed, the co-promoter may open the draft's files.
    bjorn_client.post(invited)
    assert bjorn_client.get(address).status_code == 200


def test_an_expired_link(bjorn_client, invited):
    import time
    from unittest import mock

    # The same invitation's link, made 61 days ago: it expired after 60.
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 24 * 3600):
        old = services.co_promoter_token(CoPromoter.objects.get())
    assert_bad_link(bjorn_client.post(url("co_promoter_confirm", token=old)))
    assert bjorn_client.get(invited).status_code == 200
    assert CoPromoter.objects.get().confirmed_at is None
