"""Fault reports in the admin. Categories, their groups and extra questions are data staff edit here. Reports and
everything about them are changed only through services: the report pages are read-only, with admin actions that
call the services and a link to the handling page for the rest. Case workers see their own units' reports.

Seeing a reporter's or subscriber's contact details here is a read of personal data, logged like the handling
page's (tinget.accounts.privacy.log_personal_data_read)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from tinget.accounts.privacy import log_personal_data_read
from tinget.accounts.staff import scope_to_units
from tinget.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin, ReadOnlyInline
from tinget.core.errors import DomainError

from . import rules, services
from .models import (
    OPEN_STATES,
    ApiKey,
    Category,
    CategoryGroup,
    Moderation,
    Photo,
    Question,
    Report,
    State,
    Subscriber,
    Update,
)

# What a person is told on Min side when staff have read their data here (see accounts.privacy).
ADMIN_REPORT_READ = gettext_noop("Your contact details on a fault report, in the administration")
ADMIN_SUBSCRIPTION_READ = gettext_noop("Your e-mail subscription to a fault report, in the administration")


def _unit_names(user):
    return ", ".join(user.units.order_by("name").values_list("name", flat=True)) or None


def _has_contact_details(report):
    return bool(report.reporter_id or report.reporter_name or report.reporter_email or report.reporter_phone)


def _scoped(queryset, request, unit_field):
    """Moderators screen every unit's reports; everyone else sees their own units' (administrators all)."""
    if rules.can_moderate(request.user):
        return queryset
    return scope_to_units(queryset, request.user, unit_field)


# --- Categories: data staff edit -------------------------------------------------------------------------------
@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "name_nn", "name_en", "slug"]
    prepopulated_fields = {"slug": ("name",)}


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("code", "datatype", "required", "order"),
        ("question", "question_nn", "question_en"),
        ("hint", "hint_nn", "hint_en"),
        "values",
    ]
    prepopulated_fields = {"code": ("question",)}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "unit", "response_days", "is_urgent", "not_ours", "is_active"]
    list_filter = ["group", "unit", "is_urgent", "not_ours", "is_active"]
    list_select_related = ["group", "unit"]
    search_fields = ["name", "name_nn", "name_en", "slug", "keywords", "description"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [QuestionInline]
    # A link typed without a scheme is taken as https (Django 6's default, without the warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["group", ("name", "name_nn", "name_en"), "slug", "keywords", "order", "is_active"]}),
        (gettext_lazy("Description"), {"fields": ["description", "description_nn", "description_en"]}),
        (gettext_lazy("Routing"), {"fields": ["unit", "response_days"]}),
        (gettext_lazy("Urgent"), {"fields": ["is_urgent", "urgent_phone"]}),
        (
            gettext_lazy("Not the municipality's responsibility"),
            {"fields": ["not_ours", "contact_text", "contact_text_nn", "contact_text_en", "contact_url"]},
        ),
    ]


# --- Reports: read-only, changed through actions that call services --------------------------------------------
class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = {"state__in": OPEN_STATES, "due_at__lt": timezone.now()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class PhotoInline(ReadOnlyInline):
    model = Photo
    fields = ["preview", "alt_text", "is_hidden", "created_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("photo"))
    def preview(self, photo):
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" width="120"></a>',
            photo.full_url,
            photo.thumbnail_url,
            photo.alt_text or _("Photo"),
        )


class UpdateInline(ReadOnlyInline):
    model = Update
    fields = ["created_at", "kind", "old_state", "new_state", "text", "is_public", "is_hidden", "author_label"]
    readonly_fields = fields


class StateActionForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Public answer"),
        help_text=gettext_lazy("Shown on each report's page and sent to its reporter and followers."),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=services.DESCRIPTION_MAX,
        required=False,
    )


class HideActionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("For the moderation log. Only staff see it."),
        max_length=300,
    )


# The standard answers the actions suggest; the case worker may change them before applying.
STANDARD_ANSWERS = {
    State.INVESTIGATING: gettext_lazy("Thank you for the report. We are looking into it."),
    State.IN_PROGRESS: gettext_lazy("The work has started."),
    State.FIXED: gettext_lazy("The fault is fixed. Thank you for telling us."),
}


def _apply_to_each(modeladmin, request, queryset, do, done_message):
    """Run a service on each selected report; say how many went through (`done_message(count)`) and why the others
    did not."""
    done, failed = 0, []
    for report in queryset.select_related("unit", "category"):
        try:
            do(report)
            done += 1
        except DomainError as error:
            failed.append(f"#{report.pk}: {error}")
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    if failed:
        modeladmin.message_user(
            request, _("Not changed: %(reports)s") % {"reports": "; ".join(failed)}, messages.WARNING
        )


def _intermediate(modeladmin, request, queryset, *, form, action, title, button):
    """The page between choosing an action and applying it, asking for the text the service needs."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "form": form,
        "action": action,
        "button": button,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "reports/handling/admin_action.html", context)


def _state_action(state):
    def action(modeladmin, request, queryset):
        label = State(state).label
        if "apply" in request.POST:
            form = StateActionForm(request.POST)
            if form.is_valid():
                _apply_to_each(
                    modeladmin,
                    request,
                    queryset,
                    lambda report: services.report_change_state(
                        actor=request.user, report=report, state=state, answer=form.cleaned_data["answer"]
                    ),
                    lambda count: (
                        ngettext("%(count)s report is now: %(state)s", "%(count)s reports are now: %(state)s", count)
                        % {"count": count, "state": label}
                    ),
                )
                return None
        else:
            form = StateActionForm(initial={"answer": STANDARD_ANSWERS.get(state, "")})
        return _intermediate(
            modeladmin,
            request,
            queryset,
            form=form,
            action=f"mark_{state}",
            title=_("Change the status to: %(state)s") % {"state": label},
            button=_("Change the status"),
        )

    action.__name__ = f"mark_{state}"
    description = lazy(lambda: _("Change the status to: %(state)s") % {"state": State(state).label}, str)()
    return admin.action(description=description, permissions=["handle"])(action)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "title", "category", "unit", "state", "overdue", "created_at"]
    list_display_links = ["id", "title"]
    list_filter = ["state", OverdueFilter, "category", "unit", "area", "channel", "is_hidden"]
    list_select_related = ["category", "unit"]
    search_fields = ["=id", "title", "description", "address"]
    date_hierarchy = "created_at"
    inlines = [PhotoInline, UpdateInline]
    actions = [
        _state_action(State.INVESTIGATING),
        _state_action(State.IN_PROGRESS),
        _state_action(State.FIXED),
        "hide_from_public",
    ]
    report_fields = ["title", "description", "category", "unit", "area", "address", "latitude", "longitude", "answers"]
    state_fields = [
        "state",
        "duplicate_of",
        "is_hidden",
        "created_at",
        "confirmed_at",
        "updated_at",
        "due_at",
        "fixed_at",
        "closed_at",
        "questionnaire_sent_at",
    ]
    reporter_fields = [
        "reporter",
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "show_name",
        "channel",
        "language",
        "registered_by",
        "api_key",
    ]

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, "unit")

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["handling_page"]}),
            (_("Report"), {"fields": self.report_fields}),
            (_("Status"), {"fields": self.state_fields}),
        ]
        # Only those who handle the report see who made it (moderators screen the text, not the person).
        if obj is not None and rules.can_handle(request.user, obj):
            fieldsets.append((_("Reporter"), {"fields": self.reporter_fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["handling_page", *self.report_fields, *self.state_fields, *self.reporter_fields]

    # Reports come from residents, callers and Open311 clients, and change through services: the form here only
    # shows them (state and answers on the handling page, or through the actions in the list).
    # (ReadOnlyAdminMixin: nobody adds, changes or deletes them here.)

    def has_handle_permission(self, request):
        return rules.can_handle_any(request.user)

    def has_moderate_permission(self, request):
        return rules.can_moderate(request.user)

    @admin.display(description=gettext_lazy("overdue"), boolean=True)
    def overdue(self, report):
        return report.is_overdue

    @admin.display(description=gettext_lazy("handling"))
    def handling_page(self, report):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("reports:handle_detail", kwargs={"pk": report.pk}),
            _("Change the status, answer, reroute or moderate on the handling page"),
        )

    @admin.action(description=gettext_lazy("Hide from the public"), permissions=["moderate"])
    def hide_from_public(self, request, queryset):
        if "apply" in request.POST:
            form = HideActionForm(request.POST)
            if form.is_valid():
                _apply_to_each(
                    self,
                    request,
                    queryset.filter(is_hidden=False),
                    lambda report: services.report_set_hidden(
                        actor=request.user, report=report, hidden=True, reason=form.cleaned_data["reason"]
                    ),
                    lambda count: (
                        ngettext(
                            "%(count)s report is hidden from the public.",
                            "%(count)s reports are hidden from the public.",
                            count,
                        )
                        % {"count": count}
                    ),
                )
                return None
        else:
            form = HideActionForm()
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            action="hide_from_public",
            title=_("Hide from the public"),
            button=_("Hide"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        report = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if report is not None and rules.can_handle(request.user, report) and _has_contact_details(report):
            # Someone without an account has no Min side; the read is still logged, against the report.
            log_personal_data_read(
                staff_user=request.user,
                subject_user=report.reporter if report.reporter_id else report,
                what=ADMIN_REPORT_READ,
                unit=_unit_names(request.user),
            )
        return response


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ["id", "report", "alt_text", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    list_select_related = ["report"]
    search_fields = ["=report__id", "alt_text"]
    exclude = ["image", "thumbnail"]
    readonly_fields = ["report", "preview", "width", "height", "alt_text", "is_hidden", "order", "created_at"]

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, "report__unit")

    @admin.display(description=gettext_lazy("photo"))
    def preview(self, photo):
        return format_html(
            '<a href="{}"><img src="{}" alt="{}"></a>',
            photo.full_url,
            photo.thumbnail_url,
            photo.alt_text or _("Photo"),
        )


@admin.register(Update)
class UpdateAdmin(ReadOnlyAdmin):
    list_display = ["report", "kind", "new_state", "is_public", "is_hidden", "author_label", "created_at"]
    list_filter = ["kind", "is_public", "is_hidden"]
    list_select_related = ["report"]
    search_fields = ["=report__id", "text"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, "report__unit")


@admin.register(Moderation)
class ModerationAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "moderator", "reason", "created_at"]
    list_filter = ["action"]
    list_select_related = ["report", "moderator"]
    search_fields = ["=report__id", "reason"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, "report__unit")


def mask_email(address: str) -> str:
    """ "k***@example.no": enough to tell rows apart in a list without showing whose they are."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    """E-mail subscribers are people without an account: the list shows their addresses masked, and opening one
    is a logged read of personal data."""

    list_display = ["report", "masked_email", "confirmed_at", "created_at"]
    list_filter = ["confirmed_at"]
    list_select_related = ["report"]
    # An exact address only, so that the search cannot be used to browse addresses.
    search_fields = ["=email", "=report__id"]

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, "report__unit")

    @admin.display(description=gettext_lazy("e-mail"))
    def masked_email(self, subscriber):
        return mask_email(subscriber.email)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        subscriber = getattr(response, "context_data", {}).get("original") if request.method == "GET" else None
        if subscriber is not None:
            person = get_user_model().objects.filter(email__iexact=subscriber.email).first()
            log_personal_data_read(
                staff_user=request.user,
                subject_user=person or subscriber,
                what=ADMIN_SUBSCRIPTION_READ,
                unit=_unit_names(request.user),
            )
        return response


# --- Open311 API keys: issued and revoked through services -----------------------------------------------------
class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name"]
        help_texts = {"name": gettext_lazy("Who uses the key, e.g. the app or the company's name.")}


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["name", "prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    fields = readonly_fields
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
            kwargs["fields"] = ["name"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("reports.change_apikey")

    def save_model(self, request, obj, form, change):
        """Issue the key through the service, and show it this once."""
        api_key, key = services.api_key_create(actor=request.user, name=form.cleaned_data["name"])
        obj.pk = api_key.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _(
                "The key for %(name)s is: %(key)s — copy it now. It is not shown again, and only its first characters "
                "are kept."
            )
            % {"name": api_key.name, "key": key},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            services.api_key_revoke(actor=request.user, api_key=api_key)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)s key revoked.", "%(count)s keys revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
