"""A person's own profile and preferences: display name, language, how often we e-mail them."""

from django.conf import settings
from django.db import transaction

from tinget.core import audit
from tinget.core.errors import NotAllowed

from .models import NotificationFrequency, User

PROFILE_FIELDS = ("display_name", "preferred_language", "notification_frequency")


@transaction.atomic
def update_profile(*, actor, user: User, display_name: str, preferred_language: str, notification_frequency: str):
    """Change a person's display name, preferred language and e-mail notification frequency.

    Only the person themself may do this here (staff change accounts in the admin). Writes an audit entry
    naming the fields that changed (not the name itself: the audit log should not become a copy of
    personal data). Returns the names of the changed fields. Raises NotAllowed for anyone else, and
    ValueError for a language or frequency that does not exist (the form refuses those first).
    """
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise NotAllowed()
    if preferred_language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {preferred_language!r}")
    if notification_frequency not in NotificationFrequency.values:
        raise ValueError(f"Unknown notification frequency {notification_frequency!r}")
    user = User.objects.select_for_update().get(pk=user.pk)
    wanted = {
        "display_name": display_name.strip(),
        "preferred_language": preferred_language,
        "notification_frequency": notification_frequency,
    }
    changed = [name for name in PROFILE_FIELDS if getattr(user, name) != wanted[name]]
    if not changed:
        return []
    for name in changed:
        setattr(user, name, wanted[name])
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=changed)
    audit.log(
        actor,
        "accounts.user.profile_updated",
        user,
        {
            "changed": changed,
            **{name: wanted[name] for name in ("preferred_language", "notification_frequency") if name in changed},
        },
    )
    return changed
