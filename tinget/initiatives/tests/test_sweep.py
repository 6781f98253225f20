"""`manage.py initiatives_sweep`: recounts, hands over or expires at the end of the period, purges old signatures,
prints what it did, and finds nothing to do the second time."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tinget.initiatives import services
from tinget.initiatives.models import Initiative, Signature, State

from .conftest import DRAFT


def sweep() -> dict[str, int]:
    out = StringIO()
    call_command("initiatives_sweep", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line]
    return {line.split(":")[0]: int(line.split(":")[1].split()[0]) for line in lines}


def published(promoter, case_worker, municipality, **data):
    initiative = services.draft_create(actor=promoter, municipality=municipality, data={**DRAFT, **data})
    services.submit_for_review(actor=promoter, initiative=initiative)
    return services.approve(actor=case_worker, initiative=initiative)


@pytest.mark.django_db
class TestSweep:
    def test_nothing_to_do(self, municipality):
        assert sweep() == {"recounted": 0, "handed_over": 0, "expired": 0, "signatures_deleted": 0}

    def test_prints_what_each_step_did(self, collecting):
        out = StringIO()
        call_command("initiatives_sweep", stdout=out)
        text = out.getvalue()
        assert "recounted: 1 (initiatives recounted)" in text
        assert "signatures_deleted: 0" in text

    def test_recounts_so_the_threshold_is_noticed_without_a_visitor(self, collecting, signer, settings):
        settings.TINGET_INITIATIVE_COUNT_SECONDS = 0
        Initiative.objects.filter(pk=collecting.pk).update(required_signatures=1)
        services.sign(actor=signer, initiative_id=collecting.pk)

        assert sweep()["recounted"] == 1

        collecting.refresh_from_db()
        assert collecting.online_count == 1 and collecting.state == State.THRESHOLD_REACHED

    def test_hands_over_or_expires_at_the_end_of_the_period(
        self, collecting, signer, promoter, case_worker, municipality
    ):
        enough = published(promoter, case_worker, municipality, title="Nok underskrifter")
        Initiative.objects.filter(pk=enough.pk).update(required_signatures=1)
        services.sign(actor=signer, initiative_id=enough.pk)
        ended = timezone.now() - timedelta(minutes=1)
        Initiative.objects.filter(pk__in=[collecting.pk, enough.pk]).update(signing_ends_at=ended)

        result = sweep()

        assert (result["handed_over"], result["expired"]) == (1, 1)
        assert Initiative.objects.get(pk=enough.pk).state == State.HANDED_OVER
        assert Initiative.objects.get(pk=enough.pk).decision_due is not None
        assert Initiative.objects.get(pk=collecting.pk).state == State.EXPIRED
        again = sweep()
        assert (again["handed_over"], again["expired"], again["recounted"]) == (0, 0, 0)

    def test_deletes_signatures_after_the_retention_period_once(self, collecting, signer, settings):
        services.sign(actor=signer, initiative_id=collecting.pk)
        closed = timezone.now() - timedelta(days=settings.TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS + 1)
        Initiative.objects.filter(pk=collecting.pk).update(state=State.EXPIRED, closed_at=closed, online_count=1)

        assert sweep()["signatures_deleted"] == 1

        assert not Signature.objects.exists()
        initiative = Initiative.objects.get(pk=collecting.pk)
        assert initiative.online_count == 1 and initiative.signatures_purged_at is not None
        assert sweep()["signatures_deleted"] == 0

    def test_keeps_signatures_within_the_retention_period(self, collecting, signer, settings):
        services.sign(actor=signer, initiative_id=collecting.pk)
        closed = timezone.now() - timedelta(days=settings.TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS - 1)
        Initiative.objects.filter(pk=collecting.pk).update(state=State.DECIDED, closed_at=closed)
        assert sweep()["signatures_deleted"] == 0
        assert Signature.objects.count() == 1
