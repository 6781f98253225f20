from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tinget.api.api import api
from tinget.core import views as core_views

handler400 = "tinget.core.views.bad_request"
handler403 = "tinget.core.views.permission_denied"
handler404 = "tinget.core.views.page_not_found"
handler500 = "tinget.core.views.server_error"

admin.site.site_header = _("Tinget administration")
admin.site.site_title = _("Tinget administration")
admin.site.index_title = _("Case work and settings")

urlpatterns = [
    path("helse", core_views.health, name="health"),
    path("trivial", core_views.trivial, name="trivial"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Open311 GeoReport v2 is a machine interface with fixed paths: no language prefix.
    path("open311/v2/", include("tinget.reports.open311_urls")),
    # Registered with ID-porten, so without a language prefix (tinget/accounts/idporten_urls.py).
    path("idporten/", include("tinget.accounts.idporten_urls")),
]

# The local OpenID Connect provider, only where a development or test setting turns it on.
if settings.DEV_IDP_ENABLED:
    urlpatterns.append(path("dev-idp/", include("tinget.devidp.urls")))

urlpatterns += i18n_patterns(
    path(_("account/"), include("allauth.urls")),
    path("", include("tinget.accounts.urls")),
    path("", include("tinget.core.urls")),
    path(_("report-a-fault/"), include("tinget.reports.urls")),
    path(_("citizen-initiatives/"), include("tinget.initiatives.urls")),
    path(_("consultations/"), include("tinget.consultations.urls")),
    path(_("mail-journal/"), include("tinget.journal.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
