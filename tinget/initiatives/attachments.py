"""Files a promoter adds to an initiative: images and PDF documents, judged by their content.

An image (JPEG, PNG, WebP or GIF by its bytes; the name and the browser's content type are not trusted) is
re-encoded as a JPEG without any metadata (tinget.core.images: no GPS position, camera or hidden thumbnail
leaves the promoter's phone). A document must be a PDF by its content: it starts with `%PDF-`. Anything else is
refused with a message the promoter can act on. Both are limited to settings.TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES.

What is stored is never the upload's name: the file gets a random name with the extension of what it is
(models.attachment_path), and the attachment view serves it with a content type of our choosing.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from tinget.core.errors import DomainError
from tinget.core.images import ImageRejected, megabytes, process_image, size_of

from .models import Attachment

PDF_MAGIC = b"%PDF-"
# The start of a file that Pillow would take for an image: these are never documents.
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF")


def image_max_pixels() -> int:
    return getattr(settings, "TINGET_INITIATIVE_IMAGE_MAX_PIXELS", 40_000_000)


def image_max_side() -> int:
    return getattr(settings, "TINGET_INITIATIVE_IMAGE_MAX_SIDE", 2048)


class AttachmentRejected(DomainError):
    default_message = _("This file cannot be added. Use a PDF document or a JPEG, PNG, WebP or GIF image.")
    code = "attachment_rejected"


@dataclass
class CheckedFile:
    kind: str
    content: ContentFile
    size: int


def check_file(uploaded_file) -> CheckedFile:
    """The file as it will be stored: an image re-encoded, a PDF as it came. Raises AttachmentRejected."""
    max_bytes = settings.TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES
    size = size_of(uploaded_file)
    if size == 0:
        raise AttachmentRejected(_("The file is empty. Choose the file again."))
    if size > max_bytes:
        raise AttachmentRejected(
            _("The file is too large (%(size)s MB). It can be at most %(max)s MB."),
            params={"size": megabytes(size), "max": megabytes(max_bytes)},
        )
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    if head.startswith(PDF_MAGIC):
        return CheckedFile(kind=Attachment.Kind.DOCUMENT, content=_pdf_content(uploaded_file), size=size)
    try:
        image = process_image(
            uploaded_file,
            max_bytes=max_bytes,
            max_pixels=image_max_pixels(),
            max_side=image_max_side(),
            thumbnail_side=None,
        )
    except ImageRejected as error:
        if not head.startswith(IMAGE_MAGIC):
            # Neither a PDF nor an image: say what may be added.
            raise AttachmentRejected() from None
        # An image that is too big, too many pixels or damaged: say which.
        raise AttachmentRejected(str(error)) from None
    content = ContentFile(image.image.read(), name="image.jpg")
    return CheckedFile(kind=Attachment.Kind.IMAGE, content=content, size=content.size)


def _pdf_content(uploaded_file) -> ContentFile:
    data = b"".join(uploaded_file.chunks()) if hasattr(uploaded_file, "chunks") else uploaded_file.read()
    # A PDF ends with "%%EOF" (perhaps followed by a line end or a little padding): without it the upload was
    # cut short, or it is something else wearing a PDF's first bytes.
    if b"%%EOF" not in data[-1024:]:
        raise AttachmentRejected(
            _("The PDF is incomplete or damaged; perhaps the upload was interrupted. Choose it again.")
        )
    return ContentFile(data, name="document.pdf")
