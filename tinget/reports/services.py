"""Every write on fault reports: report, confirm, support ("this is mine too"), handle, moderate, ask whether it
is fixed, and the Open311 API keys. Each function is one use case inside a transaction, audited, with e-mail
sent after commit."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tinget.core import audit, geo
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.models import Area, Unit
from tinget.core.notify import services as notify
from tinget.core.selectors import current_municipality

from . import emails, rules
from .models import (
    CLOSED_UNFIXED_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    ApiKey,
    Category,
    Channel,
    Moderation,
    Photo,
    Question,
    Report,
    State,
    Subscriber,
    Update,
    hash_key,
)

DESCRIPTION_MAX = 4000
MAX_PHOTOS = 3
CONFIRM_MAX_AGE = timedelta(days=14)
CONFIRM_SALT = "tinget.reports.confirm"
SUBSCRIBE_SALT = "tinget.reports.subscribe"
UNSUBSCRIBE_SALT = "tinget.reports.unsubscribe"
QUESTIONNAIRE_SALT = "tinget.reports.questionnaire"


# --- Errors a resident or case worker can read ----------------------------------------------------------------
class OutsideMunicipality(DomainError):
    default_message = _(
        "This place is outside the municipality. Choose a place inside it on the map, or write an address."
    )
    code = "outside_municipality"


class InvalidLocation(DomainError):
    default_message = _("Choose where the fault is: click the map, use your position or write an address.")
    code = "invalid_location"


class CategoryUnavailable(DomainError):
    default_message = _("This category cannot be reported here. Choose another category.")
    code = "category_unavailable"


class InvalidAnswer(DomainError):
    default_message = _("An answer to the extra questions is missing or not valid.")
    code = "invalid_answer"


class DescriptionTooLong(DomainError):
    default_message = _("The description can be at most 4,000 characters.")
    code = "description_too_long"


class TooManyPhotos(DomainError):
    default_message = _("You can add at most 3 photos.")
    code = "too_many_photos"


class ContactRequired(DomainError):
    default_message = _("Give your name and e-mail address, or log in, so that we can confirm the report.")
    code = "contact_required"


class AnswerRequired(DomainError):
    default_message = _("Write an answer to the reporter when closing a report without fixing it.")
    code = "answer_required"


class DuplicateTargetRequired(DomainError):
    default_message = _("Say which report this one is a duplicate of.")
    code = "duplicate_target_required"


class BadToken(DomainError):
    default_message = _("This link is not valid or has expired.")
    code = "bad_token"


class RevokedKey(NotAllowed):
    default_message = _("This API key is not valid or has been revoked.")
    code = "revoked_key"


# --- Helpers ---------------------------------------------------------------------------------------------------
def _now():
    return timezone.now()


def _require(check: bool):
    if not check:
        raise NotAllowed()


def _unit_label(report) -> str:
    return report.unit.name if report.unit_id else str(_("The municipality"))


def _areas():
    municipality = current_municipality()
    return list(Area.objects.filter(municipality=municipality)) if municipality else []


def check_location(latitude, longitude) -> tuple[float, float]:
    """The point as floats, or InvalidLocation / OutsideMunicipality."""
    if not geo.valid_point(latitude, longitude):
        raise InvalidLocation()
    latitude, longitude = float(latitude), float(longitude)
    municipality = current_municipality()
    if municipality is not None and not geo.in_municipality(municipality, latitude, longitude):
        raise OutsideMunicipality()
    return latitude, longitude


def check_category(category: Category) -> Category:
    if category is None or not category.is_active or category.is_urgent or category.not_ours:
        raise CategoryUnavailable()
    return category


def clean_answers(category: Category, answers: dict | None) -> dict:
    """The answers to the category's extra questions, checked against their Open311 datatypes. Unknown codes
    are dropped; a missing required answer or a value outside a list raises InvalidAnswer."""
    answers = answers or {}
    cleaned = {}
    for question in Question.objects.filter(category=category):
        value = answers.get(question.code)
        if value in (None, "", []):
            if question.required:
                raise InvalidAnswer(_("Answer the question: %(question)s"), params={"question": question.question})
            continue
        keys = {v.get("key") for v in question.values}
        if question.datatype == Question.Datatype.MULTI:
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and v in keys for v in values):
                raise InvalidAnswer()
            cleaned[question.code] = values
        elif question.datatype == Question.Datatype.SINGLE:
            if value not in keys:
                raise InvalidAnswer()
            cleaned[question.code] = value
        elif question.datatype == Question.Datatype.NUMBER:
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise InvalidAnswer() from None
            if number != number or number in (float("inf"), float("-inf")):
                raise InvalidAnswer()
            cleaned[question.code] = int(number) if number.is_integer() else number
        else:
            text = str(value).strip()
            if len(text) > (4000 if question.datatype == Question.Datatype.TEXT else 200):
                raise InvalidAnswer()
            cleaned[question.code] = text
    return cleaned


@dataclass
class Reporter:
    """Who reports when nobody is logged in (or a caller, for phone intake)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    show_name: bool = False


def _publish(report: Report, now):
    report.state = State.OPEN
    report.confirmed_at = now
    report.updated_at = now
    report.due_at = now + timedelta(days=report.category.response_days)


def _store_photos(report: Report, photos) -> None:
    for order, processed in enumerate(photos):
        photo = Photo(report=report, order=order, alt_text=getattr(processed, "alt_text", "")[:200])
        photo.image.save("photo.jpg", processed.image, save=False)
        photo.thumbnail.save("thumb.jpg", processed.thumbnail, save=False)
        photo.save()


# --- Reporting -------------------------------------------------------------------------------------------------
def report_create(
    *,
    actor,
    category: Category,
    latitude,
    longitude,
    title: str = "",
    description: str = "",
    address: str = "",
    answers: dict | None = None,
    photos=(),
    reporter: Reporter | None = None,
    channel: str = Channel.WEB,
    api_key: ApiKey | None = None,
    submission_key: str | None = None,
) -> Report:
    """Create a fault report and route it to the category's unit.

    - A logged-in resident's report is published at once, and they follow it.
    - Someone not logged in gives a name and e-mail; the report waits (UNCONFIRMED, never public) until they
      click the link in the e-mail.
    - Staff registering for a caller (channel phone/counter/e-mail) publish at once, with the caller's
      contact details and themselves as `registered_by`.
    - An Open311 client (api_key) publishes at once.
    `photos` are already processed (see photos.process_photo). The same `submission_key` twice returns the
    first report instead of making a second. Raises InvalidLocation, OutsideMunicipality, CategoryUnavailable,
    InvalidAnswer, DescriptionTooLong, TooManyPhotos, ContactRequired, NotAllowed."""
    if submission_key:
        existing = Report.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    check_category(category)
    latitude, longitude = check_location(latitude, longitude)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DescriptionTooLong()
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise TooManyPhotos()
    answers = clean_answers(category, answers)
    reporter = reporter or Reporter()
    logged_in = getattr(actor, "is_authenticated", False)
    intake = channel in (Channel.PHONE, Channel.COUNTER, Channel.EMAIL)
    if intake:
        _require(rules.can_register_for_caller(actor))
    if channel == Channel.OPEN311 and (api_key is None or not api_key.is_active):
        raise RevokedKey()
    anonymous_web = not logged_in and not intake and channel != Channel.OPEN311
    if anonymous_web and not (reporter.name.strip() and reporter.email.strip()):
        raise ContactRequired()

    now = _now()
    title = (title or "").strip()[:120] or category.name
    report = Report(
        category=category,
        unit=category.unit,
        area=geo.nearest_area(_areas(), latitude, longitude),
        title=title,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address=(address or "").strip()[:200],
        answers=answers,
        channel=channel,
        api_key=api_key if channel == Channel.OPEN311 else None,
        submission_key=submission_key or None,
        created_at=now,
        updated_at=now,
        show_name=bool(reporter.show_name),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    if logged_in and not intake:
        report.reporter = actor
        report.reporter_name = (reporter.name or actor.display_name or "")[:150]
        report.reporter_email = actor.email
        report.reporter_phone = reporter.phone[:20]
    else:
        report.reporter_name = reporter.name.strip()[:150]
        report.reporter_email = reporter.email.strip()[:254]
        report.reporter_phone = reporter.phone.strip()[:20]
        if intake:
            report.registered_by = actor
    publish_now = (logged_in and not intake) or intake or channel == Channel.OPEN311
    if publish_now:
        _publish(report, now)
    try:
        with transaction.atomic():
            report.save()
            _store_photos(report, photos)
            Update.objects.create(
                report=report,
                kind=Update.Kind.CREATED,
                new_state=report.state,
                is_public=publish_now,
                author=actor if logged_in else None,
                author_label=report.public_name,
                created_at=now,
                data={"channel": channel},
            )
            audit.log(
                actor if logged_in else (api_key.name if api_key else "anonymous"),
                "reports.report.created",
                report,
                {"channel": channel, "category": category.slug, "published": publish_now},
            )
            if report.reporter_id:
                notify.follow(actor=report.reporter, target=report)
    except IntegrityError:
        # Two submits of the same form raced: the other one won; answer with its report.
        if submission_key:
            existing = Report.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise
    if publish_now:
        emails.receipt(report)
        emails.new_report_to_unit(report)
    else:
        emails.confirm_report(report, confirm_token(report))
    return report


def _account_with_email(email: str):
    if not email:
        return None
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def confirm_token(report: Report) -> str:
    return signing.dumps({"r": report.pk}, salt=CONFIRM_SALT)


def report_confirm(*, token: str) -> Report:
    """Publish a report whose reporter clicked the link in the e-mail. Clicking again changes nothing.

    When the address belongs to an account (verified), the report joins that account: the click proves the
    person holds the address, so the report shows on their Min side and they follow it like any of theirs.
    Raises BadToken for a forged or expired link (the unconfirmed report stays unpublished)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise BadToken() from None
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("category", "unit").filter(pk=data.get("r")).first()
        if report is None:
            raise BadToken()
        if report.state != State.UNCONFIRMED:
            return report
        now = _now()
        _publish(report, now)
        owner = _account_with_email(report.reporter_email)
        if owner is not None:
            report.reporter = owner
        report.save(update_fields=["state", "confirmed_at", "updated_at", "due_at", "reporter"])
        report.updates.filter(kind=Update.Kind.CREATED).update(is_public=True, new_state=State.OPEN)
        audit.log(report.reporter_email or "anonymous", "reports.report.confirmed", report)
        if owner is not None:
            notify.follow(actor=owner, target=report)
    emails.receipt(report)
    emails.new_report_to_unit(report)
    return report


# --- "This is mine too" ----------------------------------------------------------------------------------------
def report_support(*, actor, report: Report, email: str = "") -> str:
    """Someone has the same problem as an open, public report: they follow it instead of reporting it again.

    A logged-in person follows at once ("following"); anyone else gets an e-mail to confirm the address
    ("confirm_sent"), and is subscribed when they click it. Raises NotAllowed for a report that is not public,
    ContactRequired without an e-mail address."""
    if not report.is_public:
        raise NotAllowed()
    if getattr(actor, "is_authenticated", False):
        notify.follow(actor=actor, target=report)
        audit.log(actor, "reports.report.supported", report)
        return "following"
    email = (email or "").strip().lower()
    if not email:
        raise ContactRequired(_("Give your e-mail address so that we can tell you when this changes."))
    with transaction.atomic():
        Subscriber.objects.get_or_create(report=report, email=email)
        audit.log("anonymous", "reports.report.subscribe_requested", report)
    emails.confirm_subscription(report, email, signing.dumps({"r": report.pk, "e": email}, salt=SUBSCRIBE_SALT))
    return "confirm_sent"


def subscriber_confirm(*, token: str) -> Subscriber:
    try:
        data = signing.loads(token, salt=SUBSCRIBE_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise BadToken() from None
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(report_id=data.get("r"), email=data.get("e")).first()
        if subscriber is None:
            raise BadToken()
        if subscriber.confirmed_at is None:
            subscriber.confirmed_at = _now()
            subscriber.save(update_fields=["confirmed_at"])
            audit.log("anonymous", "reports.report.subscribed", subscriber.report)
    return subscriber


def unsubscribe_token(report: Report, email: str) -> str:
    return signing.dumps({"r": report.pk, "e": email.lower()}, salt=UNSUBSCRIBE_SALT)


def subscriber_unsubscribe(*, token: str) -> Report | None:
    """Stop e-mails about a report to an address (a subscriber, or the reporter without an account)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise BadToken() from None
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=data.get("r")).first()
        if report is None:
            raise BadToken()
        Subscriber.objects.filter(report=report, email=data.get("e")).delete()
        if report.reporter_id is None and report.reporter_email.lower() == data.get("e"):
            report.reporter_email = ""
            report.save(update_fields=["reporter_email"])
        audit.log("anonymous", "reports.report.unsubscribed", report)
    return report


# --- Handling --------------------------------------------------------------------------------------------------
def _announce(report: Report, update: Update, *, exclude=None):
    """Tell followers, the reporter without an account and e-mail subscribers about a public change."""
    notify.announce(
        event_key=f"reports.report.{report.pk}.update.{update.pk}",
        verb="reports.report.updated",
        target=report,
        title=lambda: _("Report #%(id)s: %(state)s") % {"id": report.pk, "state": report.get_state_display()},
        body=update.text,
        exclude=exclude,
    )
    emails.update_to_subscribers(report, update)


def report_change_state(
    *, actor, report: Report, state: str, answer: str = "", duplicate_of: Report | None = None
) -> Update:
    """A case worker moves a report to another state with a public answer (required when closing it without
    fixing it). Followers are told. Raises NotAllowed, InvalidTransition, AnswerRequired,
    DuplicateTargetRequired."""
    _require(rules.can_handle(actor, report))
    answer = (answer or "").strip()
    if len(answer) > DESCRIPTION_MAX:
        raise DescriptionTooLong()
    if state not in PUBLIC_STATES or report.state == State.UNCONFIRMED or state == report.state:
        raise InvalidTransition()
    if state in CLOSED_UNFIXED_STATES and not answer:
        raise AnswerRequired()
    if state == State.DUPLICATE and (
        duplicate_of is None or duplicate_of.pk == report.pk or not duplicate_of.is_public
    ):
        raise DuplicateTargetRequired()
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("unit", "category").get(pk=report.pk)
        if state == report.state:
            raise InvalidTransition()
        now = _now()
        old = report.state
        report.state = state
        report.updated_at = now
        report.duplicate_of = duplicate_of if state == State.DUPLICATE else None
        if state in OPEN_STATES:
            report.fixed_at = None
            report.closed_at = None
            report.questionnaire_sent_at = None
            if old not in OPEN_STATES:
                # Reopened: a new answer time from now, or the queue would call it overdue at once.
                report.due_at = now + timedelta(days=report.category.response_days)
        elif state == State.FIXED:
            report.fixed_at = now
            report.closed_at = now
        else:
            # Closed without being fixed (perhaps after being marked fixed): it does not count as fixed.
            report.fixed_at = None
            report.closed_at = now
        report.save(
            update_fields=[
                "state",
                "updated_at",
                "duplicate_of",
                "fixed_at",
                "closed_at",
                "questionnaire_sent_at",
                "due_at",
            ]
        )
        update = Update.objects.create(
            report=report,
            kind=Update.Kind.STATE,
            author=actor,
            author_label=_unit_label(report),
            old_state=old,
            new_state=state,
            text=answer,
            data={"duplicate_of": duplicate_of.pk} if duplicate_of else {},
            created_at=now,
        )
        audit.log(actor, "reports.report.state_changed", report, {"from": old, "to": state})
        _announce(report, update, exclude=actor)
    return update


def report_answer(*, actor, report: Report, text: str) -> Update:
    """A public answer without changing the state. Raises NotAllowed, AnswerRequired, DescriptionTooLong."""
    _require(rules.can_handle(actor, report))
    if report.state == State.UNCONFIRMED:
        # Not public yet: a "public" answer would e-mail an address nobody has confirmed.
        raise InvalidTransition()
    text = (text or "").strip()
    if not text:
        raise AnswerRequired(_("Write the answer."))
    if len(text) > DESCRIPTION_MAX:
        raise DescriptionTooLong()
    with transaction.atomic():
        now = _now()
        Report.objects.filter(pk=report.pk).update(updated_at=now)
        update = Update.objects.create(
            report=report,
            kind=Update.Kind.ANSWER,
            author=actor,
            author_label=_unit_label(report),
            text=text,
            new_state=report.state,
            created_at=now,
        )
        audit.log(actor, "reports.report.answered", report)
        _announce(report, update, exclude=actor)
    return update


def report_add_note(*, actor, report: Report, text: str) -> Update:
    """An internal note, seen only by staff."""
    _require(rules.can_handle(actor, report))
    text = (text or "").strip()
    if not text:
        raise AnswerRequired(_("Write the note."))
    if len(text) > DESCRIPTION_MAX:
        raise DescriptionTooLong()
    with transaction.atomic():
        update = Update.objects.create(
            report=report, kind=Update.Kind.NOTE, is_public=False, author=actor, author_label=str(actor), text=text
        )
        audit.log(actor, "reports.report.noted", report)
    return update


def report_reroute(*, actor, report: Report, unit: Unit | None = None, category: Category | None = None, note=""):
    """Send a report to another unit, or move it to another category (and that category's unit).
    The expected answer time follows the new category. Raises NotAllowed, InvalidTransition."""
    _require(rules.can_handle(actor, report))
    if unit is None and category is None:
        raise InvalidTransition(_("Choose another unit or category."))
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("unit", "category").get(pk=report.pk)
        before = {"unit": report.unit_id, "category": report.category_id}
        if category is not None and category.pk != report.category_id:
            report.category = category
            report.unit = category.unit
            if report.confirmed_at:
                report.due_at = report.confirmed_at + timedelta(days=category.response_days)
        if unit is not None:
            report.unit = unit
        if before == {"unit": report.unit_id, "category": report.category_id}:
            raise InvalidTransition(_("The report is already there."))
        report.updated_at = _now()
        report.save(update_fields=["unit", "category", "due_at", "updated_at"])
        update = Update.objects.create(
            report=report,
            kind=Update.Kind.REROUTED,
            is_public=False,
            author=actor,
            author_label=str(actor),
            text=(note or "").strip()[:DESCRIPTION_MAX],
            data={"from": before, "to": {"unit": report.unit_id, "category": report.category_id}},
        )
        audit.log(actor, "reports.report.rerouted", report, update.data)
    return update


def report_merge(*, actor, duplicate: Report, into: Report, answer: str = "") -> Update:
    """Mark `duplicate` as a duplicate of `into` and move its followers and subscribers there."""
    _require(rules.can_handle(actor, duplicate))
    answer = (answer or "").strip() or str(_("This has already been reported: see report #%(id)s.") % {"id": into.pk})
    with transaction.atomic():
        update = report_change_state(
            actor=actor, report=duplicate, state=State.DUPLICATE, answer=answer, duplicate_of=into
        )
        from tinget.core.notify.selectors import followers_of

        for user in followers_of(duplicate):
            notify.follow(actor=user, target=into)
        for subscriber in Subscriber.objects.filter(report=duplicate, confirmed_at__isnull=False):
            Subscriber.objects.get_or_create(
                report=into, email=subscriber.email, defaults={"confirmed_at": subscriber.confirmed_at}
            )
        if duplicate.reporter_id is None and duplicate.reporter_email:
            Subscriber.objects.get_or_create(
                report=into, email=duplicate.reporter_email.lower(), defaults={"confirmed_at": _now()}
            )
        Update.objects.create(
            report=into,
            kind=Update.Kind.MERGED,
            is_public=False,
            author=actor,
            author_label=str(actor),
            data={"duplicate": duplicate.pk},
        )
        audit.log(actor, "reports.report.merged", duplicate, {"into": into.pk})
    return update


# --- Moderation ------------------------------------------------------------------------------------------------
def _moderation(actor, report, action, reason, **extra) -> Moderation:
    _require(rules.can_moderate(actor))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why (for the log)."), code="reason_required")
    moderation = Moderation.objects.create(report=report, action=action, moderator=actor, reason=reason[:300], **extra)
    audit.log(actor, f"reports.moderation.{action}", report, {"reason": reason[:300]})
    return moderation


def report_set_hidden(*, actor, report: Report, hidden: bool, reason: str) -> Moderation:
    """Hide a whole report from the public (or show it again). Staff still see it."""
    with transaction.atomic():
        action = Moderation.Action.HIDE_REPORT if hidden else Moderation.Action.SHOW_REPORT
        moderation = _moderation(actor, report, action, reason)
        Report.objects.filter(pk=report.pk).update(is_hidden=hidden)
        report.is_hidden = hidden
    return moderation


def report_redact(*, actor, report: Report, reason: str, title: str | None = None, description: str | None = None):
    """Replace the public title and/or description; the original is kept in the moderation log for staff."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        done = []
        if title is not None and title.strip() and title.strip() != report.title:
            done.append(_moderation(actor, report, Moderation.Action.REDACT_TITLE, reason, original=report.title))
            report.title = title.strip()[:120]
        if description is not None and description.strip() != report.description:
            if len(description) > DESCRIPTION_MAX:
                raise DescriptionTooLong()
            done.append(
                _moderation(actor, report, Moderation.Action.REDACT_DESCRIPTION, reason, original=report.description)
            )
            report.description = description.strip()
        if not done:
            raise InvalidTransition(_("Nothing was changed."))
        report.save(update_fields=["title", "description"])
    return done


def photo_set_hidden(*, actor, photo: Photo, hidden: bool, reason: str) -> Moderation:
    with transaction.atomic():
        action = Moderation.Action.HIDE_PHOTO if hidden else Moderation.Action.SHOW_PHOTO
        moderation = _moderation(actor, photo.report, action, reason, photo=photo)
        Photo.objects.filter(pk=photo.pk).update(is_hidden=hidden)
        photo.is_hidden = hidden
    return moderation


def update_hide(*, actor, update: Update, reason: str) -> Moderation:
    with transaction.atomic():
        moderation = _moderation(
            actor, update.report, Moderation.Action.HIDE_UPDATE, reason, update=update, original=update.text
        )
        Update.objects.filter(pk=update.pk).update(is_hidden=True)
        update.is_hidden = True
    return moderation


# --- "Is it fixed?" --------------------------------------------------------------------------------------------
def questionnaire_token(report: Report) -> str:
    return signing.dumps({"r": report.pk}, salt=QUESTIONNAIRE_SALT)


def questionnaires_send(*, now=None) -> int:
    """Ask reporters of reports fixed four weeks ago (TINGET_REPORT_QUESTIONNAIRE_DAYS) whether it is fixed.
    Each report is asked once; safe to run as often as you like. Returns how many were asked."""
    now = now or _now()
    cutoff = now - timedelta(days=settings.TINGET_REPORT_QUESTIONNAIRE_DAYS)
    due = Report.objects.filter(
        state=State.FIXED, fixed_at__lte=cutoff, questionnaire_sent_at__isnull=True, is_hidden=False
    ).exclude(reporter_email="")
    asked = 0
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            report = Report.objects.select_for_update().filter(pk=pk, questionnaire_sent_at__isnull=True).first()
            if report is None:
                continue
            report.questionnaire_sent_at = now
            report.save(update_fields=["questionnaire_sent_at"])
            emails.questionnaire(report, questionnaire_token(report))
            asked += 1
    return asked


def report_for_questionnaire(token: str) -> Report:
    try:
        data = signing.loads(token, salt=QUESTIONNAIRE_SALT, max_age=timedelta(days=90))
    except signing.BadSignature:
        raise BadToken() from None
    report = Report.objects.select_related("category", "unit").filter(pk=data.get("r")).first()
    if report is None:
        raise BadToken()
    return report


def questionnaire_answer(*, token: str, fixed: bool, text: str = "") -> Report:
    """The reporter answers "is it fixed?". No reopens the report (one click); yes is recorded.
    Answering again after the report has moved on changes nothing."""
    report = report_for_questionnaire(token)
    text = (text or "").strip()[:DESCRIPTION_MAX]
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("unit", "category").get(pk=report.pk)
        if report.state != State.FIXED:
            return report
        now = _now()
        if fixed:
            if not report.updates.filter(kind=Update.Kind.QUESTIONNAIRE).exists():
                Update.objects.create(
                    report=report,
                    kind=Update.Kind.QUESTIONNAIRE,
                    author=report.reporter,
                    author_label=report.public_name,
                    text=text,
                    new_state=State.FIXED,
                    data={"fixed": True},
                )
                audit.log(report.reporter or "reporter", "reports.report.confirmed_fixed", report)
            return report
        report.state = State.OPEN
        report.fixed_at = None
        report.closed_at = None
        # As when a case worker reopens it: asked again after the next fix.
        report.questionnaire_sent_at = None
        report.updated_at = now
        report.due_at = now + timedelta(days=report.category.response_days)
        report.save(update_fields=["state", "fixed_at", "closed_at", "questionnaire_sent_at", "updated_at", "due_at"])
        update = Update.objects.create(
            report=report,
            kind=Update.Kind.REOPENED,
            author=report.reporter,
            author_label=report.public_name,
            old_state=State.FIXED,
            new_state=State.OPEN,
            text=text,
            data={"fixed": False},
            created_at=now,
        )
        audit.log(report.reporter or "reporter", "reports.report.reopened", report)
        _announce(report, update, exclude=report.reporter)
        emails.reopened_to_unit(report, update)
    return report


def report_reopen(*, actor, report: Report, text: str = "") -> Report:
    """The logged-in reporter says a fixed report is not fixed after all."""
    _require(rules.can_reopen(actor, report) and report.state == State.FIXED)
    return questionnaire_answer(token=questionnaire_token(report), fixed=False, text=text)


# --- Open311 API keys ------------------------------------------------------------------------------------------
def api_key_create(*, actor, name: str) -> tuple[ApiKey, str]:
    """Issue a key for an Open311 client. Returns the row and the key, which is shown this once only."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the key a name of at most 100 characters."), code="name_required")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            name=name,
            prefix=key[:8],
            key_hash=hash_key(key),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.log(actor or "manage.py", "reports.apikey.created", api_key)
    return api_key, key


def api_key_revoke(*, actor, api_key: ApiKey) -> ApiKey:
    with transaction.atomic():
        if api_key.revoked_at is None:
            api_key.revoked_at = _now()
            api_key.save(update_fields=["revoked_at"])
            audit.log(actor or "manage.py", "reports.apikey.revoked", api_key)
    return api_key


def api_key_check(key: str) -> ApiKey:
    """The active key, or RevokedKey. Marks when it was last used (at most once a minute)."""
    if not key or len(key) > 200:
        raise RevokedKey()
    api_key = ApiKey.objects.filter(key_hash=hash_key(key)).first()
    if api_key is None or not api_key.is_active:
        raise RevokedKey()
    now = _now()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key


# --- Retention sweeps (manage.py reports_sweep) ----------------------------------------------------------------
def _delete_files_after_commit(names):
    """Photo files go once the rows are gone for good; a rolled-back delete keeps both."""
    import logging

    from django.core.files.storage import default_storage

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except Exception:  # any storage backend's error: the rows are gone, so log the orphan and go on
                logging.getLogger(__name__).warning("Could not delete the photo file %s", name, exc_info=True)

    if names:
        transaction.on_commit(delete)


def unconfirmed_purge(*, now=None) -> int:
    """Delete reports whose reporter never confirmed them by e-mail within 14 days (the confirmation link has
    expired by then), with their photos, history and subscribers. They were never public. Safe to run as
    often as you like; returns how many reports were deleted. Audited."""
    from django.contrib.contenttypes.models import ContentType

    from tinget.core.models import Follow

    now = now or _now()
    stale = Report.objects.filter(state=State.UNCONFIRMED, created_at__lt=now - CONFIRM_MAX_AGE)
    deleted = 0
    while ids := list(stale.order_by("pk").values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            files = [
                name
                for pair in Photo.objects.filter(report_id__in=ids).values_list("image", "thumbnail")
                for name in pair
                if name
            ]
            Follow.objects.filter(
                content_type=ContentType.objects.get_for_model(Report), object_id__in=[str(pk) for pk in ids]
            ).delete()
            _total, per_model = Report.objects.filter(pk__in=ids, state=State.UNCONFIRMED).delete()
            count = per_model.get(Report._meta.label, 0)
            audit.log("reports_sweep", "reports.report.unconfirmed_purged", None, {"count": count, "ids": ids})
            _delete_files_after_commit(files)
        deleted += count
    return deleted


def reporter_details_purge(*, now=None) -> int:
    """Privacy retention (see module.py's `retention`): two years (TINGET_REPORT_REPORTER_RETENTION_DAYS) after
    a report was closed, erase the name, e-mail address and phone number of a reporter without an account
    (the report itself stays public, without a name), the name on their own lines in its history, and the
    report's e-mail subscribers. A report that was reopened is not closed and keeps them. Returns how many
    reports lost their reporter's details; running it again finds nothing. Audited."""
    now = now or _now()
    days = int(getattr(settings, "TINGET_REPORT_REPORTER_RETENTION_DAYS", 730))
    closed = Report.objects.filter(closed_at__lt=now - timedelta(days=days)).exclude(
        state__in=OPEN_STATES | {State.UNCONFIRMED}
    )
    with transaction.atomic():
        subscribers, _counts = Subscriber.objects.filter(report__in=closed).delete()
        pending = closed.filter(reporter__isnull=True).exclude(reporter_name="", reporter_email="", reporter_phone="")
        erased = 0
        while ids := list(pending.order_by("pk").values_list("pk", flat=True)[:1000]):
            erased += Report.objects.filter(pk__in=ids).update(
                reporter_name="", reporter_email="", reporter_phone="", show_name=False
            )
            # The reporter's own lines carry their public name as the label (a staff member who took a phone
            # call is the author of the "reported" line, but the label is still the caller's name).
            Update.objects.filter(
                report_id__in=ids, kind__in=[Update.Kind.CREATED, Update.Kind.QUESTIONNAIRE, Update.Kind.REOPENED]
            ).exclude(author_label="").update(author_label="")
        if erased or subscribers:
            audit.log(
                "reports_sweep",
                "reports.report.reporter_details_purged",
                None,
                {"reports": erased, "subscribers": subscribers},
            )
    return erased
