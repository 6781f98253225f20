"""The e-mails access requests send: the verification link, the receipt, the unit's new request, reminders to
the unit, the answer, the § 32 notice with its one-click appeal, the appeal to the unit, and the appeal sent on.
The requester's mails are in the request's language; the unit's in the site's default. Called after the commit."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from tinget.core.mail import deliverable, queue_email
from tinget.core.notify.email import absolute_url


def _unit_address(unit) -> str:
    if unit.email:
        return unit.email
    return unit.municipality.email


def _request_url(access_request) -> str:
    return absolute_url(reverse("journal:request", kwargs={"key": access_request.key}))


def _send(template: str, subject: str, to: str, context: dict):
    if not deliverable(to):
        return
    body = render_to_string(f"journal/email/{template}.txt", context)
    queue_email(subject=subject[:200], body=body, to=[to])


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def verify(access_request, token: str):
    with translation.override(access_request.language):
        _send(
            "verify",
            _("Confirm your access request"),
            access_request.email,
            {
                "access_request": access_request,
                "url": absolute_url(reverse("journal:verify", kwargs={"token": token})),
                "parts": list(access_request.parts.select_related("unit").prefetch_related("items")),
            },
        )


def receipt(access_request):
    with translation.override(access_request.language):
        parts = list(access_request.parts.select_related("unit").prefetch_related("items"))
        _send(
            "receipt",
            _("Receipt: your access request %(number)s") % {"number": access_request.pk},
            access_request.email,
            {
                "access_request": access_request,
                "parts": parts,
                "deadline": _date(parts[0].deadline) if parts else "",
                "url": _request_url(access_request),
            },
        )


def new_part(part):
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            "new_part",
            _("New access request %(number)s, answer by %(date)s")
            % {"number": part.request_id, "date": _date(part.deadline)},
            _unit_address(part.unit),
            {"part": part, "items": list(part.items.all()), "deadline": _date(part.deadline), "url": _part_url(part)},
        )


def _part_url(part) -> str:
    return absolute_url(reverse("journal:part", kwargs={"pk": part.pk}))


def reminder(part, days: int):
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            "reminder",
            _("Reminder: access request %(number)s is due %(date)s")
            % {"number": part.request_id, "date": _date(part.deadline)},
            _unit_address(part.unit),
            {"part": part, "days": days, "deadline": _date(part.deadline), "url": _part_url(part)},
        )


def answered(part):
    access_request = part.request
    with translation.override(access_request.language):
        _send(
            "answered",
            _("Answer to your access request %(number)s") % {"number": access_request.pk},
            access_request.email,
            {
                "part": part,
                "access_request": access_request,
                "items": list(part.items.all()),
                "files": list(part.files.all()),
                "url": _request_url(access_request),
            },
        )


def overdue(part):
    access_request = part.request
    with translation.override(access_request.language):
        _send(
            "overdue",
            _("No answer in time to your access request %(number)s: you may appeal") % {"number": access_request.pk},
            access_request.email,
            {
                "part": part,
                "access_request": access_request,
                "deadline": _date(part.deadline),
                "url": _request_url(access_request),
            },
        )


def appealed(part):
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            "appealed",
            _("Access request %(number)s has been appealed") % {"number": part.request_id},
            _unit_address(part.unit),
            {"part": part, "url": _part_url(part)},
        )


def forwarded(part):
    access_request = part.request
    with translation.override(access_request.language):
        _send(
            "forwarded",
            _("Your appeal on access request %(number)s has been sent to the County Governor")
            % {"number": access_request.pk},
            access_request.email,
            {"part": part, "access_request": access_request, "url": _request_url(access_request)},
        )
