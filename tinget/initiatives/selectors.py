"""Every read of citizen initiatives: what the public, the promoter, the signer and staff see."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from . import rules
from .models import Burst, Initiative, PaperSignature, Signature, State, Step


def public_initiatives(municipality=None):
    qs = Initiative.objects.filter(state__in=rules.PUBLIC_STATES).select_related("area", "topic")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs


def filter_public(qs, *, state: str = "", area=None, topic=None, query: str = "", sort: str = "activity"):
    """The public list's filters. `state` is a public state or "" for all; sorted by activity (signatures
    the last week, then the latest signature), "new" (published) or "ending" (soonest end first)."""
    if state and state in rules.PUBLIC_STATES:
        qs = qs.filter(state=state)
    if area is not None:
        qs = qs.filter(area=area)
    if topic is not None:
        qs = qs.filter(topic=topic)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(proposal__icontains=query))
    if sort == "new":
        return qs.order_by("-published_at", "-pk")
    if sort == "ending":
        return qs.filter(state__in=rules.SIGNABLE_STATES).order_by("signing_ends_at", "pk")
    return qs.order_by(
        "-signatures_last_week",
        "-last_signed_at",
        "-published_at",
        "-pk",
    )


def can_view(initiative: Initiative, user) -> bool:
    """Public states for everyone; the rest for the promoter, a confirmed co-promoter and reviewing staff."""
    if initiative.state in rules.PUBLIC_STATES:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if initiative.promoter_id == user.pk or user.has_perm("initiatives.view_initiative"):
        return True
    return initiative.co_promoters.filter(user=user, confirmed_at__isnull=False).exists()


def initiative_for(pk: int, user) -> Initiative | None:
    """The initiative if `user` may see it, else None (the view answers 404 alike for both)."""
    initiative = (
        Initiative.objects.select_related("area", "topic", "municipality", "promoter").filter(pk=pk).first()
    )
    if initiative is None or not can_view(initiative, user):
        return None
    return initiative


def confirmed_co_promoters(initiative):
    return initiative.co_promoters.filter(confirmed_at__isnull=False)


def steps(initiative):
    return Step.objects.filter(initiative=initiative).order_by("happened_on", "created_at")


def days_left(initiative, now=None) -> int | None:
    if initiative.state not in rules.SIGNABLE_STATES or not initiative.signing_ends_at:
        return None
    now = now or timezone.now()
    return max(0, (timezone.localdate(initiative.signing_ends_at) - timezone.localdate(now)).days)


def progress_percent(initiative) -> int:
    if not initiative.required_signatures:
        return 0
    return min(100, round(100 * initiative.total_count / initiative.required_signatures))


def signature_of(user, initiative) -> Signature | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Signature.objects.filter(initiative=initiative, user=user).first()


def public_signers(initiative, limit: int = 50):
    """Names that signers chose to show, newest first."""
    return (
        Signature.objects.filter(initiative=initiative, show_name=True, invalidation__isnull=True)
        .order_by("-created_at")
        .values_list("name", flat=True)[:limit]
    )


def initiatives_of(user):
    """What a person proposed (every state)."""
    return Initiative.objects.filter(promoter=user).order_by("-updated_at")


def signatures_of(user):
    return Signature.objects.filter(user=user).select_related("initiative").order_by("-created_at")


# --- Staff ------------------------------------------------------------------------------------------------


def staff_overview(municipality=None, *, now=None):
    """Initiatives by state, with what is due soonest first: the review queue, collections ending, and
    decisions due."""
    now = now or timezone.now()
    qs = Initiative.objects.select_related("area", "topic")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return {
        "in_review": qs.filter(state=State.IN_REVIEW).order_by("submitted_at"),
        "collecting": qs.filter(state__in=rules.SIGNABLE_STATES).order_by("signing_ends_at"),
        "awaiting_decision": qs.filter(state__in=(State.HANDED_OVER, State.UNDER_TREATMENT)).order_by("decision_due"),
        "decision_due_soon": qs.filter(
            state__in=(State.HANDED_OVER, State.UNDER_TREATMENT),
            decision_due__lte=timezone.localdate(now) + timedelta(days=30),
        ).order_by("decision_due"),
        "open_bursts": Burst.objects.filter(outcome=Burst.Outcome.OPEN).select_related("initiative"),
        "counts": {state: qs.filter(state=state).count() for state in State.values},
    }


def signature_list(initiative):
    """Every signature, online and paper, for the council's list (valid first, then set aside)."""
    online = Signature.objects.filter(initiative=initiative).select_related("invalidation").order_by("created_at")
    paper = PaperSignature.objects.filter(initiative=initiative).select_related("batch", "invalidation")
    return online, paper
