from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "tinget.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from . import module  # noqa: F401  (registers the module)
