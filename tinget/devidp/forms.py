from django import forms
from django.utils.translation import gettext_lazy as _

from . import provider

LEVEL_LABELS = {
    "idporten-loa-substantial": _("Substantial (like MinID or a code by text message)"),
    "idporten-loa-high": _("High (like BankID or Buypass)"),
}


class LoginForm(forms.Form):
    """Who to be and how strongly: the choice a real ID-porten makes by checking a person's credentials."""

    pid = forms.ChoiceField(label=_("Test person"), widget=forms.RadioSelect)
    acr = forms.ChoiceField(
        label=_("Level of assurance"),
        widget=forms.RadioSelect,
        choices=[(level, LEVEL_LABELS[level]) for level in provider.LEVELS],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pid"].choices = [
            (
                person["pid"],
                _("%(name)s, born %(pid)s, lives at %(postcode)s %(place)s")
                % {
                    "name": f"{person['given_name']} {person['family_name']}",
                    "pid": person["pid"][:6],
                    "postcode": person["postcode"],
                    "place": person["place"],
                },
            )
            for person in provider.persons()
        ]
