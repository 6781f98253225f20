"""Staff roles and unit scoping.

Roles are Django groups, so that the admin, `has_perm` and every module's checks understand them without a
model of our own. What each role may do is declared here and applied by `ensure_staff_roles()`, which
`manage.py load_demo` and `manage.py ensure_roles` call; running it again changes nothing.

Unit scoping: a case worker handles the cases of the units they belong to (`User.units`). Modules filter
their case lists with `scope_to_units(queryset, user)`; superusers and administrators see every unit.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tinget.core import audit
from tinget.core.models import Unit

CASE_WORKER = "Saksbehandler"
MODERATOR = "Moderator"
EDITOR = "Redaktør"
ADMINISTRATOR = "Administrator"

# What each role is for, shown in the README and usable in the admin's help texts.
ROLE_DESCRIPTIONS = {
    CASE_WORKER: _("Handles the cases of their own units."),
    MODERATOR: _("Screens what residents publish."),
    EDITOR: _("Keeps the municipality's pages and profile up to date."),
    ADMINISTRATOR: _("Manages staff accounts and roles, and sees every unit."),
}

# Permissions ("app_label.codename") per role before the modules add their own (see `add_role_permissions`).
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CASE_WORKER: {
        "core.view_municipality",
        "core.view_area",
        "core.view_postcode",
        "core.view_unit",
        "core.view_emergencycontact",
        "core.change_emergencycontact",
    },
    MODERATOR: {
        "core.view_municipality",
        "core.view_area",
        "core.view_unit",
    },
    EDITOR: {
        "core.view_municipality",
        "core.change_municipality",
        "core.view_area",
        "core.change_area",
        "core.view_postcode",
        "core.view_unit",
        "core.view_emergencycontact",
        "core.add_emergencycontact",
        "core.change_emergencycontact",
        "core.delete_emergencycontact",
    },
    ADMINISTRATOR: set(),
}

# An administrator gets every permission except those of these apps: Django's own bookkeeping, the admin's
# log, and the second-factor authenticators (a staff member's TOTP secret is theirs alone; a superuser
# resets a lost one).
ADMINISTRATOR_EXCLUDED_APPS = frozenset({"contenttypes", "sessions", "admin", "mfa"})


def add_role_permissions(role: str, *permissions: str) -> None:
    """Let a module give a role its permissions, from its AppConfig.ready(), before ensure_staff_roles() runs."""
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"Unknown staff role {role!r}")
    ROLE_PERMISSIONS[role].update(permissions)


def _permissions(dotted_names) -> list[Permission]:
    wanted = [name.split(".", 1) for name in sorted(dotted_names)]
    if not wanted:
        return []
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = {f"{a}.{c}" for a, c in wanted} - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise ValueError(f"Unknown permissions for a staff role: {sorted(missing)} (run migrate first)")
    return found


@transaction.atomic
def ensure_staff_roles() -> dict[str, Group]:
    """Create the staff groups and give each exactly the permissions declared here. Idempotent.

    A permission someone added to a role group by hand in the admin is taken away again: the declaration in
    code is the one source of truth, so that every installation's roles mean the same. Raises ValueError if
    a declared permission does not exist.
    """
    groups = {}
    for role, dotted in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        if role == ADMINISTRATOR:
            wanted = set(Permission.objects.exclude(content_type__app_label__in=ADMINISTRATOR_EXCLUDED_APPS))
        else:
            wanted = set(_permissions(dotted))
        current = set(group.permissions.all())
        if created or wanted != current:
            group.permissions.set(wanted)
            audit.log(
                "ensure_roles",
                "accounts.group.role_updated",
                group,
                {"added": len(wanted - current), "removed": len(current - wanted), "created": created},
            )
        groups[role] = group
    return groups


def is_administrator(user) -> bool:
    """A superuser, or an active staff member in the Administrator group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name=ADMINISTRATOR).exists()


def units_for(user) -> QuerySet:
    """The units whose cases this person handles: every unit for an administrator, their own units for other
    staff, none for anyone else."""
    if is_administrator(user):
        return Unit.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return Unit.objects.none()
    return Unit.objects.filter(staff=user)


def scope_to_units(queryset: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """The part of `queryset` this person may handle: rows whose `unit_field` (a path such as "unit" or
    "case__unit") is one of their units. Administrators get the queryset unchanged; non-staff get nothing."""
    if is_administrator(user):
        return queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return queryset.none()
    return queryset.filter(**{f"{unit_field}__in": Unit.objects.filter(staff=user).values("pk")})
