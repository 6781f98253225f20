from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views
from .views import identity as identity_views
from .views import privacy as privacy_views
from .views import settings as settings_views

app_name = "accounts"

urlpatterns = [
    path(_("my-page/"), views.min_side, name="min_side"),
    path(_("my-page/residency/"), identity_views.residency, name="residency"),
    path(_("my-page/residency/declare/"), identity_views.residency_declare, name="residency_declare"),
    path(_("log-in/id-porten/"), identity_views.idporten_login, name="idporten_login"),
    path(_("my-page/privacy/"), privacy_views.privacy_page, name="privacy"),
    path(_("my-page/privacy/download/"), privacy_views.download, name="privacy_download"),
    path(_("my-page/privacy/consent/"), privacy_views.consent, name="privacy_consent"),
    path(_("my-page/privacy/delete/"), privacy_views.delete_account, name="privacy_delete"),
    path(_("account-deleted/"), privacy_views.deleted, name="privacy_deleted"),
    path(_("my-page/settings/"), settings_views.settings, name="settings"),
]
