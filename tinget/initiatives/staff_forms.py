"""The forms on staff's pages for citizen initiatives (views/handling.py), and the parser for typed-in paper
signatures.

Forms reject malformed input (a missing reason, an impossible date, a line that cannot be read); the services
enforce the rules (the state, who may do it) and raise DomainError, which the view puts on the form.
"""

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Step

REASON_MAX = 2000
NOTE_MAX = 300
NAME_MAX = 300
ADDRESS_MAX = 300
# A batch is a bundle of forms typed in at one sitting; a bigger pile goes in as several batches. The limit
# keeps one request (parse, preview, duplicate check, insert) well within a second.
MAX_LINES = 2000
MAX_FILE_BYTES = 1024 * 1024
MAX_TEXT_CHARS = MAX_LINES * 400
# Errors named one by one; past this many the list says how many more lines have errors.
MAX_LINE_ERRORS = 50
OLDEST_YEARS = 130


# --- Review -----------------------------------------------------------------------------------------------
class Decision:
    APPROVE = "approve"
    CHANGES = "changes"
    REFUSE = "refuse"
    CHOICES = [
        (APPROVE, gettext_lazy("Approve and publish")),
        (CHANGES, gettext_lazy("Ask for changes")),
        (REFUSE, gettext_lazy("Refuse")),
    ]


# The grounds staff may refuse on (see DOMAIN.md and the issue). Whether the matter lies within the
# municipality's activity is deliberately not among them: the council decides that.
REFUSAL_GROUNDS = [
    ("unreadable", gettext_lazy("The text cannot be understood")),
    ("unlawful", gettext_lazy("It asks for something unlawful")),
    ("offensive", gettext_lazy("It is offensive")),
    ("personal_data", gettext_lazy("It contains personal data about other people")),
    (
        "same_as_earlier",
        gettext_lazy(
            "It has the same content as an earlier initiative, or a matter already decided, in this election period"
        ),
    ),
]
NOT_A_GROUND = gettext_lazy(
    "That the matter may lie outside the municipality's activity is not a ground to refuse on: the council "
    "decides that when it considers the initiative."
)


class ReviewForm(forms.Form):
    """One form class for the three answers; the page shows each as its own form (approve is only a button)."""

    decision = forms.ChoiceField(choices=Decision.CHOICES, widget=forms.HiddenInput)
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground for refusing"),
        help_text=NOT_A_GROUND,
        choices=REFUSAL_GROUNDS,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy(
            "The promoter sees this. Say what is wrong and, if you ask for changes, what to change."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=REASON_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required where the answer needs them, so the form also says so before it is sent.
        decision = self.data.get("decision") if self.is_bound else self.initial.get("decision")
        if decision in (Decision.CHANGES, Decision.REFUSE):
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("Write the reason: the promoter will see it.")
        if decision == Decision.REFUSE:
            self.fields["ground"].required = True
            self.fields["ground"].error_messages["required"] = _("Choose the ground for refusing.")

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        # (A field that failed on its own is not in cleaned_data: it already has its message.)
        if decision in (Decision.CHANGES, Decision.REFUSE) and "reason" in cleaned and not cleaned["reason"].strip():
            self.add_error("reason", _("Write the reason: the promoter will see it."))
        if decision == Decision.REFUSE and "ground" in cleaned and not cleaned["ground"]:
            self.add_error("ground", _("Choose the ground for refusing."))
        if decision != Decision.REFUSE:
            cleaned["ground"] = ""
        return cleaned

    def ground_label(self) -> str:
        return str(dict(REFUSAL_GROUNDS).get(self.cleaned_data.get("ground"), ""))


# --- Paper signatures -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaperLine:
    number: int  # the line in what was typed or uploaded, counted from 1
    name: str
    birth_date: date
    address: str

    def as_row(self):
        return (self.name, self.birth_date, self.address)


DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")


def parse_birth_date(text: str, today: date) -> date:
    """dd.mm.yyyy (also d.m.yyyy, with / or -). Raises ValueError with a message for the person typing."""
    value = text.strip()
    if not value:
        raise ValueError(_("the date of birth is missing"))
    match = DATE_RE.match(value)
    if not match:
        raise ValueError(_("write the date of birth as dd.mm.yyyy, not “%(value)s”") % {"value": value[:20]})
    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) == 2:
        raise ValueError(_("write the year with four digits (“%(value)s”)") % {"value": value})
    try:
        born = date(year, month, day)
    except ValueError:
        raise ValueError(_("the date %(value)s does not exist") % {"value": value}) from None
    if born > today:
        raise ValueError(_("the date of birth %(value)s is in the future") % {"value": value})
    if born.year < today.year - OLDEST_YEARS:
        raise ValueError(_("the date of birth %(value)s is not possible") % {"value": value})
    return born


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as a textarea or a CSV file has them (not str.splitlines, which also breaks at the rarer
    separators Unicode knows, such as U+2028, that a name pasted from elsewhere may carry)."""
    return LINE_BREAK.split(text)


def _delimiter(lines: list[str]) -> str:
    """ ";" as the form asks; a file from a spreadsheet may use "," (then fields with commas are quoted)."""
    for line in lines:
        if line.strip():
            return ";" if ";" in line or "," not in line else ","
    return ";"


def _is_heading(fields: list[str]) -> bool:
    """A first line such as "Navn;Fødselsdato;Adresse": no digits where the date should be."""
    return len(fields) >= 2 and fields[0].strip() != "" and not any(ch.isdigit() for ch in fields[1])


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('""', '"').strip()
    return value


def parse_signature_lines(text: str, *, today: date | None = None) -> tuple[list[PaperLine], list[tuple[int, str]]]:
    """One signature a line: "name; date of birth (dd.mm.yyyy); address". Blank lines are skipped, and a
    first line that is a heading. Returns the lines read and, for the others, (line number, message).

    Never raises: whatever is typed comes back as lines or as errors."""
    today = today or timezone.localdate()
    lines, errors = [], []
    raw_lines = split_lines(text)
    delimiter = _delimiter(raw_lines)
    first_content = True
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        if "\x00" in raw:
            errors.append((number, _("the line contains characters that are not text")))
            first_content = False
            continue
        try:
            fields = next(csv.reader([raw], delimiter=delimiter))
        except (csv.Error, StopIteration):
            fields = raw.split(delimiter)
        if first_content:
            first_content = False
            if _is_heading(fields):
                continue
        if len(fields) < 3:
            errors.append((number, _("write the name, the date of birth and the address, separated by semicolons (;)")))
            continue
        # An address may itself contain the separator: everything after the date is the address.
        name, born_text, address = _unquote(fields[0]), _unquote(fields[1]), _unquote(delimiter.join(fields[2:]))
        problems = []
        if not name:
            problems.append(_("the name is missing"))
        elif len(name) > NAME_MAX:
            problems.append(_("the name is longer than %(n)s characters") % {"n": NAME_MAX})
        try:
            born = parse_birth_date(born_text, today)
        except ValueError as error:
            problems.append(str(error))
            born = None
        if not address:
            problems.append(_("the address is missing"))
        elif len(address) > ADDRESS_MAX:
            problems.append(_("the address is longer than %(n)s characters") % {"n": ADDRESS_MAX})
        if problems:
            errors.append((number, "; ".join(problems)))
        else:
            lines.append(PaperLine(number=number, name=name, birth_date=born, address=address))
    return lines, errors


def decode_upload(upload) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without the byte-order mark Excel writes), at most
    MAX_FILE_BYTES. Raises ValidationError with a message saying what to do."""
    if upload.size > MAX_FILE_BYTES:
        raise forms.ValidationError(
            _("The file is too big: at most %(n)s MB. Split it into several batches.") % {"n": MAX_FILE_BYTES // 2**20},
            code="too_big",
        )
    data = upload.read(MAX_FILE_BYTES + 1)
    if b"\x00" in data:
        raise forms.ValidationError(
            _("The file is not a text file. Upload a CSV file saved as “CSV UTF-8”."), code="not_text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _(
                "The file is not in UTF-8, so letters such as æ, ø and å would come out wrong. In Excel, save it "
                "as “CSV UTF-8 (comma delimited)” and upload it again."
            ),
            code="encoding",
        ) from None


def _normalise(lines: list[PaperLine]) -> str:
    """The lines as the confirm step carries them: one per line, the date as dd.mm.yyyy."""
    return "\n".join(f"{line.name}; {line.birth_date:%d.%m.%Y}; {line.address}" for line in lines)


PREVIEW_SALT = "tinget.initiatives.paper-preview"


def preview_token(initiative_pk: int, latest_batch: int, text: str, received_on: date) -> str:
    """Binds a confirmation to what was previewed, and to the batches there were then: a confirmation sent
    twice, or after someone else registered a batch, no longer matches (the duplicates may have changed)."""
    digest = hashlib.sha256(f"{received_on.isoformat()}\n{text}".encode()).hexdigest()
    return signing.dumps({"i": initiative_pk, "b": latest_batch, "h": digest}, salt=PREVIEW_SALT)


def preview_token_matches(token: str, initiative_pk: int, latest_batch: int, text: str, received_on: date) -> bool:
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=60 * 60 * 12)
    except signing.BadSignature:
        return False
    digest = hashlib.sha256(f"{received_on.isoformat()}\n{text}".encode()).hexdigest()
    return data == {"i": initiative_pk, "b": latest_batch, "h": digest}


class PaperBatchForm(forms.Form):
    """Typed lines or a CSV file, checked line by line. `cleaned_data["lines"]` is then a list of PaperLine;
    `line_errors` lists (line number, message) for the lines that could not be read."""

    received_on = forms.DateField(
        label=gettext_lazy("Received"),
        help_text=gettext_lazy("The day the municipality received the forms."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("For example who handed the forms in, or where they are kept."),
        max_length=NOTE_MAX,
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("Signatures"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
        max_length=MAX_TEXT_CHARS,
        required=False,
        strip=False,
    )
    file = forms.FileField(
        label=gettext_lazy("Or a CSV file"),
        help_text=gettext_lazy(
            "Saved as “CSV UTF-8”, with the columns name, date of birth and address. A heading line is skipped."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        required=False,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "One signature a line: name; date of birth (dd.mm.yyyy); address. "
            "For example: Kari Nordmann; 17.05.1980; Storgata 1, 1384 Asker. At most %(n)s lines."
        ) % {"n": MAX_LINES}
        self.line_errors: list[tuple[int, str]] = []
        self.more_line_errors = 0

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return received

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("text") or "", cleaned.get("file")
        if upload and text.strip():
            self.add_error("file", _("Use either the text box or a file, not both."))
            return cleaned
        field = "file" if upload else "text"
        if upload:
            try:
                text = decode_upload(upload)
            except forms.ValidationError as error:
                self.add_error("file", error)
                return cleaned
        if not text.strip():
            if "file" not in self.errors and "text" not in self.errors:
                self.add_error("text", _("Type the signatures, or upload a file."))
            return cleaned
        count = sum(1 for line in split_lines(text) if line.strip())
        if count > MAX_LINES + 1:  # one more for a heading line
            self.add_error(
                field,
                _("There are %(count)s lines; a batch can have at most %(n)s. Split it into several batches.")
                % {"count": count, "n": MAX_LINES},
            )
            return cleaned
        lines, errors = parse_signature_lines(text)
        if len(lines) > MAX_LINES:
            self.add_error(field, _("A batch can have at most %(n)s signatures.") % {"n": MAX_LINES})
            return cleaned
        if errors:
            self.line_errors = errors[:MAX_LINE_ERRORS]
            self.more_line_errors = max(0, len(errors) - MAX_LINE_ERRORS)
            self.add_error(
                field,
                _("%(count)s of the lines could not be read: see the list under the field. Nothing was saved.")
                % {"count": len(errors)},
            )
            return cleaned
        if not lines:
            self.add_error(field, _("Type the signatures, or upload a file."))
            return cleaned
        cleaned["lines"] = lines
        cleaned["normalised"] = _normalise(lines)
        return cleaned


# --- Fraud handling ---------------------------------------------------------------------------------------
class BurstForm(forms.Form):
    DISMISS, INVALIDATE = "dismiss", "invalidate"

    burst = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        choices=[(DISMISS, gettext_lazy("Nothing wrong")), (INVALIDATE, gettext_lazy("Invalidate"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for invalidating"),
        help_text=gettext_lazy("Kept with the invalidation and in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.INVALIDATE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Write the reason for invalidating the signatures."))
        return cleaned


NETWORK_RE = re.compile(r"^[0-9a-f]{16}$")


class InvalidateForm(forms.Form):
    """Bulk invalidation of the signatures from one network in a time range."""

    network = forms.CharField(
        label=gettext_lazy("Network"),
        help_text=gettext_lazy(
            "The network's code as shown in the list of bursts (16 characters, digits and the letters a to f)."
        ),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    since = forms.DateTimeField(
        label=gettext_lazy("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        label=gettext_lazy("To"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Kept with the invalidation and in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
    )

    def clean_network(self):
        network = self.cleaned_data["network"].strip().lower()
        if not NETWORK_RE.match(network):
            raise forms.ValidationError(
                _("Copy the network's code from the list of bursts: 16 characters, digits and the letters a to f."),
                code="invalid",
            )
        return network

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for invalidating the signatures."), code="required")
        return reason

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until <= since:
            self.add_error("until", _("The end must be after the start."))
        if since and since > timezone.now():
            self.add_error("since", _("The start cannot be in the future."))
        return cleaned


# --- Hand-over and treatment ------------------------------------------------------------------------------
class HandOverForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("The signatures are checked; hand the initiative over to the council now"),
        help_text=gettext_lazy("The council's six months start today, and the signers who follow it are told."),
    )


STEP_KINDS = [
    (Step.Kind.CASE_OPENED, Step.Kind.CASE_OPENED.label),
    (Step.Kind.MEETING, Step.Kind.MEETING.label),
    (Step.Kind.DECIDED, Step.Kind.DECIDED.label),
    (Step.Kind.NOTE, Step.Kind.NOTE.label),
]


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What happened"), choices=STEP_KINDS, widget=forms.RadioSelect)
    happened_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    case_number = forms.CharField(
        label=gettext_lazy("Case number"),
        help_text=gettext_lazy("For example 25/01234."),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    meeting = forms.CharField(
        label=gettext_lazy("Meeting"),
        help_text=gettext_lazy("The body and the date, for example: Kommunestyret 12.06.2025, sak 45/25."),
        max_length=200,
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("Text"),
        help_text=gettext_lazy(
            "Required for a decision: the decision as adopted. Shown publicly and sent to followers."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        required=False,
    )
    url = forms.URLField(
        label=gettext_lazy("Link"),
        help_text=gettext_lazy("To the case or the meeting's papers, if there is one."),
        max_length=200,
        required=False,
        assume_scheme="https",
    )

    def __init__(self, *args, treatment=True, **kwargs):
        """`treatment`: the initiative is with the council (handed over or under treatment); before and after
        that, only an update can be recorded."""
        super().__init__(*args, **kwargs)
        if not treatment:
            self.fields["kind"].choices = [(Step.Kind.NOTE, Step.Kind.NOTE.label)]
            self.fields["kind"].initial = Step.Kind.NOTE

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Step.Kind.DECIDED and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Write the decision."))
        if cleaned.get("kind") == Step.Kind.MEETING and not (cleaned.get("meeting") or "").strip():
            self.add_error("meeting", _("Name the meeting."))
        return cleaned
