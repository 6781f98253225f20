"""Reads of the municipality profile. The profile changes rarely, so it is cached for everyone."""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Area, EmergencyContact, Municipality, Postcode, Unit

_CACHE_KEY = "core:municipality:{number}"


def current_municipality() -> Municipality | None:
    """The municipality this installation serves (settings.TINGET_MUNICIPALITY), or None before set-up."""
    key = _CACHE_KEY.format(number=settings.TINGET_MUNICIPALITY)
    municipality = cache.get(key)
    if municipality is None:
        municipality = Municipality.objects.filter(number=settings.TINGET_MUNICIPALITY).first()
        if municipality is not None:
            cache.set(key, municipality, 3600)
    return municipality


@receiver([post_save, post_delete], sender=Municipality)
def _forget_municipality(sender, instance, **kwargs):
    cache.delete(_CACHE_KEY.format(number=instance.number))


def areas(municipality):
    return Area.objects.filter(municipality=municipality).order_by("name")


def units(municipality):
    return Unit.objects.filter(municipality=municipality).select_related("parent").order_by("name")


def emergency_contacts(municipality):
    return EmergencyContact.objects.filter(municipality=municipality).order_by("order", "name")


def postcode_in_municipality(municipality, code: str) -> bool:
    return Postcode.objects.filter(municipality=municipality, code=code).exists()
