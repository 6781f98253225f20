"""Background work shared by every module. Run by `manage.py db_worker` (started by `make run`)."""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(*, subject: str, body: str, to: list[str], html: str | None = None, from_email: str | None = None):
    """Send one e-mail. Runs in the worker so a slow or failing SMTP server never holds up a page."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return len(to)


# --- Notification e-mail (Part B) ---------------------------------------------------------------------
# django-tasks has no retries of its own. A task that meets a temporary SMTP failure (a 4xx reply, a
# dropped connection, no server) leaves the notification unsent and enqueues itself again, later each time,
# up to NOTIFY_MAX_ATTEMPTS. A permanent refusal (5xx) is logged and not retried. Backends that cannot
# delay a task (the immediate one, in tests) run the next attempt at once.
NOTIFY_MAX_ATTEMPTS = 5
NOTIFY_BACKOFF_SECONDS = 60


def _retry_later(task_, attempt: int, exc: BaseException, **kwargs) -> str:
    from .notify.email import is_permanent

    if is_permanent(exc):
        logger.error("%s refused for good (%s), not retried: %s", task_.name, kwargs, exc)
        return "failed"
    if attempt >= NOTIFY_MAX_ATTEMPTS:
        logger.error("%s gave up after %s attempts (%s): %s", task_.name, attempt, kwargs, exc)
        return "failed"
    logger.warning("%s failed, attempt %s of %s (%s): %s", task_.name, attempt, NOTIFY_MAX_ATTEMPTS, kwargs, exc)
    again = task_
    if task_.get_backend().supports_defer:
        delay = timedelta(seconds=NOTIFY_BACKOFF_SECONDS * 2 ** (attempt - 1))
        again = task_.using(run_after=timezone.now() + delay)
    again.enqueue(attempt=attempt + 1, **kwargs)
    return "retrying"


@task()
def send_notification_email(*, notification_id: int, attempt: int = 1) -> str:
    """E-mail one notification at once (people with notification_frequency "instant"). Idempotent."""
    from .notify.email import send_notification

    try:
        return "sent" if send_notification(notification_id) else "nothing to send"
    except (smtplib.SMTPException, OSError) as exc:
        return _retry_later(send_notification_email, attempt, exc, notification_id=notification_id)


@task()
def send_digest_email(*, user_id: int, attempt: int = 1) -> str:
    """E-mail one person their daily digest. Idempotent: what has been e-mailed is not listed again."""
    from .notify.email import send_digest

    try:
        return "sent" if send_digest(user_id) else "nothing to send"
    except (smtplib.SMTPException, OSError) as exc:
        return _retry_later(send_digest_email, attempt, exc, user_id=user_id)


@task()
def send_daily_digests() -> int:
    """Send every person on a daily digest what they have not been e-mailed yet. Run once a day by
    `manage.py send_digests`; running it twice sends nothing the second time. Returns how many were sent."""
    from .notify.email import digest_recipients

    sent = 0
    for user_id in digest_recipients():
        # Called directly rather than enqueued: one failing address must not hold up the others, and each
        # call handles its own retries.
        if send_digest_email.call(user_id=user_id) == "sent":
            sent += 1
    return sent
