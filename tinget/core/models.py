"""The municipality profile (configuration as data) and the audit log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

kommunenummer_validator = RegexValidator(r"^\d{4}$", _("A municipality number has four digits."))
postcode_validator = RegexValidator(r"^\d{4}$", _("A postcode has four digits."))


class Localized:
    """For text kept in the profile data in all three languages as `field`, `field_nn` and `field_en`."""

    def localized(self, field, language):
        """The field in the given language, falling back to bokmål where it is not written."""
        if language in ("nn", "en"):
            return getattr(self, f"{field}_{language}") or getattr(self, field)
        return getattr(self, field)


class TopicBase(Localized, models.Model):
    """What something is about (roads, schools, planning...), for a module's list filter: a name in each language,
    a slug for addresses and an order. Each module keeps its own topics (abstract: a table per module)."""

    name = models.CharField(_("name"), max_length=100)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Municipality(Localized, models.Model):
    number = models.CharField(_("municipality number"), max_length=4, unique=True, validators=[kommunenummer_validator])
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    county = models.CharField(_("county"), max_length=100)
    population = models.PositiveIntegerField(_("population"))
    population_date = models.DateField(_("population counted on"), null=True, blank=True)
    phone = models.CharField(_("main phone number"), max_length=20)
    email = models.EmailField(_("main e-mail address"))
    website = models.URLField(_("website"), blank=True)
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True)
    visiting_address = models.CharField(_("visiting address"), max_length=200, blank=True)
    organisation_number = models.CharField(_("organisation number"), max_length=9, blank=True)
    accessibility_contact = models.EmailField(
        _("contact for accessibility feedback"),
        blank=True,
        help_text=_("Where residents report pages that do not work for them."),
    )
    privacy_contact = models.EmailField(_("data protection officer"), blank=True)
    opening_hours = models.CharField(_("switchboard opening hours"), max_length=200, blank=True)
    opening_hours_nn = models.CharField(_("switchboard opening hours (Nynorsk)"), max_length=200, blank=True)
    opening_hours_en = models.CharField(_("switchboard opening hours (English)"), max_length=200, blank=True)
    # Geography without a GIS database: an outline as a GeoJSON ring of [longitude, latitude] pairs (WGS 84)
    # decides what is inside the municipality; the centre and zoom are where maps start.
    boundary = models.JSONField(
        _("outline"),
        default=list,
        blank=True,
        help_text=_("The municipality's border as a list of [longitude, latitude] points (WGS 84)."),
    )
    center_latitude = models.FloatField(_("centre latitude"), null=True, blank=True)
    center_longitude = models.FloatField(_("centre longitude"), null=True, blank=True)
    map_zoom = models.PositiveSmallIntegerField(_("map zoom level"), default=11)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.number})"


class Area(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"))
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(
        _("invented for the demo"),
        default=False,
        help_text=_("Shown with a notice so nobody takes it for a real area."),
    )
    # A point is placed in the area whose centre is nearest (see core.geo.nearest_area): enough to group
    # reports and events by area without drawing every border.
    center_latitude = models.FloatField(_("centre latitude"), null=True, blank=True)
    center_longitude = models.FloatField(_("centre longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="area_unique_slug")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("core:area", kwargs={"slug": self.slug})


class Postcode(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="postcodes")
    code = models.CharField(_("postcode"), max_length=4, validators=[postcode_validator])
    place = models.CharField(_("postal place"), max_length=100)
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="postcodes",
        verbose_name=_("area"),
    )

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="postcode_unique_per_municipality")
        ]

    def __str__(self):
        return f"{self.code} {self.place}"


class Unit(models.Model):
    """An administrative unit (enhet): owns cases, answers reports and access requests."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="unit_unique_slug")]

    def __str__(self):
        return self.name


class EmergencyContact(Localized, models.Model):
    """A number on the on-call and emergency page (vakt- og beredskapstelefoner)."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        ON_CALL = "on_call", _("Municipal on-call service")
        ADVICE = "advice", _("Advice and guidance")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="emergency_contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    description = models.CharField(_("when to call"), max_length=300, blank=True)
    description_nn = models.CharField(_("when to call (Nynorsk)"), max_length=300, blank=True)
    description_en = models.CharField(_("when to call (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("emergency or on-call number")
        verbose_name_plural = _("emergency and on-call numbers")
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name}: {self.phone}"


class AuditEntry(models.Model):
    """Who did what to which object. Written by services through `tinget.core.audit.log`."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor as shown"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class Follow(models.Model):
    """A person follows an object (a case, a consultation, an area, a report …) to be told when it moves."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows", verbose_name=_("user")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_unique_per_user")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target_idx")]

    def __str__(self):
        return f"{self.user} → {self.content_type.model} {self.object_id}"


class Notification(models.Model):
    """Something a person is told about, on Min side and (as they choose) by e-mail.

    `event_key` identifies the event (e.g. "reports.report.42.status.fixed"); with the user it is unique, so
    an event announced twice is stored, and e-mailed, once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    event_key = models.CharField(_("event"), max_length=200)
    verb = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="notification_unique_event_per_user")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title
