"""Citizen initiatives (innbyggerforslag) under kommuneloven § 12-1.

An initiative is written by a promoter (forslagsstiller), reviewed by staff, published to collect signatures
(underskrifter) for a period, handed over to the council when it has enough, and followed to the decision.

Counting: a signature is one row; nothing that every signature touches is locked. The numbers shown
(`online_count`, `paper_count`) are recounted from the rows at most every few seconds (services.recount),
so they never drift, and the recount is what notices the threshold and bursts. See rules.py for the law's
numbers and the states.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tinget.core.models import TopicBase


class Topic(TopicBase):
    """What an initiative is about (roads, schools, nature...), for the list's filter."""

    class Meta(TopicBase.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REFUSED = "refused", _("Refused")
    COLLECTING = "collecting", _("Collecting signatures")
    THRESHOLD_REACHED = "threshold_reached", _("Enough signatures")
    HANDED_OVER = "handed_over", _("Handed over")
    UNDER_TREATMENT = "under_treatment", _("Under political treatment")
    DECIDED = "decided", _("Decided")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Initiative(models.Model):
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=120)
    proposal = models.TextField(_("what the municipality should do"))
    reasons = models.TextField(_("why"))
    area = models.ForeignKey(
        "core.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="initiatives", verbose_name=_("topic")
    )
    # The promoter's account goes when they delete it; the name stays on a public initiative (the law makes
    # the promoter of a public initiative public).
    promoter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("promoter"),
    )
    promoter_name = models.CharField(_("promoter's name"), max_length=200)
    language = models.CharField(_("language"), max_length=5, default="nb")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    signing_days = models.PositiveSmallIntegerField(_("signing period in days"))
    # Frozen when published, so a new population figure does not move the goal under a running collection.
    required_signatures = models.PositiveIntegerField(_("signatures required"), default=0)
    review_note = models.TextField(
        _("reason given by staff"),
        blank=True,
        help_text=_("Shown to the promoter when changes are asked for or the initiative is refused."),
    )
    # The tallies, recounted from the signature rows (services.recount); never incremented.
    online_count = models.PositiveIntegerField(_("signatures online"), default=0)
    paper_count = models.PositiveIntegerField(_("signatures on paper"), default=0)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)
    last_signed_at = models.DateTimeField(_("last signature"), null=True, blank=True, db_index=True)
    signatures_last_week = models.PositiveIntegerField(_("signatures the last seven days"), default=0)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    signing_ends_at = models.DateTimeField(_("signing ends"), null=True, blank=True)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The political treatment, as the latest step recorded it.
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    signatures_purged_at = models.DateTimeField(_("signatures deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen initiative")
        verbose_name_plural = _("citizen initiatives")
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("review_initiative", _("Can review initiatives before they are published")),
            ("handle_initiative", _("Can register paper signatures, hand over and record the treatment")),
            ("view_signature_list", _("Can read and download signature lists")),
            ("invalidate_signatures", _("Can invalidate signatures")),
        ]
        indexes = [models.Index(fields=["municipality", "state"], name="initiative_state_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:detail", kwargs={"pk": self.pk})

    @property
    def total_count(self) -> int:
        return self.online_count + self.paper_count

    def is_followable_by(self, user) -> bool:
        from . import rules

        if self.state in rules.PUBLIC_STATES:
            return True
        if not user.is_authenticated:
            return False
        return user.pk == self.promoter_id or self.co_promoters.filter(user=user, confirmed_at__isnull=False).exists()


class CoPromoter(models.Model):
    """Someone the promoter names as promoting the initiative with them. Shown only after they confirm
    through the link they are sent, logged in with ID-porten."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="co_promoters", verbose_name=_("initiative")
    )
    email = models.EmailField(_("e-mail address invited"))
    # Part of the signed link: a link made before a re-invitation stops working.
    nonce = models.UUIDField(default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-promoter")
        verbose_name_plural = _("co-promoters")
        ordering = ["invited_at"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "email"], name="copromoter_unique_email"),
        ]

    def __str__(self):
        return self.name or self.email


def attachment_path(instance, filename):
    return f"initiatives/{instance.initiative_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


def _attachment_storage():
    from django.core.files.storage import storages

    return storages["initiative_files"]


class Attachment(models.Model):
    """An image or a PDF the promoter adds. Images are re-encoded without metadata; PDFs are checked by
    content. Served by a view that checks the initiative is public or the viewer its promoter or staff."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("initiative")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, storage=_attachment_storage, max_length=200)
    title = models.CharField(
        _("title or description"),
        max_length=200,
        help_text=_("For an image: what it shows, for those who cannot see it."),
    )
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self):
        return self.title


class Invalidation(models.Model):
    """Staff setting signatures aside, with the reason; counted out, kept for the record."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="invalidations", verbose_name=_("initiative")
    )
    reason = models.TextField(_("reason"))
    criteria = models.JSONField(_("what was invalidated"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("signatures"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invalidation")
        verbose_name_plural = _("invalidations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.initiative}: {self.count}"


class Signature(models.Model):
    """One person's online signature. The database refuses a second one from the same person: the unique
    key is the keyed hash of the fødselsnummer (accounts.Identity.pid_digest), never the number itself."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("initiative")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiative_signatures",
        verbose_name=_("user"),
    )
    pid_digest = models.CharField(_("keyed hash of the national identity number"), max_length=64)
    # For the council's list and for finding the same person on a paper form (see PaperSignature.match_key).
    name = models.CharField(_("name"), max_length=300)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    match_key = models.CharField(_("name and birth date, hashed"), max_length=64, blank=True, db_index=True)
    show_name = models.BooleanField(_("name shown publicly"), default=False)
    # A keyed hash of the /24 (IPv4) or /64 (IPv6) network the signature came from: enough to see a burst,
    # not enough to find the address.
    network = models.CharField(_("network, hashed"), max_length=16, blank=True)
    invalidation = models.ForeignKey(
        Invalidation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("invalidated by"),
    )
    created_at = models.DateTimeField(_("signed"), db_index=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "pid_digest"], name="signature_one_per_person"),
        ]
        indexes = [
            models.Index(fields=["initiative", "created_at"], name="signature_initiative_time_idx"),
            models.Index(fields=["initiative", "network", "created_at"], name="signature_network_idx"),
        ]

    def __str__(self):
        return f"{self.initiative_id}: {self.name}"


class PaperBatch(models.Model):
    """A bundle of paper forms staff type in."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="paper_batches", verbose_name=_("initiative")
    )
    received_on = models.DateField(_("received"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch of paper signatures")
        verbose_name_plural = _("batches of paper signatures")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.initiative} ({self.received_on})"


class PaperSignature(models.Model):
    class Status(models.TextChoices):
        COUNTED = "counted", _("Counted")
        DUPLICATE_IN_BATCH = "duplicate_batch", _("Same person twice in the batch")
        DUPLICATE_PAPER = "duplicate_paper", _("Already signed on paper")
        DUPLICATE_ONLINE = "duplicate_online", _("Already signed online")

    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("batch"))
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="paper_signatures", verbose_name=_("initiative")
    )
    name = models.CharField(_("name"), max_length=300)
    birth_date = models.DateField(_("date of birth"))
    address = models.CharField(_("address"), max_length=300)
    # HMAC of the normalised name and the birth date: how a paper signature meets an online one.
    match_key = models.CharField(_("name and birth date, hashed"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.COUNTED)
    invalidation = models.ForeignKey(
        Invalidation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invalidated by"),
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper signature")
        verbose_name_plural = _("paper signatures")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "match_key"],
                condition=Q(status="counted"),
                name="paper_signature_counted_once",
            ),
        ]

    def __str__(self):
        return self.name


class Burst(models.Model):
    """Many signatures from one network in a short time: flagged for staff, who dismiss it or invalidate."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Not looked at")
        DISMISSED = "dismissed", _("Looked at, nothing wrong")
        INVALIDATED = "invalidated", _("Signatures invalidated")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="bursts", verbose_name=_("initiative")
    )
    network = models.CharField(_("network, hashed"), max_length=16)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("to"))
    count = models.PositiveIntegerField(_("signatures"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("looked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("flagged"), auto_now_add=True)

    class Meta:
        verbose_name = _("burst of signatures")
        verbose_name_plural = _("bursts of signatures")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "network", "window_start"], name="burst_unique_window"),
        ]

    def __str__(self):
        return f"{self.initiative_id}: {self.count} ({self.window_start:%Y-%m-%d %H:%M})"


class Step(models.Model):
    """A step on the way from proposal to decision, shown on the initiative's page and sent to followers."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published for signing")
        THRESHOLD = "threshold", _("Enough signatures")
        HANDED_OVER = "handed_over", _("Handed over to the municipality")
        CASE_OPENED = "case_opened", _("Case registered")
        MEETING = "meeting", _("Treated in a meeting")
        DECIDED = "decided", _("Decided")
        EXPIRED = "expired", _("Signing period ended")
        WITHDRAWN = "withdrawn", _("Withdrawn by the promoter")
        NOTE = "note", _("Update")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="steps", verbose_name=_("initiative")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("text"), blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    url = models.URLField(_("link"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["happened_on", "created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.happened_on}"
