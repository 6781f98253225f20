from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "tinget.journal"
    label = "journal"
    verbose_name = _("Public mail journal")

    def ready(self):
        from . import module  # noqa: F401  (registers the module)
