"""What citizen initiatives give the rest of the platform: the Min side section, site search, and privacy
(download my data; delete my account withdraws open signatures, deletes unpublished proposals, and keeps a
public initiative with the promoter's name)."""

import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation

from tinget.accounts import privacy
from tinget.core.models import AuditEntry
from tinget.core.registry import registry
from tinget.initiatives import providers, services
from tinget.initiatives.models import CoPromoter, Initiative, Signature, State, Step

from .conftest import DRAFT, idporten_client

CAMILLA = ("02519131008", "Camilla", "Demodatter", "1390")
DOROTA = ("41498820024", "Dorota", "Eksempel", "1396")


def new_draft(promoter, municipality, title="Benker i parken", **extra):
    return services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, "title": title, **extra})


def publish(initiative, promoter, case_worker):
    services.submit_for_review(actor=promoter, initiative=initiative)
    return services.approve(actor=case_worker, initiative=initiative)


def handed_over(initiative, promoter, signers):
    """Signed by `signers`, over a threshold lowered to one, and handed over by the promoter."""
    Initiative.objects.filter(pk=initiative.pk).update(required_signatures=1)
    for signer in signers:
        services.sign(actor=signer, initiative_id=initiative.pk)
    services.recount(Initiative.objects.get(pk=initiative.pk), force=True)
    return services.hand_over(actor=promoter, initiative=Initiative.objects.get(pk=initiative.pk))


def confirm_co_promoter(initiative, promoter, person):
    invitation = services.invite_co_promoter(actor=promoter, initiative=initiative, email=person.email)
    return services.confirm_co_promoter(actor=person, token=services.co_promoter_token(invitation))


@pytest.mark.django_db
class TestMinSide:
    def test_my_proposals_in_every_state_and_my_signatures(self, collecting, promoter, signer, municipality):
        draft = new_draft(promoter, municipality, title="Et utkast")
        services.sign(actor=signer, initiative_id=collecting.pk)

        mine = providers.proposals_section(promoter)
        assert [item["title"] for item in mine.items] == ["Et utkast", collecting.title]
        assert [item["status"] for item in mine.items] == [
            str(State.DRAFT.label),
            str(State.COLLECTING.label),
        ]
        assert mine.items[0]["url"] == draft.get_absolute_url()
        assert mine.more_url == reverse("initiatives:mine")

        signed = providers.signatures_section(signer)
        assert [item["title"] for item in signed.items] == [collecting.title]
        assert signed.items[0]["status"] == str(State.COLLECTING.label)
        assert signed.more_url == reverse("initiatives:my_signatures")

    def test_the_one_section_on_min_side_holds_both(
        self, collecting, promoter, signer, person, municipality, django_assert_max_num_queries
    ):
        camilla = person(*CAMILLA)
        services.sign(actor=promoter, initiative_id=collecting.pk)  # her own: shown once, as her proposal
        services.sign(actor=camilla, initiative_id=collecting.pk)
        hers = new_draft(camilla, municipality, title="Camillas utkast")
        Initiative.objects.filter(pk=hers.pk).update(updated_at=timezone.now() + timedelta(minutes=1))

        with django_assert_max_num_queries(1):
            section = providers.min_side(camilla)
        assert [item["title"] for item in section.items] == ["Camillas utkast", collecting.title]
        assert section.more_url == reverse("initiatives:mine")
        with translation.override("en"):
            section = providers.min_side(camilla)
            assert [item["status"] for item in section.items] == [
                "My proposal: Draft",
                "Signed: Collecting signatures",
            ]
            assert [item["status"] for item in providers.min_side(promoter).items] == [
                "My proposal: Collecting signatures"
            ]
        assert providers.min_side(signer).items == [] and providers.min_side(signer).empty_text

    def test_only_signatures_links_to_my_signatures(self, collecting, signer):
        services.sign(actor=signer, initiative_id=collecting.pk)
        assert providers.min_side(signer).more_url == reverse("initiatives:my_signatures")

    def test_at_most_five_each(self, promoter, municipality):
        for n in range(12):
            new_draft(promoter, municipality, title=f"Utkast {n}")
        assert len(providers.proposals_section(promoter).items) == providers.MIN_SIDE_ITEMS
        assert len(providers.min_side(promoter).items) == 2 * providers.MIN_SIDE_ITEMS

    def test_the_min_side_page(self, collecting, promoter, signer):
        services.sign(actor=signer, initiative_id=collecting.pk)
        page = idporten_client(signer).get(reverse("accounts:min_side"))
        assert page.status_code == 200
        text = page.content.decode()
        assert collecting.title in text and collecting.get_absolute_url() in text
        assert reverse("initiatives:my_signatures") in text


@pytest.mark.django_db
class TestSiteSearch:
    def test_finds_public_initiatives_by_title_and_text_and_never_a_draft(
        self, collecting, promoter, municipality, client
    ):
        new_draft(promoter, municipality, title="Lysløype i utkast")
        assert [hit.url for hit in providers.search("lysløypa", AnonymousUser())] == [collecting.get_absolute_url()]
        assert [hit.url for hit in providers.search("Solberg", promoter)] == [collecting.get_absolute_url()]
        assert providers.search("utkast", promoter) == []
        hit = providers.search("lysløypa", AnonymousUser())[0]
        assert hit.module == "initiatives" and "0" in hit.summary and "300" in hit.summary

        page = client.get(reverse("core:search"), {"q": "lysløypa"})
        assert page.status_code == 200 and collecting.get_absolute_url() in page.content.decode()

    def test_an_empty_query_finds_nothing(self, collecting):
        assert providers.search("   ", AnonymousUser()) == []

    def test_withdrawn_and_refused_are_not_found(self, collecting, promoter):
        services.withdraw(actor=promoter, initiative=collecting)
        assert providers.search("lysløypa", AnonymousUser()) == []


@pytest.mark.django_db
class TestPersonalData:
    def test_proposals_signatures_and_co_promoter_confirmations(
        self, collecting, promoter, signer, person, municipality
    ):
        signature = services.sign(actor=signer, initiative_id=collecting.pk, show_name=True)
        draft = new_draft(signer, municipality, title="Mitt eget utkast")
        services.invite_co_promoter(actor=signer, initiative=draft, email="venn@example.no")
        other = new_draft(promoter, municipality, title="Astrids andre forslag")
        confirm_co_promoter(other, promoter, signer)

        data = privacy.personal_data(signer)["modules"]["initiatives"]

        assert [p["title"] for p in data["proposals"]] == ["Mitt eget utkast"]
        assert data["proposals"][0]["state"] == State.DRAFT
        assert data["proposals"][0]["co_promoters_invited"][0]["email"] == "venn@example.no"
        assert len(data["signatures"]) == 1
        mine = data["signatures"][0]
        assert mine["initiative"] == collecting.pk and mine["signed_at"] == signature.created_at
        assert mine["name"] == "Bjørn Prøvestad" and mine["birth_date"] == signature.birth_date
        assert mine["postcode"] == "1388" and mine["name_shown_publicly"] is True and mine["counted"] is True
        assert [c["initiative"] for c in data["co_promoter_of"]] == [other.pk]
        assert data["co_promoter_of"][0]["confirmed_at"] is not None
        assert "pid_digest" not in json.dumps(data, default=str)
        assert signature.pid_digest not in json.dumps(data, default=str)

    def test_the_download_holds_them(self, collecting, signer):
        services.sign(actor=signer, initiative_id=collecting.pk)
        file, _name = privacy.export_personal_data(user=signer, language="en")
        with zipfile.ZipFile(file) as archive:
            data = json.loads(archive.read("data.json"))
        assert data["modules"]["initiatives"]["signatures"][0]["title"] == collecting.title

    def test_the_privacy_page_says_what_is_kept_and_for_how_long(self, settings):
        settings.TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS = 120
        with translation.override("en"):
            rules = {rule["module"].slug: str(rule["retention"]) for rule in privacy.retention_rules()}
        assert "deleted 120 days after the council's decision" in rules["initiatives"]
        assert "promoter's name" in rules["initiatives"]

    def test_the_module_is_registered_with_its_providers(self):
        module = registry.get("initiatives")
        assert module.personal_data is providers.personal_data and module.erase is providers.erase
        assert module.min_side is providers.min_side and module.search is providers.search
        assert module.demo is providers.demo and module.api_router == "tinget.initiatives.api.router"


@pytest.mark.django_db
class TestErase:
    def test_a_signature_on_an_open_initiative_is_withdrawn(self, collecting, signer, person):
        camilla = person(*CAMILLA)
        services.sign(actor=signer, initiative_id=collecting.pk)
        services.sign(actor=camilla, initiative_id=collecting.pk)
        services.recount(collecting, force=True)

        privacy.delete_account(user=signer)

        collecting.refresh_from_db()
        assert list(Signature.objects.filter(initiative=collecting).values_list("name", flat=True)) == [
            "Camilla Demodatter"
        ]
        assert collecting.online_count == 1
        entry = AuditEntry.objects.get(action="initiatives.signature.withdrawn")
        assert entry.actor is None and entry.actor_label == "privacy" and entry.target_id == str(collecting.pk)
        assert "Bjørn" not in json.dumps(entry.data) and "Prøvestad" not in json.dumps(entry.data)

    def test_a_signature_on_an_expired_or_withdrawn_initiative_is_deleted(
        self, collecting, signer, promoter, case_worker, municipality
    ):
        services.sign(actor=signer, initiative_id=collecting.pk)
        Initiative.objects.filter(pk=collecting.pk).update(signing_ends_at=timezone.now())
        services.sweep()
        other = publish(new_draft(promoter, municipality, title="Trukket"), promoter, case_worker)
        services.sign(actor=signer, initiative_id=other.pk)
        services.withdraw(actor=promoter, initiative=other)
        assert Initiative.objects.get(pk=collecting.pk).state == State.EXPIRED

        providers.erase(signer)

        assert not Signature.objects.filter(name="Bjørn Prøvestad").exists()
        assert Initiative.objects.get(pk=collecting.pk).online_count == 0

    def test_a_signature_on_a_handed_over_initiative_stays_without_the_account(self, collecting, signer, promoter):
        services.sign(actor=signer, initiative_id=collecting.pk, show_name=True)
        handed = handed_over(collecting, promoter, [])

        privacy.delete_account(user=signer)

        signature = Signature.objects.get(initiative=handed)
        assert signature.user is None and signature.name == "Bjørn Prøvestad" and signature.pid_digest
        assert signature.show_name is False  # no longer on the public list of names
        handed.refresh_from_db()
        assert handed.online_count == 1

    def test_unpublished_proposals_are_deleted_and_leave_the_audit_log(self, promoter, case_worker, municipality):
        draft = new_draft(promoter, municipality, title="Privat utkast")
        in_review = new_draft(promoter, municipality, title="Til vurdering")
        services.submit_for_review(actor=promoter, initiative=in_review)
        changes = new_draft(promoter, municipality, title="Må endres")
        services.submit_for_review(actor=promoter, initiative=changes)
        services.request_changes(actor=case_worker, initiative=changes, reason="Fjern navnet på naboen.")
        refused = new_draft(promoter, municipality, title="Avvist")
        services.submit_for_review(actor=promoter, initiative=refused)
        services.refuse(actor=case_worker, initiative=refused, reason="Nedsettende.")
        withdrawn = new_draft(promoter, municipality, title="Angret")
        services.withdraw(actor=promoter, initiative=withdrawn)
        ids = [draft.pk, in_review.pk, changes.pk, refused.pk, withdrawn.pk]

        privacy.delete_account(user=promoter)

        assert not Initiative.objects.filter(pk__in=ids).exists()
        labels = set(
            AuditEntry.objects.filter(target_type="initiatives.initiative").values_list("target_label", flat=True)
        )
        assert labels == {f"#{pk}" for pk in ids}
        assert AuditEntry.objects.filter(action="initiatives.promoter_erased", data__proposals_deleted=5).exists()

    def test_a_public_initiative_stays_with_the_promoters_name(self, collecting, promoter, signer):
        services.sign(actor=signer, initiative_id=collecting.pk)

        privacy.delete_account(user=promoter)

        collecting.refresh_from_db()
        assert collecting.promoter is None and collecting.promoter_name == "Astrid Testesen"
        assert collecting.state == State.COLLECTING
        assert Signature.objects.filter(initiative=collecting).count() == 1  # others' signatures are untouched
        assert Step.objects.filter(initiative=collecting).exists()
        assert [hit.url for hit in providers.search("lysløypa", AnonymousUser())] == [collecting.get_absolute_url()]

    def test_a_withdrawn_initiative_that_was_public_stays(self, collecting, promoter):
        services.withdraw(actor=promoter, initiative=collecting)
        providers.erase(promoter)
        collecting.refresh_from_db()
        assert collecting.state == State.WITHDRAWN and collecting.promoter is None

    def test_co_promoters_name_stays_on_a_published_initiative_but_not_on_a_draft(
        self, draft, promoter, signer, case_worker, municipality
    ):
        confirm_co_promoter(draft, promoter, signer)
        publish(draft, promoter, case_worker)
        unpublished = new_draft(promoter, municipality, title="Ikke publisert")
        confirm_co_promoter(unpublished, promoter, signer)

        privacy.delete_account(user=signer)

        kept = CoPromoter.objects.get(initiative=draft)
        assert kept.name == "Bjørn Prøvestad" and kept.user is None and kept.email.endswith(".invalid")
        assert not CoPromoter.objects.filter(initiative=unpublished).exists()
        assert Initiative.objects.filter(pk=unpublished.pk).exists()  # it is the promoter's, not theirs

    def test_others_are_left_alone(self, collecting, promoter, signer, person, municipality):
        camilla = person(*CAMILLA)
        services.sign(actor=camilla, initiative_id=collecting.pk, show_name=True)
        theirs = new_draft(camilla, municipality, title="Camillas utkast")

        providers.erase(signer)
        providers.erase(promoter)

        assert Initiative.objects.filter(pk=theirs.pk, promoter=camilla).exists()
        signature = Signature.objects.get(initiative=collecting)
        assert signature.user == camilla and signature.show_name

    def test_attachment_files_of_a_deleted_draft_go_too(self, draft, promoter, django_capture_on_commit_callbacks):
        from django.core.files.base import ContentFile

        from tinget.initiatives.models import Attachment

        attachment = Attachment(initiative=draft, kind=Attachment.Kind.DOCUMENT, title="Kart", size=4)
        attachment.file.save("kart.pdf", ContentFile(b"%PDF"), save=True)
        storage, name = attachment.file.storage, attachment.file.name
        assert storage.exists(name)

        with django_capture_on_commit_callbacks(execute=True):
            providers.erase(promoter)

        assert not storage.exists(name)
