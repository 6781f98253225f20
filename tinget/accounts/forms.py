"""allauth's account forms with our labels and hints.

allauth repeats each label as a placeholder and puts Django's password rules in the help text as an HTML
list. A placeholder that repeats the label is noise to a screen reader and vanishes when you type, and a
list cannot sit in our one-line hint, so these forms drop placeholders and say the rules in one sentence.
"""

from allauth.account import forms as allauth_forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MINIMUM_LENGTH_VALIDATOR = "django.contrib.auth.password_validation.MinimumLengthValidator"


def password_min_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"] == MINIMUM_LENGTH_VALIDATOR:
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return 0


def _new_password_hint() -> str:
    return gettext(
        "At least %(min_length)d characters. Avoid common passwords and anything close to your e-mail address."
    ) % {"min_length": password_min_length()}


new_password_hint = lazy(_new_password_hint, str)


class PlainFieldsMixin:
    labels: dict = {}
    hints: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.hints:
                field.help_text = self.hints[name]


class LoginForm(PlainFieldsMixin, allauth_forms.LoginForm):
    # The "forgot your password?" link sits under the form, not inside the password field's hint.
    labels = {"login": _("E-mail address"), "password": _("Password"), "remember": _("Keep me logged in")}
    hints = {"password": ""}


class SignupForm(PlainFieldsMixin, allauth_forms.SignupForm):
    labels = {"email": _("E-mail address"), "password1": _("Password"), "password2": _("Repeat the password")}
    hints = {
        "email": _("We send a link to this address to check that it is yours."),
        "password1": new_password_hint(),
    }


class ResetPasswordForm(PlainFieldsMixin, allauth_forms.ResetPasswordForm):
    labels = {"email": _("E-mail address")}


class ResetPasswordKeyForm(PlainFieldsMixin, allauth_forms.ResetPasswordKeyForm):
    labels = {"password1": _("New password"), "password2": _("Repeat the new password")}
    hints = {"password1": new_password_hint()}


class ChangePasswordForm(PlainFieldsMixin, allauth_forms.ChangePasswordForm):
    labels = {
        "oldpassword": _("Current password"),
        "password1": _("New password"),
        "password2": _("Repeat the new password"),
    }
    hints = {"oldpassword": "", "password1": new_password_hint()}


class SetPasswordForm(PlainFieldsMixin, allauth_forms.SetPasswordForm):
    labels = {"password1": _("New password"), "password2": _("Repeat the new password")}
    hints = {"password1": new_password_hint()}


class AddEmailForm(PlainFieldsMixin, allauth_forms.AddEmailForm):
    labels = {"email": _("New e-mail address")}


class ReauthenticateForm(PlainFieldsMixin, allauth_forms.ReauthenticateForm):
    labels = {"password": _("Password")}
    hints = {"password": ""}
