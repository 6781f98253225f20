import pytest
from django.core import mail

from tinget.core.mail import deliverable, queue_email


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("kari@example.no", True),
        ("x@idporten.invalid", False),
        ("X@IDPORTEN.INVALID", False),
        ("", False),
        ("kari@invalid.example.no", True),
    ],
)
def test_deliverable(address, expected):
    assert deliverable(address) is expected


def test_queue_email_sends_after_commit_and_drops_undeliverable_addresses(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_email(subject="Kvittering", body="Takk.", to=["kari@example.no", "y@idporten.invalid"])
        queue_email(subject="Ingen", body="Ingen mottaker.", to=["z@idporten.invalid"])

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]
