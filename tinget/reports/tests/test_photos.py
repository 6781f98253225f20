"""Photos (tinget/reports/photos.py): checked by content, limited in bytes and pixels, re-encoded without any
metadata, with a thumbnail."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tinget.reports.photos import PhotoRejected, process_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English; the Norwegian catalogues translate them."""
    from django.utils import translation

    with translation.override("en"):
        yield


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def phone_jpeg(size=(400, 300), orientation=1):
    """A JPEG as a phone writes it: EXIF with the camera, the orientation and where it was taken, an ICC profile
    and an XMP packet."""
    image = Image.new("RGB", size, (200, 40, 40))
    # A marker in the top-left corner, to see which way up the result is.
    image.paste((0, 0, 255), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[MAKE] = "ExamplePhone"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (59.0, 50.0, 0.6), 3: "E", 4: (10.0, 26.0, 4.2)}
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>'
        b"<exif:GPSLatitude>59,50.01N</exif:GPSLatitude></rdf:RDF></x:xmpmeta>"
    )
    return encode(image, "JPEG", exif=exif, icc_profile=b"ICC-PROFILE-" * 20, xmp=xmp, comment=b"secret comment")


def png_header_only(width, height):
    """A PNG that claims width x height pixels in its header, with almost no data behind it."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def assert_clean_jpeg(data):
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert not image.getexif()
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
        assert key not in image.info, key
    for secret in (b"Exif\x00\x00", b"ExamplePhone", b"ICC-PROFILE", b"GPSLatitude", b"xmpmeta", b"secret comment"):
        assert secret not in data, secret
    return image


# --- What comes out ----------------------------------------------------------------------------------------------
def test_a_phone_jpeg_comes_out_without_any_metadata():
    original = phone_jpeg()
    assert b"Exif" in original and b"ExamplePhone" in original

    photo = process_photo(upload(original))

    image = assert_clean_jpeg(photo.image.read())
    assert (photo.width, photo.height) == image.size == (400, 300)
    assert_clean_jpeg(photo.thumbnail.read())


def test_the_photo_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was held on its side; the picture must be rotated 90° clockwise to show upright.
    photo = process_photo(upload(phone_jpeg(size=(400, 300), orientation=6)))
    image = Image.open(photo.image)
    assert image.size == (300, 400)
    # The blue corner that was top-left is now top-right.
    red, _green, blue = image.getpixel((290, 10))
    assert blue > 200 and red < 80


def test_a_large_photo_is_scaled_down_with_a_small_thumbnail():
    with override_settings(TINGET_REPORT_PHOTO_MAX_SIDE=800):
        photo = process_photo(upload(encode(Image.new("RGB", (3200, 2400), "green"), "JPEG")))
    assert (photo.width, photo.height) == (800, 600)
    assert Image.open(photo.image).size == (800, 600)
    assert max(Image.open(photo.thumbnail).size) == 480


def test_a_png_is_accepted_and_transparency_becomes_white():
    data = encode(Image.new("RGBA", (120, 80), (0, 0, 0, 0)), "PNG")
    photo = process_photo(upload(data, name="skilt.png", content_type="image/png"))
    image = assert_clean_jpeg(photo.image.read())
    assert image.getpixel((10, 10)) == (255, 255, 255)


def test_webp_and_the_first_frame_of_a_gif_are_accepted():
    assert process_photo(upload(encode(Image.new("RGB", (90, 60), "blue"), "WEBP"), name="a.webp")).width == 90
    frames = [Image.new("P", (40, 30), colour) for colour in (10, 20, 30)]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert process_photo(upload(gif, name="a.gif")).width == 40


def test_the_type_is_read_from_the_content_not_the_name_or_the_content_type():
    png = encode(Image.new("RGB", (50, 50), "red"), "PNG")
    # A PNG named .txt and sent as text is still a PNG.
    assert process_photo(upload(png, name="notes.txt", content_type="text/plain")).width == 50


# --- What is refused -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"Dette er ikke et bilde, bare tekst.\n" * 20,
        b"<script>alert(1)</script>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    ],
    ids=["text", "html", "pdf"],
)
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(data):
    with pytest.raises(PhotoRejected) as raised:
        process_photo(upload(data, name="photo.jpg", content_type="image/jpeg"))
    assert "JPEG, PNG, WebP or GIF" in str(raised.value)


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "ICO", "PPM"])
def test_other_image_formats_are_refused(fmt):
    data = encode(Image.new("RGB", (32, 32), "red"), fmt)
    with pytest.raises(PhotoRejected):
        process_photo(upload(data, name="photo.jpg"))


def test_an_empty_file_is_refused():
    with pytest.raises(PhotoRejected, match="empty"):
        process_photo(upload(b""))


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    data = encode(Image.new("RGB", (200, 200), "red"), "PNG")
    with override_settings(TINGET_REPORT_PHOTO_MAX_BYTES=len(data) - 1), pytest.raises(PhotoRejected) as raised:
        process_photo(upload(data))
    assert "too large" in str(raised.value)


@pytest.mark.parametrize("size", [(50_000, 50_000), (20_000, 20_000)])
def test_a_decompression_bomb_is_refused_from_its_header(size):
    # 2.5 and 0.4 billion pixels claimed by a file of about a hundred bytes.
    data = png_header_only(*size)
    assert len(data) < 200
    with pytest.raises(PhotoRejected) as raised:
        process_photo(upload(data, name="bomb.png"))
    assert "too many pixels" in str(raised.value)


def test_the_pixel_limit_is_checked_before_decoding():
    # Under Pillow's own bomb limit but over ours: refused without decoding anything.
    with override_settings(TINGET_REPORT_PHOTO_MAX_PIXELS=1_000_000), pytest.raises(PhotoRejected) as raised:
        process_photo(upload(png_header_only(2000, 1000), name="big.png"))
    assert "2000 by 1000" in str(raised.value)


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_an_interrupted_upload_is_refused(keep):
    data = encode(Image.new("RGB", (600, 400), "red"), "JPEG", quality=95)
    truncated = data[: int(len(data) * keep)]
    with pytest.raises(PhotoRejected) as raised:
        process_photo(upload(truncated))
    assert "interrupted" in str(raised.value)


def test_a_truncated_png_is_refused():
    data = encode(Image.effect_noise((300, 300), 50).convert("RGB"), "PNG")
    with pytest.raises(PhotoRejected):
        process_photo(upload(data[: len(data) // 2], name="a.png"))


# --- Properties --------------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2048))
def test_any_bytes_are_either_a_photo_or_refused(data):
    try:
        photo = process_photo(upload(data))
    except PhotoRejected:
        return
    assert_clean_jpeg(photo.image.read())


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(1, 600),
    height=st.integers(1, 600),
    mode=st.sampled_from(["RGB", "RGBA", "L", "LA", "P", "1", "CMYK"]),
    fmt=st.sampled_from(["JPEG", "PNG", "WEBP", "GIF"]),
    max_side=st.integers(16, 512),
)
def test_every_accepted_image_comes_out_as_a_clean_jpeg_within_the_limits(width, height, mode, fmt, max_side):
    image = Image.new(mode, (width, height))
    try:
        data = encode(image, fmt)
    except (OSError, ValueError):  # a mode this format cannot hold
        data = encode(image.convert("RGB"), fmt)
    with override_settings(TINGET_REPORT_PHOTO_MAX_SIDE=max_side):
        photo = process_photo(upload(data))
    out = assert_clean_jpeg(photo.image.read())
    assert max(out.size) <= max_side
    assert out.size == (photo.width, photo.height)
    assert max(Image.open(photo.thumbnail).size) <= 480
