"""My citizen initiatives and my signatures: the pages behind the Min side section. Login required, never
cached, paginated, only the person's own, every state written out, and a withdraw button only where allowed."""

import pytest
from django.urls import NoReverseMatch, reverse

from tinget.initiatives import services
from tinget.initiatives.models import Initiative, State

from .conftest import DRAFT, idporten_client

MINE = "initiatives:mine"
SIGNATURES = "initiatives:my_signatures"


def new_draft(promoter, municipality, **data):
    return services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, **data})


def withdraw_url(initiative):
    try:
        return reverse("initiatives:withdraw_signature", args=[initiative.pk])
    except NoReverseMatch:
        pytest.skip("initiatives:withdraw_signature is not mounted yet")


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("name", [MINE, SIGNATURES])
    def test_login_required(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "next=" in response["Location"]

    @pytest.mark.parametrize("name", [MINE, SIGNATURES])
    def test_never_cached_and_get_only(self, resident_client, name):
        response = resident_client.get(reverse(name))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert resident_client.post(reverse(name)).status_code == 405

    @pytest.mark.parametrize("name", [MINE, SIGNATURES])
    def test_someone_with_nothing_sees_the_empty_text(self, resident_client, name):
        page = resident_client.get(reverse(name)).content.decode()
        assert "empty-state" in page


@pytest.mark.django_db
class TestMyProposals:
    def test_every_state_with_staffs_reason(self, promoter, case_worker, municipality, collecting, person):
        draft = new_draft(promoter, municipality, title="Mitt utkast")
        changes = new_draft(promoter, municipality, title="Skal endres")
        services.submit_for_review(actor=promoter, initiative=changes)
        services.request_changes(actor=case_worker, initiative=changes, reason="Ta bort navnet på naboen.")
        refused = new_draft(promoter, municipality, title="Avvist forslag")
        services.submit_for_review(actor=promoter, initiative=refused)
        services.refuse(actor=case_worker, initiative=refused, reason="Teksten er nedsettende.")
        others = new_draft(person("02519131008", "Camilla", "Demodatter", "1390"), municipality, title="Camillas")

        response = idporten_client(promoter).get(reverse(MINE))

        page = response.content.decode()
        for initiative in (draft, changes, refused, collecting):
            assert initiative.get_absolute_url() in page
        for state in (State.DRAFT, State.CHANGES_REQUESTED, State.REFUSED, State.COLLECTING):
            assert str(state.label) in page
        assert "Ta bort navnet på naboen." in page and "Teksten er nedsettende." in page
        assert others.title not in page
        assert "0 av 300" in page or "0 of 300" in page
        assert reverse(SIGNATURES) in page

    def test_edit_link_only_while_editable(self, draft, collecting, promoter, municipality):
        try:
            edit = reverse("initiatives:edit", args=[draft.pk])
        except NoReverseMatch:
            pytest.skip("initiatives:edit is not mounted yet")
        other = new_draft(promoter, municipality, title="Nummer to")
        page = idporten_client(promoter).get(reverse(MINE)).content.decode()
        assert reverse("initiatives:edit", args=[other.pk]) in page
        assert edit not in page  # `draft` is the published `collecting`

    def test_text_is_escaped(self, promoter, municipality):
        new_draft(promoter, municipality, title="<script>alert(1)</script>")
        page = idporten_client(promoter).get(reverse(MINE)).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page

    def test_paginated(self, promoter, municipality):
        for n in range(21):
            new_draft(promoter, municipality, title=f"Utkast nummer {n:02d}")
        client = idporten_client(promoter)
        first = client.get(reverse(MINE)).content.decode()
        assert first.count('">Utkast nummer') == 20
        assert client.get(reverse(MINE), {"side": 2}).content.decode().count('">Utkast nummer') == 1
        for bad in ("abc", "0", "999", "-1", "1" * 50):
            response = client.get(reverse(MINE), {"side": bad})
            assert response.status_code == 200 and "Utkast nummer" in response.content.decode()

    def test_query_count(self, promoter, municipality, django_assert_max_num_queries):
        for n in range(10):
            new_draft(promoter, municipality, title=f"Utkast {n}")
        client = idporten_client(promoter)
        with django_assert_max_num_queries(12):
            assert client.get(reverse(MINE)).status_code == 200


@pytest.mark.django_db
class TestMySignatures:
    def test_my_signatures_with_the_initiatives_state(self, collecting, signer, person, promoter):
        services.sign(actor=signer, initiative_id=collecting.pk, show_name=True)
        camilla = person("02519131008", "Camilla", "Demodatter", "1390")
        services.sign(actor=camilla, initiative_id=collecting.pk)

        page = idporten_client(signer).get(reverse(SIGNATURES)).content.decode()

        assert collecting.get_absolute_url() in page and str(State.COLLECTING.label) in page
        assert page.count(f'href="{collecting.get_absolute_url()}"') == 1  # Camilla's signature is not mine
        assert reverse(MINE) in page
        assert idporten_client(promoter).get(reverse(SIGNATURES)).content.decode().count(collecting.title) == 0

    def test_withdraw_button_while_allowed(self, collecting, signer):
        services.sign(actor=signer, initiative_id=collecting.pk)
        url = withdraw_url(collecting)
        page = idporten_client(signer).get(reverse(SIGNATURES)).content.decode()
        assert f'action="{url}"' in page and 'name="csrfmiddlewaretoken"' in page

    def test_the_button_withdraws(self, collecting, signer):
        services.sign(actor=signer, initiative_id=collecting.pk)
        client = idporten_client(signer)
        url = withdraw_url(collecting)

        response = client.post(url)

        assert response.status_code == 303
        assert collecting.title not in client.get(reverse(SIGNATURES)).content.decode()

    def test_no_withdraw_button_after_the_hand_over(self, collecting, signer, promoter):
        Initiative.objects.filter(pk=collecting.pk).update(required_signatures=1)
        services.sign(actor=signer, initiative_id=collecting.pk)
        services.recount(Initiative.objects.get(pk=collecting.pk), force=True)
        services.hand_over(actor=promoter, initiative=Initiative.objects.get(pk=collecting.pk))
        url = withdraw_url(collecting)

        page = idporten_client(signer).get(reverse(SIGNATURES)).content.decode()

        assert str(State.HANDED_OVER.label) in page and url not in page

    def test_query_count(self, promoter, signer, case_worker, municipality, django_assert_max_num_queries):
        for n in range(8):
            initiative = new_draft(promoter, municipality, title=f"Forslag {n}")
            services.submit_for_review(actor=promoter, initiative=initiative)
            services.approve(actor=case_worker, initiative=initiative)
            services.sign(actor=signer, initiative_id=initiative.pk)
        client = idporten_client(signer)
        with django_assert_max_num_queries(12):
            page = client.get(reverse(SIGNATURES))
        assert page.content.decode().count("Forslag ") >= 8
