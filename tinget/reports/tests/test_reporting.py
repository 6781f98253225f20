"""The resident's reporting flow over HTTP: step 1 (where and what), step 2 (details and who), photos, the double
submit, CSRF, and each bad input the issue lists that belongs to the form. Everything here is done with plain
GET and POST, as a browser without JavaScript (or a keyboard user who writes the address) does it."""

import io
import re
import time
import uuid
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from PIL import Image

from tinget.core.models import Unit
from tinget.core.tests.html import parse
from tinget.reports import services
from tinget.reports.models import Photo, Question, Report, State, Subscriber

from .conftest import ASKER, NEAR_ASKER, OSLO
from .factories import CategoryFactory, CategoryGroupFactory, QuestionFactory


@pytest.fixture(autouse=True)
def _english():
    """Pages in English (/en/…), so that the assertions read the msgids whatever the Norwegian catalogues say.
    reverse() gives English addresses, and each request keeps English active."""
    translation.activate("en")


# --- Helpers ---------------------------------------------------------------------------------------------------
def step1(client, **params):
    return client.get(reverse("reports:new"), params)


def details_url(category, point=ASKER, address="Asker sentrum"):
    query = {"category": category.slug, "latitude": f"{point[0]:.6f}", "longitude": f"{point[1]:.6f}"}
    if address:
        query["address"] = address
    return f"{reverse('reports:new_details')}?{urlencode(query)}"


def details_data(category, point=ASKER, **extra):
    data = {
        "category": category.slug,
        "latitude": f"{point[0]:.6f}",
        "longitude": f"{point[1]:.6f}",
        "address": "Torvveien, Asker",
        "submission_key": uuid.uuid4().hex,
        "title": "Hull i veien ved torget",
        "description": "Et dypt hull midt i kjørebanen.",
        "name": "Ola Nordmann",
        "email": "ola@example.no",
        "phone": "",
    }
    data.update(extra)
    return data


def post_details(client, category, **extra):
    return client.post(reverse("reports:new_details"), details_data(category, **extra))


def jpeg_bytes(size=(640, 480), gps=False):
    image = Image.new("RGB", size, (120, 120, 120))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "ExamplePhone"
        exif[0x8825] = {1: "N", 2: (59.0, 50.0, 0.6), 3: "E", 4: (10.0, 26.0, 4.2)}
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def photo_file(data=None, name="bilde.jpg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type="image/jpeg")


def error_summary(response):
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def link_in(message, name):
    """The path of the first link in an e-mail that resolves to `name`."""
    for url in re.findall(r"https?://\S+", message.body):
        path = urlsplit(url).path
        # The e-mail is in the language the report was made in; its links have that language's prefix.
        for language in ("nb", "nn", "en"):
            with translation.override(language):
                try:
                    if resolve(path).view_name == f"reports:{name}":
                        return path
                except Resolver404:
                    continue
    raise AssertionError(f"no reports:{name} link in {message.body!r}")


@pytest.fixture
def urgent(municipality):
    return CategoryFactory(
        slug="vannlekkasje",
        name="Vannlekkasje i gata",
        name_en="Water leak in the street",
        is_urgent=True,
        urgent_phone="66 70 00 99",
        unit=Unit.objects.get(slug="vann-og-avlop"),
    )


@pytest.fixture
def county_road(municipality):
    return CategoryFactory(
        slug="fylkesvei",
        name="Fylkesvei",
        name_en="County road",
        not_ours=True,
        contact_text="Fylkesveier meldes til Akershus fylkeskommune.",
        contact_url="https://www.afk.no/",
    )


# --- Step 1: where and what ------------------------------------------------------------------------------------
def test_step1_opens_with_a_map_for_javascript_and_an_address_field_for_everyone(client, pothole):
    response = step1(client)
    assert response.status_code == 200
    page = parse(response.content)
    form = page.find("form", method="get")
    assert form.attrs["action"] == reverse("reports:new")
    assert page.find("input", name="address", type="text") is not None
    assert page.find("input", name="latitude", type="hidden") is not None
    assert page.find("input", name="longitude", type="hidden") is not None
    # The map is hidden until pick.js shows it; it carries its settings in data-map.
    pick = page.find("div", class_="report-new__pick")
    assert "hidden" in pick.attrs
    assert '"boundary"' in pick.find("div", class_="report-new__map").attrs["data-map"]
    assert b"reports/pick.js" in response.content
    # Categories come grouped.
    select = page.find("select", name="category")
    group = select.find("optgroup")
    assert group.attrs["label"] == pothole.group.name
    assert group.find("option", value=pothole.slug).text == "Pothole"
    assert not error_summary(response)


def test_step1_names_categories_in_the_pages_language(client, pothole):
    with translation.override("nb"):
        url = reverse("reports:new")
    response = client.get(url)
    assert response.status_code == 200
    assert parse(response.content).find("option", value=pothole.slug).text == "Hull i veien"


def test_step1_without_javascript_finds_a_written_place_and_goes_to_step2(client, pothole):
    response = step1(client, category=pothole.slug, address="asker stasjon", latitude="", longitude="")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == reverse("reports:new_details")
    query = parse_qs(url.query)
    assert query["category"] == [pothole.slug]
    assert query["address"] == ["Asker stasjon"]
    assert (float(query["latitude"][0]), float(query["longitude"][0])) == pytest.approx((59.8333, 10.4349))


def test_step1_offers_a_choice_when_several_places_match_and_takes_the_one_chosen(client, pothole):
    response = step1(client, category=pothole.slug, address="Kirkeveien")
    assert response.status_code == 200
    page = parse(response.content)
    radios = page.find_all("input", type="radio", name="place")
    labels = [page.find("label", **{"for": radio.attrs["id"]}).text for radio in radios]
    assert labels == ["Kirkeveien, Asker", "Kirkeveien, Slemmestad"]
    assert "Several places match" in error_summary(response)
    # The error summary links to the first choice, which a keyboard reaches.
    assert page.find(id="error-summary").find("a").attrs["href"] == f"#{radios[0].attrs['id']}"

    chosen = radios[1].attrs["value"]
    response = step1(client, category=pothole.slug, address="Kirkeveien", place=chosen)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["address"] == ["Kirkeveien, Slemmestad"]


def test_step1_says_plainly_when_a_written_place_is_not_found(client, pothole):
    response = step1(client, category=pothole.slug, address="Drøbak brygge")
    assert response.status_code == 200
    assert "We could not find “Drøbak brygge”" in error_summary(response)
    # What was typed stays in the field.
    assert parse(response.content).find("input", name="address").attrs["value"] == "Drøbak brygge"


def test_step1_asks_where_when_nothing_says_where(client, pothole):
    response = step1(client, category=pothole.slug, address="", latitude="", longitude="")
    assert response.status_code == 200
    assert "Choose where the fault is" in error_summary(response)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("999", "10.43"), ("59.83", "-500"), ("nord", "øst"), ("nan", "nan"), ("inf", "10.4"), ("59.83", ""), ("", "10")],
)
def test_step1_refuses_impossible_coordinates(client, pothole, latitude, longitude):
    response = step1(client, category=pothole.slug, latitude=latitude, longitude=longitude)
    assert response.status_code == 200
    assert "not a valid point" in error_summary(response)
    assert not Report.objects.exists()


def test_step1_says_plainly_that_a_point_is_outside_the_municipality_and_keeps_the_map(client, pothole):
    response = step1(client, category=pothole.slug, latitude=str(OSLO[0]), longitude=str(OSLO[1]))
    assert response.status_code == 200
    assert "outside the municipality" in error_summary(response)
    page = parse(response.content)
    # The point stays in the form, so the map shows it beside the outline.
    assert page.find("input", name="latitude").attrs["value"] == str(OSLO[0])
    assert page.find("div", class_="report-new__map") is not None


def test_step1_a_written_place_outside_is_refused_too(client, pothole, settings):
    settings.TINGET_GEOCODER = "tinget.reports.tests.test_reporting.OsloGeocoder"
    response = step1(client, category=pothole.slug, address="Karl Johans gate")
    assert "outside the municipality" in error_summary(response)


class OsloGeocoder:
    """A geocoder that only knows a place in Oslo (for the test above; the real ones are in test_geocode.py)."""

    def search(self, text, municipality):
        from tinget.core.geocode import Place

        return [Place(name="Karl Johans gate, Oslo", latitude=OSLO[0], longitude=OSLO[1])]


@pytest.mark.parametrize("category", ["finnes-ikke", "<script>", "x" * 500])
def test_step1_refuses_an_unknown_category(client, pothole, category):
    response = step1(client, category=category, address="Asker stasjon")
    assert response.status_code == 200
    assert "Choose a category from the list" in error_summary(response)
    assert b"<script>" not in response.content.split(b"<main")[1]


def test_step1_an_inactive_category_is_unknown(client, pothole):
    pothole.is_active = False
    pothole.save()
    response = step1(client, category=pothole.slug, address="Asker stasjon")
    assert "Choose a category from the list" in error_summary(response)


def test_step1_asks_for_a_category(client, pothole):
    response = step1(client, category="", address="Asker stasjon")
    assert "Choose what is wrong" in error_summary(response)


def test_step1_urgent_category_shows_the_on_call_number_instead_of_going_on(client, urgent):
    response = step1(client, category=urgent.slug, address="")
    assert response.status_code == 200
    page = parse(response.content)
    call = page.find("a", href="tel:66700099")
    assert call is not None and "66 70 00 99" in call.text
    assert "Call now" in page.find("div", class_="report-new__notice").text
    # Not an error: nothing to correct.
    assert not error_summary(response)


def test_step1_not_ours_says_whom_to_contact(client, county_road):
    response = step1(client, category=county_road.slug, address="Asker stasjon")
    assert response.status_code == 200
    notice = parse(response.content).find("div", class_="report-new__notice")
    assert "Akershus fylkeskommune" in notice.text
    assert notice.find("a", href="https://www.afk.no/") is not None


def test_step1_a_link_with_a_point_fills_the_form_in_without_errors(client, pothole):
    response = step1(client, latitude="59.8335", longitude="10.4345")
    assert response.status_code == 200
    assert not error_summary(response)
    assert parse(response.content).find("input", name="latitude").attrs["value"] == "59.8335"


def test_step1_escapes_what_was_written(client, pothole):
    response = step1(client, category=pothole.slug, address="<script>alert('x')</script>")
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


def test_step1_map_click_wins_over_the_address_which_then_describes_the_place(client, pothole):
    response = step1(
        client, category=pothole.slug, address="ved bussholdeplassen", latitude="59.8343", longitude="10.4355"
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["address"] == ["ved bussholdeplassen"]
    assert query["latitude"] == ["59.834300"]


def test_step1_is_a_few_queries(client, pothole, django_assert_max_num_queries):
    step1(client)  # warm the profile cache
    with django_assert_max_num_queries(4):
        assert step1(client).status_code == 200
    with django_assert_max_num_queries(8):
        assert step1(client, category=pothole.slug, address="Asker stasjon").status_code == 302


# --- Step 2: details and who -----------------------------------------------------------------------------------
def test_step2_shows_what_was_chosen_and_a_one_time_submission_key(client, pothole):
    response = client.get(details_url(pothole))
    assert response.status_code == 200
    page = parse(response.content)
    assert "Pothole" in page.find("dl", class_="report-new__summary").text
    form = page.find("form", enctype="multipart/form-data")
    key = form.find("input", name="submission_key").attrs["value"]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert form.find("input", name="category").attrs["value"] == pothole.slug
    assert form.find("input", name="name") is not None
    assert form.find("input", name="email", type="email") is not None
    # "Show my name publicly" is off by default.
    assert "checked" not in form.find("input", name="show_name").attrs
    assert form.find("input", type="file", name="photos").attrs.get("multiple") == ""
    # Another visit gets another key.
    again = parse(client.get(details_url(pothole)).content).find("input", name="submission_key").attrs["value"]
    assert again != key


def test_step2_first_shows_open_reports_of_the_same_category_nearby(client, pothole, report, resident, municipality):
    other_category = CategoryFactory(slug="gatelys", name="Gatelys")
    services.report_create(actor=resident, category=other_category, latitude=ASKER[0], longitude=ASKER[1])
    far = services.report_create(actor=resident, category=pothole, latitude=59.78, longitude=10.495)
    unconfirmed = services.report_create(
        actor=None,
        category=pothole,
        latitude=ASKER[0],
        longitude=ASKER[1],
        reporter=services.Reporter(name="Anna", email="anna@example.no"),
    )
    response = client.get(details_url(pothole, point=NEAR_ASKER))
    page = parse(response.content)
    nearby = page.find("section", class_="report-new__nearby")
    items = nearby.find_all("li", class_="report-new__nearby-item")
    assert len(items) == 1
    assert f"#{report.pk}" in items[0].text
    assert f"#{far.pk}" not in nearby.text and f"#{unconfirmed.pk}" not in nearby.text
    support = items[0].find("form")
    assert support.attrs["action"] == reverse("reports:support", kwargs={"pk": report.pk})
    assert support.find("input", name="email") is not None  # anonymous: asked for an e-mail address
    # The list comes before the report form.
    html = response.content.decode()
    assert html.index("report-new__nearby") < html.index('enctype="multipart/form-data"')


def test_step2_nearby_for_a_logged_in_resident_is_one_button(resident_client, pothole, report):
    page = parse(resident_client.get(details_url(pothole)).content)
    support = page.find("form", class_="report-new__support")
    assert support.find("input", name="email") is None
    assert "This is mine too" in support.find("button").text


def test_step2_without_nearby_reports_shows_no_list(client, pothole):
    assert b"report-new__nearby" not in client.get(details_url(pothole)).content


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"category": "hull-i-veien"},
        {"category": "hull-i-veien", "latitude": "abc", "longitude": "10"},
        {"category": "hull-i-veien", "latitude": str(OSLO[0]), "longitude": str(OSLO[1])},
        {"category": "finnes-ikke", "latitude": str(ASKER[0]), "longitude": str(ASKER[1])},
    ],
    ids=["nothing", "no-point", "bad-point", "outside", "unknown-category"],
)
def test_step2_sends_anything_incomplete_back_to_step1(client, pothole, query):
    response = client.get(reverse("reports:new_details"), query)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("reports:new")


def test_step2_with_an_urgent_category_goes_back_to_the_call_now_page(client, urgent):
    response = client.get(details_url(urgent), follow=True)
    assert parse(response.content).find("a", href="tel:66700099") is not None


def test_step2_is_a_few_queries(client, pothole, report, django_assert_max_num_queries):
    client.get(details_url(pothole))
    with django_assert_max_num_queries(6):
        assert client.get(details_url(pothole)).status_code == 200


# --- Sending: anonymous, confirmed by e-mail -------------------------------------------------------------------
def test_anonymous_report_waits_for_the_email_confirmation(client, pothole):
    response = post_details(client, pothole)
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:thanks", kwargs={"pk": report.pk})
    assert report.state == State.UNCONFIRMED
    assert report.reporter is None
    assert (report.reporter_name, report.reporter_email) == ("Ola Nordmann", "ola@example.no")
    assert report.show_name is False
    assert report.channel == "web"
    assert report.address == "Torvveien, Asker"
    assert not Report.objects.public().exists()

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Check your e-mail" in parse(thanks.content).find("h1").text
    assert "ola@example.no" in thanks.content.decode()

    [message] = mail.outbox
    assert message.to == ["ola@example.no"]
    confirm = link_in(message, "confirm")

    # The link shows a button; opening it changes nothing (mail scanners follow links).
    page = client.get(confirm)
    assert page.status_code == 200
    assert parse(page.content).find("form", method="post").attrs["action"] == confirm
    report.refresh_from_db()
    assert report.state == State.UNCONFIRMED

    done = client.post(confirm)
    assert done.status_code == 200
    report.refresh_from_db()
    assert report.state == State.OPEN and report.confirmed_at is not None
    assert f"#{report.pk}" in done.content.decode()
    # The receipt to the reporter and the new report to the unit.
    recipients = sorted(address for message in mail.outbox[1:] for address in message.to)
    assert recipients == ["ola@example.no", "vei-og-park@example.no"]

    # Confirming again is harmless.
    assert client.post(confirm).status_code == 200
    assert Report.objects.public().count() == 1


def test_the_thanks_page_is_only_for_the_session_that_sent_the_report(client, pothole):
    response = post_details(client, pothole)
    assert Client().get(response["Location"]).status_code == 404
    assert client.get(reverse("reports:thanks", kwargs={"pk": 999999})).status_code == 404


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJyIjoxfQ:1tXYZ:forged-signature", "x" * 300],
)
def test_a_bad_confirmation_link_says_so(client, pothole, token):
    for method in (client.get, client.post):
        response = method(reverse("reports:confirm", kwargs={"token": token}))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()


def test_an_expired_confirmation_link_says_so_and_publishes_nothing(client, pothole):
    post_details(client, pothole)
    report = Report.objects.get()
    # A link made 15 days ago (links work for 14).
    fifteen_days_ago = signing.b62_encode(int(time.time()) - 15 * 86400)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=fifteen_days_ago):
        token = services.confirm_token(report)
    assert client.get(reverse("reports:confirm", kwargs={"token": token})).status_code == 400
    assert client.post(reverse("reports:confirm", kwargs={"token": token})).status_code == 400
    report.refresh_from_db()
    assert report.state == State.UNCONFIRMED


def test_a_confirmation_link_for_a_deleted_report_says_so(client, pothole):
    post_details(client, pothole)
    report = Report.objects.get()
    token = services.confirm_token(report)
    report.delete()
    assert client.post(reverse("reports:confirm", kwargs={"token": token})).status_code == 400


# --- Sending: logged in ----------------------------------------------------------------------------------------
def test_logged_in_report_is_published_at_once_and_followed(resident_client, resident, pothole):
    data = details_data(pothole, phone="900 00 000", show_name="on")
    del data["name"], data["email"]
    response = resident_client.post(reverse("reports:new_details"), data)
    report = Report.objects.get()
    assert response.status_code == 302
    assert report.state == State.OPEN
    assert report.reporter == resident
    assert report.reporter_phone == "900 00 000"
    assert report.show_name is True

    from tinget.core.notify.selectors import is_following

    assert is_following(resident, report)
    thanks = resident_client.get(response["Location"])
    assert f"#{report.pk}" in parse(thanks.content).find("div", role="status").text
    assert "published" in thanks.content.decode()


def test_logged_in_form_says_who_reports_and_asks_no_name_or_email(resident_client, pothole):
    page = parse(resident_client.get(details_url(pothole)).content)
    form = page.find("form", enctype="multipart/form-data")
    assert form.find("input", name="name") is None
    assert form.find("input", name="email") is None
    assert "Reporting as" in form.text and "Kari" in form.text


# --- Bad input in step 2 ---------------------------------------------------------------------------------------
def test_anonymous_without_name_or_email_gets_errors_and_keeps_what_was_typed(client, pothole):
    response = post_details(client, pothole, name="", email="ikke-en-adresse", description="Hullet er stort.")
    assert response.status_code == 200
    assert len(parse(response.content).find(id="error-summary").find_all("li")) == 2
    page = parse(response.content)
    assert page.find("textarea", name="description").text == "Hullet er stort."
    assert page.find("input", name="email").attrs["value"] == "ikke-en-adresse"
    assert page.find("input", name="email").attrs.get("aria-invalid") == "true"
    assert not Report.objects.exists()


def test_a_description_over_4000_characters_is_refused(client, pothole):
    response = post_details(client, pothole, description="x" * 4001)
    assert response.status_code == 200
    assert "4000" in error_summary(response)
    assert not Report.objects.exists()
    # Exactly 4,000 is fine.
    assert post_details(client, pothole, description="x" * 4000).status_code == 302


def test_html_and_script_are_escaped_never_run(client, pothole):
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    response = post_details(client, pothole, title=evil, description=evil, email="")
    body = response.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert" in body
    # Stored as written (it is text), shown escaped wherever it appears.
    post_details(client, pothole, title=evil, description=evil)
    report = Report.objects.get()
    assert report.title == evil[:120]
    confirm = client.get(link_in(mail.outbox[0], "confirm"))
    assert "<script>alert" not in confirm.content.decode()


def test_tampered_hidden_fields_send_the_person_back_to_step1(client, pothole):
    response = post_details(client, pothole, latitude=str(OSLO[0]), longitude=str(OSLO[1]))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("reports:new")
    assert not Report.objects.exists()


def test_a_malformed_submission_key_still_makes_one_report(client, pothole):
    assert post_details(client, pothole, submission_key="'; DROP TABLE reports;--").status_code == 302
    report = Report.objects.get()
    assert re.fullmatch(r"[0-9a-f]{32}", report.submission_key)


def test_double_submit_makes_one_report(client, pothole):
    data = details_data(pothole)
    first = client.post(reverse("reports:new_details"), data)
    second = client.post(reverse("reports:new_details"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1
    assert len(mail.outbox) == 1  # one confirmation e-mail


def test_double_submit_when_logged_in_makes_one_report(resident_client, pothole):
    data = details_data(pothole)
    for _attempt in range(3):
        assert resident_client.post(reverse("reports:new_details"), data).status_code == 302
    assert Report.objects.count() == 1


def test_the_form_needs_its_csrf_token(csrf_client, pothole):
    response = csrf_client.post(reverse("reports:new_details"), details_data(pothole))
    assert response.status_code == 403
    assert not Report.objects.exists()
    # With the token from the page it goes through.
    page = csrf_client.get(details_url(pothole))
    token = parse(page.content).find("input", name="csrfmiddlewaretoken").attrs["value"]
    data = details_data(pothole, csrfmiddlewaretoken=token)
    assert csrf_client.post(reverse("reports:new_details"), data).status_code == 302


def test_step2_only_takes_get_and_post(client, pothole):
    assert client.put(details_url(pothole)).status_code == 405
    assert client.post(reverse("reports:new")).status_code == 405


def test_report_creation_is_rate_limited(resident_client, pothole):
    for _attempt in range(10):
        assert post_details(resident_client, pothole).status_code == 302
    response = post_details(resident_client, pothole)
    assert response.status_code == 429
    assert Report.objects.count() == 10


# --- Extra questions -------------------------------------------------------------------------------------------
@pytest.fixture
def questions(pothole):
    return [
        QuestionFactory(
            category=pothole,
            code="storrelse",
            question="Hvor stort er hullet?",
            question_en="How big is the hole?",
            datatype=Question.Datatype.SINGLE,
            required=True,
            values=[{"key": "lite", "name": "Lite", "name_en": "Small"}, {"key": "stort", "name": "Stort"}],
            order=1,
        ),
        QuestionFactory(
            category=pothole, code="dybde", question="Dybde i cm", datatype=Question.Datatype.NUMBER, order=2
        ),
        QuestionFactory(
            category=pothole,
            code="fare",
            question="Hvem er i fare?",
            datatype=Question.Datatype.MULTI,
            values=[{"key": "syklister", "name": "Syklister"}, {"key": "gaende", "name": "Gående"}],
            order=3,
        ),
        QuestionFactory(
            category=pothole, code="sett", question="Når så du det?", datatype=Question.Datatype.DATETIME, order=4
        ),
    ]


def test_extra_questions_get_suitable_widgets(client, pothole, questions):
    form = parse(client.get(details_url(pothole)).content).find("form", enctype="multipart/form-data")
    assert [i.attrs["value"] for i in form.find_all("input", name="q_storrelse", type="radio")] == ["lite", "stort"]
    assert form.find("input", name="q_dybde").attrs.get("inputmode") == "decimal"
    assert len(form.find_all("input", name="q_fare", type="checkbox")) == 2
    assert form.find("input", name="q_sett").attrs["type"] == "datetime-local"


def test_extra_questions_answers_are_stored(client, pothole, questions):
    response = post_details(
        client,
        pothole,
        q_storrelse="stort",
        q_dybde="12,5",  # a decimal comma, as Norwegians write it, on the English page too
        q_fare=["syklister", "gaende"],
        q_sett="2025-03-01T14:30",
    )
    assert response.status_code == 302
    answers = Report.objects.get().answers
    assert answers["storrelse"] == "stort"
    assert answers["dybde"] == 12.5
    assert answers["fare"] == ["syklister", "gaende"]
    assert answers["sett"].startswith("2025-03-01T14:30")


@pytest.mark.parametrize(
    "answers",
    [
        {},  # the required one is missing
        {"q_storrelse": "enormt"},  # not one of the options
        {"q_storrelse": "lite", "q_dybde": "dypt"},  # not a number
        {"q_storrelse": "lite", "q_fare": ["biler"]},
        {"q_storrelse": "lite", "q_sett": "i går"},
    ],
)
def test_bad_answers_to_extra_questions_are_refused(client, pothole, questions, answers):
    response = post_details(client, pothole, **answers)
    assert response.status_code == 200
    assert error_summary(response)
    assert not Report.objects.exists()


# --- Photos ----------------------------------------------------------------------------------------------------
def test_a_photo_is_stored_without_its_location(client, pothole, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    original = jpeg_bytes(gps=True)
    assert b"ExamplePhone" in original
    response = post_details(client, pothole, photos=[photo_file(original)])
    assert response.status_code == 302
    photo = Photo.objects.get()
    stored = photo.image.read()
    assert b"Exif" not in stored and b"ExamplePhone" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert (photo.width, photo.height) == (640, 480)
    assert photo.thumbnail.name.endswith(".jpg")


def test_up_to_three_photos(client, pothole, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert post_details(client, pothole, photos=[photo_file() for _ in range(3)]).status_code == 302
    assert Photo.objects.count() == 3
    response = post_details(client, pothole, photos=[photo_file() for _ in range(4)])
    assert response.status_code == 200
    assert "at most 3 photos" in error_summary(response)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Dette er bare tekst, ikke et bilde.\n" * 10, "Use a JPEG, PNG, WebP or GIF"),
        (b"", "The submitted file is empty"),
        (jpeg_bytes()[:2000], "interrupted"),
    ],
    ids=["not-an-image", "empty", "interrupted"],
)
def test_a_bad_photo_is_refused_with_a_clear_message(client, pothole, data, message, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = post_details(client, pothole, photos=[photo_file(data, name="ferie.jpg")])
    assert response.status_code == 200
    summary = error_summary(response)
    assert message in summary
    assert data == b"" or "ferie.jpg" in summary
    assert not Report.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(client, pothole, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TINGET_REPORT_PHOTO_MAX_BYTES = 5000
    response = post_details(client, pothole, photos=[photo_file(jpeg_bytes((1200, 900)))])
    assert "too large" in error_summary(response)
    assert not Report.objects.exists()


def test_a_decompression_bomb_is_refused(client, pothole, settings, tmp_path):
    from .test_photos import png_header_only

    settings.MEDIA_ROOT = tmp_path
    response = post_details(client, pothole, photos=[photo_file(png_header_only(50_000, 50_000), name="bomb.png")])
    assert "too many pixels" in error_summary(response)
    assert not Report.objects.exists()


def test_photos_that_passed_are_kept_while_the_rest_is_corrected(client, pothole, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = details_data(pothole, email="")
    response = client.post(reverse("reports:new_details"), {**data, "photos": [photo_file()]})
    assert response.status_code == 200
    assert "We kept the photo you added" in response.content.decode()
    key = parse(response.content).find("input", name="submission_key").attrs["value"]

    data.update(email="ola@example.no", submission_key=key)
    assert client.post(reverse("reports:new_details"), data).status_code == 302
    assert Report.objects.get().photos.count() == 1


def test_kept_photos_can_be_removed(client, pothole, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = details_data(pothole, email="")
    response = client.post(reverse("reports:new_details"), {**data, "photos": [photo_file(), photo_file()]})
    key = parse(response.content).find("input", name="submission_key").attrs["value"]
    data.update(email="ola@example.no", submission_key=key, remove_kept_photos="on")
    assert client.post(reverse("reports:new_details"), data).status_code == 302
    assert Report.objects.get().photos.count() == 0


def test_kept_photos_count_towards_the_three(client, pothole, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = details_data(pothole, email="")
    response = client.post(reverse("reports:new_details"), {**data, "photos": [photo_file(), photo_file()]})
    key = parse(response.content).find("input", name="submission_key").attrs["value"]
    data.update(email="ola@example.no", submission_key=key)
    response = client.post(reverse("reports:new_details"), {**data, "photos": [photo_file(), photo_file()]})
    assert "at most 3 photos" in error_summary(response)


# --- Subscriptions from step 2's nearby list (the full "this is mine too" flow is in test_reporting_links.py) ---
def test_nothing_is_subscribed_by_viewing_step2(client, pothole, report):
    client.get(details_url(pothole))
    assert not Subscriber.objects.exists()


def test_groups_order_the_select(client, municipality):
    water = CategoryGroupFactory(slug="vann", name="Vann", order=1)
    roads = CategoryGroupFactory(slug="vei", name="Vei", order=2)
    CategoryFactory(group=roads, slug="hull", name="Hull")
    CategoryFactory(group=water, slug="lekkasje", name="Lekkasje")
    labels = [g.attrs["label"] for g in parse(step1(client).content).find("select").find_all("optgroup")]
    assert labels == ["Vann", "Vei"]
