"""The public pages of fault reports: the map and list, a report's page and my reports."""

import io
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from tinget.core.tests.html import parse
from tinget.reports import services
from tinget.reports.models import State, Update

from .conftest import ASKER, NEAR_ASKER
from .factories import CategoryFactory, CategoryGroupFactory

SLEMMESTAD = (59.7801, 10.4951)


def make(actor, category, title="Hull i veien", at=ASKER, **kwargs):
    return services.report_create(
        actor=actor, category=category, latitude=at[0], longitude=at[1], title=title, **kwargs
    )


def unconfirmed(category, title="Venter på bekreftelse"):
    return services.report_create(
        actor=AnonymousUser(),
        category=category,
        latitude=ASKER[0],
        longitude=ASKER[1],
        title=title,
        reporter=services.Reporter(name="Ola", email="ola@example.no"),
    )


def hidden(moderator, category, resident, title="Skjult av moderator"):
    report = make(resident, category, title=title)
    services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Personopplysninger")
    return report


def titles(response):
    document = parse(response.content)
    return [h.text for h in document.find_all("h3", class_="report-list__title")]


# --- The map and list ------------------------------------------------------------------------------------------
def test_index_lists_public_reports_and_never_hidden_or_unconfirmed(client, report, pothole, moderator, resident):
    unconfirmed(pothole)
    hidden(moderator, pothole, resident)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert titles(response) == [report.title]
    content = response.content.decode()
    assert "Venter på bekreftelse" not in content
    assert "Skjult av moderator" not in content
    document = parse(response.content)
    assert "1" in document.by_id("reports-list-heading").text
    assert document.find("h1").text


def test_index_has_the_map_the_feeds_and_the_report_button(client, report):
    response = client.get(reverse("reports:index"), {"state": "all-open"})
    document = parse(response.content)
    map_element = document.find("div", class_="reports-map")
    assert map_element.attrs["data-geojson-url"] == reverse("reports:geojson") + "?state=all-open"
    assert '"center"' in map_element.attrs["data-map"]
    alternates = [link.attrs["type"] for link in document.find_all("link", rel="alternate") if "type" in link.attrs]
    assert alternates == ["application/rss+xml", "application/atom+xml"]
    hrefs = [a.attrs.get("href") for a in document.find_all("a")]
    assert reverse("reports:stats") in hrefs
    assert reverse("reports:feed_rss") in hrefs
    assert reverse("reports:new") in hrefs
    # No inline script or style (CSP): the map is configured by data- attributes only.
    assert all("src" in script.attrs for script in document.find_all("script"))
    assert not [el for el in document.iter() if "style" in el.attrs]


def test_index_without_reports_says_so(client, municipality):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert parse(response.content).find("div", class_="empty-state")


@pytest.fixture
def spread(pothole, resident, case_worker):
    """Four reports in two categories and two areas, one fixed and one closed without being fixed."""
    light = CategoryFactory(slug="gatelys", name="Gatelys", group=CategoryGroupFactory(slug="lys", name="Lys"))
    open_one = make(resident, pothole, title="Åpent hull", description="Dypt og farlig")
    fixed = make(resident, pothole, title="Fikset hull", at=NEAR_ASKER)
    services.report_change_state(actor=case_worker, report=fixed, state=State.FIXED, answer="Lappet.")
    closed = make(resident, light, title="Lys som lyser", at=SLEMMESTAD)
    services.report_change_state(actor=case_worker, report=closed, state=State.NO_FURTHER_ACTION, answer="Virker.")
    investigating = make(resident, light, title="Mørk lyktestolpe", at=SLEMMESTAD, address="Storgata 1")
    services.report_change_state(actor=case_worker, report=investigating, state=State.INVESTIGATING)
    return SimpleNamespace(light=light, open=open_one, fixed=fixed, closed=closed, investigating=investigating)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Åpent hull", "Fikset hull", "Lys som lyser", "Mørk lyktestolpe"}),
        ({"category": "hull-i-veien"}, {"Åpent hull", "Fikset hull"}),
        ({"category": "group:lys"}, {"Lys som lyser", "Mørk lyktestolpe"}),
        ({"state": "all-open"}, {"Åpent hull", "Mørk lyktestolpe"}),
        ({"state": "fixed"}, {"Fikset hull"}),
        ({"state": "all-closed"}, {"Lys som lyser"}),
        ({"state": "investigating"}, {"Mørk lyktestolpe"}),
        ({"state": "open"}, {"Åpent hull"}),
        ({"area": "slemmestad"}, {"Lys som lyser", "Mørk lyktestolpe"}),
        ({"q": "farlig"}, {"Åpent hull"}),
        ({"q": "storgata"}, {"Mørk lyktestolpe"}),
        ({"q": "hull", "state": "fixed"}, {"Fikset hull"}),
    ],
)
def test_index_filters(client, spread, params, expected):
    response = client.get(reverse("reports:index"), params)
    assert response.status_code == 200
    assert set(titles(response)) == expected
    assert not parse(response.content).find(class_="ds-error-summary")


def test_period_filter_counts_whole_local_days(client, spread, monkeypatch):
    from django.utils import timezone

    today = timezone.localdate()
    response = client.get(reverse("reports:index"), {"from_date": today.isoformat(), "to_date": today.isoformat()})
    assert len(titles(response)) == 4
    response = client.get(reverse("reports:index"), {"to_date": "2001-01-01"})
    assert titles(response) == []
    # Someone typing without a date picker writes it the Norwegian way.
    response = client.get(reverse("reports:index"), {"from_date": today.strftime("%d.%m.%Y")})
    assert len(titles(response)) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "finnes-ikke"}, "category"),
        ({"category": "group:finnes-ikke"}, "category"),
        ({"state": "unconfirmed"}, "state"),
        ({"state": "<script>"}, "state"),
        ({"area": "oslo"}, "area"),
        ({"from_date": "2025-13-45"}, "from_date"),
        ({"from_date": "0001-01-01"}, "from_date"),
        ({"to_date": "9999-12-31"}, "to_date"),
        ({"from_date": "2025-03-01", "to_date": "2025-02-01"}, "to_date"),
        ({"q": "x" * 101}, "q"),
        ({"category": "x" * 500}, "category"),
    ],
)
def test_bad_filters_are_shown_as_errors_and_ignored(client, spread, params, field):
    response = client.get(reverse("reports:index"), params)
    assert response.status_code == 200
    document = parse(response.content)
    summary = document.find(class_="ds-error-summary")
    assert summary is not None
    assert document.find(id=f"id_{field}").attrs.get("aria-invalid") == "true"
    # The bad filter is left out; the others still apply.
    assert len(titles(response)) == 4
    assert b"<script>" not in response.content.split(b"</head>", 1)[1].replace(b'<script src="', b"")


def test_filter_keeps_what_was_typed(client, spread):
    response = client.get(reverse("reports:index"), {"q": "farlig", "area": "asker-sentrum", "state": "all-open"})
    document = parse(response.content)
    assert document.by_id("id_q").attrs["value"] == "farlig"
    selected = [o.attrs["value"] for o in document.find_all("option") if "selected" in o.attrs]
    assert "asker-sentrum" in selected and "all-open" in selected


def test_category_filter_offers_categories_in_their_groups(client, spread):
    document = parse(client.get(reverse("reports:index")).content)
    select = document.by_id("id_category")
    groups = [g.attrs["label"] for g in select.find_all("optgroup")]
    assert "Lys" in groups
    values = [o.attrs["value"] for o in select.find_all("option")]
    assert {"", "group:lys", "gatelys", "hull-i-veien"} <= set(values)


def test_index_pages(client, pothole, resident):
    for n in range(23):
        make(resident, pothole, title=f"Rapport {n:02d}")
    first = client.get(reverse("reports:index"))
    assert len(titles(first)) == 20
    assert titles(first)[0] == "Rapport 22"  # newest first
    document = parse(first.content)
    assert document.find("nav", class_="ds-pagination")
    second = client.get(reverse("reports:index"), {"side": 2})
    assert len(titles(second)) == 3
    assert client.get(reverse("reports:index"), {"side": "abc"}).status_code == 200
    assert titles(client.get(reverse("reports:index"), {"side": 999})) == titles(second)


def test_index_order_by_last_change(client, pothole, resident, case_worker):
    first = make(resident, pothole, title="Først")
    make(resident, pothole, title="Sist")
    services.report_change_state(actor=case_worker, report=first, state=State.INVESTIGATING)
    assert titles(client.get(reverse("reports:index")))[0] == "Sist"
    assert titles(client.get(reverse("reports:index"), {"sort": "updated"}))[0] == "Først"


def test_index_query_count_does_not_grow_with_the_list(client, pothole, resident, django_assert_max_num_queries):
    for n in range(25):
        make(resident, pothole, title=f"Rapport {n}")
    client.get(reverse("reports:index"))  # the profile and the content types are cached from here on
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reports:index"), {"state": "all-open", "area": "asker-sentrum"})
    assert len(titles(response)) == 20


def test_index_query_count_logged_in(resident_client, report, django_assert_max_num_queries):
    resident_client.get(reverse("reports:index"))
    with django_assert_max_num_queries(10):
        assert resident_client.get(reverse("reports:index")).status_code == 200


def test_html_in_a_title_is_escaped_everywhere(client, pothole, resident):
    evil = make(
        resident, pothole, title='<script>alert("x")</script>', description="<b>fet</b>\n<img src=x onerror=alert(1)>"
    )
    for url in (reverse("reports:index"), evil.get_absolute_url()):
        content = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in content
        assert "&lt;script&gt;" in content
        assert "<img src=x" not in content
        assert "<b>fet</b>" not in content


def test_index_in_english(client, report):
    response = client.get("/en/report-a-fault/")
    assert response.status_code == 200
    assert parse(response.content).find("html").attrs["lang"] == "en"


# --- GeoJSON ---------------------------------------------------------------------------------------------------
BOX = "10.3,59.7,10.6,59.9"


def geojson(client, **params):
    return client.get(reverse("reports:geojson"), params)


def test_geojson_gives_public_reports_in_the_box(client, spread, pothole, moderator, resident):
    unconfirmed(pothole)
    hidden(moderator, pothole, resident)
    response = geojson(client, bbox=BOX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["truncated"] is False
    by_title = {f["properties"]["title"]: f for f in data["features"]}
    assert set(by_title) == {"Åpent hull", "Fikset hull", "Lys som lyser", "Mørk lyktestolpe"}
    feature = by_title["Fikset hull"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [NEAR_ASKER[1], NEAR_ASKER[0]]}
    props = feature["properties"]
    assert props["id"] == spread.fixed.pk
    assert props["state"] == "fixed" and props["group"] == "fixed" and props["state_label"] == str(State.FIXED.label)
    assert props["category"] == "Hull i veien"
    assert props["url"] == spread.fixed.get_absolute_url()
    assert props["created"].startswith(str(spread.fixed.created_at.year))
    assert by_title["Lys som lyser"]["properties"]["group"] == "closed"
    assert by_title["Mørk lyktestolpe"]["properties"]["group"] == "open"
    # Newest first.
    assert data["features"][0]["properties"]["title"] == "Mørk lyktestolpe"


def test_geojson_leaves_out_what_is_outside_the_box(client, spread):
    # A box around Slemmestad only.
    data = geojson(client, bbox="10.48,59.77,10.51,59.79").json()
    assert {f["properties"]["title"] for f in data["features"]} == {"Lys som lyser", "Mørk lyktestolpe"}


def test_geojson_applies_the_lists_filters(client, spread):
    data = geojson(client, bbox=BOX, state="all-open", category="hull-i-veien").json()
    assert [f["properties"]["title"] for f in data["features"]] == ["Åpent hull"]


def test_geojson_in_english(client, spread):
    response = client.get("/en/report-a-fault/kart.geojson", {"bbox": BOX})
    props = {f["properties"]["title"]: f["properties"] for f in response.json()["features"]}
    assert props["Fikset hull"]["state_label"] == "Fixed"
    assert props["Fikset hull"]["category"] == "Pothole"
    assert props["Fikset hull"]["url"].startswith("/en/")


def test_geojson_stops_at_the_limit_and_says_so(client, pothole, resident, monkeypatch):
    from tinget.reports.views import public

    monkeypatch.setattr(public, "MAP_LIMIT", 2)
    for n in range(3):
        make(resident, pothole, title=f"Rapport {n}")
    data = geojson(client, bbox=BOX).json()
    assert data["truncated"] is True
    assert [f["properties"]["title"] for f in data["features"]] == ["Rapport 2", "Rapport 1"]


def test_geojson_whole_world_is_allowed(client, report):
    data = geojson(client, bbox="-180,-90,180,90").json()
    assert len(data["features"]) == 1


@pytest.mark.parametrize(
    "bbox",
    [
        None,
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,b,c,d",
        "nan,59,10,60",
        "inf,59,10,60",
        "10.6,59.7,10.3,59.9",  # west east of east
        "10.3,59.9,10.6,59.7",  # south north of north
        "10,-91,11,60",
        "10,59,181,60",
        "1" * 200 + ",59,10,60",
        "1e400,59,10,60",
    ],
)
def test_geojson_rejects_a_malformed_or_oversized_box(client, report, bbox):
    response = geojson(client) if bbox is None else geojson(client, bbox=bbox)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


def test_geojson_rejects_bad_filters(client, report):
    response = geojson(client, bbox=BOX, category="finnes-ikke", from_date="2025-02-30")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"category", "from_date"}


def test_geojson_escapes_nothing_but_is_json(client, pothole, resident):
    make(resident, pothole, title='<script>alert("x")</script>')
    response = geojson(client, bbox=BOX)
    # JSON carries the text as it is; map.js puts it in with textContent, never as HTML.
    assert response.json()["features"][0]["properties"]["title"] == '<script>alert("x")</script>'


@pytest.mark.parametrize(
    "title",
    ['Sitat " og \\ skråstrek', "Linje\nskift\tog tab", "Æøå \u2013 «sitat» 🚧", "</script><!--", "\u2028\u2029"],
)
def test_geojson_is_valid_json_whatever_the_title(client, pothole, resident, title):
    report = make(resident, pothole, title=title)
    response = geojson(client, bbox=BOX)
    feature = json.loads(response.content.decode("utf-8"))["features"][0]
    assert feature["properties"]["title"] == report.title
    assert feature["properties"]["url"] == report.get_absolute_url()


def test_geojson_query_count(client, pothole, resident, django_assert_max_num_queries):
    for n in range(10):
        make(resident, pothole, title=f"Rapport {n}")
    with django_assert_max_num_queries(3):
        response = geojson(client, bbox=BOX, state="all-open")
    assert len(response.json()["features"]) == 10


def test_geojson_only_answers_get(client, report):
    assert client.post(reverse("reports:geojson") + "?bbox=" + BOX).status_code == 405


# --- A report's page -------------------------------------------------------------------------------------------
def jpeg(color="red", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def with_photos(resident, category):
    photos = [
        SimpleNamespace(image=jpeg(), thumbnail=jpeg(size=(20, 15)), alt_text="Hullet sett ovenfra"),
        SimpleNamespace(image=jpeg("blue"), thumbnail=jpeg("blue", (20, 15)), alt_text=""),
    ]
    return make(resident, category, title="Med bilder", photos=photos)


def test_detail_shows_the_report(client, report):
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    document = parse(response.content)
    assert document.find("h1").text == report.title
    assert document.find("span", class_="ds-tag").text == str(State.OPEN.label)
    facts = document.find("dl", class_="report__facts").text
    assert "Hull i veien" in facts and "Asker sentrum" in facts and "Vei og park" in facts
    assert "Hullet er omtrent 30 cm bredt." in document.find("section", class_="report__description").text
    # Position in text and a link, for those without the map.
    assert any("openstreetmap.org" in a.attrs.get("href", "") for a in document.find_all("a"))
    assert "59.83350" in response.content.decode()
    assert document.find("div", class_="reports-map").attrs["hidden"] is not None
    # The reporter's name is not shown unless they chose so.
    assert "Kari" not in document.find("article").text
    assert not [el for el in document.iter() if "style" in el.attrs]


def test_detail_shows_the_name_when_the_reporter_chose_so(client, pothole, resident):
    report = make(resident, pothole, reporter=services.Reporter(show_name=True))
    assert "Kari" in parse(client.get(report.get_absolute_url()).content).find("dl").text


def test_detail_time_is_shown_in_the_local_zone(client, report):
    from django.utils import timezone

    local = timezone.localtime(report.created_at)
    document = parse(client.get(report.get_absolute_url()).content)
    shown = document.find("dl", class_="report__facts").find("time")
    assert shown.attrs["datetime"] == local.isoformat()
    assert f"{local:%H:%M}" in shown.text


def test_detail_history_is_public_only(client, report, case_worker):
    services.report_change_state(actor=case_worker, report=report, state=State.INVESTIGATING, answer="Vi ser på det.")
    services.report_add_note(actor=case_worker, report=report, text="Hemmelig notat")
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Hullet er lappet.")
    document = parse(client.get(report.get_absolute_url()).content)
    history = document.find("ol", class_="report-history")
    items = history.find_all("li")
    assert len(items) == 3
    assert str(Update.Kind.CREATED.label) in items[0].text
    assert "Vi ser på det." in items[1].text and "Vei og park" in items[1].text
    assert "Hullet er lappet." in items[2].text
    assert "Hemmelig notat" not in history.text
    assert "Sander" not in history.text  # the unit answers, not the person


def test_detail_staff_see_internal_notes_marked(client, report, case_worker):
    services.report_add_note(actor=case_worker, report=report, text="Hemmelig notat")
    client.force_login(case_worker)
    document = parse(client.get(report.get_absolute_url()).content)
    internal = document.find("li", class_="report-history__item--internal")
    assert internal is not None and "Hemmelig notat" in internal.text


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_resident"])
def test_hidden_and_unconfirmed_reports_are_not_found_by_the_public(
    client, pothole, moderator, resident, who, django_user_model
):
    waiting = unconfirmed(pothole)
    gone = hidden(moderator, pothole, resident)
    if who == "resident":
        client.force_login(resident)
    elif who == "other_resident":
        client.force_login(django_user_model.objects.create_user("per@example.no", "et-langt-passord-123"))
    assert client.get(waiting.get_absolute_url()).status_code == 404
    assert client.get(gone.get_absolute_url()).status_code == 404


def test_missing_report_is_404(client, municipality):
    assert client.get(reverse("reports:detail", args=[999999])).status_code == 404


def test_moderator_sees_a_hidden_report_with_a_notice(client, pothole, moderator, resident):
    gone = hidden(moderator, pothole, resident)
    client.force_login(moderator)
    response = client.get(gone.get_absolute_url())
    assert response.status_code == 200
    notice = parse(response.content).find("div", class_="ds-alert")
    assert notice is not None and notice.attrs.get("role") == "status"


def test_case_worker_sees_an_unconfirmed_report_of_their_unit_with_a_notice(client, pothole, case_worker):
    waiting = unconfirmed(pothole)
    client.force_login(case_worker)
    response = client.get(waiting.get_absolute_url())
    assert response.status_code == 200
    assert parse(response.content).find("div", class_="ds-alert")


def test_case_worker_gets_a_link_to_handle_the_report(client, report, case_worker):
    client.force_login(case_worker)
    hrefs = [a.attrs.get("href") for a in parse(client.get(report.get_absolute_url()).content).find_all("a")]
    assert reverse("reports:handle_detail", args=[report.pk]) in hrefs


def test_residents_get_no_handling_link(resident_client, report):
    content = resident_client.get(report.get_absolute_url()).content.decode()
    assert reverse("reports:handle_detail", args=[report.pk]) not in content


def test_reporter_of_a_fixed_report_can_reopen_it(client, report, resident, case_worker, django_user_model):
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Lappet.")
    reopen = reverse("reports:reopen", args=[report.pk])
    # Not for the public, nor for another resident.
    assert not parse(client.get(report.get_absolute_url()).content).find("form", action=reopen)
    client.force_login(django_user_model.objects.create_user("per@example.no", "et-langt-passord-123"))
    assert not parse(client.get(report.get_absolute_url()).content).find("form", action=reopen)
    client.force_login(resident)
    form = parse(client.get(report.get_absolute_url()).content).find("form", action=reopen)
    assert form is not None and form.attrs["method"] == "post"
    assert form.find("input", name="csrfmiddlewaretoken")


def test_open_report_has_no_reopen_form(resident_client, report):
    assert not parse(resident_client.get(report.get_absolute_url()).content).find("form", class_="report-reopen")


def test_follow_button(client, resident, report):
    anonymous = parse(client.get(report.get_absolute_url()).content)
    assert anonymous.find("div", class_="follow-button").find("a")  # "log in to follow"
    client.force_login(resident)
    document = parse(client.get(report.get_absolute_url()).content)
    assert document.find("div", class_="follow-button").find("form", action=reverse("core:follow"))


def test_duplicate_links_to_the_original(client, report, pothole, resident, case_worker):
    copy = make(resident, pothole, title="Samme hull", at=NEAR_ASKER)
    services.report_change_state(
        actor=case_worker, report=copy, state=State.DUPLICATE, answer="Meldt før.", duplicate_of=report
    )
    document = parse(client.get(copy.get_absolute_url()).content)
    assert report.get_absolute_url() in [a.attrs.get("href") for a in document.find_all("a")]


def test_photos_are_shown_with_alt_text_but_hidden_ones_are_not(client, pothole, resident, moderator):
    report = with_photos(resident, pothole)
    photos = list(report.photos.all())
    document = parse(client.get(report.get_absolute_url()).content)
    images = document.find("ul", class_="report-photos").find_all("img")
    assert images[0].attrs["alt"] == "Hullet sett ovenfra"
    assert all(img.attrs["alt"] for img in images)
    links = [a.attrs["href"] for a in document.find("ul", class_="report-photos").find_all("a")]
    assert links == [p.full_url for p in photos]
    services.photo_set_hidden(actor=moderator, photo=photos[0], hidden=True, reason="Ansikt synlig")
    document = parse(client.get(report.get_absolute_url()).content)
    assert [a.attrs["href"] for a in document.find("ul", class_="report-photos").find_all("a")] == [photos[1].full_url]


def test_detail_query_count(client, pothole, resident, case_worker, django_assert_max_num_queries):
    report = with_photos(resident, pothole)
    for state in (State.INVESTIGATING, State.IN_PROGRESS, State.FIXED):
        services.report_change_state(actor=case_worker, report=report, state=state, answer="Svar")
    client.get(report.get_absolute_url())
    with django_assert_max_num_queries(5):
        assert client.get(report.get_absolute_url()).status_code == 200
    client.force_login(resident)
    with django_assert_max_num_queries(9):
        assert client.get(report.get_absolute_url()).status_code == 200


# --- My reports ------------------------------------------------------------------------------------------------
def test_mine_asks_for_login(client, municipality):
    response = client.get(reverse("reports:mine"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_mine_lists_my_reports_only(resident_client, report, pothole, django_user_model, case_worker):
    other = django_user_model.objects.create_user("per@example.no", "et-langt-passord-123")
    make(other, pothole, title="Pers hull")
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Lappet.")
    response = resident_client.get(reverse("reports:mine"))
    assert response.status_code == 200
    assert titles(response) == [report.title]
    assert str(State.FIXED.label) in parse(response.content).find("ul", class_="report-list").text


def test_mine_pages(resident_client, pothole, resident, django_assert_max_num_queries):
    for n in range(21):
        make(resident, pothole, title=f"Rapport {n}")
    assert len(titles(resident_client.get(reverse("reports:mine")))) == 20
    with django_assert_max_num_queries(6):
        assert len(titles(resident_client.get(reverse("reports:mine"), {"side": 2}))) == 1


def test_reopen_form_reopens_the_report(client, report, resident, case_worker):
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Lappet.")
    client.force_login(resident)
    form = parse(client.get(report.get_absolute_url()).content).find("form", class_="report-reopen")
    response = client.post(form.attrs["action"], {"text": "Hullet er der ennå."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == State.OPEN
    history = parse(client.get(report.get_absolute_url()).content).find("ol", class_="report-history")
    assert "Hullet er der ennå." in history.text


def test_anonymous_visitor_can_ask_for_e_mails(client, report, mailoutbox):
    document = parse(client.get(report.get_absolute_url()).content)
    form = document.find("form", class_="report-subscribe")
    assert form is not None and form.attrs["action"] == reverse("reports:support", args=[report.pk])
    assert document.by_id("subscribe-email").attrs["type"] == "email"
    assert document.find("label", for_="subscribe-email")
    mailoutbox.clear()
    response = client.post(form.attrs["action"], {"email": "ola@example.no", "next": report.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert [m.to for m in mailoutbox] == [["ola@example.no"]]


def test_logged_in_visitors_follow_instead_of_subscribing(resident_client, report):
    assert not parse(resident_client.get(report.get_absolute_url()).content).find("form", class_="report-subscribe")
