"""The e-mails consultations send outside the follow notifications (tinget.core.notify): the receipt with a copy
of what was sent, the word to an author that a moderator hid their input, and the outcome to everyone who sent
input (followers get it through notify.announce; nobody gets it twice). Each in the person's language; called
after the commit."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from tinget.accounts.identity import has_working_email
from tinget.core.mail import queue_email
from tinget.core.notify.email import absolute_url


def _language(submission) -> str:
    author = submission.author
    return (author.preferred_language if author else None) or submission.language or "nb"


def receipt(submission):
    """A copy of what was sent, with its number and time, whether the name is shown, and links to the input."""
    from .models import Submission
    from .services import local_moment

    author = submission.author
    if author is None or not has_working_email(author):
        return
    with translation.override(_language(submission)):
        context = {
            "submission": submission,
            "consultation": submission.consultation,
            "organisation": submission.sender_kind == Submission.SenderKind.ORGANISATION,
            "sent_when": local_moment(submission.sent_at),
            "answers": list(
                submission.answers.select_related("question", "option").order_by("question__order", "question__pk")
            ),
            "attachments": list(submission.attachments.all()),
            "url": _public_url(submission),
            "mine_url": absolute_url(_mine_url()),
        }
        body = render_to_string("consultations/email/receipt.txt", context)
        subject = _("Receipt: your input to %(title)s") % {"title": submission.consultation.title}
        queue_email(subject=subject[:200], body=body, to=[author.email])


def hidden(submission):
    author = submission.author
    if author is None or not has_working_email(author):
        return
    with translation.override(_language(submission)):
        body = render_to_string(
            "consultations/email/hidden.txt",
            {
                "submission": submission,
                "consultation": submission.consultation,
                "url": absolute_url(submission.get_absolute_url()),
            },
        )
        queue_email(subject=_("Your input was hidden"), body=body, to=[author.email])


def outcome_to_senders(consultation):
    """Each sender gets the outcome once, with what became of their own input (followers who sent nothing are told
    through notify.announce, which leaves the senders out)."""
    sent = (
        consultation.submissions.sent()
        .filter(author__isnull=False)
        .select_related("author")
        .order_by("author_id", "number")
    )
    by_author = {}
    for submission in sent:
        by_author.setdefault(submission.author, []).append(submission)
    for author, submissions in by_author.items():
        if not has_working_email(author):
            continue
        with translation.override(author.preferred_language or "nb"):
            body = render_to_string(
                "consultations/email/outcome.txt",
                {
                    "consultation": consultation,
                    "submissions": submissions,
                    "url": absolute_url(consultation.get_absolute_url()),
                },
            )
            subject = _("Outcome of the consultation: %(title)s") % {"title": consultation.title}
            queue_email(subject=subject[:200], body=body, to=[author.email])


def _public_url(submission) -> str:
    """The public page of the input; "" when a moderator has hidden it (its text is not shown there)."""
    if submission.is_hidden:
        return ""
    return absolute_url(submission.get_absolute_url())


def _mine_url():
    from django.urls import reverse

    return reverse("consultations:mine")


def draft_reminder(submission):
    """The deadline is near and the draft is not sent."""
    author = submission.author
    if author is None or not has_working_email(author) or submission.is_sent:
        return
    from django.urls import reverse

    from .services import local_moment

    consultation = submission.consultation
    with translation.override(_language(submission)):
        url = absolute_url(
            reverse("consultations:give_input", kwargs={"pk": consultation.pk}) + f"?draft={submission.key}"
        )
        body = "\n".join(
            [
                _('You have started on input to the consultation "%(title)s", but it is not sent yet.')
                % {"title": consultation.title},
                "",
                _("The deadline is %(when)s.") % {"when": local_moment(consultation.deadline)},
                "",
                _("Finish and send it here:"),
                url,
            ]
        )
        subject = _("Your input is not sent yet: %(title)s") % {"title": consultation.title}
        queue_email(subject=subject[:200], body=body, to=[author.email])
