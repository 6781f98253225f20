"""Requests never confirmed are deleted a day after their link expired; a NUL in a message is refused."""

import datetime as dt

import pytest
from django.utils import timezone

from tinget.journal import services
from tinget.journal.models import AccessRequest

pytestmark = pytest.mark.django_db


def test_unconfirmed_requests_are_deleted_after_their_link_expired(unit, entry_factory):
    entry = entry_factory(unit)
    created = timezone.now()
    access_request = services.request_create(user=None, email="a@example.no", entry_ids=[entry.pk])
    assert access_request.sent_at is None
    assert services.delete_old_requests(now=created + services.VERIFY_MAX_AGE) == 0
    assert services.delete_old_requests(now=created + services.VERIFY_MAX_AGE + dt.timedelta(days=1, minutes=1)) == 1
    assert not AccessRequest.objects.exists()


def test_a_nul_in_the_message_is_refused(unit, entry_factory):
    entry = entry_factory(unit)
    with pytest.raises(services.RequestError):
        services.request_create(user=None, email="a@example.no", entry_ids=[entry.pk], message="hei\x00")
    assert not AccessRequest.objects.exists()
