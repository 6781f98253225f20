"""What every import format is parsed into before it touches the database: one `EntryRecord` per journal entry,
with its case, correspondents and documents. Parsers (formats.py) yield records or `Rejected` lines; the importer
(importing.py) stores records. The generator for demo data and benchmarks yields records too."""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class CorrespondentRecord:
    kind: str  # a CorrespondentKind value
    name: str  # empty when screened: a screened name never reaches the database
    is_person: bool = False
    screened: bool = False


@dataclass(frozen=True)
class DocumentRecord:
    title: str
    is_main: bool = True
    url: str = ""


@dataclass(frozen=True)
class EntryRecord:
    line: int  # where the record starts in the file (1-based), for the report
    case_year: int
    case_sequence: int
    case_title: str
    case_date: date | None
    year: int
    sequence: int
    number: int
    journal_date: date
    document_date: date | None
    type: str  # an EntryType value
    title: str  # the public title, screened words already replaced
    unit: str  # the unit's slug or name, as the archive writes it
    case_unit: str = ""  # the case's unit when it differs from the entry's
    case_worker: str = ""
    restriction_code: str = ""
    legal_basis: str = ""
    classification: str = ""
    external_id: str = ""
    case_external_id: str = ""
    published_at: datetime | None = None
    correspondents: tuple[CorrespondentRecord, ...] = field(default_factory=tuple)
    documents: tuple[DocumentRecord, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Rejected:
    line: int | None
    reason: str  # translatable text for the report (already a gettext string or lazy)
