"""The mail journal in the admin: case files, journal entries (with their correspondents and documents), imports,
and access requests (with their parts), all read-only. Entries come in only by import and requests change only
through services (the staff pages), so nothing is added, changed or deleted here; the one action, sending an
appealed part to the County Governor, calls services.part_forward.

Entries and case files are public data: every case worker may look them up (by case or entry number, "2026/123" or
"2026/123-4", or by title). Access requests hold the requester's e-mail address and message: case workers see only
requests with a part for one of their units (administrators every unit), the list names no one, and opening a
request is a logged read of personal data, as on the staff pages.
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tinget.accounts.staff import is_administrator, scope_to_units, units_for
from tinget.core.admin import ReadOnlyAdminMixin, ReadOnlyInline
from tinget.core.errors import DomainError, NotAllowed

from . import services
from .models import (
    AccessRequest,
    AccessRequestItem,
    AccessRequestPart,
    AnswerFile,
    CaseFile,
    Correspondent,
    Document,
    ImportJob,
    JournalEntry,
    RequestStatus,
)

# "2026/123" (a case) or "2026/123-4" (an entry in it), as case workers write them.
NUMBER = re.compile(r"^\s*(\d{4})\s*/\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$")


def _link(name, text, **kwargs):
    try:
        return format_html('<a href="{}">{}</a>', reverse(f"journal:{name}", kwargs=kwargs), text)
    except NoReverseMatch:
        return "-"


# --- Case files and entries: public data, read-only -------------------------------------------------------------
@admin.register(CaseFile)
class CaseFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case_number", "public_title", "unit", "case_date", "classification"]
    list_filter = ["year", "unit"]
    list_select_related = ["unit"]
    search_fields = ["public_title"]
    # Counting a table of millions on every page costs more than the page: "show all" is not offered.
    show_full_result_count = False
    fields = [
        "public_page",
        "year",
        "sequence",
        "case_date",
        "public_title",
        "unit",
        "classification",
        "external_id",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        match = NUMBER.match(search_term or "")
        if match:
            return queryset.filter(year=int(match.group(1)), sequence=int(match.group(2))), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=gettext_lazy("case number"), ordering="sequence")
    def case_number(self, case):
        return case.case_number

    @admin.display(description=gettext_lazy("public page"))
    def public_page(self, case):
        return _link("case", _("The case in the public journal"), year=case.year, sequence=case.sequence)


class PartOfEntryInline(ReadOnlyInline):
    """Correspondents and documents are part of the entry: whoever may see the entry sees them."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("journal.view_journalentry")


class CorrespondentInline(PartOfEntryInline):
    model = Correspondent
    fields = ["kind", "name", "is_person", "screened", "order"]
    readonly_fields = fields


class DocumentInline(PartOfEntryInline):
    model = Document
    fields = ["title", "is_main", "file", "url", "order"]
    readonly_fields = fields


class ScreenedFilter(admin.SimpleListFilter):
    title = gettext_lazy("screened")
    parameter_name = "screened"

    def lookups(self, request, model_admin):
        return [("yes", _("Screened")), ("no", _("Not screened"))]

    def queryset(self, request, queryset):
        screened = queryset.exclude(restriction_code="", legal_basis="")
        if self.value() == "yes":
            return screened
        if self.value() == "no":
            return queryset.filter(restriction_code="", legal_basis="")
        return queryset


class WithdrawnFilter(admin.SimpleListFilter):
    title = gettext_lazy("withdrawn")
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return [("yes", _("Withdrawn")), ("no", _("Public"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entry_number", "journal_date", "type", "public_title", "unit", "screened"]
    list_filter = ["type", "unit", "year", ScreenedFilter, WithdrawnFilter]
    list_select_related = ["case", "unit"]
    search_fields = ["public_title"]
    show_full_result_count = False
    inlines = [CorrespondentInline, DocumentInline]
    fields = [
        "public_page",
        "case",
        "year",
        "sequence",
        "number",
        "journal_date",
        "document_date",
        "type",
        "public_title",
        "unit",
        "case_worker",
        "restriction_code",
        "legal_basis",
        "external_id",
        "published_at",
        "withdrawn_at",
        "names_faded_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        match = NUMBER.match(search_term or "")
        if match:
            found = queryset.filter(case__year=int(match.group(1)), case__sequence=int(match.group(2)))
            if match.group(3):
                found = found.filter(number=int(match.group(3)))
            return found, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=gettext_lazy("entry number"), ordering="number")
    def entry_number(self, entry):
        return entry.entry_number

    @admin.display(description=gettext_lazy("screened"), boolean=True)
    def screened(self, entry):
        return entry.screened

    @admin.display(description=gettext_lazy("public page"))
    def public_page(self, entry):
        if entry.withdrawn_at:
            return _("Withdrawn: not in the public journal")
        return _link("entry", _("The entry in the public journal"), pk=entry.pk)


# --- Imports: read-only, the import page shows progress ---------------------------------------------------------
@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "format", "state", "created_at", "created_by", "created", "updated", "rejected"]
    list_filter = ["state", "format"]
    list_select_related = ["created_by"]
    search_fields = ["original_name"]
    date_hierarchy = "created_at"
    fields = [
        "import_page",
        "original_name",
        "format",
        "state",
        "size",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "read",
        "created",
        "updated",
        "unchanged",
        "error_list",
    ]
    readonly_fields = fields
    ERRORS_SHOWN = 100

    @admin.display(description=gettext_lazy("rejected records"))
    def rejected(self, job):
        return len(job.errors or [])

    @admin.display(description=gettext_lazy("rejected records"))
    def error_list(self, job):
        errors = job.errors or []
        if not errors:
            return "-"
        shown = errors[: self.ERRORS_SHOWN]
        rows = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (
                    _("line %(line)s") % {"line": error.get("line")} if error.get("line") else _("the file"),
                    error.get("reason", ""),
                )
                for error in shown
            ),
        )
        more = len(errors) - len(shown)
        tail = format_html("<p>{}</p>", _("and %(count)s more") % {"count": more}) if more > 0 else ""
        return format_html("<ul>{}</ul>{}", rows, tail)

    @admin.display(description=gettext_lazy("import page"))
    def import_page(self, job):
        return _link("import_detail", _("Progress and report on the import page"), pk=job.pk)


# --- Access requests: read-only, scoped to the unit, a logged read when opened ----------------------------------
def _log_read(request, **kwargs):
    """Opening a request (its e-mail address and message) or a part (the appeal's text) is a logged read."""
    try:
        services.request_log_read(actor=request.user, **kwargs)
    except NotAllowed:
        raise PermissionDenied from None


def _scoped_requests(queryset, request):
    if is_administrator(request.user):
        return queryset
    parts = AccessRequestPart.objects.filter(unit__in=units_for(request.user)).values("request_id")
    return queryset.filter(pk__in=parts)


class PartStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return RequestStatus.choices

    def queryset(self, request, queryset):
        if self.value() in RequestStatus.values:
            return queryset.filter(pk__in=AccessRequestPart.objects.filter(status=self.value()).values("request_id"))
        return queryset


class PartUnitFilter(admin.SimpleListFilter):
    title = gettext_lazy("unit")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        return [(str(unit.pk), unit.name) for unit in units_for(request.user).order_by("name")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(pk__in=AccessRequestPart.objects.filter(unit_id=self.value()).values("request_id"))
        return queryset


class PartInline(ReadOnlyInline):
    model = AccessRequestPart
    fields = ["unit", "status", "sent_at", "deadline", "answered_at", "working_days_to_answer", "staff_page"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Another unit's answer is that unit's business: a case worker sees their own units' parts.
        return scope_to_units(super().get_queryset(request).select_related("unit"), request.user, "unit")

    @admin.display(description=gettext_lazy("staff page"))
    def staff_page(self, part):
        return _link("part", _("Answer on the staff page"), pk=part.pk)


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The list names no one: the requester's address is read by opening the request, which is logged.
    list_display = ["__str__", "created_at", "sent_at", "asks_for", "part_count", "language"]
    list_filter = [PartStatusFilter, PartUnitFilter, "language"]
    search_fields = ["=id", "=parts__items__entry_number", "parts__items__title"]
    date_hierarchy = "created_at"
    inlines = [PartInline]
    fields = [
        "email",
        "user",
        "message",
        "language",
        "period_from",
        "period_to",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(part_total=Count("parts"))
        return _scoped_requests(queryset, request)

    @admin.display(description=gettext_lazy("asks for"))
    def asks_for(self, access_request):
        if access_request.is_period:
            return _("The journal from %(start)s to %(end)s") % {
                "start": access_request.period_from,
                "end": access_request.period_to,
            }
        return _("Entries")

    @admin.display(description=gettext_lazy("units"), ordering="part_total")
    def part_count(self, access_request):
        return access_request.part_total

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        access_request = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if access_request is not None:
            names = units_for(request.user).filter(access_request_parts__request=access_request)
            unit = ", ".join(names.values_list("name", flat=True)) or None
            _log_read(request, access_request=access_request, unit=unit)
        return response


class ItemInline(ReadOnlyInline):
    model = AccessRequestItem
    fields = ["entry_number", "title", "decision"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("journal.view_accessrequestpart")


class AnswerFileInline(ReadOnlyInline):
    model = AnswerFile
    fields = ["name", "size", "content_type", "created_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("journal.view_accessrequestpart")


class AppealedFilter(admin.SimpleListFilter):
    title = gettext_lazy("appealed")
    parameter_name = "appealed"

    def lookups(self, request, model_admin):
        return [("yes", _("Appealed")), ("no", _("Not appealed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(appealed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(appealed_at__isnull=True)
        return queryset


@admin.register(AccessRequestPart)
class AccessRequestPartAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Parts hold no personal data of the requester (that is on the request, opened and logged there)."""

    list_display = ["__str__", "unit", "status", "sent_at", "deadline", "answered_at", "working_days_to_answer"]
    list_filter = ["status", AppealedFilter, ("unit", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["unit", "request"]
    search_fields = ["=request__id", "=items__entry_number", "items__title"]
    date_hierarchy = "sent_at"
    inlines = [ItemInline, AnswerFileInline]
    actions = ["forward_to_county_governor"]
    fields = [
        "staff_page",
        "request",
        "unit",
        "status",
        "sent_at",
        "deadline",
        "reminded_1_at",
        "reminded_3_at",
        "overdue_notified_at",
        "answered_at",
        "answered_by",
        "working_days_to_answer",
        "answer",
        "legal_basis",
        "appeal_information",
        "link",
        "appealed_at",
        "appeal_message",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(request__sent_at__isnull=False)
        return scope_to_units(queryset, request.user, "unit")

    @admin.display(description=gettext_lazy("staff page"))
    def staff_page(self, part):
        return _link("part", _("Answer on the staff page"), pk=part.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        part = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if part is not None and part.appeal_message:
            _log_read(request, access_request=part.request, part=part)
        return response

    def has_answer_permission(self, request):
        return request.user.has_perm("journal.answer_accessrequest")

    @admin.action(description=gettext_lazy("Send the appeal to the County Governor"), permissions=["answer"])
    def forward_to_county_governor(self, request, queryset):
        sent, refused = 0, []
        for part in queryset.select_related("unit", "request"):
            try:
                services.part_forward(actor=request.user, part=part)
            except DomainError as error:
                refused.append(f"{part}: {error}")
            else:
                sent += 1
        if sent:
            text = ngettext(
                "%(count)s appeal is sent to the County Governor. The requester is told by e-mail.",
                "%(count)s appeals are sent to the County Governor. The requesters are told by e-mail.",
                sent,
            )
            self.message_user(request, text % {"count": sent}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)
