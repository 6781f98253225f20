"""The audit log: one call for services to say who did what."""

from .models import AuditEntry


def _label(obj, limit=200):
    return str(obj)[:limit] if obj is not None else ""


def log(actor, action, target=None, data=None):
    """Record `action` (dotted, e.g. "reports.report.closed") by `actor` on `target`.

    Call it inside the service's transaction so the entry and the change land together or not at all.
    """
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_person else None,
        actor_label=_label(actor) if is_person or isinstance(actor, str) else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None and hasattr(target, "_meta") else "",
        target_id=str(target.pk) if target is not None and hasattr(target, "pk") else "",
        target_label=_label(target),
        data=data or {},
    )
