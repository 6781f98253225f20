import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from .idporten_helpers import fake_provider, idporten  # noqa: F401  (ID-porten fixtures, part A)

# The conftest `resident` fixture's password.
RESIDENT_PASSWORD = "et-langt-passord-123"
NEW_PASSWORD = "grønn-sykkel-ved-fjorden"


def url(name, language="nb", *args, **kwargs):
    """The URL of a named page in a language; the account paths are translated."""
    with translation.override(language):
        return reverse(name, args=args, kwargs=kwargs)


def link_in(body: str) -> str:
    """The one http(s) link in an e-mail body, as a path."""
    links = re.findall(r"https?://[^\s]+", body)
    assert len(links) == 1, links
    return re.sub(r"^https?://[^/]+", "", links[0])


@pytest.fixture
def verified_resident(resident):
    """The conftest resident, with the confirmed e-mail address a finished sign-up leaves behind."""
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    return resident


def give_a_little_of_everything(person, municipality, *, identity, residency_source, notification_title):
    """What the core keeps about a person, one of each: a verified address, an ID-porten identity (fields
    in `identity`), residency, a consent, a follow and a notification."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from tinget.accounts import privacy
    from tinget.accounts.models import Identity, Residency
    from tinget.core.models import Follow, Notification

    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    Identity.objects.create(user=person, issuer="https://test.idporten.no", verified_at=timezone.now(), **identity)
    Residency.objects.create(
        user=person,
        municipality=municipality,
        is_resident=True,
        source=residency_source,
        postcode="1384",
        checked_at=timezone.now(),
    )
    privacy.record_consent(user=person, purpose="user_research", text_version="2025-06-01")
    area = municipality.areas.first()
    Follow.objects.create(user=person, content_type=ContentType.objects.get_for_model(area), object_id=str(area.pk))
    Notification.objects.create(user=person, event_key="e.1", verb="status", title=notification_title)
    return person
