"""The resident's form: input to a consultation, or a comment on one section of its text.

The form rejects malformed input (a missing name, text over the limit, HTML or script where plain text belongs,
an answer that is not one of the choices, a file that is not an allowed type or is too large) and says which
field and why. Saving a draft asks for less than sending it: the checks that only matter when the input goes out
(a name, the choice about showing it, the required questions, something to send) wait for "Send". The rules
(deadline, who owns a draft, one submission per form key) are the services', and their messages are shown on the
same form.

Attachments are never read whole here: Django's upload handlers keep a large file in a temporary file, and
attachments.check_file reads only its first and last bytes.
"""

import uuid

from django import forms
from django.conf import settings
from django.core import validators
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tinget.core.images import megabytes
from tinget.core.text import PLAIN_TEXT_MESSAGE, looks_like_html

from .attachments import ALLOWED_TEXT, AttachmentRejected, check_file
from .models import Question, Submission

ANSWER_MAX = 4000
SHOW = "yes"
HIDE = "no"
# What the file input offers in the browser's file picker; the content is checked on the server whatever it says.
ACCEPT = ",".join(
    [
        ".pdf",
        "application/pdf",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".odt",
        "application/vnd.oasis.opendocument.text",
        ".jpg",
        ".jpeg",
        "image/jpeg",
        ".png",
        "image/png",
    ]
)
TOO_LONG = _("Write at most %(limit_value)d characters (you wrote %(show_value)d).")


def thousands(number: int) -> str:
    """20000 → "20 000" (a no-break space, as Norwegian writes it and English readers read it)."""
    return f"{number:,}".replace(",", "\u00a0")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one <input type=file multiple>; each is checked by the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        # An empty file is check_file's to refuse: its message names the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def new_key() -> uuid.UUID:
    return uuid.uuid4()


def default_name(user) -> str:
    """What the name field starts with: the account's display name, or the name ID-porten gave."""
    name = (getattr(user, "display_name", "") or "").strip()
    if name:
        return name
    identity = getattr(user, "identity", None) if getattr(user, "pk", None) else None
    if identity is not None:
        return f"{identity.given_name} {identity.family_name}".strip()
    return ""


class InputForm(forms.Form):
    """Input to a consultation (section=None) or a comment on one section.

    consultation: the consultation; questions: its questions (with options prefetched), ignored for a comment;
    draft: the draft being finished (its attachments can be removed); sending: whether "Send" was pressed.
    After is_valid(): `checked_files` holds attachments.check_file's answers, and data_for_service(),
    answers_for_service() and removed_attachments() what services.submission_save takes.
    """

    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    sender_kind = forms.ChoiceField(
        label=_("Who is sending the input?"),
        choices=[
            (Submission.SenderKind.PERSON, _("Myself, as a private person")),
            (Submission.SenderKind.ORGANISATION, _("On behalf of an organisation, association or business")),
        ],
        widget=forms.RadioSelect,
        initial=Submission.SenderKind.PERSON,
        error_messages={
            "required": _("Choose whether you send the input yourself or on behalf of an organisation."),
            "invalid_choice": _("Choose whether you send the input yourself or on behalf of an organisation."),
        },
    )
    organisation_name = forms.CharField(
        label=_("Name of the organisation"),
        required=False,
        max_length=Submission._meta.get_field("organisation_name").max_length,
        help_text=_("Only when you send on behalf of an organisation, association or business."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_role = forms.CharField(
        label=_("Your role in the organisation"),
        required=False,
        max_length=Submission._meta.get_field("organisation_role").max_length,
        help_text=_("For example chair, board member or general manager."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    author_name = forms.CharField(
        label=_("Your name"),
        max_length=Submission._meta.get_field("author_name").max_length,
        help_text=_("The municipality always sees your name. You choose below whether it is shown on the site."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Write your name. You choose below whether it is shown on the site.")},
    )
    text = forms.CharField(label=_("Your input"), widget=forms.Textarea(attrs={"rows": 12}))
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    remove_attachments = forms.MultipleChoiceField(
        label=_("Remove attachments you added before"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("That attachment is not part of this draft.")},
    )
    show_name = forms.ChoiceField(
        label=_("Do you want your name shown on the site?"),
        choices=[(SHOW, _("Yes, show my name")), (HIDE, _("No, do not show my name"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether your name is shown on the site."),
            "invalid_choice": _("Choose whether your name is shown on the site."),
        },
    )

    def __init__(self, *args, consultation, section=None, questions=(), draft=None, sending=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.section = section
        self.draft = draft
        self.sending = sending
        self.checked_files = []
        self.questions = [] if section is not None else list(questions)
        # Shown as required (the label and the required attribute), but checked in clean(): the text of input
        # may stay empty when questions are answered or files attached; nothing is required for a draft.
        self._checked_in_clean = set()

        limit = settings.TINGET_CONSULTATION_COMMENT_MAX if section else settings.TINGET_CONSULTATION_TEXT_MAX
        text = self.fields["text"]
        text.max_length = limit
        text.validators.append(validators.MaxLengthValidator(limit))
        text.error_messages["max_length"] = TOO_LONG
        if section is not None:
            text.label = _("Your comment on this section")
            text.help_text = _("Plain text, at most %(limit)s characters.") % {"limit": thousands(limit)}
            text.error_messages["required"] = _("Write your comment on this section.")
            text.widget.attrs["rows"] = 8
            del self.fields["attachments"]
            del self.fields["remove_attachments"]
        else:
            text.help_text = _(
                "Plain text, at most %(limit)s characters. You can also, or instead, answer the questions below "
                "or add attachments."
            ) % {"limit": thousands(limit)}
            text.error_messages["required"] = _(
                "Write your input, answer a question or add an attachment before sending."
            )
            self._checked_in_clean.add("text")
            self._setup_attachments()

        for name in ("organisation_name", "organisation_role"):
            self.fields[name].error_messages["max_length"] = TOO_LONG
        self.fields["author_name"].error_messages["max_length"] = TOO_LONG
        self.fields["show_name"].help_text = _(
            "On behalf of an organisation, the organisation's name is always shown; this choice is about your own name."
        )

        for question in self.questions:
            self.fields[self.question_field(question)] = self._question_field(question)

    # --- Fields made from the consultation ------------------------------------------------------------------

    @staticmethod
    def question_field(question) -> str:
        return f"question_{question.pk}"

    def _question_field(self, question):
        required_message = _("Answer the question: %(question)s") % {"question": question.text}
        if question.kind == Question.Kind.CHOICE:
            field = forms.ChoiceField(
                choices=[(str(option.pk), option.label) for option in question.options.all()],
                widget=forms.RadioSelect,
            )
            field.error_messages["invalid_choice"] = _("Choose one of the answers given for: %(question)s") % {
                "question": question.text
            }
        elif question.kind == Question.Kind.SCALE:
            choices = []
            for value in range(1, question.scale_max + 1):
                label = str(value)
                if value == 1 and question.scale_min_label:
                    label = f"1 ({question.scale_min_label})"
                elif value == question.scale_max and question.scale_max_label:
                    label = f"{value} ({question.scale_max_label})"
                choices.append((str(value), label))
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            field.error_messages["invalid_choice"] = _("Choose a value from 1 to %(max)s for: %(question)s") % {
                "max": question.scale_max,
                "question": question.text,
            }
        else:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=ANSWER_MAX)
            field.validators.append(validators.MaxLengthValidator(ANSWER_MAX))
            field.error_messages["max_length"] = TOO_LONG
        field.label = question.text
        field.required = question.required
        field.help_text = question.help_text
        if question.kind == Question.Kind.SCALE and not question.help_text and question.scale_min_label:
            field.help_text = _("From 1 (%(low)s) to %(max)s (%(high)s).") % {
                "low": question.scale_min_label,
                "max": question.scale_max,
                "high": question.scale_max_label or question.scale_max,
            }
        field.error_messages["required"] = required_message
        field.question = question
        return field

    def _setup_attachments(self):
        max_count = settings.TINGET_CONSULTATION_MAX_ATTACHMENTS
        field = self.fields["attachments"]
        field.help_text = _(
            "Up to %(count)s files: %(types)s, at most %(size)s MB each. Images are saved without their hidden "
            "information (such as where they were taken)."
        ) % {
            "count": max_count,
            "types": ALLOWED_TEXT,
            "size": megabytes(settings.TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES),
        }
        field.error_messages["invalid"] = _("No file was sent. Choose the file again.")
        existing = list(self.draft.attachments.all()) if self.draft is not None else []
        self.existing_attachments = existing
        if existing:
            self.fields["remove_attachments"].choices = [
                (str(a.pk), f"{a.filename} ({filesizeformat(a.size)})") for a in existing
            ]
        else:
            del self.fields["remove_attachments"]

    @property
    def question_fields(self):
        return [self[self.question_field(q)] for q in self.questions]

    # --- Validation -----------------------------------------------------------------------------------------

    def full_clean(self):
        """Fields marked required are checked as such only when sending (or, for some, in clean())."""
        lenient = set(self.fields) if not self.sending else self._checked_in_clean
        saved = {name: self.fields[name].required for name in lenient if name in self.fields}
        for name in saved:
            self.fields[name].required = False
        try:
            super().full_clean()
        finally:
            for name, required in saved.items():
                self.fields[name].required = required

    def _plain(self, name):
        value = self.cleaned_data.get(name) or ""
        if looks_like_html(value):
            raise forms.ValidationError(PLAIN_TEXT_MESSAGE, code="html")
        return value

    def _one_line(self, name):
        return " ".join(self._plain(name).split())

    def clean_key(self):
        return self.cleaned_data.get("key") or new_key()

    def clean_author_name(self):
        return self._one_line("author_name")

    def clean_organisation_name(self):
        return self._one_line("organisation_name")

    def clean_organisation_role(self):
        return self._one_line("organisation_role")

    def clean_text(self):
        return self._plain("text").strip()

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        errors = []
        checked = []
        for upload in files:
            try:
                checked.append(check_file(upload))
            except AttachmentRejected as error:
                errors.append(forms.ValidationError(str(error), code=error.code))
        if errors:
            raise forms.ValidationError(errors)
        self.checked_files = checked
        return files

    def clean(self):
        data = super().clean()
        for question in self.questions:
            name = self.question_field(question)
            if question.kind == Question.Kind.TEXT and data.get(name) and looks_like_html(data[name]):
                self.add_error(name, forms.ValidationError(PLAIN_TEXT_MESSAGE, code="html"))

        if data.get("sender_kind") == Submission.SenderKind.ORGANISATION:
            if not data.get("organisation_name") and "organisation_name" not in self.errors:
                self.add_error("organisation_name", _("Write the name of the organisation you send on behalf of."))
            if not data.get("organisation_role") and "organisation_role" not in self.errors:
                self.add_error("organisation_role", _("Write your role in the organisation."))

        if "attachments" in self.fields and "attachments" not in self.errors:
            removed = set(self.removed_attachments())
            kept = [a for a in getattr(self, "existing_attachments", []) if a.pk not in removed]
            total = len(kept) + len(self.checked_files)
            limit = settings.TINGET_CONSULTATION_MAX_ATTACHMENTS
            if total > limit:
                self.add_error(
                    "attachments",
                    _("You can add at most %(max)s attachments; with these you would have %(count)s.")
                    % {"max": limit, "count": total},
                )
        else:
            kept, total = [], 0

        if self.sending and self.section is None and "text" not in self.errors and not data.get("text"):
            answered = any(data.get(self.question_field(q)) for q in self.questions)
            if not answered and not total and "attachments" not in self.errors:
                self.add_error("text", self.fields["text"].error_messages["required"])
        return data

    # --- What the service takes -----------------------------------------------------------------------------

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "author_name": data.get("author_name", ""),
            "sender_kind": data.get("sender_kind") or Submission.SenderKind.PERSON,
            "organisation_name": data.get("organisation_name", ""),
            "organisation_role": data.get("organisation_role", ""),
            # None: no choice yet (a draft may be saved before it is made).
            "show_name": {SHOW: True, HIDE: False}.get(data.get("show_name")),
            "text": data.get("text", ""),
        }

    def answers_for_service(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.question_field(question))
            if question.kind == Question.Kind.CHOICE:
                options = {str(o.pk): o for o in question.options.all()}
                answers[question.pk] = options.get(value) if value else None
            elif question.kind == Question.Kind.SCALE:
                answers[question.pk] = int(value) if value else None
            else:
                answers[question.pk] = value or ""
        return answers

    def removed_attachments(self) -> list[int]:
        return [int(pk) for pk in (self.cleaned_data.get("remove_attachments") or [])]

    @classmethod
    def initial_from(cls, submission) -> dict:
        """The form's starting values when a draft is finished."""
        initial = {
            "key": submission.key,
            "sender_kind": submission.sender_kind,
            "organisation_name": submission.organisation_name,
            "organisation_role": submission.organisation_role,
            "author_name": submission.author_name,
            "text": submission.text,
        }
        if submission.show_name is not None:
            initial["show_name"] = SHOW if submission.show_name else HIDE
        for answer in submission.answers.all():
            name = f"question_{answer.question_id}"
            if answer.option_id:
                initial[name] = str(answer.option_id)
            elif answer.scale_value:
                initial[name] = str(answer.scale_value)
            else:
                initial[name] = answer.text
        return initial
