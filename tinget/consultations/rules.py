"""Who may do what with consultations, and the stages' order. Views check these; services check them again."""

from tinget.accounts.staff import is_administrator

from .models import Stage, State

# Staff move a consultation forward only; the clock does the rest (upcoming → open → closed).
TRANSITIONS = {
    Stage.DRAFT: {Stage.PUBLISHED},
    Stage.PUBLISHED: {Stage.PROCESSING, Stage.CONCLUDED},
    Stage.PROCESSING: {Stage.CONCLUDED},
    Stage.CONCLUDED: set(),
}

# States in which a visitor sees the consultation at all.
PUBLIC_STATES = frozenset({State.UPCOMING, State.OPEN, State.CLOSED, State.PROCESSING, State.CONCLUDED})


def can_move(from_stage: str, to_stage: str) -> bool:
    return to_stage in TRANSITIONS.get(Stage(from_stage), set())


def is_staff_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def _in_unit(user, consultation) -> bool:
    if is_administrator(user):
        return True
    return user.units.filter(pk=consultation.unit_id).exists()


def can_author(user, consultation=None) -> bool:
    """Write, publish and change a consultation: the permission, and for an existing one its unit."""
    if not is_staff_member(user) or not user.has_perm("consultations.publish_consultation"):
        return False
    return consultation is None or _in_unit(user, consultation)


def can_process(user, consultation) -> bool:
    """Read all input, tag it, mark it considered, write the report and conclude: the permission and the unit."""
    if not is_staff_member(user) or not user.has_perm("consultations.process_consultation"):
        return False
    return _in_unit(user, consultation)


def can_export(user, consultation) -> bool:
    return can_process(user, consultation) and user.has_perm("consultations.export_submissions")


def can_moderate(user, consultation) -> bool:
    """Moderators screen input everywhere; the responsible unit's case workers may hide input too."""
    if not is_staff_member(user):
        return False
    if user.has_perm("consultations.moderate_submission"):
        return True
    return can_process(user, consultation)


def takes_input(consultation, now) -> bool:
    """Whether input may be sent now: open, or past the deadline with late input allowed (until processing)."""
    state = consultation.state_at(now)
    if state == State.OPEN:
        return True
    return state == State.CLOSED and consultation.allow_late_input
