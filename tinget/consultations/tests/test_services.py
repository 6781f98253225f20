"""The consultation services' rules: states and the clock, versions, input (drafts, sending once, the deadline,
bad input), processing by the responsible unit only, moderation and the conclusion's notifications."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tinget.consultations import attachments, rules, services
from tinget.consultations.models import Consultation, Stage, State, Submission, Version
from tinget.core.errors import InvalidTransition, NotAllowed
from tinget.core.models import AuditEntry
from tinget.core.notify import services as notify

from .conftest import consultation_data, pass_deadline, send_input

pytestmark = pytest.mark.django_db


def pdf(size=2000, name="innspill.pdf"):
    body = b"%PDF-1.4\n" + b"x" * max(0, size - 16) + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


# --- State and the clock ---------------------------------------------------------------------------------------


def test_state_follows_the_clock(open_consultation):
    c = open_consultation
    assert c.state_at(c.opens_at - dt.timedelta(seconds=1)) == State.UPCOMING
    assert c.state_at(c.opens_at) == State.OPEN
    assert c.state_at(c.deadline) == State.OPEN
    assert c.state_at(c.deadline + dt.timedelta(seconds=1)) == State.CLOSED


def test_querysets_agree_with_state(open_consultation, draft):
    now = timezone.now()
    assert list(Consultation.objects.open(now)) == [open_consultation]
    assert not Consultation.objects.upcoming(now).exists()
    pass_deadline(open_consultation)
    assert list(Consultation.objects.closed()) == [open_consultation]
    assert list(Consultation.objects.in_state(State.CLOSED)) == [open_consultation]


def test_publish_needs_a_section_and_a_future_deadline(case_worker, municipality, unit):
    consultation = services.consultation_create(
        actor=case_worker, municipality=municipality, data=consultation_data(unit)
    )
    with pytest.raises(services.NotPublishable):
        services.consultation_publish(actor=case_worker, consultation=consultation)
    services.section_save(actor=case_worker, consultation=consultation, data={"heading": "Bakgrunn", "body": "Tekst"})
    with pytest.raises(services.NotPublishable):
        services.consultation_publish(actor=case_worker, consultation=consultation, now=consultation.deadline)
    published = services.consultation_publish(actor=case_worker, consultation=consultation)
    assert published.stage == Stage.PUBLISHED and published.version == 1
    assert Version.objects.filter(consultation=consultation, number=1).exists()
    with pytest.raises(InvalidTransition):
        services.consultation_publish(actor=case_worker, consultation=consultation)


def test_deadline_must_follow_opening(case_worker, municipality, unit):
    now = timezone.now()
    with pytest.raises(services.InvalidInput):
        services.consultation_create(
            actor=case_worker, municipality=municipality, data=consultation_data(unit, opens_at=now, deadline=now)
        )


def test_only_staff_of_the_unit_write(other_worker, resident, municipality, unit, draft):
    for actor in (other_worker, resident):
        with pytest.raises(NotAllowed):
            services.consultation_create(actor=actor, municipality=municipality, data=consultation_data(unit))
        with pytest.raises(NotAllowed):
            services.consultation_update(actor=actor, consultation=draft, data={"title": "Nytt navn"})


def test_script_in_staff_text_is_refused(case_worker, draft):
    with pytest.raises(services.InvalidInput):
        services.consultation_update(
            actor=case_worker, consultation=draft, data={"summary": "<script>alert(1)</script>"}
        )
    with pytest.raises(services.InvalidInput):
        services.section_save(actor=case_worker, consultation=draft, data={"heading": "<b>x</b>", "body": "Tekst"})


# --- Versions ---------------------------------------------------------------------------------------------------


def test_changes_after_publication_are_versions(open_consultation, case_worker, resident):
    notify.follow(actor=resident, target=open_consultation)
    with pytest.raises(services.InvalidInput):
        services.consultation_update(actor=case_worker, consultation=open_consultation, data={"title": "Ny tittel"})
    services.consultation_update(
        actor=case_worker, consultation=open_consultation, data={"title": "Ny tittel"}, note="Rettet tittelen."
    )
    section = open_consultation.sections.first()
    services.section_save(
        actor=case_worker, consultation=open_consultation, section=section, data={"body": "Ny tekst"}, note="Ny tekst."
    )
    open_consultation.refresh_from_db()
    assert open_consultation.version == 3
    versions = list(open_consultation.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[0].snapshot["title"] == "Reguleringsplan for Holmen sentrum"
    assert versions[1].snapshot["title"] == "Ny tittel"
    assert versions[2].snapshot["sections"][0]["body"] == "Ny tekst"
    assert resident.notifications.filter(verb="changed").count() == 2


def test_drafts_change_without_versions(draft, case_worker):
    services.consultation_update(actor=case_worker, consultation=draft, data={"title": "Annet"})
    assert not draft.versions.exists()


def test_questions_are_fixed_once_published(open_consultation, case_worker):
    with pytest.raises(InvalidTransition):
        services.question_save(
            actor=case_worker, consultation=open_consultation, data={"kind": "text", "text": "Nytt spørsmål?"}
        )


def test_section_with_input_cannot_be_deleted(open_consultation, case_worker, resident):
    section = open_consultation.sections.first()
    services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        section=section,
        data={"author_name": "Kari", "show_name": True, "text": "Bra."},
        send=True,
    )
    with pytest.raises(services.InvalidInput):
        services.section_delete(actor=case_worker, section=section, note="Fjernet")


# --- Input ------------------------------------------------------------------------------------------------------


def test_sending_numbers_input_and_records_the_version(open_consultation, resident, astrid):
    first = send_input(resident, open_consultation)
    second = send_input(astrid, open_consultation)
    assert (first.number, second.number) == (1, 2)
    assert first.status == Submission.Status.SENT and first.sent_at and first.version == 1
    assert not first.late


def test_two_clicks_on_send_make_one_submission(
    open_consultation, resident, mailoutbox, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        one = send_input(resident, open_consultation, key=key)
        two = send_input(resident, open_consultation, key=key, text="Noe annet")
    assert one.pk == two.pk
    assert Submission.objects.count() == 1
    assert Submission.objects.get().text == "Torget bør ligge ved stasjonen."
    assert len(mailoutbox) == 1


def test_a_key_belongs_to_its_author(open_consultation, resident, astrid):
    key = uuid.uuid4()
    send_input(resident, open_consultation, key=key, send=False)
    with pytest.raises(NotAllowed):
        send_input(astrid, open_consultation, key=key)


def test_draft_then_send(open_consultation, resident):
    key = uuid.uuid4()
    draft = send_input(resident, open_consultation, key=key, send=False, text="Halvferdig")
    assert draft.status == Submission.Status.DRAFT and draft.number is None
    sent = send_input(resident, open_consultation, key=key, text="Ferdig")
    assert sent.pk == draft.pk and sent.number == 1 and sent.text == "Ferdig"


def test_input_after_the_deadline_is_refused_with_the_date(open_consultation, resident):
    key = uuid.uuid4()
    send_input(resident, open_consultation, key=key, send=False)  # opened before the deadline
    after = open_consultation.deadline + dt.timedelta(minutes=1)
    with pytest.raises(services.DeadlinePassed) as error:
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=key,
            data={"author_name": "K", "show_name": False, "text": "x"},
            send=True,
            now=after,
        )
    assert str(timezone.localtime(open_consultation.deadline).year) in str(error.value)
    assert not Submission.objects.sent().exists()


def test_late_input_when_staff_allow_it(open_consultation, resident, case_worker):
    pass_deadline(open_consultation)
    with pytest.raises(services.DeadlinePassed):
        send_input(resident, open_consultation)
    services.set_late_input(actor=case_worker, consultation=open_consultation, allow=True)
    submission = send_input(resident, open_consultation)
    assert submission.late


def test_no_input_before_opening(open_consultation, resident):
    with pytest.raises(services.NotOpenYet):
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            data={"author_name": "K", "show_name": False, "text": "x"},
            send=True,
            now=open_consultation.opens_at - dt.timedelta(hours=1),
        )


@pytest.mark.parametrize("field", ["text", "author_name", "organisation_name", "organisation_role"])
def test_script_in_any_input_field_is_refused(open_consultation, resident, field):
    data = {"sender_kind": "organisation", "organisation_name": "Holmen vel", "organisation_role": "Leder"}
    data[field] = '<script>alert("x")</script>'
    with pytest.raises(services.InvalidInput):
        send_input(resident, open_consultation, **({"text": data.pop("text")} if field == "text" else {}), **data)
    assert not Submission.objects.sent().exists()


@override_settings(TINGET_CONSULTATION_TEXT_MAX=50)
def test_oversized_and_empty_text(open_consultation, resident):
    with pytest.raises(services.InvalidInput):
        send_input(resident, open_consultation, text="x" * 51)
    with pytest.raises(services.InvalidInput):
        send_input(resident, open_consultation, text="   ")


def test_organisation_needs_name_and_role(open_consultation, resident):
    with pytest.raises(services.InvalidInput):
        send_input(resident, open_consultation, sender_kind="organisation", organisation_name="Holmen vel")


def test_answers_to_structured_questions(open_consultation, resident):
    choice, scale, text = open_consultation.questions.order_by("order")
    option = choice.options.first()
    submission = services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        data={
            "author_name": "Holmen vel",
            "show_name": True,
            "text": "",
            "sender_kind": "organisation",
            "organisation_name": "Holmen vel",
            "organisation_role": "Leder",
        },
        answers={choice.pk: option, scale.pk: 4, text.pk: "Sykkelparkering"},
        send=True,
    )
    assert submission.answers.count() == 3
    from tinget.consultations import selectors

    results = {r["question"].pk: r for r in selectors.question_results(open_consultation)}
    assert results[choice.pk]["rows"][0] == {"label": option.label, "count": 1, "percent": 100}
    assert results[scale.pk]["rows"][3]["count"] == 1
    assert results[text.pk]["total"] == 1


def test_bad_answers_are_refused(open_consultation, resident):
    choice, scale, _text = open_consultation.questions.order_by("order")
    other_option = open_consultation.questions.get(pk=choice.pk).options.last()
    for answers in ({scale.pk: 9}, {choice.pk: "Ved stasjonen"}, {987654: "x"}):
        with pytest.raises(services.InvalidInput):
            services.submission_save(
                actor=resident,
                consultation=open_consultation,
                key=uuid.uuid4(),
                data={"author_name": "K", "show_name": False, "text": "x"},
                answers=answers,
                send=True,
            )
    assert other_option  # the options exist; only the wrong kinds of value were refused


def test_comment_on_a_section_of_another_consultation(open_consultation, resident, case_worker, municipality, unit):
    other = services.consultation_create(actor=case_worker, municipality=municipality, data=consultation_data(unit))
    foreign = services.section_save(actor=case_worker, consultation=other, data={"heading": "Annet", "body": "Tekst"})
    with pytest.raises(services.InvalidInput):
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            section=foreign,
            data={"author_name": "K", "show_name": False, "text": "x"},
            send=True,
        )


def test_attachment_is_stored_and_counted(open_consultation, resident, settings):
    settings.TINGET_CONSULTATION_MAX_ATTACHMENTS = 1
    checked = attachments.check_file(pdf())
    submission = services.submission_save(
        actor=resident,
        consultation=open_consultation,
        key=uuid.uuid4(),
        data={"author_name": "K", "show_name": False, "text": "Se vedlegg"},
        new_files=[checked],
        send=True,
    )
    stored = submission.attachments.get()
    assert stored.filename == "innspill.pdf" and stored.content_type == "application/pdf"
    with stored.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    with pytest.raises(services.InvalidInput):
        services.submission_save(
            actor=resident,
            consultation=open_consultation,
            key=uuid.uuid4(),
            data={"author_name": "K", "show_name": False, "text": "To vedlegg"},
            new_files=[attachments.check_file(pdf()), attachments.check_file(pdf())],
            send=True,
        )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "program.exe"),
        (b"%PDF-1.4\n" + b"x" * 100, "cut-short.pdf"),
        (b"PK\x03\x04" + b"\x00" * 100, "not-really.docx"),
        (b"", "empty.pdf"),
    ],
)
def test_disallowed_or_damaged_files(content, name):
    with pytest.raises(attachments.AttachmentRejected):
        attachments.check_file(SimpleUploadedFile(name, content))


def test_too_large_file():
    with pytest.raises(attachments.AttachmentRejected) as error:
        attachments.check_file(pdf(size=3000), max_bytes=2000)
    assert "MB" in str(error.value)


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_clean_filename_never_leaves_a_path_or_control_character(name):
    cleaned = attachments.clean_filename(name, "fallback.pdf")
    assert cleaned and len(cleaned) <= 200
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(ord(c) < 32 for c in cleaned)


def test_discarding_a_draft(open_consultation, resident, astrid):
    draft = send_input(resident, open_consultation, send=False)
    with pytest.raises(NotAllowed):
        services.draft_discard(actor=astrid, submission=draft)
    services.draft_discard(actor=resident, submission=draft)
    assert not Submission.objects.exists()
    sent = send_input(resident, open_consultation)
    with pytest.raises(InvalidTransition):
        services.draft_discard(actor=resident, submission=sent)


# --- Processing, moderation, conclusion --------------------------------------------------------------------------


def test_processing_only_by_the_responsible_unit(sent_input, open_consultation, other_worker, moderator):
    pass_deadline(open_consultation)
    for actor in (other_worker, moderator):
        with pytest.raises(NotAllowed):
            services.start_processing(actor=actor, consultation=open_consultation)
        with pytest.raises(NotAllowed):
            services.submission_consider(actor=actor, submission=sent_input, response="Takk")
        with pytest.raises(NotAllowed):
            services.conclude(actor=actor, consultation=open_consultation, outcome="Vedtatt")
    assert not rules.can_process(other_worker, open_consultation)


def test_processing_starts_after_the_deadline(open_consultation, case_worker):
    with pytest.raises(InvalidTransition):
        services.start_processing(actor=case_worker, consultation=open_consultation)
    pass_deadline(open_consultation)
    processing = services.start_processing(actor=case_worker, consultation=open_consultation)
    assert processing.state == State.PROCESSING
    assert not rules.takes_input(processing, timezone.now())


def test_considering_and_tagging(sent_input, case_worker):
    services.submission_consider(actor=case_worker, submission=sent_input, response="Vi ser på det.")
    tags = services.submission_set_tags(
        actor=case_worker, submission=sent_input, names=["trafikk", " trafikk ", "støy"]
    )
    sent_input.refresh_from_db()
    assert sent_input.considered_at and sent_input.response == "Vi ser på det."
    assert sorted(t.name for t in tags) == ["støy", "trafikk"]


def test_hiding_keeps_the_original_and_tells_the_author(
    sent_input, moderator, other_worker, mailoutbox, django_capture_on_commit_callbacks
):
    with pytest.raises(NotAllowed):
        services.submission_hide(actor=other_worker, submission=sent_input, reason="Personopplysninger")
    with pytest.raises(services.InvalidInput):
        services.submission_hide(actor=moderator, submission=sent_input, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_hide(actor=moderator, submission=sent_input, reason="Personopplysninger om andre")
    sent_input.refresh_from_db()
    assert sent_input.is_hidden and sent_input.text == "Torget bør ligge ved stasjonen."
    assert not Submission.objects.public().exists()
    assert [m.to for m in mailoutbox] == [[sent_input.author.email]]
    assert AuditEntry.objects.filter(action="consultations.submission.hidden").exists()
    services.submission_unhide(actor=moderator, submission=sent_input)
    assert Submission.objects.public().exists()


def test_conclusion_tells_senders_and_followers_once(
    open_consultation, resident, astrid, case_worker, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    follower = django_user_model.objects.create_user("frida@example.no", "x", notification_frequency="instant")
    notify.follow(actor=follower, target=open_consultation)
    notify.follow(actor=astrid, target=open_consultation)
    mine = send_input(resident, open_consultation)
    send_input(resident, open_consultation, text="Enda et innspill")
    send_input(astrid, open_consultation)
    pass_deadline(open_consultation)
    services.submission_consider(actor=case_worker, submission=mine, response="Torget legges ved stasjonen.")
    mailoutbox.clear()
    with pytest.raises(services.InvalidInput):
        services.conclude(actor=case_worker, consultation=open_consultation, outcome="")
    with django_capture_on_commit_callbacks(execute=True):
        services.conclude(
            actor=case_worker,
            consultation=open_consultation,
            outcome="Planen ble vedtatt.",
            political_case_number="27/12",
        )
    open_consultation.refresh_from_db()
    assert open_consultation.state == State.CONCLUDED
    # The resident sent two inputs but follows nothing: one e-mail with the response to their input.
    to_resident = [m for m in mailoutbox if m.to == [resident.email]]
    assert len(to_resident) == 1 and "Torget legges ved stasjonen." in to_resident[0].body
    # Astrid sent input and follows: her own e-mail, with no notification on top; Frida only follows.
    assert len([m for m in mailoutbox if m.to == [astrid.email] and "Planen ble vedtatt." in m.body]) == 1
    assert not astrid.notifications.filter(verb="concluded").exists()
    assert follower.notifications.filter(verb="concluded").count() == 1
    with pytest.raises(InvalidTransition):
        services.conclude(actor=case_worker, consultation=open_consultation, outcome="Igjen")
