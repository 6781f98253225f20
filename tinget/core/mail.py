"""Sending e-mail: always through the task queue, after the surrounding transaction commits, so an e-mail
never goes out about something that was rolled back."""

from functools import partial

from django.db import transaction

from .tasks import send_email


def queue_email(*, subject: str, body: str, to: list[str], html: str | None = None, from_email: str | None = None):
    transaction.on_commit(
        partial(send_email.enqueue, subject=subject, body=body, to=list(to), html=html, from_email=from_email)
    )
