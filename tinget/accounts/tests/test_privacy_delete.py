"""Delete my account: confirmed, complete, all or nothing, with a receipt; staff and other people refused."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from tinget.accounts import privacy
from tinget.accounts.models import Consent, Identity, Residency
from tinget.core.errors import DomainError
from tinget.core.models import AuditEntry, Follow, Notification
from tinget.core.registry import Module, registry

from .conftest import RESIDENT_PASSWORD, give_a_little_of_everything, url
from .pagecheck import accessibility_problems, read

User = get_user_model()


@pytest.fixture
def kari(resident, municipality):
    return give_a_little_of_everything(
        resident,
        municipality,
        identity={"subject": "sub-kari", "pid_digest": "a" * 64, "pid_key_id": "k1", "acr": Identity.Level.HIGH},
        residency_source=Residency.Source.DECLARED,
        notification_title="Melding",
    )


@pytest.fixture
def ola(django_user_model):
    ola = django_user_model.objects.create_user("ola@example.no", "et-annet-passord-456")
    EmailAddress.objects.create(user=ola, email=ola.email, verified=True, primary=True)
    Notification.objects.create(user=ola, event_key="e.1", verb="status", title="Olas melding")
    return ola


def everything_of(user_id):
    return {
        "user": User.objects.filter(pk=user_id).count(),
        "emails": EmailAddress.objects.filter(user_id=user_id).count(),
        "identity": Identity.objects.filter(user_id=user_id).count(),
        "residency": Residency.objects.filter(user_id=user_id).count(),
        "consents": Consent.objects.filter(user_id=user_id).count(),
        "follows": Follow.objects.filter(user_id=user_id).count(),
        "notifications": Notification.objects.filter(user_id=user_id).count(),
    }


ALL_ONE = {"user": 1, "emails": 1, "identity": 1, "residency": 1, "consents": 1, "follows": 1, "notifications": 1}
ALL_GONE = dict.fromkeys(ALL_ONE, 0)


def confirm(password=RESIDENT_PASSWORD, understand="on"):
    data = {"password": password}
    if understand:
        data["understand"] = understand
    return data


def test_delete_removes_everything_and_sends_a_receipt_after_commit(client, kari, ola):
    kari_id = kari.pk
    client.force_login(kari)
    response = client.post(url("accounts:privacy_delete", "en"), confirm())
    assert response.status_code == 302
    assert response["Location"] == url("accounts:privacy_deleted", "en")
    assert everything_of(kari_id) == ALL_GONE
    assert everything_of(ola.pk)["user"] == 1 and everything_of(ola.pk)["notifications"] == 1
    assert "_auth_user_id" not in client.session
    # The receipt, in the page's language, to the address the account had.
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]
    assert mail.outbox[0].subject == "Your account has been deleted"
    entry = AuditEntry.objects.get(action="accounts.user.deleted")
    assert entry.data["user_id"] == kari_id
    assert entry.actor is None
    assert "kari" not in (entry.actor_label + entry.target_label + str(entry.data)).lower()
    # Earlier entries about Kari keep her number only.
    assert not AuditEntry.objects.filter(actor_label__icontains="kari").exists()
    assert not AuditEntry.objects.filter(target_label__icontains="kari").exists()
    goodbye = client.get(response["Location"])
    assert goodbye.status_code == 200
    assert accessibility_problems(goodbye.content.decode()) == []
    assert read(goodbye.content.decode()).one("h1").text == "Your account has been deleted"


def test_receipt_waits_for_the_commit(kari, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        privacy.delete_account(user=kari, language="en")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]


def test_the_goodbye_page_is_only_for_someone_just_deleted(client):
    response = client.get(url("accounts:privacy_deleted", "en"))
    assert response.status_code == 302
    assert response["Location"] == url("core:hub", "en")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (confirm(understand=None), "understand"),
        (confirm(password=""), "password"),
        ({}, "understand"),
        (confirm(password="feil-passord-123"), "password"),
    ],
)
def test_missing_or_wrong_confirmation_deletes_nothing(client, kari, data, field):
    client.force_login(kari)
    response = client.post(url("accounts:privacy_delete", "en"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert everything_of(kari.pk) == ALL_ONE
    assert mail.outbox == []
    html = response.content.decode()
    assert accessibility_problems(html) == []
    assert read(html).all("div", id="error-summary")


def test_wrong_password_message(client, kari):
    client.force_login(kari)
    response = client.post(url("accounts:privacy_delete", "en"), confirm(password="feil-passord-123"))
    assert response.context["form"].errors["password"] == ["The password is not right."]


def test_user_without_password_types_their_email_address(client, kari):
    kari.set_unusable_password()
    kari.save()
    client.force_login(kari)
    page = read(client.get(url("accounts:privacy_delete", "en")).content.decode())
    assert not page.all("input", name="password")
    assert page.all("input", name="email")
    response = client.post(url("accounts:privacy_delete", "en"), {"understand": "on", "email": "ola@example.no"})
    assert "email" in response.context["form"].errors
    assert everything_of(kari.pk)["user"] == 1
    response = client.post(url("accounts:privacy_delete", "en"), {"understand": "on", "email": " Kari@Example.no "})
    assert response.status_code == 302
    assert everything_of(kari.pk) == ALL_GONE


def test_id_porten_person_without_an_address_confirms_with_the_box_and_gets_no_receipt(client, kari):
    kari.set_unusable_password()
    kari.email = "5e2a@idporten.invalid"
    kari.save()
    client.force_login(kari)
    page = client.get(url("accounts:privacy_delete", "en")).content.decode()
    assert 'name="email"' not in page
    assert "idporten.invalid" not in page
    response = client.post(url("accounts:privacy_delete", "en"), {"understand": "on"})
    assert response.status_code == 302
    assert everything_of(kari.pk) == ALL_GONE
    assert mail.outbox == []


def test_delete_needs_login_post_and_csrf(client, csrf_client, kari):
    response = client.post(url("accounts:privacy_delete", "en"), confirm())
    assert response.status_code == 302 and "login" in response["Location"]
    csrf_client.force_login(kari)
    assert csrf_client.post(url("accounts:privacy_delete", "en"), confirm()).status_code == 403
    client.force_login(kari)
    assert client.put(url("accounts:privacy_delete", "en")).status_code == 405
    page = client.get(url("accounts:privacy_delete", "en"))
    assert page.status_code == 200
    assert everything_of(kari.pk) == ALL_ONE


def test_one_person_cannot_delete_another(client, kari, ola):
    """The form only ever deletes the person logged in, whatever is posted."""
    client.force_login(ola)
    response = client.post(
        url("accounts:privacy_delete", "en"), {**confirm(), "user": kari.pk, "email": kari.email, "id": kari.pk}
    )
    # Kari's password is not Ola's.
    assert response.status_code == 200
    response = client.post(
        url("accounts:privacy_delete", "en"), {"understand": "on", "password": "et-annet-passord-456"}
    )
    assert response.status_code == 302
    assert everything_of(kari.pk) == ALL_ONE
    assert everything_of(ola.pk)["user"] == 0


def test_staff_are_refused_with_a_clear_message(client, django_user_model):
    staff = django_user_model.objects.create_user("sak@example.no", RESIDENT_PASSWORD, is_staff=True)
    client.force_login(staff)
    page = client.get(url("accounts:privacy_delete", "en"))
    assert page.status_code == 200
    assert "Ask an administrator" in page.content.decode()
    assert not read(page.content.decode()).all("input", name="password")
    response = client.post(url("accounts:privacy_delete", "en"), confirm())
    assert response.status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()
    with pytest.raises(privacy.StaffCannotDeleteThemselves):
        privacy.delete_account(user=staff)
    assert mail.outbox == []


def test_modules_erase_what_they_hold(client, kari, ola):
    erased = []
    module = Module(
        slug="testmodul",
        name="Testmodul",
        description="",
        section="local",
        url_name="core:hub",
        erase=lambda user: erased.append(user.email),
        retention="Innspill til høringer blir liggende uten navn.",
    )
    with registry.temporarily(module):
        client.force_login(kari)
        page = client.get(url("accounts:privacy", "en")).content.decode()
        assert "Innspill til høringer blir liggende uten navn." in page
        client.post(url("accounts:privacy_delete", "en"), confirm())
    assert erased == ["kari@example.no"]
    assert "testmodul" in AuditEntry.objects.get(action="accounts.user.deleted").data["modules"]


def test_when_a_module_fails_nothing_is_deleted(client, kari):
    def erase(user):
        # Work done before the failure must be undone with the rest.
        Consent.objects.filter(user=user).delete()
        raise RuntimeError("the archive does not answer")

    module = Module(
        slug="testmodul", name="Testmodul", description="", section="local", url_name="core:hub", erase=erase
    )
    with registry.temporarily(module):
        client.force_login(kari)
        response = client.post(url("accounts:privacy_delete", "en"), confirm())
    assert response.status_code == 200
    assert "nothing has been deleted" in response.content.decode()
    assert everything_of(kari.pk) == ALL_ONE
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="accounts.user.deleted").exists()
    assert client.session["_auth_user_id"] == str(kari.pk)


def test_a_module_refusing_with_a_domain_error_is_shown_as_it_says(kari):
    def erase(user):
        raise DomainError("Du har en åpen byggesak.")

    module = Module(
        slug="testmodul", name="Testmodul", description="", section="local", url_name="core:hub", erase=erase
    )
    with registry.temporarily(module), pytest.raises(DomainError, match="åpen byggesak"):
        privacy.delete_account(user=kari)
    assert everything_of(kari.pk) == ALL_ONE
