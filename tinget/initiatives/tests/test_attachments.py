"""Attachments and images: judged by their content (an image re-encoded without metadata, a document a real PDF),
limited in size and number, each with a title; added and removed only by the promoter while the text can be
changed; served only to those who may see the initiative."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tinget.core.images import ProcessedImage, process_image
from tinget.core.tests.html import parse
from tinget.initiatives import services
from tinget.initiatives.attachments import AttachmentRejected, check_file
from tinget.initiatives.models import Attachment, State

from .conftest import BJORN, idporten_client

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE = 0x010F
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


# --- Helpers ---------------------------------------------------------------------------------------------------
def url(name, **kwargs):
    return reverse(f"initiatives:{name}", kwargs=kwargs)


def phone_jpeg(size=(400, 300)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[MAKE] = "ExamplePhone"
    exif[GPS_IFD] = {1: "N", 2: (59.0, 50.0, 0.6), 3: "E", 4: (10.0, 26.0, 4.2)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"secret comment")
    return buffer.getvalue()


def png_bytes(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(data, name="bilde.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def add(client, initiative, data=None, name="bilde.jpg", title="Lysløypa i mørket", **extra):
    payload = {"file": upload(phone_jpeg() if data is None else data, name=name), "title": title, **extra}
    return client.post(url("attachments", pk=initiative.pk), payload)


def error_summary(response) -> str:
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def messages_of(response) -> str:
    found = parse(response.content).find("div", class_="messages")
    return found.text if found else ""


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- The checks, without HTTP ----------------------------------------------------------------------------------
def test_a_photo_is_re_encoded_without_its_metadata():
    checked = check_file(upload(phone_jpeg()))
    assert checked.kind == Attachment.Kind.IMAGE
    image = Image.open(checked.content)
    assert image.format == "JPEG" and image.size == (400, 300)
    assert not image.getexif() and "comment" not in image.info
    assert b"ExamplePhone" not in checked.content.read()
    assert checked.content.name.endswith(".jpg")


def test_a_png_becomes_a_jpeg():
    checked = check_file(upload(png_bytes(), name="kart.png", content_type="image/png"))
    assert checked.kind == Attachment.Kind.IMAGE
    assert Image.open(checked.content).format == "JPEG"


def test_a_pdf_is_kept_as_it_is():
    checked = check_file(upload(PDF, name="notat.pdf", content_type="application/pdf"))
    assert checked.kind == Attachment.Kind.DOCUMENT
    assert checked.content.read() == PDF and checked.size == len(PDF)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Dette er bare tekst, ikke et bilde.\n" * 20, "bilde.jpg"),
        (b"<html><script>alert(1)</script></html>", "bilde.jpg"),
        (b"Dette er ikke en PDF.\n" * 20, "notat.pdf"),
        (b"<html><body>PDF?</body></html>", "notat.pdf"),
        (b"PK\x03\x04" + b"\x00" * 100, "dokument.docx"),
        (b"MZ\x90\x00" + b"\x00" * 100, "program.pdf"),
    ],
    ids=["text-as-jpg", "html-as-jpg", "text-as-pdf", "html-as-pdf", "zip", "exe"],
)
def test_a_file_that_is_neither_is_refused_whatever_its_name(data, name):
    with pytest.raises(AttachmentRejected) as raised:
        check_file(upload(data, name=name))
    assert "Use a PDF document or a JPEG, PNG, WebP or GIF image" in str(raised.value)


def test_a_pdf_cut_short_is_refused():
    with pytest.raises(AttachmentRejected, match="incomplete"):
        check_file(upload(PDF[:40], name="notat.pdf"))


def test_a_damaged_image_says_so():
    with pytest.raises(AttachmentRejected, match="incomplete or damaged"):
        check_file(upload(phone_jpeg((800, 600))[:1500]))


def test_an_empty_file_is_refused():
    with pytest.raises(AttachmentRejected, match="empty"):
        check_file(upload(b""))


def test_the_byte_limit(settings):
    settings.TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(AttachmentRejected, match="too large"):
        check_file(upload(PDF, name="notat.pdf"))


def test_an_image_with_too_many_pixels_is_refused(settings):
    settings.TINGET_INITIATIVE_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(AttachmentRejected, match="too many pixels"):
        check_file(upload(png_bytes((100, 100)), name="stort.png"))


def test_the_shared_image_helper_can_skip_the_thumbnail():
    processed = process_image(
        upload(phone_jpeg()), max_bytes=10**6, max_pixels=10**6, max_side=100, thumbnail_side=None
    )
    assert isinstance(processed, ProcessedImage) and processed.thumbnail is None
    assert max(Image.open(processed.image).size) == 100


# --- Adding and removing over HTTP -----------------------------------------------------------------------------
def test_the_promoter_adds_an_image_and_a_pdf(promoter_client, draft):
    page = promoter_client.get(url("attachments", pk=draft.pk))
    assert page.status_code == 200
    form = parse(page.content).find("form", enctype="multipart/form-data")
    assert form.find("input", type="file", name="file") is not None
    assert parse(page.content).by_id("id_title_hint") is not None

    response = add(promoter_client, draft)
    assert response.status_code == 302 and response.url == url("attachments", pk=draft.pk)
    response = add(promoter_client, draft, data=PDF, name="kostnader.pdf", title="Kostnadsoverslag")
    assert response.status_code == 302
    image, document = Attachment.objects.filter(initiative=draft).order_by("pk")
    assert (image.kind, image.title) == (Attachment.Kind.IMAGE, "Lysløypa i mørket")
    assert (document.kind, document.title, document.size) == (Attachment.Kind.DOCUMENT, "Kostnadsoverslag", len(PDF))
    # The stored names are ours, not the upload's.
    assert image.file.name.endswith(".jpg") and "bilde" not in image.file.name
    assert document.file.name.endswith(".pdf") and "kostnader" not in document.file.name

    preview = parse(promoter_client.get(url("preview", pk=draft.pk)).content)
    img = preview.find("img", src=url("attachment", pk=draft.pk, attachment_pk=image.pk))
    assert img is not None and img.attrs["alt"] == "Lysløypa i mørket"
    assert preview.find("a", href=url("attachment", pk=draft.pk, attachment_pk=document.pk)) is not None


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Bare tekst.\n" * 50, "bilde.jpg", "Use a PDF document or a JPEG, PNG, WebP or GIF image"),
        (b"Ingen PDF her.\n" * 50, "notat.pdf", "Use a PDF document or a JPEG, PNG, WebP or GIF image"),
        (b"", "tom.pdf", "The file is empty"),
    ],
    ids=["fake-jpg", "fake-pdf", "empty"],
)
def test_a_bad_file_is_refused_with_a_clear_message(promoter_client, draft, data, name, message):
    response = add(promoter_client, draft, data=data, name=name)
    assert response.status_code == 400
    assert message in error_summary(response)
    assert not Attachment.objects.exists()
    # The title typed is kept.
    assert parse(response.content).find("input", name="title").attrs["value"] == "Lysløypa i mørket"


def test_an_oversized_file_is_refused(promoter_client, draft, settings):
    settings.TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES = 2000
    response = add(promoter_client, draft, data=PDF + b"%" * 3000 + b"\n%%EOF\n", name="stor.pdf")
    assert response.status_code == 400
    assert "too large" in error_summary(response)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Write a title"), ("   ", "Write a title"), ("x" * 201, "at most 200"), ("<b>Kart</b>", "plain text")],
)
def test_every_file_needs_a_proper_title(promoter_client, draft, title, message):
    response = add(promoter_client, draft, title=title)
    assert response.status_code == 400
    assert message in error_summary(response)
    assert not Attachment.objects.exists()


def test_no_file_chosen(promoter_client, draft):
    response = promoter_client.post(url("attachments", pk=draft.pk), {"title": "Kart"})
    assert response.status_code == 400
    assert "Choose a file." in error_summary(response)


def test_at_most_the_configured_number(promoter_client, draft, settings):
    settings.TINGET_INITIATIVE_MAX_ATTACHMENTS = 2
    add(promoter_client, draft)
    add(promoter_client, draft)
    # The page offers no more room ...
    page = parse(promoter_client.get(url("attachments", pk=draft.pk)).content)
    assert page.find("input", type="file") is None
    # ... and a hand-made request is refused by the service.
    response = add(promoter_client, draft)
    assert response.status_code == 400
    assert "at most 2 attachments" in error_summary(response)
    assert Attachment.objects.count() == 2


def test_remove_and_remove_again(promoter_client, draft):
    add(promoter_client, draft)
    attachment = Attachment.objects.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    response = promoter_client.post(url("attachments", pk=draft.pk), {"remove": attachment.pk}, follow=True)
    assert "is removed" in messages_of(response)
    assert not Attachment.objects.exists()
    assert not storage.exists(name)
    again = promoter_client.post(url("attachments", pk=draft.pk), {"remove": attachment.pk}, follow=True)
    assert again.status_code == 200 and "already removed" in messages_of(again)
    junk = promoter_client.post(url("attachments", pk=draft.pk), {"remove": "abc"}, follow=True)
    assert junk.status_code == 200


def test_another_initiatives_attachment_cannot_be_removed(promoter_client, promoter, draft, municipality, person):
    other_promoter = person(*BJORN)
    other = services.draft_create(actor=other_promoter, municipality=municipality, data={**_data()})
    add(idporten_client(other_promoter), other)
    theirs = Attachment.objects.get(initiative=other)
    promoter_client.post(url("attachments", pk=draft.pk), {"remove": theirs.pk})
    assert Attachment.objects.filter(pk=theirs.pk).exists()


def _data():
    from .conftest import DRAFT

    return dict(DRAFT)


def test_nothing_added_or_removed_after_sending(promoter_client, promoter, draft):
    add(promoter_client, draft)
    attachment = Attachment.objects.get()
    services.submit_for_review(actor=promoter, initiative=draft)
    page = parse(promoter_client.get(url("attachments", pk=draft.pk)).content)
    assert page.find("input", type="file") is None
    assert page.find("input", name="remove") is None
    response = add(promoter_client, draft)
    assert response.status_code == 302
    assert "can no longer be changed" in messages_of(promoter_client.get(response.url))
    promoter_client.post(url("attachments", pk=draft.pk), {"remove": attachment.pk})
    assert list(Attachment.objects.all()) == [attachment]


def test_the_service_refuses_others_and_closed_states(promoter, draft, person):
    checked = check_file(upload(phone_jpeg()))
    from tinget.core.errors import DomainError, NotAllowed

    with pytest.raises(NotAllowed):
        services.attachment_add(actor=person(*BJORN), initiative=draft, checked=checked, title="x")
    services.submit_for_review(actor=promoter, initiative=draft)
    with pytest.raises(DomainError):
        services.attachment_add(actor=promoter, initiative=draft, checked=checked, title="x")
    assert not Attachment.objects.exists()


def test_someone_else_cannot_add(draft, person):
    response = add(idporten_client(person(*BJORN)), draft)
    assert response.status_code == 404
    assert not Attachment.objects.exists()


# --- Serving ---------------------------------------------------------------------------------------------------
@pytest.fixture
def with_files(promoter_client, draft):
    add(promoter_client, draft)
    add(promoter_client, draft, data=PDF, name="notat.pdf", title="Kostnadsoverslag for lys")
    image, document = Attachment.objects.order_by("pk")
    return draft, image, document


def test_the_promoter_sees_the_files_of_a_draft(promoter_client, with_files):
    draft, image, document = with_files
    response = promoter_client.get(url("attachment", pk=draft.pk, attachment_pk=image.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(body_of(response))).format == "JPEG"
    response = promoter_client.get(url("attachment", pk=draft.pk, attachment_pk=document.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "kostnadsoverslag-for-lys.pdf" in response["Content-Disposition"]
    assert body_of(response) == PDF


def test_nobody_else_downloads_the_files_of_a_draft(client, resident, with_files, person):
    draft, image, document = with_files
    for attachment in (image, document):
        address = url("attachment", pk=draft.pk, attachment_pk=attachment.pk)
        assert client.get(address).status_code == 404
        assert idporten_client(person(*BJORN)).get(address).status_code == 404
        client.force_login(resident)
        assert client.get(address).status_code == 404
        client.logout()


def test_staff_who_may_see_initiatives_download_them(client, with_files, django_user_model):
    draft, image, _document = with_files
    staff = django_user_model.objects.create_user("saks@example.no", "et-langt-passord-123", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_initiative"))
    client.force_login(staff)
    assert client.get(url("attachment", pk=draft.pk, attachment_pk=image.pk)).status_code == 200


def test_an_attachment_under_another_initiative_is_not_found(promoter_client, with_files, municipality, promoter):
    draft, image, _document = with_files
    other = services.draft_create(actor=promoter, municipality=municipality, data=_data())
    assert promoter_client.get(url("attachment", pk=other.pk, attachment_pk=image.pk)).status_code == 404
    assert promoter_client.get(url("attachment", pk=draft.pk, attachment_pk=999_999)).status_code == 404


def test_everyone_sees_the_files_once_it_is_public(client, with_files, promoter, case_worker):
    draft, image, document = with_files
    services.submit_for_review(actor=promoter, initiative=draft)
    services.approve(actor=case_worker, initiative=draft)
    response = client.get(url("attachment", pk=draft.pk, attachment_pk=image.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert client.get(url("attachment", pk=draft.pk, attachment_pk=document.pk)).status_code == 200
    assert client.post(url("attachment", pk=draft.pk, attachment_pk=image.pk)).status_code == 405


def test_a_withdrawn_drafts_files_are_the_promoters_again(client, promoter_client, with_files):
    draft, image, _document = with_files
    promoter_client.post(url("withdraw", pk=draft.pk))
    draft.refresh_from_db()
    assert draft.state == State.WITHDRAWN
    assert client.get(url("attachment", pk=draft.pk, attachment_pk=image.pk)).status_code == 404
    assert promoter_client.get(url("attachment", pk=draft.pk, attachment_pk=image.pk)).status_code == 200


def test_a_lost_file_is_not_found(promoter_client, with_files):
    draft, image, _document = with_files
    image.file.storage.delete(image.file.name)
    assert promoter_client.get(url("attachment", pk=draft.pk, attachment_pk=image.pk)).status_code == 404
