"""Fixtures for consultations: the responsible unit and its case worker, a case worker of another unit, a
moderator, residents logged in with e-mail and through ID-porten, and consultations in the states tests start
from (made through the services, as staff would)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tinget.accounts.staff import CASE_WORKER, MODERATOR
from tinget.accounts.tests.people import fast_staff_client, idporten_client, make_person, new_staff
from tinget.consultations import services
from tinget.consultations.models import Consultation, Question, Stage
from tinget.core.models import Unit

ASTRID = ("14437812099", "Astrid", "Testesen", "1384")
BJORN = ("23465504544", "Bjørn", "Prøvestad", "1388")


@pytest.fixture
def unit(municipality):
    return Unit.objects.get(municipality=municipality, slug="plan-og-bygning")


@pytest.fixture
def other_unit(municipality):
    return Unit.objects.get(municipality=municipality, slug="oppvekst")


@pytest.fixture
def case_worker(unit):
    user = new_staff("sander@example.no", CASE_WORKER)
    user.units.add(unit)
    return user


@pytest.fixture
def staff_client(case_worker):
    """The responsible unit's case worker, logged in with a second factor."""
    return fast_staff_client(case_worker)


@pytest.fixture
def other_worker(other_unit):
    user = new_staff("olga@example.no", CASE_WORKER)
    user.units.add(other_unit)
    return user


@pytest.fixture
def other_client(other_worker):
    return fast_staff_client(other_worker)


@pytest.fixture
def moderator(municipality):
    return new_staff("mona@example.no", MODERATOR)


@pytest.fixture
def moderator_client(moderator):
    return fast_staff_client(moderator)


@pytest.fixture
def person(db, django_user_model, municipality):
    """A resident as an ID-porten login leaves them: person(pid=..., given=..., ...)."""

    def make(pid=ASTRID[0], given=ASTRID[1], family=ASTRID[2], postcode=ASTRID[3], **kwargs):
        return make_person(
            django_user_model, municipality, pid=pid, given=given, family=family, postcode=postcode, **kwargs
        )

    return make


@pytest.fixture
def astrid(person):
    return person()


@pytest.fixture
def astrid_client(astrid):
    return idporten_client(astrid)


def consultation_data(unit, **overrides):
    now = timezone.now()
    data = {
        "title": "Reguleringsplan for Holmen sentrum",
        "summary": "Kommunen foreslår nye regler for hva som kan bygges på Holmen.",
        "influence": "Høyden på nye bygg, plassering av torget og trafikken.",
        "next_steps": "Planutvalget behandler planen i mars.",
        "case_number": "2026/1234",
        "unit": unit,
        "contact_name": "Per Plan",
        "contact_email": "per.plan@example.no",
        "opens_at": now - dt.timedelta(days=1),
        "deadline": now + dt.timedelta(days=30),
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(case_worker, municipality, unit):
    """A draft with two sections and a choice, a scale and a text question."""
    consultation = services.consultation_create(
        actor=case_worker, municipality=municipality, data=consultation_data(unit)
    )
    services.section_save(
        actor=case_worker,
        consultation=consultation,
        data={"number": "1", "heading": "Bakgrunn", "body": "Holmen skal få flere boliger."},
    )
    services.section_save(
        actor=case_worker,
        consultation=consultation,
        data={"number": "2", "heading": "Byggehøyder", "body": "Nye bygg kan bli inntil fem etasjer."},
    )
    services.question_save(
        actor=case_worker,
        consultation=consultation,
        data={"kind": Question.Kind.CHOICE, "text": "Hvor bør torget ligge?", "required": False},
        options=["Ved stasjonen", "Ved skolen", "Ved butikkene"],
    )
    services.question_save(
        actor=case_worker,
        consultation=consultation,
        data={
            "kind": Question.Kind.SCALE,
            "text": "Hva synes du om fem etasjer?",
            "scale_max": 5,
            "scale_min_label": "Svært dårlig",
            "scale_max_label": "Svært bra",
        },
    )
    services.question_save(
        actor=case_worker,
        consultation=consultation,
        data={"kind": Question.Kind.TEXT, "text": "Hva mangler i planen?"},
    )
    return consultation


@pytest.fixture
def open_consultation(draft, case_worker):
    return services.consultation_publish(actor=case_worker, consultation=draft)


def pass_deadline(consultation, *, days=1) -> Consultation:
    """Move the consultation's times into the past, as if the clock had run on (the rows only: tests of the
    deadline itself pass `now=` to the services)."""
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - dt.timedelta(days=30 + days), deadline=now - dt.timedelta(days=days)
    )
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def closed_consultation(open_consultation):
    return pass_deadline(open_consultation)


def send_input(actor, consultation, *, text="Torget bør ligge ved stasjonen.", send=True, key=None, **data):
    """Input as the form sends it (a person, name not shown unless asked)."""
    fields = {
        "author_name": data.pop("author_name", "Kari Nordmann"),
        "show_name": data.pop("show_name", False),
        "text": text,
        **data,
    }
    return services.submission_save(
        actor=actor, consultation=consultation, key=key or uuid.uuid4(), data=fields, send=send
    )


@pytest.fixture
def sent_input(open_consultation, resident):
    return send_input(resident, open_consultation)


__all__ = ["Stage", "idporten_client"]
