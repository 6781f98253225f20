"""The signature list for the council: CSV and PDF, only for those allowed, every download logged, never
cached."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from tinget.accounts.privacy import STAFF_READ_ACTION
from tinget.core.models import AuditEntry
from tinget.initiatives import selectors, services, signature_list
from tinget.initiatives.models import Initiative, PaperSignature, Signature

from .conftest import idporten_client
from .test_handling import NETWORK, add_signatures, en


@pytest.fixture
def listed(collecting, signer, case_worker):
    """An initiative with an online signature, one invalidated, and a paper batch with a duplicate."""
    Initiative.objects.filter(pk=collecting.pk).update(required_signatures=300)
    services.sign(actor=signer, initiative_id=collecting.pk, ip="192.0.2.10")
    add_signatures(collecting, 2, network=NETWORK)
    services.invalidate(actor=case_worker, initiative=collecting, reason="Samme maskin, samme minutt.", network=NETWORK)
    services.register_paper_batch(
        actor=case_worker,
        initiative=collecting,
        received_on=timezone.localdate(),
        rows=[
            ("Åse Ødegård", date(1980, 5, 17), "Storgata 1, 1384 Asker"),
            ("åse  ødegård", date(1980, 5, 17), "Storgata 1, 1384 Asker"),
            ('=HYPERLINK("http://evil")', date(1970, 1, 1), "@SUM(A1)"),
        ],
    )
    return Initiative.objects.get(pk=collecting.pk)


def download(client, initiative, fmt):
    return client.get(en("signature_list", pk=initiative.pk), {"format": fmt})


def reads(initiative):
    return AuditEntry.objects.filter(
        action=STAFF_READ_ACTION, target_type="initiatives.initiative", target_id=str(initiative.pk)
    )


def csv_of(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


class TestDownload:
    def test_csv_has_every_signature_with_its_status(self, handler, listed, signer):
        response = download(handler, listed, "csv")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="signatures-')
        rows = csv_of(response)
        assert rows[0][:3] == ["Source", "Name", "Date of birth"]
        online = [row for row in rows[1:] if row[0] == "Online"]
        paper = [row for row in rows[1:] if row[0] == "Paper"]
        assert len(online) == 3 and len(paper) == 3
        bjorn = next(row for row in online if row[1] == "Bjørn Prøvestad")
        assert bjorn[3] == "1388" and bjorn[7] == "Valid"
        assert sum(1 for row in online if row[7] == "Invalidated" and row[8] == "Samme maskin, samme minutt.") == 2
        assert [row[7] for row in paper].count("Valid") == 2
        assert any(row[7] == "Not counted" and row[8] == "Same person twice in the batch" for row in paper)
        assert any(row[4] == "Storgata 1, 1384 Asker" and row[2] == "17.05.1980" for row in paper)

    def test_formulas_in_names_are_kept_as_text(self, handler, listed):
        rows = csv_of(download(handler, listed, "csv"))
        assert any(row[1] == '\'=HYPERLINK("http://evil")' and row[4] == "'@SUM(A1)" for row in rows)

    def test_pdf(self, handler, listed):
        response = download(handler, listed, "pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert 'filename="signatures-' in response["Content-Disposition"]

    def test_neither_is_cached(self, handler, listed):
        for fmt in ("csv", "pdf"):
            cache_control = download(handler, listed, fmt)["Cache-Control"]
            assert "no-store" in cache_control and "private" in cache_control

    def test_every_download_is_logged(self, handler, listed, case_worker):
        download(handler, listed, "csv")
        download(handler, listed, "pdf")
        logged = list(reads(listed))
        assert len(logged) == 2
        assert all(entry.actor_id == case_worker.pk for entry in logged)
        assert logged[0].data["what"] == "The signature list of a citizen initiative"
        formats = AuditEntry.objects.filter(action="initiatives.signature_list.downloaded").values_list(
            "data", flat=True
        )
        assert sorted(d["format"] for d in formats) == ["csv", "pdf"]
        assert all(d["online"] == 3 and d["paper"] == 3 for d in formats)

    def test_the_list_works_after_the_hand_over_too(self, handler, listed, case_worker):
        Initiative.objects.filter(pk=listed.pk).update(required_signatures=3)
        services.recount(listed, force=True)
        services.hand_over(actor=case_worker, initiative=Initiative.objects.get(pk=listed.pk))
        assert download(handler, listed, "pdf").status_code == 200


class TestRefused:
    def test_without_the_permission_403_and_nothing_logged(self, moderator_client, listed):
        assert download(moderator_client, listed, "csv").status_code == 403
        assert download(moderator_client, listed, "pdf").status_code == 403
        assert not reads(listed).exists()

    def test_a_resident_gets_403(self, listed, signer):
        assert download(idporten_client(signer), listed, "csv").status_code == 403
        assert not reads(listed).exists()

    def test_anonymous_visitors_are_sent_to_log_in(self, client, listed):
        response = download(client, listed, "csv")
        assert response.status_code == 302 and "login" in response.url
        assert not reads(listed).exists()

    @pytest.mark.parametrize("fmt", ["", "xlsx", "CSV", "csv;pdf", "x" * 200])
    def test_an_unknown_format_is_refused_and_not_logged(self, handler, listed, fmt):
        assert download(handler, listed, fmt).status_code == 400
        assert not reads(listed).exists()

    def test_no_list_before_publication(self, handler, promoter, municipality):
        initiative = services.draft_create(
            actor=promoter,
            municipality=municipality,
            data={"title": "T", "proposal": "P", "reasons": "R", "signing_days": 60},
        )
        services.submit_for_review(actor=promoter, initiative=initiative)
        assert download(handler, initiative, "csv").status_code == 404

    def test_gone_once_the_signatures_are_deleted(self, handler, listed):
        Initiative.objects.filter(pk=listed.pk).update(signatures_purged_at=timezone.now())
        Signature.objects.filter(initiative=listed).delete()
        PaperSignature.objects.filter(initiative=listed).delete()
        assert download(handler, listed, "csv").status_code == 410
        assert not reads(listed).exists()


def test_the_pdf_draws_names_from_anywhere(listed):
    Signature.objects.filter(initiative=listed).update(name="Łukasz Żółć Nguyễn Ђорђе")
    online, paper = selectors.signature_list(listed)
    content = signature_list.pdf_bytes(listed, online, paper, municipality_name="Asker kommune")
    assert content.startswith(b"%PDF") and len(content) > 1000


def test_a_long_list_is_split_into_tables(listed):
    add_signatures(listed, signature_list.PDF_CHUNK + 5, network="", start=1000)
    online, paper = selectors.signature_list(listed)
    assert signature_list.pdf_bytes(listed, online, paper).startswith(b"%PDF")
