from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "tinget.initiatives"
    label = "initiatives"
    verbose_name = _("Citizen initiatives")

    def ready(self):
        from . import module  # noqa: F401  (registers the module)
