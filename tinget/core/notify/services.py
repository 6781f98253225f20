"""Writes for follows and notifications: follow, unfollow, announce, mark read, unsubscribe."""

import logging
from collections import defaultdict
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..errors import DomainError, NotAllowed
from ..models import Follow, Notification
from . import selectors
from .tokens import Unsubscribe

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length


class NotFollowable(DomainError):
    default_message = _("This cannot be followed.")
    code = "not_followable"


class NotLoggedIn(NotAllowed):
    default_message = _("Log in to follow this.")
    code = "not_logged_in"


def _check_can_follow(actor, target):
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotLoggedIn()
    if not selectors.is_followable(target):
        raise NotFollowable()
    # A module whose objects are not all public (a hidden report, an unpublished consultation) says who may
    # follow one by giving the model `is_followable_by(user)`.
    check = getattr(target, "is_followable_by", None)
    if check is not None and not check(actor):
        raise NotFollowable()


def follow(*, actor, target) -> Follow:
    """`actor` follows `target`. Following twice leaves one follow.

    Raises NotLoggedIn for an anonymous or inactive person, NotFollowable when no registered module lists the
    target's model as followable (or the target says this person may not follow it)."""
    _check_can_follow(actor, target)
    content_type = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        follow_row = _insert_follow(actor, content_type, str(target.pk))
        if follow_row is not None:
            audit.log(actor, "core.follow.created", target)
            return follow_row
    return Follow.objects.get(user=actor, content_type=content_type, object_id=str(target.pk))


def _insert_follow(actor, content_type, object_id) -> Follow | None:
    """The new follow, or None when the person already follows it. One statement (INSERT … ON CONFLICT DO
    NOTHING RETURNING, on PostgreSQL and SQLite alike) instead of a read, a savepoint and an insert: signing
    an initiative follows it, and signing is the platform's busiest write."""
    table = connection.ops.quote_name(Follow._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        # The table name is the model's, quoted; the values are parameters.
        cursor.execute(
            f"INSERT INTO {table} (user_id, content_type_id, object_id, created_at) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (user_id, content_type_id, object_id) DO NOTHING RETURNING id",
            [actor.pk, content_type.pk, object_id, connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Follow(pk=row[0], user=actor, content_type=content_type, object_id=object_id, created_at=now)


def unfollow(*, actor, target) -> bool:
    """`actor` stops following `target`. True if there was a follow to remove; unfollowing twice is harmless."""
    if not getattr(actor, "is_authenticated", False):
        raise NotLoggedIn()
    if not selectors.is_followable(target):
        raise NotFollowable()
    with transaction.atomic():
        deleted, _counts = Follow.objects.filter(user=actor, **selectors._target_filter(target)).delete()
        if deleted:
            audit.log(actor, "core.follow.deleted", target)
    return bool(deleted)


def _render(text) -> str:
    """A title or body in the active language: a lazy translation, a callable that returns text, or text."""
    if callable(text):
        text = text()
    return str(text) if text else ""


def announce(*, event_key: str, verb: str, target, title, body="", url="", exclude=None) -> int:
    """Tell everyone who follows `target` (except `exclude`: usually the person who caused the event, or a collection
    of user pks who are told in another way).

    `title` and `body` are rendered once per language in each follower's preferred language, so pass lazy
    translations (`gettext_lazy`) or a callable, e.g. `lambda: _("Status: %(s)s") % {"s": report.status}`.
    `url` defaults to the target's `get_absolute_url()`, taken in each follower's language.

    Each follower gets one Notification per `event_key`: announcing the same event again stores nothing and
    sends nothing. After the transaction commits, people who want e-mail at once get one through the task
    queue; those on a daily digest get it with the next digest; the rest only see it on Min side.
    Returns the number of notifications created."""
    from ..tasks import send_notification_email

    content_type = ContentType.objects.get_for_model(target)
    followers = selectors.followers_of(target)
    if exclude is not None:
        followers = followers.exclude(pk__in=[exclude.pk] if hasattr(exclude, "pk") else list(exclude))
    followers = list(followers.only("pk", "preferred_language", "notification_frequency"))
    with transaction.atomic():
        already = set(
            Notification.objects.filter(event_key=event_key, user__in=followers).values_list("user_id", flat=True)
        )
        by_language = defaultdict(list)
        for user in followers:
            if user.pk not in already:
                by_language[user.preferred_language].append(user)
        rows = []
        for language, users in by_language.items():
            with translation.override(language):
                rendered_title = _render(title)[:TITLE_MAX]
                rendered_body = _render(body)
                rendered_url = (str(url) if url else selectors._url_of(target))[:URL_MAX]
            rows.extend(
                Notification(
                    user=user,
                    event_key=event_key,
                    verb=verb,
                    title=rendered_title,
                    body=rendered_body,
                    url=rendered_url,
                    content_type=content_type,
                    object_id=str(target.pk),
                )
                for user in users
            )
        # A concurrent announcement of the same event may have stored some of these meanwhile; the unique
        # constraint keeps one, and the e-mail task claims each notification once.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        instant = [
            user.pk for users in by_language.values() for user in users if user.notification_frequency == "instant"
        ]
        to_email = list(
            Notification.objects.filter(event_key=event_key, user_id__in=instant, emailed_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        audit.log(None, "core.notification.announced", target, {"event_key": event_key, "recipients": len(rows)})
        for notification_id in to_email:
            transaction.on_commit(partial(send_notification_email.enqueue, notification_id=notification_id))
    return len(rows)


# Marking as read is not audited: it is the person's own housekeeping, changes nothing anyone else sees, and
# would otherwise flood the audit log.
def mark_read(*, actor, notification) -> None:
    if notification.user_id != actor.pk:
        raise NotAllowed()
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.read_at = timezone.now()


def mark_all_read(*, actor) -> int:
    """Marks every unread notification of `actor` as read; returns how many."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


class UnsubscribeTargetGone(DomainError):
    default_message = _("This link is no longer valid.")
    code = "unsubscribe_gone"


def unsubscribe_user(request: Unsubscribe):
    """The person a valid unsubscribe token names, or None if the account is gone."""
    return get_user_model().objects.filter(pk=request.user_id, is_active=True).first()


def unsubscribe(*, request: Unsubscribe) -> dict:
    """Carry out a one-click unsubscribe: stop following one object, or stop all notification e-mail.

    The signed token is the authority here (no login): it was sent to this person's address. Doing it twice
    is harmless. Raises UnsubscribeTargetGone when the account no longer exists."""
    user = unsubscribe_user(request)
    if user is None:
        raise UnsubscribeTargetGone()
    with transaction.atomic():
        if request.target is None:
            changed = user.notification_frequency != "never"
            if changed:
                type(user).objects.filter(pk=user.pk).update(notification_frequency="never")
                audit.log(user, "core.notification.unsubscribed_all", user, {"via": "e-mail link"})
            return {"user": user, "all": True, "changed": changed}
        content_type_id, object_id = request.target
        deleted, _counts = Follow.objects.filter(
            user=user, content_type_id=content_type_id, object_id=object_id
        ).delete()
        if deleted:
            audit.log(
                user,
                "core.follow.deleted",
                None,
                {"via": "e-mail link", "content_type": content_type_id, "object_id": object_id},
            )
        return {"user": user, "all": False, "changed": bool(deleted)}
