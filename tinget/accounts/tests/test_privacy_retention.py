"""Retention sweeps: each deletes exactly what has outlived its period, and a second run finds nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tinget.accounts import privacy
from tinget.accounts.models import Identity
from tinget.accounts.tasks import privacy_sweep
from tinget.core.models import AuditEntry, Notification
from tinget.core.registry import Module, registry

User = get_user_model()
pytestmark = pytest.mark.django_db
NOW = timezone.now()


def days_ago(days):
    return NOW - timedelta(days=days)


def make_user(email, *, joined_days_ago, verified=None, **extra):
    user = User.objects.create_user(email, "et-langt-passord-123", date_joined=days_ago(joined_days_ago), **extra)
    if verified is not None:
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_unverified_accounts_go_after_the_period(settings):
    settings.TINGET_UNVERIFIED_ACCOUNT_DAYS = 14
    old_unverified = make_user("gammel@example.no", joined_days_ago=15, verified=False)
    old_no_address_row = make_user("uten-rad@example.no", joined_days_ago=30)
    new_unverified = make_user("ny@example.no", joined_days_ago=13, verified=False)
    old_verified = make_user("bekreftet@example.no", joined_days_ago=400, verified=True)
    old_staff = make_user("sak@example.no", joined_days_ago=400, is_staff=True)
    old_logged_in = make_user("innlogget@example.no", joined_days_ago=400, verified=False, last_login=days_ago(300))
    old_idporten = make_user("idporten@example.no", joined_days_ago=400)
    Identity.objects.create(
        user=old_idporten,
        issuer="https://test.idporten.no",
        subject="s",
        pid_digest="b" * 64,
        pid_key_id="k1",
        acr=Identity.Level.SUBSTANTIAL,
        verified_at=days_ago(400),
    )
    assert privacy.delete_unverified_accounts(now=NOW) == 2
    remaining = set(User.objects.values_list("email", flat=True))
    assert remaining == {
        new_unverified.email,
        old_verified.email,
        old_staff.email,
        old_logged_in.email,
        old_idporten.email,
    }
    assert old_unverified.email not in remaining and old_no_address_row.email not in remaining
    assert not EmailAddress.objects.filter(email=old_unverified.email).exists()
    reasons = AuditEntry.objects.filter(action="accounts.user.deleted").values_list("data__reason", flat=True)
    assert list(reasons) == ["never_verified", "never_verified"]
    assert privacy.delete_unverified_accounts(now=NOW) == 0
    # Time moves on: the new one's turn comes.
    assert privacy.delete_unverified_accounts(now=NOW + timedelta(days=2)) == 1


def test_modules_erase_unverified_accounts_too_and_one_failure_keeps_only_that_one():
    first = make_user("a@example.no", joined_days_ago=20)
    second = make_user("b@example.no", joined_days_ago=20)
    erased = []

    def erase(user):
        if user.pk == first.pk:
            raise RuntimeError("not now")
        erased.append(user.email)

    module = Module(slug="testmodul", name="T", description="", section="local", url_name="core:hub", erase=erase)
    with registry.temporarily(module):
        assert privacy.delete_unverified_accounts(now=NOW) == 1
    assert erased == ["b@example.no"]
    assert User.objects.filter(pk=first.pk).exists()
    assert not User.objects.filter(pk=second.pk).exists()


def test_read_notifications_go_after_the_period(resident, settings):
    settings.TINGET_NOTIFICATION_RETENTION_DAYS = 365

    def notification(key, *, age, read):
        n = Notification.objects.create(user=resident, event_key=key, verb="status", title=key)
        Notification.objects.filter(pk=n.pk).update(created_at=days_ago(age), read_at=days_ago(age) if read else None)

    notification("old-read", age=366, read=True)
    notification("old-unread", age=500, read=False)
    notification("new-read", age=364, read=True)
    assert privacy.delete_old_read_notifications(now=NOW) == 1
    assert set(Notification.objects.values_list("event_key", flat=True)) == {"old-unread", "new-read"}
    assert privacy.delete_old_read_notifications(now=NOW) == 0


def test_staff_read_details_are_pruned_but_the_entries_stay(resident, django_user_model, settings):
    settings.TINGET_STAFF_READ_DETAIL_DAYS = 730
    staff = django_user_model.objects.create_user("sak@example.no", "x-passord-1234", is_staff=True)
    old = privacy.log_personal_data_read(staff_user=staff, subject_user=resident, what="Case 1", unit="Vei og park")
    new = privacy.log_personal_data_read(staff_user=staff, subject_user=resident, what="Case 2", unit="Vei og park")
    other = privacy.audit.log(staff, "core.something.else", resident, {"what": "keep"})
    AuditEntry.objects.filter(pk__in=[old.pk, other.pk]).update(created_at=days_ago(731))
    AuditEntry.objects.filter(pk=new.pk).update(created_at=days_ago(729))
    assert privacy.prune_staff_read_details(now=NOW) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    other.refresh_from_db()
    assert old.data == {"unit": "Vei og park"} and old.target_label == ""
    assert old.actor == staff and old.target_id == str(resident.pk)
    assert new.data == {"what": "Case 2", "unit": "Vei og park"} and new.target_label
    assert other.data == {"what": "keep"}
    assert privacy.prune_staff_read_details(now=NOW) == 0
    # The person still sees the old read, with its unit.
    assert [r["unit"] for r in map(privacy.describe_staff_read, privacy.staff_reads(resident))] == ["Vei og park"] * 2


def test_the_task_and_the_command_run_every_sweep(settings):
    settings.TINGET_UNVERIFIED_ACCOUNT_DAYS = 14
    make_user("gammel@example.no", joined_days_ago=15)
    result = privacy_sweep.enqueue(now=NOW.isoformat())
    assert result.return_value == {"unverified_accounts": 1, "read_notifications": 0, "staff_read_details": 0}
    make_user("gammel2@example.no", joined_days_ago=15)
    out = StringIO()
    call_command("privacy_sweep", stdout=out)
    assert "unverified_accounts: 1" in out.getvalue()
    out = StringIO()
    call_command("privacy_sweep", "--enqueue", stdout=out)
    assert "Enqueued privacy sweep" in out.getvalue()


def test_task_refuses_a_moment_without_a_zone():
    with pytest.raises(ValueError, match="time zone"):
        privacy_sweep.call(now="2025-01-01T00:00:00")
