"""Every write to consultations: staff writing, publishing, processing and concluding them, and residents' input.

Each function checks who may do it (rules.py) and what the consultation's state allows, writes in one transaction
with its audit entry, and raises a DomainError with a message the person can read when a rule says no. E-mails
and notifications go after the commit.
"""

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tinget.core import audit
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.notify import services as notify
from tinget.core.text import PLAIN_TEXT_MESSAGE, looks_like_html

from . import emails, rules
from .models import (
    Answer,
    Consultation,
    Document,
    Option,
    Question,
    Section,
    Stage,
    State,
    Submission,
    SubmissionAttachment,
    Tag,
    Version,
)


class DeadlinePassed(DomainError):
    default_message = _("The deadline for input has passed.")
    code = "deadline_passed"


class NotOpenYet(DomainError):
    default_message = _("This consultation does not take input yet.")
    code = "not_open"


class InvalidInput(DomainError):
    default_message = _("The input cannot be sent as it is.")
    code = "invalid_input"


class NotPublishable(DomainError):
    default_message = _("The consultation cannot be published yet.")
    code = "not_publishable"


def local_moment(value: dt.datetime) -> str:
    """A deadline as the site says it: "15 January 2027 at 23:59" in the active language, Oslo time."""
    local = timezone.localtime(value)
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "H:i"),
    }


# --- Helpers --------------------------------------------------------------------------------------------------


def _locked(consultation) -> Consultation:
    pk = consultation.pk if isinstance(consultation, Consultation) else consultation
    return Consultation.objects.select_for_update().get(pk=pk)


def _require_author(actor, consultation=None):
    if not rules.can_author(actor, consultation):
        raise NotAllowed(_("You may not write or change consultations for this unit."))


def _require_processor(actor, consultation):
    if not rules.can_process(actor, consultation):
        raise NotAllowed(_("Only case workers in the responsible unit may process this consultation's input."))


def _plain(fields: dict, names):
    for name in names:
        value = fields.get(name)
        if isinstance(value, str) and looks_like_html(value):
            raise InvalidInput(PLAIN_TEXT_MESSAGE, params={"field": name})


def _move(consultation, to_stage):
    if not rules.can_move(consultation.stage, to_stage):
        raise InvalidTransition(
            _("A consultation that is %(state)s cannot be moved to %(stage)s."),
            params={"state": consultation.get_state_display().lower(), "stage": Stage(to_stage).label.lower()},
        )
    consultation.stage = to_stage


def snapshot(consultation) -> dict:
    """What a reader sees of the consultation's text: kept in each Version."""
    return {
        "title": consultation.title,
        "summary": consultation.summary,
        "influence": consultation.influence,
        "next_steps": consultation.next_steps,
        "opens_at": consultation.opens_at.isoformat(),
        "deadline": consultation.deadline.isoformat(),
        "sections": [
            {"id": s.pk, "number": s.number, "heading": s.heading, "body": s.body}
            for s in consultation.sections.order_by("order", "pk")
        ],
        "documents": [{"id": d.pk, "title": d.title} for d in consultation.documents.order_by("order", "pk")],
    }


def _new_version(consultation, actor, note: str) -> Version | None:
    """After a change to a published consultation: a version, and word to its followers. Drafts keep none."""
    if consultation.stage == Stage.DRAFT:
        return None
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Say briefly what you changed: readers see it with the new version."))
    _plain({"note": note}, ["note"])
    consultation.version += 1
    Consultation.objects.filter(pk=consultation.pk).update(version=consultation.version, updated_at=timezone.now())
    version = Version.objects.create(
        consultation=consultation,
        number=consultation.version,
        created_by=actor,
        note=note,
        snapshot=snapshot(consultation),
    )
    notify.announce(
        event_key=f"consultations.consultation.{consultation.pk}.v{version.number}",
        verb="changed",
        target=consultation,
        title=lambda: _('The consultation "%(title)s" was changed') % {"title": consultation.title},
        body=note,
    )
    return version


# --- Writing and publishing (staff) ---------------------------------------------------------------------------

CONSULTATION_FIELDS = (
    "title",
    "summary",
    "influence",
    "next_steps",
    "case_number",
    "unit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "topic",
    "opens_at",
    "deadline",
    "allow_late_input",
)
TEXT_FIELDS = ("title", "summary", "influence", "next_steps", "case_number", "contact_name", "contact_phone")


def _check_times(opens_at, deadline):
    if deadline <= opens_at:
        raise InvalidInput(_("The deadline must come after the consultation opens."))


@transaction.atomic
def consultation_create(*, actor, municipality, data: dict, areas=()) -> Consultation:
    """A new draft. `data` holds CONSULTATION_FIELDS; the unit must be one of the actor's (administrators: any)."""
    _plain(data, TEXT_FIELDS)
    _check_times(data["opens_at"], data["deadline"])
    consultation = Consultation(
        municipality=municipality, created_by=actor, **{k: data[k] for k in CONSULTATION_FIELDS if k in data}
    )
    _require_author(actor, consultation)
    consultation.save()
    consultation.areas.set(areas)
    audit.log(actor, "consultations.consultation.created", consultation)
    return consultation


@transaction.atomic
def consultation_update(*, actor, consultation, data: dict, areas=None, note: str = "") -> Consultation:
    """Change the consultation's fields. After publication the change becomes a new version with `note`.
    A concluded consultation is not changed any more. Moving it to another unit needs authority over both."""
    consultation = _locked(consultation)
    _require_author(actor, consultation)
    if consultation.stage == Stage.CONCLUDED:
        raise InvalidTransition(_("A concluded consultation cannot be changed."))
    _plain(data, TEXT_FIELDS)
    for name in CONSULTATION_FIELDS:
        if name in data:
            setattr(consultation, name, data[name])
    _require_author(actor, consultation)
    _check_times(consultation.opens_at, consultation.deadline)
    consultation.save()
    if areas is not None:
        consultation.areas.set(areas)
    _new_version(consultation, actor, note)
    audit.log(actor, "consultations.consultation.updated", consultation, {"fields": sorted(data), "note": note})
    return consultation


@transaction.atomic
def section_save(*, actor, consultation, data: dict, section=None, note: str = "") -> Section:
    """Add a section (section=None) or change one. data: number, heading, body, order."""
    consultation = _locked(consultation)
    _require_author(actor, consultation)
    if consultation.stage == Stage.CONCLUDED:
        raise InvalidTransition(_("A concluded consultation cannot be changed."))
    _plain(data, ("number", "heading", "body"))
    if section is None:
        section = Section(consultation=consultation)
        if "order" not in data:
            data = {**data, "order": (consultation.sections.aggregate(m=Max("order"))["m"] or 0) + 1}
    elif section.consultation_id != consultation.pk:
        raise NotAllowed()
    for name in ("number", "heading", "body", "order"):
        if name in data:
            setattr(section, name, data[name])
    section.save()
    _new_version(consultation, actor, note)
    audit.log(actor, "consultations.section.saved", consultation, {"section": section.pk})
    return section


@transaction.atomic
def section_delete(*, actor, section, note: str = "") -> None:
    """A section with comments stays (the comments refer to it); others may go."""
    consultation = _locked(section.consultation_id)
    _require_author(actor, consultation)
    if consultation.stage == Stage.CONCLUDED:
        raise InvalidTransition(_("A concluded consultation cannot be changed."))
    if section.submissions.exists():
        raise InvalidInput(_("This section has input on it and cannot be deleted. Change its text instead."))
    audit.log(actor, "consultations.section.deleted", consultation, {"section": section.pk, "heading": section.heading})
    section.delete()
    _new_version(consultation, actor, note)


@transaction.atomic
def question_save(*, actor, consultation, data: dict, options=(), question=None) -> Question:
    """Add or change a structured question. Once the consultation is published its questions are fixed: answers
    already given must keep meaning what they meant."""
    consultation = _locked(consultation)
    _require_author(actor, consultation)
    if consultation.stage != Stage.DRAFT:
        raise InvalidTransition(_("Questions can only be changed before the consultation is published."))
    _plain(
        {**data, **{f"option{i}": o for i, o in enumerate(options)}},
        ["text", "help_text", "scale_min_label", "scale_max_label", *(f"option{i}" for i in range(len(options)))],
    )
    if question is None:
        question = Question(consultation=consultation)
        if "order" not in data:
            data = {**data, "order": (consultation.questions.aggregate(m=Max("order"))["m"] or 0) + 1}
    elif question.consultation_id != consultation.pk:
        raise NotAllowed()
    for name in ("kind", "text", "help_text", "required", "scale_max", "scale_min_label", "scale_max_label", "order"):
        if name in data:
            setattr(question, name, data[name])
    labels = [o.strip() for o in options if o and o.strip()]
    if question.kind == Question.Kind.CHOICE and len(labels) < 2:
        raise InvalidInput(_("A choice question needs at least two options."))
    question.save()
    if question.kind == Question.Kind.CHOICE:
        question.options.all().delete()
        Option.objects.bulk_create(Option(question=question, order=i, label=label) for i, label in enumerate(labels))
    else:
        question.options.all().delete()
    audit.log(actor, "consultations.question.saved", consultation, {"question": question.pk})
    return question


@transaction.atomic
def question_delete(*, actor, question) -> None:
    consultation = _locked(question.consultation_id)
    _require_author(actor, consultation)
    if consultation.stage != Stage.DRAFT:
        raise InvalidTransition(_("Questions can only be changed before the consultation is published."))
    audit.log(actor, "consultations.question.deleted", consultation, {"question": question.pk})
    question.delete()


@transaction.atomic
def document_add(*, actor, consultation, checked, title: str, note: str = "") -> Document:
    """Publish a document with the consultation. `checked` is attachments.check_file's answer."""
    consultation = _locked(consultation)
    _require_author(actor, consultation)
    if consultation.stage == Stage.CONCLUDED:
        raise InvalidTransition(_("A concluded consultation cannot be changed."))
    _plain({"title": title}, ["title"])
    order = (consultation.documents.aggregate(m=Max("order"))["m"] or 0) + 1
    document = Document(
        consultation=consultation, title=title, content_type=checked.content_type, size=checked.size, order=order
    )
    document.file.save(checked.storage_name, checked.file, save=False)
    document.save()
    _new_version(consultation, actor, note)
    audit.log(actor, "consultations.document.added", consultation, {"document": document.pk, "title": title})
    return document


@transaction.atomic
def document_remove(*, actor, document, note: str = "") -> None:
    consultation = _locked(document.consultation_id)
    _require_author(actor, consultation)
    if consultation.stage == Stage.CONCLUDED:
        raise InvalidTransition(_("A concluded consultation cannot be changed."))
    audit.log(actor, "consultations.document.removed", consultation, {"document": document.pk, "title": document.title})
    file = document.file
    document.delete()
    transaction.on_commit(lambda: file.storage.delete(file.name))
    _new_version(consultation, actor, note)


@transaction.atomic
def consultation_publish(*, actor, consultation, now=None) -> Consultation:
    """Draft → published (upcoming or open by the clock). Needs a summary, a section and a deadline ahead."""
    now = now or timezone.now()
    consultation = _locked(consultation)
    _require_author(actor, consultation)
    if not consultation.sections.exists():
        raise NotPublishable(_("Add at least one section of text before publishing."))
    if consultation.deadline <= now:
        raise NotPublishable(_("The deadline has passed. Set a deadline in the future before publishing."))
    _move(consultation, Stage.PUBLISHED)
    consultation.published_at = now
    consultation.version = 1
    consultation.save()
    Version.objects.create(
        consultation=consultation, number=1, created_at=now, created_by=actor, note="", snapshot=snapshot(consultation)
    )
    audit.log(actor, "consultations.consultation.published", consultation)
    return consultation


@transaction.atomic
def set_late_input(*, actor, consultation, allow: bool) -> Consultation:
    consultation = _locked(consultation)
    if not (rules.can_author(actor, consultation) or rules.can_process(actor, consultation)):
        raise NotAllowed(_("Only case workers in the responsible unit may change this."))
    consultation.allow_late_input = allow
    consultation.save(update_fields=["allow_late_input", "updated_at"])
    audit.log(actor, "consultations.consultation.late_input", consultation, {"allow": allow})
    return consultation


# --- Processing (case workers) --------------------------------------------------------------------------------


@transaction.atomic
def start_processing(*, actor, consultation, now=None) -> Consultation:
    """Closed → processing: no more input, even late input."""
    now = now or timezone.now()
    consultation = _locked(consultation)
    _require_processor(actor, consultation)
    if consultation.state_at(now) != State.CLOSED:
        raise InvalidTransition(_("Input can be processed once the deadline has passed."))
    _move(consultation, Stage.PROCESSING)
    consultation.processing_started_at = now
    consultation.save()
    audit.log(actor, "consultations.consultation.processing", consultation)
    return consultation


def _submission_for_processing(actor, submission) -> Submission:
    submission = Submission.objects.select_for_update().select_related("consultation").get(pk=submission.pk)
    _require_processor(actor, submission.consultation)
    if not submission.is_sent:
        raise NotAllowed()
    if submission.consultation.stage == Stage.CONCLUDED:
        raise InvalidTransition(_("The consultation is concluded; its input can no longer be changed."))
    return submission


@transaction.atomic
def submission_consider(*, actor, submission, response: str = "", considered: bool = True) -> Submission:
    """Mark input as considered (or not yet), with the municipality's response to it, which the sender sees."""
    submission = _submission_for_processing(actor, submission)
    _plain({"response": response}, ["response"])
    submission.response = response.strip()
    # Changing the response of input already considered keeps the time it was first considered.
    submission.considered_at = (submission.considered_at or timezone.now()) if considered else None
    submission.considered_by = actor if considered else None
    submission.save(update_fields=["response", "considered_at", "considered_by", "updated_at"])
    audit.log(actor, "consultations.submission.considered", submission, {"considered": considered})
    return submission


@transaction.atomic
def submission_set_tags(*, actor, submission, names) -> list[Tag]:
    """Replace the input's tags with `names`, creating the consultation's tags that do not exist yet."""
    submission = _submission_for_processing(actor, submission)
    cleaned = sorted({" ".join(n.split())[:60] for n in names if n and n.strip()})
    _plain({f"t{i}": n for i, n in enumerate(cleaned)}, [f"t{i}" for i in range(len(cleaned))])
    tags = []
    for name in cleaned:
        tag, _created = Tag.objects.get_or_create(consultation=submission.consultation, name=name)
        tags.append(tag)
    submission.tags.set(tags)
    audit.log(actor, "consultations.submission.tagged", submission, {"tags": cleaned})
    return tags


@transaction.atomic
def submission_hide(*, actor, submission, reason: str) -> Submission:
    """Hide input that breaks the rules. The public sees that it was hidden and why; its author is told; staff
    keep the original."""
    submission = Submission.objects.select_for_update().select_related("consultation").get(pk=submission.pk)
    if not rules.can_moderate(actor, submission.consultation):
        raise NotAllowed(_("You may not moderate this consultation's input."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason: the author and the public see it."))
    _plain({"reason": reason}, ["reason"])
    if not submission.is_sent:
        raise NotAllowed()
    if submission.is_hidden:
        raise InvalidTransition(_("This input is already hidden."))
    submission.hidden_at = timezone.now()
    submission.hidden_by = actor
    submission.hidden_reason = reason
    submission.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    audit.log(actor, "consultations.submission.hidden", submission, {"reason": reason})
    transaction.on_commit(lambda: emails.hidden(submission))
    return submission


@transaction.atomic
def submission_unhide(*, actor, submission) -> Submission:
    submission = Submission.objects.select_for_update().select_related("consultation").get(pk=submission.pk)
    if not rules.can_moderate(actor, submission.consultation):
        raise NotAllowed(_("You may not moderate this consultation's input."))
    submission.hidden_at = None
    submission.hidden_by = None
    submission.hidden_reason = ""
    submission.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    audit.log(actor, "consultations.submission.shown", submission)
    return submission


@transaction.atomic
def input_report_save(*, actor, consultation, text: str) -> Consultation:
    """The summary of the input received (innspillsrapport), public once written."""
    consultation = _locked(consultation)
    _require_processor(actor, consultation)
    if consultation.state not in (State.CLOSED, State.PROCESSING, State.CONCLUDED):
        raise InvalidTransition(_("The summary of input is written after the deadline."))
    _plain({"text": text}, ["text"])
    consultation.input_report = text.strip()
    consultation.save(update_fields=["input_report", "updated_at"])
    audit.log(actor, "consultations.consultation.input_report", consultation)
    return consultation


@transaction.atomic
def conclude(
    *, actor, consultation, outcome: str, political_case_number: str = "", political_case_url: str = "", now=None
) -> Consultation:
    """Close the consultation with its outcome, and tell everyone who sent input or follows it."""
    now = now or timezone.now()
    consultation = _locked(consultation)
    _require_processor(actor, consultation)
    if consultation.state_at(now) not in (State.CLOSED, State.PROCESSING):
        raise InvalidTransition(_("A consultation is concluded after its deadline."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput(_("Write the outcome: everyone who sent input is told it."))
    _plain({"outcome": outcome, "political_case_number": political_case_number}, ["outcome", "political_case_number"])
    _move(consultation, Stage.CONCLUDED)
    consultation.outcome = outcome
    consultation.political_case_number = political_case_number.strip()
    consultation.political_case_url = political_case_url.strip()
    consultation.concluded_at = now
    consultation.processing_started_at = consultation.processing_started_at or now
    consultation.save()
    audit.log(actor, "consultations.consultation.concluded", consultation)
    # Senders get an e-mail of their own, with the response to their input; the other followers a notification.
    senders = set(consultation.submissions.sent().filter(author__isnull=False).values_list("author_id", flat=True))
    notify.announce(
        event_key=f"consultations.consultation.{consultation.pk}.concluded",
        verb="concluded",
        target=consultation,
        title=lambda: _('The consultation "%(title)s" is concluded') % {"title": consultation.title},
        body=outcome,
        exclude=senders,
    )
    transaction.on_commit(lambda: emails.outcome_to_senders(consultation))
    return consultation


def log_export(*, actor, consultation, fmt: str, count: int) -> None:
    """Staff read everyone's input, names and addresses included: logged (privacy)."""
    if not rules.can_export(actor, consultation):
        raise NotAllowed(_("You may not export this consultation's input."))
    audit.log(actor, "consultations.submission.exported", consultation, {"format": fmt, "count": count})


# --- Input (residents, associations, businesses) -------------------------------------------------------------


def check_takes_input(consultation, now) -> None:
    """Raise the reason input cannot be sent now, with the date the person needs."""
    if rules.takes_input(consultation, now):
        return
    state = consultation.state_at(now)
    if state == State.UPCOMING:
        raise NotOpenYet(
            _("This consultation opens for input on %(when)s."), params={"when": local_moment(consultation.opens_at)}
        )
    if state in (State.CLOSED, State.PROCESSING, State.CONCLUDED):
        raise DeadlinePassed(
            _("The deadline for input was %(when)s. Input can no longer be sent."),
            params={"when": local_moment(consultation.deadline)},
        )
    raise NotOpenYet()


SUBMISSION_FIELDS = ("author_name", "sender_kind", "organisation_name", "organisation_role", "show_name", "text")


def _check_submission(submission, answers, attachment_count, *, sending: bool):
    from django.conf import settings

    _plain(
        {n: getattr(submission, n) for n in ("author_name", "organisation_name", "organisation_role", "text")},
        ("author_name", "organisation_name", "organisation_role", "text"),
    )
    for answer in answers:
        _plain({"text": answer.text}, ["text"])
    limit = settings.TINGET_CONSULTATION_COMMENT_MAX if submission.section_id else settings.TINGET_CONSULTATION_TEXT_MAX
    if len(submission.text) > limit:
        raise InvalidInput(
            _("The text is too long: it can be at most %(max)s characters, and you wrote %(count)s."),
            params={"max": limit, "count": len(submission.text)},
        )
    if attachment_count > settings.TINGET_CONSULTATION_MAX_ATTACHMENTS:
        raise InvalidInput(
            _("You can add at most %(max)s attachments."), params={"max": settings.TINGET_CONSULTATION_MAX_ATTACHMENTS}
        )
    if submission.sender_kind == Submission.SenderKind.ORGANISATION and not (
        submission.organisation_name.strip() and submission.organisation_role.strip()
    ):
        raise InvalidInput(_("Give the organisation's name and your role in it."))
    if not sending:
        return
    if not submission.author_name.strip():
        raise InvalidInput(_("Write your name. You choose below whether it is shown on the site."))
    if submission.section_id and not submission.text.strip():
        raise InvalidInput(_("Write your comment on this section."))
    if not submission.text.strip() and not answers and not attachment_count:
        raise InvalidInput(_("Write your input, answer a question or add an attachment before sending."))
    if not submission.section_id:
        answered = {a.question_id for a in answers}
        missing = submission.consultation.questions.filter(required=True).exclude(pk__in=answered)
        if missing.exists():
            raise InvalidInput(
                _("Answer the required question: %(question)s"), params={"question": missing.first().text}
            )


def _claim(actor, consultation, key) -> tuple[Submission, bool]:
    """The submission with this form key, locked; made if new. A key belongs to one person and one consultation."""
    submission = Submission.objects.select_for_update().filter(key=key).first()
    if submission is None:
        try:
            with transaction.atomic():
                submission = Submission.objects.create(key=key, consultation=consultation, author=actor, author_name="")
            return Submission.objects.select_for_update().get(pk=submission.pk), True
        except IntegrityError:
            # The same form sent twice at the same moment: the other request made the row.
            submission = Submission.objects.select_for_update().get(key=key)
    if submission.author_id != actor.pk or submission.consultation_id != consultation.pk:
        raise NotAllowed()
    return submission, False


def submission_save(
    *,
    actor,
    consultation,
    key,
    data: dict,
    section=None,
    answers: dict | None = None,
    new_files=(),
    remove_attachments=(),
    send: bool,
    language: str = "nb",
    now=None,
) -> Submission:
    """Save input as a draft (send=False) or send it (send=True), under the form's one-time `key`.

    `data` holds SUBMISSION_FIELDS; `answers` maps a question's pk to an Option, a scale value (int) or text;
    `new_files` are attachments.check_file answers; `remove_attachments` attachment pks to drop from a draft.
    Sending again with the key of input already sent changes nothing and returns that input (two clicks on
    "send" make one). Raises DeadlinePassed / NotOpenYet with the date, InvalidInput, NotAllowed.
    """
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Log in to send input."))
    key = uuid.UUID(str(key))
    with transaction.atomic():
        # The consultation's row is the queue for numbers: sends to one consultation take turns.
        consultation = _locked(consultation) if send else Consultation.objects.get(pk=consultation.pk)
        submission, created = _claim(actor, consultation, key)
        if submission.is_sent:
            return submission
        check_takes_input(consultation, now)
        if section is not None and section.consultation_id != consultation.pk:
            raise InvalidInput(_("That section is not part of this consultation."))
        for name in SUBMISSION_FIELDS:
            if name in data:
                value = data[name]
                setattr(submission, name, value.strip() if isinstance(value, str) else value)
        if submission.sender_kind != Submission.SenderKind.ORGANISATION:
            submission.organisation_name = submission.organisation_role = ""
        submission.section = section
        submission.language = language
        answer_rows = [] if section is not None else _answer_rows(consultation, submission, answers or {})
        kept = submission.attachments.exclude(pk__in=list(remove_attachments))
        _check_submission(submission, answer_rows, kept.count() + len(new_files), sending=send)

        removed = list(submission.attachments.filter(pk__in=list(remove_attachments)))
        for attachment in removed:
            name = attachment.file.name
            storage = attachment.file.storage
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))
            attachment.delete()
        for checked in new_files:
            attachment = SubmissionAttachment(
                submission=submission, filename=checked.filename, content_type=checked.content_type, size=checked.size
            )
            attachment.file.save(checked.storage_name, checked.file, save=False)
            attachment.save()
        submission.answers.all().delete()
        Answer.objects.bulk_create(answer_rows)
        if send:
            # The form asks; a caller that did not (the API, a test) gets the privacy-safe answer.
            submission.show_name = bool(submission.show_name)
            submission.status = Submission.Status.SENT
            submission.sent_at = now
            submission.number = (consultation.submissions.aggregate(m=Max("number"))["m"] or 0) + 1
            submission.version = consultation.version
            submission.late = now > consultation.deadline
        submission.save()
        audit.log(
            actor,
            "consultations.submission.sent" if send else "consultations.submission.draft_saved",
            submission,
            {"created": created, "late": submission.late},
        )
        if send:
            transaction.on_commit(lambda: emails.receipt(submission))
    return submission


def _answer_rows(consultation, submission, answers: dict) -> list[Answer]:
    questions = {q.pk: q for q in consultation.questions.prefetch_related("options")}
    rows = []
    for question_id, value in answers.items():
        question = questions.get(int(question_id))
        if question is None:
            raise InvalidInput(_("That question is not part of this consultation."))
        if value in (None, ""):
            continue
        answer = Answer(submission=submission, question=question)
        if question.kind == Question.Kind.CHOICE:
            option = value if isinstance(value, Option) else None
            if option is None or option.question_id != question.pk:
                raise InvalidInput(
                    _("Choose one of the answers given for: %(question)s"), params={"question": question.text}
                )
            answer.option = option
        elif question.kind == Question.Kind.SCALE:
            if not isinstance(value, int) or not 1 <= value <= question.scale_max:
                raise InvalidInput(
                    _("Choose a value from 1 to %(max)s for: %(question)s"),
                    params={"max": question.scale_max, "question": question.text},
                )
            answer.scale_value = value
        else:
            text = str(value).strip()
            if len(text) > 4000:
                raise InvalidInput(_("An answer can be at most 4000 characters."))
            answer.text = text
        rows.append(answer)
    return rows


@transaction.atomic
def draft_discard(*, actor, submission) -> None:
    """The author throws a draft away. Sent input is a public document and is not deleted by its author."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.author_id != getattr(actor, "pk", None):
        raise NotAllowed()
    if submission.is_sent:
        raise InvalidTransition(_("Input that has been sent cannot be deleted."))
    names = [(a.file.storage, a.file.name) for a in submission.attachments.all()]
    audit.log(actor, "consultations.submission.draft_discarded", submission)
    submission.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


# --- Staff reads (appended by the processing pages) ----------------------------------------------------------

# What the person is told on Min side when staff open their input (marked for translation, translated when shown).
from django.utils.translation import gettext_noop  # noqa: E402 (appended block)

SUBMISSION_READ = gettext_noop("Your input to a consultation, with your name and e-mail address")


def log_submission_read(*, actor, submission, unit=None) -> None:
    """Staff opened one input in full (the sender's real name and e-mail address, hidden text included): logged
    against the input, and as a read of the sender's personal data, which they see on Min side (with the unit,
    never the staff member's name). Raises NotAllowed for anyone who may neither process nor moderate it."""
    from tinget.accounts.privacy import log_personal_data_read

    if not rules.can_moderate(actor, submission.consultation):
        raise NotAllowed(_("You may not read this consultation's input."))
    with transaction.atomic():
        audit.log(actor, "consultations.submission.viewed", submission)
        if submission.author_id:
            log_personal_data_read(staff_user=actor, subject_user=submission.author, what=SUBMISSION_READ, unit=unit)


# --- Privacy (appended for providers.erase) -------------------------------------------------------------------


@transaction.atomic
def erase_author(*, user) -> dict:
    """Forget `user` as a sender, inside the account deletion's transaction: their drafts (never sent, so never
    public) are deleted with their answers and attachment files; input they sent is a public document under
    offentleglova and stays, with the name as they gave it and shown as they chose, but no longer linked to the
    account. (A submission holds no e-mail address: receipts went to the account's.) Returns the counts."""
    drafts = list(Submission.objects.drafts().filter(author=user).prefetch_related("attachments"))
    files = [(a.file.storage, a.file.name) for d in drafts for a in d.attachments.all() if a.file]
    Submission.objects.filter(pk__in=[d.pk for d in drafts]).delete()
    kept = Submission.objects.filter(author=user).update(author=None)
    if drafts or kept:
        audit.log("privacy", "consultations.author_erased", None, {"drafts_deleted": len(drafts), "input_kept": kept})
    if files:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return {"drafts_deleted": len(drafts), "input_kept": kept}


# --- The sweep (scheduled) -----------------------------------------------------------------------------------


def remind_drafts(*, now=None) -> int:
    """Tell each author of an unsent draft, once, that the consultation's deadline is near
    (settings.TINGET_CONSULTATION_REMINDER_HOURS before it). Returns how many were reminded."""
    from django.conf import settings

    now = now or timezone.now()
    window = now + dt.timedelta(hours=settings.TINGET_CONSULTATION_REMINDER_HOURS)
    due = Submission.objects.drafts().filter(
        reminded_at__isnull=True,
        author__isnull=False,
        consultation__stage=Stage.PUBLISHED,
        consultation__deadline__gt=now,
        consultation__deadline__lte=window,
    )
    reminded = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed by a conditional UPDATE: two sweeps at once remind each draft once.
            if not Submission.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            transaction.on_commit(lambda pk=pk: emails.draft_reminder(Submission.objects.get(pk=pk)))
            reminded += 1
    return reminded


def purge_stale_drafts(*, now=None) -> int:
    """Delete drafts that can no longer be sent: the consultation is concluded or in processing, or its deadline
    passed settings.TINGET_CONSULTATION_DRAFT_RETENTION_DAYS ago. Nobody but the author ever saw them."""
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.TINGET_CONSULTATION_DRAFT_RETENTION_DAYS)
    stale = Submission.objects.drafts().filter(
        Q(consultation__stage__in=[Stage.PROCESSING, Stage.CONCLUDED]) | Q(consultation__deadline__lt=cutoff)
    )
    deleted = 0
    for submission in stale.prefetch_related("attachments"):
        with transaction.atomic():
            names = [(a.file.storage, a.file.name) for a in submission.attachments.all()]
            audit.log(None, "consultations.submission.draft_purged", submission)
            submission.delete()
            transaction.on_commit(lambda names=names: [storage.delete(name) for storage, name in names])
            deleted += 1
    return deleted


def sweep(*, now=None) -> dict[str, int]:
    """The scheduled work; each step is idempotent (`manage.py consultations_sweep`)."""
    return {"drafts_reminded": remind_drafts(now=now), "drafts_deleted": purge_stale_drafts(now=now)}
