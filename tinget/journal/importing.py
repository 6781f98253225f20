"""Storing parsed journal records, and the import jobs staff start from the import page.

Public interface (stable: the task, `manage.py journal_import`, the views and the benchmarks rely on it):

    store(records, *, progress=None, batch_size=BATCH_SIZE) -> ImportReport
        Store what a parser (formats.py) yields, the whole file in one transaction. `progress(read)` is called
        after every batch with the number of records read so far.
    import_file(binary_file, format, *, progress=None) -> ImportReport
        Parse with the format's parser ("json", "csv", "xml") and store.
    import_start(*, actor, upload, format) -> ImportJob
        Service: checks journal.import_journal (NotAllowed), the format and the size (DomainError), saves the upload
        in the journal_files storage, audits, and runs the import in the background once the transaction commits.
    import_run(job_id) -> ImportJob | None
        What the background task does: runs one waiting job and records its outcome (done, rejected or failed).
    job_progress(job) -> dict | None
        {"read": records, "bytes": bytes read, "size": file size} while the job runs, from the "jobs" cache, which
        the worker writes while the import's own transaction is still open.
    content_hash(record) -> str

All or nothing: a record a parser rejected, a unit that does not exist, or an entry (journal year and sequence
number) that comes twice in the file rejects the whole file. Every problem is collected (the first MAX_ERRORS of
them listed, the rest counted), nothing more is written once one is found, and the transaction is rolled back.

Idempotent: each entry keeps a digest of what was imported for it (`JournalEntry.content_hash`, over the record
without its line number). The same file twice changes nothing (`unchanged`); an entry with the same number and
other content replaces the old one, its correspondents and documents included. Case files are found by case
number and updated when their title, date or unit change. The search text is written with the entry; on SQLite
the FTS index is written in the same transaction (PostgreSQL's tsvector column is generated).

Work goes in batches of BATCH_SIZE records, a handful of queries each, so memory stays flat whatever the size of
the file; only the numbers of the entries seen so far are kept, to find duplicates.
"""

import hashlib
import io
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tinget.core import audit
from tinget.core.errors import DomainError, NotAllowed
from tinget.core.models import Unit
from tinget.core.selectors import current_municipality

from . import rules, search
from .formats import PARSERS, Reason
from .models import CaseFile, Correspondent, Document, ImportJob, JournalEntry
from .records import EntryRecord, Rejected

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000
UPDATE_BATCH_SIZE = 250
MAX_ERRORS = 1_000
# Entry numbers as one int each (year * KEY_FACTOR + sequence): a million of them take some 60 MB.
KEY_FACTOR = 10**10
PROGRESS_KEY = "journal-import-{pk}"
PROGRESS_SECONDS = 24 * 60 * 60

UNKNOWN_UNIT = gettext_noop("Unknown unit “%(unit)s”: write the slug or the name of one of the municipality's units.")
DUPLICATE = gettext_noop("Journal entry %(year)s/%(sequence)s comes more than once in the file.")
MORE_ERRORS = gettext_noop("… and %(count)s more problems, not listed.")
FAILED = gettext_noop("The import stopped because of an error on the server; nothing was imported.")

ENTRY_UPDATE_FIELDS = [
    "case",
    "number",
    "journal_date",
    "document_date",
    "type",
    "public_title",
    "unit",
    "case_worker",
    "restriction_code",
    "legal_basis",
    "external_id",
    "published_at",
    "search_document",
    "names_faded_at",
    "content_hash",
    "updated_at",
]
CASE_UPDATE_FIELDS = ["public_title", "case_date", "unit", "classification", "external_id", "updated_at"]


@dataclass
class ImportReport:
    read: int = 0  # items the parser yielded: records and rejections
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line": int | None, "reason": str, "detail": Reason data}
    more_errors: int = 0  # problems beyond MAX_ERRORS, counted only

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    def reject(self, line, reason) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.more_errors += 1
            return
        if isinstance(reason, Reason):
            self.errors.append({"line": line, "reason": str(reason), "detail": reason.to_data()})
        else:
            self.errors.append({"line": line, "reason": str(reason)})

    def error_rows(self) -> list[dict]:
        """The errors as ImportJob.errors keeps them, with a last row counting those not listed."""
        rows = list(self.errors)
        if self.more_errors:
            reason = Reason(MORE_ERRORS, count=self.more_errors)
            rows.append({"line": None, "reason": str(reason), "detail": reason.to_data()})
        return rows


def content_hash(record: EntryRecord) -> str:
    """A digest of everything imported for an entry, but where it stood in the file. The canonical form is the
    repr() of a tuple of plain values (strings, numbers, booleans, ISO dates): stable, and cheap to build."""
    published = record.published_at.astimezone(UTC).isoformat() if record.published_at else None
    data = (
        record.case_year,
        record.case_sequence,
        record.case_title,
        record.case_date.isoformat() if record.case_date else None,
        record.case_unit,
        record.classification,
        record.case_external_id,
        record.year,
        record.sequence,
        record.number,
        record.journal_date.isoformat(),
        record.document_date.isoformat() if record.document_date else None,
        record.type,
        record.title,
        record.unit,
        record.case_worker,
        record.restriction_code,
        record.legal_basis,
        record.external_id,
        published,
        tuple((c.kind, "" if c.screened else c.name, c.is_person, c.screened) for c in record.correspondents),
        tuple((d.title, d.is_main, d.url) for d in record.documents),
    )
    return hashlib.sha256(repr(data).encode("utf-8", "surrogatepass")).hexdigest()


class _Units:
    """The municipality's units by slug and by name, compared case-insensitively (slugs win)."""

    def __init__(self):
        municipality = current_municipality()
        units = Unit.objects.all() if municipality is None else Unit.objects.filter(municipality=municipality)
        self.ids: dict[str, int] = {}
        rows = list(units.values_list("pk", "slug", "name"))
        for pk, slug, _name in rows:
            self.ids.setdefault(slug.casefold(), pk)
        for pk, _slug, name in rows:
            self.ids.setdefault(name.strip().casefold(), pk)

    def get(self, text: str) -> int | None:
        return self.ids.get(text.strip().casefold())


class _Writer:
    """Writes one batch of checked records: cases, entries, correspondents, documents, search index.

    New rows go in with COPY on PostgreSQL (ids drawn from the table's sequence first, one query), which costs a
    fraction of building model instances for bulk_create; other databases get bulk_create. Changed rows, which are
    few, go through bulk_update everywhere."""

    def __init__(self):
        self.now = timezone.now()
        self.fade_before = self.now - timedelta(days=settings.TINGET_JOURNAL_NAME_SEARCH_DAYS)
        self.postgres = connection.vendor == "postgresql"

    def _next_ids(self, model, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def insert(self, model, rows: list[dict], *, with_ids: bool = False) -> list[int]:
        """Insert rows (field attname -> value, the same keys in the same order in every row); returns the new ids
        when `with_ids`."""
        if not rows:
            return []
        if not self.postgres:
            objects = [model(**row) for row in rows]
            model.objects.bulk_create(objects)
            return [obj.pk for obj in objects]
        columns = {f.attname: f.column for f in model._meta.concrete_fields}
        names = list(rows[0])
        ids = self._next_ids(model, len(rows)) if with_ids else []
        if with_ids:
            names = ["id", *names]
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(columns[name]) for name in names)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if with_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row.values()))
            else:
                for row in rows:
                    copy.write_row(tuple(row.values()))
        return ids

    def existing(self, model, keys: set[tuple[int, int]], columns: list[str]) -> dict[tuple[int, int], tuple]:
        """The rows of `model` with these (year, sequence) keys: key -> the values of `columns`.

        On PostgreSQL a join with the keys as arrays, which the planner answers with one index probe per key even
        while the table grows inside this transaction without fresh statistics (`year IN … AND sequence IN …`
        would read every row of the year)."""
        if not keys:
            return {}
        if not self.postgres:
            rows = (
                model.objects.filter(year__in={y for y, _ in keys}, sequence__in={s for _, s in keys})
                .order_by()
                .values_list("year", "sequence", *columns)
            )
            return {(row[0], row[1]): row[2:] for row in rows if (row[0], row[1]) in keys}
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        selected = ", ".join(f"t.{quote(column)}" for column in columns)
        years, sequences = zip(*keys, strict=True)
        with connection.cursor() as cursor:
            # Table and column names come from the model and are quoted; the keys are parameters.
            cursor.execute(
                f"SELECT t.year, t.sequence, {selected} FROM {table} t "  # noqa: S608
                "JOIN unnest(%s::smallint[], %s::integer[]) AS k(year, sequence) "
                "ON t.year = k.year AND t.sequence = k.sequence",
                [list(years), list(sequences)],
            )
            return {(row[0], row[1]): row[2:] for row in cursor.fetchall()}

    def cases(self, batch) -> dict[tuple[int, int], int]:
        keys = {(r.case_year, r.case_sequence) for r, _, _ in batch}
        columns = ["id", "public_title", "case_date", "unit_id", "classification", "external_id"]
        found = self.existing(CaseFile, keys, columns)
        new: dict[tuple[int, int], dict] = {}
        changed: dict[tuple[int, int], CaseFile] = {}
        for record, _unit_id, case_unit_id in batch:
            key = (record.case_year, record.case_sequence)
            case = changed.get(key)
            if case is None and key in found:
                values = found[key]
                if (record.case_title, case_unit_id) == (values[1], values[3]) and (
                    record.case_date in (None, values[2])
                    and record.classification in ("", values[4])
                    and record.case_external_id in ("", values[5])
                ):
                    continue  # the common case: nothing to change
                case = CaseFile(year=key[0], sequence=key[1], **dict(zip(columns, values, strict=True)))
            if case is None:
                new[key] = {
                    "year": record.case_year,
                    "sequence": record.case_sequence,
                    "case_date": record.case_date
                    if record.case_date is not None
                    else new.get(key, {}).get("case_date"),
                    "public_title": record.case_title,
                    "unit_id": case_unit_id,
                    "classification": record.classification or new.get(key, {}).get("classification", ""),
                    "external_id": record.case_external_id or new.get(key, {}).get("external_id", ""),
                    "created_at": self.now,
                    "updated_at": self.now,
                }
                continue
            wanted = {"public_title": record.case_title, "unit_id": case_unit_id}
            if record.case_date is not None:
                wanted["case_date"] = record.case_date
            if record.classification:
                wanted["classification"] = record.classification
            if record.case_external_id:
                wanted["external_id"] = record.case_external_id
            if any(getattr(case, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(case, name, value)
                case.updated_at = self.now
                changed[key] = case
        ids = {key: values[0] for key, values in found.items()}
        ids.update(zip(new, self.insert(CaseFile, list(new.values()), with_ids=True), strict=True))
        if changed:
            CaseFile.objects.bulk_update(changed.values(), CASE_UPDATE_FIELDS, batch_size=UPDATE_BATCH_SIZE)
        return ids

    def write(self, batch, report: ImportReport) -> None:
        case_ids = self.cases(batch)
        keys = {(r.year, r.sequence) for r, _, _ in batch}
        existing = self.existing(JournalEntry, keys, ["id", "content_hash", "published_at"])
        new, changed = [], []
        for record, unit_id, _case_unit_id in batch:
            digest = content_hash(record)
            found = existing.get((record.year, record.sequence))
            if found is not None and found[1] == digest:
                report.unchanged += 1
                continue
            published_at = record.published_at or (found[2] if found else self.now)
            with_persons = published_at > self.fade_before
            names = [(c.name, c.is_person) for c in record.correspondents if not c.screened]
            row = {
                "case_id": case_ids[(record.case_year, record.case_sequence)],
                "year": record.year,
                "sequence": record.sequence,
                "number": record.number,
                "journal_date": record.journal_date,
                "document_date": record.document_date,
                "type": record.type,
                "public_title": record.title,
                "unit_id": unit_id,
                "case_worker": record.case_worker,
                "restriction_code": record.restriction_code,
                "legal_basis": record.legal_basis,
                "external_id": record.external_id,
                "published_at": published_at,
                "search_document": search.document_for(
                    title=record.title, case_title=record.case_title, names=names, with_persons=with_persons
                ),
                "names_faded_at": None if with_persons else self.now,
                "content_hash": digest,
                "created_at": self.now,
                "updated_at": self.now,
            }
            if found is None:
                new.append((row, record))
            else:
                del row["created_at"]
                changed.append((JournalEntry(pk=found[0], **row), record))
        ids = self.insert(JournalEntry, [row for row, _ in new], with_ids=True)
        written = [(pk, row["search_document"], record) for pk, (row, record) in zip(ids, new, strict=True)]
        if changed:
            changed_ids = [entry.pk for entry, _ in changed]
            JournalEntry.objects.bulk_update(
                [entry for entry, _ in changed], ENTRY_UPDATE_FIELDS, batch_size=UPDATE_BATCH_SIZE
            )
            Correspondent.objects.filter(entry_id__in=changed_ids).delete()
            Document.objects.filter(entry_id__in=changed_ids).delete()
            written += [(entry.pk, entry.search_document, record) for entry, record in changed]
        correspondents, documents = [], []
        for pk, _document, record in written:
            for order, c in enumerate(record.correspondents):
                correspondents.append(
                    {
                        "entry_id": pk,
                        "kind": c.kind,
                        # Belt and braces: the parsers already leave a screened name empty.
                        "name": "" if c.screened else c.name,
                        "is_person": c.is_person,
                        "screened": c.screened,
                        "order": order,
                    }
                )
            for order, d in enumerate(record.documents):
                documents.append(
                    {"entry_id": pk, "title": d.title, "is_main": d.is_main, "file": "", "url": d.url, "order": order}
                )
        self.insert(Correspondent, correspondents)
        self.insert(Document, documents)
        if not self.postgres and written:
            # PostgreSQL's tsvector column is generated from search_document; SQLite's FTS table is written here.
            search.engine().index([(pk, document) for pk, document, _ in written])
        report.created += len(new)
        report.updated += len(changed)


def store(
    records: Iterable[EntryRecord | Rejected],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Store parsed records, all or nothing (see the module's docstring). Returns the report; when it has errors,
    nothing was changed and the counts of created, updated and unchanged entries are 0."""
    report = ImportReport()
    with transaction.atomic():
        units = _Units()
        writer = _Writer()
        seen: set[int] = set()
        batch: list[tuple[EntryRecord, int, int]] = []
        for item in records:
            report.read += 1
            if isinstance(item, Rejected):
                report.reject(item.line, item.reason)
            else:
                checked = _check(item, units, seen, report)
                if checked is not None and not report.errors:
                    batch.append(checked)
            if report.errors:
                batch.clear()
            elif len(batch) >= batch_size:
                writer.write(batch, report)
                batch.clear()
            if progress is not None and report.read % batch_size == 0:
                progress(report.read)
        if batch and not report.errors:
            writer.write(batch, report)
        if progress is not None:
            progress(report.read)
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = report.unchanged = 0
    return report


def _check(record: EntryRecord, units: _Units, seen: set[int], report: ImportReport):
    """What the database would refuse: an unknown unit, an entry number already in the file."""
    problems = []
    key = record.year * KEY_FACTOR + record.sequence
    if key in seen:
        problems.append(Reason(DUPLICATE, year=record.year, sequence=record.sequence))
    else:
        seen.add(key)
    unit_id = units.get(record.unit)
    if unit_id is None:
        problems.append(Reason(UNKNOWN_UNIT, unit=record.unit))
    case_unit_id = unit_id
    if record.case_unit:
        case_unit_id = units.get(record.case_unit)
        if case_unit_id is None:
            problems.append(Reason(UNKNOWN_UNIT, unit=record.case_unit))
    if problems:
        report.reject(record.line, Reason.join(problems))
        return None
    return record, unit_id, case_unit_id


def import_file(binary_file, format: str, *, progress=None) -> ImportReport:
    """Parse a file in `format` ("json", "csv" or "xml") and store it."""
    return store(PARSERS[format](binary_file), progress=progress)


# --- Import jobs -----------------------------------------------------------------------------------------------
def import_start(*, actor, upload, format: str) -> ImportJob:
    """Take an uploaded file for import: saved in the protected journal storage, recorded as a waiting ImportJob,
    audited, and imported in the background once this transaction commits.

    Raises NotAllowed without the permission journal.import_journal, DomainError for an unknown format, an empty
    file or one over settings.TINGET_JOURNAL_IMPORT_MAX_BYTES."""
    if not rules.can_import(actor):
        raise NotAllowed
    if format not in ImportJob.Format.values:
        raise DomainError(_("Choose the format of the file: eInnsyn JSON, CSV or Noark 5 XML."), code="format")
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise DomainError(_("The file is empty."), code="empty")
    limit = settings.TINGET_JOURNAL_IMPORT_MAX_BYTES
    if size > limit:
        raise DomainError(
            _("The file is too large: at most %(max)s MB can be imported at a time."),
            code="too_large",
            params={"max": limit // (1024 * 1024)},
        )
    name = os.path.basename((upload.name or "").replace("\\", "/"))[:255] or "import"
    with transaction.atomic():
        job = ImportJob(format=format, original_name=name, size=size, created_by=actor)
        job.file.save(f"{uuid.uuid4().hex}.{format}", upload, save=False)
        job.save()
        audit.log(actor, "journal.import.started", job, {"format": format, "size": size, "name": name})

        def enqueue():
            from .tasks import run_import

            run_import.enqueue(job_id=job.pk)

        transaction.on_commit(enqueue)
    return job


class _Counting(io.RawIOBase):
    """A readable stream that counts the bytes read from `source`."""

    def __init__(self, source):
        self.source = source
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.source.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


def job_progress(job: ImportJob) -> dict | None:
    return caches["jobs"].get(PROGRESS_KEY.format(pk=job.pk))


def import_run(job_id: int) -> ImportJob | None:
    """Run one waiting import job (a job already taken by another worker is left alone) and record its outcome:
    `done` with the counts, `rejected` with the errors (nothing imported), or `failed` on an unexpected error."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return ImportJob.objects.filter(pk=job_id).first()
    job = ImportJob.objects.get(pk=job_id)
    jobs_cache = caches["jobs"]
    key = PROGRESS_KEY.format(pk=job.pk)
    jobs_cache.set(key, {"read": 0, "bytes": 0, "size": job.size}, PROGRESS_SECONDS)
    try:
        with job.file.open("rb") as source:
            counting = _Counting(source)

            def progress(read: int) -> None:
                jobs_cache.set(key, {"read": read, "bytes": counting.count, "size": job.size}, PROGRESS_SECONDS)

            report = import_file(io.BufferedReader(counting, 64 * 1024), job.format, progress=progress)
    except Exception:
        logger.exception("Journal import %s failed", job.pk)
        reason = Reason(FAILED)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED,
            finished_at=timezone.now(),
            errors=[{"line": None, "reason": str(reason), "detail": reason.to_data()}],
        )
        audit.log(job.created_by or "journal_import", "journal.import.failed", job, {})
        jobs_cache.delete(key)
        return ImportJob.objects.get(pk=job.pk)
    state = ImportJob.State.REJECTED if report.rejected else ImportJob.State.DONE
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        finished_at=timezone.now(),
        read=report.read,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=report.error_rows(),
    )
    audit.log(
        job.created_by or "journal_import",
        f"journal.import.{state}",
        job,
        {
            "read": report.read,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": report.error_count,
        },
    )
    jobs_cache.delete(key)
    return ImportJob.objects.get(pk=job.pk)
