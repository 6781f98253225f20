"""Staff roles (Django groups) and unit scoping (tinget/accounts/staff.py)."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from tinget.accounts import staff
from tinget.accounts.demo import load_demo_users
from tinget.core.models import AuditEntry, Unit

ROLES = [staff.CASE_WORKER, staff.MODERATOR, staff.EDITOR, staff.ADMINISTRATOR]


def perms(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
class TestEnsureStaffRoles:
    def test_creates_the_four_roles_with_their_permissions(self):
        groups = staff.ensure_staff_roles()

        assert sorted(groups) == sorted(ROLES)
        assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
        assert perms(groups[staff.CASE_WORKER]) == staff.ROLE_PERMISSIONS[staff.CASE_WORKER]
        assert "core.change_emergencycontact" in perms(groups[staff.CASE_WORKER])
        assert "core.change_municipality" in perms(groups[staff.EDITOR])
        assert "core.change_municipality" not in perms(groups[staff.MODERATOR])

    def test_administrator_gets_everything_but_bookkeeping_and_second_factors(self):
        admin_perms = perms(staff.ensure_staff_roles()[staff.ADMINISTRATOR])

        assert {"accounts.change_user", "auth.change_group", "core.view_auditentry"} <= admin_perms
        assert not any(p.split(".")[0] in staff.ADMINISTRATOR_EXCLUDED_APPS for p in admin_perms)

    def test_running_it_again_changes_nothing(self):
        first = {name: perms(group) for name, group in staff.ensure_staff_roles().items()}
        entries = AuditEntry.objects.filter(action="accounts.group.role_updated").count()

        second = {name: perms(group) for name, group in staff.ensure_staff_roles().items()}

        assert first == second
        assert Group.objects.filter(name__in=ROLES).count() == 4
        assert AuditEntry.objects.filter(action="accounts.group.role_updated").count() == entries

    def test_a_permission_added_by_hand_is_taken_away_again(self):
        case_workers = staff.ensure_staff_roles()[staff.CASE_WORKER]
        case_workers.permissions.add(Permission.objects.get(codename="delete_user"))

        staff.ensure_staff_roles()

        assert "accounts.delete_user" not in perms(case_workers)
        entry = AuditEntry.objects.filter(action="accounts.group.role_updated").latest("pk")
        assert entry.target_label == staff.CASE_WORKER and entry.data["removed"] == 1

    def test_unknown_role_or_permission_is_refused(self, monkeypatch):
        with pytest.raises(ValueError):
            staff.add_role_permissions("Vaktmester", "core.view_unit")
        monkeypatch.setitem(staff.ROLE_PERMISSIONS, staff.MODERATOR, {"core.fly_to_the_moon"})
        with pytest.raises(ValueError, match=r"core\.fly_to_the_moon"):
            staff.ensure_staff_roles()

    def test_a_module_can_give_a_role_more(self, monkeypatch):
        monkeypatch.setitem(staff.ROLE_PERMISSIONS, staff.MODERATOR, set(staff.ROLE_PERMISSIONS[staff.MODERATOR]))
        staff.add_role_permissions(staff.MODERATOR, "accounts.view_user")

        assert "accounts.view_user" in perms(staff.ensure_staff_roles()[staff.MODERATOR])

    def test_ensure_roles_command(self):
        out = StringIO()
        call_command("ensure_roles", stdout=out)

        for role in ROLES:
            assert role in out.getvalue()
        assert Group.objects.filter(name__in=ROLES).count() == 4

    def test_demo_people_get_their_roles(self, municipality, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        load_demo_users()
        load_demo_users()

        from tinget.accounts.models import User

        case_worker = User.objects.get(email="saksbehandler@example.no")
        assert list(case_worker.groups.values_list("name", flat=True)) == [staff.CASE_WORKER]
        assert [u.slug for u in case_worker.units.all()] == ["vei-og-park"]
        assert case_worker.has_perm("core.change_emergencycontact")
        assert not case_worker.has_perm("core.change_municipality")
        admin = User.objects.get(email="admin@example.no")
        assert staff.is_administrator(admin)


@pytest.fixture
def units(municipality):
    return {unit.slug: unit for unit in Unit.objects.filter(municipality=municipality)}


@pytest.fixture
def case_worker(django_user_model, units):
    user = django_user_model.objects.create_user("sb@example.no", "et-langt-passord-123", is_staff=True)
    user.groups.add(staff.ensure_staff_roles()[staff.CASE_WORKER])
    user.units.add(units["renovasjon"], units["vei-og-park"])
    return user


@pytest.mark.django_db
class TestUnitScoping:
    def test_a_case_worker_sees_only_their_units(self, case_worker, units):
        assert set(staff.units_for(case_worker)) == {units["renovasjon"], units["vei-og-park"]}
        scoped = staff.scope_to_units(Unit.objects.all(), case_worker, unit_field="pk")
        assert set(scoped) == {units["renovasjon"], units["vei-og-park"]}

    def test_a_related_path_is_followed(self, case_worker, units):
        child = Unit.objects.create(
            municipality=units["renovasjon"].municipality,
            name="Gjenvinning",
            slug="gjenvinning",
            parent=units["renovasjon"],
        )
        Unit.objects.create(
            municipality=units["renovasjon"].municipality,
            name="Bibliotek",
            slug="bibliotek",
            parent=units["innbyggertorg"],
        )

        assert list(staff.scope_to_units(Unit.objects.all(), case_worker, unit_field="parent")) == [child]

    def test_administrators_and_superusers_see_every_unit(self, django_user_model, units):
        administrator = django_user_model.objects.create_user("adm@example.no", "x", is_staff=True)
        administrator.groups.add(staff.ensure_staff_roles()[staff.ADMINISTRATOR])
        superuser = django_user_model.objects.create_superuser("root@example.no", "x")

        for user in (administrator, superuser):
            assert staff.is_administrator(user)
            assert staff.units_for(user).count() == len(units)
            assert staff.scope_to_units(Unit.objects.all(), user, unit_field="pk").count() == len(units)

    def test_residents_anonymous_and_former_staff_see_nothing(self, django_user_model, resident, units, case_worker):
        from django.contrib.auth.models import AnonymousUser

        resident.units.add(units["renovasjon"])  # a unit on a non-staff account grants nothing
        case_worker.is_active = False
        case_worker.save()
        administrator_not_staff = django_user_model.objects.create_user("ex@example.no", "x")
        administrator_not_staff.groups.add(staff.ensure_staff_roles()[staff.ADMINISTRATOR])

        for user in (resident, AnonymousUser(), case_worker, administrator_not_staff):
            assert not staff.units_for(user).exists()
            assert not staff.scope_to_units(Unit.objects.all(), user, unit_field="pk").exists()

    def test_staff_without_units_see_nothing(self, django_user_model, units):
        user = django_user_model.objects.create_user("ny@example.no", "x", is_staff=True)
        assert not staff.scope_to_units(Unit.objects.all(), user, unit_field="pk").exists()


@pytest.mark.django_db
def test_units_are_editable_in_the_user_admin(client, two_factor_login, django_user_model, case_worker, units):
    admin = django_user_model.objects.create_superuser("root@example.no", "et-langt-passord-123")
    two_factor_login(client, admin, "et-langt-passord-123")

    from django.urls import reverse

    page = client.get(reverse("admin:accounts_user_change", args=[case_worker.pk])).content.decode()
    assert 'name="units"' in page
    changelist = client.get(reverse("admin:accounts_user_changelist"), {"units__id__exact": units["renovasjon"].pk})
    assert "sb@example.no" in changelist.content.decode()
    assert "root@example.no" not in changelist.content.decode()
