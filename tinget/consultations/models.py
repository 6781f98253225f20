"""Consultations (høringer): the municipality puts a case or a plan out for input before a deadline.

A consultation is written by staff as a draft and published. Its state comes from a stored stage and the clock:
a published consultation is *upcoming* before `opens_at`, *open* until `deadline`, and *closed* after it, until a
case worker starts *processing* the input and finally *concludes* it with the outcome (see `Consultation.state`
and the queryset's `.upcoming()`, `.open()`, `.closed()`). Changes to the published text are kept as versions.

Residents, associations and businesses send input (høringsinnspill, `Submission`): free text, answers to the
consultation's structured questions, or a comment on one section of the text; attachments are allowed. Input to
a public consultation is normally a public document under offentleglova; the sender chooses whether the site
shows their name.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinget.core.models import TopicBase


def consultation_storage():
    """Protected storage: a view checks who may see each file (settings.STORAGES["consultation_files"])."""
    return storages["consultation_files"]


class Topic(TopicBase):
    """What a consultation is about (planning, schools, budget...), for the list's filter."""

    class Meta(TopicBase.Meta):
        verbose_name = _("consultation topic")
        verbose_name_plural = _("consultation topics")


class Stage(models.TextChoices):
    """What staff have done with a consultation. The state a visitor sees also depends on the clock."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    PROCESSING = "processing", _("Processing input")
    CONCLUDED = "concluded", _("Concluded")


class State(models.TextChoices):
    """The one lifecycle vocabulary (shared with initiatives' and surveys' time states)."""

    DRAFT = "draft", _("Draft")
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for input")
    CLOSED = "closed", _("Deadline passed")
    PROCESSING = "processing", _("Processing input")
    CONCLUDED = "concluded", _("Concluded")


class ConsultationQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(stage=Stage.DRAFT)

    def upcoming(self, now=None):
        return self.filter(stage=Stage.PUBLISHED, opens_at__gt=now or timezone.now())

    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(stage=Stage.PUBLISHED, opens_at__lte=now, deadline__gte=now)

    def closed(self, now=None):
        """Published and past the deadline, processing or concluded: everything no longer taking input."""
        now = now or timezone.now()
        return self.filter(
            Q(stage=Stage.PUBLISHED, deadline__lt=now) | Q(stage__in=[Stage.PROCESSING, Stage.CONCLUDED])
        )

    def in_state(self, state: str, now=None):
        now = now or timezone.now()
        if state == State.DRAFT:
            return self.filter(stage=Stage.DRAFT)
        if state == State.UPCOMING:
            return self.upcoming(now)
        if state == State.OPEN:
            return self.open(now)
        if state == State.CLOSED:
            return self.filter(stage=Stage.PUBLISHED, deadline__lt=now)
        if state == State.PROCESSING:
            return self.filter(stage=Stage.PROCESSING)
        if state == State.CONCLUDED:
            return self.filter(stage=Stage.CONCLUDED)
        return self.none()


class Consultation(models.Model):
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200)
    # The plain-language summary, in three parts a resident looks for first.
    summary = models.TextField(_("what this is about"))
    influence = models.TextField(_("what you can influence"), blank=True)
    next_steps = models.TextField(_("what happens next"), blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    areas = models.ManyToManyField("core.Area", blank=True, related_name="+", verbose_name=_("areas"))
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations", verbose_name=_("topic")
    )
    opens_at = models.DateTimeField(_("opens"))
    # A moment, not a day: "frist 15. januar kl. 23:59" (Europe/Oslo), stored in UTC.
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT, db_index=True)
    allow_late_input = models.BooleanField(
        _("accept input after the deadline"),
        default=False,
        help_text=_("Staff may allow input after the deadline for this consultation, for example after an error."),
    )
    # Bumped by every change to the published text; version 1 is what was published.
    version = models.PositiveIntegerField(_("version"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    processing_started_at = models.DateTimeField(_("processing started"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    # The summary of the input received (innspillsrapport), written by the case worker.
    input_report = models.TextField(_("summary of input"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    political_case_number = models.CharField(_("political case number"), max_length=40, blank=True)
    political_case_url = models.URLField(_("link to the political case"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "-pk"]
        permissions = [
            ("publish_consultation", _("Can write and publish consultations")),
            ("process_consultation", _("Can process input and conclude consultations")),
            ("export_submissions", _("Can export all input to a consultation")),
            ("moderate_submission", _("Can hide input that breaks the rules")),
        ]
        indexes = [models.Index(fields=["municipality", "stage", "deadline"], name="consultation_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")), name="consultation_deadline_after_open"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:detail", kwargs={"pk": self.pk})

    def state_at(self, now) -> str:
        if self.stage == Stage.DRAFT:
            return State.DRAFT
        if self.stage == Stage.PROCESSING:
            return State.PROCESSING
        if self.stage == Stage.CONCLUDED:
            return State.CONCLUDED
        if now < self.opens_at:
            return State.UPCOMING
        if now <= self.deadline:
            return State.OPEN
        return State.CLOSED

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return State(self.state).label

    @property
    def is_published(self) -> bool:
        return self.stage != Stage.DRAFT

    def is_followable_by(self, user) -> bool:
        return self.is_published


class Section(models.Model):
    """One part of the consultation's text, which input can comment on."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections", verbose_name=_("consultation")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Shown before the heading, as the document numbers it ("2.1").
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["consultation", "order", "pk"]

    def __str__(self):
        return f"{self.number} {self.heading}".strip()

    @property
    def anchor(self) -> str:
        return f"del-{self.pk}"


def document_path(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{instance.consultation_id}/{uuid.uuid4().hex}.{extension}"


class Document(models.Model):
    """A document published with the consultation (the plan, maps, the case's papers)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents", verbose_name=_("consultation")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, storage=consultation_storage, max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["consultation", "order", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    """A structured question the consultation asks; answering is optional unless `required`."""

    class Kind(models.TextChoices):
        CHOICE = "choice", _("Choose one")
        SCALE = "scale", _("Scale")
        TEXT = "text", _("Text")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions", verbose_name=_("consultation")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # A scale runs from 1 to scale_max; the ends are labelled ("Very bad" ... "Very good").
    scale_max = models.PositiveSmallIntegerField(_("scale steps"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["consultation", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gte=2, scale_max__lte=10), name="question_scale_range")
        ]

    def __str__(self):
        return self.text

    def scale_label(self, value: int) -> str:
        """A scale value as the form and the charts name it: "1 (Very bad)" at the labelled ends, else "3"."""
        if value == 1 and self.scale_min_label:
            return f"1 ({self.scale_min_label})"
        if value == self.scale_max and self.scale_max_label:
            return f"{value} ({self.scale_max_label})"
        return str(value)


class Option(models.Model):
    """One answer to choose from in a choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.label


class Version(models.Model):
    """The consultation as it was published, and after each change: what a resident read when they wrote."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="versions", verbose_name=_("consultation")
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("what changed"), blank=True)
    # {"title", "summary", "influence", "next_steps", "opens_at", "deadline", "sections": [{"id", "number",
    # "heading", "body"}], "documents": [{"id", "title"}]}: enough to show the text as it was.
    snapshot = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["consultation", "number"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="version_unique_number")]

    def __str__(self):
        return f"{self.consultation} v{self.number}"


class Tag(models.Model):
    """A case worker's label on input (one consultation's own vocabulary: "traffic", "noise"...)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="tags", verbose_name=_("consultation")
    )
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["consultation", "name"]
        constraints = [models.UniqueConstraint(fields=["consultation", "name"], name="tag_unique_name")]

    def __str__(self):
        return self.name


class SubmissionQuerySet(models.QuerySet):
    def sent(self):
        return self.filter(status=Submission.Status.SENT)

    def drafts(self):
        return self.filter(status=Submission.Status.DRAFT)

    def public(self):
        """Sent, not hidden by a moderator. Whether the name shows is the template's question (`show_name`)."""
        return self.filter(status=Submission.Status.SENT, hidden_at__isnull=True)


class Submission(models.Model):
    """Input to a consultation (høringsinnspill), from a person or on behalf of an organisation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    class SenderKind(models.TextChoices):
        PERSON = "person", _("A private person")
        ORGANISATION = "organisation", _("An organisation")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("consultation")
    )
    # The form's one-time key: a second click on "send" (or a resent form) finds this row instead of making one.
    key = models.UUIDField(_("form key"), unique=True, default=uuid.uuid4, editable=False)
    # Per consultation, from 1, given when sent: "Innspill 12".
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The account goes when the person deletes it; sent input is a public document and stays (with the name
    # as given, never linked to anyone).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_submissions",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("name"), max_length=200)
    sender_kind = models.CharField(_("sent by"), max_length=15, choices=SenderKind.choices, default=SenderKind.PERSON)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_role = models.CharField(_("role in the organisation"), max_length=100, blank=True)
    # None until the sender has chosen (a draft may be saved before); sent input always has a choice.
    show_name = models.BooleanField(_("show the name on the site"), null=True, default=None)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("comment on section"),
    )
    text = models.TextField(_("input"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="nb")
    # The version of the text the sender saw when they sent.
    version = models.PositiveIntegerField(_("version of the text"), default=0)
    # Sent after the deadline because staff allowed late input.
    late = models.BooleanField(_("sent after the deadline"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    # A draft's author is reminded once before the deadline (services.sweep).
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    # Processing by the case worker.
    considered_at = models.DateTimeField(_("considered"), null=True, blank=True)
    considered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("considered by"),
    )
    response = models.TextField(_("the municipality's response"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="submissions", verbose_name=_("tags"))
    # Moderation: the text stays for staff; the public sees the reason instead.
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation input")
        verbose_name_plural = _("consultation input")
        ordering = ["consultation", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="submission_unique_number"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False, sent_at__isnull=False, show_name__isnull=False),
                name="submission_sent_is_complete",
            ),
        ]
        indexes = [
            # Covering (PostgreSQL): the public page's counts per section and the staff list read the index alone.
            models.Index(
                fields=["consultation", "status", "number"],
                include=["id", "section", "hidden_at"],
                name="submission_list_idx",
            ),
            models.Index(fields=["author", "status"], name="submission_author_idx"),
        ]

    def __str__(self):
        if self.number:
            return _("Input %(number)s to %(consultation)s") % {
                "number": self.number,
                "consultation": self.consultation,
            }
        return _("Draft input to %(consultation)s") % {"consultation": self.consultation}

    def get_absolute_url(self):
        return reverse("consultations:submission", kwargs={"pk": self.consultation_id, "number": self.number})

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def public_name(self) -> str:
        """What the site shows as the sender."""
        if self.sender_kind == self.SenderKind.ORGANISATION and self.organisation_name:
            return self.organisation_name
        if self.show_name:
            return self.author_name
        return str(_("Name not shown"))


def attachment_path(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"submissions/{uuid.uuid4().hex}.{extension}"


class SubmissionAttachment(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("input")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=consultation_storage, max_length=200)
    # The sender's name for the file, cleaned of paths; shown to staff and on the public page.
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["submission", "pk"]

    def __str__(self):
        return self.filename


class Answer(models.Model):
    """An answer to one structured question, part of the submission (input to a consultation is public)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers")
    scale_value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["submission", "question"], name="answer_unique_question")]

    def __str__(self):
        return f"{self.question}: {self.option or self.scale_value or self.text[:40]}"
