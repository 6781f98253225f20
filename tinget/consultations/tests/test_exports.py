"""The exports of all input: CSV (read back with the csv module) and a ZIP with a PDF per input and the
attachments (opened with zipfile); who may export, and every export logged."""

import csv
import io
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from tinget.consultations import exports, selectors, services
from tinget.core.models import AuditEntry
from tinget.core.tests.clients import CommittingClient

from . import test_processing as processing_tests
from .conftest import send_input
from .test_processing import PDF, en, give, pdf_file, questions

# The fixtures of the processing tests: three inputs (a person's, a comment on a section, an organisation's).
bjorn = processing_tests.bjorn
inputs = processing_tests.inputs


def download(client, consultation, fmt):
    return client.get(en(f"export_{fmt}", pk=consultation.pk))


def csv_of(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def zip_of(response) -> zipfile.ZipFile:
    assert isinstance(response, StreamingHttpResponse)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    return archive


def exported(consultation):
    return AuditEntry.objects.filter(
        action="consultations.submission.exported", target_id=str(consultation.pk)
    ).order_by("pk")


@pytest.fixture
def processed(inputs, case_worker, resident):
    """The three inputs of test_processing, one considered with a response, one tagged, one hidden, plus a
    draft that no export holds."""
    services.submission_consider(actor=case_worker, submission=inputs["kari"], response="Vi flytter torget.")
    services.submission_set_tags(actor=case_worker, submission=inputs["kari"], names=["trafikk", "torg"])
    services.submission_hide(actor=case_worker, submission=inputs["astrid"], reason="Nevner naboen med navn.")
    return inputs


class TestCsv:
    def test_every_sent_input_hidden_too_in_its_columns(self, staff_client, processed, bjorn):
        consultation = processed["consultation"]
        response = download(staff_client, consultation, "csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith(f'attachment; filename="input-{consultation.pk}-')
        rows = csv_of(response)
        choice, scale, text = questions(consultation)
        assert rows[0] == [
            "Number",
            "Sent",
            "Name",
            "Sent by",
            "Organisation",
            "Role in the organisation",
            "Name shown on the site",
            "E-mail",
            "Section",
            "Input",
            choice.text,
            scale.text,
            text.text,
            "Tags",
            "Considered",
            "The municipality's response",
            "Hidden",
            "Reason for hiding",
            "Sent after the deadline",
            "Attachments",
        ]
        body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        assert [row["Number"] for row in body] == ["1", "2", "3"]
        kari, astrid, org = body
        assert kari["Name"] == "Kari Nordmann" and kari["E-mail"] == "kari@example.no"
        assert kari["Sent by"] == "A private person" and kari["Name shown on the site"] == "No"
        assert kari["Section"] == "General input"
        assert kari["Sent"] == timezone.localtime(processed["kari"].sent_at).strftime("%d.%m.%Y %H:%M")
        assert kari["Tags"] == "torg, trafikk"
        assert kari["Considered"] == "Yes" and kari["The municipality's response"] == "Vi flytter torget."
        assert kari["Attachments"] == "Kart over Holmen.pdf"
        assert astrid["Hidden"] == "Yes" and astrid["Reason for hiding"] == "Nevner naboen med navn."
        assert astrid["Input"] == "Fem etasjer er for høyt ved sjøen."  # the original, for staff
        assert astrid["Section"] == "2 Byggehøyder"
        assert org["Sent by"] == "An organisation" and org["Organisation"] == "Holmen vel"
        assert org["Role in the organisation"] == "Leder" and org["Name shown on the site"] == "Yes"
        assert org["E-mail"] == bjorn.email
        assert org["Input"] == "Velforeningen støtter planen; men vil ha mer grønt."  # ";" inside a field
        assert (org[choice.text], org[scale.text], org[text.text]) == (
            "Ved skolen",
            "4 / 5",
            "Sykkelparkering mangler.",
        )
        assert org["Sent after the deadline"] == "No"

    def test_drafts_are_not_exported_and_late_input_is_marked(self, staff_client, case_worker, processed, resident):
        consultation = processed["consultation"]
        services.set_late_input(actor=case_worker, consultation=consultation, allow=True)
        draft = send_input(resident, consultation, text="Et utkast.", send=False)
        late = send_input(resident, consultation, text="Sent, men viktig.")
        rows = csv_of(download(staff_client, consultation, "csv"))
        assert [row[0] for row in rows[1:]] == ["1", "2", "3", str(late.number)]
        assert rows[-1][rows[0].index("Sent after the deadline")] == "Yes"
        assert all("Et utkast." not in row for row in rows)
        assert draft.number is None

    def test_line_breaks_quotes_and_formulas_survive(self, staff_client, open_consultation, resident):
        give(resident, open_consultation, text='Linje 1;\n"sitat"\r\nLinje 3', author_name='=HYPERLINK("http://x")')
        give(resident, open_consultation, text="@SUM(A1)", author_name="+47 Kari")
        rows = csv_of(download(staff_client, open_consultation, "csv"))
        header = rows[0]
        first, second = rows[1], rows[2]
        assert first[header.index("Input")] == 'Linje 1;\n"sitat"\r\nLinje 3'
        assert first[header.index("Name")] == '\'=HYPERLINK("http://x")'
        assert second[header.index("Input")] == "'@SUM(A1)"
        assert second[header.index("Name")] == "'+47 Kari"

    def test_an_empty_consultation_has_the_header_only(self, staff_client, open_consultation):
        rows = csv_of(download(staff_client, open_consultation, "csv"))
        assert len(rows) == 1 and rows[0][0] == "Number"

    def test_not_cached(self, staff_client, processed):
        for fmt in ("csv", "zip"):
            cache_control = download(staff_client, processed["consultation"], fmt)["Cache-Control"]
            assert "no-store" in cache_control and "private" in cache_control

    def test_rows_are_read_in_chunks(
        self,
        staff_client,
        case_worker,
        open_consultation,
        resident,
        settings,
        django_assert_max_num_queries,
        monkeypatch,
    ):
        """The export never holds all rows: they come in chunks, each with its tags, attachments and answers."""
        monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
        for n in range(35):
            submission = give(resident, open_consultation, text=f"Innspill {n}", files=[pdf_file()] if n % 2 else ())
            services.submission_set_tags(actor=case_worker, submission=submission, names=["alle"])
        response = download(staff_client, open_consultation, "csv")
        # 4 chunks: each one query for the rows (SQLite; a server-side cursor on PostgreSQL) and one each for
        # tags, attachments and answers; the lookups (questions, options, sections) once.
        with django_assert_max_num_queries(4 * 4 + 3):
            rows = csv_of(response)
        assert len(rows) == 36
        assert rows[-1][rows[0].index("Tags")] == "alle"


class TestZip:
    def test_a_pdf_per_input_and_the_attachments(self, staff_client, processed, resident):
        consultation = processed["consultation"]
        response = download(staff_client, consultation, "zip")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith(f'attachment; filename="input-{consultation.pk}-')
        archive = zip_of(response)
        names = archive.namelist()
        pdfs = sorted(name for name in names if name.endswith(".pdf") and "/" not in name)
        assert pdfs == ["input-0001.pdf", "input-0002.pdf", "input-0003.pdf"]
        for name in pdfs:
            assert archive.read(name).startswith(b"%PDF")
        assert archive.read("input-0001-attachments/Kart over Holmen.pdf") == PDF
        assert len(names) == 4

    def test_the_pdf_holds_the_input(self, processed):
        translation.activate("en")  # the texts asserted below are the English ones
        consultation = processed["consultation"]
        lookup = exports.Lookup(consultation)
        rows = {row.number: row for row in selectors.export_rows(selectors.export_submissions(consultation))}
        org = rows[3]
        texts = [flowable.text for flowable in exports.submission_story(org, consultation, lookup)]
        assert "Input 3 to Reguleringsplan for Holmen sentrum" in texts
        assert any("Holmen vel (Leder)" in text for text in texts)
        assert "Velforeningen støtter planen; men vil ha mer grønt." in texts
        assert "Ved skolen" in texts and "4 / 5" in texts and "Sykkelparkering mangler." in texts
        hidden = rows[2]
        texts = [flowable.text for flowable in exports.submission_story(hidden, consultation, lookup)]
        assert "Reason for hiding" in texts and "Nevner naboen med navn." in texts
        data = exports.submission_pdf(org, consultation, lookup)
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        assert b"Input 3 to Reguleringsplan for Holmen sentrum" in data  # the document's title

    def test_script_and_markup_in_the_text_are_text_in_the_pdf(self, open_consultation, resident):
        submission = give(resident, open_consultation, text="Fem < seks & sju > fire")
        [row] = selectors.export_rows(selectors.export_submissions(open_consultation).filter(pk=submission.pk))
        story = exports.submission_story(row, open_consultation, exports.Lookup(open_consultation))
        assert "Fem &lt; seks &amp; sju &gt; fire" in [flowable.text for flowable in story]
        assert exports.submission_pdf(row, open_consultation, exports.Lookup(open_consultation)).startswith(b"%PDF")

    def test_two_attachments_with_one_name_and_a_name_with_a_path(self, staff_client, open_consultation, resident):
        give(
            resident,
            open_consultation,
            files=[pdf_file("kart.pdf"), pdf_file("kart.pdf", PDF + b"%2"), pdf_file("../../etc/passwd.pdf")],
        )
        archive = zip_of(download(staff_client, open_consultation, "zip"))
        attachments = sorted(name for name in archive.namelist() if "/" in name)
        assert attachments == [
            "input-0001-attachments/kart-2.pdf",
            "input-0001-attachments/kart.pdf",
            "input-0001-attachments/passwd.pdf",
        ]
        assert archive.read("input-0001-attachments/kart-2.pdf") == PDF + b"%2"

    def test_a_missing_file_gets_a_note_instead_of_stopping_the_export(self, staff_client, processed):
        attachment = processed["kari"].attachments.get()
        attachment.file.storage.delete(attachment.file.name)
        archive = zip_of(download(staff_client, processed["consultation"], "zip"))
        note = "input-0001-attachments/Kart over Holmen.pdf.missing.txt"
        assert note in archive.namelist()
        assert "could not be read" in archive.read(note).decode()
        assert len([name for name in archive.namelist() if name.endswith(".pdf") and "/" not in name]) == 3

    def test_entries_are_streamed_as_they_are_written(self, processed):
        """The generator gives the archive in pieces (a PDF, then an attachment) rather than at the end."""
        consultation = processed["consultation"]
        rows = selectors.export_rows(selectors.export_submissions(consultation), chunk_size=2)
        chunks = [chunk for chunk in exports.zip_chunks(consultation, rows) if chunk]
        assert len(chunks) >= 4
        assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).testzip() is None


class TestAccess:
    def test_every_export_is_logged(self, staff_client, case_worker, processed):
        consultation = processed["consultation"]
        download(staff_client, consultation, "csv")
        download(staff_client, consultation, "zip")
        entries = list(exported(consultation))
        assert [(e.data["format"], e.data["count"], e.actor_id) for e in entries] == [
            ("csv", 3, case_worker.pk),
            ("zip", 3, case_worker.pk),
        ]

    @pytest.mark.parametrize("fmt", ["csv", "zip"])
    def test_nobody_else_exports_and_nothing_is_logged(
        self, fmt, other_client, moderator_client, resident_client, processed
    ):
        consultation = processed["consultation"]
        for who in (other_client, moderator_client, resident_client):
            assert download(who, consultation, fmt).status_code == 403
        assert download(CommittingClient(), consultation, fmt).status_code == 302  # anonymous: to the login
        assert not exported(consultation).exists()

    def test_a_case_worker_without_the_export_permission(self, staff_client, case_worker, processed):
        from django.contrib.auth.models import Permission

        # A role without export (e.g. a trainee): everything else, not the exports.
        group = case_worker.groups.get()
        case_worker.groups.clear()
        case_worker.user_permissions.set(group.permissions.exclude(codename="export_submissions"))
        consultation = processed["consultation"]
        assert staff_client.get(en("report", pk=consultation.pk)).status_code == 200
        assert download(staff_client, consultation, "csv").status_code == 403
        assert download(staff_client, consultation, "zip").status_code == 403
        assert not exported(consultation).exists()
        assert Permission.objects.filter(codename="export_submissions").exists()
