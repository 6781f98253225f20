"""Privacy rights: download my data, delete my account, consents, retention, and the log of staff reading a
person's data.

What each module holds about a person comes from its registry entry (`personal_data`, `erase`, `retention` on
tinget.core.registry.Module); this file gathers and erases across all of them. Services change data inside
`transaction.atomic()` and write an audit entry; selectors only read.
"""

import io
import json
import logging
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from tempfile import SpooledTemporaryFile

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tinget.core import audit
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.mail import queue_email
from tinget.core.models import AuditEntry, Follow, Notification
from tinget.core.registry import registry
from tinget.core.selectors import current_municipality

from .models import Consent, Identity, Residency, User

logger = logging.getLogger(__name__)

STAFF_READ_ACTION = "privacy.personal_data.read"
USER_TARGET_TYPE = User._meta.label_lower


def _days(name, default):
    return int(getattr(settings, name, default))


# --- Errors ----------------------------------------------------------------------------------------------


class UnknownConsentPurpose(DomainError):
    default_message = _("There is no such consent to give or withdraw.")
    code = "unknown_consent_purpose"


class ConsentTextChanged(DomainError):
    default_message = _("The text changed after you opened the page. Read it again before you agree.")
    code = "consent_text_changed"


class StaffCannotDeleteThemselves(NotAllowed):
    default_message = _(
        "Staff accounts cannot be deleted here, because cases may depend on them. "
        "Ask an administrator to close your account."
    )
    code = "staff_cannot_delete_themselves"


class ErasureFailed(DomainError):
    default_message = _(
        "Your account could not be deleted just now, so nothing has been deleted. Please try again later. "
        "If it keeps happening, contact the municipality."
    )
    code = "erasure_failed"


class ExportFailed(DomainError):
    default_message = _("We could not put your data together just now. Please try again later.")
    code = "export_failed"


# --- Consents --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentPurpose:
    """Something a person may agree to. Change `version` whenever `text` changes in substance: consents
    given to an earlier version no longer count (see has_consent)."""

    slug: str
    title: Promise | str
    text: Promise | str
    version: str


class ConsentPurposes:
    """The purposes a person can consent to. Modules add their own in AppConfig.ready()."""

    def __init__(self):
        self._purposes: dict[str, ConsentPurpose] = {}

    def register(self, purpose: ConsentPurpose) -> ConsentPurpose:
        self._purposes[purpose.slug] = purpose
        return purpose

    def get(self, slug: str) -> ConsentPurpose | None:
        return self._purposes.get(slug)

    def __iter__(self) -> Iterator[ConsentPurpose]:
        return iter(list(self._purposes.values()))

    @contextmanager
    def temporarily(self, *purposes: ConsentPurpose):
        """Register (or replace) purposes for the duration of a block (tests)."""
        previous = {p.slug: self._purposes.get(p.slug) for p in purposes}
        for purpose in purposes:
            self.register(purpose)
        try:
            yield self
        finally:
            for slug, old in previous.items():
                if old is None:
                    self._purposes.pop(slug, None)
                else:
                    self._purposes[slug] = old


consent_purposes = ConsentPurposes()
consent_purposes.register(
    ConsentPurpose(
        slug="user_research",
        title=_("Invitations to help improve our services"),
        text=_(
            "The municipality may send you an e-mail now and then to invite you to try out new digital services "
            "and tell us what works and what does not. We use only your e-mail address for this, and taking part "
            "is always voluntary."
        ),
        version="2025-06-01",
    )
)


def _purpose_or_error(slug: str) -> ConsentPurpose:
    purpose = consent_purposes.get(slug)
    if purpose is None:
        raise UnknownConsentPurpose()
    return purpose


def record_consent(*, user, purpose: str, text_version: str) -> Consent:
    """Record that `user` agrees to `purpose` as worded in `text_version` (the version they were shown).

    Giving the same consent again changes nothing. Raises UnknownConsentPurpose, or ConsentTextChanged when
    the text was reworded after the person read it."""
    current = _purpose_or_error(purpose)
    if text_version != current.version:
        raise ConsentTextChanged()
    with transaction.atomic():
        existing = Consent.objects.filter(
            user=user, purpose=purpose, text_version=text_version, withdrawn_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        consent = Consent.objects.create(user=user, purpose=purpose, text_version=text_version, given_at=timezone.now())
        # The target is the person, not the consent: everything logged about a person is then found (and
        # unlabelled) by one query when they delete their account.
        audit.log(user, "accounts.consent.given", user, {"purpose": purpose, "text_version": text_version})
    return consent


def withdraw_consent(*, user, purpose: str) -> int:
    """Withdraw every consent `user` has given to `purpose`, whatever the version; returns how many.
    Withdrawing what was never given changes nothing. Raises UnknownConsentPurpose."""
    _purpose_or_error(purpose)
    with transaction.atomic():
        count = Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        if count:
            audit.log(user, "accounts.consent.withdrawn", user, {"purpose": purpose})
    return count


def has_consent(user, purpose: str) -> bool:
    """Whether `user` has a standing consent to the current wording of `purpose`."""
    current = consent_purposes.get(purpose)
    if current is None or not getattr(user, "is_authenticated", False):
        return False
    return Consent.objects.filter(
        user=user, purpose=purpose, text_version=current.version, withdrawn_at__isnull=True
    ).exists()


def consent_overview(user) -> list[dict]:
    """Each purpose with this person's standing consent to its current text (or None), and whether they
    agreed to an earlier wording only. One query."""
    standing = {}
    for consent in Consent.objects.filter(user=user, withdrawn_at__isnull=True).order_by("given_at"):
        standing.setdefault(consent.purpose, []).append(consent)
    overview = []
    for purpose in consent_purposes:
        consents = standing.get(purpose.slug, [])
        current = next((c for c in consents if c.text_version == purpose.version), None)
        overview.append({"purpose": purpose, "consent": current, "outdated": current is None and bool(consents)})
    return overview


# --- Staff reads -----------------------------------------------------------------------------------------


def _unit_name(unit) -> str | None:
    if unit is None or unit == "":
        return None
    return str(getattr(unit, "name", unit))


def log_personal_data_read(*, staff_user, subject_user, what, unit=None) -> AuditEntry:
    """Write to the audit log that `staff_user` opened `subject_user`'s personal data.

    `what` names what was read, in English and marked with gettext_noop (it is translated when the person
    sees it on Min side). `unit` is the staff member's unit (a core Unit or its name): the person is told
    which unit read their data, never the staff member's name."""
    if isinstance(what, Promise):
        with translation.override("en"):
            what = str(what)
    with transaction.atomic():
        return audit.log(staff_user, STAFF_READ_ACTION, subject_user, {"what": str(what), "unit": _unit_name(unit)})


def staff_reads(user):
    """The log of staff reading `user`'s data, newest first (audit entries; show `created_at` and `data`)."""
    return (
        AuditEntry.objects.filter(action=STAFF_READ_ACTION, target_type=USER_TARGET_TYPE, target_id=str(user.pk))
        .only("id", "created_at", "data")
        .order_by("-created_at", "-id")
    )


def describe_staff_read(entry: AuditEntry) -> dict:
    """What the person is told about one read, in the active language."""
    what = (entry.data or {}).get("what") or ""
    return {
        "at": entry.created_at,
        "unit": (entry.data or {}).get("unit") or gettext("The municipality (no unit recorded)"),
        "what": gettext(what) if what else "",
    }


# --- Download my data ------------------------------------------------------------------------------------


def _follows(user) -> list[dict]:
    follows = list(Follow.objects.filter(user=user).select_related("content_type").order_by("created_at", "id"))
    try:
        # One query per kind of object followed, not one per follow.
        prefetch_related_objects(follows, "target")
        named = True
    except (AttributeError, ValueError, TypeError):
        # A content type whose model is gone: list the follows without naming their objects.
        logger.warning("Could not name the objects a person follows", exc_info=True)
        named = False
    result = []
    for follow in follows:
        target = follow.target if named else None
        result.append(
            {
                "type": f"{follow.content_type.app_label}.{follow.content_type.model}",
                "object_id": follow.object_id,
                "object": str(target) if target is not None else None,
                "since": follow.created_at,
            }
        )
    return result


def personal_data(user) -> dict:
    """Everything Tinget holds about `user`, as JSON-serialisable data (with datetimes), keyed by kind.
    The keyed hash of the national identity number is left out: it is a means to refuse duplicates, not
    information about the person that they could use."""
    email_addresses = [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]
    identity = Identity.objects.filter(user=user).first()
    residency = Residency.objects.filter(user=user).select_related("municipality").first()
    data = {
        "format": "tinget-personal-data/1",
        "generated_at": timezone.now(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "notification_frequency": user.notification_frequency,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_staff": user.is_staff,
            "units": list(user.units.order_by("name").values_list("name", flat=True)),
            "groups": list(user.groups.order_by("name").values_list("name", flat=True)),
        },
        "email_addresses": email_addresses,
        "identity_level": {
            "email_verified": any(a["verified"] for a in email_addresses),
            "idporten": identity.acr if identity else None,
            "resident": residency.is_resident if residency else None,
        },
        "identity": None,
        "residency": None,
        "consents": [
            {
                "purpose": c.purpose,
                "text_version": c.text_version,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in Consent.objects.filter(user=user).order_by("given_at", "id")
        ],
        "follows": _follows(user),
        "notifications": [
            {
                "title": n["title"],
                "body": n["body"],
                "url": n["url"],
                "kind": n["verb"],
                "created_at": n["created_at"],
                "read_at": n["read_at"],
                "emailed_at": n["emailed_at"],
            }
            for n in Notification.objects.filter(user=user)
            .order_by("created_at", "id")
            .values("title", "body", "url", "verb", "created_at", "read_at", "emailed_at")
            .iterator(chunk_size=500)
        ],
        "staff_reads": [
            {"at": read["at"], "unit": read["unit"], "what": read["what"]}
            for read in (describe_staff_read(entry) for entry in staff_reads(user).iterator(chunk_size=500))
        ],
        "modules": {},
    }
    if identity is not None:
        data["identity"] = {
            "issuer": identity.issuer,
            "subject": identity.subject,
            "level": identity.acr,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "verified_at": identity.verified_at,
        }
    if residency is not None:
        data["residency"] = {
            "municipality": residency.municipality.name,
            "is_resident": residency.is_resident,
            "source": residency.source,
            "postcode": residency.postcode,
            "checked_at": residency.checked_at,
        }
    for module in registry:
        if module.personal_data is not None:
            data["modules"][module.slug] = module.personal_data(user)
    return data


# Headings and labels in the readable copy; keys not named here (from modules) are shown as they are.
SECTION_TITLES = {
    "account": _("Your account"),
    "email_addresses": _("E-mail addresses"),
    "identity_level": _("How sure we are who you are"),
    "identity": _("ID-porten"),
    "residency": _("Residency"),
    "consents": _("Consents"),
    "follows": _("What you follow"),
    "notifications": _("Notifications"),
    "staff_reads": _("When staff read your data"),
}
LABELS = {
    "id": _("Number"),
    "email": _("E-mail address"),
    "display_name": _("Display name"),
    "preferred_language": _("Preferred language"),
    "notification_frequency": _("E-mail notifications"),
    "date_joined": _("Registered"),
    "last_login": _("Last logged in"),
    "is_staff": _("Staff"),
    "units": _("Units"),
    "groups": _("Roles"),
    "verified": _("Verified"),
    "primary": _("Primary"),
    "email_verified": _("E-mail address confirmed"),
    "idporten": _("ID-porten level"),
    "resident": _("Resident"),
    "issuer": _("Issuer"),
    "subject": _("Pseudonymous identifier"),
    "level": _("Level of assurance"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "verified_at": _("Last verified"),
    "municipality": _("Municipality"),
    "is_resident": _("Resident"),
    "source": _("Source"),
    "postcode": _("Postcode"),
    "checked_at": _("Checked"),
    "purpose": _("Purpose"),
    "text_version": _("Text version"),
    "given_at": _("Given"),
    "withdrawn_at": _("Withdrawn"),
    "type": _("Kind"),
    "object_id": _("Number"),
    "object": _("What"),
    "since": _("Since"),
    "title": _("Title"),
    "body": _("Text"),
    "url": _("Link"),
    "kind": _("Kind"),
    "created_at": _("Created"),
    "read_at": _("Read"),
    "emailed_at": _("E-mailed"),
    "at": _("When"),
    "unit": _("Unit"),
    "what": _("What was read"),
}


def _label(key) -> str:
    key = str(key)
    label = LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def _html(value):
    """A JSON-like value as accessible HTML: a dict is a table with row headers, a list of dicts a table
    with column headers, any other list a list."""
    if value is None or value == "":
        return "\u2013"  # an en dash: nothing recorded
    if value == [] or value == {}:
        return gettext("Nothing")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, dict):
        rows = format_html_join(
            "", '<tr><th scope="row">{}</th><td>{}</td></tr>', ((_label(k), _html(v)) for k, v in value.items())
        )
        return format_html('<table border="1"><tbody>{}</tbody></table>', rows)
    if isinstance(value, list | tuple):
        if all(isinstance(item, dict) for item in value):
            keys = list(dict.fromkeys(k for item in value for k in item))
            head = format_html_join("", '<th scope="col">{}</th>', ((_label(k),) for k in keys))
            body = format_html_join(
                "",
                "<tr>{}</tr>",
                ((format_html_join("", "<td>{}</td>", ((_html(item.get(k)),) for k in keys)),) for item in value),
            )
            return format_html('<table border="1"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body)
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((_html(item),) for item in value)))
    return str(value)


def _readable_sections(data: dict) -> list[dict]:
    sections = [
        {"key": key, "title": SECTION_TITLES[key], "html": _html(data[key])}
        for key in SECTION_TITLES
        if key in data and (data[key] is not None or key not in ("identity", "residency"))
    ]
    for slug, module_data in data["modules"].items():
        module = registry.get(slug)
        sections.append({"key": f"module-{slug}", "title": module.name if module else slug, "html": _html(module_data)})
    return sections


def export_personal_data(*, user, language: str | None = None):
    """Put `user`'s data in a ZIP: `data.json` for machines and `index.html` for people, in `language`
    (default: the person's preferred language). Returns (file, filename); the file is positioned at the
    start and kept on disk once it grows past a few megabytes. Audit-logged. Raises ExportFailed when a
    module's provider fails."""
    language = language or user.preferred_language
    try:
        data = personal_data(user)
    except Exception as error:
        logger.exception("A personal-data provider failed for user %s", user.pk)
        raise ExportFailed() from error
    buffer = SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115 (returned open, closed by the response)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Written in pieces as json encodes it, rather than built as one string first.
        with io.TextIOWrapper(archive.open("data.json", "w"), encoding="utf-8") as stream:
            json.dump(data, stream, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        with translation.override(language):
            municipality = current_municipality()
            html = render_to_string(
                "accounts/privacy/export.html",
                {
                    "language": language,
                    "site_name": municipality.name if municipality else "Tinget",
                    "generated_at": data["generated_at"],
                    "email": user.email,
                    "sections": _readable_sections(data),
                },
            )
            filename = f"{gettext('my-data')}-{timezone.localdate():%Y-%m-%d}.zip"
        archive.writestr("index.html", html)
    buffer.seek(0)
    with transaction.atomic():
        audit.log(user, "accounts.user.data_exported", user, {"modules": sorted(data["modules"])})
    return buffer, filename


# --- Delete my account -----------------------------------------------------------------------------------


def retention_rules() -> list[dict]:
    """What each module keeps when a person deletes their account, as it declares in the registry."""
    return [{"module": m, "retention": m.retention} for m in registry if m.retention]


def _erase(user, *, actor_label: str, reason: str) -> int:
    """Erase `user` from every module and delete the account, inside the caller's transaction."""
    user_id = user.pk
    erased = []
    for module in registry:
        if module.erase is not None:
            module.erase(user)
            erased.append(module.slug)
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    Consent.objects.filter(user=user).delete()
    Identity.objects.filter(user=user).delete()
    Residency.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    # The audit log is kept, but the person's name and e-mail address leave it: entries they made or that
    # are about them keep the account number only.
    pseudonym = f"#{user_id}"
    AuditEntry.objects.filter(actor=user).update(actor_label=pseudonym)
    AuditEntry.objects.filter(target_type=USER_TARGET_TYPE, target_id=str(user_id)).update(target_label=pseudonym)
    user.delete()
    audit.log(actor_label, "accounts.user.deleted", None, {"user_id": user_id, "reason": reason, "modules": erased})
    return user_id


def delete_account(*, user, language: str | None = None) -> int:
    """Delete the person's own account: every module erases or unlinks what it holds (see each module's
    `retention`), then follows, notifications, consents, identity, residency, e-mail addresses and the user
    go, all in one transaction. A receipt is e-mailed after the commit. Returns the deleted account's number.

    Raises StaffCannotDeleteThemselves for staff, and ErasureFailed (nothing deleted) if a module fails."""
    if user.is_staff or user.is_superuser:
        raise StaffCannotDeleteThemselves()
    language = language or user.preferred_language
    address = user.email
    try:
        with transaction.atomic():
            user_id = _erase(user, actor_label=f"#{user.pk}", reason="own_request")
            with translation.override(language):
                municipality = current_municipality()
                context = {"municipality": municipality}
                queue_email(
                    subject=render_to_string("accounts/privacy/deleted_subject.txt", context).strip(),
                    body=render_to_string("accounts/privacy/deleted_message.txt", context),
                    to=[address],
                )
    except DomainError:
        raise
    except Exception as error:
        logger.exception("Deleting an account failed; nothing was deleted")
        raise ErasureFailed() from error
    return user_id


# --- Retention sweeps ------------------------------------------------------------------------------------


def delete_unverified_accounts(*, now: datetime | None = None) -> int:
    """Delete accounts that never confirmed an e-mail address within TINGET_UNVERIFIED_ACCOUNT_DAYS of
    signing up, never logged in and have no ID-porten identity. Staff are never touched. Each account
    goes in its own transaction, so one module failing for one account does not keep the others."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=_days("TINGET_UNVERIFIED_ACCOUNT_DAYS", 14))
    candidates = (
        User.objects.filter(
            date_joined__lt=cutoff, last_login__isnull=True, is_staff=False, is_superuser=False, identity__isnull=True
        )
        .exclude(emailaddress__verified=True)
        .order_by("pk")
    )
    deleted = 0
    # The numbers first: deleting rows from the table a cursor is still reading is unsafe on SQLite.
    for user_id in list(candidates.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                user = User.objects.filter(pk=user_id).first()
                if user is None:
                    continue
                _erase(user, actor_label="privacy_sweep", reason="never_verified")
        except Exception:
            logger.exception("Could not delete an unverified account; it is left for the next sweep")
            continue
        deleted += 1
    return deleted


def delete_old_read_notifications(*, now: datetime | None = None) -> int:
    """Delete notifications that were read and are older than TINGET_NOTIFICATION_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=_days("TINGET_NOTIFICATION_RETENTION_DAYS", 365))
    with transaction.atomic():
        count, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
        if count:
            audit.log("privacy_sweep", "privacy.notifications.deleted", None, {"count": count})
    return count


def prune_staff_read_details(*, now: datetime | None = None) -> int:
    """Strip staff-read log entries older than TINGET_STAFF_READ_DETAIL_DAYS down to when, by whom, which
    unit and whose account number: what was read and the person's name as it was then are removed. The
    entries themselves stay, as all of the audit log does."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=_days("TINGET_STAFF_READ_DETAIL_DAYS", 730))
    pending = (
        AuditEntry.objects.filter(action=STAFF_READ_ACTION, created_at__lt=cutoff)
        .filter(Q(data__has_key="what") | ~Q(target_label=""))
        .only("id", "data", "target_label")
        .order_by("pk")
    )
    pruned = 0
    with transaction.atomic():
        # A pruned entry no longer matches, so taking the first few again and again works through them all
        # without a cursor open on the table being written.
        while batch := list(pending[:500]):
            for entry in batch:
                entry.data = {"unit": (entry.data or {}).get("unit")}
                entry.target_label = ""
            pruned += AuditEntry.objects.bulk_update(batch, ["data", "target_label"])
    return pruned


def run_retention_sweeps(*, now: datetime | None = None) -> dict[str, int]:
    """Every retention sweep once; safe to run again (a second run finds nothing left to do)."""
    now = now or timezone.now()
    return {
        "unverified_accounts": delete_unverified_accounts(now=now),
        "read_notifications": delete_old_read_notifications(now=now),
        "staff_read_details": prune_staff_read_details(now=now),
    }


# Marked for translation where it is stored untranslated (see log_personal_data_read).
ADMIN_USER_RECORD = gettext_noop("Your account record, in the administration")
