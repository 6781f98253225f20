"""Demo people for `make run`. Their random passwords are kept in var/demo-logins.txt (not in git), so
that loading the demo again changes nothing and prints the same logins."""

import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from tinget.core import audit
from tinget.core.models import Unit

from .models import User
from .staff import ADMINISTRATOR, CASE_WORKER, ensure_staff_roles

DEMO_USERS = [
    # email, display name, staff, superuser, role (a group, see staff.py)
    ("innbygger@example.no", "Ingrid Innbygger (demo)", False, False, None),
    ("saksbehandler@example.no", "Sander Saksbehandler (demo)", True, False, CASE_WORKER),
    ("admin@example.no", "Ada Administrator (demo)", True, True, ADMINISTRATOR),
]


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def _read_logins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if " " in line)
    return {email: password for email, password in pairs}


@transaction.atomic
def load_demo_users() -> dict[str, str]:
    """Create the demo people if they are missing; return {email: password}."""
    path = logins_file()
    known = _read_logins(path)
    roles = ensure_staff_roles()
    result = {}
    for email, name, staff, superuser, group in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        password = known.get(email)
        if user is None or password is None or not user.check_password(password):
            password = password if user is None and password else secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_user(
                    email, password, display_name=name, is_staff=staff, is_superuser=superuser
                )
                audit.log("load_demo", "accounts.user.demo_created", user)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if group:
            user.groups.add(roles[group])
        if group == CASE_WORKER and not user.units.exists():
            # The demo case worker handles fault reports about roads and parks; any unit would do.
            user.units.add(*Unit.objects.filter(slug="vei-og-park"))
        result[email] = password
    if result != known:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{e} {p}\n" for e, p in result.items()), encoding="utf-8")
        path.chmod(0o600)
    return result
