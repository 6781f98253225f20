"""Report photos are served by a view that checks who may see them: a moderator's hiding works at once, even
for someone who kept the address, and a report that is not public shows no photos."""

import pytest

from tinget.reports import services
from tinget.reports.models import Photo
from tinget.reports.photos import process_photo

from .conftest import ASKER
from .test_handling import staff_client
from .test_reporting import jpeg_bytes, photo_file


@pytest.fixture
def with_photo(pothole, resident):
    return services.report_create(
        actor=resident,
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        title="Hull med bilde",
        photos=[process_photo(photo_file(jpeg_bytes()))],
    )


def content(response):
    return b"".join(response.streaming_content)


def test_a_shown_photo_of_a_public_report_is_served_to_anyone(client, with_photo):
    photo = with_photo.photos.get()
    full = client.get(photo.full_url)
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    assert full["Cache-Control"] == "public, max-age=300"
    assert content(full)[:3] == b"\xff\xd8\xff"
    thumb = client.get(photo.thumbnail_url)
    assert thumb.status_code == 200 and len(content(thumb)) < photo.image.size


def test_a_hidden_photo_is_gone_for_the_public_and_kept_for_staff(client, with_photo, moderator, case_worker):
    photo = with_photo.photos.get()
    address = photo.full_url
    services.photo_set_hidden(actor=moderator, photo=photo, hidden=True, reason="Ansikt synlig")
    assert client.get(address).status_code == 404
    assert client.get(photo.thumbnail_url).status_code == 404
    for staff in (moderator, case_worker):
        seen = staff_client(staff).get(address)
        assert seen.status_code == 200 and seen["Cache-Control"] == "private, no-store"


def test_no_photo_of_a_hidden_report(client, with_photo, moderator):
    services.report_set_hidden(actor=moderator, report=with_photo, hidden=True, reason="Personopplysninger")
    assert client.get(with_photo.photos.get().full_url).status_code == 404


def test_an_unconfirmed_report_shows_its_photo_to_nobody_but_staff(client, pothole):
    report = services.report_create(
        actor=None,
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        photos=[process_photo(photo_file(jpeg_bytes()))],
        reporter=services.Reporter(name="Ola", email="ola@example.no"),
    )
    assert client.get(report.photos.get().full_url).status_code == 404


@pytest.mark.parametrize("size", ["full", "thumb"])
def test_a_photo_of_another_report_or_unknown_is_not_found(client, with_photo, report, size):
    photo = with_photo.photos.get()
    assert client.get(f"/meld-feil/{report.pk}/foto/{photo.pk}/{size}.jpg").status_code == 404
    assert client.get(f"/meld-feil/{with_photo.pk}/foto/999999/{size}.jpg").status_code == 404
    assert client.get(f"/meld-feil/{with_photo.pk}/foto/{photo.pk}/huge.jpg").status_code == 404


def test_photos_are_not_in_the_public_media_folder(settings, with_photo):
    photo = Photo.objects.get()
    assert not str(photo.image.path).startswith(str(settings.MEDIA_ROOT) + "/reports")
    assert settings.STORAGES["report_photos"]["OPTIONS"]["location"] != settings.MEDIA_ROOT
