"""Consultations in the admin. Topics are reference data editors keep here. Consultations, their sections,
questions, documents and versions change only through services: here they are read-only, with a link to the staff
pages where they are written, published and processed. Input (Submission) is read-only too.

Case workers see their own units' consultations and input (administrators and moderators every unit), and only
input that has been sent: a draft is its author's own until it is. Opening one piece of input shows who sent it,
which is a logged read of personal data (tinget.accounts.privacy.log_personal_data_read), as on the staff pages.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tinget.accounts.privacy import log_personal_data_read
from tinget.accounts.staff import scope_to_units
from tinget.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin, ReadOnlyInline

from . import rules
from .models import (
    Answer,
    Consultation,
    Document,
    Question,
    Section,
    State,
    Submission,
    SubmissionAttachment,
    Tag,
    Topic,
    Version,
)

# What a person is told on Min side when staff have opened their input here (see accounts.privacy).
ADMIN_SUBMISSION_READ = gettext_noop("Your input to a consultation, in the administration")


def _unit_names(user):
    return ", ".join(user.units.order_by("name").values_list("name", flat=True)) or None


def _scoped(queryset, request, unit_field):
    """Moderators screen input in every unit; everyone else sees their own units' (administrators all)."""
    if request.user.has_perm("consultations.moderate_submission"):
        return queryset
    return scope_to_units(queryset, request.user, unit_field)


def _link(name, text, **kwargs):
    try:
        return format_html('<a href="{}">{}</a>', reverse(f"consultations:{name}", kwargs=kwargs), text)
    except NoReverseMatch:
        return "-"


# --- Topics: reference data editors keep -----------------------------------------------------------------------
@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_nn", "name_en", "slug", "order", "consultation_count"]
    list_editable = ["order"]
    search_fields = ["name", "name_nn", "name_en", "slug"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(consultation_total=Count("consultations"))

    @admin.display(description=gettext_lazy("consultations"), ordering="consultation_total")
    def consultation_count(self, topic):
        return topic.consultation_total


# --- Consultations: read-only, written on the staff pages -------------------------------------------------------
class StateFilter(admin.SimpleListFilter):
    """The state a visitor sees (the stored stage and the clock), as on the staff overview."""

    title = gettext_lazy("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.in_state(self.value())
        return queryset


class SectionInline(ReadOnlyInline):
    model = Section
    fields = ["number", "heading", "order", "updated_at"]
    readonly_fields = fields


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ["order", "kind", "text", "required", "scale_max"]
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ["title", "content_type", "size", "uploaded_at"]
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = Version
    fields = ["number", "created_at", "created_by", "note"]
    readonly_fields = fields


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "state", "unit", "deadline", "case_number", "input_count"]
    list_filter = [StateFilter, "stage", ("unit", admin.RelatedOnlyFieldListFilter), "topic", "allow_late_input"]
    list_select_related = ["unit", "topic"]
    search_fields = ["=id", "title", "case_number"]
    date_hierarchy = "deadline"
    inlines = [SectionInline, QuestionInline, DocumentInline, VersionInline]
    text_fields = ["title", "summary", "influence", "next_steps", "case_number", "unit", "topic", "areas"]
    contact_fields = ["contact_name", "contact_email", "contact_phone"]
    state_fields = [
        "stage",
        "state",
        "opens_at",
        "deadline",
        "allow_late_input",
        "version",
        "published_at",
        "processing_started_at",
        "concluded_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    outcome_fields = ["input_report", "outcome", "political_case_number", "political_case_url"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(sent_total=Count("submissions", filter=Q(submissions__status=Submission.Status.SENT)))
        )
        return _scoped(queryset, request, "unit")

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["staff_page"]}),
            (_("Consultation"), {"fields": self.text_fields}),
            (_("Contact"), {"fields": self.contact_fields}),
            (_("Status"), {"fields": self.state_fields}),
            (_("Outcome"), {"fields": self.outcome_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["staff_page", *self.text_fields, *self.contact_fields, *self.state_fields, *self.outcome_fields]

    # Consultations are written, published, processed and concluded through services, on the staff pages.
    # (ReadOnlyAdminMixin: nobody adds, changes or deletes them here.)

    @admin.display(description=gettext_lazy("status"))
    def state(self, consultation):
        return consultation.get_state_display()

    @admin.display(description=gettext_lazy("input"), ordering="sent_total")
    def input_count(self, consultation):
        return consultation.sent_total

    @admin.display(description=gettext_lazy("staff page"))
    def staff_page(self, consultation):
        return _link(
            "staff_edit",
            _("Write, publish and change the consultation on the staff page"),
            pk=consultation.pk,
        )


# --- Input: read-only, scoped, and a logged read when opened -----------------------------------------------------
class ConsideredFilter(admin.SimpleListFilter):
    title = gettext_lazy("considered")
    parameter_name = "considered"

    def lookups(self, request, model_admin):
        return [("yes", _("Considered")), ("no", _("Not yet considered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(considered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(considered_at__isnull=True)
        return queryset


class HiddenFilter(admin.SimpleListFilter):
    title = gettext_lazy("hidden by a moderator")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


class PartOfInputInline(ReadOnlyInline):
    """Answers and attachments are part of the input: whoever may see the input sees them."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("consultations.view_submission")


class AnswerInline(PartOfInputInline):
    model = Answer
    fields = ["question", "option", "scale_value", "text"]
    readonly_fields = fields


class AttachmentInline(PartOfInputInline):
    model = SubmissionAttachment
    fields = ["filename", "content_type", "size", "uploaded_at"]
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    # The list names no one: the sender's name is read by opening the input, which is logged.
    list_display = ["__str__", "consultation", "sender_kind", "organisation_name", "sent_at", "late", "considered"]
    # Only the consultations and units in this person's list: another unit's drafts are not named here.
    list_filter = [
        "sender_kind",
        ConsideredFilter,
        HiddenFilter,
        "late",
        ("consultation__unit", admin.RelatedOnlyFieldListFilter),
        ("consultation", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["consultation"]
    search_fields = ["=number", "consultation__title", "consultation__case_number", "organisation_name"]
    date_hierarchy = "sent_at"
    inlines = [AnswerInline, AttachmentInline]
    input_fields = ["staff_page", "consultation", "number", "section", "text", "language", "version", "sent_at", "late"]
    # Never the form key: with it, the sender's own pages (the receipt) open.
    sender_fields = ["sender_kind", "author_name", "organisation_name", "organisation_role", "show_name"]
    processing_fields = ["considered_at", "considered_by", "response", "tags"]
    moderation_fields = ["hidden_at", "hidden_by", "hidden_reason"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(status=Submission.Status.SENT)
        return _scoped(queryset, request, "consultation__unit")

    def _may_see_sender(self, request, submission) -> bool:
        return rules.can_process(request.user, submission.consultation)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(_("Input"), {"fields": self.input_fields})]
        # Those who process the input see who sent it (moderators screen the text, not the person).
        if obj is not None and self._may_see_sender(request, obj):
            fieldsets.append((_("Sender"), {"fields": self.sender_fields}))
        fieldsets += [
            (_("Processing"), {"fields": self.processing_fields}),
            (_("Moderation"), {"fields": self.moderation_fields}),
        ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*self.input_fields, *self.sender_fields, *self.processing_fields, *self.moderation_fields]

    @admin.display(description=gettext_lazy("considered"), boolean=True)
    def considered(self, submission):
        return submission.considered_at is not None

    @admin.display(description=gettext_lazy("staff page"))
    def staff_page(self, submission):
        return _link(
            "staff_submission",
            _("Process this input on the staff page"),
            pk=submission.consultation_id,
            number=submission.number,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        submission = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if submission is not None and self._may_see_sender(request, submission):
            # Input whose sender deleted their account has no Min side; the read is still logged, against it.
            log_personal_data_read(
                staff_user=request.user,
                subject_user=submission.author if submission.author_id else submission,
                what=ADMIN_SUBMISSION_READ,
                unit=_unit_names(request.user),
            )
        return response


# --- Versions and tags: read-only --------------------------------------------------------------------------------
@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["consultation", "number", "created_at", "created_by", "note"]
    list_select_related = ["consultation", "created_by"]
    list_filter = [("consultation__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["consultation__title", "note"]
    date_hierarchy = "created_at"
    fields = ["consultation", "number", "created_at", "created_by", "note", "snapshot"]
    readonly_fields = fields

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, "consultation__unit")


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["name", "consultation", "input_count"]
    list_select_related = ["consultation"]
    list_filter = [("consultation__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "consultation__title"]
    fields = ["consultation", "name"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(input_total=Count("submissions"))
        return _scoped(queryset, request, "consultation__unit")

    @admin.display(description=gettext_lazy("input"), ordering="input_total")
    def input_count(self, tag):
        return tag.input_total
