from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import views
from .notify import views as notify_views

app_name = "core"

urlpatterns = [
    path("", views.hub, name="hub"),
    path(_("search/"), views.search, name="search"),
    path(_("on-call-numbers/"), views.on_call, name="on_call"),
    path(
        _("accessibility/"),
        views.content_page("core/pages/accessibility.html", _("Accessibility statement")),
        name="accessibility",
    ),
    path(_("privacy/"), views.content_page("core/pages/privacy.html", _("Privacy")), name="privacy"),
    path(_("about/"), views.content_page("core/pages/about.html", _("About Tinget")), name="about"),
    # Part B: follows and notifications, and the areas people follow.
    path(format_lazy("{}{}", _("my-page/"), _("notifications/")), notify_views.notification_list, name="notifications"),
    path(
        format_lazy("{}{}<int:pk>/", _("my-page/"), _("notifications/")),
        notify_views.notification_detail,
        name="notification",
    ),
    path(
        format_lazy("{}{}{}", _("my-page/"), _("notifications/"), _("mark-all-read/")),
        notify_views.notifications_mark_all_read,
        name="notifications_read_all",
    ),
    path(_("follow/"), notify_views.follow, name="follow"),
    path(format_lazy("{}<str:token>/", _("unsubscribe/")), notify_views.unsubscribe, name="unsubscribe"),
    path(_("areas/"), views.area_list, name="areas"),
    path(format_lazy("{}<slug:slug>/", _("areas/")), views.area_detail, name="area"),
]
