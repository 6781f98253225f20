"""Loading a municipality profile (JSON) into the database. Idempotent: loading twice changes nothing."""

import json
from pathlib import Path

from django.db import transaction

from . import audit
from .models import Area, EmergencyContact, Municipality, Postcode, Unit

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"


def data_file(name_or_path: str, directory: Path, what: str) -> Path:
    """A JSON data file given as a path, or by name from `directory` (a municipality profile, a module's
    categories …). FileNotFoundError names `what` was looked for and where."""
    path = Path(name_or_path)
    if path.suffix == ".json" and path.exists():
        return path
    candidate = directory / f"{name_or_path}.json"
    if not candidate.exists():
        raise FileNotFoundError(f"No {what} named {name_or_path!r} (looked for {candidate})")
    return candidate


def profile_path(name_or_path: str) -> Path:
    return data_file(name_or_path, PROFILE_DIR, "municipality profile")


def _sync(model, lookup, values):
    """Create or update one row; return True when anything changed."""
    values = {k: (v if k in ("area",) else model._meta.get_field(k).to_python(v)) for k, v in values.items()}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        # Validate new rows too: a bad postcode or a missing field must stop the load, not land in the table.
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return True
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.full_clean()
        obj.save(update_fields=changed)
    return bool(changed)


@transaction.atomic
def load_profile(name_or_path: str, *, actor=None) -> tuple[Municipality, int]:
    """Create or update the municipality, its areas, postcodes, units and emergency numbers from a
    profile file. Returns the municipality and how many rows changed."""
    data = json.loads(profile_path(name_or_path).read_text(encoding="utf-8"))
    m = dict(data["municipality"])
    number = m.pop("number")
    changes = int(_sync(Municipality, {"number": number}, m))
    municipality = Municipality.objects.get(number=number)
    municipality.full_clean()

    for area in data.get("areas", []):
        area = dict(area)
        changes += _sync(Area, {"municipality": municipality, "slug": area.pop("slug")}, area)
    areas = {a.slug: a for a in Area.objects.filter(municipality=municipality)}
    for code, place, area_slug in data.get("postcodes", []):
        changes += _sync(
            Postcode, {"municipality": municipality, "code": code}, {"place": place, "area": areas.get(area_slug)}
        )
    for unit in data.get("units", []):
        unit = dict(unit)
        changes += _sync(Unit, {"municipality": municipality, "slug": unit.pop("slug")}, unit)
    for contact in data.get("emergency_contacts", []):
        contact = dict(contact)
        lookup = {"municipality": municipality, "kind": contact.pop("kind"), "name": contact.pop("name")}
        changes += _sync(EmergencyContact, lookup, contact)
    if changes:
        audit.log(actor or "load_profile", "core.municipality.profile_loaded", municipality, {"changes": changes})
    return municipality, changes
