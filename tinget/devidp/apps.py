from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevIdpConfig(AppConfig):
    name = "tinget.devidp"
    label = "devidp"
    verbose_name = _("Local ID-porten for development")
