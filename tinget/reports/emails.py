"""The e-mails fault reports send, each in the recipient's language and queued after commit
(tinget.core.mail). People with an account who follow a report are told through tinget.core.notify; these go to
the reporter without an account, e-mail subscribers and the responsible unit."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tinget.core.mail import queue_email
from tinget.core.notify.email import absolute_url


def _language(report):
    if report.reporter_id and report.reporter:
        return report.reporter.preferred_language
    return report.language or settings.LANGUAGE_CODE


def _url(name, **kwargs):
    return absolute_url(reverse(name, kwargs=kwargs))


def _lines(*parts):
    return "\n".join(str(p) for p in parts if p is not None)


def _signature():
    from tinget.core.selectors import current_municipality

    municipality = current_municipality()
    return _("Best regards,\n%(name)s") % {"name": municipality.name if municipality else "Tinget"}


def receipt(report):
    """To the reporter when the report is published: its number, its page and what happens next."""
    if not report.reporter_email:
        return
    with translation.override(_language(report)):
        body = _lines(
            _("Thank you for your report. It has number #%(id)s and is now public.") % {"id": report.pk},
            "",
            f"{_('Category')}: {report.category.localized('name', translation.get_language())}",
            f"{_('Place')}: {report.address or f'{report.latitude:.5f}, {report.longitude:.5f}'}",
            "",
            _("%(unit)s will look at it. We aim to answer within %(days)s days.")
            % {"unit": report.unit.name, "days": report.category.response_days},
            _("Follow it here: %(url)s") % {"url": _url("reports:detail", pk=report.pk)},
            "",
            _signature(),
        )
        queue_email(subject=_("Report #%(id)s received") % {"id": report.pk}, body=body, to=[report.reporter_email])


def confirm_report(report, token):
    with translation.override(_language(report)):
        body = _lines(
            _("You reported a fault (%(title)s). Confirm it by opening this link:") % {"title": report.title},
            _url("reports:confirm", token=token),
            "",
            _("The report is published when you confirm it. If you did not report anything, ignore this e-mail."),
            "",
            _signature(),
        )
        queue_email(subject=_("Confirm your fault report"), body=body, to=[report.reporter_email])


def confirm_subscription(report, email, token):
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        body = _lines(
            _("You asked to be told when report #%(id)s (%(title)s) changes. Confirm by opening this link:")
            % {"id": report.pk, "title": report.title},
            _url("reports:subscribe_confirm", token=token),
            "",
            _("If you did not ask for this, ignore this e-mail."),
            "",
            _signature(),
        )
        queue_email(subject=_("Confirm that you want updates"), body=body, to=[email])


def update_to_subscribers(report, update):
    """A public change, to the reporter without an account and to confirmed e-mail subscribers."""
    from .services import unsubscribe_token

    recipients = set()
    if report.reporter_id is None and report.reporter_email:
        recipients.add(report.reporter_email.lower())
    recipients.update(report.subscribers.filter(confirmed_at__isnull=False).values_list("email", flat=True))
    for email in sorted(recipients):
        with translation.override(_language(report)):
            body = _lines(
                _("Report #%(id)s (%(title)s) has changed.") % {"id": report.pk, "title": report.title},
                f"{_('Status')}: {report.get_state_display()}",
                "",
                update.text or None,
                "" if update.text else None,
                _("See the report: %(url)s") % {"url": _url("reports:detail", pk=report.pk)},
                "",
                _("No more e-mails about this report: %(url)s")
                % {"url": _url("reports:unsubscribe", token=unsubscribe_token(report, email))},
            )
            queue_email(
                subject=_("Report #%(id)s: %(state)s") % {"id": report.pk, "state": report.get_state_display()},
                body=body,
                to=[email],
            )


def questionnaire(report, token):
    with translation.override(_language(report)):
        body = _lines(
            _("Four weeks ago we marked your report #%(id)s (%(title)s) as fixed. Is it fixed?")
            % {"id": report.pk, "title": report.title},
            "",
            _("Answer here (one click): %(url)s") % {"url": _url("reports:questionnaire", token=token)},
            "",
            _signature(),
        )
        queue_email(subject=_("Is it fixed? Report #%(id)s") % {"id": report.pk}, body=body, to=[report.reporter_email])


def reopened_to_unit(report, update):
    if not report.unit.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = _lines(
            _("The reporter says report #%(id)s (%(title)s) is not fixed, and it has been reopened.")
            % {"id": report.pk, "title": report.title},
            update.text or None,
            _url("reports:handle_detail", pk=report.pk),
        )
        queue_email(subject=_("Reopened: report #%(id)s") % {"id": report.pk}, body=body, to=[report.unit.email])


def new_report_to_unit(report):
    if not report.unit.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = _lines(
            _("New fault report #%(id)s in %(category)s: %(title)s")
            % {"id": report.pk, "category": report.category.name, "title": report.title},
            _url("reports:handle_detail", pk=report.pk),
        )
        queue_email(subject=_("New report #%(id)s") % {"id": report.pk}, body=body, to=[report.unit.email])
