from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .privacy import ADMIN_USER_RECORD, log_personal_data_read


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "units", "preferred_language"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        # A case worker sees only their units' cases (tinget.accounts.staff.scope_to_units).
        (_("Units"), {"fields": ("units",)}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions", "units"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # Opening a person's record is a read of their personal data, which they can see on Min side (Part C).
        # Only the page being shown counts; the save that follows it is the same read.
        subject = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if subject is not None and subject.pk != request.user.pk:
            unit = ", ".join(request.user.units.order_by("name").values_list("name", flat=True)) or None
            log_personal_data_read(staff_user=request.user, subject_user=subject, what=ADMIN_USER_RECORD, unit=unit)
        return response
