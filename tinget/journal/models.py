"""The public mail journal (postliste, offentlig journal) and access requests (innsynskrav), after eInnsyn and
Noark 5.

A case file (saksmappe) holds journal entries (journalposter): every document the municipality sent or received,
with its public title, correspondents and unit. Entries come in by import (see importing.py); the tables here hold
only what may be public: a screened word is already replaced in `public_title`, and a screened correspondent's name
is never stored (`Correspondent.screened`, empty name).

Anyone may put entries in a basket and ask to see them (`AccessRequest`). The request is split per responsible
unit (`AccessRequestPart`), each with a deadline in working days; offentleglova § 32 counts no answer within
five working days as a refusal the requester can appeal.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def journal_storage():
    """Protected storage for public document files and answers to requests (settings.STORAGES["journal_files"]):
    a view checks who may fetch each file."""
    return storages["journal_files"]


class EntryType(models.TextChoices):
    """Noark 5 journalposttype."""

    INCOMING = "I", _("Incoming document")
    OUTGOING = "U", _("Outgoing document")
    INTERNAL_FOLLOW_UP = "N", _("Internal document for follow-up")
    INTERNAL = "X", _("Internal document without follow-up")
    CASE_PRESENTATION = "S", _("Case presentation")


class CorrespondentKind(models.TextChoices):
    """Noark 5 korrespondanseparttype."""

    SENDER = "sender", _("Sender")
    RECIPIENT = "recipient", _("Recipient")
    COPY_RECIPIENT = "copy", _("Copy recipient")
    GROUP_RECIPIENT = "group", _("Group recipient")
    INTERNAL_SENDER = "internal_sender", _("Internal sender")
    INTERNAL_RECIPIENT = "internal_recipient", _("Internal recipient")


class CaseFile(models.Model):
    """A case file (saksmappe). Its key is the case number: year (saksår) and sequence number (sekvensnummer)."""

    year = models.PositiveSmallIntegerField(_("case year"))
    sequence = models.PositiveIntegerField(_("case sequence number"))
    case_date = models.DateField(_("case date"), null=True, blank=True)
    public_title = models.TextField(_("public title"))
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="journal_cases", verbose_name=_("unit")
    )
    classification = models.CharField(_("classification"), max_length=100, blank=True)
    external_id = models.CharField(_("id in the archive"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        ordering = ["-year", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="journal_case_unique_number")]

    def __str__(self):
        return f"{self.case_number} {self.public_title}"

    def get_absolute_url(self):
        return reverse("journal:case", kwargs={"year": self.year, "sequence": self.sequence})

    @property
    def case_number(self) -> str:
        """Saksnummer as a case worker writes it: 2026/123."""
        return f"{self.year}/{self.sequence}"

    @property
    def slug(self) -> str:
        """The case number in a URL (a slash would split the path)."""
        return f"{self.year}-{self.sequence}"


class JournalEntryQuerySet(models.QuerySet):
    def public(self):
        """Entries the public journal shows: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class JournalEntry(models.Model):
    """A journal entry (journalpost). Its key is journal year (journalår) and sequence number
    (journalsekvensnummer); `number` is its place in the case (journalpostnummer)."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="entries", verbose_name=_("case file"))
    year = models.PositiveSmallIntegerField(_("journal year"))
    sequence = models.PositiveIntegerField(_("journal sequence number"))
    number = models.PositiveIntegerField(_("document number in the case"))
    journal_date = models.DateField(_("journal date"))
    document_date = models.DateField(_("document date"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=1, choices=EntryType.choices)
    public_title = models.TextField(_("public title"))
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="journal_entries", verbose_name=_("unit")
    )
    case_worker = models.CharField(_("case worker"), max_length=200, blank=True)
    # Skjerming: the access restriction code (e.g. "13") and the legal basis shown to the public.
    restriction_code = models.CharField(_("access restriction"), max_length=20, blank=True)
    legal_basis = models.CharField(_("legal basis for screening"), max_length=200, blank=True)
    external_id = models.CharField(_("id in the archive"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # What full-text search reads: titles and correspondents' names. Personal names leave it 12 months after
    # publication (`names_faded_at`), as in eInnsyn; the names stay on the entry's page.
    search_document = models.TextField(_("search text"), blank=True, editable=False)
    names_faded_at = models.DateTimeField(_("personal names no longer searchable"), null=True, blank=True)
    # A digest of everything imported for this entry: an import of the same data changes nothing.
    content_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-journal_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="journal_entry_unique_number")]
        indexes = [
            models.Index(fields=["journal_date", "id"], name="journal_entry_jdate"),
            models.Index(fields=["document_date", "id"], name="journal_entry_ddate"),
            models.Index(fields=["unit", "journal_date"], name="journal_entry_unit_jdate"),
            models.Index(fields=["case", "number"], name="journal_entry_case_number"),
            models.Index(
                fields=["published_at"], name="journal_entry_names_fade", condition=Q(names_faded_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.entry_number} {self.public_title}"

    def get_absolute_url(self):
        return reverse("journal:entry", kwargs={"pk": self.pk})

    @property
    def entry_number(self) -> str:
        """Journalpostnummer as shown with the case: 2026/123-4."""
        return f"{self.case.year}/{self.case.sequence}-{self.number}"

    @property
    def screened(self) -> bool:
        return bool(self.restriction_code or self.legal_basis)


class Correspondent(models.Model):
    """A correspondent (korrespondansepart). A screened one keeps its kind only: the name is never stored."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="correspondents")
    kind = models.CharField(_("kind"), max_length=20, choices=CorrespondentKind.choices)
    name = models.CharField(_("name"), max_length=300, blank=True)
    is_person = models.BooleanField(_("a private person"), default=False)
    screened = models.BooleanField(_("screened"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("correspondent")
        verbose_name_plural = _("correspondents")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(screened=False) | Q(name=""), name="journal_screened_has_no_name")
        ]

    def __str__(self):
        return self.name or str(_("Screened"))


class Document(models.Model):
    """A document description (dokumentbeskrivelse), with a public file or a link when the municipality publishes
    one."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="documents")
    title = models.TextField(_("title"))
    is_main = models.BooleanField(_("main document"), default=True)
    file = models.FileField(_("file"), storage=journal_storage, upload_to="documents/%Y/", blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class ImportJob(models.Model):
    """One file handed to the importer, with its progress and its report."""

    class Format(models.TextChoices):
        EINNSYN_JSON = "json", _("eInnsyn JSON")
        CSV = "csv", _("CSV")
        NOARK_XML = "xml", _("Noark 5 public journal (XML)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), storage=journal_storage, upload_to="imports/%Y/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    read = models.PositiveIntegerField(_("records read"), default=0)
    created = models.PositiveIntegerField(_("entries created"), default=0)
    updated = models.PositiveIntegerField(_("entries replaced"), default=0)
    unchanged = models.PositiveIntegerField(_("entries unchanged"), default=0)
    # Each rejected record: {"line": int | None, "reason": str}. Any rejection rejects the whole file.
    errors = models.JSONField(_("rejected records"), default=list, blank=True)

    class Meta:
        verbose_name = _("journal import")
        verbose_name_plural = _("journal imports")
        ordering = ["-created_at", "-id"]
        permissions = [("import_journal", _("Can import the mail journal"))]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("journal:import_detail", kwargs={"pk": self.pk})


class RequestStatus(models.TextChoices):
    """Where a unit's part of an access request stands (eInnsyn's statuses). A reminder and the § 32 notice are
    events on the part, not states: the part stays `sent` until the unit answers."""

    SENT = "sent", _("Sent")
    GRANTED = "granted", _("Granted")
    PARTLY_GRANTED = "partly_granted", _("Partly granted")
    REFUSED = "refused", _("Refused")
    APPEALED = "appealed", _("Appealed")
    FORWARDED = "forwarded", _("Appeal sent to the County Governor")


class AccessRequest(models.Model):
    """An access request (innsynskrav): entries from the basket, or the whole journal of a period (§ 28). It is
    sent once the e-mail address is verified; `key` is the requester's link to follow it without logging in."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("e-mail"))
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="nb")
    period_from = models.DateField(_("journal from"), null=True, blank=True)
    period_to = models.DateField(_("journal to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return str(_("Access request %(number)s")) % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("journal:request", kwargs={"key": self.key})

    @property
    def is_period(self) -> bool:
        return self.period_from is not None


class AccessRequestPart(models.Model):
    """One unit's part of an access request, in that unit's queue with its deadline."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="parts")
    unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, related_name="access_request_parts", verbose_name=_("unit")
    )
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SENT)
    sent_at = models.DateTimeField(_("sent"))
    # The last working day of the § 32 period (5 working days after it was sent).
    deadline = models.DateField(_("deadline"))
    reminded_1_at = models.DateTimeField(_("reminded after 1 working day"), null=True, blank=True)
    reminded_3_at = models.DateTimeField(_("reminded after 3 working days"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("requester told of § 32"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Working days from sending to the first answer, for the statistics.
    working_days_to_answer = models.PositiveSmallIntegerField(_("working days to answer"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    appeal_information = models.TextField(_("how to appeal"), blank=True)
    link = models.URLField(_("link to the documents"), max_length=500, blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    appeal_message = models.TextField(_("appeal"), blank=True)
    forwarded_at = models.DateTimeField(_("appeal sent to the County Governor"), null=True, blank=True)
    forward_note = models.TextField(_("note with the appeal sent on"), blank=True)

    class Meta:
        verbose_name = _("part of an access request")
        verbose_name_plural = _("parts of access requests")
        ordering = ["deadline", "id"]
        permissions = [("answer_accessrequest", _("Can answer access requests for own units"))]
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="journal_one_part_per_unit")]
        indexes = [models.Index(fields=["unit", "status", "deadline"], name="journal_part_queue")]

    def __str__(self):
        return f"{self.request}: {self.unit}"

    def get_absolute_url(self):
        return reverse("journal:part", kwargs={"pk": self.pk})


class AccessRequestItem(models.Model):
    """One entry asked for. The entry's number and title are copied so the request reads the same if the entry
    is later corrected or withdrawn."""

    class Decision(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    part = models.ForeignKey(AccessRequestPart, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="request_items")
    entry_number = models.CharField(_("entry number"), max_length=40)
    title = models.TextField(_("title"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)

    class Meta:
        verbose_name = _("entry asked for")
        verbose_name_plural = _("entries asked for")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["part", "entry"], name="journal_item_once")]

    def __str__(self):
        return self.entry_number


class AnswerFile(models.Model):
    """A document the unit sends with its answer. Only the requester (by the request's key or login) and the
    unit's case workers can fetch it."""

    part = models.ForeignKey(AccessRequestPart, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), storage=journal_storage, upload_to="answers/%Y/")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer file")
        verbose_name_plural = _("answer files")
        ordering = ["id"]

    def __str__(self):
        return self.name
