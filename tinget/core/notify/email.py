"""Notification e-mails: one at once, or a daily digest. Called by the tasks in tinget.core.tasks.

Never sent twice: a notification is claimed by setting `emailed_at` in the same transaction that sends it.
If sending fails, the transaction rolls back, `emailed_at` is NULL again and the task tries later; if another
worker got there first, there is nothing left to claim. On PostgreSQL the rows are locked while they are
sent (other workers skip them); on SQLite the write lock serialises workers, for at most EMAIL_TIMEOUT."""

import smtplib
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tinget.core.mail import UNDELIVERABLE_SUFFIX, deliverable

from ..models import Notification
from .selectors import target_label
from .tokens import make_token

# A digest lists what arrived since the last one; a person who switches to daily e-mail after months of
# "never" is not sent their whole history.
DIGEST_WINDOW = timedelta(days=7)
DIGEST_MAX_ITEMS = 50


class PermanentFailure(Exception):
    """The mail server refused for good (a 5xx reply): trying again would get the same answer."""


def is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return urljoin(f"{protocol}://{Site.objects.get_current().domain}", path)


def unsubscribe_url(token: str) -> str:
    return absolute_url(reverse("core:unsubscribe", kwargs={"token": token}))


def _message(*, user, subject, context, template, unsubscribe_token) -> EmailMultiAlternatives:
    one_click = unsubscribe_url(unsubscribe_token)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": one_click,
        "all_email_url": unsubscribe_url(make_token(user)),
        "settings_url": absolute_url(reverse("accounts:min_side")),
    }
    body = render_to_string(template, context)
    # RFC 2369 and RFC 8058: mail clients show an "unsubscribe" button that POSTs to the link, no login.
    headers = {"List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[user.email], headers=headers)


def notification_message(notification) -> EmailMultiAlternatives:
    user = notification.user
    with translation.override(user.preferred_language):
        if notification.content_type_id:
            token = make_token(user, content_type_id=notification.content_type_id, object_id=notification.object_id)
            target = target_label(notification.content_type_id, notification.object_id)
        else:
            token, target = make_token(user), ""
        return _message(
            user=user,
            subject=notification.title,
            context={"notification": notification, "link": absolute_url(notification.url), "target": target},
            template="core/notifications/email/notification.txt",
            unsubscribe_token=token,
        )


def digest_message(user, notifications) -> EmailMultiAlternatives:
    with translation.override(user.preferred_language):
        items = [{"notification": n, "link": absolute_url(n.url)} for n in notifications]
        subject = render_to_string("core/notifications/email/digest_subject.txt", {"count": len(items)})
        return _message(
            user=user,
            subject=subject,
            context={"items": items},
            template="core/notifications/email/digest.txt",
            unsubscribe_token=make_token(user),
        )


def _lock_pending(queryset, limit=None):
    """Ids of the not yet e-mailed notifications in `queryset`, locked for this transaction where the
    database can (rows another worker holds are skipped, not waited for)."""
    pending = queryset.filter(emailed_at__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        of = ("self",) if connection.features.has_select_for_update_of else ()
        pending = pending.select_for_update(skip_locked=True, of=of)
    if limit is not None:
        pending = pending[:limit]
    return list(pending.values_list("pk", flat=True))


def send_notification(notification_id: int) -> bool:
    """E-mail one notification to a person who wants e-mail at once. True if it was sent now; False if there
    is nothing to send (already sent, gone, or the person no longer wants it). SMTP errors propagate, with
    the notification left unsent."""
    with transaction.atomic():
        ids = _lock_pending(
            Notification.objects.filter(
                pk=notification_id, user__is_active=True, user__notification_frequency="instant"
            ).exclude(user__email__iendswith=UNDELIVERABLE_SUFFIX)
        )
        if not ids or not Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        ):
            return False
        notification = Notification.objects.select_related("user").get(pk=notification_id)
        notification_message(notification).send()
    return True


def digest_recipients():
    """Ids of people on a daily digest with something unsent from the digest window."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            notification_frequency="daily",
            notifications__emailed_at__isnull=True,
            notifications__read_at__isnull=True,
            notifications__created_at__gte=timezone.now() - DIGEST_WINDOW,
        )
        .exclude(email__iendswith=UNDELIVERABLE_SUFFIX)
        .distinct()
        .values_list("pk", flat=True)
    )


def send_digest(user_id: int) -> int:
    """E-mail one person their digest of unread, unsent notifications; returns how many it listed (0: none
    sent). SMTP errors propagate, with every notification left unsent."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True, notification_frequency="daily").first()
    if user is None or not deliverable(user.email):
        return 0
    with transaction.atomic():
        ids = _lock_pending(
            Notification.objects.filter(
                user=user, read_at__isnull=True, created_at__gte=timezone.now() - DIGEST_WINDOW
            ).order_by("-created_at", "-id"),
            limit=DIGEST_MAX_ITEMS,
        )
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=timezone.now())
        notifications = list(Notification.objects.filter(pk__in=ids).order_by("-created_at", "-id"))
        digest_message(user, notifications).send()
    return len(notifications)
