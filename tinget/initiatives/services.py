"""Every write to citizen initiatives: the promoter's, the signer's, staff's and the sweep's.

Each function checks who may do it and what state allows it (rules.TRANSITIONS), writes in one transaction
with its audit entry, and raises a DomainError with a message for the person when a rule says no.

Counting (see models.py): `sign` inserts one row and touches nothing shared. `recount` counts the rows; it
runs at most every settings.TINGET_INITIATIVE_COUNT_SECONDS per initiative, whichever process gets there
first (a conditional UPDATE claims the turn), and it is where the threshold and bursts are noticed.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from tinget.accounts.identity import residency_check
from tinget.accounts.models import Identity, Residency
from tinget.core import audit
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.notify import services as notify
from tinget.core.ratelimit import network_of

from . import emails, rules, selectors
from .models import (
    Burst,
    CoPromoter,
    Initiative,
    Invalidation,
    PaperBatch,
    PaperSignature,
    Signature,
    State,
    Step,
)
from .rules import match_key


class AlreadySigned(DomainError):
    default_message = _("You have already signed this initiative.")
    code = "already_signed"


class AlreadySignedOnPaper(DomainError):
    default_message = _(
        "Your signature on a paper form has already been registered for this initiative, so you cannot sign online too."
    )
    code = "already_signed_on_paper"


class NotSignable(DomainError):
    default_message = _("This initiative is not collecting signatures.")
    code = "not_signable"


class NotResident(DomainError):
    default_message = _("Only people registered as living in the municipality can sign.")
    code = "not_resident"


class NoIdentity(DomainError):
    default_message = _("Log in with ID-porten to sign.")
    code = "no_identity"


class BadLink(DomainError):
    default_message = _("This link is not valid. Ask the promoter to send you a new invitation.")
    code = "bad_link"


# --- Helpers ----------------------------------------------------------------------------------------------


def _move(initiative: Initiative, to_state: str):
    if not rules.can_move(initiative.state, to_state):
        raise InvalidTransition()
    initiative.state = to_state


def _locked(initiative_or_pk) -> Initiative:
    pk = getattr(initiative_or_pk, "pk", initiative_or_pk)
    return Initiative.objects.select_for_update().get(pk=pk)


def _is_promoter(actor, initiative) -> bool:
    return getattr(actor, "is_authenticated", False) and initiative.promoter_id == actor.pk


def _require_perm(actor, perm: str):
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(f"initiatives.{perm}"):
        raise NotAllowed()


def network_key(ip: str) -> str:
    return salted_hmac("tinget.initiatives.network", network_of(ip), algorithm="sha256").hexdigest()[:16]


def _announce(initiative, step_kind: str, title, body="", exclude=None):
    notify.announce(
        event_key=f"initiatives.{initiative.pk}.{step_kind}",
        verb=step_kind,
        target=initiative,
        title=title,
        body=body,
        exclude=exclude,
    )


def _step(initiative, kind, actor=None, **fields) -> Step:
    return Step.objects.create(
        initiative=initiative,
        kind=kind,
        happened_on=fields.pop("happened_on", None) or timezone.localdate(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )


# --- The promoter ----------------------------------------------------------------------------------------

EDITABLE_FIELDS = ("title", "proposal", "reasons", "area", "topic", "signing_days")


def _check_text(data: dict):
    limits = {
        "title": settings.TINGET_INITIATIVE_TITLE_MAX,
        "proposal": settings.TINGET_INITIATIVE_PROPOSAL_MAX,
        "reasons": settings.TINGET_INITIATIVE_REASONS_MAX,
    }
    for field, limit in limits.items():
        if field in data and len(data[field] or "") > limit:
            raise DomainError(_("The text is too long: at most %(limit)s characters."), params={"limit": limit})
    lowest, highest = rules.signing_days_allowed()
    days = data.get("signing_days")
    if days is not None and not lowest <= int(days) <= highest:
        raise DomainError(
            _("The signing period must be between %(low)s and %(high)s days."), params={"low": lowest, "high": highest}
        )


def draft_create(*, actor, municipality, data: dict) -> Initiative:
    """A new draft by `actor`, who must be logged in through ID-porten (the view checks the level)."""
    identity = Identity.objects.filter(user=actor).first()
    if identity is None:
        raise NoIdentity()
    _check_text(data)
    with transaction.atomic():
        initiative = Initiative.objects.create(
            municipality=municipality,
            promoter=actor,
            promoter_name=f"{identity.given_name} {identity.family_name}".strip() or actor.get_short_name(),
            language=getattr(actor, "preferred_language", "") or settings.LANGUAGE_CODE,
            **{field: data[field] for field in EDITABLE_FIELDS if field in data},
        )
        audit.log(actor, "initiatives.initiative.created", initiative)
        notify.follow(actor=actor, target=initiative)
    return initiative


def draft_update(*, actor, initiative: Initiative, data: dict) -> Initiative:
    if not _is_promoter(actor, initiative):
        raise NotAllowed()
    _check_text(data)
    with transaction.atomic():
        initiative = _locked(initiative)
        if initiative.state not in rules.EDITABLE_STATES:
            raise DomainError(_("The initiative can no longer be changed."))
        for field in EDITABLE_FIELDS:
            if field in data:
                setattr(initiative, field, data[field])
        initiative.save()
        audit.log(actor, "initiatives.initiative.edited", initiative)
    return initiative


def submit_for_review(*, actor, initiative: Initiative) -> Initiative:
    if not _is_promoter(actor, initiative):
        raise NotAllowed()
    with transaction.atomic():
        initiative = _locked(initiative)
        _move(initiative, State.IN_REVIEW)
        initiative.submitted_at = timezone.now()
        initiative.save(update_fields=["state", "submitted_at", "updated_at"])
        audit.log(actor, "initiatives.initiative.submitted", initiative)
        transaction.on_commit(lambda: emails.review_requested(initiative))
    return initiative


def withdraw(*, actor, initiative: Initiative) -> Initiative:
    """The promoter takes the initiative back (not after the hand-over: then it is the council's)."""
    if not _is_promoter(actor, initiative):
        raise NotAllowed()
    with transaction.atomic():
        initiative = _locked(initiative)
        was_public = initiative.state in rules.PUBLIC_STATES
        _move(initiative, State.WITHDRAWN)
        initiative.closed_at = timezone.now()
        initiative.save(update_fields=["state", "closed_at", "updated_at"])
        audit.log(actor, "initiatives.initiative.withdrawn", initiative)
        if was_public:
            _step(initiative, Step.Kind.WITHDRAWN, actor)
            _announce(initiative, "withdrawn", _("The initiative was withdrawn by the promoter"), exclude=actor)
    return initiative


# --- Co-promoters -----------------------------------------------------------------------------------------

CO_PROMOTER_SALT = "tinget.initiatives.co-promoter"


def invite_co_promoter(*, actor, initiative: Initiative, email: str) -> CoPromoter:
    if not _is_promoter(actor, initiative):
        raise NotAllowed()
    if initiative.state not in rules.EDITABLE_STATES:
        raise DomainError(_("Co-promoters can only be added while the initiative is a draft."))
    email = email.strip().lower()
    with transaction.atomic():
        _locked(initiative)
        if initiative.co_promoters.count() >= settings.TINGET_INITIATIVE_MAX_CO_PROMOTERS:
            raise DomainError(
                _("An initiative can have at most %(n)s co-promoters."),
                params={"n": settings.TINGET_INITIATIVE_MAX_CO_PROMOTERS},
            )
        if initiative.co_promoters.filter(email=email).exists():
            raise DomainError(_("This person has already been invited."))
        co_promoter = CoPromoter.objects.create(initiative=initiative, email=email)
        audit.log(actor, "initiatives.co_promoter.invited", initiative)
        transaction.on_commit(lambda: emails.co_promoter_invitation(co_promoter, co_promoter_token(co_promoter)))
    return co_promoter


def co_promoter_token(co_promoter: CoPromoter) -> str:
    return signing.dumps({"c": co_promoter.pk, "n": str(co_promoter.nonce)}, salt=CO_PROMOTER_SALT)


def co_promoter_from_token(token: str) -> CoPromoter:
    """The invitation a link names. Raises BadLink for a forged, altered or replaced link."""
    try:
        data = signing.loads(token, salt=CO_PROMOTER_SALT, max_age=timedelta(days=60))
        co_promoter = CoPromoter.objects.select_related("initiative").get(pk=data["c"])
    except (signing.BadSignature, CoPromoter.DoesNotExist, KeyError, TypeError):
        raise BadLink() from None
    if str(co_promoter.nonce) != data.get("n"):
        raise BadLink()
    return co_promoter


def confirm_co_promoter(*, actor, token: str) -> CoPromoter:
    co_promoter = co_promoter_from_token(token)
    identity = Identity.objects.filter(user=actor).first()
    if identity is None:
        raise NoIdentity()
    if co_promoter.initiative.promoter_id == actor.pk:
        raise DomainError(_("You are already the promoter of this initiative."))
    if co_promoter.initiative.state not in rules.EDITABLE_STATES | {State.IN_REVIEW}:
        raise DomainError(_("The initiative has moved on; co-promoters can no longer be confirmed."))
    with transaction.atomic():
        co_promoter = CoPromoter.objects.select_for_update().get(pk=co_promoter.pk)
        if co_promoter.confirmed_at and co_promoter.user_id != actor.pk:
            raise BadLink()
        co_promoter.user = actor
        co_promoter.name = f"{identity.given_name} {identity.family_name}".strip()
        co_promoter.confirmed_at = co_promoter.confirmed_at or timezone.now()
        co_promoter.save()
        audit.log(actor, "initiatives.co_promoter.confirmed", co_promoter.initiative)
        # Initiative.is_followable_by lets only the promoter follow before publication; when it also lets a
        # confirmed co-promoter, they follow from here.
        if co_promoter.initiative.is_followable_by(actor):
            notify.follow(actor=actor, target=co_promoter.initiative)
    return co_promoter


def remove_co_promoter(*, actor, co_promoter: CoPromoter):
    if not _is_promoter(actor, co_promoter.initiative):
        raise NotAllowed()
    if co_promoter.initiative.state not in rules.EDITABLE_STATES:
        raise DomainError(_("The initiative can no longer be changed."))
    with transaction.atomic():
        audit.log(actor, "initiatives.co_promoter.removed", co_promoter.initiative)
        co_promoter.delete()


# --- Staff review -----------------------------------------------------------------------------------------


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time().replace(microsecond=0)))


def approve(*, actor, initiative: Initiative) -> Initiative:
    """Publish for signing. The period starts today and ends at the end of the day `signing_days` later."""
    _require_perm(actor, "review_initiative")
    with transaction.atomic():
        initiative = _locked(initiative)
        _move(initiative, State.COLLECTING)
        now = timezone.now()
        initiative.published_at = now
        initiative.signing_ends_at = _end_of_day(timezone.localdate(now) + timedelta(days=initiative.signing_days))
        initiative.required_signatures = rules.required_signatures(initiative.municipality.population)
        initiative.review_note = ""
        initiative.counted_at = now
        initiative.save()
        _step(initiative, Step.Kind.PUBLISHED, actor)
        audit.log(actor, "initiatives.initiative.approved", initiative)
        _announce(initiative, "published", _("Your initiative is published and can be signed"))
    return initiative


def request_changes(*, actor, initiative: Initiative, reason: str) -> Initiative:
    return _review_no(actor, initiative, reason, State.CHANGES_REQUESTED)


def refuse(*, actor, initiative: Initiative, reason: str) -> Initiative:
    """A refusal must give its reason. Whether the matter lies within the municipality's activity is for the
    council, not a ground staff can refuse on (the form says so)."""
    return _review_no(actor, initiative, reason, State.REFUSED)


def _review_no(actor, initiative, reason, to_state):
    _require_perm(actor, "review_initiative")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write the reason: the promoter will see it."))
    with transaction.atomic():
        initiative = _locked(initiative)
        _move(initiative, to_state)
        initiative.review_note = reason
        if to_state == State.REFUSED:
            initiative.closed_at = timezone.now()
        initiative.save()
        audit.log(actor, f"initiatives.initiative.{to_state}", initiative, {"reason": reason})
        title = (
            _("Changes are asked for in your initiative")
            if to_state == State.CHANGES_REQUESTED
            else _("Your initiative was refused")
        )
        _announce(initiative, f"{to_state}.{timezone.now():%Y%m%d%H%M%S}", title, body=reason)
    return initiative


# --- Signing ----------------------------------------------------------------------------------------------


def _signing_snapshot(actor, initiative_id: int, residency_source: str) -> Initiative | None:
    """What signing needs, in one query: the initiative (only the fields signing and following use; pk None
    when there is no such initiative) with the signer's identity (`signer_pid_digest`, `signer_given_name`,
    `signer_family_name`, `signer_birth_date`) and their postcode from a residency in the initiative's
    municipality from `residency_source` that says they live there (`signer_postcode`, None when there is
    none). None when the person has no identity.

    Plain SQL because this is the hot path: built with the ORM the same read costs over a millisecond of CPU
    per signature (compiling the query), written out it costs a tenth of that (bench/README.md, initiatives).
    Portable SQL (SQLite and PostgreSQL); RawQuerySet converts the initiative's fields as the ORM would."""
    quote = connection.ops.quote_name
    # Only the tables' own names are put into the text (quoted); every value goes as a parameter.
    sql = (
        "SELECT n.id AS id, n.state AS state, n.signing_ends_at AS signing_ends_at, "  # noqa: S608
        "n.municipality_id AS municipality_id, n.paper_count AS paper_count, n.title AS title, "
        "n.promoter_id AS promoter_id, i.pid_digest AS signer_pid_digest, i.given_name AS signer_given_name, "
        "i.family_name AS signer_family_name, i.birth_date AS signer_birth_date, r.postcode AS signer_postcode "
        f"FROM {quote(Identity._meta.db_table)} i "
        f"LEFT JOIN {quote(Initiative._meta.db_table)} n ON n.id = %s "
        f"LEFT JOIN {quote(Residency._meta.db_table)} r ON r.user_id = i.user_id "
        "AND r.municipality_id = n.municipality_id AND r.source = %s AND r.is_resident = %s "
        "WHERE i.user_id = %s"
    )
    rows = list(Initiative.objects.raw(sql, [initiative_id, residency_source, True, actor.pk]))
    return rows[0] if rows else None


def sign(*, actor, initiative_id: int, show_name: bool = False, follow: bool = False, ip: str = "") -> Signature:
    """`actor` signs. The view has checked the ID-porten level; residency and everything else is checked here.

    One signature per person is the database's unique key on (initiative, pid_digest): two requests at the same
    moment both pass the checks, one insert wins, the other raises AlreadySigned.

    This is what many people do at once when an initiative takes off (bench/initiatives), so it costs two
    statements: one read (the person's identity, the initiative, and the person's residency in its municipality;
    see _signing_snapshot) and the insert, which commits on its own (no BEGIN/COMMIT around it unless the caller
    holds a transaction; then a savepoint keeps a refused insert from spoiling it)."""
    initiative = _signing_snapshot(actor, initiative_id, residency_check().source)
    if initiative is None:
        raise NoIdentity()
    if initiative.pk is None or initiative.state not in rules.SIGNABLE_STATES:
        raise NotSignable()
    now = timezone.now()
    if initiative.signing_ends_at and now > initiative.signing_ends_at:
        raise NotSignable(_("The signing period has ended."))
    postcode = initiative.signer_postcode
    if postcode is None:
        raise NotResident()
    name = f"{initiative.signer_given_name} {initiative.signer_family_name}".strip()
    key = match_key(name, initiative.signer_birth_date)
    if (
        initiative.paper_count
        and key
        and PaperSignature.objects.filter(
            initiative_id=initiative.pk, match_key=key, status=PaperSignature.Status.COUNTED
        ).exists()
    ):
        raise AlreadySignedOnPaper()
    signature = Signature(
        initiative_id=initiative.pk,
        user=actor,
        pid_digest=initiative.signer_pid_digest,
        name=name,
        birth_date=initiative.signer_birth_date,
        postcode=postcode,
        match_key=key,
        show_name=show_name,
        network=network_key(ip) if ip else "",
        created_at=now,
    )
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                signature.save(force_insert=True)
        else:
            signature.save(force_insert=True)
    except IntegrityError:
        raise AlreadySigned() from None
    if follow:
        notify.follow(actor=actor, target=initiative)
    return signature


def withdraw_signature(*, actor, initiative: Initiative) -> None:
    """A signer takes their own signature back, until the initiative is handed over."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed()
    with transaction.atomic():
        current = Initiative.objects.only("state").get(pk=initiative.pk)
        if current.state not in rules.WITHDRAWABLE_STATES:
            raise DomainError(_("The initiative has been handed over; signatures can no longer be withdrawn."))
        deleted, _rows = Signature.objects.filter(initiative_id=initiative.pk, user=actor).delete()
        if not deleted:
            raise DomainError(_("You have not signed this initiative."))
        audit.log(actor, "initiatives.signature.withdrawn", initiative)


# --- Counting ---------------------------------------------------------------------------------------------


def recount(initiative: Initiative, *, force: bool = False) -> Initiative:
    """Count the signatures again if the last count is older than TINGET_INITIATIVE_COUNT_SECONDS (or
    `force`). Only one process takes each turn: the UPDATE that moves `counted_at` forward is the claim.
    Returns the initiative with the counts as they now stand."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.TINGET_INITIATIVE_COUNT_SECONDS)
    claim = Initiative.objects.filter(pk=initiative.pk)
    if not force:
        claim = claim.filter(Q(counted_at__isnull=True) | Q(counted_at__lte=stale))
    if not claim.update(counted_at=now):
        return initiative
    tally = Signature.objects.filter(initiative_id=initiative.pk, invalidation__isnull=True).aggregate(
        online=Count("pk"),
        last_week=Count("pk", filter=Q(created_at__gte=now - timedelta(days=7))),
        last=Max("created_at"),
    )
    online, last_week, last = tally["online"], tally["last_week"], tally["last"]
    paper = PaperSignature.objects.filter(
        initiative_id=initiative.pk, status=PaperSignature.Status.COUNTED, invalidation__isnull=True
    ).count()
    Initiative.objects.filter(pk=initiative.pk).update(
        online_count=online, paper_count=paper, signatures_last_week=last_week, last_signed_at=last
    )
    initiative.online_count, initiative.paper_count = online, paper
    initiative.signatures_last_week, initiative.last_signed_at, initiative.counted_at = last_week, last, now
    if (
        initiative.state == State.COLLECTING
        and initiative.required_signatures
        and (online + paper >= initiative.required_signatures)
    ):
        _threshold_reached(initiative)
    if initiative.state in rules.SIGNABLE_STATES:
        flag_bursts(initiative, now=now)
    return initiative


def _threshold_reached(initiative):
    with transaction.atomic():
        locked = _locked(initiative)
        if locked.state != State.COLLECTING:
            return
        locked.state = State.THRESHOLD_REACHED
        locked.threshold_reached_at = timezone.now()
        locked.save(update_fields=["state", "threshold_reached_at", "updated_at"])
        _step(locked, Step.Kind.THRESHOLD)
        audit.log(None, "initiatives.initiative.threshold_reached", locked, {"count": initiative.total_count})
        _announce(
            locked,
            "threshold",
            _("The initiative has enough signatures"),
            body=_("The promoter can now hand it over to the municipality."),
        )
    initiative.state, initiative.threshold_reached_at = locked.state, locked.threshold_reached_at


def flag_bursts(initiative, *, now=None) -> int:
    """Flag networks with more than TINGET_INITIATIVE_BURST_COUNT signatures in the last
    TINGET_INITIATIVE_BURST_MINUTES. One flag per network and window (windows start on whole minutes)."""
    now = now or timezone.now()
    minutes = settings.TINGET_INITIATIVE_BURST_MINUTES
    start = (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    rows = (
        Signature.objects.filter(initiative_id=initiative.pk, created_at__gte=start, invalidation__isnull=True)
        .exclude(network="")
        .values("network")
        .annotate(n=Count("pk"))
        .filter(n__gt=settings.TINGET_INITIATIVE_BURST_COUNT)
    )
    flagged = 0
    for row in rows:
        if Burst.objects.filter(initiative_id=initiative.pk, network=row["network"], window_end__gte=start).exists():
            Burst.objects.filter(
                initiative_id=initiative.pk, network=row["network"], window_end__gte=start, count__lt=row["n"]
            ).update(count=row["n"], window_end=now)
            continue
        with transaction.atomic():
            burst, created = Burst.objects.get_or_create(
                initiative_id=initiative.pk,
                network=row["network"],
                window_start=start,
                defaults={"window_end": now, "count": row["n"]},
            )
            if created:
                audit.log(None, "initiatives.burst.flagged", burst, {"count": row["n"]})
                flagged += 1
    return flagged


# --- Fraud handling ---------------------------------------------------------------------------------------


def invalidate(
    *,
    actor,
    initiative: Initiative,
    reason: str,
    network: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    signature_ids=None,
    burst: Burst | None = None,
) -> Invalidation:
    """Set signatures aside with a reason: those from `network` between `since` and `until`, or the ones
    listed, or a flagged burst's. Audited; the count follows at the next recount (forced here)."""
    _require_perm(actor, "invalidate_signatures")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write the reason for invalidating the signatures."))
    if burst is not None:
        network, since, until = burst.network, burst.window_start, burst.window_end
    if not (network or signature_ids):
        raise DomainError(_("Choose which signatures to invalidate."))
    with transaction.atomic():
        initiative = _locked(initiative)
        if initiative.state not in rules.SIGNABLE_STATES | {State.EXPIRED}:
            raise DomainError(_("Signatures can only be invalidated before the hand-over."))
        chosen = Signature.objects.filter(initiative=initiative, invalidation__isnull=True)
        if network:
            chosen = chosen.filter(network=network)
        if since:
            chosen = chosen.filter(created_at__gte=since)
        if until:
            chosen = chosen.filter(created_at__lte=until)
        if signature_ids is not None:
            chosen = chosen.filter(pk__in=list(signature_ids))
        criteria = {
            "network": network,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "signatures": sorted(int(i) for i in signature_ids) if signature_ids is not None else None,
            "burst": burst.pk if burst else None,
        }
        invalidation = Invalidation.objects.create(
            initiative=initiative, reason=reason, criteria=criteria, created_by=actor
        )
        count = chosen.update(invalidation=invalidation)
        invalidation.count = count
        invalidation.save(update_fields=["count"])
        if burst is not None:
            Burst.objects.filter(pk=burst.pk).update(
                outcome=Burst.Outcome.INVALIDATED, reviewed_by=actor, reviewed_at=timezone.now()
            )
        details = {**criteria, "count": count, "reason": reason}
        audit.log(actor, "initiatives.signatures.invalidated", initiative, details)
    recount(initiative, force=True)
    return invalidation


def dismiss_burst(*, actor, burst: Burst) -> Burst:
    _require_perm(actor, "invalidate_signatures")
    with transaction.atomic():
        Burst.objects.filter(pk=burst.pk).update(
            outcome=Burst.Outcome.DISMISSED, reviewed_by=actor, reviewed_at=timezone.now()
        )
        audit.log(actor, "initiatives.burst.dismissed", burst.initiative)
    burst.refresh_from_db()
    return burst


# --- Paper signatures -------------------------------------------------------------------------------------


def register_paper_batch(*, actor, initiative: Initiative, received_on: date, rows, note: str = "") -> PaperBatch:
    """Type in a bundle of paper forms. `rows` is a list of (name, birth_date, address). Every row is kept
    (the paper is the evidence); a person already counted, in this batch, on paper before or online, is
    kept with the reason and not counted."""
    _require_perm(actor, "handle_initiative")
    rows = list(rows)
    if not rows:
        raise DomainError(_("The batch has no signatures."))
    today = timezone.localdate()
    for name, birth_date, address in rows:
        if not (name or "").strip() or not (address or "").strip():
            raise DomainError(_("Every signature needs a name and an address."))
        if not isinstance(birth_date, date) or birth_date > today or birth_date.year < today.year - 130:
            raise DomainError(_("%(name)s: the date of birth is not possible."), params={"name": name})
    with transaction.atomic():
        initiative = _locked(initiative)
        if initiative.state not in rules.SIGNABLE_STATES | {State.EXPIRED}:
            raise DomainError(_("Paper signatures can only be registered before the hand-over."))
        batch = PaperBatch.objects.create(
            initiative=initiative, received_on=received_on, note=note, registered_by=actor
        )
        # Under the lock, so a batch confirmed at the same moment is already counted when this one is judged.
        statuses = selectors.paper_statuses(initiative, rows)
        signatures = [
            PaperSignature(
                batch=batch,
                initiative=initiative,
                name=name.strip(),
                birth_date=birth_date,
                address=address.strip(),
                match_key=match_key(name, birth_date),
                status=status,
            )
            for (name, birth_date, address), status in zip(rows, statuses, strict=True)
        ]
        PaperSignature.objects.bulk_create(signatures)
        counted = sum(1 for s in signatures if s.status == PaperSignature.Status.COUNTED)
        audit.log(
            actor,
            "initiatives.paper_batch.registered",
            initiative,
            {"batch": batch.pk, "rows": len(signatures), "counted": counted},
        )
    recount(initiative, force=True)
    return batch


# --- Hand-over and treatment ------------------------------------------------------------------------------


def hand_over(*, actor, initiative: Initiative) -> Initiative:
    """The promoter (or staff, or the sweep at the end of the period) hands a initiative with enough
    signatures over. Starts the council's six months."""
    if actor is not None and not (_is_promoter(actor, initiative) or actor.has_perm("initiatives.handle_initiative")):
        raise NotAllowed()
    recount(initiative, force=True)
    with transaction.atomic():
        initiative = _locked(initiative)
        _move(initiative, State.HANDED_OVER)
        now = timezone.now()
        initiative.handed_over_at = now
        initiative.decision_due = rules.decision_due(timezone.localdate(now))
        initiative.save()
        _step(initiative, Step.Kind.HANDED_OVER, actor)
        audit.log(actor, "initiatives.initiative.handed_over", initiative, {"count": initiative.total_count})
        _announce(
            initiative,
            "handed_over",
            _("The initiative has been handed over to the municipality"),
            body=_("The council must decide by %(date)s.") % {"date": initiative.decision_due.isoformat()},
        )
    return initiative


def record_step(
    *,
    actor,
    initiative: Initiative,
    kind: str,
    happened_on: date,
    text: str = "",
    case_number: str = "",
    meeting: str = "",
    url: str = "",
) -> Step:
    """Staff record the political treatment: the case registered, a meeting, the decision, or an update."""
    _require_perm(actor, "handle_initiative")
    allowed = {Step.Kind.CASE_OPENED, Step.Kind.MEETING, Step.Kind.DECIDED, Step.Kind.NOTE}
    if kind not in allowed:
        raise DomainError(_("Choose what happened."))
    if kind == Step.Kind.DECIDED and not (text or "").strip():
        raise DomainError(_("Write the decision."))
    if happened_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."))
    with transaction.atomic():
        initiative = _locked(initiative)
        if initiative.state not in (State.HANDED_OVER, State.UNDER_TREATMENT) and not (
            kind == Step.Kind.NOTE and initiative.state in rules.PUBLIC_STATES
        ):
            raise InvalidTransition()
        if kind in (Step.Kind.CASE_OPENED, Step.Kind.MEETING) and initiative.state == State.HANDED_OVER:
            _move(initiative, State.UNDER_TREATMENT)
        if kind == Step.Kind.DECIDED:
            _move(initiative, State.DECIDED)
            initiative.decision_text = text.strip()
            initiative.decided_on = happened_on
            initiative.closed_at = timezone.now()
        if case_number:
            initiative.case_number = case_number.strip()
        initiative.save()
        step = _step(
            initiative,
            kind,
            actor,
            happened_on=happened_on,
            text=text.strip(),
            case_number=case_number.strip(),
            meeting=meeting.strip(),
            url=url.strip(),
        )
        audit.log(actor, f"initiatives.step.{kind}", initiative, {"step": step.pk})
        _announce(initiative, f"step.{step.pk}", lambda: str(step.get_kind_display()), body=text.strip())
    return step


# --- The sweep (cron: manage.py initiatives_sweep) ---------------------------------------------------------


def close_ended_periods(*, now=None) -> dict[str, int]:
    """At the end of the signing period: an initiative with enough signatures is handed over, one without
    expires."""
    now = now or timezone.now()
    ended = Initiative.objects.filter(state__in=rules.SIGNABLE_STATES, signing_ends_at__lt=now)
    handed, expired = 0, 0
    for initiative in ended:
        initiative = recount(initiative, force=True)
        if initiative.state == State.THRESHOLD_REACHED:
            try:
                hand_over(actor=None, initiative=initiative)
            except InvalidTransition:
                # The promoter handed it over between our read and our lock: done already, go on.
                continue
            handed += 1
            continue
        with transaction.atomic():
            locked = _locked(initiative)
            if locked.state != State.COLLECTING:
                continue
            _move(locked, State.EXPIRED)
            locked.closed_at = now
            locked.save(update_fields=["state", "closed_at", "updated_at"])
            _step(locked, Step.Kind.EXPIRED)
            audit.log(None, "initiatives.initiative.expired", locked, {"count": locked.total_count})
            _announce(locked, "expired", _("The signing period ended without enough signatures"))
        expired += 1
    return {"handed_over": handed, "expired": expired}


def recount_collecting() -> int:
    """Recount every initiative taking signatures, so the threshold is noticed without a visitor."""
    count = 0
    for initiative in Initiative.objects.filter(state__in=rules.SIGNABLE_STATES):
        recount(initiative)
        count += 1
    return count


def purge_signatures(*, now=None) -> int:
    """Delete the signatures (online and paper) of initiatives closed more than
    TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS ago; the counts stay on the initiative."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS)
    closed = Initiative.objects.filter(
        state__in=(State.DECIDED, State.EXPIRED, State.WITHDRAWN, State.REFUSED),
        closed_at__lt=cutoff,
        signatures_purged_at__isnull=True,
    )
    total = 0
    for initiative in closed:
        with transaction.atomic():
            deleted_online, _details = Signature.objects.filter(initiative=initiative).delete()
            deleted_paper, _details = PaperSignature.objects.filter(initiative=initiative).delete()
            Initiative.objects.filter(pk=initiative.pk).update(signatures_purged_at=now)
            counts = {"online": deleted_online, "paper": deleted_paper}
            audit.log(None, "initiatives.signatures.purged", initiative, counts)
        total += deleted_online + deleted_paper
    return total


def sweep(*, now=None) -> dict[str, int]:
    recounted = recount_collecting()
    result = close_ended_periods(now=now)
    return {"recounted": recounted, **result, "signatures_deleted": purge_signatures(now=now)}


# --- staff pages ------------------------------------------------------------------------------------------


def log_signature_list_read(*, actor, initiative: Initiative, what: str, fmt: str, online: int, paper: int, unit=None):
    """Staff download the list of signers: a read of personal data, logged (one entry per download, against
    the initiative: `what` is the gettext_noop text the log shows) before a byte of it is sent. Raises
    NotAllowed without initiatives.view_signature_list."""
    from tinget.accounts.privacy import log_personal_data_read

    _require_perm(actor, "view_signature_list")
    with transaction.atomic():
        log_personal_data_read(staff_user=actor, subject_user=initiative, what=what, unit=unit)
        audit.log(
            actor,
            "initiatives.signature_list.downloaded",
            initiative,
            {"format": fmt, "online": online, "paper": paper},
        )


# --- attachments ---


def attachment_add(*, actor, initiative: Initiative, checked, title: str):
    """Add a file the promoter uploaded, already checked and re-encoded by attachments.check_file, with its title
    (for an image: what it shows). Only the promoter, only while the text can be changed, at most
    settings.TINGET_INITIATIVE_MAX_ATTACHMENTS. Raises NotAllowed or DomainError; stores nothing then."""
    from .models import Attachment

    if not _is_promoter(actor, initiative):
        raise NotAllowed()
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Write a title for the file; for an image, what it shows."))
    limit = Attachment._meta.get_field("title").max_length
    if len(title) > limit:
        raise DomainError(_("The title is too long: at most %(limit)s characters."), params={"limit": limit})
    with transaction.atomic():
        initiative = _locked(initiative)
        if initiative.state not in rules.EDITABLE_STATES:
            raise DomainError(_("The initiative can no longer be changed."))
        if initiative.attachments.count() >= settings.TINGET_INITIATIVE_MAX_ATTACHMENTS:
            raise DomainError(
                _("An initiative can have at most %(n)s attachments. Remove one to add another."),
                params={"n": settings.TINGET_INITIATIVE_MAX_ATTACHMENTS},
            )
        attachment = Attachment(initiative=initiative, kind=checked.kind, title=title, size=checked.size)
        attachment.file.save(checked.content.name, checked.content, save=False)
        stored = attachment.file
        try:
            attachment.save()
            audit.log(actor, "initiatives.attachment.added", initiative, {"attachment": attachment.pk})
        except Exception:
            # Nothing half-written: a file without its row would never be served nor deleted.
            stored.storage.delete(stored.name)
            raise
    return attachment


def attachment_remove(*, actor, attachment) -> None:
    """The promoter removes a file while the text can be changed. The file is deleted once the row is."""
    initiative = attachment.initiative
    if not _is_promoter(actor, initiative):
        raise NotAllowed()
    with transaction.atomic():
        initiative = _locked(initiative)
        if initiative.state not in rules.EDITABLE_STATES:
            raise DomainError(_("The initiative can no longer be changed."))
        storage, name = attachment.file.storage, attachment.file.name
        deleted, _details = type(attachment).objects.filter(pk=attachment.pk, initiative=initiative).delete()
        if deleted:
            audit.log(actor, "initiatives.attachment.removed", initiative, {"attachment": attachment.pk})
            transaction.on_commit(lambda: storage.delete(name))
