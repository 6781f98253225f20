"""The core rules: states, one signature per person, counting, paper, hand-over, treatment, the sweep."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.initiatives import rules, services
from tinget.initiatives.models import Burst, Initiative, PaperSignature, Signature, State, Step

from .conftest import BJORN, EVA

pytestmark = pytest.mark.django_db


def test_required_signatures_follows_the_law():
    assert rules.required_signatures(100_000) == 300
    assert rules.required_signatures(10_000) == 200
    assert rules.required_signatures(10_001) == 201
    assert rules.required_signatures(1) == 1


def test_decision_due_is_six_months_later_even_at_month_end():
    assert rules.decision_due(date(2026, 1, 15)) == date(2026, 7, 15)
    assert rules.decision_due(date(2026, 8, 31)) == date(2027, 2, 28)


def test_approval_publishes_and_freezes_the_goal(collecting, municipality):
    assert collecting.state == State.COLLECTING
    assert collecting.required_signatures == 300
    assert collecting.signing_ends_at > timezone.now() + timedelta(days=89)
    assert Step.objects.filter(initiative=collecting, kind=Step.Kind.PUBLISHED).exists()


def test_a_resident_cannot_review(draft, promoter):
    services.submit_for_review(actor=promoter, initiative=draft)
    with pytest.raises(NotAllowed):
        services.approve(actor=promoter, initiative=draft)


def test_refusal_needs_a_reason(draft, promoter, case_worker):
    services.submit_for_review(actor=promoter, initiative=draft)
    with pytest.raises(DomainError):
        services.refuse(actor=case_worker, initiative=draft, reason="  ")
    refused = services.refuse(actor=case_worker, initiative=draft, reason="Inneholder personopplysninger om andre.")
    assert refused.state == State.REFUSED and refused.review_note


def test_one_signature_per_person_is_the_databases_rule(collecting, signer):
    services.sign(actor=signer, initiative_id=collecting.pk)
    with pytest.raises(services.AlreadySigned):
        services.sign(actor=signer, initiative_id=collecting.pk)
    assert Signature.objects.filter(initiative=collecting).count() == 1


def test_the_unique_key_holds_without_the_service(collecting, signer):
    """Even a write that skips every check cannot add a second row for the same person."""
    from django.db import IntegrityError, transaction

    first = services.sign(actor=signer, initiative_id=collecting.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            initiative=collecting, pid_digest=first.pid_digest, name="x", created_at=timezone.now()
        )


def test_a_non_resident_is_told_why(collecting, person):
    eva = person(*EVA, resident=False)
    with pytest.raises(services.NotResident):
        services.sign(actor=eva, initiative_id=collecting.pk)


def test_no_signature_after_the_period(collecting, signer):
    Initiative.objects.filter(pk=collecting.pk).update(signing_ends_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(services.NotSignable):
        services.sign(actor=signer, initiative_id=collecting.pk)


def test_withdrawal_only_of_ones_own_and_before_hand_over(collecting, signer, person):
    services.sign(actor=signer, initiative_id=collecting.pk)
    other = person("02519131008", "Camilla", "Demodatter", "1390")
    with pytest.raises(DomainError):
        services.withdraw_signature(actor=other, initiative=collecting)
    services.withdraw_signature(actor=signer, initiative=collecting)
    assert not Signature.objects.filter(initiative=collecting).exists()


def test_recount_is_exact_and_notices_the_threshold(collecting, signer, settings, municipality):
    Initiative.objects.filter(pk=collecting.pk).update(required_signatures=1)
    collecting.refresh_from_db()
    services.sign(actor=signer, initiative_id=collecting.pk)
    counted = services.recount(collecting, force=True)
    assert counted.online_count == 1
    assert counted.state == State.THRESHOLD_REACHED
    assert Step.objects.filter(initiative=collecting, kind=Step.Kind.THRESHOLD).count() == 1


def test_recount_waits_its_turn(collecting, signer, settings):
    settings.TINGET_INITIATIVE_COUNT_SECONDS = 60
    services.recount(collecting, force=True)
    services.sign(actor=signer, initiative_id=collecting.pk)
    assert services.recount(Initiative.objects.get(pk=collecting.pk)).online_count == 0
    assert services.recount(Initiative.objects.get(pk=collecting.pk), force=True).online_count == 1


def test_paper_batch_finds_duplicates_everywhere(collecting, signer, case_worker):
    services.sign(actor=signer, initiative_id=collecting.pk)
    batch = services.register_paper_batch(
        actor=case_worker,
        initiative=collecting,
        received_on=timezone.localdate(),
        rows=[
            ("Ola Nordmann", date(1980, 5, 17), "Storgata 1, 1384 Asker"),
            ("ola  nordmann", date(1980, 5, 17), "Storgata 1, 1384 Asker"),
            (f"{BJORN[1]} {BJORN[2]}", date(1955, 6, 23), "Borgenveien 2"),
        ],
    )
    statuses = list(batch.signatures.order_by("pk").values_list("status", flat=True))
    assert statuses == [
        PaperSignature.Status.COUNTED,
        PaperSignature.Status.DUPLICATE_IN_BATCH,
        PaperSignature.Status.DUPLICATE_ONLINE,
    ]
    again = services.register_paper_batch(
        actor=case_worker,
        initiative=collecting,
        received_on=timezone.localdate(),
        rows=[("Ola Nordmann", date(1980, 5, 17), "Storgata 1")],
    )
    assert again.signatures.get().status == PaperSignature.Status.DUPLICATE_PAPER
    collecting.refresh_from_db()
    assert (collecting.online_count, collecting.paper_count) == (1, 1)


def test_paper_batch_refuses_an_impossible_birth_date(collecting, case_worker):
    with pytest.raises(DomainError):
        services.register_paper_batch(
            actor=case_worker,
            initiative=collecting,
            received_on=timezone.localdate(),
            rows=[("Ola Nordmann", timezone.localdate() + timedelta(days=1), "Storgata 1")],
        )
    assert not PaperSignature.objects.exists()


def test_hand_over_and_decision(collecting, signer, promoter, case_worker):
    Initiative.objects.filter(pk=collecting.pk).update(required_signatures=1)
    services.sign(actor=signer, initiative_id=collecting.pk)
    services.recount(Initiative.objects.get(pk=collecting.pk), force=True)
    handed = services.hand_over(actor=promoter, initiative=Initiative.objects.get(pk=collecting.pk))
    assert handed.state == State.HANDED_OVER and handed.decision_due
    with pytest.raises(services.NotSignable):
        services.sign(actor=promoter, initiative_id=collecting.pk)
    with pytest.raises(DomainError):
        services.withdraw_signature(actor=signer, initiative=handed)
    services.record_step(
        actor=case_worker,
        initiative=handed,
        kind=Step.Kind.CASE_OPENED,
        happened_on=timezone.localdate(),
        case_number="26/1234",
    )
    services.record_step(
        actor=case_worker,
        initiative=handed,
        kind=Step.Kind.DECIDED,
        happened_on=timezone.localdate(),
        text="Kommunestyret vedtok forslaget.",
    )
    handed.refresh_from_db()
    assert handed.state == State.DECIDED and handed.case_number == "26/1234"


def test_cannot_hand_over_without_enough(collecting, promoter):
    with pytest.raises(InvalidTransition):
        services.hand_over(actor=promoter, initiative=collecting)


def test_bursts_are_flagged_and_can_be_invalidated(collecting, person, settings, case_worker):
    settings.TINGET_INITIATIVE_BURST_COUNT = 2
    pids = ["02519131008", "23465504544", "14437812099"]
    for pid in pids:
        services.sign(actor=person(pid, "Test", pid[-4:], "1384"), initiative_id=collecting.pk, ip="10.1.2.3")
    services.recount(collecting, force=True)
    burst = Burst.objects.get()
    assert burst.count == 3
    invalidation = services.invalidate(actor=case_worker, initiative=collecting, reason="Én maskin", burst=burst)
    assert invalidation.count == 3
    collecting.refresh_from_db()
    assert collecting.online_count == 0


def test_sweep_expires_and_purges(collecting, signer, settings):
    services.sign(actor=signer, initiative_id=collecting.pk)
    Initiative.objects.filter(pk=collecting.pk).update(signing_ends_at=timezone.now() - timedelta(days=1))
    result = services.sweep()
    assert result["expired"] == 1
    collecting.refresh_from_db()
    assert collecting.state == State.EXPIRED
    later = timezone.now() + timedelta(days=settings.TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS + 1)
    assert services.purge_signatures(now=later) == 1
    collecting.refresh_from_db()
    assert collecting.online_count == 1  # the figure stays


def test_signature_stores_no_national_number(collecting, signer):
    signature = services.sign(actor=signer, initiative_id=collecting.pk)
    row = connection.cursor()
    row.execute("SELECT * FROM initiatives_signature WHERE id = %s", [signature.pk])
    assert BJORN[0] not in " ".join(str(v) for v in row.fetchone())


def test_reviewers_are_told_when_a_proposal_waits(draft, promoter, case_worker, django_user_model, mailoutbox):
    from django.test import TestCase

    django_user_model.objects.create_user("resident@example.no", "x")  # not staff: not told
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.submit_for_review(actor=promoter, initiative=draft)
    assert [m.to for m in mailoutbox] == [[case_worker.email]]
    assert draft.title in mailoutbox[0].body
    assert f"/{draft.pk}/" in mailoutbox[0].body
