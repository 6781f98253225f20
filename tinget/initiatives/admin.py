"""Citizen initiatives in the admin. Topics are data editors keep here. Initiatives and everything about them
change only through services: the initiative pages are read-only (the state above all), with admin actions that
call the services and a link to the staff page for the rest. Signatures, paper signatures, bursts and
invalidations are evidence: read-only, and never showing the keyed hash of a person's national identity number.

Signatures are personal data: only those who may read the signature list see them here, and opening one is a
logged read (tinget.accounts.privacy.log_personal_data_read), like a download of the list."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from tinget.accounts.privacy import log_personal_data_read
from tinget.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin, ReadOnlyInline
from tinget.core.errors import DomainError

from . import services
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
    Topic,
)

# What a person is told on Min side when staff have opened their signature here (see accounts.privacy).
ADMIN_SIGNATURE_READ = gettext_noop("Your signature on a citizen initiative, in the administration")


def _unit_names(user):
    return ", ".join(user.units.order_by("name").values_list("name", flat=True)) or None


def _may_read_signatures(request) -> bool:
    return request.user.has_perm("initiatives.view_signature_list")


# --- Topics: data editors keep -----------------------------------------------------------------------------
@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_nn", "name_en", "slug", "order", "initiative_count"]
    list_editable = ["order"]
    search_fields = ["name", "name_nn", "name_en", "slug"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(initiative_total=Count("initiatives"))

    @admin.display(description=gettext_lazy("initiatives"), ordering="initiative_total")
    def initiative_count(self, topic):
        return topic.initiative_total


# --- Initiatives: read-only, changed through actions that call services ------------------------------------
class StepInline(ReadOnlyInline):
    model = Step
    fields = ["happened_on", "kind", "case_number", "meeting", "text", "url", "created_at"]
    readonly_fields = fields


class CoPromoterInline(ReadOnlyInline):
    """Confirmed co-promoters are named publicly; the e-mail address an invitation went to is not shown."""

    model = CoPromoter
    fields = ["name", "invited_at", "confirmed_at"]
    readonly_fields = fields


def _apply_to_each(modeladmin, request, queryset, do, done_message):
    """Run a service on each selected initiative; say how many went through and why the others did not."""
    done, failed = 0, []
    for initiative in queryset:
        try:
            do(initiative)
            done += 1
        except DomainError as error:
            failed.append(f"#{initiative.pk}: {error}")
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    if failed:
        modeladmin.message_user(
            request, _("Not changed: %(initiatives)s") % {"initiatives": "; ".join(failed)}, messages.WARNING
        )


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "state",
        "area",
        "topic",
        "signatures",
        "required_signatures",
        "signing_ends_at",
        "decision_due",
    ]
    list_display_links = ["id", "title"]
    list_filter = ["state", "area", "topic"]
    list_select_related = ["area", "topic"]
    search_fields = ["=id", "title", "promoter_name", "case_number"]
    date_hierarchy = "created_at"
    inlines = [CoPromoterInline, StepInline]
    actions = ["approve", "hand_over"]
    text_fields = ["title", "proposal", "reasons", "area", "topic", "promoter_name", "language", "signing_days"]
    state_fields = [
        "state",
        "review_note",
        "created_at",
        "submitted_at",
        "published_at",
        "signing_ends_at",
        "threshold_reached_at",
        "handed_over_at",
        "decision_due",
        "case_number",
        "decision_text",
        "decided_on",
        "closed_at",
        "signatures_purged_at",
    ]
    count_fields = [
        "required_signatures",
        "online_count",
        "paper_count",
        "signatures",
        "signatures_last_week",
        "last_signed_at",
        "counted_at",
    ]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["staff_page"]}),
            (_("Initiative"), {"fields": self.text_fields}),
            (_("Status"), {"fields": self.state_fields}),
            (_("Signatures"), {"fields": self.count_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["staff_page", *self.text_fields, *self.state_fields, *self.count_fields]

    # Initiatives are written by their promoters and move through services: the state, the counts and the text
    # are only shown here (review, paper signatures, hand-over and treatment are on the staff page).
    # (ReadOnlyAdminMixin: nobody adds, changes or deletes them here.)

    def has_review_permission(self, request):
        return request.user.has_perm("initiatives.review_initiative")

    def has_handle_permission(self, request):
        return request.user.has_perm("initiatives.handle_initiative")

    @admin.display(description=gettext_lazy("signatures"))
    def signatures(self, initiative):
        return initiative.total_count

    @admin.display(description=gettext_lazy("staff page"))
    def staff_page(self, initiative):
        if initiative.state == State.DRAFT:
            return _("A draft: only its promoter works on it until it is sent for review.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("initiatives:staff_detail", kwargs={"pk": initiative.pk}),
            _("Review, register paper signatures, hand over and record the treatment on the staff page"),
        )

    @admin.action(description=gettext_lazy("Approve and publish for signing"), permissions=["review"])
    def approve(self, request, queryset):
        _apply_to_each(
            self,
            request,
            queryset,
            lambda initiative: services.approve(actor=request.user, initiative=initiative),
            lambda count: (
                ngettext(
                    "%(count)s initiative is published for signing.",
                    "%(count)s initiatives are published for signing.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=gettext_lazy("Hand over to the council"), permissions=["handle"])
    def hand_over(self, request, queryset):
        _apply_to_each(
            self,
            request,
            queryset,
            lambda initiative: services.hand_over(actor=request.user, initiative=initiative),
            lambda count: (
                ngettext("%(count)s initiative is handed over.", "%(count)s initiatives are handed over.", count)
                % {"count": count}
            ),
        )


# --- Evidence: read-only -----------------------------------------------------------------------------------
class InvalidatedFilter(admin.SimpleListFilter):
    title = gettext_lazy("invalidated")
    parameter_name = "invalidated"

    def lookups(self, request, model_admin):
        return [("yes", _("Invalidated")), ("no", _("Counted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(invalidation__isnull=False)
        if self.value() == "no":
            return queryset.filter(invalidation__isnull=True)
        return queryset


class SignatureReadMixin:
    """Only for those who may read the signature list; opening one is a logged read of personal data."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and _may_read_signatures(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and _may_read_signatures(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        signature = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if signature is not None:
            log_personal_data_read(
                staff_user=request.user,
                subject_user=getattr(signature, "user", None) or signature,
                what=ADMIN_SIGNATURE_READ,
                unit=_unit_names(request.user),
            )
        return response


@admin.register(Signature)
class SignatureAdmin(SignatureReadMixin, ReadOnlyAdmin):
    list_display = ["id", "initiative", "name", "created_at", "show_name", "invalidated"]
    list_filter = [InvalidatedFilter, "show_name"]
    list_select_related = ["initiative", "invalidation"]
    search_fields = ["=initiative__id", "name"]
    date_hierarchy = "created_at"
    # Never pid_digest (the keyed hash of the national identity number) nor match_key.
    fields = ["initiative", "name", "birth_date", "postcode", "show_name", "network", "created_at", "invalidation"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("invalidated"), boolean=True)
    def invalidated(self, signature):
        return signature.invalidation_id is not None


@admin.register(PaperSignature)
class PaperSignatureAdmin(SignatureReadMixin, ReadOnlyAdmin):
    list_display = ["id", "initiative", "batch", "name", "status", "invalidated"]
    list_filter = ["status", InvalidatedFilter]
    list_select_related = ["initiative", "batch"]
    search_fields = ["=initiative__id", "=batch__id", "name"]
    fields = ["initiative", "batch", "name", "birth_date", "address", "status", "invalidation", "created_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("invalidated"), boolean=True)
    def invalidated(self, signature):
        return signature.invalidation_id is not None


@admin.register(PaperBatch)
class PaperBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "initiative", "received_on", "rows", "counted", "registered_by", "created_at"]
    list_select_related = ["initiative", "registered_by"]
    search_fields = ["=initiative__id", "note"]
    fields = ["initiative", "received_on", "note", "registered_by", "created_at", "rows", "counted"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                row_total=Count("signatures"),
                counted_total=Count("signatures", filter=Q(signatures__status=PaperSignature.Status.COUNTED)),
            )
        )

    @admin.display(description=gettext_lazy("lines"), ordering="row_total")
    def rows(self, batch):
        return batch.row_total

    @admin.display(description=gettext_lazy("counted"), ordering="counted_total")
    def counted(self, batch):
        return batch.counted_total


@admin.register(Burst)
class BurstAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "network", "window_start", "window_end", "count", "outcome", "reviewed_by"]
    list_filter = ["outcome"]
    list_select_related = ["initiative", "reviewed_by"]
    search_fields = ["=initiative__id", "=network"]
    date_hierarchy = "window_start"


@admin.register(Invalidation)
class InvalidationAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "count", "reason", "created_by", "created_at"]
    list_select_related = ["initiative", "created_by"]
    search_fields = ["=initiative__id", "reason"]
    date_hierarchy = "created_at"
