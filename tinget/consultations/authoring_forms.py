"""The forms on staff's pages for writing consultations (views/authoring.py).

Forms reject what is malformed: a date that does not exist, a deadline before the opening, a unit the person does
not work for, text over its limit, HTML or script in a text. The services enforce the rules (who may, what the
consultation's stage allows) and raise DomainError, which the view puts on the form. Every form keeps what was
typed when it is shown again with its errors.

Times are typed as a date and a time in the site's time zone (Europe/Oslo): a deadline is a moment, by default
23:59 on the day.
"""

import datetime as dt
import re
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tinget.accounts.staff import units_for
from tinget.core.models import Area
from tinget.core.text import PLAIN_TEXT_MESSAGE, looks_like_html

from . import attachments
from .models import Question, Topic

TITLE_MAX = 200
SUMMARY_MAX = 5_000
BODY_MAX = 50_000
NOTE_MAX = 1_000
OPTION_MAX = 200
MAX_OPTIONS = 20
DEFAULT_DEADLINE_TIME = dt.time(23, 59)
DEFAULT_OPENS_TIME = dt.time(0, 0)

LENGTH_MESSAGE = gettext_lazy("Write at most %(limit_value)d characters (you wrote %(show_value)d).")
FORM_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_form_key() -> str:
    return uuid.uuid4().hex


def text_field(label, max_length, *, required=True, rows=None, help_text="", required_message=None):
    """A text field that says by how much a text is over its limit, as a textarea when `rows` is given.
    No maxlength attribute: a browser would cut pasted text short without a word."""
    messages = {"max_length": LENGTH_MESSAGE}
    if required_message:
        messages["required"] = required_message
    field = forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages=messages,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
    )
    field.widget.attrs.pop("maxlength", None)
    return field


def note_field():
    return text_field(
        gettext_lazy("What changed"),
        NOTE_MAX,
        rows=3,
        help_text=gettext_lazy(
            "The consultation is published, so this change becomes a new version. Readers see this note with it, "
            "for example: “The deadline is moved to 20 March.”"
        ),
        required_message=gettext_lazy("Say briefly what you changed: readers see it with the new version."),
    )


class StaffForm(forms.Form):
    """Plain text only in `plain_fields`; a `note` for the version when the consultation is published."""

    plain_fields: tuple = ()

    def __init__(self, *args, published=False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.widget.attrs.pop("maxlength", None)
        if published:
            self.fields["note"] = note_field()

    def clean(self):
        cleaned = super().clean()
        for name in (*self.plain_fields, "note"):
            value = cleaned.get(name)
            if isinstance(value, str) and looks_like_html(value):
                self.add_error(name, ValidationError(PLAIN_TEXT_MESSAGE, code="html"))
        return cleaned

    def add_domain_error(self, error):
        """A service's DomainError on the field it names (`params["field"]`), else on the whole form."""
        field = getattr(error, "params", {}).get("field")
        self.add_error(field if field in self.fields else None, str(error))


class FormKeyMixin(forms.Form):
    """A hidden one-time key: the same form sent twice (a double click) makes one thing (see views/authoring)."""

    form_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_key", new_form_key())

    def clean_form_key(self):
        key = (self.cleaned_data.get("form_key") or "").strip().lower()
        return key if FORM_KEY.match(key) else new_form_key()


# --- The consultation ------------------------------------------------------------------------------------------
class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.localized("name", get_language())


def moment_of(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment a date and a time name on the site's clock. Raises ValueError for a time the clock skips
    (the night the clocks go forward)."""
    naive = dt.datetime.combine(day, time)
    zone = timezone.get_current_timezone()
    moment = timezone.make_aware(naive, zone)
    # Through UTC and back: astimezone() to the same zone would hand the skipped time back unchanged.
    if moment.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError("skipped")
    return moment


def date_field(label, required_message, help_text=""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        # What a date field sends, and what a person types where the browser shows a plain text box.
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"],
        error_messages={
            "invalid": gettext_lazy("Write a date that exists, as dd.mm.yyyy."),
            "required": required_message,
        },
    )


def time_field(label, required_message, help_text=""):
    return forms.TimeField(
        label=label,
        help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        error_messages={
            "invalid": gettext_lazy("Write the time as hh:mm, for example 23:59."),
            "required": required_message,
        },
    )


class ConsultationForm(FormKeyMixin, StaffForm):
    """The consultation's own fields, for a new draft and for changing one. `user` limits the units to theirs
    (every unit for an administrator); a published consultation's change needs a note."""

    plain_fields = ("title", "summary", "influence", "next_steps", "case_number", "contact_name", "contact_phone")

    title = text_field(
        gettext_lazy("Title"),
        TITLE_MAX,
        help_text=gettext_lazy("What the case or plan is, as residents would say it."),
        required_message=gettext_lazy("Write a title."),
    )
    summary = text_field(
        gettext_lazy("What this is about"),
        SUMMARY_MAX,
        rows=5,
        help_text=gettext_lazy("In plain language: what the municipality proposes, and why."),
        required_message=gettext_lazy("Write what the consultation is about."),
    )
    influence = text_field(
        gettext_lazy("What you can influence"),
        SUMMARY_MAX,
        rows=4,
        required=False,
        help_text=gettext_lazy("What is still open, and what is already decided."),
    )
    next_steps = text_field(
        gettext_lazy("What happens next"),
        SUMMARY_MAX,
        rows=4,
        required=False,
        help_text=gettext_lazy("Who decides, and when; how the input will be used."),
    )
    case_number = text_field(
        gettext_lazy("Case number"), 40, required=False, help_text=gettext_lazy("For example 2026/1234.")
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Responsible unit"),
        queryset=None,
        empty_label=gettext_lazy("Choose the unit"),
        error_messages={
            "required": gettext_lazy("Choose the responsible unit."),
            "invalid_choice": gettext_lazy("Choose one of your own units."),
        },
    )
    contact_name = text_field(gettext_lazy("Contact person"), 200, required=False)
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact e-mail"),
        required=False,
        max_length=254,
        error_messages={"invalid": gettext_lazy("Write an e-mail address such as name@example.no.")},
    )
    contact_phone = text_field(gettext_lazy("Contact phone"), 30, required=False)
    areas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Areas it concerns"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None for the whole municipality."),
        error_messages={"invalid_choice": gettext_lazy("Choose areas from the list.")},
    )
    topic = TopicChoiceField(
        label=gettext_lazy("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a topic from the list.")},
    )
    opens_on = date_field(gettext_lazy("Opening date"), gettext_lazy("Write the date it opens for input."))
    opens_time = time_field(gettext_lazy("Opening time"), gettext_lazy("Write the time it opens, for example 00:00."))
    deadline_on = date_field(gettext_lazy("Deadline date"), gettext_lazy("Write the date of the deadline."))
    deadline_time = time_field(
        gettext_lazy("Deadline time"),
        gettext_lazy("Write the time of the deadline, for example 23:59."),
        help_text=gettext_lazy("Input is accepted until this minute."),
    )
    allow_late_input = forms.BooleanField(
        label=gettext_lazy("Accept input after the deadline"),
        required=False,
        help_text=gettext_lazy("Only when there is a reason, for example after an error on the site."),
    )

    def __init__(self, *args, user, municipality=None, consultation=None, **kwargs):
        published = consultation is not None and consultation.is_published
        bound = bool(args) or kwargs.get("data") is not None
        if consultation is not None and not bound:
            kwargs.setdefault("initial", initial_for(consultation))
        super().__init__(*args, published=published, **kwargs)
        units = units_for(user)
        if municipality is not None:
            units = units.filter(municipality=municipality)
        self.fields["unit"].queryset = units.order_by("name")
        if municipality is not None:
            self.fields["areas"].queryset = Area.objects.filter(municipality=municipality).order_by("name")
        if not self.fields["areas"].queryset.exists():
            del self.fields["areas"]
        if not Topic.objects.exists():
            del self.fields["topic"]
        if published:
            # After publication late input is switched on and off with its own button (a version is for the text).
            del self.fields["allow_late_input"]
        if not self.is_bound:
            self.initial.setdefault("opens_time", DEFAULT_OPENS_TIME)
            self.initial.setdefault("deadline_time", DEFAULT_DEADLINE_TIME)
            self.initial.setdefault("opens_on", timezone.localdate())
            if consultation is None and self.fields["unit"].queryset.count() == 1:
                self.initial.setdefault("unit", self.fields["unit"].queryset.first())

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def _moment(self, day_name, time_name):
        day, time = self.cleaned_data.get(day_name), self.cleaned_data.get(time_name)
        if day is None or time is None:
            return None
        try:
            return moment_of(day, time)
        except ValueError:
            self.add_error(
                time_name, _("That time does not exist on that day: the clocks are put forward. Choose another.")
            )
            return None

    def clean(self):
        cleaned = super().clean()
        opens_at = self._moment("opens_on", "opens_time")
        deadline = self._moment("deadline_on", "deadline_time")
        if opens_at and deadline and deadline <= opens_at:
            self.add_error("deadline_on", _("The deadline must come after the consultation opens."))
        cleaned["opens_at"], cleaned["deadline"] = opens_at, deadline
        return cleaned

    def data_for_service(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in (
                "title",
                "summary",
                "influence",
                "next_steps",
                "case_number",
                "unit",
                "contact_name",
                "contact_email",
                "contact_phone",
                "opens_at",
                "deadline",
            )
        }
        if "topic" in self.fields:
            data["topic"] = self.cleaned_data.get("topic")
        if "allow_late_input" in self.fields:
            data["allow_late_input"] = self.cleaned_data["allow_late_input"]
        return data

    def areas_for_service(self):
        return list(self.cleaned_data["areas"]) if "areas" in self.fields else None


def initial_for(consultation) -> dict:
    opens, deadline = timezone.localtime(consultation.opens_at), timezone.localtime(consultation.deadline)
    return {
        "title": consultation.title,
        "summary": consultation.summary,
        "influence": consultation.influence,
        "next_steps": consultation.next_steps,
        "case_number": consultation.case_number,
        "unit": consultation.unit_id,
        "contact_name": consultation.contact_name,
        "contact_email": consultation.contact_email,
        "contact_phone": consultation.contact_phone,
        "areas": [area.pk for area in consultation.areas.all()],
        "topic": consultation.topic_id,
        "opens_on": opens.date(),
        "opens_time": opens.time().replace(second=0, microsecond=0),
        "deadline_on": deadline.date(),
        "deadline_time": deadline.time().replace(second=0, microsecond=0),
        "allow_late_input": consultation.allow_late_input,
    }


# --- Sections --------------------------------------------------------------------------------------------------
class SectionForm(FormKeyMixin, StaffForm):
    plain_fields = ("number", "heading", "body")

    number = text_field(
        gettext_lazy("Number"), 20, required=False, help_text=gettext_lazy("As the document numbers it, e.g. 2.1.")
    )
    heading = text_field(gettext_lazy("Heading"), 200, required_message=gettext_lazy("Write the section's heading."))
    body = text_field(
        gettext_lazy("Text"),
        BODY_MAX,
        rows=14,
        help_text=gettext_lazy("Plain text. A blank line starts a new paragraph."),
        required_message=gettext_lazy("Write the section's text."),
    )
    order = forms.IntegerField(
        label=gettext_lazy("Place in the text"),
        required=False,
        min_value=0,
        max_value=32_000,
        help_text=gettext_lazy("Sections are shown by this number, lowest first. Empty: after the others."),
        error_messages={"invalid": gettext_lazy("Write a whole number.")},
    )

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("number", "heading", "body")}
        if self.cleaned_data.get("order") is not None:
            data["order"] = self.cleaned_data["order"]
        return data


class DeleteForm(StaffForm):
    """Deleting a section or removing a document: after publication, with a note for the version."""


# --- Questions -------------------------------------------------------------------------------------------------
class QuestionForm(FormKeyMixin, StaffForm):
    plain_fields = ("text", "help_text", "scale_min_label", "scale_max_label")

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of answer"),
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the kind of answer."),
            "invalid_choice": gettext_lazy("Choose one of the kinds of answer."),
        },
    )
    text = text_field(gettext_lazy("Question"), 300, required_message=gettext_lazy("Write the question."))
    help_text = text_field(
        gettext_lazy("Hint"), 300, required=False, help_text=gettext_lazy("Shown under the question.")
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        max_length=MAX_OPTIONS * (OPTION_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("For “Choose one”: one option a line, at least two."),
        error_messages={"max_length": LENGTH_MESSAGE},
    )
    scale_max = forms.IntegerField(
        label=gettext_lazy("Steps on the scale"),
        required=False,
        min_value=2,
        max_value=10,
        initial=5,
        help_text=gettext_lazy("For “Scale”: from 1 to this number (2 to 10)."),
        error_messages={
            "invalid": gettext_lazy("Write a whole number from 2 to 10."),
            "min_value": gettext_lazy("A scale has from 2 to 10 steps."),
            "max_value": gettext_lazy("A scale has from 2 to 10 steps."),
        },
    )
    scale_min_label = text_field(
        gettext_lazy("Label of the lowest value"), 60, required=False, help_text=gettext_lazy("For example “Very bad”.")
    )
    scale_max_label = text_field(
        gettext_lazy("Label of the highest value"),
        60,
        required=False,
        help_text=gettext_lazy("For example “Very good”."),
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        labels = [line.strip() for line in (cleaned.get("options") or "").splitlines() if line.strip()]
        if kind == Question.Kind.CHOICE and "options" in cleaned:
            if len(labels) < 2:
                self.add_error("options", _("Give at least two options, one a line."))
            elif len(labels) > MAX_OPTIONS:
                self.add_error("options", _("Give at most %(max)s options.") % {"max": MAX_OPTIONS})
            elif any(len(label) > OPTION_MAX for label in labels):
                self.add_error("options", _("An option can be at most %(max)s characters.") % {"max": OPTION_MAX})
            elif len({label.casefold() for label in labels}) != len(labels):
                self.add_error("options", _("Each option only once."))
            elif any(looks_like_html(label) for label in labels):
                self.add_error("options", ValidationError(PLAIN_TEXT_MESSAGE, code="html"))
        if kind == Question.Kind.SCALE and "scale_max" in cleaned and cleaned.get("scale_max") is None:
            self.add_error("scale_max", _("Write how many steps the scale has, from 2 to 10."))
        cleaned["option_labels"] = labels if kind == Question.Kind.CHOICE else []
        return cleaned

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("kind", "text", "help_text", "required")}
        if self.cleaned_data["kind"] == Question.Kind.SCALE:
            data.update(
                scale_max=self.cleaned_data["scale_max"],
                scale_min_label=self.cleaned_data["scale_min_label"],
                scale_max_label=self.cleaned_data["scale_max_label"],
            )
        return data


def question_initial(question) -> dict:
    return {
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "options": "\n".join(option.label for option in question.options.all()),
        "scale_max": question.scale_max,
        "scale_min_label": question.scale_min_label,
        "scale_max_label": question.scale_max_label,
    }


# --- Documents -------------------------------------------------------------------------------------------------
class DocumentForm(FormKeyMixin, StaffForm):
    plain_fields = ("title",)

    title = text_field(
        gettext_lazy("Document title"),
        200,
        help_text=gettext_lazy("What readers see as the link, e.g. “Plan map”."),
        required_message=gettext_lazy("Write the document's title."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        error_messages={
            "required": gettext_lazy("Choose the file."),
            "empty": gettext_lazy("The file is empty. Choose the file again."),
            "invalid": gettext_lazy("No file came with the form. Choose the file again."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.TINGET_CONSULTATION_DOCUMENT_MAX_BYTES
        self.fields["file"].help_text = _("%(allowed)s, at most %(max)s MB.") % {
            "allowed": attachments.ALLOWED_TEXT,
            "max": limit // (1024 * 1024),
        }
        self.fields["file"].widget.attrs["accept"] = ".pdf,.docx,.odt,.jpg,.jpeg,.png"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = attachments.check_file(upload, max_bytes=settings.TINGET_CONSULTATION_DOCUMENT_MAX_BYTES)
        except attachments.AttachmentRejected as error:
            raise ValidationError(str(error), code="rejected") from None
        return upload


# --- Publishing and late input ---------------------------------------------------------------------------------
class LateInputForm(forms.Form):
    allow = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )
