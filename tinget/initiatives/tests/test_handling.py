"""Staff's pages for citizen initiatives: who gets in (login, permission, second factor), the overview, one
initiative, the review, bursts and invalidation, the hand-over and the political treatment."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import timezone, translation

from tinget.accounts.staff import ADMINISTRATOR, CASE_WORKER, EDITOR
from tinget.accounts.tests.pagecheck import assert_page_is_sound
from tinget.core.models import AuditEntry
from tinget.initiatives import services
from tinget.initiatives.models import Burst, Initiative, Invalidation, Signature, State, Step

from .conftest import fast_staff_client, idporten_client, new_staff

PASSWORD = "et-langt-passord-123"
NETWORK = "0123456789abcdef"
OTHER_NETWORK = "fedcba9876543210"


def en(name, **kwargs):
    """An address of the English pages: tests read English words, which the translators may reword in nb."""
    with translation.override("en"):
        return reverse(f"initiatives:{name}", kwargs=kwargs)


def page(response) -> str:
    return response.content.decode()


def query(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def in_review(promoter, municipality):
    """An initiative sent for review (its own, so that a test can have `collecting` too)."""
    initiative = services.draft_create(
        actor=promoter,
        municipality=municipality,
        data={
            "title": "Gatelys langs Drammensveien",
            "proposal": "Kommunen skal sette opp gatelys langs gang- og sykkelveien.",
            "reasons": "Det er mørkt og utrygt om vinteren.",
            "signing_days": 60,
        },
    )
    return services.submit_for_review(actor=promoter, initiative=initiative)


def set_required(initiative, required):
    Initiative.objects.filter(pk=initiative.pk).update(required_signatures=required)
    initiative.refresh_from_db()
    return initiative


def add_signatures(initiative, count, *, network=NETWORK, at=None, start=0):
    """Plain signature rows (the signing itself is tested in test_services)."""
    at = at or timezone.now()
    Signature.objects.bulk_create(
        [
            Signature(
                initiative=initiative,
                pid_digest=f"digest-{initiative.pk}-{start + n}",
                name=f"Person {start + n}",
                birth_date=timezone.localdate() - timedelta(days=365 * 30 + n),
                postcode="1384",
                network=network,
                created_at=at,
            )
            for n in range(count)
        ]
    )
    return services.recount(initiative, force=True)


@pytest.fixture
def threshold(collecting):
    """An initiative with enough signatures, ready to be handed over."""
    set_required(collecting, 2)
    initiative = add_signatures(collecting, 2)
    assert initiative.state == State.THRESHOLD_REACHED
    return Initiative.objects.get(pk=collecting.pk)


@pytest.fixture
def handed_over(threshold, case_worker):
    return services.hand_over(actor=case_worker, initiative=threshold)


# --- Who gets in -----------------------------------------------------------------------------------------------
class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, in_review):
        for url in (en("staff"), en("staff_detail", pk=in_review.pk), en("paper", pk=in_review.pk)):
            response = client.get(url)
            assert response.status_code == 302
            assert urlsplit(response.url).path == reverse("account_login")
            assert query(response.url)["next"] == url

    def test_an_anonymous_form_changes_nothing_and_leads_back_to_the_initiative(self, client, in_review):
        response = client.post(en("review", pk=in_review.pk), {"decision": "approve"})
        assert response.status_code == 302
        assert query(response.url)["next"] == en("staff_detail", pk=in_review.pk)
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_a_resident_posting_a_review_gets_403(self, promoter, in_review):
        client = idporten_client(promoter)
        assert client.post(en("review", pk=in_review.pk), {"decision": "approve"}).status_code == 403
        assert client.get(en("staff")).status_code == 403
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_staff_without_an_initiatives_permission_get_403(self, in_review):
        for role in (None, EDITOR):
            client = fast_staff_client(new_staff(f"{role or 'none'}@example.no", role))
            assert client.get(en("staff")).status_code == 403
            assert client.post(en("review", pk=in_review.pk), {"decision": "approve"}).status_code == 403

    def test_staff_without_an_authenticator_are_sent_to_set_one_up(self, client, case_worker):
        client.force_login(case_worker)
        response = client.get(en("staff"))
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")

    def test_staff_without_a_second_factor_this_session_are_asked_for_a_code(self, client, case_worker, in_review):
        TOTP.activate(case_worker, generate_totp_secret())
        client.force_login(case_worker)
        url = en("staff_detail", pk=in_review.pk)
        response = client.get(url)
        assert urlsplit(response.url).path == reverse("mfa_reauthenticate")
        assert query(response.url)["next"] == url
        response = client.post(en("review", pk=in_review.pk), {"decision": "approve"})
        assert query(response.url)["next"] == url
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_the_real_login_with_a_code_opens_the_overview(self, staff_client):
        assert staff_client.get(en("staff")).status_code == 200

    def test_each_page_needs_its_own_permission(self, moderator_client, handed_over, collecting):
        """A moderator reviews, but does not handle paper, bursts, the hand-over or the signature list."""
        pk = handed_over.pk
        assert moderator_client.get(en("staff")).status_code == 200
        assert moderator_client.get(en("staff_detail", pk=pk)).status_code == 200
        assert moderator_client.get(en("paper", pk=pk)).status_code == 403
        assert moderator_client.get(en("bursts", pk=pk)).status_code == 403
        assert moderator_client.post(en("invalidate", pk=pk), {"reason": "x"}).status_code == 403
        assert moderator_client.post(en("staff_hand_over", pk=pk), {"confirm": "on"}).status_code == 403
        assert moderator_client.post(en("step", pk=pk), {"kind": "note"}).status_code == 403
        assert moderator_client.get(en("signature_list", pk=pk) + "?format=csv").status_code == 403

    def test_drafts_and_unknown_initiatives_are_not_found(self, handler, draft):
        assert handler.get(en("staff_detail", pk=draft.pk)).status_code == 404
        assert handler.get(en("staff_detail", pk=draft.pk + 1000)).status_code == 404
        assert handler.post(en("review", pk=draft.pk), {"decision": "approve"}).status_code == 404

    def test_forms_only_take_post(self, handler, in_review):
        assert handler.get(en("review", pk=in_review.pk)).status_code == 405
        assert handler.get(en("step", pk=in_review.pk)).status_code == 405
        assert handler.post(en("signature_list", pk=in_review.pk)).status_code == 405


# --- The overview ----------------------------------------------------------------------------------------------
class TestOverview:
    def test_counts_queue_collections_deadlines_and_bursts(
        self, handler, person, municipality, in_review, case_worker, handed_over
    ):
        older = services.draft_create(
            actor=in_review.promoter,
            municipality=municipality,
            data={"title": "Eldre forslag", "proposal": "P", "reasons": "R", "signing_days": 60},
        )
        services.submit_for_review(actor=in_review.promoter, initiative=older)
        Initiative.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=3))
        Burst.objects.create(
            initiative=handed_over,
            network=NETWORK,
            window_start=timezone.now() - timedelta(minutes=10),
            window_end=timezone.now(),
            count=80,
        )
        Initiative.objects.filter(pk=handed_over.pk).update(decision_due=timezone.localdate() + timedelta(days=10))

        response = handler.get(en("staff"))

        html = page(response)
        assert "In review: <strong>2</strong>" in html
        assert "Handed over: <strong>1</strong>" in html
        assert html.index("Eldre forslag") < html.index(in_review.title)  # oldest first
        assert "Due in 10 days" in html
        assert "80 signatures from one network" in html
        assert_page_is_sound(response, "en")

    def test_an_overdue_decision_is_marked(self, handler, handed_over):
        Initiative.objects.filter(pk=handed_over.pk).update(decision_due=timezone.localdate() - timedelta(days=1))
        html = page(handler.get(en("staff")))
        assert "Overdue" in html and "handling-flag--danger" in html

    def test_a_decision_far_away_is_not_marked(self, handler, handed_over):
        html = page(handler.get(en("staff")))
        assert "Overdue" not in html and "Due in" not in html

    def test_collections_show_count_against_required(self, handler, collecting):
        set_required(collecting, 300)
        add_signatures(collecting, 3)
        html = page(handler.get(en("staff")))
        assert "3 of 300" in html

    def test_a_state_count_lists_that_state(self, handler, collecting, in_review):
        response = handler.get(en("staff"), {"state": "collecting"})
        html = page(response)
        assert collecting.title in html
        assert 'aria-current="true"' in html
        assert_page_is_sound(response, "en")

    def test_a_made_up_state_shows_the_overview(self, handler, in_review):
        for state in ("nonsense", "draft", "x" * 500):
            response = handler.get(en("staff"), {"state": state})
            assert response.status_code == 200
            assert "Waiting for review" in page(response)

    def test_drafts_are_counted_but_not_listed(self, handler, draft):
        html = page(handler.get(en("staff")))
        assert draft.title not in html
        assert "1 draft not sent for review yet" in html

    def test_the_overview_costs_a_bounded_number_of_queries(
        self, handler, municipality, promoter, case_worker, django_assert_max_num_queries
    ):
        for n in range(6):
            initiative = services.draft_create(
                actor=promoter,
                municipality=municipality,
                data={"title": f"Forslag {n}", "proposal": "P", "reasons": "R", "signing_days": 60},
            )
            services.submit_for_review(actor=promoter, initiative=initiative)
            if n % 2:
                services.approve(actor=case_worker, initiative=initiative)
        with django_assert_max_num_queries(20):
            assert handler.get(en("staff")).status_code == 200
        with django_assert_max_num_queries(20):
            assert handler.get(en("staff"), {"state": "collecting"}).status_code == 200


# --- One initiative and the review -----------------------------------------------------------------------------
class TestReview:
    def test_the_page_shows_the_initiative_and_the_review_forms(self, handler, in_review):
        response = handler.get(en("staff_detail", pk=in_review.pk))
        html = page(response)
        assert in_review.proposal in html and in_review.reasons in html and in_review.promoter_name in html
        assert "Approve and publish" in html and "Ask for changes" in html
        assert "outside the municipality" in html and "the council decides that" in html
        assert_page_is_sound(response, "en")

    def test_approving_publishes(self, handler, in_review):
        response = handler.post(en("review", pk=in_review.pk), {"decision": "approve"})
        assert response.status_code == 302 and response.url == en("staff_detail", pk=in_review.pk)
        initiative = Initiative.objects.get(pk=in_review.pk)
        assert initiative.state == State.COLLECTING and initiative.signing_ends_at
        assert "published" in page(handler.get(response.url))

    def test_a_second_approval_says_so_and_changes_nothing(self, handler, in_review):
        handler.post(en("review", pk=in_review.pk), {"decision": "approve"})
        published = Initiative.objects.get(pk=in_review.pk).published_at

        response = handler.post(en("review", pk=in_review.pk), {"decision": "approve"})

        assert response.status_code == 409
        assert "Nothing was changed" in page(response) and "Collecting signatures" in page(response)
        assert Initiative.objects.get(pk=in_review.pk).published_at == published

    def test_an_answer_after_a_colleague_answered_says_so_whatever_it_holds(self, handler, in_review):
        handler.post(en("review", pk=in_review.pk), {"decision": "approve"})
        for data in ({"decision": "changes", "reason": ""}, {"decision": "refuse", "ground": "offensive"}):
            response = handler.post(en("review", pk=in_review.pk), data)
            assert response.status_code == 409 and "Nothing was changed" in page(response)
        assert Initiative.objects.get(pk=in_review.pk).state == State.COLLECTING

    def test_a_race_lost_in_the_service_says_the_same(self, handler, in_review, monkeypatch):
        from tinget.core.errors import InvalidTransition

        def too_late(**kwargs):
            raise InvalidTransition()

        monkeypatch.setattr(services, "approve", too_late)
        response = handler.post(en("review", pk=in_review.pk), {"decision": "approve"})
        assert response.status_code == 409 and "Nothing was changed" in page(response)

    def test_asking_for_changes_needs_a_reason(self, handler, in_review):
        response = handler.post(en("review", pk=in_review.pk), {"decision": "changes", "reason": "   "})
        assert response.status_code == 400
        assert "Write the reason" in page(response)
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_asking_for_changes_keeps_the_reason_for_the_promoter(self, handler, in_review):
        response = handler.post(en("review", pk=in_review.pk), {"decision": "changes", "reason": "Skriv kortere."})
        assert response.status_code == 302
        initiative = Initiative.objects.get(pk=in_review.pk)
        assert initiative.state == State.CHANGES_REQUESTED and initiative.review_note == "Skriv kortere."

    def test_refusing_needs_a_ground_and_a_reason(self, handler, in_review):
        response = handler.post(en("review", pk=in_review.pk), {"decision": "refuse", "reason": "Nei."})
        assert response.status_code == 400 and "Choose the ground" in page(response)
        response = handler.post(en("review", pk=in_review.pk), {"decision": "refuse", "ground": "offensive"})
        assert response.status_code == 400 and "Write the reason" in page(response)
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_outside_the_municipality_is_no_ground(self, handler, in_review):
        response = handler.post(
            en("review", pk=in_review.pk), {"decision": "refuse", "ground": "outside_activity", "reason": "Statlig."}
        )
        assert response.status_code == 400
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_refusing_gives_the_promoter_the_ground_and_the_reason(self, handler, in_review):
        response = handler.post(
            en("review", pk=in_review.pk),
            {"decision": "refuse", "ground": "personal_data", "reason": "Teksten navngir en nabo."},
        )
        assert response.status_code == 302
        initiative = Initiative.objects.get(pk=in_review.pk)
        assert initiative.state == State.REFUSED
        assert "Teksten navngir en nabo." in initiative.review_note
        assert AuditEntry.objects.filter(action="initiatives.initiative.refused").exists()

    def test_a_reason_over_the_limit_is_refused_and_kept(self, handler, in_review):
        long = "x" * 2001
        response = handler.post(en("review", pk=in_review.pk), {"decision": "changes", "reason": long})
        assert response.status_code == 400
        assert long in page(response)
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_a_made_up_decision_is_refused(self, handler, in_review):
        for decision in ("", "publish", "x" * 1000):
            response = handler.post(en("review", pk=in_review.pk), {"decision": decision})
            assert response.status_code == 400
        assert Initiative.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    def test_no_review_forms_outside_the_review(self, handler, collecting):
        html = page(handler.get(en("staff_detail", pk=collecting.pk)))
        assert "Approve and publish" not in html
        assert en("signature_list", pk=collecting.pk) in html

    def test_the_detail_page_costs_a_bounded_number_of_queries(
        self, handler, handed_over, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(25):
            assert handler.get(en("staff_detail", pk=handed_over.pk)).status_code == 200


# --- Bursts and invalidation -----------------------------------------------------------------------------------
@pytest.fixture
def burst(collecting):
    set_required(collecting, 1000)
    now = timezone.now()
    add_signatures(collecting, 5, network=NETWORK, at=now - timedelta(minutes=3))
    add_signatures(collecting, 2, network=OTHER_NETWORK, at=now - timedelta(minutes=3), start=100)
    return Burst.objects.create(
        initiative=collecting,
        network=NETWORK,
        window_start=now - timedelta(minutes=10),
        window_end=now,
        count=5,
    )


class TestBursts:
    def test_the_page_lists_bursts_with_count_and_window(self, handler, burst):
        response = handler.get(en("bursts", pk=burst.initiative_id))
        html = page(response)
        assert "5 signatures" in html and NETWORK in html and "Not looked at" in html
        assert_page_is_sound(response, "en")

    def test_dismissing_keeps_the_signatures(self, handler, burst):
        response = handler.post(en("bursts", pk=burst.initiative_id), {"burst": burst.pk, "action": "dismiss"})
        assert response.status_code == 302
        burst.refresh_from_db()
        assert burst.outcome == Burst.Outcome.DISMISSED
        assert Initiative.objects.get(pk=burst.initiative_id).online_count == 7

    def test_invalidating_a_burst_needs_a_reason(self, handler, burst):
        response = handler.post(
            en("bursts", pk=burst.initiative_id), {"burst": burst.pk, "action": "invalidate", "reason": " "}
        )
        assert response.status_code == 400 and "Write the reason" in page(response)
        assert not Invalidation.objects.exists()

    def test_invalidating_a_burst(self, handler, burst):
        response = handler.post(
            en("bursts", pk=burst.initiative_id),
            {"burst": burst.pk, "action": "invalidate", "reason": "Samme person signerte for mange."},
        )
        assert response.status_code == 302
        burst.refresh_from_db()
        assert burst.outcome == Burst.Outcome.INVALIDATED
        assert Initiative.objects.get(pk=burst.initiative_id).online_count == 2
        assert Invalidation.objects.get().count == 5
        assert AuditEntry.objects.filter(action="initiatives.signatures.invalidated").exists()

    def test_a_burst_handled_already_is_not_handled_twice(self, handler, burst):
        data = {"burst": burst.pk, "action": "invalidate", "reason": "Svindel."}
        handler.post(en("bursts", pk=burst.initiative_id), data)
        response = handler.post(en("bursts", pk=burst.initiative_id), data, follow=True)
        assert "already been looked at" in page(response)
        assert Invalidation.objects.count() == 1

    def test_a_burst_of_another_initiative_is_not_found(self, handler, burst, in_review):
        response = handler.post(en("bursts", pk=in_review.pk), {"burst": burst.pk, "action": "dismiss"})
        assert response.status_code == 404

    def test_a_malformed_burst_form_is_refused(self, handler, burst):
        for data in ({}, {"burst": "x", "action": "dismiss"}, {"burst": burst.pk, "action": "delete"}):
            assert handler.post(en("bursts", pk=burst.initiative_id), data).status_code == 400
        burst.refresh_from_db()
        assert burst.outcome == Burst.Outcome.OPEN


class TestBulkInvalidation:
    def data(self, **changes):
        now = timezone.localtime()
        return {
            "network": NETWORK,
            "since": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "until": (now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Innsendt av samme maskin.",
            **changes,
        }

    def test_invalidating_a_network_in_a_time_range(self, handler, burst):
        response = handler.post(en("invalidate", pk=burst.initiative_id), self.data())
        assert response.status_code == 302
        assert Invalidation.objects.get().count == 5
        assert Signature.objects.filter(network=OTHER_NETWORK, invalidation__isnull=True).count() == 2

    def test_without_a_reason_nothing_is_invalidated(self, handler, burst):
        for reason in ("", "   "):
            response = handler.post(en("invalidate", pk=burst.initiative_id), self.data(reason=reason))
            assert response.status_code == 400 and "reason" in page(response)
        assert not Invalidation.objects.exists()

    @pytest.mark.parametrize(
        "changes",
        [
            {"network": "not-a-hash"},
            {"network": "0123456789ABCDEFG"},
            {"since": "31.02.2025"},
            {"until": "2020-01-01T00:00"},
            {"reason": "x" * 2001},
        ],
    )
    def test_malformed_and_oversized_input_is_refused_and_kept(self, handler, burst, changes):
        response = handler.post(en("invalidate", pk=burst.initiative_id), self.data(**changes))
        assert response.status_code == 400
        assert not Invalidation.objects.exists()

    def test_nothing_matching_is_said(self, handler, burst):
        response = handler.post(en("invalidate", pk=burst.initiative_id), self.data(network="aaaaaaaaaaaaaaaa"))
        assert response.status_code == 400 and "Nothing was changed" in page(response)
        assert not Invalidation.objects.exists()

    def test_after_the_hand_over_nothing_is_invalidated(self, handler, handed_over):
        response = handler.post(en("invalidate", pk=handed_over.pk), self.data())
        assert response.status_code == 400
        assert "before the hand-over" in page(response)
        assert not Invalidation.objects.exists()


# --- Hand-over and treatment -----------------------------------------------------------------------------------
class TestHandOver:
    def test_staff_hand_over_with_confirmation(self, handler, threshold):
        response = handler.post(en("staff_hand_over", pk=threshold.pk), {"confirm": "on"})
        assert response.status_code == 302
        initiative = Initiative.objects.get(pk=threshold.pk)
        assert initiative.state == State.HANDED_OVER and initiative.decision_due

    def test_without_the_confirmation_nothing_happens(self, handler, threshold):
        response = handler.post(en("staff_hand_over", pk=threshold.pk), {})
        assert response.status_code == 400
        assert Initiative.objects.get(pk=threshold.pk).state == State.THRESHOLD_REACHED

    def test_a_second_hand_over_says_so(self, handler, threshold):
        handler.post(en("staff_hand_over", pk=threshold.pk), {"confirm": "on"})
        response = handler.post(en("staff_hand_over", pk=threshold.pk), {"confirm": "on"})
        assert response.status_code == 409 and "Nothing was changed" in page(response)

    def test_not_before_the_threshold(self, handler, collecting):
        response = handler.post(en("staff_hand_over", pk=collecting.pk), {"confirm": "on"})
        assert response.status_code == 409
        assert Initiative.objects.get(pk=collecting.pk).state == State.COLLECTING


class TestTreatment:
    def test_recording_the_case_and_the_decision(self, handler, handed_over):
        today = timezone.localdate().isoformat()
        response = handler.post(
            en("step", pk=handed_over.pk), {"kind": "case_opened", "happened_on": today, "case_number": "25/1234"}
        )
        assert response.status_code == 302
        initiative = Initiative.objects.get(pk=handed_over.pk)
        assert initiative.state == State.UNDER_TREATMENT and initiative.case_number == "25/1234"

        response = handler.post(
            en("step", pk=handed_over.pk),
            {
                "kind": "decided",
                "happened_on": today,
                "meeting": "Kommunestyret",
                "text": "Kommunestyret vedtok forslaget.",
                "url": "example.no/sak",
            },
        )
        assert response.status_code == 302
        initiative = Initiative.objects.get(pk=handed_over.pk)
        assert initiative.state == State.DECIDED and initiative.decision_text == "Kommunestyret vedtok forslaget."
        assert Step.objects.filter(initiative=initiative, kind="decided", url="https://example.no/sak").exists()

    def test_a_decision_needs_its_text(self, handler, handed_over):
        data = {"kind": "decided", "happened_on": timezone.localdate().isoformat(), "text": ""}
        response = handler.post(en("step", pk=handed_over.pk), data)
        assert response.status_code == 400 and "Write the decision" in page(response)
        assert Initiative.objects.get(pk=handed_over.pk).state == State.HANDED_OVER

    @pytest.mark.parametrize(
        "changes",
        [
            {"happened_on": "31.02.2025"},
            {"happened_on": "2999-01-01"},
            {"kind": "published"},
            {"case_number": "x" * 41},
            {"text": "x" * 10001},
            {"url": "javascript:alert(1)"},
        ],
    )
    def test_malformed_and_oversized_input_is_refused(self, handler, handed_over, changes):
        data = {"kind": "note", "happened_on": timezone.localdate().isoformat(), "text": "Oppdatering", **changes}
        steps = Step.objects.filter(initiative=handed_over).count()
        response = handler.post(en("step", pk=handed_over.pk), data)
        assert response.status_code == 400
        assert Step.objects.filter(initiative=handed_over).count() == steps
        assert Initiative.objects.get(pk=handed_over.pk).state == State.HANDED_OVER

    def test_the_treatment_form_is_sound(self, handler, handed_over):
        response = handler.get(en("staff_detail", pk=handed_over.pk))
        html = page(response)
        assert "Record the political treatment" in html and "Case number" in html
        assert_page_is_sound(response, "en")

    def test_before_the_hand_over_only_an_update(self, handler, collecting):
        today = timezone.localdate().isoformat()
        response = handler.post(en("step", pk=collecting.pk), {"kind": "decided", "happened_on": today, "text": "Ja"})
        assert response.status_code == 400
        assert Initiative.objects.get(pk=collecting.pk).state == State.COLLECTING
        response = handler.post(en("step", pk=collecting.pk), {"kind": "note", "happened_on": today, "text": "Hei"})
        assert response.status_code == 302
        assert Step.objects.filter(initiative=collecting, kind="note").exists()

    def test_after_the_decision_a_step_says_why_not(self, handler, handed_over, case_worker):
        services.record_step(
            actor=case_worker,
            initiative=handed_over,
            kind="decided",
            happened_on=timezone.localdate(),
            text="Vedtatt.",
        )
        today = timezone.localdate().isoformat()
        response = handler.post(
            en("step", pk=handed_over.pk), {"kind": "note", "happened_on": today, "text": "Etterord"}
        )
        # A decided initiative is public: a note is still allowed.
        assert response.status_code == 302


def test_an_administrator_gets_in(municipality, in_review):
    client = fast_staff_client(new_staff("ada@example.no", ADMINISTRATOR))
    assert client.get(en("staff_detail", pk=in_review.pk)).status_code == 200


def test_case_worker_role_has_every_staff_permission(case_worker):
    for perm in ("review_initiative", "handle_initiative", "invalidate_signatures", "view_signature_list"):
        assert case_worker.has_perm(f"initiatives.{perm}")
    assert CASE_WORKER
