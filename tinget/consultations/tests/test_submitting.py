"""The resident's input over HTTP: who gets in (any login, no residency), the form and what it says, sending and
saving drafts, every kind of bad input from the issue (after the deadline, also a form opened before it; empty and
oversized text; a comment on a section that does not exist; two clicks on send; script in every text field;
someone else's draft), late input allowed by staff, requests too large for Django to read, the receipt and
throwing a draft away."""

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from conftest import CommittingClient
from tinget.consultations import services
from tinget.consultations.models import Consultation, Question, Submission
from tinget.core.tests.html import parse

from .conftest import BJORN, consultation_data, idporten_client, pass_deadline, send_input

pytestmark = pytest.mark.django_db

PLAIN = "Write plain text: remove the HTML tags"


@pytest.fixture(autouse=True)
def _english():
    """Pages in English, so the assertions read the msgids whatever the Norwegian catalogues say."""
    translation.activate("en")
    yield
    translation.deactivate()


# --- Helpers ---------------------------------------------------------------------------------------------------
def form_url(consultation, **query):
    url = reverse("consultations:give_input", kwargs={"pk": consultation.pk})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def receipt_url(submission):
    return reverse("consultations:receipt", kwargs={"pk": submission.consultation_id, "key": submission.key})


def form_data(action="send", **changes):
    data = {
        "key": str(uuid.uuid4()),
        "action": action,
        "sender_kind": "person",
        "author_name": "Kari Nordmann",
        "text": "Torget bør ligge ved stasjonen, der folk går forbi.",
        "show_name": "yes",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def questions(consultation):
    return {q.kind: q for q in consultation.questions.all()}


def error_summary(response) -> str:
    summary = parse(response.content).find(id="error-summary")
    return summary.text if summary else ""


def summary_links(response) -> list[str]:
    summary = parse(response.content).find(id="error-summary")
    return [a.attrs["href"] for a in summary.find_all("a")] if summary else []


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


def assert_login_redirect(response, next_path):
    assert response.status_code == 302
    parts = urlsplit(response.url)
    assert parts.path == reverse("account_login")
    assert parse_qs(parts.query)["next"] == [next_path]


@pytest.fixture
def bjorn_client(person):
    return idporten_client(person(*BJORN))


# --- Who gets in -----------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_log_in_and_back(client, open_consultation):
    section = open_consultation.sections.first()
    url = form_url(open_consultation, section=section.pk)
    assert_login_redirect(client.get(url), url)
    assert_login_redirect(client.post(form_url(open_consultation), form_data()), form_url(open_consultation))
    assert not Submission.objects.exists()


def test_an_email_login_is_enough(resident_client, open_consultation):
    response = resident_client.get(form_url(open_consultation))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert field_value(response, "author_name") == "Kari"


def test_idporten_name_is_prefilled_and_residency_not_asked(person, open_consultation):
    outsider = person("30416441207", "Eva", "Utenbys", "0150", resident=False)
    response = idporten_client(outsider).get(form_url(open_consultation))
    assert response.status_code == 200
    assert field_value(response, "author_name") == "Eva Utenbys"


def test_a_draft_or_missing_consultation_is_404(resident_client, case_worker, municipality, unit):
    draft = services.consultation_create(actor=case_worker, municipality=municipality, data=consultation_data(unit))
    assert resident_client.get(form_url(draft)).status_code == 404
    assert resident_client.post(form_url(draft), form_data()).status_code == 404
    assert resident_client.get(reverse("consultations:give_input", kwargs={"pk": 99999})).status_code == 404


def test_the_csrf_check_still_runs(csrf_client, resident, open_consultation):
    csrf_client.force_login(resident)
    assert csrf_client.post(form_url(open_consultation), form_data()).status_code == 403
    assert not Submission.objects.exists()


# --- The form --------------------------------------------------------------------------------------------------
def test_the_form_says_what_it_takes(resident_client, open_consultation, settings):
    response = resident_client.get(form_url(open_consultation))
    document = parse(response.content)
    form = document.find("form", enctype="multipart/form-data")
    assert form is not None and "novalidate" in form.attrs
    key = document.find("input", name="key")
    assert key.attrs["type"] == "hidden" and uuid.UUID(key.attrs["value"])
    # Every visible input has a label, or is a radio/checkbox in a fieldset with a legend.
    for element in form.find_all("input") + form.find_all("textarea"):
        if element.attrs.get("type") in ("hidden", "submit"):
            continue
        assert document.find("label", for_=element.attrs["id"]) is not None, element.attrs
        if element.attrs.get("type") in ("radio", "checkbox"):
            fieldset = next(a for a in element.ancestors() if a.tag == "fieldset")
            assert fieldset.find("legend").text
    assert "20 000" in document.by_id("id_text_hint").text
    hint = document.by_id("id_attachments_hint").text
    assert "Up to 5 files" in hint and "PDF" in hint and ".docx" in hint and "25 MB" in hint
    assert document.find("input", name="attachments").attrs.get("multiple") is not None
    # One fieldset per structured question; the scale with its ends.
    q = questions(open_consultation)
    legends = [legend.text for legend in form.find_all("legend")]
    assert any(q[Question.Kind.CHOICE].text in legend for legend in legends)
    assert any(q[Question.Kind.SCALE].text in legend for legend in legends)
    assert len(form.find_all("input", name=f"question_{q[Question.Kind.SCALE].pk}")) == 5
    assert "1 (Svært dårlig)" in form.text and "5 (Svært bra)" in form.text
    assert form.find("textarea", name=f"question_{q[Question.Kind.TEXT].pk}") is not None
    # The notice comes before the choice about the name, and both before the buttons.
    text = form.text
    assert text.index("offentleglova") < text.index("Do you want your name shown") < text.index("Send input")
    assert "the site always shows the organisation's name" in text
    buttons = {b.attrs["value"]: b.text for b in form.find_all("button")}
    assert buttons == {"send": "Send input", "save": "Save draft"}


def test_a_comment_on_a_section_shows_it_and_only_the_text(resident_client, open_consultation):
    section = open_consultation.sections.order_by("order").last()
    response = resident_client.get(form_url(open_consultation, section=section.pk))
    assert response.status_code == 200
    document = parse(response.content)
    assert section.heading in document.by_id("commented-section-heading").text
    assert section.body in response.content.decode()
    assert document.find("input", name="attachments") is None
    assert not [i for i in document.find_all("input") if i.attrs.get("name", "").startswith("question_")]
    assert "4 000" in document.by_id("id_text_hint").text
    assert document.find("label", for_="id_text").text.startswith("Your comment on this section")
    assert document.find("input", name="show_name") is not None
    assert document.find("input", name="organisation_name") is not None


@pytest.mark.parametrize("section", ["99999", "abc", "other"])
def test_a_section_that_is_not_this_consultations_is_404(resident_client, open_consultation, case_worker, section):
    if section == "other":
        other = services.consultation_create(
            actor=case_worker,
            municipality=open_consultation.municipality,
            data=consultation_data(open_consultation.unit),
        )
        section = services.section_save(
            actor=case_worker, consultation=other, data={"heading": "Annen", "body": "Tekst"}
        ).pk
    assert resident_client.get(form_url(open_consultation, section=section)).status_code == 404


# --- Sending ---------------------------------------------------------------------------------------------------
def test_sending_input_with_answers(resident_client, resident, open_consultation):
    q = questions(open_consultation)
    option = q[Question.Kind.CHOICE].options.order_by("order").first()
    response = resident_client.post(
        form_url(open_consultation),
        form_data(
            **{
                f"question_{q[Question.Kind.CHOICE].pk}": str(option.pk),
                f"question_{q[Question.Kind.SCALE].pk}": "4",
                f"question_{q[Question.Kind.TEXT].pk}": "Flere sykkelparkeringer.",
            }
        ),
    )
    submission = Submission.objects.get()
    assert response.status_code == 303 and response.url == receipt_url(submission)
    assert submission.is_sent and submission.number == 1 and submission.author == resident
    assert submission.author_name == "Kari Nordmann" and submission.show_name and not submission.late
    assert submission.language == "en" and submission.version == open_consultation.version
    answers = {a.question.kind: a for a in submission.answers.all()}
    assert answers[Question.Kind.CHOICE].option == option
    assert answers[Question.Kind.SCALE].scale_value == 4
    assert answers[Question.Kind.TEXT].text == "Flere sykkelparkeringer."


def test_answers_alone_are_enough(resident_client, open_consultation):
    q = questions(open_consultation)
    response = resident_client.post(
        form_url(open_consultation), form_data(text="", **{f"question_{q[Question.Kind.SCALE].pk}": "2"})
    )
    assert response.status_code == 303
    assert Submission.objects.get().text == ""


def test_on_behalf_of_an_organisation(resident_client, open_consultation):
    missing = resident_client.post(form_url(open_consultation), form_data(sender_kind="organisation"))
    assert missing.status_code == 400
    summary = error_summary(missing)
    assert "Write the name of the organisation" in summary and "Write your role in the organisation" in summary
    assert set(summary_links(missing)) == {"#id_organisation_name", "#id_organisation_role"}
    assert field_value(missing, "text") == form_data()["text"]

    response = resident_client.post(
        form_url(open_consultation),
        form_data(
            sender_kind="organisation", organisation_name="Holmen vel", organisation_role="Leder", show_name="no"
        ),
    )
    assert response.status_code == 303
    submission = Submission.objects.get()
    assert submission.public_name == "Holmen vel" and submission.organisation_role == "Leder"


def test_organisation_fields_are_dropped_for_a_person(resident_client, open_consultation):
    resident_client.post(form_url(open_consultation), form_data(organisation_name="Holmen vel"))
    assert Submission.objects.get().organisation_name == ""


def test_the_choice_about_the_name_is_required_to_send(resident_client, open_consultation):
    response = resident_client.post(form_url(open_consultation), form_data(show_name=None))
    assert response.status_code == 400
    assert "Choose whether your name is shown on the site." in error_summary(response)
    assert summary_links(response) == ["#id_show_name_0"]
    assert field_value(response, "text") == form_data()["text"]
    assert not Submission.objects.exists()


def test_a_name_is_required_to_send(resident_client, open_consultation):
    response = resident_client.post(form_url(open_consultation), form_data(author_name="  "))
    assert response.status_code == 400
    assert "Write your name." in error_summary(response)
    assert summary_links(response) == ["#id_author_name"]


def test_two_clicks_on_send_make_one_submission_and_one_email(resident_client, open_consultation):
    data = form_data()
    first = resident_client.post(form_url(open_consultation), data)
    second = resident_client.post(form_url(open_consultation), data)
    assert Submission.objects.count() == 1
    assert first.status_code == second.status_code == 303 and first.url == second.url
    assert len(mail.outbox) == 1
    # A "save" with the key of input already sent changes nothing either.
    third = resident_client.post(form_url(open_consultation), {**data, "action": "save", "text": "Endret"})
    assert third.url == first.url and Submission.objects.get().text == data["text"]


def test_two_forms_make_two_submissions(resident_client, open_consultation):
    resident_client.post(form_url(open_consultation), form_data())
    resident_client.post(form_url(open_consultation), form_data())
    assert list(Submission.objects.values_list("number", flat=True).order_by("number")) == [1, 2]


def test_a_malformed_key_gets_a_new_one(resident_client, open_consultation):
    response = resident_client.post(form_url(open_consultation), form_data(key="not-a-uuid"))
    assert response.status_code == 303
    assert Submission.objects.get().is_sent


def test_a_comment_on_a_section(resident_client, open_consultation):
    section = open_consultation.sections.first()
    q = questions(open_consultation)
    response = resident_client.post(
        form_url(open_consultation, section=section.pk),
        form_data(text="Fem etasjer er for høyt.", **{f"question_{q[Question.Kind.SCALE].pk}": "1"}),
    )
    assert response.status_code == 303
    submission = Submission.objects.get()
    assert submission.section == section and submission.text == "Fem etasjer er for høyt."
    assert not submission.answers.exists()


# --- Drafts ----------------------------------------------------------------------------------------------------
def test_saving_a_draft_and_finishing_it(resident_client, open_consultation):
    q = questions(open_consultation)
    data = form_data(action="save", show_name=None, **{f"question_{q[Question.Kind.SCALE].pk}": "3"})
    response = resident_client.post(form_url(open_consultation), data)
    draft = Submission.objects.get()
    assert not draft.is_sent and draft.number is None
    assert response.status_code == 303 and response.url == form_url(open_consultation, draft=draft.key)
    page = resident_client.get(response.url)
    assert "Your draft is saved" in messages_of(page) and "until the deadline" in messages_of(page)
    assert field_value(page, "key") == data["key"]
    assert field_value(page, "text") == data["text"]
    document = parse(page.content)
    assert (
        document.find("input", name=f"question_{q[Question.Kind.SCALE].pk}", value="3").attrs.get("checked") is not None
    )
    assert not mail.outbox

    sent = resident_client.post(response.url, {**data, "action": "send", "show_name": "no"})
    draft.refresh_from_db()
    assert sent.status_code == 303 and sent.url == receipt_url(draft)
    assert draft.is_sent and draft.number == 1 and not draft.show_name
    assert Submission.objects.count() == 1
    # The draft's address now leads to the receipt.
    assert resident_client.get(form_url(open_consultation, draft=draft.key)).url == receipt_url(draft)


def test_a_draft_needs_neither_name_nor_text(resident_client, open_consultation):
    response = resident_client.post(
        form_url(open_consultation), form_data(action="save", author_name="", text="", show_name=None)
    )
    assert response.status_code == 303
    assert Submission.objects.get().status == Submission.Status.DRAFT


def test_a_comment_draft_keeps_its_section(resident_client, open_consultation):
    section = open_consultation.sections.last()
    response = resident_client.post(form_url(open_consultation, section=section.pk), form_data(action="save"))
    draft = Submission.objects.get()
    assert draft.section == section
    page = resident_client.get(response.url)
    assert section.heading in parse(page.content).by_id("commented-section-heading").text
    resident_client.post(response.url, form_data(key=str(draft.key)))
    draft.refresh_from_db()
    assert draft.is_sent and draft.section == section


def test_someone_elses_draft_is_404(resident, bjorn_client, open_consultation):
    draft = send_input(resident, open_consultation, send=False, text="Mitt utkast")
    assert bjorn_client.get(form_url(open_consultation, draft=draft.key)).status_code == 404
    response = bjorn_client.post(form_url(open_consultation), form_data(key=str(draft.key), text="Overtatt"))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.text == "Mitt utkast" and not draft.is_sent
    # Someone else's sent input by its key: the same.
    sent = send_input(resident, open_consultation)
    assert bjorn_client.get(form_url(open_consultation, draft=sent.key)).status_code == 404
    assert bjorn_client.get(receipt_url(sent)).status_code == 404


def test_a_draft_key_for_another_consultation_or_garbage_is_404(resident, resident_client, open_consultation):
    draft = send_input(resident, open_consultation, send=False)
    other = Consultation.objects.create(
        **{k: v for k, v in consultation_data(open_consultation.unit).items()},
        municipality=open_consultation.municipality,
        stage="published",
    )
    assert resident_client.get(form_url(other, draft=draft.key)).status_code == 404
    assert resident_client.get(form_url(open_consultation, draft="nonsense")).status_code == 404


# --- Bad input -------------------------------------------------------------------------------------------------
def test_empty_input_is_refused(resident_client, open_consultation):
    response = resident_client.post(form_url(open_consultation), form_data(text="   "))
    assert response.status_code == 400
    assert "Write your input, answer a question or add an attachment" in error_summary(response)
    assert summary_links(response) == ["#id_text"]
    assert not Submission.objects.exists()


def test_an_empty_comment_is_refused(resident_client, open_consultation):
    section = open_consultation.sections.first()
    response = resident_client.post(form_url(open_consultation, section=section.pk), form_data(text=""))
    assert response.status_code == 400
    assert "Write your comment on this section." in error_summary(response)
    assert not Submission.objects.exists()


@pytest.mark.parametrize("comment", [False, True], ids=["input", "comment"])
def test_oversized_text_is_refused_and_kept(resident_client, open_consultation, settings, comment):
    limit = settings.TINGET_CONSULTATION_COMMENT_MAX if comment else settings.TINGET_CONSULTATION_TEXT_MAX
    query = {"section": open_consultation.sections.first().pk} if comment else {}
    too_long = "x" * (limit + 1)
    response = resident_client.post(form_url(open_consultation, **query), form_data(text=too_long))
    assert response.status_code == 400
    assert f"Write at most {limit} characters (you wrote {limit + 1})." in error_summary(response)
    assert field_value(response, "text").strip() == too_long
    assert not Submission.objects.exists()
    # Exactly at the limit is fine.
    assert resident_client.post(form_url(open_consultation, **query), form_data(text="x" * limit)).status_code == 303


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "Se <b>her</b>"])
@pytest.mark.parametrize("field", ["text", "author_name", "organisation_name", "organisation_role", "question"])
def test_script_in_any_text_field_is_refused(resident_client, open_consultation, field, text):
    data = form_data(sender_kind="organisation", organisation_name="Holmen vel", organisation_role="Leder")
    name = f"question_{questions(open_consultation)[Question.Kind.TEXT].pk}" if field == "question" else field
    data[name] = text
    response = resident_client.post(form_url(open_consultation), data)
    assert response.status_code == 400
    assert PLAIN in error_summary(response)
    assert summary_links(response) == [f"#id_{name}"]
    assert not Submission.objects.exists()
    # Plain text with < and > is fine.
    data[name] = "5 < 10 og 10 > 5"
    assert resident_client.post(form_url(open_consultation), data).status_code == 303


def test_script_in_a_comment_is_refused(resident_client, open_consultation):
    section = open_consultation.sections.first()
    response = resident_client.post(
        form_url(open_consultation, section=section.pk), form_data(text="<script>alert(1)</script>")
    )
    assert response.status_code == 400 and PLAIN in error_summary(response)
    assert field_value(response, "text").strip() == "<script>alert(1)</script>"
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("choice", "99999", "Choose one of the answers given for"),
        ("choice-other", None, "Choose one of the answers given for"),
        ("scale", "6", "Choose a value from 1 to 5 for"),
        ("scale", "x", "Choose a value from 1 to 5 for"),
        ("sender_kind", "robot", "Choose whether you send the input yourself"),
        ("show_name", "maybe", "Choose whether your name is shown"),
    ],
)
def test_a_value_that_is_not_offered_is_refused(resident_client, open_consultation, case_worker, field, value, message):
    q = questions(open_consultation)
    if field == "choice-other":
        # An option of another consultation's question.
        other = services.consultation_create(
            actor=case_worker,
            municipality=open_consultation.municipality,
            data=consultation_data(open_consultation.unit),
        )
        question = services.question_save(
            actor=case_worker, consultation=other, data={"kind": "choice", "text": "Annet"}, options=["A", "B"]
        )
        value = str(question.options.first().pk)
        field = "choice"
    name = {"choice": f"question_{q[Question.Kind.CHOICE].pk}", "scale": f"question_{q[Question.Kind.SCALE].pk}"}.get(
        field, field
    )
    response = resident_client.post(form_url(open_consultation), form_data(**{name: value}))
    assert response.status_code == 400
    assert message in error_summary(response)
    assert field_value(response, "text") == form_data()["text"]
    assert not Submission.objects.exists()


def test_a_required_question(resident_client, case_worker, municipality, unit):
    consultation = services.consultation_create(
        actor=case_worker, municipality=municipality, data=consultation_data(unit)
    )
    services.section_save(actor=case_worker, consultation=consultation, data={"heading": "Bakgrunn", "body": "Tekst"})
    question = services.question_save(
        actor=case_worker,
        consultation=consultation,
        data={"kind": Question.Kind.CHOICE, "text": "Hvilket alternativ?", "required": True},
        options=["A", "B"],
    )
    services.consultation_publish(actor=case_worker, consultation=consultation)
    page = parse(resident_client.get(form_url(consultation)).content)
    legend = next(legend for legend in page.find_all("legend") if "Hvilket alternativ?" in legend.text)
    assert "optional" not in legend.text

    response = resident_client.post(form_url(consultation), form_data())
    assert response.status_code == 400
    assert "Answer the question: Hvilket alternativ?" in error_summary(response)
    assert summary_links(response) == [f"#id_question_{question.pk}_0"]
    # A draft may leave it for later.
    assert resident_client.post(form_url(consultation), form_data(action="save")).status_code == 303


def test_a_comment_on_a_section_that_does_not_exist(resident_client, open_consultation, case_worker):
    other = services.consultation_create(
        actor=case_worker, municipality=open_consultation.municipality, data=consultation_data(open_consultation.unit)
    )
    foreign = services.section_save(actor=case_worker, consultation=other, data={"heading": "Annen", "body": "Tekst"})
    for section in (99999, foreign.pk, "abc"):
        response = resident_client.post(form_url(open_consultation, section=section), form_data(text="Min kommentar"))
        assert response.status_code == 400
        assert "That section is not part of this consultation." in error_summary(response)
        assert field_value(response, "text").strip() == "Min kommentar"
        # The form sent again goes to the consultation, not to the missing section.
        assert "section=" not in parse(response.content).find("form", enctype="multipart/form-data").attrs["action"]
    assert not Submission.objects.exists()


# --- The deadline ----------------------------------------------------------------------------------------------
def test_after_the_deadline_the_form_is_not_shown(resident_client, closed_consultation):
    response = resident_client.get(form_url(closed_consultation))
    assert response.status_code == 200
    document = parse(response.content)
    message = document.by_id("not-taking-input").text
    assert "The deadline for input was" in message
    assert services.local_moment(closed_consultation.deadline) in message
    assert document.find("textarea") is None


def test_a_form_opened_before_and_sent_after_the_deadline(resident_client, open_consultation):
    page = resident_client.get(form_url(open_consultation))
    key = field_value(page, "key")
    pass_deadline(open_consultation)
    response = resident_client.post(form_url(open_consultation), form_data(key=key, text="Sent for sent"))
    assert response.status_code == 409
    summary = error_summary(response)
    assert "The deadline for input was" in summary
    assert services.local_moment(open_consultation.deadline) in summary
    assert field_value(response, "text").strip() == "Sent for sent"
    assert not Submission.objects.sent().exists()
    assert not mail.outbox


def test_a_draft_cannot_be_finished_after_the_deadline(resident, resident_client, open_consultation):
    draft = send_input(resident, open_consultation, send=False)
    pass_deadline(open_consultation)
    page = resident_client.get(form_url(open_consultation, draft=draft.key))
    assert "The deadline for input was" in parse(page.content).by_id("not-taking-input").text
    assert reverse("consultations:draft_discard", kwargs={"key": draft.key}) in page.content.decode()
    response = resident_client.post(form_url(open_consultation, draft=draft.key), form_data(key=str(draft.key)))
    assert response.status_code == 409
    draft.refresh_from_db()
    assert not draft.is_sent


def test_not_open_yet(resident_client, open_consultation):
    now = timezone.now()
    Consultation.objects.filter(pk=open_consultation.pk).update(
        opens_at=now + dt.timedelta(days=2), deadline=now + dt.timedelta(days=20)
    )
    open_consultation.refresh_from_db()
    response = resident_client.get(form_url(open_consultation))
    message = parse(response.content).by_id("not-taking-input").text
    assert "opens for input on" in message and services.local_moment(open_consultation.opens_at) in message
    assert resident_client.post(form_url(open_consultation), form_data()).status_code == 409
    assert not Submission.objects.exists()


def test_late_input_allowed_by_staff_is_accepted_and_marked(resident_client, closed_consultation, case_worker):
    services.set_late_input(actor=case_worker, consultation=closed_consultation, allow=True)
    page = resident_client.get(form_url(closed_consultation))
    assert page.status_code == 200
    assert "accepts late input" in page.content.decode()
    response = resident_client.post(form_url(closed_consultation), form_data())
    submission = Submission.objects.get()
    assert response.status_code == 303 and submission.is_sent and submission.late
    receipt = resident_client.get(response.url)
    assert "sent after the deadline" in receipt.content.decode()


# --- Requests too large for Django ------------------------------------------------------------------------------
@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_an_oversized_post_gets_a_clear_413(client, csrf_client, resident, open_consultation, settings, enforce_csrf):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    browser = csrf_client if enforce_csrf else client
    browser.force_login(resident)
    response = browser.post(form_url(open_consultation), form_data(text="x" * 20_000))
    assert response.status_code == 413
    assert "What you sent was too large" in parse(response.content).find("h1").text
    assert not Submission.objects.exists()


def test_too_many_files_gets_a_clear_413(resident_client, open_consultation, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"f{i}.pdf", b"%PDF-1.4\n%%EOF\n") for i in range(3)]
    response = resident_client.post(form_url(open_consultation), {**form_data(), "attachments": files})
    assert response.status_code == 413
    assert "too many files" in response.content.decode()
    assert not Submission.objects.exists()


def test_too_many_fields_gets_a_clear_413(resident_client, open_consultation, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {**form_data(), **{f"extra{i}": "x" for i in range(20)}}
    response = resident_client.post(form_url(open_consultation), data)
    assert response.status_code == 413


# --- The receipt -----------------------------------------------------------------------------------------------
def test_the_receipt(resident_client, open_consultation):
    q = questions(open_consultation)
    option = q[Question.Kind.CHOICE].options.order_by("order").last()
    response = resident_client.post(
        form_url(open_consultation),
        form_data(show_name="no", **{f"question_{q[Question.Kind.CHOICE].pk}": str(option.pk)}),
    )
    submission = Submission.objects.get()
    page = resident_client.get(response.url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    document = parse(page.content)
    assert f"Received as input 1 to “{open_consultation.title}” on {services.local_moment(submission.sent_at)}" in (
        document.by_id("receipt-number").text
    )
    assert "does not show your name" in document.by_id("receipt-name").text
    assert "kari@example.no" in document.by_id("receipt-email").text
    content = page.content.decode()
    assert form_data()["text"] in content and option.label in content and q[Question.Kind.CHOICE].text in content
    assert reverse("consultations:mine") in content
    assert submission.get_absolute_url() in content


def test_the_receipt_without_a_working_email(person, open_consultation):
    astrid = person(email="abc@idporten.invalid")
    client = idporten_client(astrid)
    response = client.post(form_url(open_consultation), form_data())
    page = client.get(response.url)
    assert "no receipt was e-mailed" in parse(page.content).by_id("receipt-email").text
    assert not mail.outbox


def test_the_receipt_is_for_its_sender_only(client, resident, bjorn_client, open_consultation):
    sent = send_input(resident, open_consultation)
    assert bjorn_client.get(receipt_url(sent)).status_code == 404
    assert_login_redirect(client.get(receipt_url(sent)), receipt_url(sent))
    client.force_login(resident)
    wrong = reverse("consultations:receipt", kwargs={"pk": sent.consultation_id + 1, "key": sent.key})
    assert client.get(wrong).status_code == 404
    assert (
        client.get(
            reverse("consultations:receipt", kwargs={"pk": sent.consultation_id, "key": uuid.uuid4()})
        ).status_code
        == 404
    )


def test_the_receipt_of_a_draft_leads_to_the_form(resident, resident_client, open_consultation):
    draft = send_input(resident, open_consultation, send=False)
    response = resident_client.get(receipt_url(draft))
    assert response.status_code == 302 and response.url == form_url(open_consultation, draft=draft.key)


# --- Throwing a draft away -------------------------------------------------------------------------------------
def discard_url(submission):
    return reverse("consultations:draft_discard", kwargs={"key": submission.key})


def test_discarding_a_draft(resident, resident_client, open_consultation):
    draft = send_input(resident, open_consultation, send=False, text="Kladd")
    page = resident_client.get(discard_url(draft))
    assert page.status_code == 200
    form = parse(page.content).find("form", action=discard_url(draft))
    assert form.find("button").text == "Delete the draft"
    response = resident_client.post(discard_url(draft))
    assert response.status_code == 303 and response.url == reverse("consultations:mine")
    assert not Submission.objects.exists()
    # A second click: nothing to do, said kindly.
    again = resident_client.post(discard_url(draft), follow=True)
    assert "already deleted" in messages_of(again)
    assert resident_client.get(discard_url(draft)).status_code == 404


def test_discarding_is_for_the_author_and_drafts_only(resident, resident_client, bjorn_client, open_consultation):
    draft = send_input(resident, open_consultation, send=False)
    assert bjorn_client.get(discard_url(draft)).status_code == 404
    bjorn_client.post(discard_url(draft))
    assert Submission.objects.filter(pk=draft.pk).exists()
    assert_login_redirect(CommittingClient().get(discard_url(draft)), discard_url(draft))

    sent = send_input(resident, open_consultation)
    assert resident_client.get(discard_url(sent)).url == receipt_url(sent)
    response = resident_client.post(discard_url(sent))
    assert response.url == receipt_url(sent)
    assert Submission.objects.filter(pk=sent.pk).exists()


def test_a_malformed_multipart_body_is_a_400(resident_client, open_consultation):
    response = resident_client.post(form_url(open_consultation), data=b"garbage", content_type="multipart/form-data")
    assert response.status_code == 400
    assert not Submission.objects.exists()
