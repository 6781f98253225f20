"""Photos attached to a fault report: checked by their content, re-encoded, stripped of every piece of metadata.

A photo from a phone carries where it was taken (GPS in EXIF), the phone's make and serial numbers, sometimes a
thumbnail of the uncropped picture. None of it is kept: the image is decoded, turned upright by its EXIF
orientation, and encoded afresh as a JPEG without EXIF, ICC, XMP or comments, with a small thumbnail. The upload
itself is never stored.

What is refused, each with a message a resident can act on: a file that is not a JPEG, PNG, WebP or GIF by its
content (the name and the browser's content type are not trusted), a file over
settings.TINGET_REPORT_PHOTO_MAX_BYTES, an image over settings.TINGET_REPORT_PHOTO_MAX_PIXELS (read from the
header, before anything is decoded; this also stops decompression bombs, and Pillow's own bomb check is treated
as a refusal too), and a truncated image (an upload interrupted midway).
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tinget.core.errors import DomainError

# The decoders Pillow may try. A JPEG that many phones write (with a second, depth or preview image) opens
# through the JPEG decoder as format "MPO".
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85
THUMBNAIL_SIDE = 480
THUMBNAIL_QUALITY = 80


class PhotoRejected(DomainError):
    default_message = _("This file could not be used as a photo. Use a JPEG, PNG, WebP or GIF image.")
    code = "photo_rejected"


@dataclass
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    alt_text: str = ""


def _size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    uploaded_file.seek(0)
    return size


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (a transparent PNG would otherwise turn black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _clean_copy(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no `info` (EXIF, ICC profile, XMP, comments) can follow along."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # exif=b"" and no icc_profile/comment: Pillow writes none of them; the image has an empty `info` as well.
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True, exif=b"")
    return buffer.getvalue()


def process_photo(uploaded_file) -> ProcessedPhoto:
    """Check and re-encode one uploaded photo. Raises PhotoRejected with a message for the person uploading."""
    max_bytes = settings.TINGET_REPORT_PHOTO_MAX_BYTES
    size = _size_of(uploaded_file)
    if size == 0:
        raise PhotoRejected(_("The photo file is empty. Choose the photo again."))
    if size > max_bytes:
        raise PhotoRejected(
            _("The photo is too large (%(size)s MB). It can be at most %(max)s MB."),
            params={"size": _megabytes(size), "max": _megabytes(max_bytes)},
        )

    with warnings.catch_warnings():
        # Pillow warns about an image over its own pixel limit and refuses one over twice that: both are
        # decompression bombs as far as we are concerned.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(uploaded_file, formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(_("The photo has too many pixels. Use a smaller photo.")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise PhotoRejected() from None

        if image.format not in (*ACCEPTED_FORMATS, "MPO"):
            raise PhotoRejected()
        width, height = image.size
        if width < 1 or height < 1:
            raise PhotoRejected()
        if width * height > settings.TINGET_REPORT_PHOTO_MAX_PIXELS:
            raise PhotoRejected(
                _("The photo has too many pixels (%(width)s by %(height)s). Use a smaller photo."),
                params={"width": width, "height": height},
            )

        max_side = settings.TINGET_REPORT_PHOTO_MAX_SIDE
        try:
            if image.format in ("JPEG", "MPO"):
                # Decode a large JPEG at a half, quarter or eighth of its size straight away: far less memory,
                # and never smaller than what we keep.
                image.draft("RGB", (max_side, max_side))
            # Decode everything now: a truncated file (an upload interrupted midway) fails here, not later.
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _flatten(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(_("The photo has too many pixels. Use a smaller photo.")) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError):
            raise PhotoRejected(
                _("The photo is incomplete or damaged; perhaps the upload was interrupted. Choose it again.")
            ) from None

    image = _clean_copy(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        image=ContentFile(_jpeg(image, JPEG_QUALITY), name="photo.jpg"),
        thumbnail=ContentFile(_jpeg(thumbnail, THUMBNAIL_QUALITY), name="thumbnail.jpg"),
        width=image.width,
        height=image.height,
    )
