"""Who may do what with fault reports; views check these and services check them again."""

from tinget.accounts.staff import is_administrator, units_for


def can_handle(user, report) -> bool:
    """A case worker of the report's unit (or an administrator) handles it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return False
    if not user.has_perm("reports.handle_report"):
        return False
    return is_administrator(user) or units_for(user).filter(pk=report.unit_id).exists()


def can_handle_any(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("reports.handle_report")
    )


def can_moderate(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("reports.moderate_report")
    )


def can_register_for_caller(user) -> bool:
    """Phone and service-desk intake: any case worker who handles reports."""
    return can_handle_any(user)


def can_reopen(user, report) -> bool:
    """The reporter, logged in, may reopen a report marked fixed; so may its handlers."""
    if can_handle(user, report):
        return True
    return getattr(user, "is_authenticated", False) and report.reporter_id == user.pk
