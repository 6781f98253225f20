"""The mail journal's search form: what the search page's URL says, checked and turned into selectors.SearchParams.

The form is a GET form and its URL is the search's permanent address, so it is lenient where leniency is safe: the
words are cut to search.MAX_QUERY_CHARS rather than refused, a NUL or any other odd character is just a separator
to the search, and an unknown sort or date field falls back to the default. What a person can get wrong and would
want to know about (a date that is not a date, an end before the start, a year out of range, a case number
written another way) is an error shown in the error summary with what they typed kept.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import search, selectors
from .models import EntryType

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"]
FIRST_YEAR = 1900

SORT_CHOICES = [
    ("date", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("relevance", _("Best match")),
]
DATE_FIELD_CHOICES = [
    ("journal", _("Journal date (when the municipality registered it)")),
    ("document", _("Document date (the date on the document)")),
]


class QueryField(forms.CharField):
    """The words box: never an error. A NUL (which the database would refuse) becomes a space; SearchForm.clean_q
    cuts input longer than the search reads."""

    def to_python(self, value):
        value = super().to_python(value)
        return " ".join(value.replace("\x00", " ").split())


class LenientChoiceField(forms.CharField):
    """A select whose unknown value means the default (a tampered or outdated URL still searches)."""

    def __init__(self, *, choices, default, **kwargs):
        self.default = default
        self.allowed = {value for value, _label in choices}
        super().__init__(widget=kwargs.pop("widget", forms.Select(choices=choices)), **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value if value in self.allowed else self.default


def _is_iso_date(value) -> bool:
    if not value:
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def entry_type_choices():
    """Each type with its letter, which is how the journal itself prints it."""
    return [(value, f"{label} ({value})") for value, label in EntryType.choices]


class SearchForm(forms.Form):
    q = QueryField(
        label=_("Words"),
        required=False,
        strip=True,
        help_text=_(
            "Search titles and the names of senders and recipients. All words must match. Put "
            '"quotes" around words that belong together, and a minus in front of a word you do not want (-word).'
        ),
    )
    date_field = LenientChoiceField(
        label=_("Which date"),
        required=False,
        choices=DATE_FIELD_CHOICES,
        default="journal",
        widget=forms.RadioSelect(choices=DATE_FIELD_CHOICES),
    )
    type = forms.MultipleChoiceField(
        label=_("Type of document"),
        required=False,
        choices=entry_type_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no document type %(value)s. Choose one of the types listed.")},
    )
    unit = forms.MultipleChoiceField(
        label=_("Unit"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no unit called %(value)s. Choose one of the units listed.")},
    )
    case = forms.CharField(
        label=_("Case number"),
        required=False,
        help_text=_("Year and number, for example 2026/123."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Write the year with four digits, for example 2026.")},
    )
    sort = LenientChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES, default="date")

    # The fields are named as the URL's parameters (HELPERS.md); "from" is a Python keyword, so the two dates are
    # added in __init__.
    def __init__(self, data=None, *, units=(), **kwargs):
        if data is not None:
            # The radios and the select show the default when the URL leaves them out.
            data = data.copy()
            for name, default in (("date_field", "journal"), ("sort", "date")):
                if not data.get(name):
                    data[name] = default
        super().__init__(data, **kwargs)
        self.was_cut = False
        date_error = _("Write the date as dd.mm.yyyy, for example 31.01.2026.")
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=DATE_FORMATS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": date_error},
            )
        self.order_fields(["q", "date_field", "from", "to", "type", "unit", "case", "year", "sort"])
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["case"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric", "size": "12"})
        self.fields["unit"].choices = [(unit.slug, unit.name) for unit in units]
        self.last_year = timezone.localdate().year + 1
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": self.last_year})

    # --- Cleaning -----------------------------------------------------------------------------------------------

    def clean_q(self):
        text = self.cleaned_data.get("q") or ""
        if len(text) > search.MAX_QUERY_CHARS:
            self.was_cut = True
            text = text[: search.MAX_QUERY_CHARS].rstrip()
        if text != self.data.get("q", ""):
            # The box shows what was searched for: cut, and without characters the page cannot show.
            self.data = self.data.copy()
            self.data["q"] = text
        return text

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not (FIRST_YEAR <= value.year <= self.last_year):
            raise forms.ValidationError(
                _("Choose a date between the years %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": self.last_year},
            )
        return value

    def clean_from(self):
        return self._clean_date("from")

    def clean_to(self):
        return self._clean_date("to")

    def clean_case(self):
        text = " ".join((self.cleaned_data.get("case") or "").split())
        if not text:
            return ""
        # "2026-123" is how the case's own address writes it; accept it too.
        number = selectors.parse_case_number(text.replace("-", "/", 1) if "/" not in text else text)
        if number is None or not (FIRST_YEAR <= number[0] <= self.last_year):
            raise forms.ValidationError(_("Write the case number as year/number, for example 2026/123."))
        return f"{number[0]}/{number[1]}"

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not (FIRST_YEAR <= year <= self.last_year):
            raise forms.ValidationError(
                _("Choose a year between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": self.last_year},
            )
        return year

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name in ("from", "to"):
            value = self.cleaned_data.get(name)
            if value is not None and self.data.get(name) != value.isoformat():
                # 31.01.2026 typed where there is no date picker: written the picker's way, it can show it.
                self.data = self.data.copy()
                self.data[name] = value.isoformat()
            elif not _is_iso_date(self.data.get(name)):
                # A picker shows nothing for a value that is not a date: show what was typed, as text.
                self.fields[name].widget = forms.TextInput(attrs={"autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date must be the same as or after the start date."))
        return cleaned

    # --- Results ------------------------------------------------------------------------------------------------

    def params(self) -> selectors.SearchParams:
        """The search as the selectors take it (call after is_valid())."""
        data = self.cleaned_data
        return selectors.SearchParams(
            text=data.get("q") or "",
            date_field=data.get("date_field") or "journal",
            date_from=data.get("from"),
            date_to=data.get("to"),
            # A value given twice (a hand-made URL) is one filter.
            types=tuple(dict.fromkeys(data.get("type") or ())),
            units=tuple(dict.fromkeys(data.get("unit") or ())),
            case=data.get("case") or "",
            year=data.get("year"),
            sort=data.get("sort") or "date",
        )


def query_items(params: selectors.SearchParams) -> list[tuple[str, str]]:
    """The search as URL parameters, only what differs from the defaults, in a fixed order: the permanent address
    of a search reads the same however it was reached."""
    items = []
    if params.text:
        items.append(("q", params.text))
    if params.date_field != "journal":
        items.append(("date_field", params.date_field))
    for name, value in (("from", params.date_from), ("to", params.date_to)):
        if value:
            items.append((name, value.isoformat() if isinstance(value, dt.date) else str(value)))
    items += [("type", value) for value in params.types]
    items += [("unit", value) for value in params.units]
    if params.case:
        items.append(("case", params.case))
    if params.year:
        items.append(("year", str(params.year)))
    if params.sort != "date":
        items.append(("sort", params.sort))
    return items


def is_empty(params: selectors.SearchParams) -> bool:
    """No words and no filter: the newest entries of the whole journal."""
    return not any(
        (params.text, params.date_from, params.date_to, params.types, params.units, params.case, params.year)
    )
