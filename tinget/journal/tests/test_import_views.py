"""The staff import pages (tinget/journal/views/importing.py): who gets in, the upload form's errors, a file
imported through the page, its report, and the progress page while an import runs."""

from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tinget.accounts.staff import ADMINISTRATOR
from tinget.accounts.tests.people import fast_staff_client, new_staff
from tinget.journal import importing
from tinget.journal.models import ImportJob, JournalEntry

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"journal:{name}", kwargs=kwargs or None)


@pytest.fixture
def importer(municipality):
    return new_staff("arkiv@example.no", ADMINISTRATOR)


@pytest.fixture
def importer_client(importer):
    return fast_staff_client(importer)


def upload(name="journal.csv", content=None):
    data = content if content is not None else (FILES / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- Who gets in ---------------------------------------------------------------------------------------------
def test_urls_are_english_under_en():
    assert url("imports") == "/en/mail-journal/imports/"
    assert url("import_detail", pk=4) == "/en/mail-journal/imports/4/"


@pytest.mark.parametrize("name", ["imports", "import_detail"])
def test_a_visitor_is_sent_to_log_in(client, municipality, name):
    address = url(name, pk=1) if name == "import_detail" else url(name)
    response = client.get(address)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_resident_is_refused(resident_client, municipality):
    assert resident_client.get(url("imports")).status_code == 403
    response = resident_client.post(url("imports"), {"format": "csv", "file": upload()})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_a_case_worker_without_the_permission_is_refused(staff_client):
    assert staff_client.get(url("imports")).status_code == 403
    response = staff_client.post(url("imports"), {"format": "csv", "file": upload()})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# --- The list and the upload -----------------------------------------------------------------------------------
def test_the_import_page_lists_imports_and_offers_the_form(importer_client, importer, django_assert_max_num_queries):
    for n in range(3):
        ImportJob.objects.create(format="csv", original_name=f"postliste-{n}.csv", size=1000, created_by=importer)
    with django_assert_max_num_queries(12):
        response = importer_client.get(url("imports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Import the mail journal" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="file"' in html and 'name="format"' in html
    assert "postliste-2.csv" in html
    assert html.count("<h1") == 1


def test_uploading_a_file_imports_it(importer_client):
    response = importer_client.post(url("imports"), {"format": "auto", "file": upload("journal.json")})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("import_detail", pk=job.pk)
    assert job.format == "json"
    assert job.state == ImportJob.State.DONE
    assert JournalEntry.objects.count() == 3
    page = importer_client.get(response["Location"]).content.decode()
    assert "Import of “journal.json”" in page
    assert "The file is imported." in page
    assert 'http-equiv="refresh"' not in page
    assert "<progress" not in page
    # The same file again: nothing changes.
    importer_client.post(url("imports"), {"format": "json", "file": upload("journal.json")})
    again = ImportJob.objects.order_by("-pk").first()
    assert (again.created, again.unchanged) == (0, 3)


def test_a_rejected_file_shows_its_report(importer_client):
    bad = b"case_year;case_sequence;case_title;year;sequence;number;journal_date;type;title;unit\n"
    bad += b"2026;1;Sak;2026;1;1;27.11.2026;I;Brev;oppvekst\n2026;1;Sak;2026;2;1;2026-01-01;I;Brev;Teknisk etat\n"
    response = importer_client.post(
        url("imports"), {"format": "csv", "file": upload("postliste.csv", bad)}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file was rejected and nothing was imported." in page
    assert "2 problems" in page
    assert "journal_date must be a date written YYYY-MM-DD, not “27.11.2026”." in page
    assert "Unknown unit “Teknisk etat”" in page
    assert '<th scope="row">2</th>' in page and '<th scope="row">3</th>' in page
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": "csv"}, "Choose the file to import."),
        ({"format": "pdf", "file": upload()}, "Choose one of the formats offered."),
        (
            {"format": "auto", "file": upload("postliste.txt", b"abc")},
            "The file name does not end in .json, .csv or .xml",
        ),
        ({"format": "csv", "file": upload("tom.csv", b"")}, "The file is empty."),
    ],
)
def test_malformed_uploads_are_refused(importer_client, data, message):
    response = importer_client.post(url("imports"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="ds-error-summary"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_oversized_upload_is_refused(importer_client, settings):
    settings.TINGET_JOURNAL_IMPORT_MAX_BYTES = 1024 * 1024
    big = upload("stor.csv", b"x" * (1024 * 1024 + 1))
    response = importer_client.post(url("imports"), {"format": "csv", "file": big})
    assert response.status_code == 400
    assert "The file is too large: at most 1 MB can be imported at a time." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_in_another_format_than_chosen_is_rejected_by_the_import(importer_client):
    response = importer_client.post(url("imports"), {"format": "xml", "file": upload("journal.csv")}, follow=True)
    assert response.status_code == 200
    assert ImportJob.objects.get().state == ImportJob.State.REJECTED
    assert "The XML is broken" in response.content.decode()


def test_a_get_request_cannot_start_an_import(importer_client):
    response = importer_client.get(url("imports"), {"format": "csv"})
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


# --- Progress --------------------------------------------------------------------------------------------------
def test_a_running_import_shows_its_progress(importer_client, importer):
    job = ImportJob.objects.create(
        format="csv", original_name="stor.csv", size=2000, created_by=importer, state=ImportJob.State.RUNNING
    )
    caches["jobs"].set(importing.PROGRESS_KEY.format(pk=job.pk), {"read": 4000, "bytes": 500, "size": 2000})
    page = importer_client.get(url("import_detail", pk=job.pk)).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert '<progress id="import-progress" max="100" value="25">' in page
    assert '<label for="import-progress">25 % of the file read</label>' in page
    assert "4000 records read so far." in page
    assert f'href="{url("import_detail", pk=job.pk)}">Reload now' in page


def test_a_waiting_import_reloads_without_a_value(importer_client, importer):
    job = ImportJob.objects.create(format="csv", original_name="stor.csv", size=2000, created_by=importer)
    page = importer_client.get(url("import_detail", pk=job.pk)).content.decode()
    assert '<progress id="import-progress" max="100">' in page
    assert "The import waits for its turn." in page


def test_a_missing_import_is_404(importer_client):
    assert importer_client.get(url("import_detail", pk=999999)).status_code == 404
