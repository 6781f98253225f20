from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

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
]
