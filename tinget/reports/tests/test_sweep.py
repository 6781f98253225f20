"""`manage.py reports_sweep`: "is it fixed?" once, four weeks after fixed; unconfirmed reports deleted after 14
days; the name, e-mail and phone of reporters without an account erased two years after the report closed."""

import io
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from tinget.core.models import AuditEntry
from tinget.reports import services
from tinget.reports.models import Photo, Report, State, Subscriber, Update

from .conftest import ASKER, NEAR_ASKER


def anonymous_report(category, *, name="Ola Nordmann", email="ola@example.no", phone="900 00 000", show_name=True):
    return services.report_create(
        actor=AnonymousUser(),
        category=category,
        latitude=NEAR_ASKER[0],
        longitude=NEAR_ASKER[1],
        title="Hull i gangveien",
        description="Et hull.",
        reporter=services.Reporter(name=name, email=email, phone=phone, show_name=show_name),
    )


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "grey").save(buffer, "JPEG")
    return buffer.getvalue()


def published_anonymous_report(category, **kwargs):
    report = anonymous_report(category, **kwargs)
    return services.report_confirm(token=services.confirm_token(report))


def fix(case_worker, report, *, when=None):
    services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Lappet.")
    report.refresh_from_db()
    if when is not None:
        Report.objects.filter(pk=report.pk).update(fixed_at=when, closed_at=when)
        report.refresh_from_db()
    return report


def age(report, **fields):
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


@pytest.mark.django_db
class TestQuestionnaire:
    def test_asked_once_four_weeks_after_fixed(self, report, case_worker, django_capture_on_commit_callbacks):
        report = fix(case_worker, report)
        fixed_at = report.fixed_at
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            assert services.questionnaires_send(now=fixed_at + timedelta(days=27, hours=23)) == 0
        assert mail.outbox == []

        with django_capture_on_commit_callbacks(execute=True):
            assert services.questionnaires_send(now=fixed_at + timedelta(days=28, minutes=1)) == 1
        assert [m.to for m in mail.outbox] == [[report.reporter_email]]
        assert f"#{report.pk}" in mail.outbox[0].subject

        with django_capture_on_commit_callbacks(execute=True):
            assert services.questionnaires_send(now=fixed_at + timedelta(days=60)) == 0
        assert len(mail.outbox) == 1
        report.refresh_from_db()
        assert report.questionnaire_sent_at == fixed_at + timedelta(days=28, minutes=1)

    def test_not_asked_when_reopened_hidden_or_without_an_address(
        self, report, pothole, case_worker, moderator, django_capture_on_commit_callbacks
    ):
        long_ago = timezone.now() - timedelta(days=40)
        fix(case_worker, report, when=long_ago)
        services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Personopplysninger")
        unsubscribed = fix(case_worker, published_anonymous_report(pothole, email="per@example.no"), when=long_ago)
        age(unsubscribed, reporter_email="")
        still_open = published_anonymous_report(pothole)
        age(still_open, created_at=long_ago)

        with django_capture_on_commit_callbacks(execute=True):
            assert services.questionnaires_send() == 0

    def test_the_command_asks(self, report, case_worker, django_capture_on_commit_callbacks):
        fix(case_worker, report, when=timezone.now() - timedelta(days=29))
        mail.outbox.clear()
        out = StringIO()

        with django_capture_on_commit_callbacks(execute=True):
            call_command("reports_sweep", stdout=out)

        assert "questionnaires_sent: 1" in out.getvalue()
        assert len(mail.outbox) == 1
        out = StringIO()
        call_command("reports_sweep", stdout=out)
        assert "questionnaires_sent: 0" in out.getvalue()


@pytest.mark.django_db
class TestUnconfirmedPurge:
    def test_deleted_after_14_days_with_history_and_photos(self, pothole, report, django_capture_on_commit_callbacks):
        waiting = anonymous_report(pothole)
        assert waiting.state == State.UNCONFIRMED
        photo = Photo(report=waiting)
        photo.image.save("photo.jpg", ContentFile(jpeg()), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(jpeg()), save=False)
        photo.width, photo.height = 8, 6
        photo.save()
        files = [photo.image.name, photo.thumbnail.name]
        Subscriber.objects.create(report=waiting, email="nabo@example.no")
        created = waiting.created_at

        assert services.unconfirmed_purge(now=created + timedelta(days=13, hours=23)) == 0
        assert Report.objects.filter(pk=waiting.pk).exists()

        with django_capture_on_commit_callbacks(execute=True):
            assert services.unconfirmed_purge(now=created + timedelta(days=14, minutes=1)) == 1

        assert not Report.objects.filter(pk=waiting.pk).exists()
        assert not Update.objects.filter(report_id=waiting.pk).exists()
        assert not Photo.objects.filter(pk=photo.pk).exists()
        assert not Subscriber.objects.filter(email="nabo@example.no").exists()
        assert not any(default_storage.exists(name) for name in files)
        assert Report.objects.filter(pk=report.pk).exists()  # published reports are never touched
        entry = AuditEntry.objects.get(action="reports.report.unconfirmed_purged")
        assert entry.data == {"count": 1, "ids": [waiting.pk]}
        assert "ola" not in str(entry.data).lower()
        assert services.unconfirmed_purge(now=created + timedelta(days=30)) == 0

    def test_a_confirmed_report_is_kept_however_old(self, pothole):
        confirmed = published_anonymous_report(pothole)
        assert services.unconfirmed_purge(now=timezone.now() + timedelta(days=400)) == 0
        assert Report.objects.filter(pk=confirmed.pk).exists()

    def test_the_command_purges(self, pothole):
        waiting = age(anonymous_report(pothole), created_at=timezone.now() - timedelta(days=15))
        out = StringIO()
        call_command("reports_sweep", stdout=out)
        assert "unconfirmed_deleted: 1" in out.getvalue()
        assert not Report.objects.filter(pk=waiting.pk).exists()


@pytest.mark.django_db
class TestReporterDetailsPurge:
    def test_erased_two_years_after_closed_and_the_report_stays_public(self, pothole, case_worker):
        two_years_ago = timezone.now() - timedelta(days=731)
        old = fix(case_worker, published_anonymous_report(pothole), when=two_years_ago)
        Subscriber.objects.create(report=old, email="nabo@example.no", confirmed_at=two_years_ago)
        recent = fix(case_worker, published_anonymous_report(pothole), when=timezone.now() - timedelta(days=700))
        assert old.public_name == "Ola Nordmann"

        assert services.reporter_details_purge() == 1

        old.refresh_from_db()
        assert (old.reporter_name, old.reporter_email, old.reporter_phone, old.show_name) == ("", "", "", False)
        assert old.is_public and old.title == "Hull i gangveien" and old.public_name == ""
        assert not old.updates.filter(author_label="Ola Nordmann").exists()
        assert old.updates.get(kind=Update.Kind.STATE).author_label == case_worker_unit(old)
        assert not Subscriber.objects.filter(report=old).exists()
        recent.refresh_from_db()
        assert (recent.reporter_name, recent.reporter_email) == ("Ola Nordmann", "ola@example.no")
        entry = AuditEntry.objects.get(action="reports.report.reporter_details_purged")
        assert entry.data == {"reports": 1, "subscribers": 1}
        assert services.reporter_details_purge() == 0

    def test_open_reopened_and_account_reports_keep_their_details(self, pothole, report, case_worker):
        three_years_ago = timezone.now() - timedelta(days=3 * 365)
        still_open = age(published_anonymous_report(pothole), created_at=three_years_ago)
        reopened = fix(case_worker, published_anonymous_report(pothole), when=three_years_ago)
        services.report_change_state(actor=case_worker, report=reopened, state=State.IN_PROGRESS, answer="")
        fix(case_worker, report, when=three_years_ago)  # by a logged-in resident: privacy.erase handles them

        assert services.reporter_details_purge() == 0

        for kept in (still_open, reopened):
            kept.refresh_from_db()
            assert kept.reporter_email == "ola@example.no"
        report.refresh_from_db()
        assert report.reporter_id and report.reporter_email == "kari@example.no"

    def test_phone_intake_callers_are_erased_too(self, pothole, case_worker):
        called = services.report_create(
            actor=case_worker,
            category=pothole,
            latitude=ASKER[0],
            longitude=ASKER[1],
            title="Meldt på telefon",
            reporter=services.Reporter(name="Anne Innringer", phone="911 11 111", show_name=True),
            channel="phone",
        )
        fix(case_worker, called, when=timezone.now() - timedelta(days=800))

        assert services.reporter_details_purge() == 1
        called.refresh_from_db()
        assert (called.reporter_name, called.reporter_phone) == ("", "")
        assert called.registered_by == case_worker  # who took the call is staff, and stays
        assert not called.updates.filter(author_label="Anne Innringer").exists()

    def test_the_retention_period_is_a_setting(self, pothole, case_worker, settings):
        settings.TINGET_REPORT_REPORTER_RETENTION_DAYS = 30
        fix(case_worker, published_anonymous_report(pothole), when=timezone.now() - timedelta(days=31))
        out = StringIO()
        call_command("reports_sweep", stdout=out)
        assert "reporter_details_erased: 1" in out.getvalue()

    def test_the_module_says_so_on_the_privacy_page(self):
        from django.utils import translation

        from tinget.core.registry import registry

        with translation.override("en"):
            assert "two years after the report is closed" in str(registry.get("reports").retention)


def case_worker_unit(report):
    return report.unit.name
