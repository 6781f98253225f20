from django.contrib import admin

from .models import Area, AuditEntry, EmergencyContact, Municipality, Postcode, Unit


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "county", "population", "phone"]
    search_fields = ["name", "number"]
    inlines = [AreaInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "is_demo"]
    list_filter = ["municipality", "is_demo"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["code", "place", "area", "municipality"]
    list_filter = ["municipality", "area"]
    search_fields = ["code", "place"]
    list_select_related = ["area", "municipality"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "email", "phone"]
    list_filter = ["municipality"]
    search_fields = ["name", "email"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(EmergencyContact)
class EmergencyContactAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "kind", "order"]
    list_filter = ["kind", "municipality"]
    list_editable = ["order"]
    search_fields = ["name", "phone"]


class ReadOnlyAdminMixin:
    """For rows that only services write (or that are evidence): nobody adds, changes or deletes them here.
    Works on a ModelAdmin and on an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows that only services write."""


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the audit log is evidence, so nobody edits or deletes it from the admin."""

    list_display = ["created_at", "action", "actor_label", "target_label"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "target_label", "target_id"]
    date_hierarchy = "created_at"
