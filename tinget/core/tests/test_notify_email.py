"""Notification e-mail: at once, as a daily digest or never; sent once; retried when the mail server says no.

The SMTP tests talk to a real SMTP server on loopback (tinget.core.smtp_sink, aiosmtpd) through Django's SMTP
backend, so the failures are the ones smtplib really raises."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends

from tinget.core import tasks
from tinget.core.models import Notification
from tinget.core.notify import services
from tinget.core.notify.tokens import read_token
from tinget.core.smtp_sink import SmtpSink, free_port

pytestmark = pytest.mark.django_db


def announce(target, key="core.area.news.1", title="Nytt i området", **kwargs):
    return services.announce(event_key=key, verb="news", target=target, title=title, **kwargs)


@pytest.fixture
def followed(area, people):
    for person in people.values():
        services.follow(actor=person, target=area)
    return area


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def smtp(settings, sink):
    """Django's real SMTP backend, pointed at the local sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return sink


@pytest.fixture
def deferring_backend(settings):
    """A task backend that keeps tasks instead of running them, and accepts run_after (like the database
    backend the worker reads)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    backend = task_backends["default"]
    backend.clear()
    return backend


class TestInstant:
    def test_an_instant_follower_gets_one_e_mail_with_a_one_click_unsubscribe(
        self, followed, people, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            announce(followed, body="Det blir nytt lekeområde ved skolen.")

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [people["instant"].email]
        assert message.subject == "Nytt i området"
        assert "Det blir nytt lekeområde ved skolen." in message.body
        assert "http://example.com" + followed.get_absolute_url() in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert link in message.body
        token = link.rstrip("/").rsplit("/", 1)[-1]
        unsubscribe = read_token(token)
        assert unsubscribe.user_id == people["instant"].pk
        assert unsubscribe.target[1] == str(followed.pk)
        assert Notification.objects.get(user=people["instant"]).emailed_at is not None

    def test_the_e_mail_is_in_the_followers_language(self, followed, people, django_capture_on_commit_callbacks):
        people["instant"].preferred_language = "en"
        people["instant"].save()
        with django_capture_on_commit_callbacks(execute=True):
            announce(followed)
        assert "You get this e-mail because you follow" in mail.outbox[0].body
        assert "/en/" in mail.outbox[0].extra_headers["List-Unsubscribe"]

    def test_the_task_never_sends_twice(self, followed, people, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            announce(followed)
        notification = Notification.objects.get(user=people["instant"])
        result = tasks.send_notification_email.enqueue(notification_id=notification.pk)
        assert result.return_value == "nothing to send"
        assert len(mail.outbox) == 1

    def test_daily_and_never_get_no_e_mail_at_once(self, followed, people, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            announce(followed)
        assert [m.to for m in mail.outbox] == [[people["instant"].email]]
        for key in ("daily", "never"):
            assert Notification.objects.get(user=people[key]).emailed_at is None

    def test_someone_who_switched_to_never_before_the_task_ran_is_not_e_mailed(self, followed, people):
        announce(followed)  # on_commit callbacks not run: the task has not run yet
        people["instant"].notification_frequency = "never"
        people["instant"].save()
        notification = Notification.objects.get(user=people["instant"])
        assert tasks.send_notification_email.enqueue(notification_id=notification.pk).return_value == "nothing to send"
        assert mail.outbox == []


class TestDigest:
    def test_daily_followers_get_one_digest_of_what_they_have_not_read(self, followed, people, area):
        announce(followed, key="e1", title="Første sak")
        announce(followed, key="e2", title="Andre sak")
        announce(followed, key="e3", title="Lest allerede")
        Notification.objects.filter(user=people["daily"], event_key="e3").update(read_at=timezone.now())

        assert tasks.send_daily_digests.enqueue().return_value == 1

        assert len(mail.outbox) == 1
        digest = mail.outbox[0]
        assert digest.to == [people["daily"].email]
        assert "Første sak" in digest.body and "Andre sak" in digest.body
        assert "Lest allerede" not in digest.body
        assert digest.subject.startswith("2 ")
        # The addresses in it are the Nynorsk ones: the person's language.
        assert "http://example.com/nn/" in digest.body
        assert (
            read_token(digest.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]).target
            is None
        )

    def test_the_digest_is_idempotent(self, followed, people):
        announce(followed)
        tasks.send_daily_digests.enqueue()
        assert tasks.send_daily_digests.enqueue().return_value == 0
        assert len(mail.outbox) == 1
        announce(followed, key="later")
        assert tasks.send_daily_digests.enqueue().return_value == 1
        assert "Nytt i området" in mail.outbox[1].body

    def test_never_means_no_e_mail_at_all(self, followed, people):
        services.unfollow(actor=people["instant"], target=followed)
        services.unfollow(actor=people["daily"], target=followed)
        announce(followed)
        assert tasks.send_daily_digests.enqueue().return_value == 0
        assert mail.outbox == []
        assert Notification.objects.get(user=people["never"]).emailed_at is None

    def test_old_notifications_are_not_dug_up(self, followed, people):
        announce(followed)
        Notification.objects.update(created_at=timezone.now() - timedelta(days=30))
        assert tasks.send_daily_digests.enqueue().return_value == 0

    def test_the_command_queues_the_digest(self, followed, people, capsys):
        announce(followed)
        call_command("send_digests")
        assert "queued" in capsys.readouterr().out
        assert [m.to for m in mail.outbox] == [[people["daily"].email]]


class TestSmtpFailures:
    def test_a_temporary_refusal_is_retried_and_the_mail_goes_once(self, smtp, followed, people):
        smtp.refuse_next("451 4.3.0 Mailbox busy, try again later")
        announce(followed)
        notification = Notification.objects.get(user=people["instant"])

        result = tasks.send_notification_email.enqueue(notification_id=notification.pk)

        # The immediate backend runs the retry at once: refused, then accepted.
        assert result.return_value == "retrying"
        assert smtp.attempts == 2
        assert len(smtp.received) == 1
        assert smtp.received[0].recipients == [people["instant"].email]
        message = smtp.received[0].message
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        notification.refresh_from_db()
        assert notification.emailed_at is not None

        assert tasks.send_notification_email.enqueue(notification_id=notification.pk).return_value == "nothing to send"
        assert len(smtp.received) == 1

    def test_a_failure_leaves_it_unsent_and_retries_later(self, smtp, deferring_backend, followed, people):
        smtp.refuse_next("451 4.3.0 Try again later")
        announce(followed)
        notification = Notification.objects.get(user=people["instant"])

        before = timezone.now()
        assert tasks.send_notification_email.call(notification_id=notification.pk) == "retrying"

        notification.refresh_from_db()
        assert notification.emailed_at is None
        assert smtp.received == []
        [retry] = deferring_backend.results
        assert retry.task.name == "send_notification_email"
        assert retry.kwargs == {"notification_id": notification.pk, "attempt": 2}
        assert retry.task.run_after >= before + timedelta(seconds=tasks.NOTIFY_BACKOFF_SECONDS)

        # The worker runs the retry when it is due; the server now accepts.
        assert tasks.send_notification_email.call(**retry.kwargs) == "sent"
        notification.refresh_from_db()
        assert notification.emailed_at is not None
        assert len(smtp.received) == 1

    def test_no_server_at_all_is_retried_a_bounded_number_of_times(self, settings, followed, people):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = free_port()  # nothing listens there
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        announce(followed)
        notification = Notification.objects.get(user=people["instant"])

        result = tasks.send_notification_email.enqueue(notification_id=notification.pk)

        assert result.return_value == "retrying"
        notification.refresh_from_db()
        assert notification.emailed_at is None

    def test_the_last_attempt_gives_up(self, smtp, deferring_backend, followed, people):
        smtp.refuse_next("421 4.7.0 Too busy")
        announce(followed)
        notification = Notification.objects.get(user=people["instant"])
        outcome = tasks.send_notification_email.call(notification_id=notification.pk, attempt=tasks.NOTIFY_MAX_ATTEMPTS)
        assert outcome == "failed"
        assert deferring_backend.results == []

    def test_a_permanent_refusal_is_not_retried(self, smtp, deferring_backend, followed, people):
        smtp.refuse_next("550 5.1.1 No such mailbox")
        announce(followed)
        notification = Notification.objects.get(user=people["instant"])

        assert tasks.send_notification_email.call(notification_id=notification.pk) == "failed"

        assert deferring_backend.results == []
        assert smtp.attempts == 1
        notification.refresh_from_db()
        assert notification.emailed_at is None

    def test_a_digest_that_fails_is_retried_without_losing_anything(self, smtp, followed, people):
        smtp.refuse_next("451 4.3.0 Try again later")
        announce(followed, key="e1")
        announce(followed, key="e2")

        tasks.send_daily_digests.enqueue()

        assert smtp.attempts == 2
        assert len(smtp.received) == 1
        assert Notification.objects.filter(user=people["daily"], emailed_at__isnull=True).count() == 0
        assert tasks.send_daily_digests.enqueue().return_value == 0
        assert len(smtp.received) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_e_mail(smtp, area, people):
    """Two workers pick up the same notification at the same moment (a task enqueued twice): one sends, the
    other skips the row the first has locked. PostgreSQL only: the SQLite test database is in memory with a
    shared cache, whose table locks fail at once instead of waiting as a database file's lock does (there, the
    IMMEDIATE transaction makes the second worker wait and then find the notification sent)."""
    import threading
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs row locks between connections (run with DATABASE_URL=postgres://...)")

    from tinget.core.notify.email import send_notification

    services.follow(actor=people["instant"], target=area)
    # With no test transaction around it, the announcement's task has run at once: start again from unsent.
    announce(area)
    notification = Notification.objects.get(user=people["instant"])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
    smtp.received.clear()
    smtp.handler.on_message = lambda received: time.sleep(0.3)  # the first send is slow
    outcomes = []

    def worker():
        try:
            outcomes.append(send_notification(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [False, True]
    assert len(smtp.received) == 1


class TestUndeliverableAddresses:
    """A person who logged in only with ID-porten has a placeholder address at ".invalid" until they add one."""

    def test_no_instant_e_mail_to_a_placeholder_address(self, followed, people, django_capture_on_commit_callbacks):
        people["instant"].email = "0f3c@idporten.invalid"
        people["instant"].save()

        with django_capture_on_commit_callbacks(execute=True):
            announce(followed)

        assert mail.outbox == []
        assert Notification.objects.filter(user=people["instant"], emailed_at__isnull=True).count() == 1

    def test_no_digest_to_a_placeholder_address(self, followed, people, django_capture_on_commit_callbacks):
        people["daily"].email = "9a1b@idporten.invalid"
        people["daily"].save()
        with django_capture_on_commit_callbacks(execute=True):
            announce(followed)
        mail.outbox.clear()

        call_command("send_digests")

        assert mail.outbox == []
