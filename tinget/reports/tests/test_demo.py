"""The demo reports: a few hundred, quick to load, once only, inside Asker, marked as demo, and as consistent
as if the services had made them."""

import time
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tinget.accounts.demo import load_demo_users
from tinget.core import geo
from tinget.core.models import AuditEntry, Follow
from tinget.core.registry import registry
from tinget.reports import selectors, services
from tinget.reports.demo import DEMO_COUNT, DEMO_MARK, RESIDENT_EMAIL, load_demo
from tinget.reports.models import (
    CLOSED_UNFIXED_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    Category,
    Moderation,
    Report,
    State,
    Update,
)


@pytest.fixture
def demo(municipality, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo logins file
    load_demo_users()
    started = time.monotonic()
    made = load_demo(municipality)
    return {"made": made, "seconds": time.monotonic() - started, "municipality": municipality}


def reports():
    return list(Report.objects.select_related("category", "area", "unit", "reporter").prefetch_related("updates"))


@pytest.mark.django_db
class TestLoad:
    def test_loads_a_few_hundred_reports_quickly(self, demo):
        assert demo["made"] == DEMO_COUNT == Report.objects.count()
        assert demo["seconds"] < 15
        assert Category.objects.count() >= 25
        assert AuditEntry.objects.filter(action="reports.demo.loaded").count() == 1

    def test_a_second_load_adds_nothing(self, demo):
        counts = (
            Report.objects.count(),
            Update.objects.count(),
            Moderation.objects.count(),
            AuditEntry.objects.count(),
        )

        assert load_demo(demo["municipality"]) == 0

        assert (
            Report.objects.count(),
            Update.objects.count(),
            Moderation.objects.count(),
            AuditEntry.objects.count(),
        ) == counts

    def test_manage_py_load_demo_loads_it_through_the_registry(self, municipality, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        assert registry.get("reports").demo is not None
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        call_command("load_demo", "--quiet-logins", stdout=StringIO())
        assert Report.objects.count() == DEMO_COUNT

    def test_every_report_says_it_is_demo(self, demo):
        for report in Report.objects.all():
            assert report.title.endswith(DEMO_MARK) and report.description.endswith(DEMO_MARK), report.pk
            assert report.submission_key.startswith("demo-")
            assert report.reporter_email == "" or report.reporter_email.endswith("@example.no")


@pytest.mark.django_db
class TestPlaces:
    def test_every_point_is_inside_the_municipality_in_its_nearest_area(self, demo):
        municipality = demo["municipality"]
        areas = list(municipality.areas.all())
        for report in reports():
            assert geo.in_municipality(municipality, report.latitude, report.longitude), report.pk
            assert report.area == geo.nearest_area(areas, report.latitude, report.longitude), report.pk

    def test_the_reports_are_spread_over_every_area(self, demo):
        per_area = Counter(Report.objects.values_list("area__slug", flat=True))
        assert set(per_area) == set(demo["municipality"].areas.values_list("slug", flat=True))
        assert min(per_area.values()) >= 10

    def test_categories_are_reportable_and_routed_like_the_service_routes_them(self, demo):
        per_category = Counter()
        for report in reports():
            assert report.unit_id == report.category.unit_id
            services.check_category(report.category)
            assert services.clean_answers(report.category, report.answers) == report.answers, report.pk
            per_category[report.category.slug] += 1
        assert len(per_category) >= 15
        assert per_category.most_common(1)[0][1] < DEMO_COUNT / 4


@pytest.mark.django_db
class TestTimesAndStates:
    def test_times_cover_a_year_and_follow_each_other(self, demo):
        now = timezone.now()
        created = [r.created_at for r in Report.objects.all()]
        assert now - min(created) > timedelta(days=300) and max(created) > now - timedelta(days=14)
        assert max(created) <= now
        for report in reports():
            assert report.created_at <= report.confirmed_at <= report.updated_at <= now, report.pk
            assert report.due_at == report.confirmed_at + timedelta(days=report.category.response_days)

    def test_old_reports_are_mostly_done_and_new_ones_mostly_open(self, demo):
        now = timezone.now()
        old = [r for r in Report.objects.all() if now - r.created_at > timedelta(days=60)]
        new = [r for r in Report.objects.all() if now - r.created_at < timedelta(days=7)]
        assert len(old) > 100 and len(new) >= 3
        assert sum(r.state not in OPEN_STATES for r in old) / len(old) > 0.8
        assert sum(r.state in OPEN_STATES for r in new) / len(new) > 0.5
        states = Counter(Report.objects.values_list("state", flat=True))
        assert states[State.FIXED] > DEMO_COUNT / 2
        assert {State.OPEN, State.INVESTIGATING, State.CLOSED, State.NO_FURTHER_ACTION} <= set(states)
        assert set(states) <= PUBLIC_STATES

    def test_more_snow_in_winter_and_invasive_plants_in_summer(self, demo):
        def months(slug):
            return [timezone.localtime(r.created_at).month for r in Report.objects.filter(category__slug=slug)]

        snow, plants = months("vinterdrift"), months("fremmede-arter")
        assert sum(m in (12, 1, 2, 3) for m in snow) > sum(m in (6, 7, 8) for m in snow)
        assert sum(m in (6, 7, 8) for m in plants) > sum(m in (12, 1, 2) for m in plants)

    def test_history_matches_the_state_as_the_services_would_leave_it(self, demo):
        for report in reports():
            lines = sorted(report.updates.all(), key=lambda u: (u.created_at, u.pk))
            assert lines[0].kind == Update.Kind.CREATED and lines[0].is_public
            changes = [u for u in lines if u.kind == Update.Kind.STATE]
            previous = State.OPEN
            for change in changes:
                assert change.old_state == previous and change.is_public, report.pk
                assert change.author_label == report.unit.name
                previous = change.new_state
            assert previous == report.state, report.pk
            if report.state == State.FIXED:
                assert report.fixed_at == report.closed_at == changes[-1].created_at
            elif report.state in CLOSED_UNFIXED_STATES:
                assert report.fixed_at is None and report.closed_at == changes[-1].created_at
                assert changes[-1].text, "closing without fixing needs a public answer"
            else:
                assert report.fixed_at is None and report.closed_at is None

    def test_units_answer_publicly(self, demo):
        answered = Update.objects.filter(kind=Update.Kind.STATE, is_public=True).exclude(text="")
        assert answered.count() > DEMO_COUNT / 2
        assert Update.objects.filter(kind=Update.Kind.NOTE, is_public=False).exists()

    def test_duplicates_point_at_an_earlier_public_report_of_the_same_category_nearby(self, demo):
        duplicates = Report.objects.filter(state=State.DUPLICATE).select_related("duplicate_of")
        assert duplicates.exists()
        for report in duplicates:
            original = report.duplicate_of
            assert original.category_id == report.category_id and original.created_at <= report.created_at
            assert original.is_public or original.is_hidden
            assert geo.distance_m(report.latitude, report.longitude, original.latitude, original.longitude) < 250
        assert not Report.objects.exclude(state=State.DUPLICATE).filter(duplicate_of__isnull=False).exists()

    def test_nobody_is_asked_is_it_fixed_for_the_demo(self, demo):
        assert services.questionnaires_send() == 0


@pytest.mark.django_db
class TestPeople:
    def test_some_show_their_name_and_a_few_are_hidden_by_a_moderator(self, demo):
        shown = Report.objects.filter(show_name=True)
        assert shown.count() >= 5
        assert all(r.public_name for r in shown)
        hidden = Report.objects.filter(is_hidden=True)
        assert 1 <= hidden.count() <= 10
        for report in hidden:
            assert report.moderations.filter(action=Moderation.Action.HIDE_REPORT).exists()
        public = selectors.public_reports()
        assert public.count() == DEMO_COUNT - hidden.count()
        assert not public.filter(pk__in=hidden).exists()

    def test_the_demo_resident_has_reports_on_min_side_and_follows_them(self, demo):
        from django.contrib.auth import get_user_model

        resident = get_user_model().objects.get(email=RESIDENT_EMAIL)
        mine = list(selectors.reports_of(resident))
        assert len(mine) >= 3
        for report in mine:
            assert report.reporter_email == RESIDENT_EMAIL
            assert Follow.objects.filter(user=resident, object_id=str(report.pk)).exists()

    def test_phone_intake_reports_are_registered_by_the_case_worker(self, demo):
        phoned = Report.objects.filter(channel="phone")
        assert phoned.exists()
        assert all(r.registered_by and r.registered_by.email == "saksbehandler@example.no" for r in phoned)

    def test_without_the_demo_people_the_reports_still_load(self, municipality):
        assert load_demo(municipality) == DEMO_COUNT
        assert not Report.objects.filter(reporter__isnull=False).exists()
