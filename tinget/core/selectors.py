"""Reads of the municipality profile. The profile changes rarely, so it is cached for everyone."""

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Area, EmergencyContact, Municipality, Postcode, Unit

_CACHE_KEY = "core:municipality:{number}"
# Every page shows the profile, so each process also keeps it for a few seconds in its own memory (the
# "layout" cache, settings.CACHES): a round trip to a shared cache on every page costs about as much as the
# rest of a cached page. Another process sees a change at most this much later.
_LOCAL_SECONDS = 10


def current_municipality() -> Municipality | None:
    """The municipality this installation serves (settings.TINGET_MUNICIPALITY), or None before set-up."""
    key = _CACHE_KEY.format(number=settings.TINGET_MUNICIPALITY)
    municipality = caches["layout"].get(key)
    if municipality is not None:
        return municipality
    municipality = cache.get(key)
    if municipality is None:
        municipality = Municipality.objects.filter(number=settings.TINGET_MUNICIPALITY).first()
        if municipality is not None:
            cache.set(key, municipality, 3600)
    if municipality is not None:
        caches["layout"].set(key, municipality, _LOCAL_SECONDS)
    return municipality


@receiver([post_save, post_delete], sender=Municipality)
def _forget_municipality(sender, instance, **kwargs):
    key = _CACHE_KEY.format(number=instance.number)
    cache.delete(key)
    caches["layout"].delete(key)


def areas(municipality):
    return Area.objects.filter(municipality=municipality).order_by("name")


def area_by_slug(municipality, slug):
    return Area.objects.filter(municipality=municipality, slug=slug).first()


def units(municipality):
    return Unit.objects.filter(municipality=municipality).select_related("parent").order_by("name")


def emergency_contacts(municipality):
    return EmergencyContact.objects.filter(municipality=municipality).order_by("order", "name")


def postcode_in_municipality(municipality, code: str) -> bool:
    return Postcode.objects.filter(municipality=municipality, code=code).exists()
