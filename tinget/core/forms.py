from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        max_length=200,
        min_length=2,
        help_text=_("For example a case, a place or a service."),
        error_messages={
            "required": _("Write what you are looking for."),
            "min_length": _("Write at least %(limit_value)d characters."),
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())
