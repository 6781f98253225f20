"""Factories for plain rows (no business rules). Anything with rules is set up through its service."""

import factory
from django.contrib.auth import get_user_model

from tinget.core.models import Area, EmergencyContact, Municipality, Postcode, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("et-langt-passord-123")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Prøvekommune {n}")
    slug = factory.Sequence(lambda n: f"provekommune-{n}")
    county = "Prøvefylke"
    population = 12000
    phone = "12 34 56 78"
    email = factory.LazyAttribute(lambda m: f"post@{m.slug}.example.no")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Område {n}")
    slug = factory.Sequence(lambda n: f"omrade-{n}")
    is_demo = True


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"{1000 + n % 9000:04d}")
    place = "Prøvested"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    slug = factory.Sequence(lambda n: f"enhet-{n}")


class EmergencyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyContact

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = EmergencyContact.Kind.ON_CALL
    name = factory.Sequence(lambda n: f"Vakttelefon {n}")
    phone = "11 22 33 44"
