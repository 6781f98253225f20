"""Template tags for citizen initiatives, for every page that shows one (the list, its page, Min side, staff).

{% load initiatives %}
{% initiative_state initiative %}        the state as a coloured tag with text
{% signature_progress initiative %}      "123 of 300 signatures" and a <progress> bar labelled by that text
{% days_left_text initiative %}          "12 days left", "Last day today" or "" when it is not collecting
{% law_required municipality %}          the number of signatures the law requires in the municipality
"""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import rules, selectors
from ..models import State

register = template.Library()

# Designsystemet colours; the tag always carries the state's name as text.
STATE_COLORS = {
    State.DRAFT: "neutral",
    State.IN_REVIEW: "warning",
    State.CHANGES_REQUESTED: "warning",
    State.REFUSED: "danger",
    State.COLLECTING: "info",
    State.THRESHOLD_REACHED: "success",
    State.HANDED_OVER: "accent",
    State.UNDER_TREATMENT: "accent",
    State.DECIDED: "success",
    State.EXPIRED: "neutral",
    State.WITHDRAWN: "neutral",
}


def state_color(state: str) -> str:
    return STATE_COLORS.get(state, "neutral")


@register.inclusion_tag("core/components/status_tag.html")
def initiative_state(initiative):
    return {"label": initiative.get_state_display(), "color": state_color(initiative.state)}


@register.inclusion_tag("initiatives/public/_progress.html")
def signature_progress(initiative, size="md", id_prefix="progress"):
    required = initiative.required_signatures
    total = initiative.total_count
    return {
        "id": f"{id_prefix}-{initiative.pk}",
        "total": total,
        "online": initiative.online_count,
        "paper": initiative.paper_count,
        "required": required,
        # A <progress> must have max > 0; its value is capped so a full bar means "enough".
        "max": required or 1,
        "value": min(total, required) if required else 0,
        "percent": selectors.progress_percent(initiative),
        "reached": bool(required) and total >= required,
        "size": size,
    }


@register.simple_tag
def days_left_text(initiative) -> str:
    days = selectors.days_left(initiative)
    if days is None:
        return ""
    if days == 0:
        return _("Last day to sign today")
    return ngettext("%(days)s day left to sign", "%(days)s days left to sign", days) % {"days": days}


@register.simple_tag
def law_required(municipality) -> int:
    return rules.required_signatures(municipality.population) if municipality else rules.ALWAYS_ENOUGH
