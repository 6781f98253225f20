from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tinget.reports"
    label = "reports"
    verbose_name = _("Fault reports")

    def ready(self):
        from . import module  # noqa: F401  (registers the module)
