"""Every form on the case worker's report page: what it does, and what it does with unauthorised, malformed,
oversized, duplicate and cross-site input."""

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.accounts.staff import CASE_WORKER
from tinget.accounts.tests.people import with_second_factor
from tinget.core.models import Unit
from tinget.core.notify.selectors import is_following
from tinget.reports import services
from tinget.reports.models import Moderation, Photo, Report, State, Update
from tinget.reports.views.handling import version_of

from .test_handling import make, new_staff, staff_client
from .test_services import processed_photo


@pytest.fixture
def other_case_worker(municipality):
    return new_staff("rita@example.no", CASE_WORKER, "renovasjon")


@pytest.fixture
def world(pothole, resident, case_worker):
    """A report with a photo and a public answer, and another report to merge it into."""
    report = make(pothole, resident, title="Dypt hull", description="Ved bussholdeplassen.", photos=[processed_photo()])
    answer = services.report_answer(actor=case_worker, report=report, text="Vi ser på det.")
    other = make(pothole, resident, title="Samme hull")
    return {"report": report, "other": other, "photo": report.photos.get(), "update": answer}


# name: (url name, who may, url kwargs beyond pk, valid data)
ENDPOINTS = {
    "state": ("reports:handle_state", "handle", {}, lambda w: {"state-state": "investigating", "state-answer": "Ok"}),
    "answer": ("reports:handle_answer", "handle", {}, lambda w: {"answer-text": "Vi kommer i morgen."}),
    "note": ("reports:handle_note", "handle", {}, lambda w: {"note-text": "Ring entreprenøren."}),
    "reroute": (
        "reports:handle_reroute",
        "handle",
        {},
        lambda w: {"reroute-unit": Unit.objects.get(slug="eiendom").pk, "reroute-note": "Deres bygg."},
    ),
    "merge": ("reports:handle_merge", "handle", {}, lambda w: {"merge-into": str(w["other"].pk)}),
    "hide": ("reports:handle_hide", "moderate", {}, lambda w: {"hide-hidden": "1", "hide-reason": "Spam"}),
    "redact": (
        "reports:handle_redact",
        "moderate",
        {},
        lambda w: {"redact-title": "Hull", "redact-description": "Ved holdeplassen.", "redact-reason": "Navn"},
    ),
    "photo": (
        "reports:handle_photo",
        "moderate",
        {"photo_pk": "photo"},
        lambda w: {f"photo-{w['photo'].pk}-hidden": "1", f"photo-{w['photo'].pk}-reason": "Ansikt"},
    ),
    "update": (
        "reports:handle_update_hide",
        "moderate",
        {"update_pk": "update"},
        lambda w: {f"update-{w['update'].pk}-reason": "Telefonnummer"},
    ),
}


def en(name, **kwargs):
    """An address of the English pages: the tests read messages, which the translators may reword in nb."""
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def url_of(name, world, report=None):
    url_name, _who, extra, _data = ENDPOINTS[name]
    kwargs = {"pk": (report or world["report"]).pk, **{key: world[value].pk for key, value in extra.items()}}
    return en(url_name, **kwargs)


def prefix_of(name, world):
    return {"photo": f"photo-{world['photo'].pk}", "update": f"update-{world['update'].pk}"}.get(name, name)


def valid_data(name, world, **changes):
    data = ENDPOINTS[name][3](world)
    data[f"{prefix_of(name, world)}-version"] = version_of(world["report"].pk)
    data.update(changes)
    return data


def fingerprint(world):
    """Everything a handling form could change."""
    report = Report.objects.get(pk=world["report"].pk)
    return (
        Update.objects.count(),
        Moderation.objects.count(),
        report.state,
        report.unit_id,
        report.is_hidden,
        report.title,
        Photo.objects.get(pk=world["photo"].pk).is_hidden,
        Update.objects.get(pk=world["update"].pk).is_hidden,
    )


def client_for(name, case_worker, moderator):
    return staff_client(case_worker if ENDPOINTS[name][1] == "handle" else moderator)


def body(response):
    return response.content.decode()


ALL = list(ENDPOINTS)


# --- What each form does ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_a_valid_form_calls_its_service_and_comes_back_with_a_message(name, world, case_worker, moderator):
    client = client_for(name, case_worker, moderator)
    before = fingerprint(world)

    response = client.post(url_of(name, world), valid_data(name, world))

    assert response.status_code == 302, body(response)
    assert fingerprint(world) != before
    if name == "reroute":
        # The report left the case worker's unit: back to the queue, which says where it went.
        assert response.url == en("reports:handle")
    else:
        assert response.url == en("reports:handle_detail", pk=world["report"].pk)
    followed = client.get(response.url)
    assert 'class="messages" role="status"' in body(followed)
    assert 'data-color="success"' in body(followed)


def test_the_status_change_is_public_and_answered(world, case_worker):
    client = staff_client(case_worker)
    client.post(
        url_of("state", world), valid_data("state", world, **{"state-state": "fixed", "state-answer": "Lappet."})
    )
    report = Report.objects.get(pk=world["report"].pk)
    assert report.state == State.FIXED and report.fixed_at is not None
    assert report.updates.last().text == "Lappet." and report.updates.last().is_public


def test_marking_a_duplicate_merges(world, case_worker, neighbour_follows):
    client = staff_client(case_worker)
    data = valid_data(
        "state",
        world,
        **{"state-state": "duplicate", "state-duplicate_of": f"#{world['other'].pk}", "state-answer": ""},
    )
    response = client.post(url_of("state", world), data)
    assert response.status_code == 302
    report = Report.objects.get(pk=world["report"].pk)
    assert report.state == State.DUPLICATE and report.duplicate_of == world["other"]
    assert is_following(neighbour_follows, world["other"])


@pytest.fixture
def neighbour_follows(world, django_user_model):
    from tinget.core.notify import services as notify

    person = django_user_model.objects.create_user("per@example.no", "et-langt-passord-123")
    notify.follow(actor=person, target=world["report"])
    return person


def test_an_internal_note_stays_internal(world, case_worker):
    staff_client(case_worker).post(url_of("note", world), valid_data("note", world))
    note = Update.objects.get(kind=Update.Kind.NOTE)
    assert not note.is_public and note.text == "Ring entreprenøren."


def test_moderation_shows_again(world, moderator):
    client = staff_client(moderator)
    client.post(url_of("hide", world), valid_data("hide", world))
    assert Report.objects.get(pk=world["report"].pk).is_hidden
    html = body(client.get(en("reports:handle_detail", pk=world["report"].pk)))
    assert 'name="hide-hidden" value="0"' in html
    client.post(url_of("hide", world), valid_data("hide", world, **{"hide-hidden": "0", "hide-reason": "Feil"}))
    assert not Report.objects.get(pk=world["report"].pk).is_hidden


# --- Who may send them -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_anonymous_visitors_are_sent_to_log_in(name, world, client):
    before = fingerprint(world)
    response = client.post(url_of(name, world), valid_data(name, world))
    assert response.status_code == 302 and response.url.startswith(en("account_login"))
    assert fingerprint(world) == before


@pytest.mark.parametrize("name", ALL)
def test_residents_get_403(name, world, resident_client):
    before = fingerprint(world)
    assert resident_client.post(url_of(name, world), valid_data(name, world)).status_code == 403
    assert fingerprint(world) == before


@pytest.mark.parametrize("name", ALL)
def test_a_case_worker_of_another_unit_gets_403(name, world, other_case_worker):
    before = fingerprint(world)
    assert staff_client(other_case_worker).post(url_of(name, world), valid_data(name, world)).status_code == 403
    assert fingerprint(world) == before


@pytest.mark.parametrize("name", ALL)
def test_the_other_role_gets_403(name, world, case_worker, moderator):
    """Moderators do not handle; case workers do not moderate."""
    wrong = moderator if ENDPOINTS[name][1] == "handle" else case_worker
    before = fingerprint(world)
    assert staff_client(wrong).post(url_of(name, world), valid_data(name, world)).status_code == 403
    assert fingerprint(world) == before


@pytest.mark.parametrize("name", ALL)
def test_without_a_csrf_token(name, world, csrf_client, case_worker, moderator):
    with_second_factor(csrf_client, case_worker if ENDPOINTS[name][1] == "handle" else moderator)
    before = fingerprint(world)
    assert csrf_client.post(url_of(name, world), valid_data(name, world)).status_code == 403
    assert fingerprint(world) == before


@pytest.mark.parametrize("name", ALL)
def test_get_is_not_allowed(name, world, case_worker, moderator):
    assert client_for(name, case_worker, moderator).get(url_of(name, world)).status_code == 405


# --- Duplicate, malformed and oversized input ------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_a_form_sent_twice_changes_once(name, world, case_worker, moderator):
    client = client_for(name, case_worker, moderator)
    data = valid_data(name, world)
    client.post(url_of(name, world), data)
    after_first = fingerprint(world)

    response = client.post(url_of(name, world), data)

    assert fingerprint(world) == after_first
    if name == "reroute":
        # The report has left the case worker's unit: they may no longer send anything about it.
        assert response.status_code == 403
        return
    assert response.status_code == 409
    html = body(response)
    assert "ds-error-summary" in html and "sent twice" in html


@pytest.mark.parametrize("name", ALL)
def test_a_form_without_its_version_is_refused(name, world, case_worker, moderator):
    data = valid_data(name, world)
    del data[f"{prefix_of(name, world)}-version"]
    before = fingerprint(world)
    response = client_for(name, case_worker, moderator).post(url_of(name, world), data)
    assert response.status_code == 400
    assert fingerprint(world) == before


@pytest.mark.parametrize("name", ALL)
def test_an_unknown_report_is_404(name, world, case_worker, moderator):
    url = url_of(name, world).replace(f"/{world['report'].pk}/", "/999999/", 1)
    assert client_for(name, case_worker, moderator).post(url, valid_data(name, world)).status_code == 404


@pytest.mark.parametrize(
    "name, changes, message",
    [
        ("state", {"state-state": "bogus"}, "Select a valid choice"),
        ("state", {"state-state": "open"}, "Select a valid choice"),
        ("state", {"state-state": "no_further_action", "state-answer": "  "}, "Write an answer"),
        ("state", {"state-answer": "x" * 4001}, "4000"),
        ("state", {"state-state": "duplicate", "state-duplicate_of": "abc"}, "report&#x27;s number"),
        ("state", {"state-state": "duplicate", "state-duplicate_of": "999999"}, "no report with number"),
        ("state", {"state-state": "duplicate", "state-duplicate_of": ""}, "Say which report"),
        ("state", {"state-state": "fixed", "state-duplicate_of": "12"}, "Only fill this in"),
        ("answer", {"answer-text": "   "}, "required"),
        ("answer", {"answer-text": "x" * 4001}, "4000"),
        ("note", {"note-text": ""}, "required"),
        ("note", {"note-text": "x" * 4001}, "4000"),
        ("reroute", {"reroute-unit": ""}, "Choose another unit or category"),
        ("reroute", {"reroute-unit": "abc"}, "Select a valid choice"),
        ("reroute", {"reroute-note": "x" * 4001}, "4000"),
        ("merge", {"merge-into": ""}, "required"),
        ("merge", {"merge-into": "#abc"}, "report&#x27;s number"),
        ("merge", {"merge-into": "999999"}, "no report with number"),
        ("merge", {"merge-answer": "x" * 4001}, "4000"),
        ("hide", {"hide-reason": ""}, "required"),
        ("hide", {"hide-reason": "x" * 301}, "300"),
        ("hide", {"hide-hidden": "maybe"}, "Select a valid choice"),
        ("redact", {"redact-title": "Dypt hull", "redact-description": "Ved bussholdeplassen."}, "Nothing was changed"),
        ("redact", {"redact-title": ""}, "required"),
        ("redact", {"redact-title": "x" * 121}, "120"),
        ("redact", {"redact-description": "x" * 4001}, "4000"),
        ("photo", {"photo-PHOTO-reason": ""}, "required"),
        ("update", {"update-UPDATE-reason": "x" * 301}, "300"),
    ],
)
def test_bad_input_shows_the_page_again_with_what_was_typed(name, changes, message, world, case_worker, moderator):
    changes = {
        key.replace("PHOTO", str(world["photo"].pk)).replace("UPDATE", str(world["update"].pk)): value
        for key, value in changes.items()
    }
    data = valid_data(name, world, **changes)
    before = fingerprint(world)

    response = client_for(name, case_worker, moderator).post(url_of(name, world), data)

    assert response.status_code == 400
    assert fingerprint(world) == before
    html = body(response)
    assert "ds-error-summary" in html
    assert message in html, html[html.find("ds-error-summary") : html.find("ds-error-summary") + 800]
    # What was typed is still there (a short value; the oversized ones are shown again too).
    for key, value in data.items():
        if key.endswith(("-answer", "-text", "-note", "-into", "-duplicate_of", "-reason")) and value.strip():
            assert f">\n{value}</textarea>" in html or f'value="{value}"' in html or value[:50] in html


def test_merging_into_itself_is_refused(world, case_worker):
    data = valid_data("merge", world, **{"merge-into": str(world["report"].pk)})
    response = staff_client(case_worker).post(url_of("merge", world), data)
    assert response.status_code == 400 and "Say which report" in body(response)


def test_a_photo_or_history_line_of_another_report_is_404(world, moderator, pothole, resident, case_worker):
    elsewhere = make(pothole, resident, photos=[processed_photo()])
    foreign_answer = services.report_answer(actor=case_worker, report=elsewhere, text="Annet svar")
    client = staff_client(moderator)
    photo_url = en("reports:handle_photo", pk=world["report"].pk, photo_pk=elsewhere.photos.get().pk)
    update_url = en("reports:handle_update_hide", pk=world["report"].pk, update_pk=foreign_answer.pk)
    assert client.post(photo_url, {"reason": "x"}).status_code == 404
    assert client.post(update_url, {"reason": "x"}).status_code == 404


def test_html_in_a_redaction_is_shown_as_text(world, moderator):
    client = staff_client(moderator)
    client.post(url_of("redact", world), valid_data("redact", world, **{"redact-title": "<b>Hull</b>"}))
    html = body(client.get(en("reports:handle_detail", pk=world["report"].pk)))
    assert "<b>Hull</b>" not in html and "&lt;b&gt;Hull&lt;/b&gt;" in html


def test_a_change_by_someone_else_meanwhile_is_not_overwritten(world, case_worker, django_user_model):
    stale = valid_data("state", world, **{"state-state": "fixed", "state-answer": "Lappet."})
    services.report_change_state(actor=case_worker, report=world["report"], state=State.IN_PROGRESS, answer="Går.")

    response = staff_client(case_worker).post(url_of("state", world), stale)

    assert response.status_code == 409
    assert Report.objects.get(pk=world["report"].pk).state == State.IN_PROGRESS
    html = body(response)
    # The typed answer is kept and the form carries the new version, so sending it again works.
    assert "Lappet." in html and f'value="{version_of(world["report"].pk)}"' in html
