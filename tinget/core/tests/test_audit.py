"""The audit log: who did what to which object, and that nobody edits it afterwards."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tinget.core import audit
from tinget.core.models import AuditEntry
from tinget.core.tests.factories import AreaFactory, UserFactory


@pytest.mark.django_db
class TestLog:
    def test_person_actor(self):
        person = UserFactory(display_name="Kari Nordmann")

        entry = audit.log(person, "core.test.done")

        entry.refresh_from_db()
        assert entry.actor == person
        assert entry.actor_label == "Kari Nordmann"
        assert entry.action == "core.test.done"
        assert (entry.target_type, entry.target_id, entry.target_label) == ("", "", "")
        assert entry.data == {}

    def test_string_actor(self):
        entry = audit.log("system", "core.sweep.ran", data={"closed": 3})

        entry.refresh_from_db()
        assert entry.actor is None
        assert entry.actor_label == "system"
        assert entry.data == {"closed": 3}

    def test_a_long_string_actor_is_cut_to_fit(self):
        # PostgreSQL refuses a value longer than the column; SQLite would quietly store it.
        entry = audit.log("importer:" + "x" * 300, "core.import.ran")

        entry.refresh_from_db()
        assert entry.actor_label == ("importer:" + "x" * 300)[:200]

    def test_no_actor_is_the_system(self):
        assert audit.log(None, "core.sweep.ran").actor_label == "system"

    def test_anonymous_actor_is_not_a_person(self):
        from django.contrib.auth.models import AnonymousUser

        entry = audit.log(AnonymousUser(), "core.anonymous.did")
        assert entry.actor is None
        assert entry.actor_label == "system"

    def test_target(self):
        area = AreaFactory(name="Heggedal")

        entry = audit.log("load_profile", "core.area.renamed", area, {"from": "Hegg"})

        entry.refresh_from_db()
        assert entry.actor_label == "load_profile"
        assert entry.target_type == "core.area"
        assert entry.target_id == str(area.pk)
        assert entry.target_label == "Heggedal"
        assert entry.data == {"from": "Hegg"}

    def test_a_target_that_is_not_a_row_is_labelled_and_cut_to_fit(self):
        entry = audit.log("system", "core.import.ran", "x" * 300)

        entry.refresh_from_db()
        assert (entry.target_type, entry.target_id) == ("", "")
        assert entry.target_label == "x" * 200

    def test_entry_survives_its_actor(self):
        person = UserFactory(display_name="Slettes Snart")
        entry = audit.log(person, "core.test.done")

        person.delete()

        entry.refresh_from_db()
        assert entry.actor is None
        assert entry.actor_label == "Slettes Snart"

    def test_newest_first(self):
        first = audit.log("system", "core.first")
        second = audit.log("system", "core.second")
        assert list(AuditEntry.objects.all()) == [second, first]

    def test_written_inside_the_callers_transaction(self):
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            audit.log("system", "core.rolled.back")
            raise RuntimeError
        assert not AuditEntry.objects.filter(action="core.rolled.back").exists()


@pytest.fixture
def admin_client(client, db, two_factor_login):
    superuser = get_user_model().objects.create_superuser("admin@example.no", "et-langt-passord-123")
    # The admin opens only after a second factor (tinget.accounts.middleware.StaffTwoFactorMiddleware).
    two_factor_login(client, superuser, "et-langt-passord-123")
    return client


@pytest.mark.django_db
class TestAdminIsReadOnly:
    def test_add_is_forbidden_even_for_a_superuser(self, admin_client):
        response = admin_client.get(reverse("admin:core_auditentry_add"))
        assert response.status_code == 403

    def test_list_and_view_work(self, admin_client):
        entry = audit.log("system", "core.visible.entry")

        assert "core.visible.entry" in admin_client.get(reverse("admin:core_auditentry_changelist")).content.decode()
        response = admin_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()

    def test_change_is_forbidden(self, admin_client):
        entry = audit.log("system", "core.original")

        response = admin_client.post(
            reverse("admin:core_auditentry_change", args=[entry.pk]), {"action": "core.forged", "_save": "1"}
        )

        assert response.status_code == 403
        entry.refresh_from_db()
        assert entry.action == "core.original"

    def test_delete_is_forbidden(self, admin_client):
        entry = audit.log("system", "core.kept")

        assert admin_client.get(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code == 403
        assert (
            admin_client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
            == 403
        )
        response = admin_client.post(
            reverse("admin:core_auditentry_changelist"),
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        assert response.status_code in (200, 302, 403)
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
