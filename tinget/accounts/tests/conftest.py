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
