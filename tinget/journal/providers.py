"""What the mail journal gives the rest of the platform: the Min side section (my access requests), the site
search (public journal entries), the demo, and privacy (download my data; delete my account).

Deleting an account (`erase`): a request whose every part is answered and not appealed is deleted with its
answer files; a request a unit is still working on (waiting, appealed, or sent on to the County Governor) is a
public body's open case, so it stays, without the link to the account but with the e-mail address the answer
must reach, until the retention sweep deletes it (services.delete_old_requests). See docs/journal.md, Privacy."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinget.core.registry import MinSideSection, SearchHit

from . import selectors, services
from .models import EntryType, RequestStatus

MIN_SIDE_ITEMS = 5
SEARCH_HITS = 10


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # the pages are not mounted
        return ""


def _date(value) -> str:
    return formats.date_format(value, "j. F Y")


# --- Min side ---------------------------------------------------------------------------------------------------


def request_title(access_request) -> str:
    """What Min side calls a request: its number and how many entries it asks for, or for a whole period of the
    journal (§ 28) the period's dates."""
    if access_request.is_period:
        return _("Access request %(number)s: the journal from %(start)s to %(end)s") % {
            "number": access_request.pk,
            "start": _date(access_request.period_from),
            "end": _date(access_request.period_to),
        }
    count = access_request.item_count
    return ngettext(
        "Access request %(number)s: %(count)s entry",
        "Access request %(number)s: %(count)s entries",
        count,
    ) % {"number": access_request.pk, "count": count}


def request_status(access_request) -> str:
    """Where a request stands, from its parts (one per unit): what the requester must know first comes first."""
    r = access_request
    if r.sent_at is None:
        return _("Not sent: confirm your e-mail address with the link we sent you")
    if r.overdue_count:
        return _("No answer in time: you may appeal")
    if r.waiting_count:
        answered = r.part_count - r.waiting_count
        if answered:
            return _("%(answered)s of %(total)s units have answered; the rest answer by %(date)s") % {
                "answered": answered,
                "total": r.part_count,
                "date": _date(r.next_deadline),
            }
        return _("Sent: answer by %(date)s") % {"date": _date(r.next_deadline)}
    if r.appealed_count:
        return _("Appealed: waiting for the unit")
    if r.forwarded_count:
        return _("Appeal sent to the County Governor")
    if r.granted_count == r.part_count:
        return str(RequestStatus.GRANTED.label)
    if r.refused_count == r.part_count:
        return str(RequestStatus.REFUSED.label)
    return str(RequestStatus.PARTLY_GRANTED.label)


def min_side(user) -> MinSideSection:
    """My access requests, newest first, each with where it stands and a link to its page. One query, whatever the
    person has (the counts per status come with the requests)."""
    requests = list(selectors.request_summaries_of(user, today=services.today())[:MIN_SIDE_ITEMS])
    return MinSideSection(
        title=_("Access requests"),
        items=[
            {
                "title": request_title(r),
                "url": _url("journal:request", key=r.key),
                "status": request_status(r),
            }
            for r in requests
        ],
        empty_text=_("You have not asked to see any documents in the mail journal."),
        more_url=_url("journal:mine"),
    )


# --- Site search ------------------------------------------------------------------------------------------------


def search(query, viewer):
    """Public journal entries matching the query, best match first (the same search as the journal's page, with the
    same visibility: never a withdrawn entry, never a screened name). A query of exclusions only finds nothing."""
    query = (query or "").strip()
    params = selectors.SearchParams(text=query, sort="relevance")
    if not params.parsed.include:
        return []
    result = selectors.search_entries(params, page=1, page_size=SEARCH_HITS, facets=False)
    types = dict(EntryType.choices)
    return [
        SearchHit(
            title=f"{entry.entry_number} {entry.public_title}",
            url=_url("journal:entry", pk=entry.pk),
            summary=_("Mail journal · %(type)s · %(date)s · %(unit)s")
            % {"type": types.get(entry.type, entry.type), "date": _date(entry.journal_date), "unit": entry.unit.name},
            module="journal",
        )
        for entry in result.entries
    ]


# --- Demo -------------------------------------------------------------------------------------------------------


def demo(municipality):
    from .demo import load_demo

    load_demo(municipality)


# --- Privacy ----------------------------------------------------------------------------------------------------


def _retention_text() -> str:
    return _(
        "When you ask to see documents from the mail journal, we keep your e-mail address, your message, the entries "
        "you asked for, the units' answers and the documents they sent you, so that the units can answer and you "
        "can follow the request and appeal. A request is deleted, with its documents, %(days)s days after its last "
        "answer or appeal. When you delete your account, your requests that have been answered and not appealed are "
        "deleted at once; a request a unit is still working on stays until it is done, with your e-mail address "
        "so that the answer can reach you, but no longer linked to your account. The municipality files access "
        "requests in its own archive as the Archives Act requires. The mail journal itself is the municipality's "
        "public record: the names of private persons in it can no longer be searched for %(name_days)s days after "
        "an entry is published."
    ) % {
        "days": settings.TINGET_JOURNAL_REQUEST_RETENTION_DAYS,
        "name_days": settings.TINGET_JOURNAL_NAME_SEARCH_DAYS,
    }


# Lazy: the privacy page renders it in the reader's language, with the periods the settings give then.
retention = lazy(_retention_text, str)()


def _part_data(part) -> dict:
    return {
        "unit": part.unit.name,
        "status": part.status,
        "status_label": str(part.get_status_display()),
        "sent_at": part.sent_at,
        "deadline": part.deadline,
        "entries": [
            {"entry": item.entry_id, "entry_number": item.entry_number, "title": item.title, "decision": item.decision}
            for item in part.items.all()
        ],
        "answered_at": part.answered_at,
        "answer": part.answer,
        "legal_basis": part.legal_basis,
        "how_to_appeal": part.appeal_information,
        "link": part.link,
        "files": [{"name": f.name, "size": f.size, "content_type": f.content_type} for f in part.files.all()],
        "no_answer_in_time_told_at": part.overdue_notified_at,
        "appealed_at": part.appealed_at,
        "appeal": part.appeal_message,
    }


def personal_data(user) -> dict:
    """My access requests: the e-mail address and message, the entries or period asked for, and each unit's status,
    answer, legal basis, files and my appeals. JSON-serialisable (DjangoJSONEncoder for dates)."""
    return {
        "access_requests": [
            {
                "number": r.pk,
                "url": _url("journal:request", key=r.key),
                "email": r.email,
                "message": r.message,
                "language": r.language,
                "created_at": r.created_at,
                "sent_at": r.sent_at,
                "journal_from": r.period_from,
                "journal_to": r.period_to,
                "linked_to_account": r.user_id == user.pk,
                "parts": [_part_data(part) for part in r.parts.all()],
            }
            for r in selectors.requests_for_privacy(user)
        ]
    }


def erase(user) -> None:
    """Forget `user`, inside the account deletion's transaction: requests that are answered and not appealed are
    deleted with their files; requests a unit is still working on keep the e-mail address, without the account."""
    services.requests_erase(user=user, access_requests=list(selectors.requests_for_privacy(user)))
