"""Files sent with input, and documents staff publish with a consultation, judged by their content.

Allowed: PDF, Word (.docx), OpenDocument text (.odt), JPEG and PNG images. The name and the browser's content type
are not trusted: a PDF starts with `%PDF-` and ends with `%%EOF`; a .docx or .odt is a ZIP holding the parts such a
document has. Images are re-encoded without metadata (tinget.core.images: no GPS position leaves a phone).

Memory: an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE arrives as a temporary file. Only its first and last
bytes are read here (a ZIP's directory is read by seeking), and the storage copies it in chunks, so a 20 MB
attachment is never held in memory as a whole.
"""

import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext_lazy as _

from tinget.core.errors import DomainError
from tinget.core.images import ImageRejected, megabytes, process_image, size_of

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
IMAGE_MAGIC = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED_TEXT = _("PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG")


class AttachmentRejected(DomainError):
    default_message = _("This file cannot be added. Use a PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG file.")
    code = "attachment_rejected"


@dataclass
class CheckedFile:
    file: File
    storage_name: str  # "document.pdf": the storage gives it a random name with this extension
    filename: str  # the sender's name for it, cleaned
    content_type: str
    size: int


def clean_filename(name: str, fallback: str) -> str:
    """The file's own name without any folder, control characters or surrounding space; at most 200 characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if not name or name in {".", ".."}:
        return fallback
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot else name[:200]
    return name


def _tail(uploaded, count=1024) -> bytes:
    uploaded.seek(0, os.SEEK_END)
    end = uploaded.tell()
    uploaded.seek(max(0, end - count))
    data = uploaded.read(count)
    uploaded.seek(0)
    return data


def _zip_kind(uploaded) -> str | None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        uploaded.seek(0)
    return None


def check_file(uploaded, *, max_bytes: int | None = None) -> CheckedFile:
    """The file as it will be stored, or AttachmentRejected saying what is wrong and what may be sent instead."""
    max_bytes = max_bytes or settings.TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES
    size = size_of(uploaded)
    name = getattr(uploaded, "name", "") or ""
    if size == 0:
        raise AttachmentRejected(_("The file %(name)s is empty. Choose the file again."), params={"name": name})
    if size > max_bytes:
        raise AttachmentRejected(
            _("The file %(name)s is too large (%(size)s MB). It can be at most %(max)s MB."),
            params={"name": name, "size": megabytes(size), "max": megabytes(max_bytes)},
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if head.startswith(PDF_MAGIC):
        if b"%%EOF" not in _tail(uploaded):
            raise AttachmentRejected(
                _("The PDF %(name)s is incomplete or damaged; perhaps the upload was interrupted. Choose it again."),
                params={"name": name},
            )
        return CheckedFile(uploaded, "document.pdf", clean_filename(name, "document.pdf"), "application/pdf", size)
    if head.startswith(ZIP_MAGIC):
        kind = _zip_kind(uploaded)
        if kind == "docx":
            return CheckedFile(uploaded, "document.docx", clean_filename(name, "document.docx"), DOCX, size)
        if kind == "odt":
            return CheckedFile(uploaded, "document.odt", clean_filename(name, "document.odt"), ODT, size)
        raise AttachmentRejected(
            _("The file %(name)s is not a type we accept. Use %(allowed)s."),
            params={"name": name, "allowed": ALLOWED_TEXT},
        )
    if any(head.startswith(magic) for magic in IMAGE_MAGIC):
        try:
            image = process_image(
                uploaded, max_bytes=max_bytes, max_pixels=40_000_000, max_side=2560, thumbnail_side=None
            )
        except ImageRejected as error:
            raise AttachmentRejected(str(error)) from None
        content = ContentFile(image.image.read(), name="image.jpg")
        stem = clean_filename(name, "image.jpg").rsplit(".", 1)[0]
        return CheckedFile(content, "image.jpg", f"{stem}.jpg", "image/jpeg", content.size)
    raise AttachmentRejected(
        _("The file %(name)s is not a type we accept. Use %(allowed)s."), params={"name": name, "allowed": ALLOWED_TEXT}
    )
