"""Storing imported records (tinget/journal/importing.py), the import service and task, and
`manage.py journal_import`: all or nothing, idempotent, corrections replace, screened names never stored, imported
entries found by search on either engine."""

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from tinget.accounts.staff import ADMINISTRATOR, CASE_WORKER
from tinget.accounts.tests.people import new_staff
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.models import AuditEntry
from tinget.journal import formats, importing, search
from tinget.journal.models import CaseFile, Correspondent, Document, ImportJob, JournalEntry
from tinget.journal.records import CorrespondentRecord, DocumentRecord, EntryRecord, Rejected

FILES = Path(__file__).parent / "files"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def units(municipality):
    """The Asker profile's units (the importer matches them by slug or name)."""
    return municipality


@pytest.fixture
def importer(municipality):
    return new_staff("arkiv@example.no", ADMINISTRATOR)


def record(sequence=1, **changes) -> EntryRecord:
    values = {
        "line": sequence + 1,
        "case_year": 2026,
        "case_sequence": 100,
        "case_title": "Skoleskyss 2026",
        "case_date": dt.date(2026, 3, 1),
        "year": 2026,
        "sequence": sequence,
        "number": sequence,
        "journal_date": dt.date(2026, 3, 2),
        "document_date": dt.date(2026, 2, 27),
        "type": "I",
        "title": f"Søknad om skoleskyss {sequence}",
        "unit": "oppvekst",
        "correspondents": (
            CorrespondentRecord(kind="sender", name="Kari Nordmann", is_person=True),
            CorrespondentRecord(kind="recipient", name="Oppvekst"),
        ),
        "documents": (DocumentRecord(title="Søknad"),),
    }
    values.update(changes)
    return EntryRecord(**values)


def store_file(name, parser):
    with (FILES / name).open("rb") as source:
        return importing.store(parser(source))


# --- Storing ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "parser"),
    [
        ("journal.json", formats.parse_json),
        ("journal.csv", formats.parse_csv),
        ("offentligJournal.xml", formats.parse_xml),
    ],
)
def test_sample_files_are_stored(units, name, parser):
    report = store_file(name, parser)
    assert report.errors == []
    assert (report.read, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert CaseFile.objects.count() == 2
    case = CaseFile.objects.get(year=2026, sequence=310)
    assert case.public_title == "Skoleskyss 2026 - Hval skole"
    assert case.unit.slug == "oppvekst"
    entry = JournalEntry.objects.get(year=2026, sequence=1201)
    assert entry.case == case
    assert entry.unit.slug == "oppvekst"
    assert entry.public_title == "Søknad om skoleskyss for elev ved Hval skole"
    assert [c.name for c in entry.correspondents.all()] == ["Kari Nordmann", "Oppvekst"]
    assert entry.documents.get().title == "Søknad om skoleskyss"
    assert len(entry.content_hash) == 64
    # The unit by its name works as well as by its slug.
    assert JournalEntry.objects.get(sequence=1202).unit.slug == "oppvekst"
    assert JournalEntry.objects.get(sequence=1203).case.year == 2025


def test_screened_names_are_never_stored(units):
    store_file("journal.json", formats.parse_json)
    entry = JournalEntry.objects.get(sequence=1202)
    (part,) = entry.correspondents.all()
    assert (part.screened, part.name) == (True, "")
    assert not Correspondent.objects.filter(name__icontains="Hemmelig").exists()
    assert not JournalEntry.objects.filter(search_document__icontains="Hemmelig").exists()
    assert entry.screened


def test_importing_the_same_file_twice_changes_nothing(units):
    first = store_file("journal.csv", formats.parse_csv)
    assert first.created == 3
    before = list(JournalEntry.objects.order_by("pk").values_list("pk", "updated_at", "content_hash"))
    parts = list(Correspondent.objects.order_by("pk").values_list("pk", flat=True))
    second = store_file("journal.csv", formats.parse_csv)
    assert (second.read, second.created, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert list(JournalEntry.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")) == before
    assert list(Correspondent.objects.order_by("pk").values_list("pk", flat=True)) == parts
    # The same entries in another format are the same data.
    third = store_file("journal.json", formats.parse_json)
    assert third.errors == []
    assert third.created == 0


def test_a_corrected_entry_replaces_the_old_one(units):
    importing.store([record(1), record(2)])
    entry = JournalEntry.objects.get(sequence=2)
    corrected = record(
        2,
        title="Søknad om skoleskyss (rettet)",
        case_title="Skoleskyss 2026, Hval",
        unit="plan-og-bygning",
        case_unit="oppvekst",
        correspondents=(CorrespondentRecord(kind="recipient", name="Statens vegvesen"),),
        documents=(),
        restriction_code="13",
        legal_basis="Offl. § 13",
    )
    report = importing.store([record(1), corrected])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    entry.refresh_from_db()
    assert entry.public_title == "Søknad om skoleskyss (rettet)"
    assert entry.unit.slug == "plan-og-bygning"
    assert (entry.restriction_code, entry.legal_basis) == ("13", "Offl. § 13")
    assert [(c.kind, c.name) for c in entry.correspondents.all()] == [("recipient", "Statens vegvesen")]
    assert not entry.documents.exists()
    assert "Statens vegvesen" in entry.search_document
    assert "Kari" not in entry.search_document
    case = entry.case
    assert case.public_title == "Skoleskyss 2026, Hval"
    assert case.unit.slug == "oppvekst"
    assert CaseFile.objects.count() == 1
    assert Correspondent.objects.filter(entry__sequence=1).count() == 2


def test_nothing_is_half_imported(units):
    good = [record(n) for n in range(1, 8)]
    bad = [Rejected(9, formats.Reason(formats.REQUIRED, field="title"))]
    report = importing.store([*good, *bad, record(10)], batch_size=3)
    assert report.rejected
    assert (report.read, report.created, report.updated, report.unchanged) == (9, 0, 0, 0)
    assert report.errors == [
        {
            "line": 9,
            "reason": "title is missing.",
            "detail": {"message": "%(field)s is missing.", "params": {"field": "title"}},
        }
    ]
    assert not JournalEntry.objects.exists()
    assert not CaseFile.objects.exists()
    assert not Correspondent.objects.exists()
    assert not search.engine().filter(JournalEntry.objects.all(), search.parse("skoleskyss")).exists()


def test_unknown_units_and_duplicate_keys_reject_the_file(units):
    report = importing.store(
        [record(1), record(2, unit="Teknisk etat"), record(1, line=40), record(3, case_unit="Ukjent")], batch_size=2
    )
    assert [(e["line"], e["reason"]) for e in report.errors] == [
        (
            3,
            "Unknown unit “Teknisk etat”: write the slug or the name of one of the municipality's units.",
        ),
        (40, "Journal entry 2026/1 comes more than once in the file."),
        (4, "Unknown unit “Ukjent”: write the slug or the name of one of the municipality's units."),
    ]
    assert not JournalEntry.objects.exists()


def test_the_list_of_errors_is_capped(units, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ERRORS", 3)
    report = importing.store([Rejected(n, "bad") for n in range(1, 9)])
    assert len(report.errors) == 3
    assert report.more_errors == 5
    assert report.error_count == 8
    assert report.error_rows()[-1]["reason"] == "… and 5 more problems, not listed."


def test_progress_is_reported_every_batch(units):
    seen = []
    report = importing.store([record(n) for n in range(1, 6)], progress=seen.append, batch_size=2)
    assert report.created == 5
    assert seen == [2, 4, 5]


def test_personal_names_fade_from_search_after_a_year(units, settings):
    settings.TINGET_JOURNAL_NAME_SEARCH_DAYS = 365
    old = timezone.now() - dt.timedelta(days=400)
    importing.store([record(1, published_at=old), record(2)])
    faded = JournalEntry.objects.get(sequence=1)
    assert faded.published_at == old
    assert faded.names_faded_at is not None
    assert "Kari Nordmann" not in faded.search_document
    assert "Oppvekst" in faded.search_document
    fresh = JournalEntry.objects.get(sequence=2)
    assert fresh.names_faded_at is None
    assert "Kari Nordmann" in fresh.search_document
    assert abs(fresh.published_at - timezone.now()) < dt.timedelta(minutes=5)
    # The names stay on the entry itself.
    assert faded.correspondents.filter(name="Kari Nordmann").exists()


def test_search_finds_imported_entries(units):
    store_file("journal.csv", formats.parse_csv)
    engine = search.engine()
    entries = JournalEntry.objects.all()
    assert set(engine.filter(entries, search.parse("skoleskyss")).values_list("sequence", flat=True)) == {1201, 1202}
    assert list(engine.filter(entries, search.parse('"asker sentrum"')).values_list("sequence", flat=True)) == [1203]
    assert list(engine.filter(entries, search.parse("Nordmann")).values_list("sequence", flat=True)) == [1201]
    # A corrected title is what is found afterwards.
    with (FILES / "journal.csv").open("rb") as source:
        rows = [r for r in formats.parse_csv(source)]
    rows[2] = dataclasses.replace(rows[2], title="Områderegulering Holmen")
    report = importing.store(rows)
    assert report.updated == 1
    assert list(engine.filter(entries, search.parse("holmen")).values_list("sequence", flat=True)) == [1203]
    assert not engine.filter(entries, search.parse("merknader")).exists()


def test_content_hash_ignores_the_line_only():
    assert importing.content_hash(record(1)) == importing.content_hash(dataclasses.replace(record(1), line=99))
    assert importing.content_hash(record(1)) != importing.content_hash(record(1, title="Annen tittel"))
    same_moment = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert importing.content_hash(record(1, published_at=same_moment)) == importing.content_hash(
        record(1, published_at=dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC))
    )


# --- The service and the task ----------------------------------------------------------------------------------
def upload(name="journal.csv"):
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="application/octet-stream")


def test_import_start_needs_the_permission(units):
    worker = new_staff("siri@example.no", CASE_WORKER)
    with pytest.raises(NotAllowed):
        importing.import_start(actor=worker, upload=upload(), format="csv")
    assert not ImportJob.objects.exists()


def test_import_start_checks_format_and_size(importer, settings):
    with pytest.raises(DomainError, match="Choose the format"):
        importing.import_start(actor=importer, upload=upload(), format="pdf")
    with pytest.raises(DomainError, match="empty"):
        importing.import_start(actor=importer, upload=SimpleUploadedFile("a.csv", b""), format="csv")
    settings.TINGET_JOURNAL_IMPORT_MAX_BYTES = 100
    with pytest.raises(DomainError, match="too large"):
        importing.import_start(actor=importer, upload=upload(), format="csv")
    assert not ImportJob.objects.exists()


def test_an_import_job_runs_in_the_background(importer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_start(actor=importer, upload=upload("offentligJournal.xml"), format="xml")
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert (job.read, job.created, job.updated, job.unchanged, job.errors) == (3, 3, 0, 0, [])
    assert job.original_name == "offentligJournal.xml"
    assert job.size == (FILES / "offentligJournal.xml").stat().st_size
    assert job.created_by == importer
    assert job.started_at and job.finished_at
    assert job.file.name.startswith("imports/")
    assert importing.job_progress(job) is None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"journal.import.started", "journal.import.done"} <= actions
    # A job that is no longer waiting is not run again.
    assert importing.import_run(job.pk).state == ImportJob.State.DONE
    assert JournalEntry.objects.count() == 3


def test_a_rejected_job_keeps_its_report(importer, django_capture_on_commit_callbacks):
    bad = SimpleUploadedFile("bad.csv", b"case_year;tittel\n2026;x\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_start(actor=importer, upload=bad, format="csv")
    job.refresh_from_db()
    assert job.state == ImportJob.State.REJECTED
    assert job.created == 0
    ((error),) = job.errors
    assert error["line"] == 1
    assert "The header lacks the required columns" in error["reason"]
    assert error["detail"]["parts"][0]["message"].startswith("The header lacks")
    assert not JournalEntry.objects.exists()


def test_a_failing_job_is_marked_failed(importer, django_capture_on_commit_callbacks, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "import_file", explode)
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_start(actor=importer, upload=upload(), format="csv")
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "error on the server" in job.errors[0]["reason"]
    assert "disk on fire" not in str(job.errors)


def test_progress_is_readable_while_the_import_runs(importer, monkeypatch):
    job = ImportJob.objects.create(format="csv", original_name="journal.csv", size=10, created_by=importer)
    job.file.save("test.csv", upload(), save=True)
    seen = []
    real_store = importing.store

    def watching_store(records, *, progress=None, **kwargs):
        def spy(read):
            progress(read)
            seen.append(importing.job_progress(job))

        return real_store(records, progress=spy, **kwargs)

    monkeypatch.setattr(importing, "store", watching_store)
    importing.import_run(job.pk)
    assert seen and seen[-1]["read"] == 3
    assert seen[-1]["bytes"] == job.file.size
    assert caches["jobs"].get(importing.PROGRESS_KEY.format(pk=job.pk)) is None


# --- The command -----------------------------------------------------------------------------------------------
def test_the_command_imports_a_file(units):
    out, err = io.StringIO(), io.StringIO()
    call_command("journal_import", str(FILES / "journal.csv"), stdout=out, stderr=err)
    assert "read 3, created 3, updated 0, unchanged 0, rejected 0" in out.getvalue()
    call_command("journal_import", str(FILES / "journal.csv"), stdout=out, stderr=err)
    assert "read 3, created 0, updated 0, unchanged 3, rejected 0" in out.getvalue()
    # The same entries from eInnsyn carry more (publication time, ids): they replace the CSV's.
    call_command("journal_import", str(FILES / "journal.json"), stdout=out, stderr=err)
    assert "read 3, created 0, updated 3, unchanged 0, rejected 0" in out.getvalue()
    assert JournalEntry.objects.count() == 3


def test_the_command_reports_a_rejected_file(units, tmp_path):
    bad = tmp_path / "postliste.txt"
    bad.write_text(
        "case_year;case_sequence;case_title;year;sequence;number;journal_date;type;title;unit\n"
        "2026;1;Sak;2026;1;1;27.11.2026;I;Brev;oppvekst\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported") as raised:
        call_command("journal_import", str(bad), "--format", "csv", stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert "line 2: journal_date must be a date written YYYY-MM-DD, not “27.11.2026”." in err.getvalue()
    assert not JournalEntry.objects.exists()
    with pytest.raises(CommandError, match="give --format"):
        call_command("journal_import", str(bad), stdout=out, stderr=err)
    with pytest.raises(CommandError, match="No such file"):
        call_command("journal_import", str(tmp_path / "missing.csv"), stdout=out, stderr=err)


@override_settings(TINGET_JOURNAL_NAME_SEARCH_DAYS=365)
def test_generated_journal_round_trips_through_csv(units):
    from tinget.journal import generator

    records = list(generator.generate(count=300, end=dt.date(2026, 6, 30)))
    text = io.StringIO(newline="")
    formats.write_csv(records, text)
    report = importing.store(formats.parse_csv(io.BytesIO(text.getvalue().encode())), batch_size=100)
    assert report.errors == []
    assert report.created == 300
    again = importing.store(formats.parse_csv(io.BytesIO(text.getvalue().encode())), batch_size=100)
    assert again.unchanged == 300
    assert not Correspondent.objects.filter(screened=True).exclude(name="").exists()
    assert Document.objects.count() >= 0
