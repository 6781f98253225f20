"""The public pages of consultations: the list with its tabs and filters, a consultation's page in each state, the
public input (hidden input and names kept back), its documents and attachments served from protected storage with
the right checks, and the versions."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch
from django.urls import reverse as django_reverse
from django.utils import timezone, translation

from tinget.consultations import attachments, services
from tinget.consultations.models import Consultation, Option, Question, Submission, Topic
from tinget.consultations.views import public
from tinget.core.tests.html import parse

from .conftest import consultation_data, pass_deadline, send_input

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


# --- Helpers ---------------------------------------------------------------------------------------------------


def reverse(name, args=None, **kwargs):
    """The English page's address: the tests read the pages' English text, which translations do not change."""
    with translation.override("en"):
        return django_reverse(name, args=args, **kwargs)


def reverse_or_none(name, args=None):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def moment(value):
    with translation.override("en"):
        return str(services.local_moment(value))


def make_consultation(case_worker, municipality, unit, *, publish=True, areas=(), sections=1, **overrides):
    consultation = services.consultation_create(
        actor=case_worker, municipality=municipality, data=consultation_data(unit, **overrides), areas=areas
    )
    for number in range(1, sections + 1):
        services.section_save(
            actor=case_worker,
            consultation=consultation,
            data={"number": str(number), "heading": f"Del {number}", "body": f"Tekst {number}."},
        )
    if publish:
        consultation = services.consultation_publish(actor=case_worker, consultation=consultation)
    return consultation


def index(client, **params):
    return client.get(reverse("consultations:index"), params)


def card_titles(response):
    document = parse(response.content)
    return [h.text for h in document.find_all("h3", class_="consultation-card__title")]


def detail(client, consultation):
    return client.get(reverse("consultations:detail", args=[consultation.pk]))


def pdf_file(name="innspill.pdf"):
    return attachments.check_file(SimpleUploadedFile(name, PDF, content_type="application/pdf"))


def with_attachment(actor, consultation, *, name="Mitt innspill.pdf", **data):
    return services.submission_save(
        actor=actor,
        consultation=consultation,
        key=uuid.uuid4(),
        data={"author_name": "Kari Nordmann", "text": "Se vedlegget.", **data},
        new_files=[pdf_file(name)],
        send=True,
    )


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Skole", name_en="Schools", slug="skole")


@pytest.fixture
def area(municipality):
    return municipality.areas.order_by("name").first()


@pytest.fixture
def upcoming(case_worker, municipality, unit):
    now = timezone.now()
    return make_consultation(
        case_worker,
        municipality,
        unit,
        title="Budsjett for neste år",
        opens_at=now + dt.timedelta(days=5),
        deadline=now + dt.timedelta(days=40),
    )


@pytest.fixture
def processing(case_worker, municipality, unit):
    consultation = pass_deadline(make_consultation(case_worker, municipality, unit, title="Skolestruktur"))
    return services.start_processing(actor=case_worker, consultation=consultation)


@pytest.fixture
def concluded(case_worker, municipality, unit, resident):
    consultation = make_consultation(case_worker, municipality, unit, title="Ny gang- og sykkelvei")
    send_input(resident, consultation)
    consultation = pass_deadline(consultation)
    services.input_report_save(actor=case_worker, consultation=consultation, text="Tolv innspill, de fleste for.")
    return services.conclude(
        actor=case_worker,
        consultation=consultation,
        outcome="Planen ble vedtatt med endringer.",
        political_case_number="26/99",
        political_case_url="https://example.no/sak/26-99",
    )


# --- The list --------------------------------------------------------------------------------------------------


def test_the_list_shows_open_consultations_by_default(client, open_consultation, case_worker, municipality, unit):
    make_consultation(case_worker, municipality, unit, publish=False, title="Hemmelig utkast")
    response = index(client)
    assert response.status_code == 200
    assert card_titles(response) == [open_consultation.title]
    content = response.content.decode()
    assert "Hemmelig utkast" not in content
    card = parse(response.content).find("li", class_="consultation-card")
    assert card.find("span", class_="ds-tag").text == "Open for input"
    assert f"Deadline {moment(open_consultation.deadline)}" in card.text
    assert open_consultation.unit.name in card.text
    assert "0 inputs" in card.text


def test_a_card_counts_the_input(client, open_consultation, resident):
    send_input(resident, open_consultation)
    send_input(resident, open_consultation, text="Enda et innspill.")
    card = parse(index(client).content).find("li", class_="consultation-card")
    assert "2 inputs" in card.text


def test_a_card_says_how_many_days_are_left_near_the_deadline(client, open_consultation):
    Consultation.objects.filter(pk=open_consultation.pk).update(deadline=timezone.now() + dt.timedelta(days=3))
    card = parse(index(client).content).find("li", class_="consultation-card")
    assert "days left" in card.text or "Last day today" in card.text


def test_the_tabs_sort_consultations_by_state(client, open_consultation, upcoming, processing, concluded):
    closed = make_consultation(
        open_consultation.created_by, open_consultation.municipality, open_consultation.unit, title="Forbi fristen"
    )
    pass_deadline(closed)
    assert card_titles(index(client)) == [open_consultation.title]
    assert card_titles(index(client, state="upcoming")) == [upcoming.title]
    assert set(card_titles(index(client, state="closed"))) == {closed.title, processing.title}
    assert card_titles(index(client, state="concluded")) == [concluded.title]
    assert len(card_titles(index(client, state="all"))) == 5
    document = parse(index(client, state="closed").content)
    nav = document.find("nav", class_="consultation-tabs")
    current = nav.find("a", aria_current="page")
    assert "Closed" in current.text and "2" in current.find("span").text
    counts = {a.text.rsplit(" ", 1)[0]: a.find("span").text for a in nav.find_all("a")}
    assert counts == {"Open": "1", "Upcoming": "1", "Closed": "2", "Concluded": "1", "All": "5"}


def test_an_upcoming_card_says_when_it_opens(client, upcoming):
    card = parse(index(client, state="upcoming").content).find("li", class_="consultation-card")
    assert f"Opens {moment(upcoming.opens_at)}" in card.text
    assert card.find("span", class_="ds-tag").text == "Upcoming"


def test_filters_by_area_unit_topic_and_words(
    client, case_worker, other_worker, municipality, unit, other_unit, topic, area
):
    by_area = make_consultation(case_worker, municipality, unit, title="Lys i lysløypa", areas=[area])
    by_topic = make_consultation(case_worker, municipality, unit, title="Ny barneskole", topic=topic)
    other_worker.user_permissions.clear()
    elsewhere = make_consultation(other_worker, municipality, other_unit, title="Åpningstider i barnehagen")
    assert card_titles(index(client, area=area.slug)) == [by_area.title]
    assert card_titles(index(client, topic=topic.slug)) == [by_topic.title]
    assert card_titles(index(client, unit=other_unit.slug)) == [elsewhere.title]
    assert card_titles(index(client, q="lysløypa")) == [by_area.title]
    assert card_titles(index(client, q="2026/1234", unit=unit.slug, topic=topic.slug)) == [by_topic.title]
    assert card_titles(index(client, q="finnes ikke")) == []


def test_the_filters_keep_their_values_and_the_tabs_keep_the_filters(client, open_consultation, area, unit):
    document = parse(index(client, state="all", area=area.slug, q="Holmen").content)
    search = document.find("input", name="q")
    assert search.attrs["value"] == "Holmen"
    selected = document.find("select", name="area").find("option", selected="")
    assert selected.attrs["value"] == area.slug
    assert document.find("input", name="state").attrs["value"] == "all"
    for link in document.find("nav", class_="consultation-tabs").find_all("a"):
        assert f"area={area.slug}" in link.attrs["href"] and "q=Holmen" in link.attrs["href"]


def test_the_unit_filter_offers_only_units_with_consultations(client, open_consultation, unit, other_unit):
    options = [o.attrs["value"] for o in parse(index(client).content).find("select", name="unit").find_all("option")]
    assert options == ["", unit.slug]


def test_pagination_keeps_the_filters(client, case_worker, municipality, unit, settings):
    settings.TINGET_CONSULTATION_PAGE_SIZE = 2
    for number in range(3):
        make_consultation(case_worker, municipality, unit, title=f"Plan {number}")
    first = index(client, q="Plan")
    assert len(card_titles(first)) == 2
    next_link = parse(first.content).find("nav", class_="ds-pagination").find("a", rel="next")
    assert "q=Plan" in next_link.attrs["href"] and "side=2" in next_link.attrs["href"]
    assert len(card_titles(index(client, q="Plan", side=2))) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"side": "abc"},
        {"side": "0"},
        {"side": "-1"},
        {"side": "99999"},
        {"side": "9" * 5000},
        {"area": "12"},
        {"area": "no-such-area"},
        {"unit": "no-such-unit"},
        {"topic": "<script>"},
        {"q": "x" * 1000},
        {"q": "nul\x00byte"},
        {"area": ["a", "b"], "state": ["closed", "open"]},
        {"state": ""},
        {"unknown": "value"},
    ],
)
def test_malformed_query_parameters_never_fail(client, open_consultation, params):
    response = index(client, **params)
    assert response.status_code == 200
    assert open_consultation.title in response.content.decode()


@pytest.mark.parametrize("state", ["draft", "nonsense", "OPEN", "x" * 500])
def test_an_unknown_state_shows_the_open_ones_and_says_so(client, open_consultation, state):
    response = index(client, state=state)
    assert response.status_code == 200
    document = parse(response.content)
    assert card_titles(response) == [open_consultation.title]
    summary = document.find("div", class_="ds-error-summary")
    assert summary is not None and "no such status" in summary.text


def test_a_bad_filter_value_is_told_about_and_left_out(client, open_consultation):
    response = index(client, area="no-such-area")
    assert parse(response.content).find("div", class_="ds-error-summary") is not None
    assert card_titles(response) == [open_consultation.title]


def test_the_empty_list_says_what_to_do(client, municipality):
    content = index(client).content.decode()
    assert "No consultations are open for input right now" in content
    assert reverse("consultations:calendar") in content
    assert "No consultations match the filters" in index(client, q="ingenting").content.decode()
    assert "No consultations are announced yet" in index(client, state="upcoming").content.decode()


def test_the_list_links_the_feed_and_the_calendar(client, municipality):
    document = parse(index(client).content)
    alternates = {link.attrs.get("type"): link.attrs["href"] for link in document.find_all("link", rel="alternate")}
    assert alternates["application/rss+xml"] == reverse("consultations:feed")
    assert alternates["text/calendar"] == reverse("consultations:calendar")


def test_the_list_query_count_does_not_grow(
    client, case_worker, municipality, unit, resident, area, django_assert_max_num_queries
):
    first = make_consultation(case_worker, municipality, unit, areas=[area])
    send_input(resident, first)
    with django_assert_max_num_queries(12) as few:
        assert index(client).status_code == 200
    for number in range(8):
        consultation = make_consultation(case_worker, municipality, unit, title=f"Plan {number}", areas=[area])
        send_input(resident, consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert index(client).status_code == 200


def test_the_list_answers_get_and_head_only(client, municipality):
    assert client.head(reverse("consultations:index")).status_code == 200
    assert client.post(reverse("consultations:index")).status_code == 405


# --- One consultation ------------------------------------------------------------------------------------------


def test_an_open_consultation_page(client, open_consultation):
    response = detail(client, open_consultation)
    assert response.status_code == 200
    document = parse(response.content)
    content = response.content.decode()
    assert document.find("h1").text == open_consultation.title
    assert f"Deadline {moment(open_consultation.deadline)}" in document.find("div", class_="consultation__status").text
    for heading in ("What is this about?", "What can you influence?", "What happens next?"):
        assert heading in content
    assert open_consultation.summary in content and open_consultation.influence in content
    assert open_consultation.next_steps in content
    assert "2026/1234" in content and open_consultation.unit.name in content
    assert "Per Plan" in content and "mailto:per.plan@example.no" in content
    give_input = reverse_or_none("consultations:give_input", [open_consultation.pk])
    if give_input:
        assert document.find("a", href=give_input).text == "Give input"


def test_the_sections_have_anchors_and_comment_links(client, open_consultation, resident):
    sections = list(open_consultation.sections.order_by("order"))
    services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        data={"author_name": "Kari", "text": "For høyt."},
        section=sections[1],
        send=True,
    )
    document = parse(detail(client, open_consultation).content)
    for section in sections:
        element = document.by_id(section.anchor)
        assert element is not None and section.heading in element.text
    second = document.by_id(sections[1].anchor)
    comments = second.find(
        "a", href=f"{reverse('consultations:submissions', [open_consultation.pk])}?section={sections[1].pk}"
    )
    assert comments is not None and "1 comment" in comments.text
    give_input = reverse_or_none("consultations:give_input", [open_consultation.pk])
    if give_input:
        link = second.find("a", href=f"{give_input}?section={sections[1].pk}")
        assert link is not None and "Comment on this section" in link.text


def test_body_text_keeps_its_line_breaks_and_is_escaped(client, open_consultation, case_worker):
    section = open_consultation.sections.first()
    services.section_save(
        actor=case_worker,
        consultation=open_consultation,
        section=section,
        data={"body": "Første linje\nAndre linje & mer"},
        note="Endret teksten.",
    )
    content = detail(client, open_consultation).content.decode()
    assert "Første linje<br>Andre linje &amp; mer" in content


def test_a_closed_consultation_says_the_deadline_was(client, closed_consultation):
    document = parse(detail(client, closed_consultation).content)
    status = document.find("div", class_="consultation__status")
    assert f"The deadline was {moment(closed_consultation.deadline)}" in status.text
    assert "Give input" not in status.text


def test_late_input_keeps_the_button(client, closed_consultation, case_worker):
    services.set_late_input(actor=case_worker, consultation=closed_consultation, allow=True)
    status = parse(detail(client, closed_consultation).content).find("div", class_="consultation__status")
    assert "still accepts input" in status.text
    if reverse_or_none("consultations:give_input", [closed_consultation.pk]):
        assert "Give input" in status.text


def test_an_upcoming_consultation_says_when_it_opens(client, upcoming):
    status = parse(detail(client, upcoming).content).find("div", class_="consultation__status")
    assert f"Opens for input on {moment(upcoming.opens_at)}" in status.text
    assert "Give input" not in status.text


def test_a_processing_consultation(client, processing):
    status = parse(detail(client, processing).content).find("div", class_="consultation__status")
    assert "going through the input" in status.text


def test_a_concluded_consultation_shows_its_outcome(client, concluded):
    response = detail(client, concluded)
    document = parse(response.content)
    status = document.find("div", class_="consultation__status")
    assert "Concluded" in status.text and "The outcome is below." in status.text
    outcome = document.find("section", class_="consultation__outcome")
    assert "Planen ble vedtatt med endringer." in outcome.text
    assert outcome.find("a", href="https://example.no/sak/26-99") is not None
    assert "Tolv innspill" in document.find("section", class_="consultation__report").text


@pytest.mark.parametrize("viewer", ["anonymous", "resident", "other_unit"])
def test_a_draft_is_not_found_for_the_public(client, draft, resident, other_worker, viewer):
    from tinget.accounts.tests.people import fast_staff_client

    if viewer == "resident":
        client.force_login(resident)
    elif viewer == "other_unit":
        client = fast_staff_client(other_worker)
    for name, args in (
        ("consultations:detail", [draft.pk]),
        ("consultations:submissions", [draft.pk]),
        ("consultations:versions", [draft.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404


def test_a_draft_is_shown_to_its_unit_with_a_notice(staff_client, draft):
    response = staff_client.get(reverse("consultations:detail", args=[draft.pk]))
    assert response.status_code == 200
    assert "This is a draft" in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_missing_consultation_is_not_found(client, municipality):
    assert client.get(reverse("consultations:detail", args=[999999])).status_code == 404
    assert client.get("/en/consultations/99999999999999999999999/").status_code == 404


def test_a_changed_consultation_says_so(client, open_consultation, case_worker):
    document = parse(detail(client, open_consultation).content)
    assert "Changed after publication" not in document.text
    services.consultation_update(
        actor=case_worker,
        consultation=open_consultation,
        data={"deadline": open_consultation.deadline + dt.timedelta(days=7)},
        note="Fristen er forlenget med en uke.",
    )
    document = parse(detail(client, open_consultation).content)
    assert "Changed after publication" in document.text
    assert "Fristen er forlenget med en uke." in document.text
    assert document.find("a", href=reverse("consultations:versions", args=[open_consultation.pk])) is not None


def test_documents_are_listed_with_type_and_size(client, draft, case_worker):
    services.document_add(actor=case_worker, consultation=draft, checked=pdf_file("plan.pdf"), title="Plankart")
    consultation = services.consultation_publish(actor=case_worker, consultation=draft)
    document = parse(detail(client, consultation).content)
    found = consultation.documents.get()
    link = document.find("a", href=reverse("consultations:document", args=[consultation.pk, found.pk]))
    assert link is not None and link.text == "Plankart"
    assert "PDF" in link.parent.text and "bytes" in link.parent.text


def answer(actor, consultation, *, option=None, scale=None, text=None, **data):
    questions = {q.kind: q for q in consultation.questions.all()}
    answers = {}
    if option is not None:
        answers[questions[Question.Kind.CHOICE].pk] = option
    if scale is not None:
        answers[questions[Question.Kind.SCALE].pk] = scale
    if text is not None:
        answers[questions[Question.Kind.TEXT].pk] = text
    return services.submission_save(
        actor=actor,
        consultation=consultation,
        key=uuid.uuid4(),
        data={"author_name": "Ola", "text": data.pop("body", ""), **data},
        answers=answers,
        send=True,
    )


def test_the_answers_are_charts_with_tables(client, open_consultation, resident, moderator):
    options = list(Option.objects.filter(question__consultation=open_consultation).order_by("order"))
    answer(resident, open_consultation, option=options[0], scale=5, text="Mer parkering.")
    answer(resident, open_consultation, option=options[0], scale=4)
    answer(resident, open_consultation, option=options[1])
    hidden = answer(resident, open_consultation, option=options[2], body="Stygt innspill")
    services.submission_hide(actor=moderator, submission=hidden, reason="Personangrep")
    document = parse(detail(client, open_consultation).content)
    results = document.find("section", class_="consultation__results")
    figures = results.find_all("figure", class_="chart")
    assert len(figures) == 2  # the choice and the scale question; the text question is a count
    choice = figures[0]
    caption = document.by_id(choice.attrs["aria-labelledby"])
    assert "Hvor bør torget ligge?" in caption.text and "3 answers" in caption.text
    rows = choice.find("table").find("tbody").find_all("tr")
    assert [(r.find("th").text, [td.text for td in r.find_all("td")]) for r in rows] == [
        ("Ved stasjonen", ["2", "67 %"]),
        ("Ved skolen", ["1", "33 %"]),
        ("Ved butikkene", ["0", "0 %"]),  # the hidden input's answer is not counted
    ]
    fills = [span.attrs["class"] for span in choice.find_all("span", class_="chart__fill")]
    assert fills == ["chart__fill chart__fill--67", "chart__fill chart__fill--33", "chart__fill chart__fill--0"]
    assert "1 written answer" in results.text
    assert "style=" not in str(detail(client, open_consultation).content)


def test_the_newest_public_input_is_shown_without_hidden_text(client, open_consultation, resident, moderator):
    send_input(resident, open_consultation, text="Første innspill.")
    bad = send_input(resident, open_consultation, text="Hemmelig krenkende tekst")
    services.submission_hide(actor=moderator, submission=bad, reason="Personangrep")
    response = detail(client, open_consultation)
    content = response.content.decode()
    assert "Første innspill." in content
    assert "Hemmelig krenkende tekst" not in content
    assert "Kari Nordmann" not in content  # the sender did not choose to show the name
    link = parse(response.content).find("a", href=reverse("consultations:submissions", args=[open_consultation.pk]))
    assert link is not None and "2" in link.text


def test_the_follow_button_asks_a_visitor_to_log_in(client, open_consultation):
    login = parse(detail(client, open_consultation).content).find("div", class_="follow-button")
    assert login is not None and "Log in to follow" in login.text


def test_the_follow_button(resident_client, open_consultation):
    form = parse(detail(resident_client, open_consultation).content).find("div", class_="follow-button")
    assert form.find("input", name="object_id").attrs["value"] == str(open_consultation.pk)


def test_script_in_text_is_escaped(client, case_worker, municipality, unit, resident):
    consultation = make_consultation(case_worker, municipality, unit, title="Plan & mer")
    Consultation.objects.filter(pk=consultation.pk).update(summary="<script>alert(1)</script>")
    content = detail(client, consultation).content.decode()
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;" in content


def test_the_page_query_count_does_not_grow(
    client, case_worker, municipality, unit, resident, moderator, django_assert_max_num_queries
):
    consultation = make_consultation(case_worker, municipality, unit, sections=2)
    services.document_add(
        actor=case_worker, consultation=consultation, checked=pdf_file(), title="Kart", note="La til kart."
    )
    send_input(resident, consultation)
    with django_assert_max_num_queries(20) as few:
        assert detail(client, consultation).status_code == 200
    for number in range(3, 9):
        services.section_save(
            actor=case_worker,
            consultation=consultation,
            data={"number": str(number), "heading": f"Del {number}", "body": "Tekst."},
            note="Ny del.",
        )
        services.document_add(
            actor=case_worker, consultation=consultation, checked=pdf_file(), title=f"Kart {number}", note="Kart."
        )
    for section in consultation.sections.all():
        services.submission_save(
            actor=resident,
            consultation=consultation,
            key=uuid.uuid4(),
            data={"author_name": "Kari", "text": "Kommentar."},
            section=section,
            send=True,
        )
    for _number in range(5):
        with_attachment(resident, consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert detail(client, consultation).status_code == 200


# --- Public input -----------------------------------------------------------------------------------------------


def submissions_page(client, consultation, **params):
    return client.get(reverse("consultations:submissions", args=[consultation.pk]), params)


def test_the_input_list_shows_numbers_names_as_chosen_and_hides_hidden_text(
    client, open_consultation, resident, moderator
):
    send_input(resident, open_consultation, text="Anonymt innspill.", author_name="Skjult Navnesen")
    send_input(resident, open_consultation, text="Med navn.", author_name="Synlig Navnesen", show_name=True)
    send_input(
        resident,
        open_consultation,
        text="Fra laget.",
        author_name="Leder Ledersen",
        sender_kind=Submission.SenderKind.ORGANISATION,
        organisation_name="Holmen vel",
        organisation_role="Leder",
    )
    bad = send_input(resident, open_consultation, text="Krenkende tekst om naboen")
    services.submission_hide(actor=moderator, submission=bad, reason="Personopplysninger om andre")
    response = submissions_page(client, open_consultation)
    assert response.status_code == 200
    content = response.content.decode()
    document = parse(response.content)
    articles = document.find_all("article", class_="submission")
    assert [a.attrs["id"] for a in articles] == ["input-1", "input-2", "input-3", "input-4"]
    assert "Skjult Navnesen" not in content and "Name not shown" in articles[0].text
    assert "Synlig Navnesen" in articles[1].text
    assert "Holmen vel" in articles[2].text and "Leder Ledersen" not in content
    assert "Krenkende tekst om naboen" not in content
    assert "Hidden by a moderator: Personopplysninger om andre" in articles[3].text


def test_the_input_list_filters_by_section(client, open_consultation, resident):
    sections = list(open_consultation.sections.order_by("order"))
    send_input(resident, open_consultation, text="Generelt.")
    services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        data={"author_name": "Kari", "text": "Om byggehøyder."},
        section=sections[1],
        send=True,
    )
    response = submissions_page(client, open_consultation, section=sections[1].pk)
    content = response.content.decode()
    assert "Om byggehøyder." in content and "Generelt." not in content
    selected = parse(response.content).find("select", name="section").find("option", selected="")
    assert selected.attrs["value"] == str(sections[1].pk)


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "1.5", "<script>"])
def test_a_bad_section_shows_all_input_with_a_notice(client, open_consultation, resident, value):
    send_input(resident, open_consultation, text="Generelt.")
    response = submissions_page(client, open_consultation, section=value)
    assert response.status_code == 200
    assert "Generelt." in response.content.decode()
    assert "not part of this consultation" in response.content.decode()


def test_another_consultations_section_is_refused(client, open_consultation, case_worker, municipality, unit):
    other = make_consultation(case_worker, municipality, unit, title="Annen")
    response = submissions_page(client, open_consultation, section=other.sections.first().pk)
    assert "not part of this consultation" in response.content.decode()


def test_the_input_list_is_paginated(client, open_consultation, resident, settings):
    settings.TINGET_CONSULTATION_PAGE_SIZE = 2
    for number in range(5):
        send_input(resident, open_consultation, text=f"Innspill nummer {number}.")
    first = parse(submissions_page(client, open_consultation).content)
    assert len(first.find_all("article", class_="submission")) == 2
    third = parse(submissions_page(client, open_consultation, side=3).content)
    assert [a.attrs["id"] for a in third.find_all("article", class_="submission")] == ["input-5"]
    assert submissions_page(client, open_consultation, side="x" * 300).status_code == 200


def test_the_empty_input_list_says_what_to_do(client, open_consultation):
    assert "No input yet" in submissions_page(client, open_consultation).content.decode()


def test_attachments_are_links_unless_hidden(client, open_consultation, resident, moderator):
    shown = with_attachment(resident, open_consultation, name="Vedlegg til innspill.pdf")
    hidden = with_attachment(resident, open_consultation, name="Skjult vedlegg.pdf")
    services.submission_hide(actor=moderator, submission=hidden, reason="Brudd på reglene")
    content = submissions_page(client, open_consultation).content.decode()
    first = shown.attachments.get()
    assert reverse("consultations:attachment", args=[open_consultation.pk, 1, first.pk]) in content
    assert "Vedlegg til innspill.pdf" in content
    assert "Skjult vedlegg.pdf" not in content
    assert (
        reverse("consultations:attachment", args=[open_consultation.pk, 2, hidden.attachments.get().pk]) not in content
    )


def test_the_input_list_query_count_does_not_grow(client, open_consultation, resident, django_assert_max_num_queries):
    with_attachment(resident, open_consultation)
    with django_assert_max_num_queries(12) as few:
        assert submissions_page(client, open_consultation).status_code == 200
    for _number in range(10):
        with_attachment(resident, open_consultation)
        send_input(resident, open_consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert submissions_page(client, open_consultation).status_code == 200


def test_one_input_with_its_answers_and_the_response(client, open_consultation, resident, case_worker):
    option = Option.objects.filter(question__consultation=open_consultation).order_by("order").first()
    sent = answer(resident, open_consultation, option=option, scale=5, text="Mer parkering.", body="Hovedteksten.")
    pass_deadline(open_consultation)
    services.submission_consider(actor=case_worker, submission=sent, response="Takk, vi ser på parkeringen.")
    response = client.get(reverse("consultations:submission", args=[open_consultation.pk, sent.number]))
    assert response.status_code == 200
    document = parse(response.content)
    answers = document.find("dl", class_="submission__answers").text
    assert "Ved stasjonen" in answers and "5 of 5 (Svært bra)" in answers and "Mer parkering." in answers
    assert "Hovedteksten." in document.text
    assert "Takk, vi ser på parkeringen." in document.find("section", class_="submission__response").text
    assert "Ola" not in document.find("dl", class_="consultation__facts").text


def test_one_hidden_input_shows_only_the_reason(client, open_consultation, resident, moderator):
    option = Option.objects.filter(question__consultation=open_consultation).first()
    sent = answer(resident, open_consultation, option=option, text="Naboen min er en idiot", body="Stygg tekst")
    with_file = services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=sent.key,
        data={},
        send=True,
    )
    services.submission_hide(actor=moderator, submission=with_file, reason="Personangrep")
    content = client.get(reverse("consultations:submission", args=[open_consultation.pk, sent.number])).content.decode()
    assert "Hidden by a moderator:" in content and "Personangrep" in content
    assert "Stygg tekst" not in content and "Naboen min er en idiot" not in content


def test_missing_or_draft_input_is_not_found(client, open_consultation, resident):
    draft_input = send_input(resident, open_consultation, send=False)
    assert draft_input.number is None
    url = reverse("consultations:submission", args=[open_consultation.pk, 1])
    assert client.get(url).status_code == 404
    assert client.get(reverse("consultations:submission", args=[open_consultation.pk, 0])).status_code == 404


# --- Files -----------------------------------------------------------------------------------------------------


@pytest.fixture
def with_document(draft, case_worker):
    services.document_add(
        actor=case_worker, consultation=draft, checked=pdf_file("plan.pdf"), title="Plankart for Holmen / «sentrum»"
    )
    return draft


def document_url(consultation):
    return reverse("consultations:document", args=[consultation.pk, consultation.documents.get().pk])


def test_a_published_document_is_served_with_safe_headers(client, with_document, case_worker):
    consultation = services.consultation_publish(actor=case_worker, consultation=with_document)
    response = client.get(document_url(consultation))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "plankart-for-holmen-sentrum.pdf" in disposition
    assert "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_a_drafts_document_only_for_its_unit(client, resident_client, staff_client, other_client, with_document):
    url = document_url(with_document)
    assert client.get(url).status_code == 404
    assert resident_client.get(url).status_code == 404
    assert other_client.get(url).status_code == 404
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_document_of_another_consultation_is_not_found(client, with_document, case_worker, municipality, unit):
    services.consultation_publish(actor=case_worker, consultation=with_document)
    other = make_consultation(case_worker, municipality, unit, title="Annen")
    url = reverse("consultations:document", args=[other.pk, with_document.documents.get().pk])
    assert client.get(url).status_code == 404


def test_a_document_whose_file_is_gone_is_not_found(client, with_document, case_worker):
    consultation = services.consultation_publish(actor=case_worker, consultation=with_document)
    stored = consultation.documents.get()
    stored.file.storage.delete(stored.file.name)
    assert client.get(document_url(consultation)).status_code == 404


def attachment_url(submission):
    return reverse(
        "consultations:attachment",
        args=[submission.consultation_id, submission.number, submission.attachments.get().pk],
    )


def test_an_attachment_to_public_input_is_served(client, open_consultation, resident):
    sent = with_attachment(resident, open_consultation, name='../../"etc passwd"\r\n.pdf')
    response = client.get(attachment_url(sent))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert ".." not in disposition and "/" not in disposition
    assert disposition.endswith('.pdf"')


def test_an_attachment_to_hidden_input_only_for_staff_who_may_see_it(
    client, resident_client, staff_client, moderator_client, other_client, open_consultation, resident, moderator
):
    sent = with_attachment(resident, open_consultation)
    services.submission_hide(actor=moderator, submission=sent, reason="Brudd på reglene")
    url = attachment_url(sent)
    assert client.get(url).status_code == 404
    assert resident_client.get(url).status_code == 404  # its own sender too: the public page never serves it
    assert other_client.get(url).status_code == 404
    for allowed in (staff_client, moderator_client):
        response = allowed.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_an_attachment_under_the_wrong_address_is_not_found(client, open_consultation, resident, case_worker, unit):
    sent = with_attachment(resident, open_consultation)
    stored = sent.attachments.get()
    other = make_consultation(case_worker, open_consultation.municipality, unit, title="Annen")
    for args in (
        [open_consultation.pk, 2, stored.pk],
        [other.pk, 1, stored.pk],
        [open_consultation.pk, 1, stored.pk + 1],
    ):
        assert client.get(reverse("consultations:attachment", args=args)).status_code == 404


def test_a_draft_inputs_attachment_is_never_public(client, open_consultation, resident):
    draft_input = services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        data={"author_name": "Kari", "text": "Utkast."},
        new_files=[pdf_file()],
        send=False,
    )
    stored = draft_input.attachments.get()
    for number in (0, 1):
        url = reverse("consultations:attachment", args=[open_consultation.pk, number, stored.pk])
        assert client.get(url).status_code == 404


def test_files_answer_get_and_head_only(client, open_consultation, resident):
    url = attachment_url(with_attachment(resident, open_consultation))
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


# --- Versions --------------------------------------------------------------------------------------------------


@pytest.fixture
def changed(open_consultation, case_worker):
    _first, second = list(open_consultation.sections.order_by("order"))
    services.section_save(
        actor=case_worker,
        consultation=open_consultation,
        section=second,
        data={"body": "Nye bygg kan bli inntil fire etasjer."},
        note="Senket høyden til fire etasjer.",
    )
    services.section_save(
        actor=case_worker,
        consultation=open_consultation,
        data={"number": "3", "heading": "Trafikk", "body": "Ny rundkjøring."},
        note="La til en del om trafikk.",
    )
    open_consultation.refresh_from_db()
    return open_consultation


def test_the_versions_list(client, changed):
    response = client.get(reverse("consultations:versions", args=[changed.pk]))
    assert response.status_code == 200
    document = parse(response.content)
    items = document.find_all("li", class_="version-list__item")
    assert [i.find("h2").text.split(" Current")[0] for i in items] == ["Version 3", "Version 2", "Version 1"]
    assert "Current" in items[0].text
    assert "La til en del om trafikk." in items[0].text and "Senket høyden" in items[1].text
    assert "Published." in items[2].text


def test_one_version_shows_the_text_as_it_was_and_what_changed(client, changed):
    second = changed.sections.order_by("order")[1]
    response = client.get(reverse("consultations:version", args=[changed.pk, 2]))
    assert response.status_code == 200
    document = parse(response.content)
    section = document.by_id(f"version-section-{second.pk}")
    assert "fire etasjer" in section.text and "Changed in this version" in section.text
    assert "Trafikk" not in document.find("article").text  # added in version 3
    first = document.by_id(f"version-section-{changed.sections.order_by('order')[0].pk}")
    assert "Changed in this version" not in first.text
    original = parse(client.get(reverse("consultations:version", args=[changed.pk, 1])).content)
    assert "fem etasjer" in original.text and "What changed" not in original.text
    third = parse(client.get(reverse("consultations:version", args=[changed.pk, 3])).content)
    assert "New in this version" in third.text and "New section:" in third.text


def test_a_missing_version_is_not_found(client, changed, draft):
    for number in (0, 4, 99999999999):
        assert client.get(reverse("consultations:version", args=[changed.pk, number])).status_code == 404


def test_compare_marks_removed_sections_and_fields():
    old = {"title": "A", "sections": [{"id": 1, "heading": "En", "body": "x"}, {"id": 2, "heading": "To", "body": "y"}]}
    new = {"title": "B", "sections": [{"id": 1, "heading": "En", "body": "x"}]}
    with translation.override("en"):
        diff = public.compare(new, old)
    assert [s["change"] for s in diff["sections"]] == [""]
    assert [s["id"] for s in diff["removed"]] == [2]
    assert diff["changed_fields"] == ["Title"]
    assert public.compare({}, None)["sections"] == []


# --- The page cache for visitors who are not logged in --------------------------------------------------------


@pytest.fixture
def page_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "layout": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "consultations-test"},
    }
    settings.TINGET_CONSULTATION_PAGE_CACHE_SECONDS = 30
    from django.core.cache import caches

    caches["layout"].clear()
    yield caches["layout"]
    caches["layout"].clear()


def cached_pages(cache):
    """The whole pages in the layout cache (it holds the layout's pieces too)."""
    return [key for key in cache._cache if "consultations:page:" in key]


def test_the_anonymous_page_is_served_from_the_cache(client, open_consultation, page_cache, django_assert_num_queries):
    first = detail(client, open_consultation)
    assert first.status_code == 200
    assert len(cached_pages(page_cache)) == 1
    with django_assert_num_queries(0):
        again = detail(client, open_consultation)
    assert again.content == first.content


def test_a_logged_in_view_never_reaches_the_anonymous_cache(
    client, resident_client, open_consultation, resident, page_cache
):
    detail(resident_client, open_consultation)
    assert cached_pages(page_cache) == []
    response = detail(resident_client, open_consultation)
    assert "Log in to follow" not in response.content.decode()


def test_a_query_string_skips_the_cache(client, open_consultation, page_cache):
    client.get(reverse("consultations:detail", args=[open_consultation.pk]), {"x": "1"})
    assert cached_pages(page_cache) == []


def test_a_missing_or_draft_page_is_never_cached(client, staff_client, draft, page_cache):
    assert detail(client, draft).status_code == 404
    assert detail(staff_client, draft).status_code == 200
    assert cached_pages(page_cache) == []


def test_the_public_results_leave_hidden_input_out(open_consultation, resident, moderator):
    from tinget.consultations import selectors

    options = list(Option.objects.filter(question__consultation=open_consultation).order_by("order"))
    answer(resident, open_consultation, option=options[0], scale=1, text="Tekst.")
    answer(resident, open_consultation, option=options[2], scale=5)
    hidden = answer(resident, open_consultation, option=options[1], scale=3, text="Skjult.")
    services.submission_hide(actor=moderator, submission=hidden, reason="Brudd")
    public = selectors.question_results(open_consultation, include_hidden=False)
    assert [r["total"] for r in public] == [2, 2, 1]
    assert [row["count"] for row in public[0]["rows"]] == [1, 0, 1]
    assert [r["total"] for r in selectors.question_results(open_consultation)] == [3, 3, 2]


def test_the_section_counts_leave_hidden_input_out(open_consultation, resident, moderator):
    from tinget.consultations import selectors

    section = open_consultation.sections.order_by("order").first()
    for text in ("En.", "To."):
        sent = services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            data={"author_name": "Kari", "text": text},
            section=section,
            send=True,
        )
    services.submission_hide(actor=moderator, submission=sent, reason="Brudd")
    send_input(resident, open_consultation)
    sections, total = selectors.public_sections(open_consultation)
    assert [s.public_comment_count for s in sections] == [1, 0]
    assert total == 3


# --- The shared chart component --------------------------------------------------------------------------------


def test_the_chart_component_draws_bars_and_a_table_for_any_module():
    from django.template.loader import render_to_string

    rows = [
        {"label": "Ja", "count": 2, "percent": 66.7},
        {"label": "Nei <b>", "count": 1, "percent": 33.3},
    ]
    with translation.override("en"):
        html = render_to_string("core/components/chart.html", {"title": "Enig?", "rows": rows, "id": "poll-1"})
    document = parse(html)
    figure = document.find("figure", class_="chart")
    caption = document.by_id(figure.attrs["aria-labelledby"])
    assert caption.tag == "figcaption" and "Enig?" in caption.text and "answers" not in caption.text
    assert [s.attrs["class"] for s in figure.find_all("span", class_="chart__fill")] == [
        "chart__fill chart__fill--67",
        "chart__fill chart__fill--33",
    ]
    table = figure.find("table")
    assert table.find("caption").text == "Enig?"
    assert [[c.text for c in r.children] for r in table.find("tbody").find_all("tr")] == [
        ["Ja", "2", "67 %"],
        ["Nei <b>", "1", "33 %"],
    ]
    assert "<b>" not in html and "style=" not in html
    assert table.find("tfoot") is None
