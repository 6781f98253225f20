"""Who may do what with the journal and access requests. Checked in views and again in services."""

from django.conf import settings

from tinget.accounts.staff import is_administrator, units_for

from .models import AccessRequestPart, RequestStatus


def can_import(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("journal.import_journal"))


def can_answer(user, part: AccessRequestPart) -> bool:
    """A case worker answers for the units they belong to; an administrator for every unit."""
    if not (user and user.is_authenticated and user.has_perm("journal.answer_accessrequest")):
        return False
    if is_administrator(user):
        return True
    return units_for(user).filter(pk=part.unit_id).exists()


def can_see_queue(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("journal.answer_accessrequest"))


def owns_request(user, access_request, *, session_keys=()) -> bool:
    """The requester: the logged-in person who sent it, or whoever holds its key (the e-mailed link puts the key
    in the session)."""
    if str(access_request.key) in {str(k) for k in session_keys}:
        return True
    return bool(user and user.is_authenticated and access_request.user_id == user.pk)


def is_overdue(part: AccessRequestPart, today) -> bool:
    """No answer by the end of the deadline day: offentleglova § 32 counts it as a refusal."""
    return part.status == RequestStatus.SENT and part.answered_at is None and today > part.deadline


def can_appeal(part: AccessRequestPart, today) -> bool:
    """A refusal, a partial grant, or no answer in time can be appealed, once."""
    if part.appealed_at is not None:
        return False
    return part.status in (RequestStatus.REFUSED, RequestStatus.PARTLY_GRANTED) or is_overdue(part, today)


def can_answer_now(part: AccessRequestPart) -> bool:
    """A part waits for an answer when it is sent, or appealed (the unit may then grant after all)."""
    return part.status in (RequestStatus.SENT, RequestStatus.APPEALED)


def answer_working_days() -> int:
    return settings.TINGET_JOURNAL_ANSWER_WORKING_DAYS
