"""The municipality profile: configuration as data, loaded idempotently and all-or-nothing."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tinget.accounts.demo import DEMO_USERS
from tinget.core.models import Area, AuditEntry, EmergencyContact, Municipality, Postcode, Unit
from tinget.core.profile import PROFILE_DIR, load_profile
from tinget.core.selectors import current_municipality

MODELS = (Municipality, Area, Postcode, Unit, EmergencyContact)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def asker_data():
    return json.loads((PROFILE_DIR / "asker.json").read_text(encoding="utf-8"))


def small_profile(**municipality):
    """A second, invented municipality: nothing in the code knows about it."""
    return {
        "municipality": {
            "number": "1234",
            "name": "Prøvelia kommune",
            "slug": "provelia",
            "county": "Prøvefylke",
            "population": 4200,
            "phone": "12 34 56 78",
            "email": "post@provelia.example.no",
            **municipality,
        },
        "areas": [{"slug": "nord", "name": "Nord"}, {"slug": "sor", "name": "Sør", "is_demo": True}],
        "postcodes": [["9990", "Prøvelia", "nord"], ["9991", "Sørbygda", "sor"]],
        "units": [{"slug": "teknisk", "name": "Teknisk etat", "email": "teknisk@provelia.example.no"}],
        "emergency_contacts": [{"kind": "on_call", "name": "Vakttelefon", "phone": "12 34 56 00"}],
    }


def write_profile(tmp_path, data, name="provelia.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
class TestLoadAsker:
    def test_loads_the_asker_profile(self):
        data = asker_data()

        municipality, changes = load_profile("asker")

        assert municipality.number == "3203"
        assert municipality.name == "Asker kommune"
        assert municipality.phone == "66 70 00 00"
        areas = Area.objects.filter(municipality=municipality)
        assert areas.count() == 8
        assert all(area.is_demo for area in areas)
        assert {a.name for a in areas} == {
            "Asker sentrum",
            "Borgen",
            "Heggedal",
            "Holmen",
            "Slemmestad",
            "Spikkestad",
            "Sætre",
            "Tofte",
        }
        assert municipality.postcodes.count() == len(data["postcodes"])
        assert municipality.postcodes.get(code="3475").area.name == "Sætre"
        assert municipality.units.count() == len(data["units"])
        assert municipality.emergency_contacts.count() == len(data["emergency_contacts"])
        assert set(municipality.emergency_contacts.values_list("phone", flat=True)) >= {"113", "110", "112"}
        expected_rows = 1 + 8 + len(data["postcodes"]) + len(data["units"]) + len(data["emergency_contacts"])
        assert changes == expected_rows
        entry = AuditEntry.objects.get(action="core.municipality.profile_loaded")
        assert entry.target_id == str(municipality.pk)
        assert entry.data == {"changes": expected_rows}

    def test_loading_twice_changes_nothing(self):
        load_profile("asker")
        before = counts()
        audit_before = AuditEntry.objects.count()

        _, changes = load_profile("asker")

        assert changes == 0
        assert counts() == before
        # Nothing changed, so there is nothing to account for either.
        assert AuditEntry.objects.count() == audit_before

    def test_a_changed_profile_updates_rows_in_place(self, tmp_path):
        load_profile("asker")
        data = asker_data()
        data["municipality"]["population"] = 101234
        data["areas"][0]["name"] = "Asker sentrum og Vardåsen"
        before = counts()

        municipality, changes = load_profile(str(write_profile(tmp_path, data, "asker-updated.json")))

        assert changes == 2
        assert counts() == before
        assert municipality.population == 101234
        assert Area.objects.get(municipality=municipality, slug="asker-sentrum").name == "Asker sentrum og Vardåsen"


@pytest.mark.django_db
class TestAnotherMunicipality:
    def test_second_profile_loads_without_code_change_and_setting_selects_it(self, tmp_path, settings):
        load_profile("asker")
        path = write_profile(tmp_path, small_profile())

        municipality, changes = load_profile(str(path))

        assert changes == 1 + 2 + 2 + 1 + 1
        assert municipality.areas.filter(is_demo=False).count() == 1
        assert current_municipality().number == "3203"
        settings.TINGET_MUNICIPALITY = "1234"
        assert current_municipality() == municipality
        assert current_municipality().name == "Prøvelia kommune"

    def test_hub_shows_the_selected_municipality(self, tmp_path, settings, client):
        from django.urls import reverse

        load_profile("asker")
        load_profile(str(write_profile(tmp_path, small_profile())))
        settings.TINGET_MUNICIPALITY = "1234"

        body = client.get(reverse("core:hub")).content.decode()

        assert "Prøvelia kommune" in body
        assert "12 34 56 78" in body
        assert "Asker" not in body

    def test_no_profile_loaded(self):
        assert current_municipality() is None


def bad_kommunenummer(data):
    data["municipality"]["number"] = "32a3"


def missing_municipality(data):
    del data["municipality"]


def missing_number(data):
    del data["municipality"]["number"]


def missing_name(data):
    del data["municipality"]["name"]


def missing_population(data):
    del data["municipality"]["population"]


def bad_postcode(data):
    data["postcodes"].append(["13a2", "Ingensteds", "nord"])


def bad_area_slug(data):
    data["areas"].append({"slug": "ikke en slug", "name": "Feil"})


def bad_email(data):
    data["units"][0]["email"] = "ikke-en-adresse"


def bad_kind(data):
    data["emergency_contacts"].append({"kind": "ufo", "name": "Ufo", "phone": "1"})


def bad_postcode_row(data):
    data["postcodes"].append(["9992"])


MALFORMED = [
    bad_kommunenummer,
    missing_municipality,
    missing_number,
    missing_name,
    missing_population,
    bad_postcode,
    bad_area_slug,
    bad_email,
    bad_kind,
    bad_postcode_row,
]


@pytest.mark.django_db
class TestMalformedProfile:
    @pytest.mark.parametrize("damage", MALFORMED, ids=lambda f: f.__name__)
    def test_raises_and_writes_nothing(self, tmp_path, damage):
        load_profile("asker")
        before = counts()
        audit_before = AuditEntry.objects.count()
        data = small_profile()
        damage(data)
        path = write_profile(tmp_path, data)

        with pytest.raises((ValidationError, KeyError, ValueError)):
            load_profile(str(path))

        assert counts() == before
        assert AuditEntry.objects.count() == audit_before

    @pytest.mark.parametrize("damage", MALFORMED, ids=lambda f: f.__name__)
    def test_command_reports_a_clean_error(self, tmp_path, damage):
        data = small_profile()
        damage(data)
        path = write_profile(tmp_path, data)

        with pytest.raises(CommandError):
            call_command("load_profile", str(path), stdout=StringIO())

        assert counts() == dict.fromkeys(counts(), 0)

    def test_a_bad_update_to_a_loaded_profile_keeps_the_old_rows(self, tmp_path):
        load_profile(str(write_profile(tmp_path, small_profile())))
        data = small_profile(population=5000)
        data["postcodes"].append(["99x9", "Feil", "nord"])

        with pytest.raises(ValidationError):
            load_profile(str(write_profile(tmp_path, data, "changed.json")))

        assert Municipality.objects.get(number="1234").population == 4200

    def test_not_json(self, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text("{not json", encoding="utf-8")

        with pytest.raises(CommandError):
            call_command("load_profile", str(path), stdout=StringIO())


@pytest.mark.django_db
class TestLoadProfileCommand:
    def test_loads_by_name(self):
        out = StringIO()

        call_command("load_profile", "asker", stdout=out)

        assert "Asker kommune (3203)" in out.getvalue()
        assert Municipality.objects.filter(number="3203").exists()

    def test_unknown_profile_name(self):
        with pytest.raises(CommandError, match="finnes-ikke"):
            call_command("load_profile", "finnes-ikke", stdout=StringIO())
        assert Municipality.objects.count() == 0


def login_lines(output):
    return [line.split() for line in output.splitlines() if re.match(r"^\s+\S+@example\.no\s+\S+$", line)]


@pytest.mark.django_db
class TestLoadDemo:
    def test_twice_prints_the_same_logins_and_creates_the_users_once(self, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        first, second = StringIO(), StringIO()

        call_command("load_demo", stdout=first)
        users_after_first = get_user_model().objects.count()
        call_command("load_demo", stdout=second)

        demo_emails = [row[0] for row in DEMO_USERS]
        assert [email for email, _ in login_lines(first.getvalue())] == demo_emails
        assert login_lines(first.getvalue()) == login_lines(second.getvalue())
        # Modules add invented residents who log in only through ID-porten (placeholder .invalid addresses);
        # the logins printed are the people one can log in as with a password.
        with_password = get_user_model().objects.exclude(email__endswith=".invalid")
        assert with_password.count() == len(demo_emails)
        assert get_user_model().objects.count() == users_after_first
        assert Municipality.objects.get().number == "3203"
        for email, password in login_lines(second.getvalue()):
            assert get_user_model().objects.get(email=email).check_password(password)
        admin = get_user_model().objects.get(email="admin@example.no")
        assert admin.is_superuser and admin.is_staff
        assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o777 == 0o600

    def test_quiet_logins_prints_no_passwords(self, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        out = StringIO()

        call_command("load_demo", "--quiet-logins", stdout=out)

        assert login_lines(out.getvalue()) == []
        assert get_user_model().objects.exclude(email__endswith=".invalid").count() == len(DEMO_USERS)

    def test_a_lost_logins_file_gives_new_working_passwords(self, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        first = StringIO()
        call_command("load_demo", stdout=first)
        (tmp_path / "demo-logins.txt").unlink()
        second = StringIO()

        call_command("load_demo", stdout=second)

        for email, password in login_lines(second.getvalue()):
            assert get_user_model().objects.get(email=email).check_password(password)
        assert get_user_model().objects.exclude(email__endswith=".invalid").count() == len(DEMO_USERS)
