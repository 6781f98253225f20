"""Every read of citizen initiatives: what the public, the promoter, the signer and staff see."""

from datetime import timedelta

from django.db.models import Count, Q
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
    initiative = Initiative.objects.select_related("area", "topic", "municipality", "promoter").filter(pk=pk).first()
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
        "open_bursts": Burst.objects.filter(
            outcome=Burst.Outcome.OPEN, **({"initiative__municipality": municipality} if municipality else {})
        ).select_related("initiative"),
        # One grouped query, not one per state.
        "counts": {
            **dict.fromkeys(State.values, 0),
            **dict(qs.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")),
        },
    }


def signature_list(initiative):
    """Every signature, online and paper, for the council's list (valid first, then set aside)."""
    online = Signature.objects.filter(initiative=initiative).select_related("invalidation").order_by("created_at")
    paper = PaperSignature.objects.filter(initiative=initiative).select_related("batch", "invalidation")
    return online, paper


# --- Public pages and signing ----------------------------------------------------------------------------


def topics():
    from .models import Topic

    return Topic.objects.all()


def public_steps(municipality=None, limit: int = 50):
    """The newest steps of public initiatives (a published initiative is its first step), for the feed."""
    qs = Step.objects.filter(initiative__state__in=rules.PUBLIC_STATES).select_related(
        "initiative", "initiative__area", "initiative__topic"
    )
    if municipality is not None:
        qs = qs.filter(initiative__municipality=municipality)
    return qs.order_by("-created_at", "-pk")[:limit]


def attachments_of(initiative):
    """Its files in the order they were added (who may see them is the caller's check)."""
    return initiative.attachments.order_by("created_at", "pk")


def co_promoters_of(initiative):
    """Every invitation, confirmed or not, oldest first: for the promoter and staff."""
    return initiative.co_promoters.order_by("invited_at", "pk")


def open_burst_count(initiative) -> int:
    return Burst.objects.filter(initiative=initiative, outcome=Burst.Outcome.OPEN).count()


def burst_of(initiative, pk) -> Burst | None:
    return Burst.objects.filter(pk=pk, initiative=initiative).first()


def signer_identity(user) -> dict | None:
    """The name and birth date a signature by `user` would carry (from their ID-porten identity)."""
    from tinget.accounts.models import Identity

    if not getattr(user, "is_authenticated", False):
        return None
    return Identity.objects.filter(user=user).values("given_name", "family_name", "birth_date").first()


# --- staff pages ------------------------------------------------------------------------------------------
# (Model imports here rather than at the top: several helpers edit this file's head at once.)


def staff_initiative(pk: int) -> Initiative | None:
    """One initiative for the staff pages. A draft is the promoter's until they send it, so staff do not see
    it, nor one withdrawn before it was ever sent (None, like a missing one)."""
    return _sent(Initiative.objects.select_related("area", "topic", "municipality")).filter(pk=pk).first()


def _sent(qs):
    return qs.exclude(state=State.DRAFT).exclude(state=State.WITHDRAWN, submitted_at__isnull=True)


def staff_initiatives(municipality=None, *, state: str = ""):
    """The staff overview's list for one state (any but drafts), what needs doing soonest first."""
    qs = _sent(Initiative.objects.select_related("area", "topic"))
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("decision_due", "signing_ends_at", "submitted_at", "pk")


def paper_batches(initiative):
    """The paper batches with how many of each were counted, set aside as duplicates, or invalidated."""
    from .models import PaperBatch

    counted = Q(signatures__status=PaperSignature.Status.COUNTED)
    return (
        PaperBatch.objects.filter(initiative=initiative)
        .select_related("registered_by")
        .annotate(
            rows=Count("signatures"),
            counted=Count("signatures", filter=counted & Q(signatures__invalidation__isnull=True)),
            duplicates=Count("signatures", filter=~counted),
            invalidated=Count("signatures", filter=counted & Q(signatures__invalidation__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )


def paper_statuses(initiative, rows) -> list[str]:
    """What services.register_paper_batch would make of each (name, birth_date, address) row, without
    writing anything: the preview staff confirm. Same rules, same order (in this batch, on paper, online)."""
    keys = [rules.match_key(name, birth_date) for name, birth_date, _address in rows]
    on_paper = set(
        PaperSignature.objects.filter(
            initiative=initiative, match_key__in=keys, status=PaperSignature.Status.COUNTED
        ).values_list("match_key", flat=True)
    )
    online = set(
        Signature.objects.filter(initiative=initiative, match_key__in=keys).values_list("match_key", flat=True)
    )
    seen, statuses = set(), []
    for key in keys:
        if key in seen:
            statuses.append(PaperSignature.Status.DUPLICATE_IN_BATCH)
        elif key in on_paper:
            statuses.append(PaperSignature.Status.DUPLICATE_PAPER)
        elif key in online:
            statuses.append(PaperSignature.Status.DUPLICATE_ONLINE)
        else:
            statuses.append(PaperSignature.Status.COUNTED)
        seen.add(key)
    return statuses


def latest_paper_batch_id(initiative) -> int:
    from .models import PaperBatch

    return PaperBatch.objects.filter(initiative=initiative).order_by("-pk").values_list("pk", flat=True).first() or 0


def bursts_of(initiative):
    """Flagged bursts, those not looked at first, newest first."""
    from django.db.models import Case, Value, When

    not_open = Case(When(outcome=Burst.Outcome.OPEN, then=Value(0)), default=Value(1))
    return (
        Burst.objects.filter(initiative=initiative)
        .select_related("reviewed_by")
        .order_by(not_open, "-window_start", "-pk")
    )


def invalidations_of(initiative):
    from .models import Invalidation

    return Invalidation.objects.filter(initiative=initiative).select_related("created_by").order_by("-created_at")


def valid_signatures_matching(initiative, *, network: str, since=None, until=None) -> int:
    """How many signatures still counted came from `network` between `since` and `until`."""
    qs = Signature.objects.filter(initiative=initiative, network=network, invalidation__isnull=True)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lte=until)
    return qs.count()


# --- proposing ---


def initiative_of_promoter(pk: int, user) -> Initiative | None:
    """The initiative if `user` is its promoter, else None (the promoter's pages answer 404 alike for both)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Initiative.objects.select_related("area", "topic", "municipality")
        .filter(pk=pk, promoter=user)
        .prefetch_related("attachments", "co_promoters")
        .first()
    )


def attachment_for(initiative_pk: int, attachment_pk: int, user):
    """An attachment as `user` may see it, and whether anyone may (so it can be cached publicly): the
    attachments of a public initiative for everyone, the rest for the promoter, a confirmed co-promoter and
    staff who may see initiatives (can_view)."""
    from .models import Attachment

    attachment = (
        Attachment.objects.select_related("initiative").filter(pk=attachment_pk, initiative_id=initiative_pk).first()
    )
    if attachment is None or not can_view(attachment.initiative, user):
        return None, False
    return attachment, attachment.initiative.state in rules.PUBLIC_STATES
