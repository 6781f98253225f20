"""Parsers for the three import formats of the mail journal. Each reads a binary file as a stream (never the whole
file at once) and yields one `EntryRecord` per journal entry, or a `Rejected` with the line (or record number) and
the reason when an entry, or the file itself, cannot be taken in. The importer (importing.py) stores what they
yield; docs/journal.md ("Import formats") describes the formats for the archive's people.

Public interface (stable: the importer, the task, `manage.py journal_import` and the benchmarks rely on it):

    parse_json(binary_file) -> Iterator[EntryRecord | Rejected]   eInnsyn's JSON (its API's field names)
    parse_csv(binary_file) -> Iterator[EntryRecord | Rejected]    the documented CSV (CSV_COLUMNS)
    parse_xml(binary_file) -> Iterator[EntryRecord | Rejected]    Noark 5 "offentlig journal" XML
    PARSERS                       {"json": parse_json, "csv": parse_csv, "xml": parse_xml} (ImportJob.Format values)
    format_for_name(name) -> str | None    the format a file name's extension says
    write_csv(records, text_file, delimiter=";") -> int    records as the documented CSV (demo data, benchmarks)
    Reason, render_reason(data) -> str     a reason for the report, kept as msgid and parameters so the report
                                           page can show it in the reader's language

Every field is checked: required fields present, whole numbers in range, dates written YYYY-MM-DD, a known entry
type and kind of correspondent, text within its length and free of control characters, web addresses for files.
A screened correspondent's name never leaves the parser: the record holds an empty name.

XML is parsed by defusedxml's parser with a document type declaration (DTD), entity declarations and external
references all forbidden, so an entity bomb, an external entity or any DTD stops the file at once with its line.
"""

import csv
import functools
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import ijson
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from .models import CorrespondentKind, EntryType
from .records import CorrespondentRecord, DocumentRecord, EntryRecord, Rejected

# --- Limits ----------------------------------------------------------------------------------------------------
TITLE_MAX = 1_000
UNIT_MAX = 150  # core.Unit.name
NAME_MAX = 300  # Correspondent.name
CASE_WORKER_MAX = 200
RESTRICTION_MAX = 20
LEGAL_BASIS_MAX = 200
CLASSIFICATION_MAX = 100
EXTERNAL_ID_MAX = 200
URL_MAX = 500
MAX_CORRESPONDENTS = 100
MAX_DOCUMENTS = 100
YEAR_MIN, YEAR_MAX = 1700, 2200
NUMBER_MAX = 2_147_483_647  # a PositiveIntegerField on PostgreSQL
VALUE_SHOWN = 60  # how much of a wrong value a reason repeats
CHUNK = 64 * 1024
XML_TEXT_MAX = 20_000  # text kept per XML element; longer text is reported as too long without holding it all
XML_DEPTH_MAX = 64
JSON_DEPTH_MAX = 16
XML_CHILDREN_MAX = 1_000

# --- Reasons ---------------------------------------------------------------------------------------------------
# Marked with gettext_noop: the msgid is stored with the report and translated when the report is read.
REQUIRED = gettext_noop("%(field)s is missing.")
NOT_TEXT = gettext_noop("%(field)s must be text.")
NOT_INTEGER = gettext_noop("%(field)s must be a whole number, not “%(value)s”.")
OUT_OF_RANGE = gettext_noop("%(field)s must be between %(min)s and %(max)s, not %(value)s.")
BAD_DATE = gettext_noop("%(field)s must be a date written YYYY-MM-DD, not “%(value)s”.")
NO_SUCH_DATE = gettext_noop("%(field)s is not a date that exists: “%(value)s”.")
BAD_DATETIME = gettext_noop(
    "%(field)s must be a date and time written YYYY-MM-DDTHH:MM:SS with a time zone, not “%(value)s”."
)
UNKNOWN_TYPE = gettext_noop("%(field)s “%(value)s” is not a known entry type (I, U, N, X or S).")
UNKNOWN_KIND = gettext_noop(
    "%(field)s “%(value)s” is not a known kind of correspondent (sender, recipient, copy, group, internal_sender "
    "or internal_recipient)."
)
UNKNOWN_ROLE = gettext_noop("%(field)s “%(value)s” is neither main nor attachment.")
TOO_LONG = gettext_noop("%(field)s is too long: %(length)s characters, at most %(max)s.")
BAD_CHARACTERS = gettext_noop("%(field)s contains control characters, which are not allowed.")
BAD_URL = gettext_noop("%(field)s must be a web address starting with https:// or http://.")
TOO_MANY = gettext_noop("%(field)s has %(count)s items, at most %(max)s.")
REFERENCE_ONLY = gettext_noop("%(field)s must hold the data itself, not only a reference to it.")
BAD_CASE_NUMBER = gettext_noop("%(field)s must be a case number written YEAR/NUMBER, not “%(value)s”.")
NO_ENTRIES = gettext_noop("The file holds no journal entries.")
NOT_UTF8 = gettext_noop("The file is not UTF-8 text.")
RECORD = gettext_noop("Record %(number)s: %(problem)s")
JSON_NOT_OBJECT = gettext_noop("the entry is not a JSON object.")
JSON_SHAPE = gettext_noop(
    "The file must hold a JSON array of journal entries, or an object with the entries in “items”."
)
JSON_BROKEN = gettext_noop("The JSON is broken after record %(number)s: %(error)s")
JSON_TOO_DEEP = gettext_noop("the entry is nested more than %(max)s levels deep.")
CSV_BROKEN = gettext_noop("The CSV cannot be read here: %(error)s")
CSV_FIELD_COUNT = gettext_noop("The line has %(count)s fields; the header has %(expected)s.")
CSV_MISSING = gettext_noop("The header lacks the required columns: %(columns)s.")
CSV_UNKNOWN = gettext_noop("The header has unknown columns: %(columns)s.")
CSV_TWICE = gettext_noop("The header names a column more than once: %(columns)s.")
CSV_HEADER_TOO_LONG = gettext_noop("The first line is too long to be a header.")
XML_BROKEN = gettext_noop("The XML is broken: %(error)s")
XML_DTD = gettext_noop("The file has a document type declaration (DTD), which an import may not have.")
XML_ENTITY = gettext_noop("The file declares an entity, which an import may not do.")
XML_EXTERNAL = gettext_noop("The file refers to an external resource, which an import may not do.")
XML_ROOT = gettext_noop(
    "The root element is “%(element)s”, not “offentligJournal”: this is not a Noark 5 public journal."
)
XML_ENCODING = gettext_noop("The file's declared character encoding cannot be read; write the file in UTF-8.")
XML_TOO_DEEP = gettext_noop("The XML is nested more than %(max)s levels deep.")
XML_TOO_MANY = gettext_noop("The element “%(element)s” has more than %(max)s child elements.")


class Reason:
    """Why a record or a file was rejected: a msgid and its parameters. A parameter may itself be a Reason, and
    `Reason.join` makes one reason of several. `str()` translates into the active language; `to_data()` keeps it
    for the report (JSON), and `render_reason()` translates that later for whoever reads the report."""

    __slots__ = ("message", "params")

    def __init__(self, message, **params):
        self.message = message
        self.params = params

    @classmethod
    def join(cls, reasons):
        reasons = list(reasons)
        return reasons[0] if len(reasons) == 1 else cls(None, parts=reasons)

    def to_data(self) -> dict:
        if self.message is None:
            return {"parts": [part.to_data() for part in self.params["parts"]]}
        return {
            "message": self.message,
            "params": {k: v.to_data() if isinstance(v, Reason) else v for k, v in self.params.items()},
        }

    def __str__(self):
        return render_reason(self.to_data())

    def __repr__(self):
        return f"Reason({self.to_data()!r})"

    def __eq__(self, other):
        return isinstance(other, Reason) and self.to_data() == other.to_data()

    def __hash__(self):
        return hash(repr(self))


def render_reason(data) -> str:
    """A stored reason (Reason.to_data()) in the active language."""
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return ""
    if "parts" in data:
        return "; ".join(render_reason(part) for part in data["parts"])
    params = {k: render_reason(v) if isinstance(v, dict) else v for k, v in (data.get("params") or {}).items()}
    message = data.get("message") or ""
    if not message:
        return ""
    try:
        return gettext(message) % params
    except (KeyError, TypeError, ValueError):
        return message


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"


# --- Values ----------------------------------------------------------------------------------------------------
# Control characters (but tab and line breaks), lone surrogates, and the two non-characters: nothing a title needs,
# and PostgreSQL refuses NUL outright.
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_STRICT_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# JSON and XML may carry a time or a zone after the date (xs:date allows "2026-11-27+01:00").
_LOOSE_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_DIGITS = re.compile(r"[+]?[0-9]{1,12}")
_SCREENED_NAMES = {"", "skjermet", "unntatt offentlighet", "unntatt", "screened"}


@functools.lru_cache(maxsize=4096)
def _word(value: str) -> str:
    """A code as archives write it, compared loosely: "Inngående dokument", "inngaaende_dokument" and
    "http://…/inngaaende-dokument" are the same word."""
    text = value.strip().casefold()
    text = re.split(r"[/#]", text)[-1] if ("/" in text or "#" in text) else text
    text = text.replace("å", "aa").replace("ø", "oe").replace("æ", "ae")
    return re.sub(r"[\s\-]+", "_", text)


_TYPES = {
    "i": EntryType.INCOMING,
    "u": EntryType.OUTGOING,
    "n": EntryType.INTERNAL_FOLLOW_UP,
    "x": EntryType.INTERNAL,
    "s": EntryType.CASE_PRESENTATION,
    "inngaaende_dokument": EntryType.INCOMING,
    "utgaaende_dokument": EntryType.OUTGOING,
    "organinternt_dokument_for_oppfoelging": EntryType.INTERNAL_FOLLOW_UP,
    "organinternt_dokument_uten_oppfoelging": EntryType.INTERNAL,
    "saksframlegg": EntryType.CASE_PRESENTATION,
    "incoming": EntryType.INCOMING,
    "outgoing": EntryType.OUTGOING,
}
_KINDS = {
    **{kind.value: kind.value for kind in CorrespondentKind},
    "avsender": CorrespondentKind.SENDER,
    "mottaker": CorrespondentKind.RECIPIENT,
    "kopimottaker": CorrespondentKind.COPY_RECIPIENT,
    "gruppemottaker": CorrespondentKind.GROUP_RECIPIENT,
    "intern_avsender": CorrespondentKind.INTERNAL_SENDER,
    "intern_mottaker": CorrespondentKind.INTERNAL_RECIPIENT,
    "intern_kopimottaker": CorrespondentKind.INTERNAL_RECIPIENT,
    # Noark 5 v5 codes.
    "ea": CorrespondentKind.SENDER,
    "em": CorrespondentKind.RECIPIENT,
    "ek": CorrespondentKind.COPY_RECIPIENT,
    "gm": CorrespondentKind.GROUP_RECIPIENT,
    "ia": CorrespondentKind.INTERNAL_SENDER,
    "im": CorrespondentKind.INTERNAL_RECIPIENT,
    "ik": CorrespondentKind.INTERNAL_RECIPIENT,
}
_MAIN_ROLES = {"main", "hoveddokument"}
_ATTACHMENT_ROLES = {"attachment", "vedlegg"}


class _Checker:
    """Turns what a parser found (`raw`, keyed by EntryRecord's field names) into an EntryRecord, collecting every
    problem. `names` gives each field's name as the file writes it, for the reasons."""

    def __init__(self, names: dict[str, str], *, strict_dates: bool, prefix: str = ""):
        self.names = names
        self.strict_dates = strict_dates
        self.prefix = prefix
        self.problems: list[Reason] = []

    def name(self, key: str) -> str:
        return self.prefix + self.names.get(key, key)

    def problem(self, message, key, **params):
        self.problems.append(Reason(message, field=self.name(key), **params))

    def text(self, key, value, *, max_length, required=False) -> str:
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            self.problem(NOT_TEXT, key)
            return ""
        if not text:
            if required:
                self.problem(REQUIRED, key)
            return ""
        if len(text) > max_length:
            self.problem(TOO_LONG, key, length=len(text), max=max_length)
            return ""
        if _BAD_CHARACTERS.search(text):
            self.problem(BAD_CHARACTERS, key)
            return ""
        return text

    def integer(self, key, value, *, low=0, high=NUMBER_MAX, required=True) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(REQUIRED, key)
            return None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            number = int(value.strip())
        else:
            number = None
        if number is None:
            self.problem(NOT_INTEGER, key, value=_shown(value))
            return None
        if not low <= number <= high:
            self.problem(OUT_OF_RANGE, key, min=low, max=high, value=_shown(number))
            return None
        return number

    def date(self, key, value, *, required=False) -> date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(REQUIRED, key)
            return None
        if not isinstance(value, str):
            self.problem(BAD_DATE, key, value=_shown(value))
            return None
        text = value.strip()
        match = (_STRICT_DATE if self.strict_dates else _LOOSE_DATE).fullmatch(text)
        if not match:
            self.problem(BAD_DATE, key, value=_shown(text))
            return None
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            self.problem(NO_SUCH_DATE, key, value=_shown(text))
            return None
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            self.problem(OUT_OF_RANGE, key, min=YEAR_MIN, max=YEAR_MAX, value=day.year)
            return None
        return day

    def moment(self, key, value) -> datetime | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = value.strip() if isinstance(value, str) else ""
        try:
            if not text or len(text) > 40 or not text[:4].isdigit():
                raise ValueError
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            self.problem(BAD_DATETIME, key, value=_shown(value))
            return None
        if not YEAR_MIN <= moment.year <= YEAR_MAX:
            self.problem(OUT_OF_RANGE, key, min=YEAR_MIN, max=YEAR_MAX, value=moment.year)
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def choice(self, key, value, table, message, *, required=True) -> str:
        text = self.text(key, value, max_length=200, required=required)
        if not text:
            return ""
        found = table.get(_word(text))
        if found is None:
            self.problem(message, key, value=_shown(text))
            return ""
        return str(found)

    def url(self, key, value) -> str:
        text = self.text(key, value, max_length=URL_MAX)
        if text and not re.fullmatch(r"https?://[^\s<>\"]+", text, re.IGNORECASE):
            self.problem(BAD_URL, key)
            return ""
        return text

    def correspondent(self, index, raw) -> CorrespondentRecord | None:
        prefix = f"{self.name('correspondents')}[{index}]."
        sub = _Checker(self.names["correspondent_fields"], strict_dates=self.strict_dates, prefix=prefix)
        kind = sub.choice("kind", raw.get("kind"), _KINDS, UNKNOWN_KIND)
        public = sub.text("name", raw.get("name"), max_length=NAME_MAX)
        sensitive = sub.text("sensitive", raw.get("sensitive"), max_length=NAME_MAX)
        self.problems.extend(sub.problems)
        if sub.problems:
            return None
        if raw.get("screened") or _is_screened_name(public):
            # A screened (or missing) name is never kept, whatever else the record says about it.
            return CorrespondentRecord(kind=kind, name="", is_person=bool(raw.get("is_person")), screened=True)
        if sensitive and sensitive != public:
            # eInnsyn: the sensitive variant is a private person's name, shown for a while, then only the public one.
            return CorrespondentRecord(kind=kind, name=sensitive, is_person=True)
        return CorrespondentRecord(kind=kind, name=public or sensitive, is_person=bool(raw.get("is_person")))

    def document(self, index, raw) -> DocumentRecord | None:
        prefix = f"{self.name('documents')}[{index}]."
        sub = _Checker(self.names["document_fields"], strict_dates=self.strict_dates, prefix=prefix)
        title = sub.text("title", raw.get("title"), max_length=TITLE_MAX, required=True)
        role = sub.text("role", raw.get("role"), max_length=200)
        url = sub.url("url", raw.get("url"))
        is_main = index == 1
        if role:
            word = _word(role)
            if word in _MAIN_ROLES:
                is_main = True
            elif word in _ATTACHMENT_ROLES:
                is_main = False
            else:
                sub.problem(UNKNOWN_ROLE, "role", value=_shown(role))
        self.problems.extend(sub.problems)
        return None if sub.problems else DocumentRecord(title=title, is_main=is_main, url=url)

    def items(self, key, values, build, limit):
        if values is None:
            return ()
        if not isinstance(values, list | tuple):
            values = [values]
        if len(values) > limit:
            self.problem(TOO_MANY, key, count=len(values), max=limit)
            return ()
        built = []
        for index, raw in enumerate(values, start=1):
            if not isinstance(raw, dict):
                self.problem(REFERENCE_ONLY, key)
                return ()
            item = build(index, raw)
            if item is not None:
                built.append(item)
        return tuple(built)

    def record(self, raw: dict, line: int) -> EntryRecord | Reason:
        """The record, or one Reason for all its problems."""
        text = self.text
        case_year = self.integer("case_year", raw.get("case_year"), low=YEAR_MIN, high=YEAR_MAX)
        case_sequence = self.integer("case_sequence", raw.get("case_sequence"))
        case_title = text("case_title", raw.get("case_title"), max_length=TITLE_MAX, required=True)
        case_date = self.date("case_date", raw.get("case_date"))
        year = self.integer("year", raw.get("year"), low=YEAR_MIN, high=YEAR_MAX)
        sequence = self.integer("sequence", raw.get("sequence"))
        number = self.integer("number", raw.get("number"))
        journal_date = self.date("journal_date", raw.get("journal_date"), required=True)
        document_date = self.date("document_date", raw.get("document_date"))
        type_ = self.choice("type", raw.get("type"), _TYPES, UNKNOWN_TYPE)
        title = text("title", raw.get("title"), max_length=TITLE_MAX, required=True)
        case_unit = text("case_unit", raw.get("case_unit"), max_length=UNIT_MAX)
        unit = text("unit", raw.get("unit"), max_length=UNIT_MAX, required=not case_unit) or case_unit
        case_worker = text("case_worker", raw.get("case_worker"), max_length=CASE_WORKER_MAX)
        restriction_code = text("restriction_code", raw.get("restriction_code"), max_length=RESTRICTION_MAX)
        legal_basis = text("legal_basis", raw.get("legal_basis"), max_length=LEGAL_BASIS_MAX)
        classification = text("classification", raw.get("classification"), max_length=CLASSIFICATION_MAX)
        external_id = text("external_id", raw.get("external_id"), max_length=EXTERNAL_ID_MAX)
        case_external_id = text("case_external_id", raw.get("case_external_id"), max_length=EXTERNAL_ID_MAX)
        published_at = self.moment("published_at", raw.get("published_at"))
        correspondents = self.items("correspondents", raw.get("correspondents"), self.correspondent, MAX_CORRESPONDENTS)
        if raw.get("screen_names"):
            correspondents = tuple(
                CorrespondentRecord(kind=c.kind, name="", is_person=c.is_person, screened=True) for c in correspondents
            )
        documents = self.items("documents", raw.get("documents"), self.document, MAX_DOCUMENTS)
        if self.problems:
            return Reason.join(self.problems)
        return EntryRecord(
            line=line,
            case_year=case_year,
            case_sequence=case_sequence,
            case_title=case_title,
            case_date=case_date,
            year=year,
            sequence=sequence,
            number=number,
            journal_date=journal_date,
            document_date=document_date,
            type=type_,
            title=title,
            unit=unit,
            case_unit=case_unit if case_unit != unit else "",
            case_worker=case_worker,
            restriction_code=restriction_code,
            legal_basis=legal_basis,
            classification=classification,
            external_id=external_id,
            case_external_id=case_external_id,
            published_at=published_at,
            correspondents=correspondents,
            documents=documents,
        )


def _is_screened_name(name: str) -> bool:
    text = name.strip()
    return text.strip("*") == "" or text.casefold() in _SCREENED_NAMES


def _nothing_found(count: int) -> Iterator[Rejected]:
    if count == 0:
        yield Rejected(None, Reason(NO_ENTRIES))


# --- eInnsyn JSON ----------------------------------------------------------------------------------------------
JSON_NAMES = {
    "case_year": "saksmappe.saksaar",
    "case_sequence": "saksmappe.sakssekvensnummer",
    "case_title": "saksmappe.offentligTittel",
    "case_date": "saksmappe.saksdato",
    "case_unit": "saksmappe.administrativEnhet",
    "case_external_id": "saksmappe.id",
    "classification": "saksmappe.klasse",
    "year": "journalaar",
    "sequence": "journalsekvensnummer",
    "number": "journalpostnummer",
    "journal_date": "journaldato",
    "document_date": "dokumentetsDato",
    "type": "journalposttype",
    "title": "offentligTittel",
    "unit": "administrativEnhet",
    "case_worker": "saksbehandler",
    "restriction_code": "skjerming.tilgangsrestriksjon",
    "legal_basis": "skjerming.skjermingshjemmel",
    "external_id": "id",
    "published_at": "publisertDato",
    "correspondents": "korrespondansepart",
    "correspondent_fields": {
        "kind": "korrespondanseparttype",
        "name": "korrespondansepartNavn",
        "sensitive": "korrespondansepartNavnSensitiv",
    },
    "documents": "dokumentbeskrivelse",
    "document_fields": {
        "title": "tittel",
        "role": "tilknyttetRegistreringSom",
        "url": "dokumentobjekt.referanseDokumentfil",
    },
}


class _Prefixed(io.RawIOBase):
    """A binary stream that starts with `head` and goes on with `rest`."""

    def __init__(self, head: bytes, rest):
        self.head = head
        self.rest = rest

    def readable(self):
        return True

    def read(self, size=-1):
        if self.head:
            if size is None or size < 0:
                data, self.head = self.head + self.rest.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.rest.read(size)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _first_significant(binary_file) -> tuple[bytes, _Prefixed]:
    """The first byte that is not white space or a byte order mark, and a stream starting there."""
    while True:
        chunk = binary_file.read(CHUNK)
        if not chunk:
            return b"", _Prefixed(b"", binary_file)
        chunk = chunk.lstrip(b" \t\r\n\xef\xbb\xbf")
        if chunk:
            return chunk[:1], _Prefixed(chunk, binary_file)


def _unit_of(mappe: dict):
    unit = mappe.get("administrativEnhet")
    if unit in (None, ""):
        found = mappe.get("administrativEnhetObjekt")
        if isinstance(found, dict):
            unit = found.get("enhetskode") or found.get("navn")
    return unit


def _first_text(*values):
    for value in values:
        if value not in (None, ""):
            return value
    return None


def _json_raw(post: dict, case) -> dict:
    """What an eInnsyn journalpost (and its saksmappe) says, by EntryRecord's field names."""
    raw: dict = {}
    if isinstance(case, dict):
        raw.update(
            case_year=case.get("saksaar"),
            case_sequence=case.get("sakssekvensnummer"),
            case_title=case.get("offentligTittel"),
            case_date=case.get("saksdato"),
            case_unit=_unit_of(case),
            case_external_id=_first_text(case.get("id"), case.get("systemId"), case.get("externalId")),
        )
        number = case.get("saksnummer")
        if raw["case_year"] is None and raw["case_sequence"] is None and isinstance(number, str) and "/" in number:
            raw["case_year"], _, raw["case_sequence"] = number.partition("/")
        klasse = case.get("klasse")
        if isinstance(klasse, dict):
            raw["classification"] = _first_text(klasse.get("tittel"), klasse.get("klasseID"))
    shielding = post.get("skjerming")
    if isinstance(shielding, dict):
        raw["restriction_code"] = shielding.get("tilgangsrestriksjon")
        raw["legal_basis"] = shielding.get("skjermingshjemmel")
    parts = post.get("korrespondansepart")
    case_worker = post.get("saksbehandler")
    if isinstance(parts, list):
        correspondents = []
        for part in parts:
            if not isinstance(part, dict):
                correspondents.append(part)
                continue
            if part.get("erBehandlingsansvarlig") and case_worker in (None, ""):
                case_worker = part.get("saksbehandler")
            correspondents.append(
                {
                    "kind": part.get("korrespondanseparttype"),
                    "name": part.get("korrespondansepartNavn"),
                    "sensitive": part.get("korrespondansepartNavnSensitiv"),
                    "screened": part.get("erSkjermet") is True or part.get("skjermet") is True,
                }
            )
        parts = correspondents
    descriptions = post.get("dokumentbeskrivelse")
    if isinstance(descriptions, list):
        documents = []
        for description in descriptions:
            if not isinstance(description, dict):
                documents.append(description)
                continue
            objects = description.get("dokumentobjekt")
            url = None
            if isinstance(objects, list) and objects and isinstance(objects[0], dict):
                url = objects[0].get("referanseDokumentfil")
            documents.append(
                {"title": description.get("tittel"), "role": description.get("tilknyttetRegistreringSom"), "url": url}
            )
        descriptions = documents
    raw.update(
        year=post.get("journalaar"),
        sequence=post.get("journalsekvensnummer"),
        number=post.get("journalpostnummer"),
        journal_date=post.get("journaldato"),
        document_date=post.get("dokumentetsDato"),
        type=post.get("journalposttype"),
        title=post.get("offentligTittel"),
        unit=_unit_of(post),
        case_worker=case_worker,
        external_id=_first_text(post.get("id"), post.get("systemId"), post.get("externalId")),
        published_at=post.get("publisertDato"),
        correspondents=parts,
        documents=descriptions,
    )
    return raw


def _json_records(item, number: int) -> Iterator[EntryRecord | Rejected]:
    if not isinstance(item, dict):
        yield Rejected(number, Reason(RECORD, number=number, problem=Reason(JSON_NOT_OBJECT)))
        return
    # A saksmappe with its journalposts inside (eInnsyn's publishing shape) gives one record per journalpost.
    if isinstance(item.get("journalpost"), list) and ("sakssekvensnummer" in item or item.get("entity") == "Saksmappe"):
        pairs = [(post, item) for post in item["journalpost"]]
    else:
        pairs = [(item, item.get("saksmappe"))]
    for post, case in pairs:
        if not isinstance(post, dict):
            yield Rejected(number, Reason(RECORD, number=number, problem=Reason(JSON_NOT_OBJECT)))
            continue
        problems = []
        if case is None:
            problems.append(Reason(REQUIRED, field="saksmappe"))
        elif not isinstance(case, dict):
            problems.append(Reason(REFERENCE_ONLY, field="saksmappe"))
        if post.get("skjerming") is not None and not isinstance(post["skjerming"], dict):
            problems.append(Reason(REFERENCE_ONLY, field="skjerming"))
        if problems:
            yield Rejected(number, Reason(RECORD, number=number, problem=Reason.join(problems)))
            continue
        result = _Checker(JSON_NAMES, strict_dates=False).record(_json_raw(post, case), number)
        if isinstance(result, Reason):
            yield Rejected(number, Reason(RECORD, number=number, problem=result))
        else:
            yield result


class _JsonTooDeep(Exception):
    pass


_SCALARS = {"null", "boolean", "integer", "double", "number", "string"}


def _json_value(event, value, events, depth):
    """Build one JSON value from ijson's basic events, at most JSON_DEPTH_MAX levels deep (ijson's own item
    builder slows down with the depth of a hostile file)."""
    if event in _SCALARS:
        return value
    if depth >= JSON_DEPTH_MAX:
        raise _JsonTooDeep
    if event == "start_map":
        built = {}
        for event, value in events:
            if event == "end_map":
                return built
            key = value
            event, value = next(events)
            built[key] = _json_value(event, value, events, depth + 1)
    elif event == "start_array":
        built = []
        for event, value in events:
            if event == "end_array":
                return built
            built.append(_json_value(event, value, events, depth + 1))
    raise ijson.JSONError(f"unexpected {event}")


def _json_skip(event, events):
    """Pass over one value without keeping it."""
    depth = 1 if event in ("start_map", "start_array") else 0
    while depth:
        event, _ = next(events)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1


def _json_items(events):
    """The journal entries of the file: the top-level array's items, or those of the top-level "items"."""
    event, _ = next(events)
    if event == "start_array":
        for event, value in events:
            if event == "end_array":
                break
            yield _json_value(event, value, events, 1)
    else:
        for event, value in events:
            if event == "end_map":
                break
            item_event, _ = next(events)
            if value == "items" and item_event == "start_array":
                for event, value in events:
                    if event == "end_array":
                        break
                    yield _json_value(event, value, events, 2)
            else:
                _json_skip(item_event, events)
    for _ in events:  # the rest must be well-formed too (nothing may follow)
        pass


def parse_json(binary_file) -> Iterator[EntryRecord | Rejected]:
    """eInnsyn's JSON: an array of journalposts, or an object with them in "items" (the API's paginated shape).
    Each journalpost holds its saksmappe, korrespondansepart and dokumentbeskrivelse expanded. The line of a record
    is its number in the array (1-based)."""
    first, stream = _first_significant(binary_file)
    if not first:
        yield from _nothing_found(0)
        return
    if first not in (b"[", b"{"):
        yield Rejected(1, Reason(JSON_SHAPE))
        return
    number = 0
    try:
        for item in _json_items(ijson.basic_parse(stream, use_float=True)):
            number += 1
            yield from _json_records(item, number)
    except _JsonTooDeep:
        yield Rejected(number + 1, Reason(RECORD, number=number + 1, problem=Reason(JSON_TOO_DEEP, max=JSON_DEPTH_MAX)))
        return
    except (ijson.JSONError, UnicodeDecodeError, StopIteration) as error:
        message = error.args[0] if error.args else ""
        message = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        detail = " ".join(message.split()) or "premature end"
        yield Rejected(number + 1, Reason(JSON_BROKEN, number=number, error=_shown(detail)))
        return
    yield from _nothing_found(number)


# --- CSV -------------------------------------------------------------------------------------------------------
CSV_REQUIRED = (
    "case_year",
    "case_sequence",
    "case_title",
    "year",
    "sequence",
    "number",
    "journal_date",
    "type",
    "title",
    "unit",
)
CSV_OPTIONAL = (
    "case_date",
    "case_unit",
    "document_date",
    "case_worker",
    "restriction_code",
    "legal_basis",
    "classification",
    "external_id",
    "case_external_id",
    "published_at",
    "correspondents",
    "documents",
)
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL
CSV_NAMES = {
    "correspondent_fields": {"kind": "kind", "name": "name", "sensitive": "name"},
    "document_fields": {"title": "title", "role": "role", "url": "url"},
}
_SCREENED_MARK = "*"
_PERSON_FLAG = "+person"


def _split(text: str, separator: str) -> list[str]:
    """Split at `separator` where it is not escaped with a backslash; the parts keep their escapes."""
    if "\\" not in text:
        return text.split(separator)
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text) if "\\" in text else text


def _escape(text: str, specials: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in specials:
        text = text.replace(char, "\\" + char)
    return text


def _csv_correspondents(text: str):
    """`kind:name|kind+person:name|kind:*`; see docs/journal.md."""
    items = []
    for part in _split(text, "|"):
        if not part.strip():
            continue
        kind, colon, name = part.partition(":")
        is_person = kind.strip().casefold().endswith(_PERSON_FLAG)
        if is_person:
            kind = kind.strip()[: -len(_PERSON_FLAG)]
        name = _unescape(name) if colon else ""
        screened = name.strip() == _SCREENED_MARK
        items.append(
            {"kind": _unescape(kind), "name": "" if screened else name, "is_person": is_person, "screened": screened}
        )
    return items


def _csv_documents(text: str):
    """`role:title|role:title>https://…`; see docs/journal.md."""
    items = []
    for part in _split(text, "|"):
        if not part.strip():
            continue
        role, colon, rest = part.partition(":")
        if not colon or _word(_unescape(role)) not in _MAIN_ROLES | _ATTACHMENT_ROLES:
            # No role in front: the whole item is the title (which may hold a colon).
            role, rest = "", part
        title, _, url = rest.partition(">") if "\\" not in rest else _split_once(rest, ">")
        items.append({"role": _unescape(role), "title": _unescape(title), "url": _unescape(url)})
    return items


def _split_once(text: str, separator: str) -> tuple[str, str, str]:
    parts = _split(text, separator)
    return parts[0], separator if len(parts) > 1 else "", separator.join(parts[1:])


def format_correspondents(correspondents: Iterable[CorrespondentRecord]) -> str:
    items = []
    for c in correspondents:
        kind = c.kind + (_PERSON_FLAG if c.is_person else "")
        items.append(f"{kind}:{_SCREENED_MARK if c.screened else _escape(c.name, '|')}")
    return "|".join(items)


def format_documents(documents: Iterable[DocumentRecord]) -> str:
    items = []
    for d in documents:
        role = "main" if d.is_main else "attachment"
        url = f">{_escape(d.url, '|>')}" if d.url else ""
        items.append(f"{role}:{_escape(d.title, '|>')}{url}")
    return "|".join(items)


def _csv_value(record: EntryRecord, column: str) -> str:
    if column == "correspondents":
        return format_correspondents(record.correspondents)
    if column == "documents":
        return format_documents(record.documents)
    value = getattr(record, column)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(records: Iterable[EntryRecord], text_file, *, delimiter: str = ";") -> int:
    """Write records as the documented CSV (header and one row each) to a text file opened with newline="".
    Returns how many rows were written."""
    writer = csv.writer(text_file, delimiter=delimiter, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow([_csv_value(record, column) for column in CSV_COLUMNS])
        count += 1
    return count


def _csv_header(header: list[str]) -> Reason | None:
    names = [name.strip().casefold() for name in header]
    twice = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in CSV_REQUIRED if name not in names]
    unknown = [name for name in names if name not in CSV_COLUMNS]
    problems = []
    if missing:
        problems.append(Reason(CSV_MISSING, columns=", ".join(missing)))
    if unknown:
        problems.append(Reason(CSV_UNKNOWN, columns=", ".join(_shown(name) or '""' for name in unknown[:20])))
    if twice:
        problems.append(Reason(CSV_TWICE, columns=", ".join(twice)))
    return Reason.join(problems) if problems else None


def parse_csv(binary_file) -> Iterator[EntryRecord | Rejected]:
    """The documented CSV (docs/journal.md): UTF-8 (a byte order mark is allowed), `;` or `,` between fields (the
    header line decides), a header naming the columns, one entry per row, dates YYYY-MM-DD."""
    text = io.TextIOWrapper(binary_file, encoding="utf-8-sig", errors="strict", newline="")
    line = 1
    try:
        first = text.readline(CHUNK)
        if not first.strip():
            yield from _nothing_found(0)
            return
        if len(first) >= CHUNK and not first.endswith("\n"):
            yield Rejected(1, Reason(CSV_HEADER_TOO_LONG))
            return
        delimiter = ";" if first.count(";") > first.count(",") else ","
        lines = _chain_first(first, text)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header = next(reader)
        problem = _csv_header(header)
        if problem:
            yield Rejected(1, problem)
            return
        columns = [name.strip().casefold() for name in header]
        count = 0
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not row:
                continue
            count += 1
            if len(row) != len(columns):
                yield Rejected(line, Reason(CSV_FIELD_COUNT, count=len(row), expected=len(columns)))
                continue
            raw = dict(zip(columns, row, strict=True))
            raw["correspondents"] = _csv_correspondents(raw.get("correspondents") or "")
            raw["documents"] = _csv_documents(raw.get("documents") or "")
            result = _Checker(CSV_NAMES, strict_dates=True).record(raw, line)
            yield Rejected(line, result) if isinstance(result, Reason) else result
    except UnicodeDecodeError:
        yield Rejected(line, Reason(NOT_UTF8))
        return
    except csv.Error as error:
        yield Rejected(line, Reason(CSV_BROKEN, error=_shown(str(error))))
        return
    finally:
        text.detach()
    yield from _nothing_found(count)


def _chain_first(first: str, rest) -> Iterator[str]:
    yield first
    # Not `yield from`: closing this generator would close the text wrapper, and with it the caller's file.
    for line in rest:  # noqa: UP028
        yield line


# --- Noark 5 offentlig journal (XML) ---------------------------------------------------------------------------
XML_NAMES = {
    "case_year": "saksmappe/saksaar",
    "case_sequence": "saksmappe/sakssekvensnummer",
    "case_title": "saksmappe/offentligTittel",
    "case_date": "saksmappe/saksdato",
    "case_unit": "saksmappe/administrativEnhet",
    "case_external_id": "saksmappe/systemID",
    "classification": "klasse/klasseID",
    "year": "journalpost/journalaar",
    "sequence": "journalpost/journalsekvensnummer",
    "number": "journalpost/journalpostnummer",
    "journal_date": "journalpost/journaldato",
    "document_date": "journalpost/dokumentetsDato",
    "type": "journalpost/journalposttype",
    "title": "journalpost/offentligTittel",
    "unit": "journalpost/administrativEnhet",
    "case_worker": "journalpost/saksbehandler",
    "restriction_code": "journalpost/tilgangsrestriksjon",
    "legal_basis": "journalpost/skjermingshjemmel",
    "external_id": "journalpost/systemID",
    "published_at": "journalpost/publisertDato",
    "correspondents": "journalpost/korrespondansepart",
    "correspondent_fields": {"kind": "korrespondanseparttype", "name": "korrespondansepartNavn"},
    "documents": "journalpost/dokumentbeskrivelse",
    "document_fields": {"title": "tittel", "role": "tilknyttetRegistreringSom", "url": "referanseDokumentfil"},
}
_TEXT = "#text"
_LENGTH = "#length"


class _XmlStop(Exception):
    def __init__(self, reason):
        self.reason = reason


class _JournalTarget:
    """A parser target that keeps nothing but the journalregistrering being read, as a small tree of dicts
    (element name -> child, or a list of children when it repeats; text under "#text"), and hands each finished one
    to `done` with the line it started on."""

    def __init__(self, done):
        self.done = done
        self.depth = 0
        self.stack: list[dict] = []
        self.line_of = lambda: None
        self.started_at: int | None = None
        self.root_seen = False

    @staticmethod
    def local(tag: str) -> str:
        return tag.rpartition("}")[2]

    def start(self, tag, attrib):
        name = self.local(tag)
        self.depth += 1
        if self.depth > XML_DEPTH_MAX:
            raise _XmlStop(Reason(XML_TOO_DEEP, max=XML_DEPTH_MAX))
        if not self.root_seen:
            self.root_seen = True
            if name != "offentligJournal":
                raise _XmlStop(Reason(XML_ROOT, element=_shown(name)))
            return
        if self.stack:
            node: dict = {}
            parent = self.stack[-1]
            existing = parent.get(name)
            if existing is None:
                parent[name] = node
            else:
                siblings = existing if isinstance(existing, list) else [existing]
                if len(siblings) >= XML_CHILDREN_MAX:
                    raise _XmlStop(Reason(XML_TOO_MANY, element=_shown(name), max=XML_CHILDREN_MAX))
                siblings.append(node)
                parent[name] = siblings
            self.stack.append(node)
        elif name == "journalregistrering":
            self.started_at = self.line_of()
            self.stack.append({})

    def end(self, tag):
        self.depth -= 1
        if not self.stack:
            return
        node = self.stack.pop()
        if _TEXT in node:
            node[_TEXT] = "".join(node[_TEXT])
            node.pop(_LENGTH, None)
        if not self.stack:
            self.done(node, self.started_at)

    def data(self, text):
        if self.stack:
            node = self.stack[-1]
            pieces = node.setdefault(_TEXT, [])
            kept = node.get(_LENGTH, 0)
            if kept <= XML_TEXT_MAX:
                pieces.append(text)
                node[_LENGTH] = kept + len(text)

    def close(self):
        return None


def _xml_text(node, *path):
    for name in path:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
        if isinstance(node, list):
            node = node[0]
    if isinstance(node, dict):
        return node.get(_TEXT, "")
    return None


def _xml_list(node, name) -> list:
    found = node.get(name) if isinstance(node, dict) else None
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def _xml_raw(registration: dict) -> dict:
    case = registration.get("saksmappe")
    case = case[0] if isinstance(case, list) else case
    post = registration.get("journalpost")
    post = post[0] if isinstance(post, list) else post
    case = case if isinstance(case, dict) else {}
    post = post if isinstance(post, dict) else {}
    klasse = registration.get("klasse") or case.get("klasse")
    shielding = post.get("skjerming")
    shielding = shielding[0] if isinstance(shielding, list) else shielding

    def post_or_shielding(name):
        return _first_text(_xml_text(post, name), _xml_text(shielding, name))

    metadata = (post_or_shielding("skjermingMetadata") or "").casefold()
    correspondents = []
    for part in _xml_list(post, "korrespondansepart"):
        person = _xml_text(part, "personnavn")
        name = _first_text(_xml_text(part, "korrespondansepartNavn"), person, _xml_text(part, "enhetsnavn"))
        correspondents.append(
            {
                "kind": _xml_text(part, "korrespondanseparttype"),
                "name": name if name is not None else "",
                "is_person": person is not None,
            }
        )
    documents = []
    for description in _xml_list(post, "dokumentbeskrivelse"):
        documents.append(
            {
                "title": _xml_text(description, "tittel"),
                "role": _xml_text(description, "tilknyttetRegistreringSom"),
                "url": _first_text(
                    _xml_text(description, "dokumentobjekt", "referanseDokumentfil"),
                    _xml_text(description, "referanseDokumentfil"),
                ),
            }
        )
    return {
        "case_year": _xml_text(case, "saksaar"),
        "case_sequence": _xml_text(case, "sakssekvensnummer"),
        "case_title": _first_text(_xml_text(case, "offentligTittel"), _xml_text(case, "tittel")),
        "case_date": _xml_text(case, "saksdato"),
        "case_unit": _xml_text(case, "administrativEnhet"),
        "case_external_id": _xml_text(case, "systemID"),
        "classification": _first_text(_xml_text(klasse, "klasseID"), _xml_text(klasse, "tittel")),
        "year": _xml_text(post, "journalaar"),
        "sequence": _xml_text(post, "journalsekvensnummer"),
        "number": _xml_text(post, "journalpostnummer"),
        "journal_date": _xml_text(post, "journaldato"),
        "document_date": _xml_text(post, "dokumentetsDato"),
        "type": _xml_text(post, "journalposttype"),
        "title": _first_text(_xml_text(post, "offentligTittel"), _xml_text(post, "tittel")),
        "unit": _xml_text(post, "administrativEnhet"),
        "case_worker": _xml_text(post, "saksbehandler"),
        "restriction_code": post_or_shielding("tilgangsrestriksjon"),
        "legal_basis": post_or_shielding("skjermingshjemmel"),
        "external_id": _xml_text(post, "systemID"),
        "published_at": _xml_text(post, "publisertDato"),
        "correspondents": correspondents,
        # skjermingMetadata names what is screened; when it names the correspondents, no name is kept.
        "screen_names": "korrespondansepart" in metadata or "navn" in metadata,
        "documents": documents,
    }


def parse_xml(binary_file) -> Iterator[EntryRecord | Rejected]:
    """Noark 5 "offentlig journal" (offentligJournal.xml): `offentligJournal` holding one `journalregistrering` per
    entry, each with `saksmappe`, `journalpost` (with `korrespondansepart` and `dokumentbeskrivelse`) and
    optionally `klasse`; with or without the offentligJournal namespace. The line of a record is where its
    journalregistrering starts."""
    finished: list[tuple[dict, int | None]] = []
    target = _JournalTarget(lambda node, line: finished.append((node, line)))
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    expat = parser.parser
    target.line_of = lambda: expat.CurrentLineNumber
    count = 0

    def take():
        nonlocal count
        for node, line in finished:
            count += 1
            result = _Checker(XML_NAMES, strict_dates=False).record(_xml_raw(node), line or 0)
            yield Rejected(line, result) if isinstance(result, Reason) else result
        finished.clear()

    try:
        while True:
            chunk = binary_file.read(CHUNK)
            if not chunk:
                break
            parser.feed(chunk)
            yield from take()
        parser.close()
        yield from take()
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else expat.CurrentLineNumber
        message = str(error).split(": line", 1)[0]
        yield Rejected(line, Reason(XML_BROKEN, error=_shown(message)))
        return
    except DefusedXmlException as error:
        message = {DTDForbidden: XML_DTD, EntitiesForbidden: XML_ENTITY, ExternalReferenceForbidden: XML_EXTERNAL}
        yield Rejected(expat.CurrentLineNumber, Reason(message.get(type(error), XML_DTD)))
        return
    except _XmlStop as stop:
        yield Rejected(expat.CurrentLineNumber, stop.reason)
        return
    except (LookupError, ValueError, UnicodeError):
        # The XML declaration names an encoding Python cannot read this way (utf-7, rot13, one that does not exist).
        yield Rejected(expat.CurrentLineNumber, Reason(XML_ENCODING))
        return
    yield from _nothing_found(count)


# --- Choosing a parser -----------------------------------------------------------------------------------------
PARSERS = {"json": parse_json, "csv": parse_csv, "xml": parse_xml}


def format_for_name(name: str) -> str | None:
    """The format a file name says by its extension (.json, .csv, .xml), or None."""
    extension = (name or "").rpartition(".")[2].casefold() if "." in (name or "") else ""
    return extension if extension in PARSERS else None
