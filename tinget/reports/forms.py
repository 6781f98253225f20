"""The forms of the reporting flow: where and what (step 1), the details and who (step 2), "this is mine too",
"is it fixed?", and the staff's phone intake (step 2 with the caller's details and the channel).

The forms reject malformed input; the rules (inside the municipality, a category that takes reports, the extra
questions' answers) are the services' and are asked of them here, so that the form shows their message next to
what the person typed."""

import re
import uuid

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tinget.core import geo
from tinget.core.errors import DomainError
from tinget.core.geocode import Place, get_geocoder

from . import services
from .models import Channel, Question, Report
from .photos import PhotoRejected, process_photo

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_submission_key() -> str:
    return uuid.uuid4().hex


# --- Step 1: where and what ------------------------------------------------------------------------------------
def encode_place(place: Place) -> str:
    return f"{place.latitude:.6f}|{place.longitude:.6f}|{place.name}"


def decode_place(value: str) -> Place | None:
    parts = (value or "").split("|", 2)
    if len(parts) != 3 or not geo.valid_point(parts[0], parts[1]):
        return None
    return Place(name=parts[2].strip()[:200], latitude=float(parts[0]), longitude=float(parts[1]))


class PlaceChoiceField(forms.ChoiceField):
    """One of the places the geocoder offered. Its choices are only known on the page that offers them; when the
    person picks one, the value itself carries the point and the name, and the services check the point."""

    def valid_value(self, value):
        return decode_place(value) is not None


class AddressField(forms.CharField):
    """Shown as required (without the map it is the only way to say where), but a map click may stand in for it;
    WhereWhatForm.clean decides."""

    def validate(self, value):
        pass


class WhereWhatForm(forms.Form):
    """Step 1. Where: a map click or "use my position" fills latitude and longitude; anyone without the map
    writes an address or place, which is looked up here (several matches: pick one). What: the category."""

    address = AddressField(
        label=_("Address or place"),
        max_length=200,
        help_text=_(
            "For example “Asker stasjon” or “Torvveien 3, Asker”. If you marked the place on the map, "
            "you can describe it here, for example “by the bus stop”."
        ),
    )
    place = PlaceChoiceField(label=_("Which place do you mean?"), required=False, widget=forms.RadioSelect)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("What is wrong?"))

    def __init__(self, *args, category_groups=(), municipality=None, geocoder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.geocoder = geocoder
        self.category = None
        self.places: list[Place] = []
        self.point: tuple[float, float] | None = None
        language = get_language()
        self.categories = {}
        choices = [("", _("Choose a category"))]
        for group in category_groups:
            options = []
            for category in group.categories.all():
                self.categories[category.slug] = category
                options.append((category.slug, category.localized("name", language)))
            if options:
                choices.append((group.localized("name", language), options))
        self.fields["category"].choices = choices
        self.fields["category"].error_messages["required"] = _("Choose what is wrong.")
        self.fields["category"].error_messages["invalid_choice"] = _(
            "Choose a category from the list; this one does not exist (any more)."
        )

    def clean(self):
        cleaned = super().clean()
        self.category = self.categories.get(cleaned.get("category"))
        if self.category is None or self.category.is_urgent or self.category.not_ours:
            # An urgent or someone else's category stops here whatever the place: the page says whom to call.
            return cleaned
        self._clean_location(cleaned)
        return cleaned

    def _clean_location(self, cleaned):
        address = cleaned.get("address", "")
        latitude, longitude = cleaned.get("latitude", ""), cleaned.get("longitude", "")
        chosen = decode_place(cleaned.get("place", "")) if cleaned.get("place") else None
        if chosen is not None:
            latitude, longitude, address = chosen.latitude, chosen.longitude, chosen.name
        elif latitude or longitude:
            if not geo.valid_point(latitude, longitude):
                self.add_error(
                    "address",
                    _("The position from the map is not a valid point. Click the map again, or write an address."),
                )
                return
        elif address:
            found = self._geocode(address)
            if not found:
                self.add_error(
                    "address",
                    _(
                        "We could not find “%(address)s”. Check the spelling, write a street or place nearby, "
                        "or click the map."
                    )
                    % {"address": address},
                )
                return
            if len(found) > 1:
                self.places = found
                self.fields["place"].choices = [(encode_place(p), p.name) for p in found]
                # Shown as required from now on (checked above, when a place comes back chosen).
                self.fields["place"].required = True
                self.add_error("place", _("Several places match “%(address)s”. Choose one.") % {"address": address})
                return
            latitude, longitude, address = found[0].latitude, found[0].longitude, found[0].name
        else:
            self.add_error("address", str(services.InvalidLocation.default_message))
            return
        try:
            self.point = services.check_location(latitude, longitude)
        except DomainError as error:
            self.add_error("address", str(error))
            return
        cleaned["address"] = address
        cleaned["latitude"], cleaned["longitude"] = self.point

    def _geocode(self, address) -> list[Place]:
        geocoder = self.geocoder or get_geocoder()
        places = geocoder.search(address, self.municipality)
        # Prefer what lies inside the municipality; if nothing does, keep the rest so the person hears so plainly.
        inside = [
            p
            for p in places
            if self.municipality is None or geo.in_municipality(self.municipality, p.latitude, p.longitude)
        ]
        return inside or places

    def where_what(self) -> dict:
        """What step 2 carries along (in its address and in hidden fields)."""
        return {
            "category": self.category.slug,
            "latitude": f"{self.point[0]:.6f}",
            "longitude": f"{self.point[1]:.6f}",
            "address": self.cleaned_data.get("address", ""),
        }


# --- Step 2: the details and who -------------------------------------------------------------------------------
class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (`multiple`): a list of uploaded files, possibly empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class NumberField(forms.FloatField):
    """A number written with a decimal point or a decimal comma ("12.5" or "12,5"), whatever the page's language:
    Norwegians write the comma, and the answer is the same number."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


def question_field(question: Question, language: str) -> forms.Field:
    """A form field for an extra question, after its Open311 datatype."""
    label = question.localized("question", language)
    hint = question.localized("hint", language)
    options = dict(label=label, help_text=hint, required=question.required)
    choices = [(value.get("key"), question.value_name(value.get("key"), language)) for value in question.values]
    datatype = question.datatype
    if datatype == Question.Datatype.NUMBER:
        return NumberField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **options)
    if datatype == Question.Datatype.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
            **options,
        )
    if datatype == Question.Datatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **options)
    if datatype == Question.Datatype.SINGLE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)
    if datatype == Question.Datatype.MULTI:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **options)
    return forms.CharField(max_length=200, **options)


class DetailsForm(forms.Form):
    """Step 2: what is wrong in words and photos, the category's extra questions, and who reports it.

    Logged in: "Reporting as …" with an optional phone. Not logged in: name and e-mail (to confirm the report),
    optional phone. The name is shown publicly only when the person ticks the box (off by default).
    `submission_key` is made when the form is shown; sending the same form twice gives one report."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Report._meta.get_field("title").max_length,
        required=False,
        help_text=_("A few words, for example “Deep pothole by the bus stop”. Leave it empty to use the category."),
    )
    description = forms.CharField(
        label=_("Describe the fault"),
        max_length=services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, and anything that helps us find it. At most 4,000 characters."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_kept_photos = forms.BooleanField(label=_("Remove the photos I added"), required=False)
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send you a link to confirm the report, and tell you when it changes."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("Only if the case worker may call you. Never shown publicly."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    show_name = forms.BooleanField(
        label=_("Show my name publicly with the report"),
        required=False,
        help_text=_("If you leave this off, the report is shown without your name."),
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, category, user=None, kept_photos=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.user = user
        self.kept_photos = kept_photos
        self.logged_in = bool(user is not None and user.is_authenticated)
        self.fields["photos"].help_text = _(
            "Up to %(max)s photos: JPEG, PNG, WebP or GIF, at most %(size)s MB each. We remove the location and "
            "other hidden information from them."
        ) % {"max": services.MAX_PHOTOS, "size": _max_megabytes()}
        if self.logged_in:
            del self.fields["name"]
            del self.fields["email"]
        language = get_language()
        self.questions = list(category.questions.all())
        for question in self.questions:
            self.fields[f"q_{question.code}"] = question_field(question, language)
        self.processed_photos = []

    @property
    def question_fields(self):
        return [self[f"q_{question.code}"] for question in self.questions]

    def clean_submission_key(self):
        key = (self.cleaned_data.get("submission_key") or "").strip().lower()
        # A missing or malformed key (an old form, a hand-made request) gets a fresh one: only the protection
        # against a double submit is lost.
        return key if SUBMISSION_KEY.match(key) else new_submission_key()

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        kept = 0 if self.data.get("remove_kept_photos") else self.kept_photos
        if len(files) + kept > services.MAX_PHOTOS:
            raise forms.ValidationError(
                _("You can add at most %(max)s photos.") % {"max": services.MAX_PHOTOS}, code="too_many"
            )
        errors = []
        for upload in files:
            try:
                self.processed_photos.append(process_photo(upload))
            except PhotoRejected as error:
                errors.append(
                    forms.ValidationError(
                        _("“%(name)s”: %(error)s") % {"name": upload.name[:100], "error": error}, code=error.code
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return files

    def answers(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.code}")
            if value is None or value in ("", []):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            answers[question.code] = value
        return answers

    def clean(self):
        cleaned = super().clean()
        if not any(f"q_{question.code}" in self.errors for question in self.questions):
            try:
                cleaned["answers"] = services.clean_answers(self.category, self.answers())
            except DomainError as error:
                self.add_error(None, str(error))
        return cleaned

    def reporter(self) -> services.Reporter:
        data = self.cleaned_data
        return services.Reporter(
            name=data.get("name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            show_name=data.get("show_name", False),
        )


class IntakeForm(DetailsForm):
    """Step 2 for staff registering a report for a caller (phone, service desk, e-mail): the caller's contact
    details (all optional; an e-mail address gets the receipt) and how the report came in."""

    channel = forms.ChoiceField(
        label=_("How did the report come in?"),
        choices=[(c.value, c.label) for c in (Channel.PHONE, Channel.COUNTER, Channel.EMAIL)],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The staff member is logged in, but the contact details are the caller's.
        self.fields["name"] = forms.CharField(label=_("Caller's name"), max_length=150, required=False)
        self.fields["email"] = forms.EmailField(
            label=_("Caller's e-mail address"),
            max_length=254,
            required=False,
            help_text=_("The caller gets a receipt and is told when the report changes."),
        )
        self.fields["phone"] = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)
        self.fields["show_name"].label = _("The caller wants their name shown publicly")
        self.fields["show_name"].help_text = ""
        self.order_fields(
            ["title", "description", "photos", "remove_kept_photos", "channel", "name", "email", "phone", "show_name"]
        )


# --- "This is mine too" and "Is it fixed?" ---------------------------------------------------------------------
class SupportForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        required=False,
        help_text=_("We tell you when the report changes. You confirm the address first."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class QuestionnaireForm(forms.Form):
    fixed = forms.ChoiceField(choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))])
    text = forms.CharField(
        label=_("Comment"),
        max_length=services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example what is still wrong. Shown publicly with the report."),
    )


class ReopenForm(forms.Form):
    text = forms.CharField(
        label=_("What is still wrong?"),
        max_length=services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _max_megabytes() -> str:
    return f"{settings.TINGET_REPORT_PHOTO_MAX_BYTES / (1024 * 1024):.0f}"
