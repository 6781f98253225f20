from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tinget.core"
    label = "core"
    verbose_name = _("Municipality and platform")

    def ready(self):
        from . import module  # noqa: F401  (registers the core's own channels)
