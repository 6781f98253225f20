"""Reads of follows and notifications."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Subquery

from ..models import Follow, Notification
from ..registry import Module, registry

LATEST_ON_MIN_SIDE = 5


def followable_labels() -> dict[str, Module]:
    """{"app_label.model": the module that lists it}, from every registered module's `followable`."""
    labels = {}
    for module in registry:
        for label in module.followable:
            labels.setdefault(label.lower(), module)
    return labels


def is_followable(model_or_instance) -> bool:
    return model_or_instance._meta.label_lower in followable_labels()


def _target_filter(target):
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": str(target.pk)}


def is_following(user, target) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(user=user, **_target_filter(target)).exists()


def followers_of(target):
    """The active people who follow `target`."""
    return get_user_model().objects.filter(
        is_active=True,
        follows__content_type=ContentType.objects.get_for_model(target),
        follows__object_id=str(target.pk),
    )


@dataclass
class FollowedItem:
    follow: Follow
    target: object
    title: str
    url: str


@dataclass
class FollowGroup:
    module: Module | None
    items: list[FollowedItem] = field(default_factory=list)

    @property
    def title(self):
        return self.module.name if self.module else ""


def follows_for(user) -> list[FollowGroup]:
    """What `user` follows, grouped by the module that made it followable, in the registry's order.

    One query for the follows and one per kind of object followed. A follow whose object is gone, or whose
    kind no module offers any longer, is left out."""
    follows = list(Follow.objects.filter(user=user).order_by("-created_at", "-id"))
    by_type: dict[int, list[Follow]] = {}
    for follow in follows:
        by_type.setdefault(follow.content_type_id, []).append(follow)
    labels = followable_labels()
    groups: dict[str, FollowGroup] = {}
    for content_type_id, type_follows in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or model._meta.label_lower not in labels:
            continue
        module = labels[model._meta.label_lower]
        pks = {follow.pk: _pk_or_none(model, follow.object_id) for follow in type_follows}
        targets = model._default_manager.in_bulk({pk for pk in pks.values() if pk is not None})
        group = groups.setdefault(module.slug, FollowGroup(module=module))
        for follow in type_follows:
            target = targets.get(pks[follow.pk])
            if target is not None:
                group.items.append(FollowedItem(follow=follow, target=target, title=str(target), url=_url_of(target)))
    order = {module.slug: index for index, module in enumerate(registry)}
    return sorted((g for g in groups.values() if g.items), key=lambda g: order.get(g.module.slug, len(order)))


def _pk_or_none(model, object_id):
    """The primary key stored as text in a follow, as the model reads it; None if it no longer reads it."""
    try:
        return model._meta.pk.to_python(object_id)
    except ValidationError:
        return None


def target_label(content_type_id, object_id) -> str:
    """What a stored (content type, object id) pair names, as text; "" when the object or its kind is gone."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        return ""
    if model is None:
        return ""
    pk = _pk_or_none(model, object_id)
    found = model._default_manager.filter(pk=pk).first() if pk is not None else None
    return str(found) if found is not None else ""


def _url_of(target) -> str:
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if get_url else ""


def notifications_for(user):
    """`user`'s notifications, newest first. Only ever the person's own: views pass request.user."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_for(user, pk):
    """One of `user`'s notifications, or None (another person's is as absent as one that does not exist)."""
    return notifications_for(user).filter(pk=pk).first()


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def summary_for(user) -> dict:
    """What Min side shows: how many are unread, the latest few, and what the person follows.

    The unread count rides along on the latest notifications as a subquery, to save Min side a query: with no
    notifications at all there are no rows, and the count is 0 anyway."""
    unread = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .values("user")
        .annotate(total=Count("pk"))
        .values("total")
    )
    latest = list(notifications_for(user).annotate(unread_total=Subquery(unread))[:LATEST_ON_MIN_SIDE])
    return {
        "unread": (latest[0].unread_total or 0) if latest else 0,
        "latest": latest,
        "follows": follows_for(user),
    }
