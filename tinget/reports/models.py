"""Fault reports (feilmeldinger): categories routed to units, reports with photos and a public history,
and the API keys of Open311 clients."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tinget.core.models import Localized


class CategoryGroup(Localized, models.Model):
    """One of the seed page's six groups (water, sewage, waste …)."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class CategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def reportable(self):
        """Categories that take a report through the form (not urgent, not someone else's)."""
        return self.filter(is_active=True, is_urgent=False, not_ours=False)


class Category(Localized, models.Model):
    """What is broken (street light out, pothole …): routed to a unit with an expected response time.

    Its slug is the Open311 service_code."""

    group = models.ForeignKey(
        CategoryGroup, on_delete=models.PROTECT, related_name="categories", verbose_name=_("group")
    )
    slug = models.SlugField(_("service code"), unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=100)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_nn = models.CharField(_("description (Nynorsk)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True, help_text=_("Comma-separated."))
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="report_categories", verbose_name=_("routed to unit")
    )
    response_days = models.PositiveSmallIntegerField(
        _("expected response time (days)"), default=5, help_text=_("A report older than this is overdue.")
    )
    is_urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Shows the on-call number instead of the form: call now.")
    )
    urgent_phone = models.CharField(_("on-call number"), max_length=20, blank=True)
    not_ours = models.BooleanField(
        _("not the municipality's responsibility"),
        default=False,
        help_text=_("For example county and state roads: the form says whom to contact instead."),
    )
    contact_text = models.CharField(_("whom to contact instead"), max_length=300, blank=True)
    contact_text_nn = models.CharField(_("whom to contact instead (Nynorsk)"), max_length=300, blank=True)
    contact_text_en = models.CharField(_("whom to contact instead (English)"), max_length=300, blank=True)
    contact_url = models.URLField(_("link to whom to contact"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__order", "order", "name"]

    def __str__(self):
        return self.name


class Question(Localized, models.Model):
    """An extra question a category asks (an Open311 attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("Choose one")
        MULTI = "multivaluelist", _("Choose any")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=60)
    datatype = models.CharField(_("answer type"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    question = models.CharField(_("question"), max_length=200)
    question_nn = models.CharField(_("question (Nynorsk)"), max_length=200, blank=True)
    question_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    hint = models.CharField(_("hint"), max_length=200, blank=True)
    hint_nn = models.CharField(_("hint (Nynorsk)"), max_length=200, blank=True)
    hint_en = models.CharField(_("hint (English)"), max_length=200, blank=True)
    # [{"key": "ja", "name": "Ja", "name_nn": "Ja", "name_en": "Yes"}, …] for the list types.
    values = models.JSONField(_("answer options"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="reports_question_unique_code")]

    def __str__(self):
        return self.question

    def value_name(self, key, language):
        for value in self.values:
            if value.get("key") == key:
                if language in ("nn", "en"):
                    return value.get(f"name_{language}") or value.get("name", key)
                return value.get("name", key)
        return key


class State(models.TextChoices):
    """FixMyStreet's states. UNCONFIRMED waits for the reporter's e-mail confirmation and is never public."""

    UNCONFIRMED = "unconfirmed", _("Awaiting confirmation")
    OPEN = "open", pgettext_lazy("report state", "Open")
    INVESTIGATING = "investigating", _("Investigating")
    ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_RESPONSIBLE = "not_responsible", _("Not the municipality's responsibility")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")
    INTERNAL_REFERRAL = "internal_referral", _("Internal referral")
    CLOSED = "closed", pgettext_lazy("report state", "Closed")


OPEN_STATES = frozenset(
    {State.OPEN, State.INVESTIGATING, State.ACTION_SCHEDULED, State.IN_PROGRESS, State.INTERNAL_REFERRAL}
)
FIXED_STATES = frozenset({State.FIXED})
# Closed without the fault being fixed: the public answer is required (issue 4).
CLOSED_UNFIXED_STATES = frozenset({State.DUPLICATE, State.NOT_RESPONSIBLE, State.NO_FURTHER_ACTION, State.CLOSED})
PUBLIC_STATES = OPEN_STATES | FIXED_STATES | CLOSED_UNFIXED_STATES


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Service desk")
    EMAIL = "email", _("E-mail")
    OPEN311 = "open311", _("Open311 client")


class ReportQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: confirmed and not hidden by a moderator."""
        return self.filter(state__in=PUBLIC_STATES, is_hidden=False)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def closed(self):
        return self.exclude(state__in=OPEN_STATES | {State.UNCONFIRMED})

    def in_bbox(self, bbox):
        return self.filter(
            latitude__gte=bbox.south, latitude__lte=bbox.north, longitude__gte=bbox.west, longitude__lte=bbox.east
        )


class Report(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("category"))
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("responsible unit")
    )
    area = models.ForeignKey(
        "core.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    address = models.CharField(_("address or place"), max_length=200, blank=True)
    answers = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.UNCONFIRMED)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)

    # Who reported it. A logged-in person is linked; anyone else leaves a name and an e-mail address,
    # which are erased (see privacy) when no longer needed.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    show_name = models.BooleanField(_("show the reporter's name publicly"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    # The language the report was made in: e-mail to a reporter without an account is written in it.
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="nb")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by staff member"),
    )
    api_key = models.ForeignKey(
        "ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("API key")
    )
    # The form's one-time key: a double submit (two clicks, a resent POST) finds the report already made.
    submission_key = models.CharField(_("submission key"), max_length=64, null=True, blank=True, unique=True)
    # The Open311 token: a client may look the report up by it before it has an id it trusts.
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)

    created_at = models.DateTimeField(_("received"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    questionnaire_sent_at = models.DateTimeField(_("asked whether it is fixed"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("handle_report", _("Can handle fault reports")),
            ("moderate_report", _("Can moderate fault reports")),
        ]
        indexes = [
            # The map reads by bounding box; the nearby check by category and box.
            models.Index(fields=["latitude", "longitude"], name="reports_lat_lon_idx"),
            models.Index(fields=["category", "latitude", "longitude"], name="reports_cat_lat_lon_idx"),
            models.Index(fields=["state", "created_at"], name="reports_state_created_idx"),
            models.Index(fields=["updated_at"], name="reports_updated_idx"),
            models.Index(fields=["unit", "state"], name="reports_unit_state_idx"),
            # The map's GeoJSON: the newest public reports in a box. Read newest first, the whole municipality
            # needs only the first few hundred entries; every column the map shows is in the key (not INCLUDE,
            # which SQLite lacks), so PostgreSQL answers from the index alone (bench: map_bbox_p95_ms).
            models.Index(
                fields=["-created_at", "-id", "latitude", "longitude", "state", "category", "title"],
                name="reports_public_newest_idx",
                condition=Q(is_hidden=False, state__in=sorted(PUBLIC_STATES)),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self):
        return reverse("reports:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def is_public(self):
        return self.state in PUBLIC_STATES and not self.is_hidden

    @property
    def is_overdue(self):
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def public_name(self):
        """The reporter's name as the public sees it: only when they chose to show it."""
        if not self.show_name:
            return ""
        if self.reporter_id and self.reporter and self.reporter.display_name:
            return self.reporter.display_name
        return self.reporter_name


def report_photo_storage():
    """The storage for report photos (settings.STORAGES["report_photos"]): not published by any web server;
    the photo view serves each file after checking that the viewer may see it."""
    from django.core.files.storage import storages

    return storages["report_photos"]


def photo_path(instance, filename):
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


def thumbnail_path(instance, filename):
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-thumb.jpg"


class Photo(models.Model):
    """A photo re-encoded by Pillow without its metadata (see photos.py); the upload itself is never kept."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report"))
    image = models.ImageField(
        _("image"),
        upload_to=photo_path,
        storage=report_photo_storage,
        width_field="width",
        height_field="height",
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to=thumbnail_path, storage=report_photo_storage)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.report_id}: {self.image.name}"

    def url(self, size="full"):
        return reverse("reports:photo", kwargs={"pk": self.report_id, "photo_pk": self.pk, "size": size})

    @property
    def full_url(self):
        return self.url("full")

    @property
    def thumbnail_url(self):
        return self.url("thumb")


class Update(models.Model):
    """One line of a report's history: a state change with its public answer, a comment, or an internal note."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Reported")
        STATE = "state", _("Status changed")
        ANSWER = "answer", _("Answer")
        NOTE = "note", _("Internal note")
        REROUTED = "rerouted", _("Sent to another unit")
        MERGED = "merged", _("Merged")
        REOPENED = "reopened", _("Reopened")
        QUESTIONNAIRE = "questionnaire", _("Reporter's answer")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates", verbose_name=_("report"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    is_public = models.BooleanField(_("public"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    # Shown publicly instead of a staff member's name: the unit answers, not the person.
    author_label = models.CharField(_("shown as"), max_length=150, blank=True)
    old_state = models.CharField(_("previous status"), max_length=20, choices=State.choices, blank=True)
    new_state = models.CharField(_("new status"), max_length=20, choices=State.choices, blank=True)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["is_public", "created_at"], name="reports_update_public_idx")]

    def __str__(self):
        return f"{self.report_id} {self.kind} {self.created_at:%Y-%m-%d}"


class Moderation(models.Model):
    """What a moderator changed, with the original kept for staff (never shown to the public)."""

    class Action(models.TextChoices):
        HIDE_REPORT = "hide_report", _("Report hidden")
        SHOW_REPORT = "show_report", _("Report shown again")
        REDACT_TITLE = "redact_title", _("Title redacted")
        REDACT_DESCRIPTION = "redact_description", _("Description redacted")
        HIDE_PHOTO = "hide_photo", _("Photo hidden")
        SHOW_PHOTO = "show_photo", _("Photo shown again")
        HIDE_UPDATE = "hide_update", _("Update hidden")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="moderations", verbose_name=_("report"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("moderator")
    )
    reason = models.CharField(_("reason"), max_length=300)
    original = models.TextField(_("original"), blank=True)
    photo = models.ForeignKey(Photo, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    update = models.ForeignKey(Update, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation")
        verbose_name_plural = _("moderations")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.report_id} {self.action}"


class Subscriber(models.Model):
    """Someone without an account who said "this is mine too" and confirmed their e-mail address: told of every
    public change, with a one-click way out. People with an account follow through tinget.core.notify."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="subscribers", verbose_name=_("report"))
    email = models.EmailField(_("e-mail"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail subscriber")
        verbose_name_plural = _("e-mail subscribers")
        constraints = [models.UniqueConstraint(fields=["report", "email"], name="reports_subscriber_unique")]

    def __str__(self):
        return f"{self.report_id}: {self.email}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """An Open311 client's key. Only its SHA-256 is stored; the key itself is shown once, when issued."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
