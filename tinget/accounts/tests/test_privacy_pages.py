"""The privacy pages: our layout, one h1, labelled fields, no inline script or style, in every language."""

import pytest

from tinget.accounts import privacy

from .conftest import url
from .pagecheck import assert_page_is_sound, read

LANGUAGES = ["nb", "nn", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["accounts:privacy", "accounts:privacy_delete", "accounts:min_side"])
def test_privacy_pages_are_sound(client, resident, municipality, name, language):
    privacy.log_personal_data_read(staff_user=resident, subject_user=resident, what="x", unit="Enhet")
    client.force_login(resident)
    assert_page_is_sound(client.get(url(name, language)), language)


def test_privacy_pages_need_login(client):
    for name in ("accounts:privacy", "accounts:privacy_delete"):
        response = client.get(url(name, "en"))
        assert response.status_code == 302 and "login" in response["Location"]


def test_min_side_links_to_every_privacy_right(resident_client):
    page = read(resident_client.get(url("accounts:min_side", "en")).content.decode())
    section = page.one("section", **{"aria-labelledby": "ms-privacy"})
    assert "Privacy and your data" in section.text
    hrefs = {a.attrs.get("href") for a in page.all("a")}
    privacy_url = url("accounts:privacy", "en")
    for fragment in ("#privacy-download", "#privacy-consents", "#privacy-reads"):
        assert privacy_url + fragment in hrefs
    assert url("accounts:privacy_delete", "en") in hrefs


def test_privacy_page_has_the_download_button_and_delete_link(resident_client):
    page = read(resident_client.get(url("accounts:privacy", "en")).content.decode())
    form = page.one("form", action=url("accounts:privacy_download", "en"))
    assert form.attrs["method"] == "post"
    assert "Download my data" in form.text
    assert page.all("a", href=url("accounts:privacy_delete", "en"))


def test_the_privacy_page_path_is_translated():
    assert url("accounts:privacy", "en") == "/en/my-page/privacy/"
