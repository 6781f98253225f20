"""What citizen initiatives give the rest of the platform: Min side, site search, demo data and privacy."""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from tinget.core import audit
from tinget.core.models import AuditEntry
from tinget.core.registry import MinSideSection, SearchHit

from . import selectors, services
from .models import CoPromoter, Initiative, Signature, State

MIN_SIDE_ITEMS = 5
SEARCH_HITS = 10
# Once handed over, the signatures are the council's evidence: they stay (without the account) until
# services.purge_signatures deletes them after the decision.
HANDED_OVER_STATES = frozenset({State.HANDED_OVER, State.UNDER_TREATMENT, State.DECIDED})


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the page is not mounted (a project without the module's pages)
        return ""


# --- Min side ---------------------------------------------------------------------------------------------


def proposals_section(user) -> MinSideSection:
    """My proposals, every state, newest change first."""
    initiatives = list(selectors.initiatives_of(user)[:MIN_SIDE_ITEMS])
    return MinSideSection(
        title=_("My citizen initiatives"),
        items=[{"title": i.title, "url": i.get_absolute_url(), "status": i.get_state_display()} for i in initiatives],
        empty_text=_("You have not proposed any citizen initiatives."),
        more_url=_url("initiatives:mine"),
    )


def signatures_section(user) -> MinSideSection:
    """What I signed, with where each initiative stands now."""
    signatures = list(selectors.signatures_of(user)[:MIN_SIDE_ITEMS])
    return MinSideSection(
        title=_("Initiatives I have signed"),
        items=[
            {
                "title": s.initiative.title,
                "url": s.initiative.get_absolute_url(),
                "status": s.initiative.get_state_display(),
            }
            for s in signatures
        ],
        empty_text=_("You have not signed any citizen initiatives."),
        more_url=_url("initiatives:my_signatures"),
    )


def min_side(user) -> MinSideSection:
    """Min side shows one section per module (accounts.views.min_side), so my proposals and what I signed
    share one, each item saying which it is, newest change first; the full pages (initiatives:mine and
    initiatives:my_signatures) link to each other. One query, whatever the person has."""
    signed = Exists(Signature.objects.filter(initiative=OuterRef("pk"), user=user))
    initiatives = list(
        Initiative.objects.annotate(signed=signed)
        .filter(Q(promoter=user) | Q(signed=True))
        .only("pk", "title", "state", "promoter_id", "updated_at")
        .order_by("-updated_at", "-pk")[: MIN_SIDE_ITEMS * 2]
    )
    items = []
    for initiative in initiatives:
        state = initiative.get_state_display()
        if initiative.promoter_id == user.pk:
            status = _("My proposal: %(state)s") % {"state": state}
        else:
            status = _("Signed: %(state)s") % {"state": state}
        items.append({"title": initiative.title, "url": initiative.get_absolute_url(), "status": status})
    proposed = any(i.promoter_id == user.pk for i in initiatives)
    return MinSideSection(
        title=_("Citizen initiatives"),
        items=items,
        empty_text=_("You have not proposed or signed any citizen initiatives."),
        more_url=_url("initiatives:mine") if proposed or not initiatives else _url("initiatives:my_signatures"),
    )


# --- Site search ------------------------------------------------------------------------------------------


def search(query, viewer):
    """Public initiatives whose title or text holds the query (never a draft, even the viewer's own: the
    site search is a public page)."""
    query = (query or "").strip()
    if not query:
        return []
    initiatives = selectors.filter_public(selectors.public_initiatives(), query=query, sort="new")[:SEARCH_HITS]
    return [
        SearchHit(
            title=initiative.title,
            url=initiative.get_absolute_url(),
            summary=_("%(state)s · %(count)s of %(required)s signatures")
            % {
                "state": initiative.get_state_display(),
                "count": initiative.total_count,
                "required": initiative.required_signatures,
            },
            module="initiatives",
        )
        for initiative in initiatives
    ]


# --- Demo -------------------------------------------------------------------------------------------------


def demo(municipality):
    from .demo import load_demo

    load_demo(municipality)


# --- Privacy ----------------------------------------------------------------------------------------------


def _retention_text() -> str:
    return _(
        "When you delete your account, your signatures on initiatives that have not been handed over to the "
        "municipality are withdrawn, and your proposals that were never published are deleted. A published "
        "initiative stays public with the promoter's name, as the law makes the promoters of an initiative "
        "public. Signatures on an initiative that has been handed over are the council's evidence: they stay "
        "without the link to your account, and every signature, online and on paper, is deleted %(days)s days "
        "after the council's decision (or after the initiative expired, was withdrawn or refused)."
    ) % {"days": settings.TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS}


# Lazy: the privacy page renders it in the reader's language, with the period the settings give then.
retention = lazy(_retention_text, str)()


def personal_data(user) -> dict:
    """My proposals (with the co-promoters I invited), my signatures with their dates, and the initiatives I
    confirmed as co-promoter. The keyed hash of the national identity number is left out, as elsewhere."""
    proposals = selectors.initiatives_of(user).select_related("area", "topic").prefetch_related("co_promoters")
    signatures = selectors.signatures_of(user).select_related("invalidation")
    confirmations = CoPromoter.objects.filter(user=user).select_related("initiative").order_by("invited_at")
    return {
        "proposals": [
            {
                "id": i.pk,
                "url": i.get_absolute_url(),
                "title": i.title,
                "proposal": i.proposal,
                "reasons": i.reasons,
                "area": i.area.name if i.area_id else None,
                "topic": i.topic.name if i.topic_id else None,
                "promoter_name": i.promoter_name,
                "state": i.state,
                "signing_days": i.signing_days,
                "review_note": i.review_note,
                "created_at": i.created_at,
                "submitted_at": i.submitted_at,
                "published_at": i.published_at,
                "handed_over_at": i.handed_over_at,
                "closed_at": i.closed_at,
                "co_promoters_invited": [
                    {"email": c.email, "invited_at": c.invited_at, "confirmed_at": c.confirmed_at}
                    for c in i.co_promoters.all()
                ],
            }
            for i in proposals
        ],
        "signatures": [
            {
                "initiative": s.initiative_id,
                "url": s.initiative.get_absolute_url(),
                "title": s.initiative.title,
                "initiative_state": s.initiative.state,
                "signed_at": s.created_at,
                "name": s.name,
                "birth_date": s.birth_date,
                "postcode": s.postcode,
                "name_shown_publicly": s.show_name,
                "counted": s.invalidation_id is None,
                "invalidation_reason": s.invalidation.reason if s.invalidation_id else None,
            }
            for s in signatures
        ],
        "co_promoter_of": [
            {
                "initiative": c.initiative_id,
                "title": c.initiative.title,
                "name": c.name,
                "email": c.email,
                "invited_at": c.invited_at,
                "confirmed_at": c.confirmed_at,
            }
            for c in confirmations
        ],
    }


def _forget_audit_labels(initiative_ids):
    # The audit log is kept, but a deleted proposal's title (the person's own text) leaves it.
    for pk in initiative_ids:
        AuditEntry.objects.filter(target_type="initiatives.initiative", target_id=str(pk)).update(target_label=f"#{pk}")


def erase(user) -> None:
    """Forget `user`, inside the account deletion's transaction:

    - signatures on initiatives not handed over are deleted (deleting the account withdraws them) and those
      initiatives recounted; each withdrawal is audited on the initiative, without who it was;
    - signatures on handed-over initiatives lose the account but stay until the retention purge;
    - proposals never published (draft, in review, changes requested, refused, withdrawn before
      publication) are deleted with their attachments;
    - published initiatives stay with the promoter's name (the law makes it public) but lose the account;
    - as co-promoter: on a published initiative the confirmed name stays (public) without the account or the
      e-mail address; on one never published the row goes."""
    with transaction.atomic():
        withdrawn = list(
            Signature.objects.filter(user=user)
            .exclude(initiative__state__in=HANDED_OVER_STATES)
            .values_list("initiative_id", flat=True)
        )
        Signature.objects.filter(user=user, initiative_id__in=withdrawn).delete()
        # The council's list keeps the name; the public list of signers no longer shows it.
        unlinked = Signature.objects.filter(user=user).update(user=None, show_name=False)
        for initiative in Initiative.objects.filter(pk__in=withdrawn):
            audit.log("privacy", "initiatives.signature.withdrawn", initiative, {"reason": "account_deleted"})
            services.recount(initiative, force=True)

        # Never published: draft, in review, changes requested, refused, or withdrawn before publication.
        never_public = Initiative.objects.filter(promoter=user, published_at__isnull=True)
        doomed = list(never_public.prefetch_related("attachments"))
        files = [(a.file.storage, a.file.name) for i in doomed for a in i.attachments.all() if a.file]
        doomed_ids = [i.pk for i in doomed]
        Initiative.objects.filter(pk__in=doomed_ids).delete()
        _forget_audit_labels(doomed_ids)
        kept = Initiative.objects.filter(promoter=user).update(promoter=None)

        CoPromoter.objects.filter(user=user, initiative__published_at__isnull=True).delete()
        for co_promoter in CoPromoter.objects.filter(user=user):
            co_promoter.user = None
            co_promoter.email = f"{co_promoter.pk}@erased.invalid"
            co_promoter.save(update_fields=["user", "email"])

        if doomed_ids or kept or unlinked:
            audit.log(
                "privacy",
                "initiatives.promoter_erased",
                None,
                {"proposals_deleted": len(doomed_ids), "initiatives_kept": kept, "signatures_kept": unlinked},
            )

        def delete_files():
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete_files)
