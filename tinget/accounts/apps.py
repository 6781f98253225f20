from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tinget.accounts"
    label = "accounts"
    verbose_name = _("Users and login")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_activity_clock

        user_logged_in.connect(start_activity_clock, dispatch_uid="tinget.accounts.start_activity_clock")
