"""Min side: my profile, language and notification settings."""

from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import NotificationFrequency, User
from ..profile import update_profile


def _language_choices():
    # Each language in its own name, so that a person who cannot read the current one still finds theirs.
    return [(code, get_language_info(code)["name_local"]) for code, _name in django_settings.LANGUAGES]


class SettingsForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text=gettext_lazy("The name shown next to what you write in public. Leave empty to stay anonymous."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=_language_choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("The language of the website and of the e-mails we send you."),
    )
    notification_frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail about what you follow"),
        choices=NotificationFrequency.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("You always find your notifications on My page."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def settings(request):
    user = request.user
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["preferred_language"]
            changed = update_profile(actor=user, user=user, **form.cleaned_data)
            # The confirmation and the page after it are in the language just chosen.
            with translation.override(language):
                messages.success(request, _("Your settings are saved.") if changed else _("Nothing was changed."))
            response = redirect(translate_url(reverse("accounts:settings"), language))
            response.set_cookie(
                django_settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=django_settings.LANGUAGE_COOKIE_AGE,
                path=django_settings.LANGUAGE_COOKIE_PATH,
                domain=django_settings.LANGUAGE_COOKIE_DOMAIN,
                secure=django_settings.LANGUAGE_COOKIE_SECURE,
                httponly=django_settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=django_settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
    else:
        form = SettingsForm(
            initial={
                "display_name": user.display_name,
                "preferred_language": user.preferred_language,
                "notification_frequency": user.notification_frequency,
            }
        )
    crumbs = [
        (_("Front page"), reverse("core:hub")),
        (_("My page"), reverse("accounts:min_side")),
        (_("Settings"), None),
    ]
    return render(request, "accounts/settings/index.html", {"form": form, "crumbs": crumbs})
