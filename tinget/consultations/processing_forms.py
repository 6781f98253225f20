"""The forms on the case workers' processing pages (views/processing.py): the filters of the input list, and
the forms that consider, tag, hide and show input, write the summary of input, start processing and conclude.

Forms reject malformed input (too long, markup, a value that is not one of the choices); the services enforce
the rules (the consultation's state, who may do it) and raise DomainError, which the view puts on the form.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinget.core.text import PLAIN_TEXT_MESSAGE, looks_like_html

from .models import Question, Submission

RESPONSE_MAX = 10_000
REASON_MAX = 2_000
REPORT_MAX = 100_000
OUTCOME_MAX = 20_000
TAG_MAX = 60
TAGS_MAX = 20
NEW_TAGS_MAX = 600
SEARCH_MAX = 100


def _plain(value: str) -> str:
    if looks_like_html(value):
        raise forms.ValidationError(PLAIN_TEXT_MESSAGE, code="markup")
    return value


# --- The list's filters ---------------------------------------------------------------------------------------
YES, NO = "yes", "no"
GENERAL = "general"
UNTAGGED = "none"


class SubmissionFilterForm(forms.Form):
    """A GET form. Each filter that is valid applies; one that is not is named in the error summary and left out.

    `filters()` turns the valid values into the dict selectors.staff_submissions takes."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Words in the input, a text answer or the response, or an input number."),
        max_length=SEARCH_MAX,
        required=False,
    )
    section = forms.ChoiceField(label=gettext_lazy("Section"), required=False)
    answer = forms.ChoiceField(
        label=gettext_lazy("Answer to a question"),
        help_text=gettext_lazy("Input that gave this answer."),
        required=False,
    )
    sender_kind = forms.ChoiceField(
        label=gettext_lazy("Sent by"),
        choices=[("", gettext_lazy("Everyone")), *Submission.SenderKind.choices],
        required=False,
    )
    sender = forms.CharField(
        label=gettext_lazy("Name of the person or organisation"),
        help_text=gettext_lazy("The whole name or part of it."),
        max_length=SEARCH_MAX,
        required=False,
    )
    tag = forms.ChoiceField(label=gettext_lazy("Tag"), required=False)
    considered = forms.ChoiceField(
        label=gettext_lazy("Considered"),
        choices=[("", gettext_lazy("All")), (YES, gettext_lazy("Considered")), (NO, gettext_lazy("Not considered"))],
        required=False,
    )
    hidden = forms.ChoiceField(
        label=gettext_lazy("Hidden"),
        choices=[("", gettext_lazy("All")), (NO, gettext_lazy("Shown on the site")), (YES, gettext_lazy("Hidden"))],
        required=False,
    )
    late = forms.ChoiceField(
        label=gettext_lazy("Sent"),
        choices=[
            ("", gettext_lazy("All")),
            (NO, gettext_lazy("Before the deadline")),
            (YES, gettext_lazy("After the deadline (late input)")),
        ],
        required=False,
    )

    def __init__(self, *args, sections=(), questions=(), tags=(), **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [
            ("", _("All")),
            (GENERAL, _("General input (not on a section)")),
            *[(str(section.pk), str(section)) for section in sections],
        ]
        answers = [("", _("Any"))]
        for question in questions:
            if question.kind == Question.Kind.CHOICE:
                group = [(f"q{question.pk}", _("Answered this question"))]
                group += [(f"o{option.pk}", option.label) for option in question.options.all()]
            elif question.kind == Question.Kind.SCALE:
                group = [(f"q{question.pk}", _("Answered this question"))]
                group += [(f"s{question.pk}-{value}", str(value)) for value in range(1, question.scale_max + 1)]
            else:
                group = [(f"q{question.pk}", _("Answered this question"))]
            answers.append((question.text, group))
        self.fields["answer"].choices = answers
        self.fields["tag"].choices = [
            ("", _("All")),
            (UNTAGGED, _("No tags")),
            *[(str(tag.pk), tag.name) for tag in tags],
        ]

    def filters(self) -> dict:
        """The valid filters, as selectors.staff_submissions takes them (an unbound form: none)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        found = {}
        if data.get("q", "").strip():
            found["q"] = data["q"].strip()
        if section := data.get("section"):
            found["section"] = GENERAL if section == GENERAL else int(section)
        if answer := data.get("answer"):
            kind, value = answer[0], answer[1:]
            if kind == "o":
                found["option"] = int(value)
            elif kind == "q":
                found["question"] = int(value)
            elif kind == "s":
                question, scale = value.split("-")
                found["scale"] = (int(question), int(scale))
        if data.get("sender_kind"):
            found["sender_kind"] = data["sender_kind"]
        if data.get("sender", "").strip():
            found["sender"] = data["sender"].strip()
        if tag := data.get("tag"):
            found["tag"] = UNTAGGED if tag == UNTAGGED else int(tag)
        for name in ("considered", "hidden", "late"):
            if data.get(name) in (YES, NO):
                found[name] = data[name] == YES
        return found


# --- One input ------------------------------------------------------------------------------------------------
class ConsiderForm(forms.Form):
    considered = forms.ChoiceField(
        label=gettext_lazy("Considered"),
        choices=[(YES, gettext_lazy("Considered")), (NO, gettext_lazy("Not considered yet"))],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether the input is considered.")},
    )
    response = forms.CharField(
        label=gettext_lazy("The municipality's response"),
        help_text=gettext_lazy(
            "Optional. The sender sees it with their input and gets it in the e-mail when the consultation is "
            "concluded. It is public where the input is."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=RESPONSE_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "consider_%s")
        super().__init__(*args, **kwargs)

    def clean_response(self):
        return _plain(self.cleaned_data["response"].strip())


class TagsForm(forms.Form):
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Tags"), widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )
    new_tags = forms.CharField(
        label=gettext_lazy("New tags"),
        help_text=gettext_lazy('Comma-separated, for example "traffic, noise". Each at most 60 characters.'),
        max_length=NEW_TAGS_MAX,
        required=False,
    )

    def __init__(self, *args, tags=(), **kwargs):
        kwargs.setdefault("auto_id", "tags_%s")
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [(tag.name, tag.name) for tag in tags]

    def clean_new_tags(self):
        names = []
        for part in self.cleaned_data["new_tags"].split(","):
            name = " ".join(part.split())
            if not name:
                continue
            if len(name) > TAG_MAX:
                raise forms.ValidationError(
                    _("A tag can be at most %(max)s characters: “%(tag)s…” is longer.")
                    % {"max": TAG_MAX, "tag": name[:20]},
                    code="max_length",
                )
            names.append(_plain(name))
        return names

    def clean(self):
        cleaned = super().clean()
        names = [*cleaned.get("tags", []), *cleaned.get("new_tags", [])]
        unique = list(dict.fromkeys(names))
        if len(unique) > TAGS_MAX:
            self.add_error("new_tags", _("An input can have at most %(max)s tags.") % {"max": TAGS_MAX})
        cleaned["names"] = unique
        return cleaned


class HideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for hiding"),
        help_text=gettext_lazy(
            "The author gets it by e-mail and the public sees it instead of the input. For example: the input "
            "holds personal data about others, or harasses someone."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX,
        error_messages={"required": gettext_lazy("Give the reason: the author and the public see it.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "hide_%s")
        super().__init__(*args, **kwargs)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"], code="required")
        return _plain(reason)


# --- The processing page --------------------------------------------------------------------------------------
class InputReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Summary of input"),
        help_text=gettext_lazy(
            "What the input says, grouped by theme, and how the municipality weighs it. Public on the "
            "consultation's page."
        ),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=REPORT_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report_%s")
        super().__init__(*args, **kwargs)

    def clean_text(self):
        return _plain(self.cleaned_data["text"].strip())


class StartProcessingForm(forms.Form):
    """Only a button: no more input (even late input) once processing starts."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "start_%s")
        super().__init__(*args, **kwargs)


class ConcludeForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        help_text=gettext_lazy(
            "What became of the consultation: the decision or the next step. Everyone who sent input or follows "
            "the consultation is told it."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=OUTCOME_MAX,
        error_messages={"required": gettext_lazy("Write the outcome: everyone who sent input is told it.")},
    )
    political_case_number = forms.CharField(
        label=gettext_lazy("Political case number"),
        help_text=gettext_lazy("For example 26/123, if the case goes to a political body."),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    political_case_url = forms.URLField(
        label=gettext_lazy("Link to the political case"),
        help_text=gettext_lazy("The case or the meeting's papers, if there is a link."),
        max_length=200,
        required=False,
        assume_scheme="https",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "conclude_%s")
        super().__init__(*args, **kwargs)

    def clean_outcome(self):
        outcome = self.cleaned_data["outcome"].strip()
        if not outcome:
            raise forms.ValidationError(self.fields["outcome"].error_messages["required"], code="required")
        return _plain(outcome)

    def clean_political_case_number(self):
        return _plain(self.cleaned_data["political_case_number"].strip())
