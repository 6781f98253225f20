"""The forms on the case workers' pages for access requests (views/processing.py): the queue's filters, the answer
(grant, partly grant or refuse, with the legal basis, how to appeal, a link and files) and sending an appeal on to
the County Governor.

Forms reject malformed input (a decision that is not one of the three, a refusal without its legal basis, a partial
grant without a choice per entry, a link that is not a web address, a file of the wrong kind or too large, too many
files); the services enforce the rules again (who may answer, whether the part still waits for an answer) and raise
DomainError, which the view puts on the form.
"""

import os

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinget.core.text import PLAIN_TEXT_MESSAGE, looks_like_html

from .models import AccessRequestItem
from .services import ANSWER_FILE_EXTENSIONS, ANSWER_FILES_MAX, ANSWER_MAX, GRANT, PARTLY, REFUSE

LEGAL_BASIS_MAX = 300
LINK_MAX = 500

# What a case worker most often writes as the legal basis for refusing access (offered, never imposed).
LEGAL_BASIS_SUGGESTIONS = (
    "Offl. § 13 jf. fvl. § 13",
    "Offl. § 14",
    "Offl. § 15",
    "Offl. § 23",
    "Offl. § 24",
    "Offl. § 26",
)

STANDARD_APPEAL_INFORMATION = gettext_lazy(
    "You may appeal this decision within three weeks of receiving it (offentleglova § 32 and forvaltningsloven "
    "§ 29). Send the appeal to us, for example with the button on your request's page. We look at the request "
    "again; if we uphold the decision, we send your appeal to the County Governor (Statsforvalteren), who decides "
    "it."
)

WAITING, ANSWERED, ALL = "waiting", "answered", "all"


def _plain(value: str) -> str:
    if looks_like_html(value):
        raise forms.ValidationError(PLAIN_TEXT_MESSAGE, code="markup")
    return value


# --- The queue's filters ---------------------------------------------------------------------------------------
class QueueFilterForm(forms.Form):
    """A GET form. A value that is not one of the choices is named in the error summary and left out."""

    status = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[
            (WAITING, gettext_lazy("Waiting for an answer")),
            (ANSWERED, gettext_lazy("Answered")),
            (ALL, gettext_lazy("All")),
        ],
        required=False,
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All my units")), *[(unit.slug, unit.name) for unit in units]]

    def filters(self) -> dict:
        """{"status": ..., "unit": ...} as selectors.queue_for takes them; invalid values fall back to the
        defaults (waiting, every unit)."""
        found = {"status": WAITING, "unit": ""}
        if not self.is_bound:
            return found
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("status"):
            found["status"] = data["status"]
        if data.get("unit"):
            found["unit"] = data["unit"]
        return found


# --- Files ------------------------------------------------------------------------------------------------------
ACCEPT = ",".join(sorted(ANSWER_FILE_EXTENSIONS))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one <input type=file multiple>; the form checks each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- The answer -------------------------------------------------------------------------------------------------
ITEM_FIELD_PREFIX = "item_"


class AnswerForm(forms.Form):
    """The unit's answer. `items` are the part's entries (a choice per entry for a partial grant); `is_period` a
    request for the journal of a period (nothing to attach); `has_files` files sent with an earlier answer."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (GRANT, gettext_lazy("Grant access")),
            (PARTLY, gettext_lazy("Grant access in part")),
            (REFUSE, gettext_lazy("Refuse access")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose whether to grant, partly grant or refuse."),
            "invalid_choice": gettext_lazy("Choose whether to grant, partly grant or refuse."),
        },
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer to the requester"),
        help_text=gettext_lazy("What the requester reads with the decision. For a refusal: why."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=ANSWER_MAX,
        required=False,
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis for what is refused"),
        help_text=gettext_lazy("Needed to refuse, wholly or in part. For example Offl. § 13 jf. fvl. § 13."),
        max_length=LEGAL_BASIS_MAX,
        required=False,
        widget=forms.TextInput(attrs={"list": "legal-basis-suggestions", "autocomplete": "off"}),
    )
    appeal_information = forms.CharField(
        label=gettext_lazy("How to appeal"),
        help_text=gettext_lazy("Needed to refuse, wholly or in part. The standard text may be changed."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=ANSWER_MAX,
        required=False,
    )
    link = forms.URLField(
        label=gettext_lazy("Link to the documents"),
        help_text=gettext_lazy("Instead of files, or as well: an address where the requester can read them."),
        max_length=LINK_MAX,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    files = MultipleFileField(
        label=gettext_lazy("Documents"),
        help_text=gettext_lazy(
            "The documents access is granted to. PDF, office documents, pictures, text or ZIP; at most "
            "%(count)s files of at most %(size)s MB each."
        ),
        required=False,
    )

    def __init__(self, *args, items=(), is_period=False, has_files=False, **kwargs):
        kwargs.setdefault("auto_id", "answer_%s")
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.is_period = is_period
        self.has_files = has_files
        self.fields["appeal_information"].initial = str(STANDARD_APPEAL_INFORMATION)
        files = self.fields["files"]
        files.help_text = files.help_text % {
            "count": ANSWER_FILES_MAX,
            "size": settings.TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES // 1024**2,
        }
        # A choice per entry is needed only for a partial grant of several entries (one entry partly granted has
        # parts held back): the fields are required (not marked optional) unless sent with another decision.
        per_item = len(self.items) > 1 and (not self.is_bound or self.data.get("decision") == PARTLY)
        for item in self.items:
            self.fields[self.item_field_name(item)] = forms.ChoiceField(
                label=f"{item.entry_number} {item.title}",
                choices=[
                    (AccessRequestItem.Decision.GRANTED, _("Grant, in whole or in part")),
                    (AccessRequestItem.Decision.REFUSED, _("Refuse")),
                ],
                widget=forms.RadioSelect,
                required=per_item,
                error_messages={
                    "required": _("Choose whether access to this entry is granted or refused."),
                    "invalid_choice": _("Choose whether access to this entry is granted or refused."),
                },
            )

    @staticmethod
    def item_field_name(item) -> str:
        return f"{ITEM_FIELD_PREFIX}{item.pk}"

    def item_fields(self):
        return [self[self.item_field_name(item)] for item in self.items]

    def clean_answer(self):
        return _plain(self.cleaned_data["answer"].strip())

    def clean_legal_basis(self):
        return _plain(self.cleaned_data["legal_basis"].strip())

    def clean_appeal_information(self):
        return _plain(self.cleaned_data["appeal_information"].strip())

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > ANSWER_FILES_MAX:
            raise forms.ValidationError(
                _("Send at most %(max)s files with one answer (you chose %(count)s).")
                % {"max": ANSWER_FILES_MAX, "count": len(files)},
                code="too_many",
            )
        limit = settings.TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES
        errors = []
        for upload in files:
            name = os.path.basename(upload.name or "")
            if os.path.splitext(name)[1].lower() not in ANSWER_FILE_EXTENSIONS:
                errors.append(
                    _("%(name)s cannot be sent: use PDF, an office document, a picture, text or ZIP.") % {"name": name}
                )
            elif upload.size > limit:
                errors.append(_("%(name)s is larger than %(max)s MB.") % {"name": name, "max": limit // 1024**2})
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision in (PARTLY, REFUSE):
            if "legal_basis" in cleaned and not cleaned["legal_basis"]:
                self.add_error(
                    "legal_basis",
                    _("Give the legal basis for refusing access (for example Offl. § 13 jf. fvl. § 13)."),
                )
            if "appeal_information" in cleaned and not cleaned["appeal_information"]:
                self.add_error("appeal_information", _("Tell the requester how to appeal."))
        if decision == PARTLY and len(self.items) > 1:
            values = []
            for item in self.items:
                name = self.item_field_name(item)
                value = cleaned.get(name)
                if not value and name not in self.errors:
                    self.add_error(name, _("Choose whether access to this entry is granted or refused."))
                values.append(value)
            if all(values) and all(v == AccessRequestItem.Decision.REFUSED for v in values):
                self.add_error(None, _("Nothing is granted: choose to refuse instead."))
        if (
            decision in (GRANT, PARTLY)
            and not self.is_period
            and not self.has_files
            and "files" in cleaned
            and "link" in cleaned
            and not cleaned["files"]
            and not cleaned["link"]
        ):
            self.add_error("files", _("Attach the documents or give a link to them when you grant access."))
        return cleaned

    def item_decisions(self) -> dict:
        """{item pk: "granted" | "refused"} as services.part_answer takes it (for a partial grant)."""
        return {item.pk: self.cleaned_data.get(self.item_field_name(item)) for item in self.items}


# --- An appeal sent on ------------------------------------------------------------------------------------------
class ForwardForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note to the requester"),
        help_text=gettext_lazy(
            "Optional. Why the unit upholds its decision; the requester gets it with the message that the appeal "
            "has gone to the County Governor."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=ANSWER_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "forward_%s")
        super().__init__(*args, **kwargs)

    def clean_note(self):
        return _plain(self.cleaned_data["note"].strip())
