"""The resident's forms for access requests: sending the basket, asking for the journal of a period (§ 28), and
appealing an answer. The forms reject what is malformed (a bad e-mail address or date, a message that is too long,
a language that is not offered); the rules (what may be asked for, how long a period) are the services'.

A message is counted, not cut: the textarea has no maxlength (a browser would silently cut a pasted text), and a
message that is too long comes back with its length and the limit."""

import uuid

from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tinget.accounts.identity import has_working_email

from . import services

EMAIL_MAX = 254


def thousands(number: int) -> str:
    """4000 → "4 000" (a no-break space, as Norwegian writes it and English readers read it)."""
    return f"{number:,}".replace(",", "\u00a0")


def verified_addresses(user) -> set[str]:
    """The logged-in person's verified addresses, lower-cased: a request from one of them is sent at once
    (services.request_create asks the same)."""
    if not (user and user.is_authenticated):
        return set()
    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    }


def _normalised(text: str) -> str:
    """The text with each line end as one character (a browser sends two) and no space around it."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _too_long(message: str, count: int, limit: int) -> forms.ValidationError:
    """A ValidationError that says how long the text is and how long it may be."""
    return forms.ValidationError(message % {"count": thousands(count), "max": thousands(limit)}, code="max_length")


class RequestForm(forms.Form):
    """Where the answer goes, an optional message, and the language of the answer. `key` is a one-time key for the
    form: a second post of the same form lands on the request the first one made."""

    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=EMAIL_MAX,
        help_text=_("The answer and the documents come here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Write your e-mail address, so that the answer can reach you."),
            "invalid": _("Write a whole e-mail address, like name@example.no."),
            "max_length": _("The e-mail address can be at most %(limit_value)d characters long."),
        },
    )
    message = forms.CharField(
        label=_("Message to the municipality"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    language = forms.ChoiceField(
        label=_("Language of the answer"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of the answer."),
            "invalid_choice": _("Choose bokmål, nynorsk or English for the answer."),
        },
    )

    def __init__(self, *args, user=None, language="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.verified = verified_addresses(user)
        own = self._own_email()
        # The address the form starts with, when it is verified: the page says the request goes at once from it.
        self.verified_email = own if own.lower() in self.verified else ""
        self.fields["message"].help_text = gettext(
            "For example why you ask, or what in the documents matters to you. At most %(max)s characters."
        ) % {"max": thousands(services.MESSAGE_MAX)}
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())
            self.initial.setdefault("email", own)
            codes = {code for code, _name in settings.LANGUAGES}
            self.initial.setdefault("language", language if language in codes else settings.LANGUAGE_CODE)

    def _own_email(self) -> str:
        user = self.user
        if user and user.is_authenticated and has_working_email(user):
            return user.email
        return ""

    def clean_key(self):
        return self.cleaned_data.get("key") or uuid.uuid4()

    def clean_message(self):
        text = _normalised(self.cleaned_data.get("message", ""))
        if len(text) > services.MESSAGE_MAX:
            raise _too_long(
                ngettext(
                    "The message is %(count)s character long; it can be at most %(max)s.",
                    "The message is %(count)s characters long; it can be at most %(max)s.",
                    len(text),
                ),
                len(text),
                services.MESSAGE_MAX,
            )
        return text

    def sent_at_once(self) -> bool:
        """Whether the request goes at once (the logged-in person's verified address) rather than after the link
        in an e-mail is followed."""
        email = (self.cleaned_data.get("email") or "") if hasattr(self, "cleaned_data") else ""
        return email.strip().lower() in self.verified

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"email": data["email"], "message": data["message"], "language": data["language"]}


class PeriodRequestForm(RequestForm):
    """The whole mail journal of a period (offentleglova § 28)."""

    field_order = ["period_from", "period_to", "email", "message", "language"]
    date_formats = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]

    period_from = forms.DateField(
        label=_("From (first day)"),
        input_formats=date_formats,
        help_text=_("For example 01.03.2026."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Write the first day of the period."),
            "invalid": _("Write the first day as a real date, for example 01.03.2026."),
        },
    )
    period_to = forms.DateField(
        label=_("To (last day)"),
        input_formats=date_formats,
        help_text=_("At most one year after the first day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Write the last day of the period."),
            "invalid": _("Write the last day as a real date, for example 31.03.2026."),
        },
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The last day must be on or after the first day."))
        return data

    def service_kwargs(self) -> dict:
        return {
            **super().service_kwargs(),
            "period_from": self.cleaned_data["period_from"],
            "period_to": self.cleaned_data["period_to"],
        }


class AppealForm(forms.Form):
    """One click appeals; the text is optional."""

    message = forms.CharField(
        label=_("Why you appeal"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].help_text = gettext("The unit reads it with the appeal. At most %(max)s characters.") % {
            "max": thousands(services.MESSAGE_MAX)
        }

    def clean_message(self):
        text = _normalised(self.cleaned_data.get("message", ""))
        if len(text) > services.MESSAGE_MAX:
            raise _too_long(
                ngettext(
                    "The appeal is %(count)s character long; it can be at most %(max)s.",
                    "The appeal is %(count)s characters long; it can be at most %(max)s.",
                    len(text),
                ),
                len(text),
                services.MESSAGE_MAX,
            )
        return text
