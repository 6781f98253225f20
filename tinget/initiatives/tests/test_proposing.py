"""The promoter's pages over HTTP: who gets in (ID-porten level, residency, whose initiative), the form and every
kind of bad input it must refuse while keeping what was typed, the preview, sending for review (also twice),
the staff's reason shown to the promoter, withdrawing and handing over."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from tinget.core.models import Area, Municipality
from tinget.core.tests.html import parse
from tinget.core.text import looks_like_html
from tinget.initiatives import services
from tinget.initiatives.models import Initiative, State, Topic

from .conftest import BJORN, DRAFT, idporten_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Pages in English, so the assertions read the msgids whatever the Norwegian catalogues say."""
    translation.activate("en")
    yield
    translation.deactivate()


# --- Helpers ---------------------------------------------------------------------------------------------------
def url(name, **kwargs):
    return reverse(f"initiatives:{name}", kwargs=kwargs or None)


def form_data(**changes):
    data = {**DRAFT, "submission_key": "a" * 32}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def error_summary(response) -> str:
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def field_value(response, name) -> str:
    document = parse(response.content)
    element = document.find("textarea", name=name)
    if element is not None:
        return element.text
    element = document.find("input", name=name)
    return element.attrs.get("value", "") if element is not None else ""


def messages_of(response) -> str:
    found = parse(response.content).find("div", class_="messages")
    return found.text if found else ""


def assert_idporten_login(response, next_path):
    assert response.status_code == 302
    parts = urlsplit(response.url)
    assert parts.path == reverse("accounts:idporten_login")
    query = parse_qs(parts.query)
    assert query["level"] == ["substantial"]
    assert query["next"] == [next_path]


@pytest.fixture
def other_client(person):
    """A resident logged in through ID-porten who is not the promoter."""
    return idporten_client(person(*BJORN))


def set_state(initiative, state, **fields):
    """A shortcut to a state that takes signatures or staff to reach; the services' own tests cover the way."""
    Initiative.objects.filter(pk=initiative.pk).update(state=state, **fields)
    initiative.refresh_from_db()
    return initiative


# --- Who gets in -----------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_idporten_and_back(client):
    assert_idporten_login(client.get(url("new")), url("new"))


def test_an_email_login_is_not_enough(client, resident):
    client.force_login(resident)
    assert_idporten_login(client.get(url("new")), url("new"))
    assert_idporten_login(client.post(url("new"), form_data()), url("new"))
    assert not Initiative.objects.exists()


def test_a_non_resident_is_told_why(outsider):
    response = idporten_client(outsider).get(url("new"))
    assert response.status_code == 403
    assert "not-resident-reason" in parse(response.content).ids()
    response = idporten_client(outsider).post(url("new"), form_data())
    assert response.status_code == 403
    assert not Initiative.objects.exists()


def test_the_form_says_the_limits(promoter_client, settings):
    settings.TINGET_INITIATIVE_MIN_DAYS, settings.TINGET_INITIATIVE_MAX_DAYS = 30, 183
    response = promoter_client.get(url("new"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    document = parse(response.content)
    days = document.find("input", name="signing_days")
    assert days.attrs["value"] == "90" and days.attrs["min"] == "30" and days.attrs["max"] == "183"
    assert "between 30 and 183 days" in document.by_id("id_signing_days_hint").text
    assert "3 000" in document.by_id("id_proposal_hint").text or "3,000" in document.by_id("id_proposal_hint").text
    for name in ("title", "proposal", "reasons"):
        assert document.find(id=f"id_{name}").attrs.get("required") is not None
        assert document.find("label", for_=f"id_{name}") is not None


# --- Creating a draft ------------------------------------------------------------------------------------------
def test_a_resident_saves_a_draft_and_sees_the_preview(promoter_client, promoter, municipality):
    area = Area.objects.create(municipality=municipality, name="Vettre", slug="vettre-test")
    topic = Topic.objects.create(name="Friluftsliv", slug="friluftsliv")
    response = promoter_client.post(url("new"), form_data(area=area.pk, topic=topic.pk, signing_days=60))
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response.url == url("preview", pk=initiative.pk)
    assert initiative.state == State.DRAFT
    assert initiative.promoter == promoter and initiative.promoter_name == "Astrid Testesen"
    assert (initiative.area, initiative.topic, initiative.signing_days) == (area, topic, 60)
    assert initiative.title == DRAFT["title"] and initiative.proposal == DRAFT["proposal"]

    page = promoter_client.get(response.url)
    assert page.status_code == 200
    document = parse(page.content)
    assert document.find(id="initiative-title").text == DRAFT["title"]
    assert "Draft" in document.find(id="initiative-state-heading").text
    assert "Your draft is saved" in messages_of(page)
    assert "Astrid Testesen" in page.content.decode()
    assert document.find("form", action=url("submit", pk=initiative.pk)).find("button").text == "Send for review"


def test_the_same_form_sent_twice_makes_one_draft(promoter_client):
    first = promoter_client.post(url("new"), form_data())
    second = promoter_client.post(url("new"), form_data())
    assert Initiative.objects.count() == 1
    assert first.url == second.url


def test_two_forms_make_two_drafts(promoter_client):
    promoter_client.post(url("new"), form_data(submission_key="a" * 32))
    promoter_client.post(url("new"), form_data(submission_key="b" * 32))
    assert Initiative.objects.count() == 2


@pytest.mark.parametrize("missing", ["title", "proposal", "reasons", "signing_days"])
def test_a_missing_field_is_named_and_the_rest_kept(promoter_client, missing):
    response = promoter_client.post(url("new"), form_data(**{missing: ""}))
    assert response.status_code == 400
    summary = error_summary(response)
    expected = {
        "title": "Write a title.",
        "proposal": "Write what the municipality should do.",
        "reasons": "Write why the municipality should do it.",
        "signing_days": "Write how many days people can sign.",
    }[missing]
    assert expected in summary
    # The summary links to the field.
    link = parse(response.content).find(id="error-summary").find("a")
    assert link.attrs["href"] == f"#id_{missing}"
    for kept in {"title", "proposal", "reasons"} - {missing}:
        assert field_value(response, kept) == DRAFT[kept]
    assert not Initiative.objects.exists()


@pytest.mark.parametrize(
    ("field", "setting"),
    [
        ("title", "TINGET_INITIATIVE_TITLE_MAX"),
        ("proposal", "TINGET_INITIATIVE_PROPOSAL_MAX"),
        ("reasons", "TINGET_INITIATIVE_REASONS_MAX"),
    ],
)
def test_text_over_the_limit_is_refused_and_kept(promoter_client, settings, field, setting):
    limit = getattr(settings, setting)
    too_long = "x" * (limit + 1)
    response = promoter_client.post(url("new"), form_data(**{field: too_long}))
    assert response.status_code == 400
    assert f"Write at most {limit} characters (you wrote {limit + 1})." in error_summary(response)
    assert field_value(response, field) == too_long
    assert not Initiative.objects.exists()
    # Exactly at the limit is fine.
    assert promoter_client.post(url("new"), form_data(**{field: "x" * limit})).status_code == 302


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Se <b>her</b>",
        '<img src=x onerror="alert(1)">',
        "<script src='https://evil.example/x.js'",
        "<!-- skjult -->",
        "<a href=javascript:alert(1)>klikk</a>",
        "<svg/onload=alert(1)>",
    ],
)
@pytest.mark.parametrize("field", ["title", "proposal", "reasons"])
def test_html_and_script_are_refused_and_the_text_kept(promoter_client, field, text):
    response = promoter_client.post(url("new"), form_data(**{field: text}))
    assert response.status_code == 400
    assert "Write plain text" in error_summary(response)
    # What was typed is kept, escaped: the page holds no tag of it.
    assert field_value(response, field) == text
    assert text.encode() not in response.content
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("text", ["5 < 10 og 10 > 5", "<3 barnehager", "a<b", "Pris: <50 kr", "Bruk -> pilen"])
def test_plain_text_with_angle_brackets_is_fine(text):
    assert not looks_like_html(text)


def test_plain_text_with_angle_brackets_is_saved_and_shown_escaped(promoter_client):
    response = promoter_client.post(url("new"), form_data(proposal="Fartsgrense <30 km/t & fortau > 2 m"))
    assert response.status_code == 302
    page = promoter_client.get(response.url)
    assert b"Fartsgrense &lt;30 km/t &amp; fortau &gt; 2 m" in page.content


@pytest.mark.parametrize("days", ["29", "184", "0", "-5", "abc", "90.5", "99999999999999999999"])
def test_a_signing_period_out_of_range_is_refused(promoter_client, settings, days):
    settings.TINGET_INITIATIVE_MIN_DAYS, settings.TINGET_INITIATIVE_MAX_DAYS = 30, 183
    response = promoter_client.post(url("new"), form_data(signing_days=days))
    assert response.status_code == 400
    summary = error_summary(response)
    assert "between 30 and 183 days" in summary or "whole number" in summary
    assert field_value(response, "signing_days") == days
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("days", ["30", "183"])
def test_the_limits_themselves_are_allowed(promoter_client, settings, days):
    settings.TINGET_INITIATIVE_MIN_DAYS, settings.TINGET_INITIATIVE_MAX_DAYS = 30, 183
    assert promoter_client.post(url("new"), form_data(signing_days=days)).status_code == 302
    assert Initiative.objects.get().signing_days == int(days)


def test_an_area_of_another_municipality_is_refused(promoter_client, municipality):
    Area.objects.create(municipality=municipality, name="Vettre", slug="vettre-test")
    elsewhere = Municipality.objects.create(number="0301", name="Oslo", population=700_000)
    foreign = Area.objects.create(municipality=elsewhere, name="Grünerløkka", slug="grunerlokka")
    response = promoter_client.post(url("new"), form_data(area=foreign.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in error_summary(response)
    assert not Initiative.objects.exists()


def test_a_title_with_line_breaks_is_one_line(promoter_client):
    promoter_client.post(url("new"), form_data(title="Lys i\r\nlysløypa  "))
    assert Initiative.objects.get().title == "Lys i lysløypa"


# --- Changing a draft ------------------------------------------------------------------------------------------
def test_the_promoter_changes_the_draft(promoter_client, draft):
    page = promoter_client.get(url("edit", pk=draft.pk))
    assert page.status_code == 200
    assert field_value(page, "title") == draft.title
    assert field_value(page, "proposal") == draft.proposal
    response = promoter_client.post(url("edit", pk=draft.pk), form_data(title="Lys i hele lysløypa"))
    assert response.status_code == 302 and response.url == url("preview", pk=draft.pk)
    draft.refresh_from_db()
    assert draft.title == "Lys i hele lysløypa"


def test_bad_input_on_edit_changes_nothing(promoter_client, draft):
    response = promoter_client.post(url("edit", pk=draft.pk), form_data(proposal="<script>x</script>"))
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.proposal == DRAFT["proposal"]


@pytest.mark.parametrize("name", ["edit", "preview", "attachments", "co_promoters", "withdraw"])
def test_someone_elses_draft_is_not_found(other_client, draft, name):
    assert other_client.get(url(name, pk=draft.pk)).status_code == 404


@pytest.mark.parametrize("name", ["edit", "submit", "withdraw", "hand_over", "attachments", "co_promoters"])
def test_someone_else_cannot_change_a_draft(other_client, draft, name):
    response = other_client.post(url(name, pk=draft.pk), form_data(title="Kapret"))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.title == DRAFT["title"] and draft.state == State.DRAFT


def test_staff_cannot_use_the_promoters_pages(draft, staff_client):
    # Staff have their own pages; the promoter's are the promoter's (and staff have no ID-porten login).
    response = staff_client.post(url("submit", pk=draft.pk))
    assert response.status_code == 302 and reverse("accounts:idporten_login") in response.url
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


@pytest.mark.parametrize("name", ["edit", "preview", "attachments", "co_promoters"])
def test_the_promoter_logged_in_by_email_is_sent_to_idporten(client, promoter, draft, name):
    client.force_login(promoter)
    assert_idporten_login(client.get(url(name, pk=draft.pk)), url(name, pk=draft.pk))


def test_a_missing_initiative_is_not_found(promoter_client):
    assert promoter_client.get(url("preview", pk=999_999)).status_code == 404


def test_a_sent_initiative_cannot_be_edited(promoter_client, promoter, draft):
    services.submit_for_review(actor=promoter, initiative=draft)
    response = promoter_client.get(url("edit", pk=draft.pk))
    assert response.status_code == 302 and response.url == url("preview", pk=draft.pk)
    response = promoter_client.post(url("edit", pk=draft.pk), form_data(title="Endret"), follow=True)
    assert "can no longer be changed" in messages_of(response)
    draft.refresh_from_db()
    assert draft.title == DRAFT["title"]


# --- Sending for review ----------------------------------------------------------------------------------------
def test_send_for_review_and_again(promoter_client, draft):
    response = promoter_client.post(url("submit", pk=draft.pk))
    assert response.status_code == 302 and response.url == url("preview", pk=draft.pk)
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW and draft.submitted_at
    # The same button pressed again (a double click, a resent POST): no error, and it says so.
    again = promoter_client.post(url("submit", pk=draft.pk), follow=True)
    assert again.status_code == 200
    assert "already sent for review" in messages_of(again)
    page = parse(again.content)
    assert "In review" in page.find(id="initiative-state-heading").text
    # No "send" button and no edit link any more.
    assert page.find("form", action=url("submit", pk=draft.pk)) is None
    assert page.find("a", href=url("edit", pk=draft.pk)) is None


def test_submit_only_by_post(promoter_client, draft):
    assert promoter_client.get(url("submit", pk=draft.pk)).status_code == 405


def test_a_refused_initiative_cannot_be_sent_again(promoter_client, promoter, draft, case_worker):
    services.submit_for_review(actor=promoter, initiative=draft)
    services.refuse(actor=case_worker, initiative=draft, reason="Personopplysninger om naboen.")
    response = promoter_client.post(url("submit", pk=draft.pk), follow=True)
    assert "cannot be sent for review now" in messages_of(response)
    draft.refresh_from_db()
    assert draft.state == State.REFUSED


def test_changes_requested_shows_the_reason_and_the_way_back(promoter_client, promoter, draft, case_worker):
    services.submit_for_review(actor=promoter, initiative=draft)
    services.request_changes(actor=case_worker, initiative=draft, reason="Skriv <b>hvor</b> lysløypa går.")
    page = promoter_client.get(url("preview", pk=draft.pk))
    document = parse(page.content)
    alert = document.find(id="review-note-heading").parent
    assert "Skriv <b>hvor</b> lysløypa går." in alert.text
    assert b"Skriv &lt;b&gt;hvor&lt;/b&gt;" in page.content
    assert alert.find("a", href=url("edit", pk=draft.pk)) is not None
    # The form shows the reason too, and sending the changed text goes back to review.
    form_page = promoter_client.get(url("edit", pk=draft.pk))
    assert "Skriv <b>hvor</b> lysløypa går." in parse(form_page.content).find(id="review-note-heading").parent.text
    promoter_client.post(url("edit", pk=draft.pk), form_data(reasons="Fra Vettre skole til Solberg."))
    assert "Send for review again" in promoter_client.get(url("preview", pk=draft.pk)).content.decode()
    promoter_client.post(url("submit", pk=draft.pk))
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW and draft.reasons == "Fra Vettre skole til Solberg."


def test_a_refusal_shows_the_reason_without_an_edit_link(promoter_client, promoter, draft, case_worker):
    services.submit_for_review(actor=promoter, initiative=draft)
    services.refuse(actor=case_worker, initiative=draft, reason="Inneholder personopplysninger om andre.")
    document = parse(promoter_client.get(url("preview", pk=draft.pk)).content)
    assert "Refused" in document.find(id="initiative-state-heading").text
    assert "Inneholder personopplysninger om andre." in document.find(id="review-note-heading").parent.text
    assert document.find("a", href=url("edit", pk=draft.pk)) is None
    assert document.find("a", href=url("withdraw", pk=draft.pk)) is None


# --- Withdrawing -----------------------------------------------------------------------------------------------
def test_withdraw_asks_first(promoter_client, draft):
    page = promoter_client.get(url("withdraw", pk=draft.pk))
    assert page.status_code == 200
    form = parse(page.content).find("form", action=url("withdraw", pk=draft.pk))
    assert form.attrs["method"] == "post"
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    response = promoter_client.post(url("withdraw", pk=draft.pk), follow=True)
    assert "The initiative is withdrawn." in messages_of(response)
    draft.refresh_from_db()
    assert draft.state == State.WITHDRAWN
    again = promoter_client.post(url("withdraw", pk=draft.pk), follow=True)
    assert again.status_code == 200 and "already withdrawn" in messages_of(again)
    # Nothing to confirm any more.
    assert promoter_client.get(url("withdraw", pk=draft.pk)).status_code == 302


def test_a_collecting_initiative_can_be_withdrawn(promoter_client, collecting):
    promoter_client.post(url("withdraw", pk=collecting.pk))
    collecting.refresh_from_db()
    assert collecting.state == State.WITHDRAWN


def test_a_handed_over_initiative_cannot_be_withdrawn(promoter_client, collecting):
    set_state(collecting, State.HANDED_OVER)
    response = promoter_client.post(url("withdraw", pk=collecting.pk), follow=True)
    assert "cannot be withdrawn now" in messages_of(response)
    collecting.refresh_from_db()
    assert collecting.state == State.HANDED_OVER


# --- Handing over ----------------------------------------------------------------------------------------------
def test_hand_over_when_the_threshold_is_reached(promoter_client, collecting, person):
    Initiative.objects.filter(pk=collecting.pk).update(required_signatures=1)
    services.sign(actor=person(*BJORN), initiative_id=collecting.pk)
    collecting.refresh_from_db()
    services.recount(collecting, force=True)
    collecting.refresh_from_db()
    assert collecting.state == State.THRESHOLD_REACHED
    preview = parse(promoter_client.get(url("preview", pk=collecting.pk)).content)
    assert preview.find("a", href=url("hand_over", pk=collecting.pk)) is not None
    confirm = promoter_client.get(url("hand_over", pk=collecting.pk))
    assert confirm.status_code == 200
    response = promoter_client.post(url("hand_over", pk=collecting.pk), follow=True)
    assert "handed over to the municipality" in messages_of(response)
    collecting.refresh_from_db()
    assert collecting.state == State.HANDED_OVER and collecting.decision_due
    again = promoter_client.post(url("hand_over", pk=collecting.pk), follow=True)
    assert "already handed over" in messages_of(again)


def test_no_hand_over_without_enough_signatures(promoter_client, collecting):
    assert promoter_client.get(url("hand_over", pk=collecting.pk)).status_code == 302
    response = promoter_client.post(url("hand_over", pk=collecting.pk), follow=True)
    assert "when it has enough signatures" in messages_of(response)
    collecting.refresh_from_db()
    assert collecting.state == State.COLLECTING


def test_the_preview_of_a_public_initiative_links_to_its_page(promoter_client, collecting):
    document = parse(promoter_client.get(url("preview", pk=collecting.pk)).content)
    assert document.find("a", href=url("detail", pk=collecting.pk)) is not None
    assert "Collecting signatures" in document.find(id="initiative-state-heading").text


def test_every_state_has_a_preview(promoter_client, draft):
    for state in State.values:
        set_state(draft, state)
        assert promoter_client.get(url("preview", pk=draft.pk)).status_code == 200, state
