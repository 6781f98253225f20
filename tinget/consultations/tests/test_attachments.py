"""Attachments to input, through the form: judged by their content (a PDF, a real .docx or .odt, an image
re-encoded), refused with the file's name and the reason while the typed text is kept (wrong type, too large,
empty, too many), kept on a draft and removable there, and a 20 MB PDF stored byte for byte without being read
into memory whole."""

import hashlib
import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tinget.consultations import forms as consultation_forms
from tinget.consultations.attachments import DOCX, ODT
from tinget.consultations.models import Submission, SubmissionAttachment
from tinget.core.tests.html import parse

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _remove_stored_files(db):
    """The stored files are real files in the test storage: gone with the test (the rows roll back)."""
    yield
    for attachment in SubmissionAttachment.objects.all():
        attachment.file.storage.delete(attachment.file.name)


# --- Helpers ---------------------------------------------------------------------------------------------------
def form_url(consultation, **query):
    url = reverse("consultations:give_input", kwargs={"pk": consultation.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def form_data(action="send", **changes):
    data = {
        "key": str(uuid.uuid4()),
        "action": action,
        "sender_kind": "person",
        "author_name": "Kari Nordmann",
        "text": "Se vedlagt notat om trafikken.",
        "show_name": "no",
    }
    data.update(changes)
    return data


def upload(data, name, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODT)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a document")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (0, 0, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def error_summary(response) -> str:
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def text_of(response) -> str:
    return parse(response.content).find("textarea", name="text").text


def post(client, consultation, files, **data):
    return client.post(form_url(consultation), {**form_data(**data), "attachments": files})


# --- Accepted --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "name", "content_type", "stored_name"),
    [
        (PDF, "notat.pdf", "application/pdf", "notat.pdf"),
        (docx_bytes(), "brev.docx", DOCX, "brev.docx"),
        (odt_bytes(), "brev.odt", ODT, "brev.odt"),
        (png_bytes(), "kart.pdf", "image/jpeg", "kart.jpg"),
    ],
    ids=["pdf", "docx", "odt", "png-named-pdf"],
)
def test_allowed_files_are_stored(resident_client, open_consultation, data, name, content_type, stored_name):
    response = post(resident_client, open_consultation, [upload(data, name)])
    assert response.status_code == 303
    attachment = SubmissionAttachment.objects.get()
    assert attachment.submission == Submission.objects.get()
    assert attachment.content_type == content_type and attachment.filename == stored_name
    with attachment.file.open("rb") as stored:
        content = stored.read()
    if content_type != "image/jpeg":
        assert content == data
    else:
        assert Image.open(io.BytesIO(content)).format == "JPEG"


def test_several_files_and_an_attachment_alone_is_enough(resident_client, open_consultation):
    response = post(resident_client, open_consultation, [upload(PDF, "a.pdf"), upload(docx_bytes(), "b.docx")], text="")
    assert response.status_code == 303
    assert sorted(SubmissionAttachment.objects.values_list("filename", flat=True)) == ["a.pdf", "b.docx"]


# --- Refused, with the name and the reason, the text kept -------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "program.exe"),
        (b"MZ\x90\x00" + b"\x00" * 200, "program.pdf"),
        (plain_zip(), "arkiv.zip"),
        (plain_zip(), "dokument.docx"),
        (b"<html><script>alert(1)</script></html>", "side.pdf"),
        (b"Bare tekst\n" * 20, "notat.txt"),
    ],
    ids=["exe", "exe-named-pdf", "zip", "zip-named-docx", "html", "text"],
)
def test_a_disallowed_type_is_refused(resident_client, open_consultation, data, name):
    response = post(resident_client, open_consultation, [upload(data, name)])
    assert response.status_code == 400
    summary = error_summary(response)
    assert f"The file {name} is not a type we accept" in summary
    assert "PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG" in summary
    assert parse(response.content).find(id="error-summary").find("a").attrs["href"] == "#id_attachments"
    assert text_of(response).strip() == form_data()["text"]
    assert "choose them again" in response.content.decode()
    assert not Submission.objects.exists() and not SubmissionAttachment.objects.exists()


def test_one_bad_file_among_good_ones_is_named(resident_client, open_consultation):
    response = post(resident_client, open_consultation, [upload(PDF, "god.pdf"), upload(plain_zip(), "slem.zip")])
    assert response.status_code == 400
    summary = error_summary(response)
    assert "slem.zip" in summary and "god.pdf" not in summary
    assert not SubmissionAttachment.objects.exists()


def test_a_too_large_file_is_refused(resident_client, open_consultation, settings):
    settings.TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = PDF[:-7] + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    response = post(resident_client, open_consultation, [upload(big, "stor.pdf")])
    assert response.status_code == 400
    assert "The file stor.pdf is too large" in error_summary(response)
    assert "at most 1 MB" in error_summary(response)
    assert text_of(response).strip() == form_data()["text"]
    assert not Submission.objects.exists()


def test_the_hint_follows_the_settings(resident_client, open_consultation, settings):
    settings.TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    settings.TINGET_CONSULTATION_MAX_ATTACHMENTS = 2
    hint = parse(resident_client.get(form_url(open_consultation)).content).by_id("id_attachments_hint").text
    assert "Up to 2 files" in hint and "at most 3 MB each" in hint


def test_an_empty_file_is_refused(resident_client, open_consultation):
    response = post(resident_client, open_consultation, [upload(b"", "tom.pdf")])
    assert response.status_code == 400
    assert "The file tom.pdf is empty" in error_summary(response)
    assert not Submission.objects.exists()


def test_too_many_files(resident_client, open_consultation, settings):
    settings.TINGET_CONSULTATION_MAX_ATTACHMENTS = 2
    files = [upload(PDF, f"{i}.pdf") for i in range(3)]
    response = post(resident_client, open_consultation, files)
    assert response.status_code == 400
    assert "You can add at most 2 attachments; with these you would have 3." in error_summary(response)
    assert not Submission.objects.exists()


def test_a_comment_takes_no_attachments(resident_client, open_consultation):
    section = open_consultation.sections.first()
    response = resident_client.post(
        form_url(open_consultation, section=section.pk), {**form_data(), "attachments": [upload(PDF, "a.pdf")]}
    )
    assert response.status_code == 303
    assert Submission.objects.get().section == section
    assert not SubmissionAttachment.objects.exists()


# --- On a draft ------------------------------------------------------------------------------------------------
def test_a_drafts_files_are_listed_and_can_be_removed(resident_client, open_consultation, settings):
    settings.TINGET_CONSULTATION_MAX_ATTACHMENTS = 2
    data = form_data(action="save")
    saved = post(resident_client, open_consultation, [upload(PDF, "en.pdf"), upload(docx_bytes(), "to.docx")], **data)
    assert saved.status_code == 303
    draft = Submission.objects.get()
    first, second = draft.attachments.order_by("pk")
    first_name = first.file.name

    page = parse(resident_client.get(saved.url).content)
    boxes = page.find_all("input", name="remove_attachments")
    assert [b.attrs["value"] for b in boxes] == [str(first.pk), str(second.pk)]
    assert all(b.attrs["type"] == "checkbox" for b in boxes)
    assert "en.pdf" in page.find("label", for_=boxes[0].attrs["id"]).text

    # Full: a third file needs one removed.
    full = resident_client.post(saved.url, {**data, "attachments": [upload(PDF, "tre.pdf")]})
    assert full.status_code == 400 and "at most 2 attachments" in error_summary(full)
    assert draft.attachments.count() == 2

    swapped = resident_client.post(
        saved.url,
        {**data, "action": "send", "remove_attachments": [str(first.pk)], "attachments": [upload(PDF, "tre.pdf")]},
    )
    assert swapped.status_code == 303
    draft.refresh_from_db()
    assert draft.is_sent
    assert sorted(draft.attachments.values_list("filename", flat=True)) == ["to.docx", "tre.pdf"]
    assert not first.file.storage.exists(first_name)


def test_removing_an_attachment_that_is_not_the_drafts(resident, resident_client, open_consultation):
    data = form_data(action="save")
    post(resident_client, open_consultation, [upload(PDF, "en.pdf")], **data)
    url = form_url(open_consultation, draft=data["key"])
    response = resident_client.post(url, {**data, "remove_attachments": ["99999"]})
    assert response.status_code == 400
    assert "That attachment is not part of this draft." in error_summary(response)
    assert SubmissionAttachment.objects.count() == 1


# --- A large file ----------------------------------------------------------------------------------------------
def test_a_20_mb_pdf_is_stored_identically_and_never_read_whole(resident_client, open_consultation, monkeypatch):
    body = bytearray(PDF[:-7])
    block = hashlib.sha256(b"tinget").digest() * 64  # 2 KB of varied bytes
    while len(body) < 20 * 1024 * 1024:
        body += block
    body += b"\n%%EOF\n"
    data = bytes(body)
    seen = []
    real_check = consultation_forms.check_file

    def spy(uploaded, **kwargs):
        seen.append(type(uploaded))
        return real_check(uploaded, **kwargs)

    monkeypatch.setattr(consultation_forms, "check_file", spy)
    response = post(resident_client, open_consultation, [upload(data, "plan.pdf", "application/pdf")])
    assert response.status_code == 303
    # Above FILE_UPLOAD_MAX_MEMORY_SIZE the upload handler keeps it in a temporary file, not in memory.
    assert seen == [TemporaryUploadedFile]
    attachment = SubmissionAttachment.objects.get()
    assert attachment.size == len(data)
    digest = hashlib.sha256()
    with attachment.file.open("rb") as stored:
        for chunk in iter(lambda: stored.read(1024 * 1024), b""):
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
