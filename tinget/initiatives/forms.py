"""The promoter's forms: the initiative's text, an attachment, a co-promoter's e-mail address.

The forms reject malformed input (too long, missing, HTML or script in what must be plain text, a signing period
outside the limits, a file that is neither a PDF nor an image by its content); the rules (who may change what,
in which state, how many) are the services', and their messages are shown on the same form."""

import re
import uuid

from django import forms
from django.conf import settings
from django.core import validators
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tinget.core.images import megabytes
from tinget.core.text import PLAIN_TEXT_MESSAGE, looks_like_html

from . import rules
from .attachments import AttachmentRejected, check_file
from .models import Attachment, Topic

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")
DEFAULT_SIGNING_DAYS = 90


def new_submission_key() -> str:
    return uuid.uuid4().hex


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.localized("name", get_language())


class InitiativeForm(forms.Form):
    """The initiative's text and settings, for a new draft and for changing one."""

    title = forms.CharField(
        label=_("Title"),
        help_text=_("A short title that says what you propose."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    proposal = forms.CharField(
        label=_("What should the municipality do?"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reasons = forms.CharField(
        label=_("Why?"),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=None,
        required=False,
        empty_label=_("The whole municipality"),
        help_text=_("If the initiative is about one part of the municipality, choose it."),
    )
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("Choose a topic"),
        help_text=_("Helps people find the initiative in the list."),
    )
    signing_days = forms.IntegerField(
        label=_("Signing period in days"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            "title": settings.TINGET_INITIATIVE_TITLE_MAX,
            "proposal": settings.TINGET_INITIATIVE_PROPOSAL_MAX,
            "reasons": settings.TINGET_INITIATIVE_REASONS_MAX,
        }
        required = {
            "title": _("Write a title."),
            "proposal": _("Write what the municipality should do."),
            "reasons": _("Write why the municipality should do it."),
        }
        for name, limit in limits.items():
            field = self.fields[name]
            # Set here, not on the class: the limits are settings, read when the form is made.
            # No maxlength attribute: a browser would cut pasted text short without a word; the hint says the
            # limit and the error says by how much it is over.
            field.max_length = limit
            field.validators.append(validators.MaxLengthValidator(limit))
            field.error_messages["required"] = required[name]
            field.error_messages["max_length"] = _(
                "Write at most %(limit_value)d characters (you wrote %(show_value)d)."
            )
        self.fields["proposal"].help_text = _(
            "Say plainly what you want the municipality to decide or do. At most %(limit)s characters."
        ) % {"limit": f"{limits['proposal']:,}".replace(",", "\u00a0")}
        self.fields["reasons"].help_text = _(
            "Why it matters, who it helps, what it may cost. At most %(limit)s characters."
        ) % {"limit": f"{limits['reasons']:,}".replace(",", "\u00a0")}

        self.fields["area"].queryset = (
            municipality.areas.order_by("name") if municipality is not None else self.fields["area"].queryset
        )
        if municipality is None or not self.fields["area"].queryset.exists():
            del self.fields["area"]
        if not Topic.objects.exists():
            del self.fields["topic"]

        low, high = rules.signing_days_allowed()
        days = self.fields["signing_days"]
        days.min_value, days.max_value = low, high
        days.widget.attrs.update({"min": str(low), "max": str(high)})
        days.help_text = _(
            "How many days people can sign, counted from the day the municipality publishes the initiative: "
            "between %(low)s and %(high)s days."
        ) % {"low": low, "high": high}
        out_of_range = _("The signing period must be between %(low)s and %(high)s days.") % {"low": low, "high": high}
        days.error_messages.update(
            {
                "required": _("Write how many days people can sign."),
                "invalid": _("Write the number of days as a whole number, for example %(days)s.")
                % {"days": DEFAULT_SIGNING_DAYS},
                "min_value": out_of_range,
                "max_value": out_of_range,
            }
        )
        days.validators.extend([validators.MinValueValidator(low), validators.MaxValueValidator(high)])
        if not self.is_bound and "signing_days" not in self.initial:
            self.initial["signing_days"] = min(max(DEFAULT_SIGNING_DAYS, low), high)

    def _plain(self, name):
        value = self.cleaned_data[name]
        if looks_like_html(value):
            raise forms.ValidationError(PLAIN_TEXT_MESSAGE, code="html")
        return value

    def clean_title(self):
        # One line: a title with line breaks (pasted) is joined up.
        return " ".join(self._plain("title").split())

    def clean_proposal(self):
        return self._plain("proposal")

    def clean_reasons(self):
        return self._plain("reasons")

    def clean_submission_key(self):
        key = (self.cleaned_data.get("submission_key") or "").strip().lower()
        return key if SUBMISSION_KEY.match(key) else new_submission_key()

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("title", "proposal", "reasons", "signing_days")}
        for name in ("area", "topic"):
            # A field left out (no areas or topics to choose from) leaves what the initiative has.
            if name in self.fields:
                data[name] = self.cleaned_data.get(name)
        return data


class AttachmentForm(forms.Form):
    """One file and its title. The file is checked (and an image re-encoded) in clean_file; `checked` holds the
    result for the service."""

    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp,image/gif"}),
    )
    title = forms.CharField(
        label=_("Title, or what the image shows"),
        max_length=Attachment._meta.get_field("title").max_length,
        help_text=_(
            "For a document, its title. For an image, describe what it shows for those who cannot see it, "
            "for example “The footpath by Vettre school in the dark”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = None
        self.fields["file"].help_text = _(
            "A PDF document, or an image (JPEG, PNG, WebP or GIF), at most %(size)s MB. We remove the location and "
            "other hidden information from images."
        ) % {"size": megabytes(settings.TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES)}
        self.fields["file"].error_messages.update(
            {
                "required": _("Choose a file."),
                "empty": _("The file is empty. Choose the file again."),
                "invalid": _("No file was sent. Choose the file again."),
            }
        )
        self.fields["title"].error_messages.update(
            {
                "required": _("Write a title; for an image, what it shows."),
                "max_length": _("Write at most %(limit_value)d characters (you wrote %(show_value)d)."),
            }
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_file(upload)
        except AttachmentRejected as error:
            raise forms.ValidationError(
                _("“%(name)s”: %(error)s") % {"name": (upload.name or "")[:100], "error": error}, code=error.code
            ) from None
        return upload

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if looks_like_html(title):
            raise forms.ValidationError(PLAIN_TEXT_MESSAGE, code="html")
        return title


class CoPromoterForm(forms.Form):
    email = forms.EmailField(
        label=_("The co-promoter's e-mail address"),
        max_length=254,
        help_text=_(
            "We send them a link. They confirm by logging in with ID-porten; their name is shown with the "
            "initiative once they have confirmed."
        ),
        error_messages={
            "required": _("Write the e-mail address of the person you want to invite."),
            "invalid": _("Write a valid e-mail address, for example name@example.no."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
