"""Images people upload (a fault report's photos, an initiative's pictures): checked by their content, re-encoded,
stripped of every piece of metadata.

A photo from a phone carries where it was taken (GPS in EXIF), the phone's make and serial numbers, sometimes a
thumbnail of the uncropped picture. None of it is kept: the image is decoded, turned upright by its EXIF
orientation, and encoded afresh as a JPEG without EXIF, ICC, XMP or comments, optionally with a small thumbnail.
The upload itself is never stored.

What is refused, each with a message a resident can act on: a file that is not a JPEG, PNG, WebP or GIF by its
content (the name and the browser's content type are not trusted), a file over `max_bytes`, an image over
`max_pixels` (read from the header, before anything is decoded; this also stops decompression bombs, and Pillow's
own bomb check is treated as a refusal too), and a truncated image (an upload interrupted midway).

The limits are the caller's (each module has its own settings), and so are the words: a module passes its own
messages when "photo" reads better than "image" on its pages.
"""

import io
import warnings
from dataclasses import dataclass

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

# The messages, by what went wrong. `too_large` has %(size)s and %(max)s (megabytes); `too_many_pixels_size`
# has %(width)s and %(height)s.
MESSAGES = {
    "not_an_image": _("This file could not be used as an image. Use a JPEG, PNG, WebP or GIF image."),
    "empty": _("The image file is empty. Choose the image again."),
    "too_large": _("The image is too large (%(size)s MB). It can be at most %(max)s MB."),
    "too_many_pixels": _("The image has too many pixels. Use a smaller image."),
    "too_many_pixels_size": _("The image has too many pixels (%(width)s by %(height)s). Use a smaller image."),
    "damaged": _("The image is incomplete or damaged; perhaps the upload was interrupted. Choose it again."),
}


class ImageRejected(DomainError):
    default_message = MESSAGES["not_an_image"]
    code = "image_rejected"


@dataclass
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile | None
    width: int
    height: int
    alt_text: str = ""


def size_of(uploaded_file) -> int:
    """The file's size in bytes, without trusting anything but the file; leaves it at the start."""
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    uploaded_file.seek(0)
    return size


def megabytes(size: int) -> str:
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


def process_image(
    uploaded_file,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int,
    thumbnail_side: int | None = THUMBNAIL_SIDE,
    error_class: type[DomainError] = ImageRejected,
    messages: dict | None = None,
) -> ProcessedImage:
    """Check and re-encode one uploaded image, at most `max_side` pixels on its longer side (and a thumbnail at
    most `thumbnail_side`, unless that is None). Raises `error_class` with a message for the person uploading,
    taken from `messages` (the keys of MESSAGES) or MESSAGES."""
    words = {**MESSAGES, **(messages or {})}

    def reject(key, **params):
        return error_class(words[key], params=params or None)

    size = size_of(uploaded_file)
    if size == 0:
        raise reject("empty")
    if size > max_bytes:
        raise reject("too_large", size=megabytes(size), max=megabytes(max_bytes))

    with warnings.catch_warnings():
        # Pillow warns about an image over its own pixel limit and refuses one over twice that: both are
        # decompression bombs as far as we are concerned.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(uploaded_file, formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise reject("too_many_pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise reject("not_an_image") from None

        if image.format not in (*ACCEPTED_FORMATS, "MPO"):
            raise reject("not_an_image")
        width, height = image.size
        if width < 1 or height < 1:
            raise reject("not_an_image")
        if width * height > max_pixels:
            raise reject("too_many_pixels_size", width=width, height=height)

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
            raise reject("too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError):
            raise reject("damaged") from None

    image = _clean_copy(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumbnail = None
    if thumbnail_side:
        small = image.copy()
        small.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
        thumbnail = ContentFile(_jpeg(small, THUMBNAIL_QUALITY), name="thumbnail.jpg")
    return ProcessedImage(
        image=ContentFile(_jpeg(image, JPEG_QUALITY), name="photo.jpg"),
        thumbnail=thumbnail,
        width=image.width,
        height=image.height,
    )
