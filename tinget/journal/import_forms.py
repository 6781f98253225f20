"""The upload form on the staff import page (views/importing.py). It rejects what is malformed: no file, an empty
file, one over settings.TINGET_JOURNAL_IMPORT_MAX_BYTES, a format that is not offered, or a file name that does not
say its format when the format is left to the name. The service (importing.import_start) checks again."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formats import format_for_name
from .models import ImportJob

FROM_NAME = "auto"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        error_messages={
            "required": gettext_lazy("Choose the file to import."),
            "empty": gettext_lazy("The file is empty. Choose the file again."),
            "invalid": gettext_lazy("No file came with the form. Choose the file again."),
        },
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(FROM_NAME, gettext_lazy("Tell by the file name (.json, .csv or .xml)")), *ImportJob.Format.choices],
        initial=FROM_NAME,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the format of the file."),
            "invalid_choice": gettext_lazy("Choose one of the formats offered."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.TINGET_JOURNAL_IMPORT_MAX_BYTES
        self.fields["file"].help_text = _(
            "eInnsyn JSON, CSV with the documented header, or Noark 5 public journal XML; at most %(max)s MB."
        ) % {"max": limit // (1024 * 1024)}
        self.fields["file"].widget.attrs["accept"] = ".json,.csv,.xml,application/json,text/csv,application/xml"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TINGET_JOURNAL_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is too large: at most %(max)s MB can be imported at a time.")
                % {"max": limit // (1024 * 1024)},
                code="too_large",
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload, chosen = cleaned.get("file"), cleaned.get("format")
        if upload is not None and chosen == FROM_NAME:
            found = format_for_name(upload.name)
            if found is None:
                self.add_error(
                    "format",
                    ValidationError(
                        _("The file name does not end in .json, .csv or .xml: choose the format."), code="unknown"
                    ),
                )
            else:
                cleaned["format"] = found
        return cleaned
