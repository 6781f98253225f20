"""Template tags for follows and notifications.

{% follow_state target as state %}     state.following, state.model, state.object_id (the follow button)
{% notification_summary user as s %}   s.unread, s.latest, s.follows (Min side)
"""

from django import template

from ..notify import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_state(context, target, following=None):
    """`following` may be given where the page already knows (Min side's list of follows): saves a query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if following not in (True, False):
        following = selectors.is_following(user, target)
    return {
        "following": following,
        "followable": selectors.is_followable(target),
        "logged_in": bool(user and user.is_authenticated),
        "model": target._meta.label_lower,
        "object_id": str(target.pk),
    }


@register.simple_tag
def notification_summary(user):
    return selectors.summary_for(user)
