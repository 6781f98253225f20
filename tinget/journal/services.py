"""Every write on access requests: send (with e-mail verification when needed), answer, appeal, forward an
appeal, and the sweep that reminds units and tells requesters of offentleglova § 32. Imports are in importing.py.

Deadlines count Norwegian working days (tinget.core.workdays): a part sent on day 0 is due by the end of the
fifth working day after it; the unit is reminded after 1 and 3 working days; after the deadline day the requester
is told that no answer counts as a refusal they can appeal.
"""

import mimetypes
import os
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinget.core import audit
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.models import Unit
from tinget.core.workdays import add_working_days, local_date, working_days_between

from . import emails, rules, search
from .models import (
    AccessRequest,
    AccessRequestItem,
    AccessRequestPart,
    AnswerFile,
    JournalEntry,
    RequestStatus,
)

MESSAGE_MAX = 4000
ANSWER_MAX = 10_000
PERIOD_MAX_DAYS = 366
VERIFY_SALT = "tinget.journal.verify"
VERIFY_MAX_AGE = timedelta(days=3)
ANSWER_FILE_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".docx",
        ".doc",
        ".odt",
        ".xlsx",
        ".xls",
        ".ods",
        ".txt",
        ".rtf",
        ".jpg",
        ".jpeg",
        ".png",
        ".zip",
        ".eml",
        ".msg",
        ".csv",
    }
)
ANSWER_FILES_MAX = 20
# The audit log names a requester without an account like this: the e-mail address stays on the request alone,
# so deleting the request forgets it.
REQUESTER = "requester"


class RequestError(DomainError):
    default_message = _("The access request could not be sent.")


class BadToken(DomainError):
    default_message = _("This link is not valid or has expired. Send the request again from your basket.")


def today(now: datetime | None = None):
    return local_date(now or timezone.now())


# --- Sending ---------------------------------------------------------------------------------------------------


def _email_verified(user, email: str) -> bool:
    if not (user and user.is_authenticated):
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def request_create(
    *,
    user,
    email: str,
    entry_ids=(),
    message: str = "",
    language: str = "nb",
    period_from=None,
    period_to=None,
    period_unit: Unit | None = None,
    now: datetime | None = None,
) -> AccessRequest:
    """Create an access request for public entries (split per responsible unit) or for the whole journal of a
    period (§ 28, answered by `period_unit` or settings.TINGET_JOURNAL_PERIOD_UNIT). Sent at once when `email`
    is the logged-in person's verified address; otherwise a verification link is e-mailed and the request is
    sent when it is followed (`request_verify`).

    Raises RequestError for no entries, an entry that does not exist or is not public, too many entries, a
    message over MESSAGE_MAX, or a bad period."""
    now = now or timezone.now()
    email = (email or "").strip()
    if not email:
        raise RequestError(_("Give an e-mail address so that the answer can reach you."))
    # The API and other callers reach here without a form: a malformed or over-long address (the column holds
    # 254 characters; PostgreSQL would fail, SQLite would store it) is refused here too.
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise RequestError(_("Write a whole e-mail address, like name@example.no.")) from None
    if len(email) > AccessRequest._meta.get_field("email").max_length:
        raise RequestError(_("Write a whole e-mail address, like name@example.no."))
    message = (message or "").strip()
    if "\x00" in message:
        raise RequestError(_("The message holds a character that cannot be stored. Remove it and send again."))
    if len(message) > MESSAGE_MAX:
        raise RequestError(_("The message can be at most %(max)s characters long."), params={"max": MESSAGE_MAX})
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    is_period = period_from is not None or period_to is not None
    ids = []
    for raw in entry_ids:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise RequestError(_("One of the entries asked for does not exist.")) from None
        if not 0 < pk < 2**63:
            # No row has such a key, and SQLite cannot even be asked about a number beyond 64 bits.
            raise RequestError(_("One of the entries asked for does not exist."))
        if pk not in ids:
            ids.append(pk)
    if is_period and ids:
        raise RequestError(_("Ask for a period of the journal or for entries, not both in one request."))
    if not is_period and not ids:
        raise RequestError(_("Your basket is empty. Add the entries you want to see first."))
    if len(ids) > settings.TINGET_JOURNAL_BASKET_MAX:
        raise RequestError(
            _("One request can hold at most %(max)s entries."), params={"max": settings.TINGET_JOURNAL_BASKET_MAX}
        )
    if is_period:
        if period_from is None or period_to is None:
            raise RequestError(_("Give both the first and the last day of the period."))
        if period_to < period_from:
            raise RequestError(_("The period must end on or after the day it starts."))
        if (period_to - period_from).days >= PERIOD_MAX_DAYS:
            raise RequestError(_("Ask for at most one year of the journal at a time."))
        if period_from > today(now):
            raise RequestError(_("The period must start today or earlier."))
    with transaction.atomic():
        entries = list(JournalEntry.objects.public().filter(pk__in=ids).select_related("case", "unit"))
        if len(entries) != len(ids):
            raise RequestError(
                _("One of the entries asked for does not exist or is no longer public. Remove it and send again.")
            )
        access_request = AccessRequest.objects.create(
            user=user if user and user.is_authenticated else None,
            email=email,
            message=message,
            language=language,
            period_from=period_from if is_period else None,
            period_to=period_to if is_period else None,
        )
        by_unit: dict[int, list[JournalEntry]] = {}
        for entry in sorted(entries, key=lambda e: ids.index(e.pk)):
            by_unit.setdefault(entry.unit_id, []).append(entry)
        if is_period:
            unit = period_unit or Unit.objects.filter(slug=settings.TINGET_JOURNAL_PERIOD_UNIT).first()
            if unit is None:
                raise RequestError(_("Requests for a period of the journal cannot be received just now."))
            by_unit = {unit.pk: []}
        deadline = add_working_days(now, rules.answer_working_days())
        for unit_id, unit_entries in by_unit.items():
            part = AccessRequestPart.objects.create(
                request=access_request, unit_id=unit_id, sent_at=now, deadline=deadline
            )
            AccessRequestItem.objects.bulk_create(
                AccessRequestItem(part=part, entry=e, entry_number=e.entry_number, title=e.public_title)
                for e in unit_entries
            )
        audit.log(
            user if user and user.is_authenticated else REQUESTER,
            "journal.request.created",
            access_request,
            {"entries": len(ids), "units": len(by_unit), "period": is_period},
        )
        if _email_verified(user, email):
            _send(access_request, now)
        else:
            token = verification_token(access_request)
            transaction.on_commit(lambda: emails.verify(access_request, token))
    return access_request


def verification_token(access_request: AccessRequest) -> str:
    return signing.dumps(str(access_request.key), salt=VERIFY_SALT)


def request_verify(*, token: str, now: datetime | None = None) -> AccessRequest:
    """Follow the e-mailed link: the address is verified and the request is sent (once; a second click just
    returns it). Raises BadToken for a forged or expired link."""
    try:
        key = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        raise BadToken() from None
    with transaction.atomic():
        access_request = AccessRequest.objects.select_for_update().filter(key=key).first()
        if access_request is None:
            raise BadToken()
        if access_request.sent_at is None:
            _send(access_request, now or timezone.now())
    return access_request


def _send(access_request: AccessRequest, now: datetime) -> None:
    """Send a verified request: the deadlines run from now, each unit is told, the requester gets a receipt."""
    deadline = add_working_days(now, rules.answer_working_days())
    access_request.sent_at = now
    access_request.save(update_fields=["sent_at"])
    access_request.parts.update(sent_at=now, deadline=deadline, status=RequestStatus.SENT)
    audit.log(access_request.user or REQUESTER, "journal.request.sent", access_request)
    parts = list(access_request.parts.select_related("unit"))
    transaction.on_commit(lambda: emails.receipt(access_request))
    for part in parts:
        transaction.on_commit(lambda part=part: emails.new_part(part))


# --- Answering ----------------------------------------------------------------------------------------------

GRANT, PARTLY, REFUSE = "granted", "partly_granted", "refused"
DECISIONS = (GRANT, PARTLY, REFUSE)


def _check_file(upload) -> None:
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ANSWER_FILE_EXTENSIONS:
        raise DomainError(
            _("%(name)s cannot be sent: use PDF, an office document, a picture, text or ZIP."), params={"name": name}
        )
    if not upload.size:
        raise DomainError(_("%(name)s is empty."), params={"name": name})
    if upload.size > settings.TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES:
        raise DomainError(
            _("%(name)s is larger than %(max)s MB."),
            params={"name": name, "max": settings.TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES // 1024**2},
        )


def part_answer(
    *,
    actor,
    part: AccessRequestPart,
    decision: str,
    answer: str = "",
    legal_basis: str = "",
    appeal_information: str = "",
    link: str = "",
    files=(),
    item_decisions: dict | None = None,
    now: datetime | None = None,
) -> AccessRequestPart:
    """The unit's answer: grant (with files or a link), partly grant (per entry, with the legal basis for what is
    refused) or refuse (with the legal basis and how to appeal). An appealed part may be answered again.

    Raises NotAllowed for someone outside the unit, InvalidTransition when the part is not waiting for an
    answer, DomainError for a decision without what it needs."""
    now = now or timezone.now()
    if not rules.can_answer(actor, part):
        raise NotAllowed(_("Only the responsible unit's case workers can answer this request."))
    if decision not in DECISIONS:
        raise DomainError(_("Choose whether to grant, partly grant or refuse."))
    answer, legal_basis, appeal_information = (
        (answer or "").strip(),
        (legal_basis or "").strip(),
        (appeal_information or "").strip(),
    )
    if len(answer) > ANSWER_MAX or len(appeal_information) > ANSWER_MAX:
        raise DomainError(_("The answer can be at most %(max)s characters long."), params={"max": ANSWER_MAX})
    # The columns' limits, and only web addresses as the link: the requester's page makes it a link.
    legal_basis_max = AccessRequestPart._meta.get_field("legal_basis").max_length
    if len(legal_basis) > legal_basis_max:
        raise DomainError(_("The legal basis can be at most %(max)s characters long."), params={"max": legal_basis_max})
    link = (link or "").strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise DomainError(_("The link must be a web address that starts with https:// or http://.")) from None
        if len(link) > AccessRequestPart._meta.get_field("link").max_length:
            raise DomainError(_("The link is too long."))
    files = list(files)
    if len(files) > ANSWER_FILES_MAX:
        raise DomainError(_("Send at most %(max)s files with one answer."), params={"max": ANSWER_FILES_MAX})
    for upload in files:
        _check_file(upload)
    if (
        decision in (GRANT, PARTLY)
        and not files
        and not link
        and not part.files.exists()
        and not part.request.is_period
    ):
        raise DomainError(_("Attach the documents or give a link to them when you grant access."))
    if decision in (PARTLY, REFUSE):
        if not legal_basis:
            raise DomainError(_("Give the legal basis for refusing access (for example Offl. § 13 jf. fvl. § 13)."))
        if not appeal_information:
            raise DomainError(_("Tell the requester how to appeal."))
    with transaction.atomic():
        part = AccessRequestPart.objects.select_for_update().select_related("request", "unit").get(pk=part.pk)
        if part.request.sent_at is None or not rules.can_answer_now(part):
            raise InvalidTransition(_("This request has already been answered."))
        items = list(part.items.all())
        if decision == PARTLY and items:
            # Partly granted: some entries refused, or parts of a document held back (the usual case with one
            # document). Each entry is then granted (in whole or in part) or refused; at least one is granted.
            chosen = {str(k): v for k, v in (item_decisions or {}).items()}
            if len(items) == 1 and not chosen:
                chosen = {str(items[0].pk): AccessRequestItem.Decision.GRANTED}
            values = [chosen.get(str(item.pk)) for item in items]
            if any(v not in (AccessRequestItem.Decision.GRANTED, AccessRequestItem.Decision.REFUSED) for v in values):
                raise DomainError(_("Say for each entry whether access is granted or refused."))
            if all(v == AccessRequestItem.Decision.REFUSED for v in values):
                raise DomainError(_("Nothing is granted: choose to refuse instead."))
            for item, value in zip(items, values, strict=True):
                item.decision = value
        else:
            for item in items:
                item.decision = (
                    AccessRequestItem.Decision.REFUSED if decision == REFUSE else AccessRequestItem.Decision.GRANTED
                )
        AccessRequestItem.objects.bulk_update(items, ["decision"])
        first_answer = part.answered_at is None
        part.status = decision
        part.answered_at = now
        part.answered_by = actor
        if first_answer:
            part.working_days_to_answer = min(working_days_between(part.sent_at, now), 32767)
        part.answer = answer
        part.legal_basis = legal_basis if decision != GRANT else ""
        part.appeal_information = appeal_information if decision != GRANT else ""
        part.link = link or ""
        part.save()
        for upload in files:
            AnswerFile.objects.create(
                part=part,
                file=upload,
                name=os.path.basename(upload.name)[:255],
                size=upload.size,
                content_type=getattr(upload, "content_type", "") or mimetypes.guess_type(upload.name)[0] or "",
            )
        audit.log(actor, f"journal.part.{decision}", part, {"files": len(files), "link": bool(link)})
        transaction.on_commit(lambda: emails.answered(part))
    return part


def part_appeal(*, access_request: AccessRequest, part: AccessRequestPart, message: str = "", now=None):
    """The requester appeals a refusal, a partial grant, or no answer in time (§ 32). The appeal goes to the unit,
    which may grant after all or send it on to the County Governor. Raises InvalidTransition when the part cannot
    be appealed (granted, still in time, or appealed before)."""
    now = now or timezone.now()
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise DomainError(_("The appeal can be at most %(max)s characters long."), params={"max": MESSAGE_MAX})
    with transaction.atomic():
        part = AccessRequestPart.objects.select_for_update().select_related("request", "unit").get(pk=part.pk)
        if part.request_id != access_request.pk:
            raise NotAllowed()
        # A request never confirmed was never sent: its parts wait with a provisional deadline, not for an answer.
        if part.request.sent_at is None or not rules.can_appeal(part, today(now)):
            raise InvalidTransition(_("This answer cannot be appealed (again)."))
        part.status = RequestStatus.APPEALED
        part.appealed_at = now
        part.appeal_message = message
        part.save(update_fields=["status", "appealed_at", "appeal_message"])
        audit.log(access_request.user or REQUESTER, "journal.part.appealed", part)
        transaction.on_commit(lambda: emails.appealed(part))
    return part


def part_forward(*, actor, part: AccessRequestPart, note: str = "", now=None):
    """The unit upholds its refusal and sends the appeal to the County Governor (Statsforvalteren), as the law
    has a municipality's refusals appealed. Raises NotAllowed / InvalidTransition."""
    now = now or timezone.now()
    if not rules.can_answer(actor, part):
        raise NotAllowed(_("Only the responsible unit's case workers can handle this appeal."))
    note = (note or "").strip()
    if len(note) > ANSWER_MAX:
        raise DomainError(_("The answer can be at most %(max)s characters long."), params={"max": ANSWER_MAX})
    with transaction.atomic():
        part = AccessRequestPart.objects.select_for_update().select_related("request", "unit").get(pk=part.pk)
        if part.status != RequestStatus.APPEALED:
            raise InvalidTransition(_("Only an appealed request can be sent to the County Governor."))
        part.status = RequestStatus.FORWARDED
        part.forwarded_at = now
        part.forward_note = note
        part.save(update_fields=["status", "forwarded_at", "forward_note"])
        audit.log(actor, "journal.part.forwarded", part)
        transaction.on_commit(lambda: emails.forwarded(part))
    return part


# --- Sweep -----------------------------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The journal's scheduled work (manage.py journal_sweep, hourly): remind units after 1 and 3 working days,
    tell requesters of § 32 after the deadline, take personal names out of search after the set time, and
    delete old requests. Idempotent: each reminder and notice is sent once."""
    now = now or timezone.now()
    counts = {"reminded_1": 0, "reminded_3": 0, "overdue_notified": 0}
    waiting = AccessRequestPart.objects.filter(
        status=RequestStatus.SENT, answered_at__isnull=True, request__sent_at__isnull=False
    ).select_related("request", "unit")
    for part in waiting.filter(overdue_notified_at__isnull=True).iterator(chunk_size=500):
        passed = working_days_between(part.sent_at, now)
        if rules.is_overdue(part, today(now)):
            counts["overdue_notified"] += _mark(part, "overdue_notified_at", now, emails.overdue)
        elif passed >= 3 and part.reminded_3_at is None:
            counts["reminded_3"] += _mark(part, "reminded_3_at", now, lambda p: emails.reminder(p, 3))
        elif passed >= 1 and part.reminded_1_at is None and part.reminded_3_at is None:
            counts["reminded_1"] += _mark(part, "reminded_1_at", now, lambda p: emails.reminder(p, 1))
    counts["names_faded"] = fade_names(now=now)
    counts["requests_deleted"] = delete_old_requests(now=now)
    return counts


def _mark(part, field, now, send) -> int:
    """Set the part's timestamp once (a concurrent sweep finds it set) and send after the commit."""
    with transaction.atomic():
        changed = AccessRequestPart.objects.filter(pk=part.pk, **{f"{field}__isnull": True}).update(**{field: now})
        if changed:
            audit.log("system", f"journal.part.{field.removesuffix('_at')}", part)
            transaction.on_commit(lambda: send(part))
    return changed


def fade_names(*, now: datetime | None = None, batch: int = 2000) -> int:
    """Take private persons' names out of the search text of entries published more than
    TINGET_JOURNAL_NAME_SEARCH_DAYS ago (the names stay on the entry's page)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TINGET_JOURNAL_NAME_SEARCH_DAYS)
    done = 0
    engine = search.engine()
    while True:
        entries = list(
            JournalEntry.objects.filter(names_faded_at__isnull=True, published_at__lt=cutoff)
            .select_related("case")
            .prefetch_related("correspondents")
            .order_by("pk")[:batch]
        )
        if not entries:
            return done
        with transaction.atomic():
            for entry in entries:
                entry.search_document = search.document_for(
                    title=entry.public_title,
                    case_title=entry.case.public_title,
                    names=[(c.name, c.is_person) for c in entry.correspondents.all()],
                    with_persons=False,
                )
                entry.names_faded_at = now
            JournalEntry.objects.bulk_update(entries, ["search_document", "names_faded_at"])
            engine.index([(e.pk, e.search_document) for e in entries])
        done += len(entries)


def delete_old_requests(*, now: datetime | None = None) -> int:
    """Delete requests (with their answer files) whose last answer or appeal is older than the retention period
    (the statistics lose them too, so the period is years), and requests never confirmed a day after their link
    expired (nobody will answer them, and the address was never shown to be the requester's)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TINGET_JOURNAL_REQUEST_RETENTION_DAYS)
    old = (
        AccessRequest.objects.filter(created_at__lt=cutoff, sent_at__isnull=False)
        .exclude(parts__status__in=[RequestStatus.SENT, RequestStatus.APPEALED])
        .exclude(parts__answered_at__gte=cutoff)
        .exclude(parts__appealed_at__gte=cutoff)
    )
    unconfirmed = AccessRequest.objects.filter(
        sent_at__isnull=True, created_at__lt=now - VERIFY_MAX_AGE - timedelta(days=1)
    )
    deleted = 0
    for access_request in [*old.iterator(chunk_size=200), *unconfirmed.iterator(chunk_size=200)]:
        delete_request(access_request)
        deleted += 1
    return deleted


def delete_request(access_request: AccessRequest) -> None:
    """Delete a request, its parts and its answer files (files after the commit)."""
    with transaction.atomic():
        files = [f.file for f in AnswerFile.objects.filter(part__request=access_request)]
        pk = access_request.pk
        access_request.delete()
        audit.log("system", "journal.request.deleted", None, {"request": pk})
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])


# --- Privacy (appended by the platform helper) -------------------------------------------------------------------

FINAL_STATUSES = frozenset({RequestStatus.GRANTED, RequestStatus.PARTLY_GRANTED, RequestStatus.REFUSED})


def requests_erase(*, user, access_requests) -> dict[str, int]:
    """Forget `user` in their access requests (account deletion, inside its transaction). A request never sent, or
    whose every part is answered and not appealed, is deleted with its answer files. A request a unit is still
    working on (waiting for an answer, appealed, or sent on to the County Governor) is the public body's open case:
    it stays, unlinked from the account, with the e-mail address the answer must reach, until the retention sweep
    deletes it. The audit log keeps the account number instead of the person's e-mail address."""
    from tinget.core.models import AuditEntry

    deleted, unlinked, addresses = 0, [], set()
    with transaction.atomic():
        for access_request in access_requests:
            addresses.add(access_request.email.lower())
            parts = list(access_request.parts.all())
            done = access_request.sent_at is None or all(
                part.status in FINAL_STATUSES and part.appealed_at is None for part in parts
            )
            if done:
                delete_request(access_request)
                deleted += 1
            else:
                unlinked.append(access_request.pk)
        AccessRequest.objects.filter(pk__in=unlinked).update(user=None)
        for address in addresses:
            AuditEntry.objects.filter(action__startswith="journal.", actor_label__iexact=address).update(
                actor_label=f"#{user.pk}"
            )
        if deleted or unlinked:
            audit.log("privacy", "journal.request.requester_erased", None, {"deleted": deleted, "kept": len(unlinked)})
    return {"deleted": deleted, "kept": len(unlinked)}


# --- Staff reading a requester's data (appended by the processing helper) -----------------------------------------


def request_log_read(*, actor, access_request: AccessRequest, part: AccessRequestPart | None = None, unit=None) -> None:
    """Staff opened a request's e-mail address and message (a part's page, or the request in the admin): one log
    entry per view. A requester with an account sees it on Min side (accounts.privacy.log_personal_data_read, with
    the unit, never the staff member's name); a request without an account is logged as "journal.part.read" (or
    "journal.request.read") against the part or the request. Raises NotAllowed for someone who may not answer the
    part (or, without a part, any part)."""
    from django.utils.translation import gettext_noop

    from tinget.accounts.privacy import log_personal_data_read

    allowed = rules.can_answer(actor, part) if part is not None else rules.can_see_queue(actor)
    if not allowed:
        raise NotAllowed(_("Only the responsible unit's case workers can read this request."))
    unit = unit if unit is not None else (part.unit if part is not None else None)
    with transaction.atomic():
        if access_request.user_id:
            log_personal_data_read(
                staff_user=actor,
                subject_user=access_request.user,
                what=gettext_noop("Your access request to the mail journal (your e-mail address and message)"),
                unit=unit,
            )
        else:
            action = "journal.part.read" if part is not None else "journal.request.read"
            audit.log(actor, action, part or access_request, {"unit": str(getattr(unit, "name", unit or ""))})
