"""What consultations give the rest of the platform: Min side, site search, demo data and privacy (download my data;
delete my account deletes drafts and keeps sent input, which is a public document, without the account)."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from tinget.core.registry import MinSideSection, SearchHit

from . import rules, selectors, services

MIN_SIDE_ITEMS = 5
SEARCH_HITS = 10


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # the page is not mounted (a project without the module's pages)
        return ""


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j. F Y")


# --- Min side ---------------------------------------------------------------------------------------------------


def _draft_item(submission, now) -> dict:
    consultation = submission.consultation
    url = _url("consultations:give_input", pk=consultation.pk)
    if rules.takes_input(consultation, now):
        status = _("Draft, not sent: deadline %(when)s") % {"when": services.local_moment(consultation.deadline)}
        if url:
            url = f"{url}?{urlencode({'draft': submission.key})}"
    else:
        # The draft can no longer be sent; the link goes to the consultation (the list on "my input" lets the
        # person delete it).
        status = _("Draft, not sent: the deadline has passed")
        url = _url("consultations:detail", pk=consultation.pk)
    return {"title": consultation.title, "url": url, "status": status}


def _sent_item(submission) -> dict:
    consultation = submission.consultation
    if submission.is_hidden:
        status = _("Input %(number)s, sent %(date)s: hidden by a moderator") % {
            "number": submission.number,
            "date": _date(submission.sent_at),
        }
    else:
        status = _("Input %(number)s, sent %(date)s: %(state)s") % {
            "number": submission.number,
            "date": _date(submission.sent_at),
            "state": consultation.get_state_display(),
        }
    # The receipt is the sender's own page (it shows hidden input and the municipality's response too).
    url = _url("consultations:receipt", pk=consultation.pk, key=submission.key) or _url(
        "consultations:submission", pk=consultation.pk, number=submission.number
    )
    return {"title": consultation.title, "url": url, "status": status}


def min_side(user) -> MinSideSection:
    """My input to consultations, drafts and sent, the most recently changed first; each item says which it is and
    where the consultation stands. One query, whatever the person has."""
    now = timezone.now()
    submissions = list(
        selectors.submissions_of(user).defer(
            "text", "response", "consultation__summary", "consultation__input_report", "consultation__outcome"
        )[:MIN_SIDE_ITEMS]
    )
    items = [
        _sent_item(submission) if submission.is_sent else _draft_item(submission, now) for submission in submissions
    ]
    return MinSideSection(
        title=_("Consultations"),
        items=items,
        empty_text=_("You have not given input to any consultation."),
        more_url=_url("consultations:mine"),
    )


# --- Site search ------------------------------------------------------------------------------------------------


def search(query, viewer):
    """Published consultations whose title, summary or case number holds the query (never a draft, even for staff
    who may write it: the site search is a public page)."""
    query = (query or "").strip()
    if not query:
        return []
    consultations = selectors.public_consultations(query=query)[:SEARCH_HITS]
    return [
        SearchHit(
            title=consultation.title,
            url=consultation.get_absolute_url(),
            summary=_("%(state)s · deadline %(when)s")
            % {
                "state": consultation.get_state_display(),
                "when": services.local_moment(consultation.deadline),
            },
            module="consultations",
        )
        for consultation in consultations
    ]


# --- Demo -------------------------------------------------------------------------------------------------------


def demo(municipality):
    from .demo import load_demo

    load_demo(municipality)


# --- Privacy ----------------------------------------------------------------------------------------------------


def _retention_text() -> str:
    return _(
        "Input you send to a consultation is normally a public document under the Freedom of Information Act "
        "(offentleglova), and part of the case's papers. When you delete your account, your drafts (input never "
        "sent) are deleted with their attachments. Input you have sent stays on the consultation, with your name as "
        "you gave it and shown or not shown as you chose, but it is no longer linked to you: it does not appear on "
        "any page of yours, and nobody can tell from it which account sent it. The input itself holds no e-mail "
        "address. Drafts that can no longer be sent are deleted when the municipality starts processing the input, "
        "or %(days)s days after the deadline."
    ) % {"days": settings.TINGET_CONSULTATION_DRAFT_RETENTION_DAYS}


# Lazy: the privacy page renders it in the reader's language, with the period the settings give then.
retention = lazy(_retention_text, str)()


def _submission_data(submission) -> dict:
    consultation = submission.consultation
    data = {
        "consultation": consultation.pk,
        "consultation_title": consultation.title,
        "status": submission.status,
        "created_at": submission.created_at,
        "updated_at": submission.updated_at,
        "sent_by": submission.sender_kind,
        "name": submission.author_name,
        "organisation": submission.organisation_name,
        "role_in_organisation": submission.organisation_role,
        "name_shown_publicly": submission.show_name,
        "comment_on_section": str(submission.section) if submission.section_id else None,
        "text": submission.text,
        "language": submission.language,
        "answers": [
            {
                "question": answer.question.text,
                "answer": answer.option.label if answer.option_id else answer.scale_value or answer.text,
            }
            for answer in submission.answers.all()
        ],
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in submission.attachments.all()
        ],
    }
    if submission.is_sent:
        data.update(
            {
                "number": submission.number,
                "url": _url("consultations:submission", pk=consultation.pk, number=submission.number),
                "sent_at": submission.sent_at,
                "version_of_the_text": submission.version,
                "sent_after_the_deadline": submission.late,
                "considered_at": submission.considered_at,
                "response": submission.response,
                "tags": [tag.name for tag in submission.tags.all()],
                "hidden_at": submission.hidden_at,
                "reason_for_hiding": submission.hidden_reason,
            }
        )
    return data


def personal_data(user) -> dict:
    """All my input to consultations, sent and drafts, with the texts, answers, attachment names, the case worker's
    response and tags, and whether a moderator hid it and why. JSON-serialisable (DjangoJSONEncoder for dates)."""
    submissions = list(selectors.submissions_for_export_of(user))
    return {
        "sent": [_submission_data(s) for s in submissions if s.is_sent],
        "drafts": [_submission_data(s) for s in submissions if not s.is_sent],
    }


def erase(user) -> None:
    """Forget `user`, inside the account deletion's transaction: drafts (and their files) are deleted, sent input
    stays without the link to the account (services.erase_author). Follows are deleted by the core."""
    services.erase_author(user=user)
