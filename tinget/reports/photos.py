"""Photos attached to a fault report: checked by their content, re-encoded, stripped of every piece of metadata.

The work is tinget.core.images.process_image (shared with other modules' images); this module gives it the
reports' limits (settings.TINGET_REPORT_PHOTO_MAX_BYTES, _MAX_PIXELS, _MAX_SIDE) and words ("photo").
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tinget.core.errors import DomainError
from tinget.core.images import ProcessedImage, process_image

# What photos.process_photo hands the service (the view keeps them between tries of the form).
ProcessedPhoto = ProcessedImage

MESSAGES = {
    "not_an_image": _("This file could not be used as a photo. Use a JPEG, PNG, WebP or GIF image."),
    "empty": _("The photo file is empty. Choose the photo again."),
    "too_large": _("The photo is too large (%(size)s MB). It can be at most %(max)s MB."),
    "too_many_pixels": _("The photo has too many pixels. Use a smaller photo."),
    "too_many_pixels_size": _("The photo has too many pixels (%(width)s by %(height)s). Use a smaller photo."),
    "damaged": _("The photo is incomplete or damaged; perhaps the upload was interrupted. Choose it again."),
}


class PhotoRejected(DomainError):
    default_message = MESSAGES["not_an_image"]
    code = "photo_rejected"


def process_photo(uploaded_file) -> ProcessedPhoto:
    """Check and re-encode one uploaded photo, with a thumbnail. Raises PhotoRejected with a message for the
    person uploading."""
    return process_image(
        uploaded_file,
        max_bytes=settings.TINGET_REPORT_PHOTO_MAX_BYTES,
        max_pixels=settings.TINGET_REPORT_PHOTO_MAX_PIXELS,
        max_side=settings.TINGET_REPORT_PHOTO_MAX_SIDE,
        error_class=PhotoRejected,
        messages=MESSAGES,
    )
