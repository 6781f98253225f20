"""The import parsers (tinget/journal/formats.py): the three formats' sample files, every kind of bad field, and
hostile files (broken XML, an entity bomb, an external entity, a DTD, deep nesting, bytes that are no format at
all). Property tests: no input makes a parser raise, and generated records survive a round trip through the CSV."""

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinget.journal import formats
from tinget.journal.models import CorrespondentKind, EntryType
from tinget.journal.records import CorrespondentRecord, DocumentRecord, EntryRecord, Rejected

FILES = Path(__file__).parent / "files"
CSV_HEADER = "case_year;case_sequence;case_title;year;sequence;number;journal_date;type;title;unit"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(parser, data: bytes):
    return list(parser(io.BytesIO(data)))


def rejected(items):
    return [(item.line, str(item.reason)) for item in items if isinstance(item, Rejected)]


def csv_rows(*rows, header=CSV_HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD_ROW = "2026;1;Skoleskyss;2026;10;1;2026-03-02;I;Søknad om skoleskyss;oppvekst"


# --- The sample files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "parser", "lines"),
    [
        ("journal.json", formats.parse_json, [1, 2, 3]),
        ("journal.csv", formats.parse_csv, [2, 3, 4]),
        ("offentligJournal.xml", formats.parse_xml, [8, 45, 70]),
    ],
)
def test_sample_files(name, parser, lines):
    with (FILES / name).open("rb") as source:
        records = list(parser(source))
    assert all(isinstance(record, EntryRecord) for record in records), rejected(records)
    assert [record.line for record in records] == lines
    first, second, third = records
    assert (first.case_year, first.case_sequence, first.year, first.sequence, first.number) == (
        2026,
        310,
        2026,
        1201,
        1,
    )
    assert first.journal_date == dt.date(2026, 3, 2)
    assert first.document_date == dt.date(2026, 2, 27)
    assert first.type == EntryType.INCOMING
    assert first.title == "Søknad om skoleskyss for elev ved Hval skole"
    assert first.unit == "oppvekst"
    assert first.case_worker == "Siri Saksbehandler"
    assert [c.kind for c in first.correspondents] == ["sender", "recipient"]
    assert first.correspondents[0].name == "Kari Nordmann"
    assert first.documents[0].title == "Søknad om skoleskyss"
    assert first.documents[0].is_main
    # The screened entry: restriction and legal basis kept, the correspondent's name not.
    assert second.type == EntryType.OUTGOING
    assert (second.restriction_code, second.legal_basis) == ("13", "Offl. § 13 jf. fvl. § 13")
    assert second.correspondents == (CorrespondentRecord(kind="recipient", name="", screened=True),)
    assert third.type == EntryType.INTERNAL
    assert (third.case_year, third.case_sequence) == (2025, 4711)
    assert third.correspondents[0].kind == CorrespondentKind.INTERNAL_SENDER


def test_json_person_names_and_published():
    with (FILES / "journal.json").open("rb") as source:
        first, second, _third = formats.parse_json(source)
    # eInnsyn: the sensitive variant differs, so it is a private person's name.
    assert first.correspondents[0] == CorrespondentRecord(kind="sender", name="Kari Nordmann", is_person=True)
    assert first.correspondents[1].is_person is False
    assert first.published_at == dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)
    assert first.documents[0].url == "https://example.no/dokumenter/1201.pdf"
    assert first.external_id == "jp_01jwq3kx0000000000000001"
    # Behind "*****" the sensitive name is never kept.
    assert "Ola Hemmelig" not in repr(second)


def test_json_plain_array_and_saksmappe_shape():
    array = b"""[{"journalaar": 2026, "journalsekvensnummer": 5, "journalpostnummer": 1, "journaldato": "2026-01-05",
      "journalposttype": "utgaaende_dokument", "offentligTittel": "Svar", "administrativEnhet": "oppvekst",
      "saksmappe": {"saksnummer": "2026/7", "offentligTittel": "Sak"}}]"""
    (record,) = parse(formats.parse_json, array)
    assert (record.case_year, record.case_sequence, record.type) == (2026, 7, "U")
    case = b"""[{"entity": "Saksmappe", "saksaar": 2026, "sakssekvensnummer": 8, "offentligTittel": "Sak",
      "administrativEnhet": "oppvekst", "journalpost": [
        {"journalaar": 2026, "journalsekvensnummer": 6, "journalpostnummer": 1, "journaldato": "2026-01-05",
         "journalposttype": "I", "offentligTittel": "Brev"},
        {"journalaar": 2026, "journalsekvensnummer": 7, "journalpostnummer": 2, "journaldato": "2026-01-06",
         "journalposttype": "saksframlegg", "offentligTittel": "Saksframlegg"}]}]"""
    records = parse(formats.parse_json, case)
    assert [(r.sequence, r.case_sequence, r.unit, r.type) for r in records] == [
        (6, 8, "oppvekst", "I"),
        (7, 8, "oppvekst", "S"),
    ]


def test_json_reasons_name_the_record_and_field():
    data = b"""{"items": [
      {"journalaar": 2026, "journalsekvensnummer": 1, "journalpostnummer": 1, "journaldato": "2026-01-05",
       "journalposttype": "I", "offentligTittel": "Ok", "administrativEnhet": "oppvekst",
       "saksmappe": {"saksaar": 2026, "sakssekvensnummer": 1, "offentligTittel": "Sak"}},
      {"journalaar": "tjuetjueseks", "journalsekvensnummer": -1, "journalpostnummer": true, "journaldato": "27.11.2026",
       "journalposttype": "brev", "offentligTittel": "", "administrativEnhet": "oppvekst",
       "saksmappe": "sm_01jwq"},
      {"journalaar": 2026, "journalsekvensnummer": 3, "journalpostnummer": 1, "journaldato": "2026-02-30",
       "journalposttype": "I", "offentligTittel": "Ok", "administrativEnhet": "oppvekst",
       "korrespondansepart": [{"korrespondanseparttype": "naboen", "korrespondansepartNavn": "X"}],
       "saksmappe": {"saksaar": 2026, "sakssekvensnummer": 1, "offentligTittel": "Sak"}},
      "not an object"
    ]}"""
    items = parse(formats.parse_json, data)
    assert isinstance(items[0], EntryRecord)
    problems = rejected(items)
    assert [line for line, _ in problems] == [2, 3, 4]
    assert problems[0][1] == "Record 2: saksmappe must hold the data itself, not only a reference to it."
    assert problems[1][1].startswith("Record 3: ")
    assert "journaldato is not a date that exists: “2026-02-30”." in problems[1][1]
    assert (
        "korrespondansepart[1].korrespondanseparttype “naboen” is not a known kind of correspondent" in problems[1][1]
    )
    assert problems[2][1] == "Record 4: the entry is not a JSON object."


def test_json_every_field_is_checked():
    post = {
        "journalaar": "tjuetjueseks",
        "journalsekvensnummer": -1,
        "journalpostnummer": True,
        "journaldato": "27.11.2026",
        "journalposttype": "brev",
        "offentligTittel": "x" * 1001,
        "administrativEnhet": "oppvekst",
        "saksmappe": {"saksaar": 1500, "sakssekvensnummer": 1, "offentligTittel": "Sak\u0000"},
        "dokumentbeskrivelse": [
            {"tittel": "Vedlegg", "dokumentobjekt": [{"referanseDokumentfil": "file:///etc/passwd"}]}
        ],
        "publisertDato": "i går",
    }
    import json

    (item,) = parse(formats.parse_json, json.dumps([post]).encode())
    reason = str(item.reason)
    for expected in [
        "journalaar must be a whole number, not “tjuetjueseks”.",
        "journalsekvensnummer must be between 0 and 2147483647, not -1.",
        "journalpostnummer must be a whole number, not “True”.",
        "journaldato must be a date written YYYY-MM-DD, not “27.11.2026”.",
        "journalposttype “brev” is not a known entry type (I, U, N, X or S).",
        "offentligTittel is too long: 1001 characters, at most 1000.",
        "saksmappe.saksaar must be between 1700 and 2200, not 1500.",
        "saksmappe.offentligTittel contains control characters, which are not allowed.",
        "dokumentbeskrivelse[1].dokumentobjekt.referanseDokumentfil must be a web address",
        "publisertDato must be a date and time",
    ]:
        assert expected in reason, reason


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file holds no journal entries."),
        (b"[]", "The file holds no journal entries."),
        (b'{"items": []}', "The file holds no journal entries."),
        (b"42", "The file must hold a JSON array of journal entries"),
        (b'[{"a": 1}, {', "The JSON is broken after record 1"),
        (b"[] []", "The JSON is broken after record 0"),
        (b'["\xff"]', "The JSON is broken after record 0"),
        (b"[" * 200_000, "nested more than 16 levels deep"),
    ],
)
def test_json_broken_files(data, expected):
    problems = rejected(parse(formats.parse_json, data))
    assert problems
    assert expected in problems[-1][1]


# --- CSV -----------------------------------------------------------------------------------------------------
def test_csv_comma_bom_and_optional_columns():
    data = "\ufeffcase_year,case_sequence,case_title,year,sequence,number,journal_date,type,title,unit,published_at\n"
    data += '2026,1,"Skoleskyss, Hval",2026,10,1,2026-03-02,utgaaende_dokument,"Svar på ""søknad""",oppvekst,'
    data += "2026-03-03T09:00:00+01:00\n"
    (record,) = parse(formats.parse_csv, data.encode())
    assert record.case_title == "Skoleskyss, Hval"
    assert record.title == 'Svar på "søknad"'
    assert record.type == "U"
    assert record.published_at == dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)
    assert record.line == 2


def test_csv_wrong_header_is_rejected_at_line_one():
    problems = rejected(parse(formats.parse_csv, b"case_year;case_sequence;tittel;dato\n2026;1;x;y\n"))
    assert len(problems) == 1
    line, reason = problems[0]
    assert line == 1
    assert (
        "The header lacks the required columns: case_title, year, sequence, number, journal_date, type, title, unit."
        in reason
    )
    assert "The header has unknown columns: tittel, dato." in reason
    (twice,) = rejected(parse(formats.parse_csv, csv_rows(GOOD_ROW, header=CSV_HEADER + ";title")))
    assert "The header names a column more than once: title." in twice[1]


def test_csv_dates_in_the_wrong_format():
    row = "2026;1;Sak;2026;10;1;27.11.2026;I;Brev;oppvekst"
    header = CSV_HEADER + ";document_date;case_date"
    ((line, reason),) = rejected(
        parse(formats.parse_csv, csv_rows(row + ";2026-11-27T10:00;2026-13-01", header=header))
    )
    assert line == 2
    assert "journal_date must be a date written YYYY-MM-DD, not “27.11.2026”." in reason
    # CSV takes dates only, no time of day.
    assert "document_date must be a date written YYYY-MM-DD, not “2026-11-27T10:00”." in reason
    assert "case_date is not a date that exists: “2026-13-01”." in reason


def test_csv_each_bad_row_with_its_line():
    rows = [
        GOOD_ROW,
        "2026;1;Sak;2026;11;1;2026-03-02;Q;Brev;oppvekst",
        "2026;1;Sak;2026;12",
        '2026;1;Sak;2026;13;1;2026-03-02;I;"Over\nto linjer";oppvekst',
        "2026;1;Sak;2026;14;1;2026-03-02;I;" + "x" * 1001 + ";oppvekst",
        "2026;1;;2026;15;1;2026-03-02;I;Brev;",
    ]
    items = parse(formats.parse_csv, csv_rows(*rows))
    assert [item.line for item in items] == [2, 3, 4, 5, 7, 8]
    assert [isinstance(item, EntryRecord) for item in items] == [True, False, False, True, False, False]
    assert items[3].title == "Over\nto linjer"
    problems = dict(rejected(items))
    assert problems[3] == "type “Q” is not a known entry type (I, U, N, X or S)."
    assert problems[4] == "The line has 5 fields; the header has 10."
    assert problems[7] == "title is too long: 1001 characters, at most 1000."
    assert problems[8] == "case_title is missing.; unit is missing."


def test_csv_correspondents_and_documents_syntax():
    header = CSV_HEADER + ";correspondents;documents"
    row = GOOD_ROW + r";sender+person:Kari Nordmann|recipient:Asker kommune\|Oppvekst|copy:*|avsender:;"
    row += r"main:Brev: svar|attachment:Kart \> skisse>https://example.no/kart.pdf|Notat"
    (record,) = parse(formats.parse_csv, csv_rows(row, header=header))
    assert record.correspondents == (
        CorrespondentRecord(kind="sender", name="Kari Nordmann", is_person=True),
        CorrespondentRecord(kind="recipient", name="Asker kommune|Oppvekst"),
        CorrespondentRecord(kind="copy", name="", screened=True),
        CorrespondentRecord(kind="sender", name="", screened=True),
    )
    assert record.documents == (
        DocumentRecord(title="Brev: svar", is_main=True),
        DocumentRecord(title="Kart > skisse", is_main=False, url="https://example.no/kart.pdf"),
        DocumentRecord(title="Notat", is_main=False),
    )
    ((_, reason),) = rejected(parse(formats.parse_csv, csv_rows(GOOD_ROW + ";naboen:Per;", header=header)))
    assert reason.startswith("correspondents[1].kind “naboen” is not a known kind of correspondent")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file holds no journal entries."),
        (csv_rows(), "The file holds no journal entries."),
        (csv_rows(GOOD_ROW) + b"2026;\xff\n", "The file is not UTF-8 text."),
        (CSV_HEADER.encode() + b'\n"2026"x;1', "The CSV cannot be read here"),
        (b"x" * 70_000, "The first line is too long to be a header."),
    ],
)
def test_csv_broken_files(data, expected):
    problems = rejected(parse(formats.parse_csv, data))
    assert problems
    assert expected in problems[-1][1]


def test_csv_control_characters_are_rejected():
    ((_, reason),) = rejected(parse(formats.parse_csv, csv_rows(GOOD_ROW.replace("Søknad", "Sø\x00knad"))))
    assert reason == "title contains control characters, which are not allowed."


# --- Noark 5 XML ---------------------------------------------------------------------------------------------
def registration(sequence=1, post_extra="", case_extra=""):
    return f"""<journalregistrering>
  <saksmappe><saksaar>2026</saksaar><sakssekvensnummer>9</sakssekvensnummer>
    <offentligTittel>Sak</offentligTittel>{case_extra}</saksmappe>
  <journalpost><journalaar>2026</journalaar><journalsekvensnummer>{sequence}</journalsekvensnummer>
    <journalpostnummer>1</journalpostnummer><journalposttype>Utgående dokument</journalposttype>
    <journaldato>2026-03-04</journaldato><offentligTittel>Brev</offentligTittel>
    <administrativEnhet>oppvekst</administrativEnhet>{post_extra}</journalpost>
</journalregistrering>"""


def journal(*registrations, namespace=True):
    xmlns = ' xmlns="http://www.arkivverket.no/standarder/noark5/offentligJournal"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<offentligJournal{xmlns}>\n'
        + "\n".join(registrations)
        + "\n</offentligJournal>"
    ).encode()


def test_xml_without_namespace_and_dates_with_time():
    extra = "<dokumentetsDato>2026-03-01T00:00:00</dokumentetsDato><dokumentetsDato>x</dokumentetsDato>"
    (record,) = parse(formats.parse_xml, journal(registration(post_extra=extra), namespace=False))
    assert record.document_date == dt.date(2026, 3, 1)
    assert record.line == 3


def test_xml_screening_metadata_screens_every_name():
    extra = """<korrespondansepart><korrespondanseparttype>Avsender</korrespondanseparttype>
      <korrespondansepartNavn>Ola Hemmelig</korrespondansepartNavn></korrespondansepart>
      <skjerming><tilgangsrestriksjon>13</tilgangsrestriksjon><skjermingshjemmel>Offl. § 13</skjermingshjemmel>
      <skjermingMetadata>Skjerming navn avsender</skjermingMetadata></skjerming>"""
    (record,) = parse(formats.parse_xml, journal(registration(post_extra=extra)))
    assert record.correspondents == (CorrespondentRecord(kind="sender", name="", screened=True),)
    assert (record.restriction_code, record.legal_basis) == ("13", "Offl. § 13")
    assert "Ola" not in repr(record)


def test_xml_bad_fields_with_the_line_of_the_registration():
    bad = registration(sequence="x", post_extra="<dokumentetsDato>27.11.2026</dokumentetsDato>")
    items = parse(formats.parse_xml, journal(registration(1), bad))
    assert isinstance(items[0], EntryRecord)
    ((line, reason),) = rejected(items)
    assert line == 11
    assert "journalpost/journalsekvensnummer must be a whole number, not “x”." in reason
    assert "journalpost/dokumentetsDato must be a date written YYYY-MM-DD, not “27.11.2026”." in reason


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<offentligJournal><journalregistrering><journalpost><offentligTittel>&lol9;</offentligTittel></journalpost></journalregistrering></offentligJournal>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE offentligJournal [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<offentligJournal><journalregistrering><journalpost><offentligTittel>&xxe;</offentligTittel></journalpost></journalregistrering></offentligJournal>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>

<!DOCTYPE offentligJournal SYSTEM "http://127.0.0.1:9/offentligJournal.dtd">
<offentligJournal/>"""


@pytest.mark.parametrize(
    ("data", "line", "expected"),
    [
        (BILLION_LAUGHS, 2, "The file has a document type declaration (DTD), which an import may not have."),
        (EXTERNAL_ENTITY, 2, "The file has a document type declaration (DTD), which an import may not have."),
        (EXTERNAL_DTD, 3, "The file has a document type declaration (DTD), which an import may not have."),
        (
            b'<?xml version="1.0"?>\n<offentligJournal>\n<journalregistrering>\n</offentligJournal>',
            4,
            "The XML is broken: mismatched tag",
        ),
        (b"<offentligJournal>\n\n&passwd;</offentligJournal>", 3, "The XML is broken: undefined entity"),
        (b"", 1, "The XML is broken: no element found"),
        (b"\x00\xffnot xml", 1, "The XML is broken: "),
        (b"<arkiv/>", 1, "The root element is “arkiv”, not “offentligJournal”"),
        (b"<offentligJournal/>", None, "The file holds no journal entries."),
        (
            b"<offentligJournal>" + b"<a>" * 100 + b"</a>" * 100 + b"</offentligJournal>",
            1,
            "nested more than 64 levels",
        ),
        (b'<?xml version="1.0" encoding="cp037"?><offentligJournal/>', 1, "The XML is broken: unknown encoding"),
    ]
    + [
        (
            f'<?xml version="1.0" encoding="{name}"?><offentligJournal/>'.encode(),
            1,
            "cannot be read; write the file in UTF-8",
        )
        for name in ("x-nonexistent", "utf-7", "utf-32", "idna", "rot13", "zlib")
    ],
)
def test_xml_hostile_files(data, line, expected):
    problems = rejected(parse(formats.parse_xml, data))
    assert len(problems) == 1
    assert problems[0][0] == line
    assert expected in problems[0][1]


def test_xml_entity_bomb_and_external_entity_entities_forbidden_even_without_dtd_check():
    """defusedxml's own guards are on as well: entity declarations and external references, not just the DTD."""
    parser = formats.DefusedXMLParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    with pytest.raises(formats.EntitiesForbidden):
        parser.feed(BILLION_LAUGHS)


def test_xml_repeated_children_are_limited():
    parts = "".join("<korrespondansepart/>" for _ in range(formats.XML_CHILDREN_MAX + 1))
    problems = rejected(parse(formats.parse_xml, journal(registration(post_extra=parts))))
    assert "has more than 1000 child elements" in problems[0][1]


def test_format_for_name():
    assert formats.format_for_name("postliste.JSON") == "json"
    assert formats.format_for_name("offentligJournal.xml") == "xml"
    assert formats.format_for_name("a.b.csv") == "csv"
    assert formats.format_for_name("README") is None
    assert formats.format_for_name("file.pdf") is None


def test_reasons_are_kept_as_msgid_and_params():
    reason = formats.Reason(formats.RECORD, number=3, problem=formats.Reason(formats.REQUIRED, field="journaldato"))
    data = reason.to_data()
    assert data == {
        "message": "Record %(number)s: %(problem)s",
        "params": {"number": 3, "problem": {"message": "%(field)s is missing.", "params": {"field": "journaldato"}}},
    }
    assert formats.render_reason(data) == "Record 3: journaldato is missing."
    assert formats.render_reason("plain text") == "plain text"
    assert formats.render_reason({"message": "%(missing)s"}) == "%(missing)s"


# --- Properties ----------------------------------------------------------------------------------------------
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=2_000))
def test_no_bytes_make_a_parser_raise(data):
    for parser in formats.PARSERS.values():
        for item in parser(io.BytesIO(data)):
            assert isinstance(item, EntryRecord | Rejected)


_XML_PIECES = st.sampled_from(
    [
        b"<offentligJournal>",
        b"</offentligJournal>",
        b"<journalregistrering>",
        b"</journalregistrering>",
        b"<journalpost>",
        b"</journalpost>",
        b"<saksmappe>",
        b"</saksmappe>",
        b"<journalaar>2026</journalaar>",
        b"<journaldato>27.11.2026</journaldato>",
        b"<korrespondansepart>",
        b"</korrespondansepart>",
        b"<!DOCTYPE x>",
        b"&amp;",
        b"&x;",
        b"<![CDATA[<]]>",
        b"\xc3\xa6",
        b"\xff",
    ]
)
_JSON_PIECES = st.sampled_from(
    [
        b"[",
        b"]",
        b"{",
        b"}",
        b",",
        b":",
        b'"journalaar"',
        b'"saksmappe"',
        b'"items"',
        b"2026",
        b"-1",
        b"1e999",
        b"true",
        b"null",
        b'"\\ud800"',
        b'"27.11.2026"',
    ]
)
_CSV_PIECES = st.sampled_from(
    [
        CSV_HEADER.encode(),
        b"\n",
        b";",
        b",",
        b'"',
        b"2026",
        b"2026-03-02",
        b"I",
        b"oppvekst",
        b"sender:*|",
        b"\\",
        b"\x00",
        b"\xef\xbb\xbf",
    ]
)


@FAST
@given(st.lists(_XML_PIECES, max_size=40), st.lists(_JSON_PIECES, max_size=40), st.lists(_CSV_PIECES, max_size=40))
def test_almost_valid_files_never_make_a_parser_raise(xml_pieces, json_pieces, csv_pieces):
    for parser, pieces in (
        (formats.parse_xml, xml_pieces),
        (formats.parse_json, json_pieces),
        (formats.parse_csv, csv_pieces),
    ):
        for item in parser(io.BytesIO(b"".join(pieces))):
            assert isinstance(item, EntryRecord | Rejected)


def _clean_text(max_size):
    alphabet = st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp"))
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


_names = _clean_text(30).filter(lambda name: not formats._is_screened_name(name))
_correspondent = st.one_of(
    st.builds(
        CorrespondentRecord, kind=st.sampled_from(CorrespondentKind.values), name=_names, is_person=st.booleans()
    ),
    st.builds(
        CorrespondentRecord,
        kind=st.sampled_from(CorrespondentKind.values),
        name=st.just(""),
        is_person=st.booleans(),
        screened=st.just(True),
    ),
)
_document = st.builds(
    DocumentRecord,
    title=_clean_text(40),
    is_main=st.booleans(),
    url=st.one_of(st.just(""), st.from_regex(r"https://example\.no/[a-z0-9/._-]{0,30}", fullmatch=True)),
)
_days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
_record = st.builds(
    EntryRecord,
    line=st.just(0),
    case_year=st.integers(1990, 2100),
    case_sequence=st.integers(0, formats.NUMBER_MAX),
    case_title=_clean_text(60),
    case_date=st.none() | _days,
    year=st.integers(1990, 2100),
    sequence=st.integers(0, formats.NUMBER_MAX),
    number=st.integers(0, 10_000),
    journal_date=_days,
    document_date=st.none() | _days,
    type=st.sampled_from(EntryType.values),
    title=_clean_text(80),
    unit=_clean_text(20),
    case_unit=st.just(""),
    case_worker=st.just("") | _clean_text(20),
    restriction_code=st.just("") | st.from_regex(r"[0-9]{1,2}", fullmatch=True),
    legal_basis=st.just("") | _clean_text(30),
    classification=st.just("") | _clean_text(20),
    external_id=st.just("") | _clean_text(20),
    case_external_id=st.just("") | _clean_text(20),
    published_at=st.none()
    | st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)),
    correspondents=st.lists(_correspondent, max_size=4).map(tuple),
    documents=st.lists(_document, max_size=3).map(tuple),
)


@FAST
@given(st.lists(_record, min_size=1, max_size=5), st.sampled_from([";", ","]))
def test_generated_rows_survive_a_round_trip_through_the_csv(records, delimiter):
    text = io.StringIO(newline="")
    assert formats.write_csv(records, text, delimiter=delimiter) == len(records)
    parsed = parse(formats.parse_csv, text.getvalue().encode())
    assert rejected(parsed) == []
    assert [dataclasses.replace(record, line=0) for record in parsed] == records
