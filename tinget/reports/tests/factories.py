"""Factories for the plain rows of fault reports (categories and their groups). Reports themselves are made
through services.report_create, which applies the rules."""

import factory

from tinget.core.models import Unit
from tinget.reports.models import Category, CategoryGroup, Question


class CategoryGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryGroup
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"gruppe-{n}")
    name = factory.Sequence(lambda n: f"Gruppe {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    group = factory.SubFactory(CategoryGroupFactory)
    slug = factory.Sequence(lambda n: f"kategori-{n}")
    name = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    unit = factory.LazyFunction(lambda: Unit.objects.get(slug="vei-og-park"))
    response_days = 5


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"sporsmal-{n}")
    question = factory.Sequence(lambda n: f"Spørsmål {n}?")
