"""Citizen initiatives in the admin: topics edited as data, initiatives read-only with actions that call services,
evidence read-only and never showing the hash of a national identity number, signatures only for those who may
read the signature list, and logged when opened."""

from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from tinget.accounts.privacy import STAFF_READ_ACTION, staff_reads
from tinget.accounts.staff import ADMINISTRATOR, EDITOR
from tinget.core.models import AuditEntry
from tinget.initiatives import services
from tinget.initiatives.models import Burst, Initiative, Signature, State, Topic

from .conftest import fast_staff_client, new_staff
from .test_handling import NETWORK, add_signatures


def changelist(model):
    return reverse(f"admin:initiatives_{model}_changelist")


def change(model, pk):
    return reverse(f"admin:initiatives_{model}_change", args=[pk])


def body(response):
    return response.content.decode()


def shown_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def administrator(municipality):
    return new_staff("ada@example.no", ADMINISTRATOR)


@pytest.fixture
def admin_client_2fa(administrator):
    return fast_staff_client(administrator)


@pytest.fixture
def everything(collecting, signer, case_worker):
    """One of each row the initiatives admin lists."""
    Initiative.objects.filter(pk=collecting.pk).update(required_signatures=300)
    Topic.objects.get_or_create(slug="veier", defaults={"name": "Veier"})
    services.sign(actor=signer, initiative_id=collecting.pk, ip="192.0.2.10")
    add_signatures(collecting, 2, network=NETWORK)
    services.invalidate(actor=case_worker, initiative=collecting, reason="Samme maskin.", network=NETWORK)
    services.register_paper_batch(
        actor=case_worker,
        initiative=collecting,
        received_on=timezone.localdate(),
        rows=[("Åse Ødegård", date(1980, 5, 17), "Storgata 1")],
    )
    Burst.objects.create(
        initiative=collecting, network=NETWORK, window_start=timezone.now(), window_end=timezone.now(), count=60
    )
    return collecting


MODELS = ["topic", "initiative", "signature", "papersignature", "paperbatch", "burst", "invalidation"]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_object_page_opens_for_an_administrator(model, admin_client_2fa, everything):
    assert admin_client_2fa.get(changelist(model)).status_code == 200
    obj = apps.get_model("initiatives", model).objects.first()
    assert admin_client_2fa.get(change(model, obj.pk)).status_code == 200


@pytest.mark.parametrize("model", ["initiative", "signature", "papersignature", "paperbatch", "burst", "invalidation"])
def test_nothing_services_own_can_be_added_here(model, admin_client_2fa, municipality):
    assert admin_client_2fa.get(reverse(f"admin:initiatives_{model}_add")).status_code == 403


def test_the_hash_of_the_national_identity_number_is_never_shown(admin_client_2fa, everything, signer):
    signature = Signature.objects.get(user=signer)
    for url in (changelist("signature"), change("signature", signature.pk)):
        html = body(admin_client_2fa.get(url))
        assert signature.pid_digest not in html
        assert signature.match_key not in html
    assert "Bjørn Prøvestad" in body(admin_client_2fa.get(change("signature", signature.pk)))


def test_the_admin_still_needs_the_second_factor(client, case_worker):
    client.force_login(case_worker)
    assert client.get(changelist("initiative")).status_code == 302


# --- Initiatives -----------------------------------------------------------------------------------------------
def test_initiatives_are_filtered_and_searched(admin_client_2fa, everything):
    html = body(admin_client_2fa.get(changelist("initiative"), {"state__exact": "collecting"}))
    assert everything.title in html
    html = body(admin_client_2fa.get(changelist("initiative"), {"state__exact": "decided"}))
    assert everything.title not in html
    html = body(admin_client_2fa.get(changelist("initiative"), {"q": "lysløypa"}))
    assert everything.title in html


def test_an_initiative_is_read_only_and_its_state_cannot_be_changed(admin_client_2fa, everything):
    response = admin_client_2fa.get(change("initiative", everything.pk))
    html = body(response)
    assert 'name="state"' not in html and 'name="online_count"' not in html
    assert reverse("initiatives:staff_detail", kwargs={"pk": everything.pk}) in html
    response = admin_client_2fa.post(change("initiative", everything.pk), {"state": "decided", "title": "Nytt"})
    assert response.status_code == 403
    initiative = Initiative.objects.get(pk=everything.pk)
    assert initiative.state == State.COLLECTING and initiative.title != "Nytt"


def test_the_approve_action_goes_through_the_service(admin_client_2fa, promoter, municipality, everything):
    waiting = services.draft_create(
        actor=promoter,
        municipality=municipality,
        data={"title": "Venter", "proposal": "P", "reasons": "R", "signing_days": 60},
    )
    services.submit_for_review(actor=promoter, initiative=waiting)

    response = admin_client_2fa.post(
        changelist("initiative"), {"action": "approve", "_selected_action": [waiting.pk, everything.pk]}
    )

    assert response.status_code == 302
    assert Initiative.objects.get(pk=waiting.pk).state == State.COLLECTING
    assert AuditEntry.objects.filter(action="initiatives.initiative.approved", target_id=str(waiting.pk)).exists()
    shown = shown_messages(admin_client_2fa.get(changelist("initiative")))
    # The admin has no language prefix, so it speaks the default language whatever the cookie says.
    with translation.override(settings.LANGUAGE_CODE):
        published = ngettext(
            "%(count)s initiative is published for signing.", "%(count)s initiatives are published for signing.", 1
        ) % {"count": 1}
    assert published in shown, shown
    assert any(f"#{everything.pk}" in m for m in shown)  # the one collecting already is named, not changed


def test_the_hand_over_action(admin_client_2fa, everything):
    Initiative.objects.filter(pk=everything.pk).update(required_signatures=1)
    services.recount(everything, force=True)
    response = admin_client_2fa.post(
        changelist("initiative"), {"action": "hand_over", "_selected_action": [everything.pk]}
    )
    assert response.status_code == 302
    assert Initiative.objects.get(pk=everything.pk).state == State.HANDED_OVER


def test_an_editor_has_no_actions_on_initiatives(everything):
    client = fast_staff_client(new_staff("ed@example.no", EDITOR))
    assert client.get(changelist("initiative")).status_code == 403


# --- Topics ----------------------------------------------------------------------------------------------------
def test_an_editor_adds_and_edits_topics(municipality):
    client = fast_staff_client(new_staff("ed@example.no", EDITOR))
    response = client.post(
        reverse("admin:initiatives_topic_add"),
        {"name": "Skole", "name_nn": "Skule", "name_en": "School", "slug": "skole", "order": 3},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(slug="skole")
    assert topic.name_nn == "Skule"


def test_a_topic_with_a_taken_slug_is_refused(municipality, admin_client_2fa):
    Topic.objects.create(name="Skole", slug="skole")
    response = admin_client_2fa.post(
        reverse("admin:initiatives_topic_add"), {"name": "Skole 2", "slug": "skole", "order": 1}
    )
    assert response.status_code == 200 and "errornote" in body(response)
    assert Topic.objects.filter(slug="skole").count() == 1


# --- Signatures ------------------------------------------------------------------------------------------------
def test_signatures_only_for_those_who_may_read_the_list(everything, moderator_client):
    assert moderator_client.get(changelist("signature")).status_code == 403
    assert moderator_client.get(changelist("papersignature")).status_code == 403
    signature = Signature.objects.first()
    assert moderator_client.get(change("signature", signature.pk)).status_code in (302, 403)


def test_opening_a_signature_is_a_logged_read(admin_client_2fa, everything, signer):
    signature = Signature.objects.get(user=signer)
    admin_client_2fa.get(change("signature", signature.pk))
    assert staff_reads(signer).count() == 1
    assert AuditEntry.objects.filter(action=STAFF_READ_ACTION).count() == 1


def test_evidence_cannot_be_changed_or_deleted(admin_client_2fa, everything):
    signature = Signature.objects.first()
    response = admin_client_2fa.post(change("signature", signature.pk), {"name": "Endret"})
    assert response.status_code == 403
    delete = reverse("admin:initiatives_signature_delete", args=[signature.pk])
    assert admin_client_2fa.post(delete, {"post": "yes"}).status_code == 403
    assert Signature.objects.get(pk=signature.pk).name == signature.name
