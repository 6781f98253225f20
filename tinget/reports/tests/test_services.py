"""Service-level tests of every rule in tinget/reports/services.py."""

import io
import time
from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail, signing
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tinget.accounts.staff import CASE_WORKER, ensure_staff_roles
from tinget.core.errors import DomainError, InvalidTransition, NotAllowed
from tinget.core.models import AuditEntry, Follow, Notification, Unit
from tinget.core.notify import services as notify
from tinget.core.notify.selectors import is_following
from tinget.reports import services
from tinget.reports.models import (
    ApiKey,
    Channel,
    Moderation,
    Photo,
    Question,
    Report,
    State,
    Subscriber,
    Update,
)

from .conftest import ASKER, NEAR_ASKER, OSLO
from .factories import CategoryFactory, QuestionFactory

ANONYMOUS = AnonymousUser()


# --- Helpers ---------------------------------------------------------------------------------------------------
def jpeg_bytes(size=(20, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class ProcessedPhoto:
    """What photos.process_photo hands the service: the re-encoded image and its thumbnail."""

    image: ContentFile
    thumbnail: ContentFile
    alt_text: str = ""


def processed_photo(alt_text="Et hull"):
    return ProcessedPhoto(
        ContentFile(jpeg_bytes(), name="photo.jpg"), ContentFile(jpeg_bytes((8, 4)), name="thumb.jpg"), alt_text
    )


def make_report(category, actor=None, **kwargs):
    defaults = {"latitude": ASKER[0], "longitude": ASKER[1], "title": "Hull", "description": "Stort hull."}
    defaults.update(kwargs)
    return services.report_create(actor=actor or ANONYMOUS, category=category, **defaults)


def anonymous_report(category, email="ola@example.no", **kwargs):
    reporter = services.Reporter(name="Ola Nordmann", email=email)
    return make_report(category, reporter=reporter, **kwargs)


def confirmed_anonymous_report(category, email="ola@example.no", **kwargs):
    report = anonymous_report(category, email=email, **kwargs)
    return services.report_confirm(token=services.confirm_token(report))


def refresh(report):
    report.refresh_from_db()
    return report


@pytest.fixture
def other_case_worker(municipality, django_user_model):
    """A case worker of another unit (waste collection)."""
    roles = ensure_staff_roles()
    user = django_user_model.objects.create_user("rita@example.no", "et-langt-passord-123", is_staff=True)
    user.groups.add(roles[CASE_WORKER])
    user.units.add(Unit.objects.get(slug="renovasjon"))
    return user


@pytest.fixture
def neighbour(db, django_user_model):
    return django_user_model.objects.create_user("per@example.no", "et-langt-passord-123", display_name="Per")


# --- Creating a report -----------------------------------------------------------------------------------------
class TestCreate:
    def test_a_logged_in_residents_report_is_published_routed_and_followed(self, report, resident, pothole):
        assert report.state == State.OPEN
        assert report.unit == pothole.unit
        assert report.reporter == resident
        assert report.reporter_email == resident.email
        assert report.confirmed_at is not None
        assert report.due_at == report.confirmed_at + timedelta(days=pothole.response_days)
        assert report.area is not None and report.area.slug == "asker-sentrum"
        assert is_following(resident, report)
        created = report.updates.get()
        assert created.kind == Update.Kind.CREATED and created.is_public
        assert AuditEntry.objects.filter(action="reports.report.created", target_id=str(report.pk)).exists()

    def test_receipt_and_unit_mail_go_after_commit(self, pothole, resident, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            report = make_report(pothole, actor=resident)
        recipients = sorted(address for message in mail.outbox for address in message.to)
        assert recipients == sorted([resident.email, pothole.unit.email])
        assert f"#{report.pk}" in mail.outbox[0].subject

    @pytest.mark.parametrize(
        "latitude, longitude",
        [(None, None), ("", ""), ("abc", "10.4"), (91, 10.4), (59.8, 181), (float("nan"), 10.4)],
    )
    def test_missing_or_impossible_coordinates(self, pothole, resident, latitude, longitude):
        with pytest.raises(services.InvalidLocation):
            make_report(pothole, actor=resident, latitude=latitude, longitude=longitude)
        assert not Report.objects.exists()

    def test_a_point_outside_the_municipality(self, pothole, resident):
        with pytest.raises(services.OutsideMunicipality):
            make_report(pothole, actor=resident, latitude=OSLO[0], longitude=OSLO[1])

    @pytest.mark.parametrize("flag", [{"is_urgent": True}, {"not_ours": True}, {"is_active": False}])
    def test_urgent_not_ours_and_inactive_categories_take_no_report(self, municipality, resident, flag):
        category = CategoryFactory(**flag)
        with pytest.raises(services.CategoryUnavailable):
            make_report(category, actor=resident)

    def test_description_over_4000_characters(self, pothole, resident):
        make_report(pothole, actor=resident, description="x" * 4000)
        with pytest.raises(services.DescriptionTooLong):
            make_report(pothole, actor=resident, description="x" * 4001)

    def test_at_most_three_photos(self, pothole, resident):
        with pytest.raises(services.TooManyPhotos):
            make_report(pothole, actor=resident, photos=[processed_photo() for _ in range(4)])
        report = make_report(pothole, actor=resident, photos=[processed_photo() for _ in range(3)])
        assert report.photos.count() == 3
        assert report.photos.first().alt_text == "Et hull"

    def test_someone_not_logged_in_must_give_name_and_email(self, pothole):
        with pytest.raises(services.ContactRequired):
            make_report(pothole)
        with pytest.raises(services.ContactRequired):
            make_report(pothole, reporter=services.Reporter(name="Ola", email=" "))
        assert not Report.objects.exists()

    def test_a_report_from_someone_not_logged_in_waits_for_confirmation(
        self, pothole, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            report = anonymous_report(pothole)
        assert report.state == State.UNCONFIRMED and not report.is_public
        assert report.reporter is None and report.reporter_name == "Ola Nordmann"
        assert not Report.objects.public().exists()
        assert not report.updates.get().is_public
        assert [m.to for m in mail.outbox] == [["ola@example.no"]]
        assert "/" in mail.outbox[0].body

    def test_the_same_submission_key_makes_one_report(self, pothole, resident):
        first = make_report(pothole, actor=resident, submission_key="k" * 32)
        second = make_report(pothole, actor=resident, submission_key="k" * 32, title="Again")
        assert first.pk == second.pk
        assert Report.objects.count() == 1

    def test_extra_questions_are_checked(self, pothole, resident):
        QuestionFactory(category=pothole, code="dybde", datatype=Question.Datatype.NUMBER, required=True)
        QuestionFactory(
            category=pothole,
            code="type",
            datatype=Question.Datatype.SINGLE,
            values=[{"key": "vei", "name": "Vei"}, {"key": "fortau", "name": "Fortau"}],
        )
        with pytest.raises(services.InvalidAnswer):
            make_report(pothole, actor=resident, answers={})
        with pytest.raises(services.InvalidAnswer):
            make_report(pothole, actor=resident, answers={"dybde": "dypt"})
        with pytest.raises(services.InvalidAnswer):
            make_report(pothole, actor=resident, answers={"dybde": "3", "type": "sykkelsti"})
        report = make_report(pothole, actor=resident, answers={"dybde": "30", "type": "vei", "ukjent": "x"})
        assert report.answers == {"dybde": 30, "type": "vei"}

    def test_phone_intake_needs_a_case_worker(self, pothole, resident, case_worker):
        caller = services.Reporter(name="Oda Oppringer", phone="99999999")
        with pytest.raises(NotAllowed):
            make_report(pothole, actor=resident, reporter=caller, channel=Channel.PHONE)
        with pytest.raises(NotAllowed):
            make_report(pothole, reporter=caller, channel=Channel.PHONE)

        report = make_report(pothole, actor=case_worker, reporter=caller, channel=Channel.PHONE)

        assert report.state == State.OPEN and report.channel == Channel.PHONE
        assert report.registered_by == case_worker and report.reporter is None
        assert report.reporter_name == "Oda Oppringer" and report.reporter_phone == "99999999"

    def test_open311_needs_an_active_key(self, pothole):
        api_key, _key = services.api_key_create(actor=None, name="Bymelding")
        with pytest.raises(services.RevokedKey):
            make_report(pothole, channel=Channel.OPEN311)
        report = make_report(pothole, channel=Channel.OPEN311, api_key=api_key)
        assert report.state == State.OPEN and report.api_key == api_key

        services.api_key_revoke(actor=None, api_key=api_key)

        with pytest.raises(services.RevokedKey):
            make_report(pothole, channel=Channel.OPEN311, api_key=api_key)

    def test_text_is_stored_as_typed_never_interpreted(self, pothole, resident):
        report = make_report(pothole, actor=resident, title="<script>alert(1)</script>")
        assert refresh(report).title == "<script>alert(1)</script>"


# --- Confirming ------------------------------------------------------------------------------------------------
class TestConfirm:
    def test_confirming_publishes_once(self, pothole, django_capture_on_commit_callbacks):
        report = anonymous_report(pothole)
        token = services.confirm_token(report)

        with django_capture_on_commit_callbacks(execute=True):
            confirmed = services.report_confirm(token=token)

        assert confirmed.state == State.OPEN and confirmed.is_public
        assert confirmed.due_at is not None
        assert confirmed.updates.get(kind=Update.Kind.CREATED).is_public
        assert sorted(a for m in mail.outbox for a in m.to) == sorted(["ola@example.no", pothole.unit.email])

        confirmed_at = confirmed.confirmed_at
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            again = services.report_confirm(token=token)
        assert again.confirmed_at == confirmed_at
        assert mail.outbox == []

    @pytest.mark.parametrize("token", ["", "nonsense", "a:b:c"])
    def test_a_bad_token(self, pothole, token):
        report = anonymous_report(pothole)
        with pytest.raises(services.BadToken):
            services.report_confirm(token=token)
        assert refresh(report).state == State.UNCONFIRMED

    def test_a_token_for_another_purpose_is_refused(self, pothole):
        report = anonymous_report(pothole)
        with pytest.raises(services.BadToken):
            services.report_confirm(token=services.questionnaire_token(report))

    def test_an_expired_token(self, pothole):
        report = anonymous_report(pothole)
        token = services.confirm_token(report)
        later = time.time() + services.CONFIRM_MAX_AGE.total_seconds() + 60
        with mock.patch("django.core.signing.time.time", return_value=later), pytest.raises(services.BadToken):
            services.report_confirm(token=token)
        assert refresh(report).state == State.UNCONFIRMED

    def test_a_token_for_a_report_that_is_gone(self, pothole):
        token = signing.dumps({"r": 999999}, salt=services.CONFIRM_SALT)
        with pytest.raises(services.BadToken):
            services.report_confirm(token=token)


# --- "This is mine too", subscribing and unsubscribing ----------------------------------------------------------
class TestSupport:
    def test_a_logged_in_person_follows(self, report, neighbour):
        assert services.report_support(actor=neighbour, report=report) == "following"
        assert is_following(neighbour, report)
        # Twice is harmless.
        services.report_support(actor=neighbour, report=report)
        assert Follow.objects.filter(user=neighbour).count() == 1

    def test_someone_without_an_account_confirms_by_email(self, report, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            result = services.report_support(actor=ANONYMOUS, report=report, email=" Per@Example.no ")
        assert result == "confirm_sent"
        subscriber = Subscriber.objects.get(report=report)
        assert subscriber.email == "per@example.no" and subscriber.confirmed_at is None
        assert mail.outbox[0].to == ["per@example.no"]

        token = signing.dumps({"r": report.pk, "e": "per@example.no"}, salt=services.SUBSCRIBE_SALT)
        confirmed = services.subscriber_confirm(token=token)
        assert confirmed.confirmed_at is not None
        # Clicking again keeps the first time.
        assert services.subscriber_confirm(token=token).confirmed_at == confirmed.confirmed_at

    def test_an_email_is_required_without_an_account(self, report):
        with pytest.raises(services.ContactRequired):
            services.report_support(actor=ANONYMOUS, report=report, email="  ")

    def test_a_report_that_is_not_public_cannot_be_supported(self, pothole, report, moderator, neighbour):
        unconfirmed = anonymous_report(pothole)
        with pytest.raises(NotAllowed):
            services.report_support(actor=neighbour, report=unconfirmed)
        services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Personopplysninger")
        with pytest.raises(NotAllowed):
            services.report_support(actor=neighbour, report=report)

    def test_bad_subscription_tokens(self, report):
        with pytest.raises(services.BadToken):
            services.subscriber_confirm(token="forged")
        # A valid signature for an address that never asked.
        token = signing.dumps({"r": report.pk, "e": "nobody@example.no"}, salt=services.SUBSCRIBE_SALT)
        with pytest.raises(services.BadToken):
            services.subscriber_confirm(token=token)
        with pytest.raises(services.BadToken):
            services.subscriber_unsubscribe(token="forged")

    def test_unsubscribing_a_subscriber(self, report):
        Subscriber.objects.create(report=report, email="per@example.no", confirmed_at=timezone.now())
        services.subscriber_unsubscribe(token=services.unsubscribe_token(report, "Per@example.no"))
        assert not Subscriber.objects.exists()
        # Twice is harmless.
        services.subscriber_unsubscribe(token=services.unsubscribe_token(report, "per@example.no"))

    def test_unsubscribing_the_reporter_without_an_account(self, pothole):
        report = confirmed_anonymous_report(pothole)
        services.subscriber_unsubscribe(token=services.unsubscribe_token(report, "ola@example.no"))
        assert refresh(report).reporter_email == ""


# --- Changing state --------------------------------------------------------------------------------------------
class TestChangeState:
    def test_a_case_worker_moves_a_report_with_a_public_answer(self, report, case_worker):
        update = services.report_change_state(
            actor=case_worker, report=report, state=State.INVESTIGATING, answer="Vi ser på det."
        )
        report = refresh(report)
        assert report.state == State.INVESTIGATING
        assert update.is_public and update.old_state == State.OPEN and update.new_state == State.INVESTIGATING
        assert update.author_label == report.unit.name
        assert AuditEntry.objects.filter(action="reports.report.state_changed", target_id=str(report.pk)).exists()

    @pytest.mark.parametrize("state", ["nonsense", State.UNCONFIRMED, ""])
    def test_an_invalid_state(self, report, case_worker, state):
        with pytest.raises(InvalidTransition):
            services.report_change_state(actor=case_worker, report=report, state=state, answer="x")

    def test_the_same_state(self, report, case_worker):
        with pytest.raises(InvalidTransition):
            services.report_change_state(actor=case_worker, report=report, state=State.OPEN, answer="x")

    def test_an_unconfirmed_report_cannot_be_moved(self, pothole, case_worker):
        report = anonymous_report(pothole)
        with pytest.raises(InvalidTransition):
            services.report_change_state(actor=case_worker, report=report, state=State.INVESTIGATING)

    @pytest.mark.parametrize("state", [State.NOT_RESPONSIBLE, State.NO_FURTHER_ACTION, State.CLOSED, State.DUPLICATE])
    def test_closing_without_fixing_needs_an_answer(self, report, case_worker, state):
        with pytest.raises(services.AnswerRequired):
            services.report_change_state(actor=case_worker, report=report, state=state, answer="   ")
        assert refresh(report).state == State.OPEN

    def test_fixing_needs_no_answer_and_sets_fixed_at(self, report, case_worker):
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED)
        report = refresh(report)
        assert report.state == State.FIXED and report.fixed_at is not None and report.closed_at is not None

    def test_reopening_clears_fixed_at_and_sets_a_new_due_date(self, report, case_worker):
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED)
        report = refresh(report)
        report.due_at = timezone.now() - timedelta(days=30)
        Report.objects.filter(pk=report.pk).update(due_at=report.due_at, questionnaire_sent_at=timezone.now())

        services.report_change_state(actor=case_worker, report=report, state=State.IN_PROGRESS)

        report = refresh(report)
        assert report.fixed_at is None and report.closed_at is None and report.questionnaire_sent_at is None
        assert not report.is_overdue

    def test_closing_unfixed_after_fixed_clears_fixed_at(self, report, case_worker):
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED)
        services.report_change_state(actor=case_worker, report=report, state=State.NOT_RESPONSIBLE, answer="Fylkesvei.")
        report = refresh(report)
        assert report.fixed_at is None and report.closed_at is not None

    def test_an_answer_over_4000_characters(self, report, case_worker):
        with pytest.raises(services.DescriptionTooLong):
            services.report_change_state(actor=case_worker, report=report, state=State.INVESTIGATING, answer="x" * 4001)

    def test_only_a_case_worker_of_the_unit(self, report, resident, other_case_worker, moderator):
        for actor in (resident, other_case_worker, moderator, ANONYMOUS):
            with pytest.raises(NotAllowed):
                services.report_change_state(actor=actor, report=report, state=State.INVESTIGATING)

    def test_an_administrator_handles_every_unit(self, report, django_user_model):
        admin = django_user_model.objects.create_superuser("ada@example.no", "et-langt-passord-123")
        services.report_change_state(actor=admin, report=report, state=State.INVESTIGATING)
        assert refresh(report).state == State.INVESTIGATING

    def test_a_duplicate_needs_a_public_other_report(self, pothole, report, case_worker, moderator, resident):
        with pytest.raises(services.DuplicateTargetRequired):
            services.report_change_state(actor=case_worker, report=report, state=State.DUPLICATE, answer="Dup.")
        with pytest.raises(services.DuplicateTargetRequired):
            services.report_change_state(
                actor=case_worker, report=report, state=State.DUPLICATE, answer="Dup.", duplicate_of=report
            )
        other = make_report(pothole, actor=resident, latitude=NEAR_ASKER[0], longitude=NEAR_ASKER[1])
        services.report_set_hidden(actor=moderator, report=other, hidden=True, reason="Spam")
        with pytest.raises(services.DuplicateTargetRequired):
            services.report_change_state(
                actor=case_worker, report=report, state=State.DUPLICATE, answer="Dup.", duplicate_of=other
            )
        unconfirmed = anonymous_report(pothole)
        with pytest.raises(services.DuplicateTargetRequired):
            services.report_change_state(
                actor=case_worker, report=report, state=State.DUPLICATE, answer="Dup.", duplicate_of=unconfirmed
            )

    def test_leaving_duplicate_clears_the_link(self, pothole, report, case_worker, resident):
        other = make_report(pothole, actor=resident)
        services.report_change_state(
            actor=case_worker, report=report, state=State.DUPLICATE, answer="Dup.", duplicate_of=other
        )
        assert refresh(report).duplicate_of == other
        services.report_change_state(actor=case_worker, report=report, state=State.OPEN, answer="Likevel ikke.")
        assert refresh(report).duplicate_of is None


# --- Notifications ---------------------------------------------------------------------------------------------
class TestNotifications:
    def test_a_follower_is_notified_of_a_public_change(self, report, resident, neighbour, case_worker):
        notify.follow(actor=neighbour, target=report)
        notify.follow(actor=case_worker, target=report)

        services.report_change_state(actor=case_worker, report=report, state=State.INVESTIGATING, answer="Ser på.")

        assert Notification.objects.filter(user=resident, object_id=str(report.pk)).count() == 1
        assert Notification.objects.filter(user=neighbour).count() == 1
        # The one who made the change is not told about it.
        assert not Notification.objects.filter(user=case_worker).exists()
        assert Notification.objects.get(user=resident).body == "Ser på."

    def test_a_public_answer_notifies(self, report, resident, case_worker):
        services.report_answer(actor=case_worker, report=report, text="Vi kommer i morgen.")
        assert Notification.objects.filter(user=resident).count() == 1

    def test_internal_notes_and_reroutes_notify_nobody(self, report, resident, case_worker):
        services.report_add_note(actor=case_worker, report=report, text="Ring entreprenøren.")
        services.report_reroute(actor=case_worker, report=report, unit=Unit.objects.get(slug="eiendom"))
        assert not Notification.objects.exists()

    def test_the_reporter_without_an_account_and_subscribers_get_email(
        self, pothole, case_worker, django_capture_on_commit_callbacks
    ):
        report = confirmed_anonymous_report(pothole)
        Subscriber.objects.create(report=report, email="per@example.no", confirmed_at=timezone.now())
        Subscriber.objects.create(report=report, email="uten-bekreftelse@example.no")
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Fikset.")

        assert sorted(m.to[0] for m in mail.outbox) == ["ola@example.no", "per@example.no"]
        assert "Fikset." in mail.outbox[0].body

    def test_no_email_for_an_internal_note(self, pothole, case_worker, django_capture_on_commit_callbacks):
        report = confirmed_anonymous_report(pothole)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.report_add_note(actor=case_worker, report=report, text="Internt.")
        assert mail.outbox == []


# --- Answer, note, reroute, merge ------------------------------------------------------------------------------
class TestAnswerNoteReroute:
    def test_a_public_answer_keeps_the_state(self, report, case_worker):
        update = services.report_answer(actor=case_worker, report=report, text="  Takk!  ")
        assert update.kind == Update.Kind.ANSWER and update.is_public and update.text == "Takk!"
        assert refresh(report).state == State.OPEN

    @pytest.mark.parametrize("service", [services.report_answer, services.report_add_note], ids=["answer", "note"])
    def test_text_is_required_and_limited(self, report, case_worker, service):
        with pytest.raises(services.AnswerRequired):
            service(actor=case_worker, report=report, text="  ")
        with pytest.raises(services.DescriptionTooLong):
            service(actor=case_worker, report=report, text="x" * 4001)

    @pytest.mark.parametrize("service", [services.report_answer, services.report_add_note], ids=["answer", "note"])
    def test_only_handlers_answer_and_note(self, report, other_case_worker, resident, service):
        for actor in (other_case_worker, resident, ANONYMOUS):
            with pytest.raises(NotAllowed):
                service(actor=actor, report=report, text="Hei")

    def test_no_public_answer_to_an_unconfirmed_report(self, pothole, case_worker):
        report = anonymous_report(pothole)
        with pytest.raises(InvalidTransition):
            services.report_answer(actor=case_worker, report=report, text="Hei")

    def test_an_internal_note_is_not_public(self, report, case_worker):
        update = services.report_add_note(actor=case_worker, report=report, text="Ring entreprenøren.")
        assert update.kind == Update.Kind.NOTE and not update.is_public
        assert not report.updates.filter(kind=Update.Kind.NOTE, is_public=True).exists()

    def test_reroute_to_another_unit(self, report, case_worker):
        eiendom = Unit.objects.get(slug="eiendom")
        update = services.report_reroute(actor=case_worker, report=report, unit=eiendom, note="Deres bygg.")
        report = refresh(report)
        assert report.unit == eiendom
        assert not update.is_public and update.data["to"]["unit"] == eiendom.pk
        # The case worker of the old unit no longer handles it.
        with pytest.raises(NotAllowed):
            services.report_answer(actor=case_worker, report=report, text="Hei")

    def test_reroute_to_another_category_follows_its_unit_and_response_time(self, report, case_worker):
        water = CategoryFactory(unit=Unit.objects.get(slug="vann-og-avlop"), response_days=2)
        services.report_reroute(actor=case_worker, report=report, category=water)
        report = refresh(report)
        assert report.category == water and report.unit.slug == "vann-og-avlop"
        assert report.due_at == report.confirmed_at + timedelta(days=2)

    def test_reroute_needs_a_change(self, report, case_worker, pothole):
        with pytest.raises(InvalidTransition):
            services.report_reroute(actor=case_worker, report=report)
        with pytest.raises(InvalidTransition):
            services.report_reroute(actor=case_worker, report=report, unit=report.unit, category=pothole)

    def test_reroute_only_by_handlers(self, report, other_case_worker):
        with pytest.raises(NotAllowed):
            services.report_reroute(actor=other_case_worker, report=report, unit=Unit.objects.get(slug="eiendom"))

    def test_merge_moves_followers_and_subscribers(self, pothole, report, case_worker, resident, neighbour):
        duplicate = confirmed_anonymous_report(pothole, email="Ola@Example.no")
        notify.follow(actor=neighbour, target=duplicate)
        Subscriber.objects.create(report=duplicate, email="per@example.no", confirmed_at=timezone.now())
        Subscriber.objects.create(report=duplicate, email="ubekreftet@example.no")

        update = services.report_merge(actor=case_worker, duplicate=duplicate, into=report)

        duplicate = refresh(duplicate)
        assert duplicate.state == State.DUPLICATE and duplicate.duplicate_of == report
        assert f"#{report.pk}" in update.text
        assert is_following(neighbour, report)
        emails = set(Subscriber.objects.filter(report=report).values_list("email", flat=True))
        assert emails == {"per@example.no", "ola@example.no"}
        assert all(Subscriber.objects.filter(report=report).values_list("confirmed_at", flat=True))
        merged = report.updates.get(kind=Update.Kind.MERGED)
        assert not merged.is_public and merged.data == {"duplicate": duplicate.pk}

    def test_merge_keeps_a_given_answer_and_refuses_itself(self, pothole, report, case_worker, resident):
        other = make_report(pothole, actor=resident)
        update = services.report_merge(actor=case_worker, duplicate=other, into=report, answer="Samme hull.")
        assert update.text == "Samme hull."
        with pytest.raises(services.DuplicateTargetRequired):
            services.report_merge(actor=case_worker, duplicate=report, into=report)

    def test_merge_only_by_handlers(self, pothole, report, other_case_worker, resident):
        other = make_report(pothole, actor=resident)
        with pytest.raises(NotAllowed):
            services.report_merge(actor=other_case_worker, duplicate=other, into=report)


# --- Moderation ------------------------------------------------------------------------------------------------
class TestModeration:
    def test_redacting_keeps_the_original_and_is_audited(self, report, moderator):
        done = services.report_redact(
            actor=moderator, report=report, reason="Navn på nabo", title="Hull i veien", description="Et hull."
        )
        assert {m.action for m in done} == {Moderation.Action.REDACT_TITLE, Moderation.Action.REDACT_DESCRIPTION}
        report = refresh(report)
        assert report.title == "Hull i veien" and report.description == "Et hull."
        originals = dict(Moderation.objects.values_list("action", "original"))
        assert originals[Moderation.Action.REDACT_TITLE] == "Dypt hull ved bussholdeplassen"
        assert originals[Moderation.Action.REDACT_DESCRIPTION] == "Hullet er omtrent 30 cm bredt."
        assert AuditEntry.objects.filter(action="reports.moderation.redact_title", actor=moderator).exists()

    def test_redacting_nothing_or_too_much(self, report, moderator):
        with pytest.raises(InvalidTransition):
            services.report_redact(actor=moderator, report=report, reason="x", title=report.title)
        with pytest.raises(services.DescriptionTooLong):
            services.report_redact(actor=moderator, report=report, reason="x", title="Ny", description="x" * 4001)
        # Nothing of the failed redaction was kept.
        assert refresh(report).title == "Dypt hull ved bussholdeplassen"
        assert not Moderation.objects.exists()

    def test_a_reason_is_required(self, report, moderator):
        with pytest.raises(DomainError):
            services.report_set_hidden(actor=moderator, report=report, hidden=True, reason=" ")
        assert not refresh(report).is_hidden

    def test_hiding_and_showing_a_report(self, report, moderator):
        services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Spam")
        assert refresh(report).is_hidden and not Report.objects.public().exists()
        services.report_set_hidden(actor=moderator, report=report, hidden=False, reason="Feil")
        assert not refresh(report).is_hidden
        assert list(Moderation.objects.order_by("id").values_list("action", flat=True)) == [
            Moderation.Action.HIDE_REPORT,
            Moderation.Action.SHOW_REPORT,
        ]

    def test_hiding_a_photo(self, pothole, resident, moderator):
        report = make_report(pothole, actor=resident, photos=[processed_photo()])
        photo = report.photos.get()
        moderation = services.photo_set_hidden(actor=moderator, photo=photo, hidden=True, reason="Ansikt")
        assert Photo.objects.get(pk=photo.pk).is_hidden and moderation.photo == photo
        services.photo_set_hidden(actor=moderator, photo=photo, hidden=False, reason="Uskarpt nok")
        assert not Photo.objects.get(pk=photo.pk).is_hidden

    def test_hiding_an_update_keeps_its_text(self, report, case_worker, moderator):
        answer = services.report_answer(actor=case_worker, report=report, text="Kontakt Ola på 99999999")
        moderation = services.update_hide(actor=moderator, update=answer, reason="Telefonnummer")
        assert Update.objects.get(pk=answer.pk).is_hidden
        assert moderation.original == "Kontakt Ola på 99999999"

    def test_only_moderators(self, pothole, report, case_worker, resident):
        photo_report = make_report(pothole, actor=resident, photos=[processed_photo()])
        for actor in (case_worker, resident, ANONYMOUS):
            with pytest.raises(NotAllowed):
                services.report_set_hidden(actor=actor, report=report, hidden=True, reason="x")
            with pytest.raises(NotAllowed):
                services.report_redact(actor=actor, report=report, reason="x", title="Ny tittel")
            with pytest.raises(NotAllowed):
                services.photo_set_hidden(actor=actor, photo=photo_report.photos.get(), hidden=True, reason="x")
            with pytest.raises(NotAllowed):
                services.update_hide(actor=actor, update=report.updates.first(), reason="x")
        assert not Moderation.objects.exists()
        assert refresh(report).title == "Dypt hull ved bussholdeplassen"


# --- "Is it fixed?" --------------------------------------------------------------------------------------------
class TestQuestionnaire:
    def fixed(self, report, case_worker):
        services.report_change_state(actor=case_worker, report=report, state=State.FIXED, answer="Fikset.")
        return refresh(report)

    def test_sent_once_four_weeks_after_fixed(self, report, case_worker, django_capture_on_commit_callbacks):
        report = self.fixed(report, case_worker)
        assert services.questionnaires_send(now=report.fixed_at + timedelta(days=27)) == 0
        with django_capture_on_commit_callbacks(execute=True):
            assert services.questionnaires_send(now=report.fixed_at + timedelta(days=29)) == 1
        assert mail.outbox[-1].to == [report.reporter_email]
        assert refresh(report).questionnaire_sent_at is not None
        assert services.questionnaires_send(now=report.fixed_at + timedelta(days=40)) == 0

    def test_only_fixed_reports(self, pothole, report, case_worker, resident):
        services.report_change_state(
            actor=case_worker, report=report, state=State.NO_FURTHER_ACTION, answer="Ikke nødvendig."
        )
        make_report(pothole, actor=resident)
        assert services.questionnaires_send(now=timezone.now() + timedelta(days=60)) == 0

    def test_not_to_hidden_reports_or_without_an_address(self, pothole, report, case_worker, moderator):
        report = self.fixed(report, case_worker)
        services.report_set_hidden(actor=moderator, report=report, hidden=True, reason="Spam")
        erased = self.fixed(confirmed_anonymous_report(pothole), case_worker)
        services.subscriber_unsubscribe(token=services.unsubscribe_token(erased, "ola@example.no"))
        assert services.questionnaires_send(now=timezone.now() + timedelta(days=60)) == 0

    def test_yes_is_recorded_once(self, report, case_worker):
        report = self.fixed(report, case_worker)
        token = services.questionnaire_token(report)
        services.questionnaire_answer(token=token, fixed=True, text="Takk!")
        services.questionnaire_answer(token=token, fixed=True)
        assert refresh(report).state == State.FIXED
        assert report.updates.filter(kind=Update.Kind.QUESTIONNAIRE).count() == 1

    def test_no_reopens(self, report, case_worker, resident, django_capture_on_commit_callbacks):
        report = self.fixed(report, case_worker)
        Report.objects.filter(pk=report.pk).update(questionnaire_sent_at=timezone.now())
        notify.follow(actor=case_worker, target=report)
        with django_capture_on_commit_callbacks(execute=True):
            services.questionnaire_answer(
                token=services.questionnaire_token(report), fixed=False, text="Fortsatt hull."
            )
        report = refresh(report)
        assert report.state == State.OPEN and report.fixed_at is None and report.closed_at is None
        assert report.due_at > timezone.now()
        # Asked again after the next fix.
        assert report.questionnaire_sent_at is None
        reopened = report.updates.get(kind=Update.Kind.REOPENED)
        assert reopened.is_public and reopened.text == "Fortsatt hull."
        assert report.unit.email in [m.to[0] for m in mail.outbox]
        assert Notification.objects.filter(user=case_worker).exists()
        assert not Notification.objects.filter(user=resident, event_key__contains=str(reopened.pk)).exists()

    def test_an_answer_after_the_report_moved_on_changes_nothing(self, report, case_worker):
        report = self.fixed(report, case_worker)
        token = services.questionnaire_token(report)
        services.report_change_state(actor=case_worker, report=report, state=State.CLOSED, answer="Avsluttet.")
        services.questionnaire_answer(token=token, fixed=False)
        assert refresh(report).state == State.CLOSED

    def test_a_bad_questionnaire_token(self, report):
        with pytest.raises(services.BadToken):
            services.questionnaire_answer(token="forged", fixed=False)
        with pytest.raises(services.BadToken):
            services.questionnaire_answer(token=services.confirm_token(report), fixed=False)

    def test_the_reporter_reopens_with_one_click(self, report, case_worker, resident, neighbour):
        with pytest.raises(NotAllowed):
            services.report_reopen(actor=resident, report=report)
        report = self.fixed(report, case_worker)
        with pytest.raises(NotAllowed):
            services.report_reopen(actor=neighbour, report=report)
        services.report_reopen(actor=resident, report=report)
        assert refresh(report).state == State.OPEN


# --- Open311 API keys ------------------------------------------------------------------------------------------
class TestApiKeys:
    def test_a_key_is_shown_once_and_stored_hashed(self, db, case_worker):
        api_key, key = services.api_key_create(actor=case_worker, name="  Bymelding  ")
        assert api_key.name == "Bymelding" and api_key.prefix == key[:8] and api_key.created_by == case_worker
        assert key not in api_key.key_hash and len(api_key.key_hash) == 64
        assert AuditEntry.objects.filter(action="reports.apikey.created").exists()

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101])
    def test_a_name_is_required(self, db, name):
        with pytest.raises(DomainError):
            services.api_key_create(actor=None, name=name)
        assert not ApiKey.objects.exists()

    def test_check_and_revoke(self, db):
        api_key, key = services.api_key_create(actor=None, name="Bymelding")
        assert services.api_key_check(key) == api_key
        assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None

        services.api_key_revoke(actor=None, api_key=api_key)
        revoked_at = ApiKey.objects.get(pk=api_key.pk).revoked_at
        services.api_key_revoke(actor=None, api_key=api_key)
        assert ApiKey.objects.get(pk=api_key.pk).revoked_at == revoked_at
        assert AuditEntry.objects.filter(action="reports.apikey.revoked").count() == 1

        with pytest.raises(services.RevokedKey):
            services.api_key_check(key)

    @pytest.mark.parametrize("key", ["", "unknown-key", "x" * 201])
    def test_unknown_keys(self, db, key):
        with pytest.raises(services.RevokedKey):
            services.api_key_check(key)
