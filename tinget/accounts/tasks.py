"""Background work for accounts: the privacy retention sweeps (rules in tinget/accounts/privacy.py).

Nothing schedules them by itself: run `manage.py privacy_sweep --enqueue` once a day (cron, a systemd timer),
and the task worker does the work. See docs/operations.md."""

from django.utils.dateparse import parse_datetime
from django_tasks import task

from . import privacy


@task()
def privacy_sweep(*, now: str | None = None) -> dict[str, int]:
    """Run every retention sweep once and return how much each removed. Idempotent: a second run in a row
    finds nothing. `now` (ISO 8601 with a zone) moves the clock, for tests and for catching up."""
    moment = parse_datetime(now) if now else None
    if now and (moment is None or moment.tzinfo is None):
        raise ValueError(f"Not a moment with a time zone: {now!r}")
    return privacy.run_retention_sweeps(now=moment)
