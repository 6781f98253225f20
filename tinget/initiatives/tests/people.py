"""Test persons as an ID-porten login leaves them, for the initiatives tests and the browser journeys (a plain
module, not a conftest, so both can import it)."""

import itertools

from django.utils import timezone

from tinget.accounts import oidc
from tinget.accounts.models import Identity, Residency

_numbers = itertools.count(1)


def make_person(django_user_model, municipality, *, pid, given, family, postcode, resident=True, email=None):
    """A person as an ID-porten login leaves them (tinget.accounts.identity.idporten_login)."""
    user = django_user_model.objects.create_user(
        email or f"person{next(_numbers)}@example.no", None, preferred_language="nb"
    )
    key_id, digest = oidc.pid_digest(pid)
    Identity.objects.create(
        user=user,
        issuer="http://testserver/dev-idp",
        subject=f"sub-{user.pk}",
        pid_digest=digest,
        pid_key_id=key_id,
        acr=oidc.SUBSTANTIAL,
        given_name=given,
        family_name=family,
        birth_date=oidc.birth_date(pid),
        verified_at=timezone.now(),
    )
    Residency.objects.create(
        user=user,
        municipality=municipality,
        is_resident=resident,
        source=Residency.Source.REGISTRY,
        postcode=postcode,
        checked_at=timezone.now(),
    )
    return user
