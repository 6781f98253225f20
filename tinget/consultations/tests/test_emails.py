"""The e-mails consultations send: the receipt with a copy of what was sent (once per submission, in the sender's
language, never to an address that cannot receive mail), the word that input was hidden, and the outcome."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tinget.consultations import emails, services
from tinget.consultations.models import Question
from tinget.core.notify import services as notify

from .conftest import idporten_client, pass_deadline, send_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_resident(resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    return resident


def send_with_answers(actor, consultation, **data):
    q = {question.kind: question for question in consultation.questions.prefetch_related("options")}
    option = q[Question.Kind.CHOICE].options.order_by("order").first()
    answers = {
        q[Question.Kind.CHOICE].pk: option,
        q[Question.Kind.SCALE].pk: 4,
        q[Question.Kind.TEXT].pk: "Sykkelparkering.",
    }
    fields = {"author_name": "Kari Nordmann", "text": "Torget bør ligge ved stasjonen.", **data}
    return services.submission_save(
        actor=actor, consultation=consultation, key=uuid.uuid4(), data=fields, answers=answers, send=True
    )


def test_the_receipt_reads_well_in_english(english_resident, open_consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = send_with_answers(english_resident, open_consultation, show_name=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kari@example.no"]
    assert message.subject == f"Receipt: your input to {open_consultation.title}"
    body = message.body
    assert f'Thank you for your input to the consultation "{open_consultation.title}".' in body
    with translation.override("en"):
        when = services.local_moment(submission.sent_at)
        public = submission.get_absolute_url()
        mine = reverse("consultations:mine")
    assert f"It was received as input 1 on {when}." in body
    assert "offentleglova" in body and "You chose to show your name on the site." in body
    assert "Sent by: Kari Nordmann\n" in body
    assert "Torget bør ligge ved stasjonen." in body
    assert "Hvor bør torget ligge?\n  Ved stasjonen" in body
    assert "Hva synes du om fem etasjer?\n  4 of 5" in body
    assert "Hva mangler i planen?\n  Sykkelparkering." in body
    assert public in body and public.startswith("/en/")
    assert mine in body
    assert "{%" not in body and "&quot;" not in body and "&#x27;" not in body


def test_the_receipt_in_norwegian(resident, open_consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = send_input(resident, open_consultation, text="Planen er bra & riktig.")
    body = mail.outbox[0].body
    assert "Planen er bra & riktig." in body
    with translation.override("nb"):
        assert services.local_moment(submission.sent_at) in body
        assert submission.get_absolute_url() in body


def test_the_receipt_for_an_organisation_and_a_comment(
    english_resident, open_consultation, django_capture_on_commit_callbacks
):
    section = open_consultation.sections.order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_save(
            actor=english_resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            section=section,
            data={
                "author_name": "Kari Nordmann",
                "sender_kind": "organisation",
                "organisation_name": "Holmen vel",
                "organisation_role": "Leder",
                "text": "Vi støtter planen.",
            },
            send=True,
        )
    body = mail.outbox[0].body
    assert 'The site shows the organisation\'s name, "Holmen vel", as the sender.' in body
    assert "Sent by: Kari Nordmann, Leder, Holmen vel" in body
    assert f"Comment on section: {section}" in body
    assert "You chose" not in body


def test_the_receipt_when_the_name_is_not_shown_and_with_attachments(
    english_resident, open_consultation, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinget.consultations.attachments import check_file

    pdf = check_file(SimpleUploadedFile("notat.pdf", b"%PDF-1.4\nx\n%%EOF\n"))
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_save(
            actor=english_resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            data={"author_name": "Kari", "text": "Se vedlegg."},
            new_files=[pdf],
            send=True,
        )
    body = mail.outbox[0].body
    assert "You chose not to show your name on the site." in body
    assert "Attachments:\n  - notat.pdf" in body
    for attachment in submission.attachments.all():
        attachment.file.storage.delete(attachment.file.name)


def test_late_input_says_so(english_resident, closed_consultation, case_worker, django_capture_on_commit_callbacks):
    services.set_late_input(actor=case_worker, consultation=closed_consultation, allow=True)
    with django_capture_on_commit_callbacks(execute=True):
        send_input(english_resident, closed_consultation)
    assert "sent after the deadline" in mail.outbox[0].body


def test_one_receipt_per_submission(resident, open_consultation, django_capture_on_commit_callbacks):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        send_input(resident, open_consultation, key=key)
    with django_capture_on_commit_callbacks(execute=True):
        send_input(resident, open_consultation, key=key)
    assert len(mail.outbox) == 1


def test_no_receipt_for_a_draft(resident, open_consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_input(resident, open_consultation, send=False)
    assert not mail.outbox


def test_no_receipt_to_an_address_that_cannot_receive_mail(
    person, open_consultation, django_capture_on_commit_callbacks
):
    astrid = person(email="abc@idporten.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        send_input(astrid, open_consultation)
    assert not mail.outbox


def test_the_receipt_through_the_form(english_resident, open_consultation):
    """The whole way: the form's POST, the commit, the e-mail (the test client runs the on_commit callbacks)."""
    client = idporten_client(english_resident)
    with translation.override("en"):
        url = reverse("consultations:give_input", kwargs={"pk": open_consultation.pk})
    data = {
        "key": str(uuid.uuid4()),
        "action": "send",
        "sender_kind": "person",
        "author_name": "Kari",
        "text": "Via skjemaet.",
        "show_name": "yes",
    }
    client.post(url, data)
    client.post(url, data)
    assert len(mail.outbox) == 1 and "Via skjemaet." in mail.outbox[0].body


def test_hidden_input_tells_its_author_why(
    english_resident, open_consultation, moderator, django_capture_on_commit_callbacks
):
    submission = send_input(english_resident, open_consultation)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_hide(actor=moderator, submission=submission, reason="Personopplysninger om naboen.")
    message = mail.outbox[-1]
    assert message.subject == "Your input was hidden"
    assert "Personopplysninger om naboen." in message.body and "input 1" in message.body


def test_the_outcome_goes_once_to_each_sender_also_one_who_follows(
    english_resident, person, open_consultation, case_worker, django_capture_on_commit_callbacks
):
    follower = person(email="astrid@example.no")
    send_input(english_resident, open_consultation)
    send_input(english_resident, open_consultation, text="Ett innspill til.")
    send_input(follower, open_consultation)
    notify.follow(actor=follower, target=open_consultation)
    pass_deadline(open_consultation)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        emails.outcome_to_senders(open_consultation)
    assert sorted(m.to[0] for m in mail.outbox) == ["astrid@example.no", "kari@example.no"]
