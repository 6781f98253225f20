from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class NotificationFrequency(models.TextChoices):
    INSTANT = "instant", _("At once")
    DAILY = "daily", _("Once a day (digest)")
    NEVER = "never", _("Never (only on My page)")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a resident, a case worker or a politician. E-mail is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("The name shown next to what you write in public. Leave empty to stay anonymous."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can log in to the administration."))
    is_active = models.BooleanField(_("active"), default=True)
    notification_frequency = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.INSTANT,
    )
    units = models.ManyToManyField(
        "core.Unit",
        blank=True,
        related_name="staff",
        verbose_name=_("units"),
        help_text=_("The units whose cases this staff member handles."),
    )
    date_joined = models.DateTimeField(_("registered"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]


class Identity(models.Model):
    """A person's ID-porten identity. Matched on the pairwise `sub`; the fødselsnummer (`pid`) is never
    stored, only a keyed hash of it (HMAC-SHA256 with a server-side key named by `pid_key_id`, so keys can
    be rotated) that lets a module refuse a second signature from the same person."""

    class Level(models.TextChoices):
        SUBSTANTIAL = "idporten-loa-substantial", _("ID-porten, substantial")
        HIGH = "idporten-loa-high", _("ID-porten, high")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity", verbose_name=_("user"))
    issuer = models.CharField(_("issuer"), max_length=200)
    subject = models.CharField(_("pairwise subject"), max_length=200)
    pid_digest = models.CharField(_("keyed hash of the national identity number"), max_length=64, db_index=True)
    pid_key_id = models.CharField(_("hash key id"), max_length=32)
    acr = models.CharField(_("level of assurance"), max_length=40, choices=Level.choices)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    # Read from the fødselsnummer at login: a signature list names signers by name and date of birth, and a
    # paper signature is matched to an online one on the same.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    verified_at = models.DateTimeField(_("last verified"))

    class Meta:
        verbose_name = _("ID-porten identity")
        verbose_name_plural = _("ID-porten identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="identity_unique_subject")]

    def __str__(self):
        return f"{self.user} ({self.get_acr_display()})"


class Residency(models.Model):
    """Whether a person lives in the municipality, and how sure we are."""

    class Source(models.TextChoices):
        REGISTRY = "registry", _("Population register")
        DECLARED = "declared", _("Declared by the person")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="residency", verbose_name=_("user"))
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    is_resident = models.BooleanField(_("resident"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    checked_at = models.DateTimeField(_("checked"))

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")

    def __str__(self):
        return f"{self.user}: {self.municipality} ({self.get_source_display()})"


class Consent(models.Model):
    """A consent a person gave (or withdrew), with the exact version of the text they were shown."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user"))
    purpose = models.CharField(_("purpose"), max_length=100)
    text_version = models.CharField(_("text version"), max_length=40)
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["user", "purpose"], name="consent_user_purpose_idx")]

    def __str__(self):
        return f"{self.user}: {self.purpose} v{self.text_version}"
