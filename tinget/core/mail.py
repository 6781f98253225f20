"""Sending e-mail: always through the task queue, after the surrounding transaction commits, so an e-mail
never goes out about something that was rolled back."""

from functools import partial

from django.db import transaction

from .tasks import send_email

# RFC 2606 reserves ".invalid": addresses there (the placeholder a person who logs in only with ID-porten
# gets until they add a real one) can never receive mail, so nothing is ever queued for them.
UNDELIVERABLE_SUFFIX = ".invalid"


def deliverable(address: str) -> bool:
    return bool(address) and not address.lower().endswith(UNDELIVERABLE_SUFFIX)


def queue_email(*, subject: str, body: str, to: list[str], html: str | None = None, from_email: str | None = None):
    to = [address for address in to if deliverable(address)]
    if not to:
        return
    transaction.on_commit(
        partial(send_email.enqueue, subject=subject, body=body, to=list(to), html=html, from_email=from_email)
    )
