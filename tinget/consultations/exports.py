"""All input to a consultation, for the case worker's own tools: a CSV file for a spreadsheet, and a ZIP with a
PDF per input and its attachments, to file with the case.

Both hold everyone's names and e-mail addresses, and hidden input's original text: the view checks
rules.can_export and logs the export (services.log_export) before a byte is sent; neither is cached.

Memory stays flat however much input there is: the rows are read with `.iterator(chunk_size=...)`, each chunk's
tags, attachments and answers in one query each (selectors.export_rows), the CSV is streamed line by line, and
the ZIP is written into a small buffer that is emptied after each piece, attachments copied from storage in
chunks.
Texts are in the language that was active when the export was asked for (the view keeps it for the stream).
"""

import io
import itertools
import logging
import zipfile
from functools import cache
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tinget.core import exports
from tinget.core.mail import deliverable

from .models import Submission

logger = logging.getLogger(__name__)

# Rows read at a time (each chunk's tags, attachments and answers in one query each): the CSV's rows are small;
# the ZIP makes a PDF per row, so it reads fewer at a time and the first bytes go out sooner.
CHUNK_SIZE = 500
ZIP_CHUNK_SIZE = 50
COPY_BUFFER = 256 * 1024


def filename(consultation, extension: str) -> str:
    slug = slugify(consultation.title)[:40] or "consultation"
    return f"input-{consultation.pk}-{slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""


class Lookup:
    """What every row of an export needs, read and translated once for the whole export: the consultation's
    questions and options, its sections' names, and the words for yes, no and the kinds of sender."""

    def __init__(self, consultation):
        self.questions = list(consultation.questions.prefetch_related("options").order_by("order", "pk"))
        self.by_question = {question.pk: question for question in self.questions}
        self.options = {option.pk: option.label for q in self.questions for option in q.options.all()}
        self.sections = {section.pk: str(section) for section in consultation.sections.all()}
        self.general = _("General input")
        self.yes, self.no = _("Yes"), _("No")
        self.kinds = {kind.value: str(kind.label) for kind in Submission.SenderKind}

    def yes_no(self, value) -> str:
        return self.yes if value else self.no

    def section(self, submission) -> str:
        return self.sections.get(submission.section_id, "") if submission.section_id else self.general

    def kind(self, submission) -> str:
        return self.kinds.get(submission.sender_kind, submission.sender_kind)

    def answer_text(self, answer, question) -> str:
        _question_id, option_id, scale_value, text = answer
        if option_id:
            return self.options.get(option_id, "")
        if scale_value is not None:
            return f"{scale_value} / {question.scale_max}"
        return text

    def answers(self, submission) -> dict:
        """{question pk: the answer as text} of one row of selectors.export_rows."""
        return {
            answer[0]: self.answer_text(answer, self.by_question[answer[0]])
            for answer in submission.export_answers
            if answer[0] in self.by_question
        }


def _email(submission) -> str:
    email = getattr(submission, "author_email", None) or ""
    return email if deliverable(email) else ""


# --- CSV ------------------------------------------------------------------------------------------------------
def csv_header(lookup: Lookup) -> list[str]:
    return [
        _("Number"),
        _("Sent"),
        _("Name"),
        _("Sent by"),
        _("Organisation"),
        _("Role in the organisation"),
        _("Name shown on the site"),
        _("E-mail"),
        _("Section"),
        _("Input"),
        *[question.text for question in lookup.questions],
        _("Tags"),
        _("Considered"),
        _("The municipality's response"),
        _("Hidden"),
        _("Reason for hiding"),
        _("Sent after the deadline"),
        _("Attachments"),
    ]


def csv_row(submission, lookup: Lookup) -> list:
    answers = lookup.answers(submission)
    return [
        submission.number,
        _moment(submission.sent_at),
        submission.author_name,
        lookup.kind(submission),
        submission.organisation_name,
        submission.organisation_role,
        lookup.yes_no(submission.show_name or submission.sender_kind == Submission.SenderKind.ORGANISATION),
        _email(submission),
        lookup.section(submission),
        submission.text,
        *[answers.get(question.pk, "") for question in lookup.questions],
        ", ".join(submission.export_tags),
        lookup.yes_no(submission.considered_at),
        submission.response,
        lookup.yes_no(submission.hidden_at),
        submission.hidden_reason,
        lookup.yes_no(submission.late),
        ", ".join(attachment.filename for attachment in submission.export_attachments),
    ]


def csv_lines(consultation, submissions):
    """The CSV as lines to stream (tinget.core.exports.csv_lines: what Excel in Norwegian opens).
    `submissions`: rows from selectors.export_rows (read in chunks, with their tags, attachments and answers)."""
    lookup = Lookup(consultation)
    return exports.csv_lines(itertools.chain([csv_header(lookup)], (csv_row(s, lookup) for s in submissions)))


# --- PDF per input --------------------------------------------------------------------------------------------
@cache
def _styles():
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = exports.pdf_fonts()
    return {
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, spaceAfter=6),
        "fact": ParagraphStyle("fact", fontName=regular, fontSize=9, leading=12),
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=15, leading=19, spaceAfter=8),
        "subheading": ParagraphStyle(
            "subheading", fontName=bold, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4
        ),
        "question": ParagraphStyle("question", fontName=bold, fontSize=10, leading=13, spaceBefore=4),
        "bold": bold,
    }


def _paragraphs(text: str, style) -> list:
    """Plain text as Paragraphs: one per block between blank lines, single line breaks kept."""
    from reportlab.platypus import Paragraph

    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [Paragraph(escape(block).replace("\n", "<br/>"), style) for block in blocks if block]


def submission_story(submission, consultation, lookup: Lookup) -> list:
    """The PDF's content as ReportLab flowables: who sent it and when, its section, the text, the answers, the
    attachments' names, and what the municipality did with it (tags, considered, response, hidden and why)."""
    from reportlab.platypus import Paragraph

    styles = _styles()
    organisation = ""
    if submission.sender_kind == Submission.SenderKind.ORGANISATION:
        organisation = f"{submission.organisation_name} ({submission.organisation_role})"
    case_number = f" ({consultation.case_number})" if consultation.case_number else ""
    facts = [
        (_("Consultation"), f"{consultation.title}{case_number}"),
        (_("Sent"), _moment(submission.sent_at) + (f" ({_('after the deadline')})" if submission.late else "")),
        (_("Name"), submission.author_name),
        (_("Sent by"), lookup.kind(submission)),
        (_("Organisation"), organisation),
        (_("Name shown on the site"), lookup.yes_no(submission.show_name or bool(organisation))),
        (_("E-mail"), _email(submission)),
        (_("Section"), lookup.section(submission)),
        (_("Version of the text"), str(submission.version)),
        (_("Tags"), ", ".join(submission.export_tags)),
        (_("Considered"), lookup.yes_no(submission.considered_at)),
        (_("Hidden"), lookup.yes_no(submission.hidden_at)),
    ]
    title = _("Input %(number)s to %(title)s") % {"number": submission.number, "title": consultation.title}
    story = [Paragraph(escape(title), styles["heading"])]
    for label, value in facts:
        shown = escape(str(value or "-"))
        story.append(Paragraph(f"<font name='{styles['bold']}'>{escape(str(label))}:</font> {shown}", styles["fact"]))
    if submission.hidden_at:
        story.append(Paragraph(escape(_("Reason for hiding")), styles["subheading"]))
        story += _paragraphs(submission.hidden_reason, styles["body"])
    story.append(Paragraph(escape(_("Input")), styles["subheading"]))
    story += _paragraphs(submission.text, styles["body"]) or [Paragraph("-", styles["body"])]
    answers = lookup.answers(submission)
    if answers:
        story.append(Paragraph(escape(_("Answers to the questions")), styles["subheading"]))
        for question in lookup.questions:
            if question.pk in answers:
                story.append(Paragraph(escape(question.text), styles["question"]))
                story += _paragraphs(answers[question.pk], styles["body"])
    attachments = submission.export_attachments
    if attachments:
        story.append(Paragraph(escape(_("Attachments")), styles["subheading"]))
        for attachment in attachments:
            story.append(Paragraph(escape(attachment.filename), styles["fact"]))
    if submission.response:
        story.append(Paragraph(escape(_("The municipality's response")), styles["subheading"]))
        story += _paragraphs(submission.response, styles["body"])
    return story


def submission_pdf(submission, consultation, lookup: Lookup, *, municipality_name: str = "") -> bytes:
    """One input as a PDF to file with the case (submission_story), with a footer on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular = _styles()["fact"].fontName
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Input %(number)s to %(title)s") % {"number": submission.number, "title": consultation.title},
        author=municipality_name,
    )
    footer = _("Input %(number)s. Contains personal data: do not share it further.") % {"number": submission.number}
    page_label = _("Page %(page)s")

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, page_label % {"page": doc.page})
        canvas.restoreState()

    document.build(submission_story(submission, consultation, lookup), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --- ZIP ------------------------------------------------------------------------------------------------------
class _Sink(io.RawIOBase):
    """Where zipfile writes: it keeps what was written until `take()`. It cannot tell or seek, so zipfile writes
    each entry's sizes after its data (a data descriptor) and never goes back: the archive streams."""

    def __init__(self):
        super().__init__()
        self._parts = []

    def writable(self):
        return True

    def write(self, data):
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _safe_name(name: str) -> str:
    """An entry name that stays in its folder whatever the sender called the file."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return name or "file"


def _unique(name: str, used: set) -> str:
    candidate, count = name, 1
    stem, dot, extension = name.rpartition(".")
    while candidate.lower() in used:
        count += 1
        candidate = f"{stem}-{count}.{extension}" if dot else f"{name}-{count}"
    used.add(candidate.lower())
    return candidate


def zip_chunks(consultation, submissions, *, municipality_name: str = ""):
    """The ZIP as byte chunks to stream: for each input `input-0001.pdf` and its attachments in
    `input-0001-attachments/`. An attachment missing from storage gets a note in its place instead of stopping
    the export. `submissions`: rows from selectors.export_rows."""
    lookup = Lookup(consultation)
    sink = _Sink()
    width = 4
    input_word = slugify(pgettext("a file name in the ZIP export", "input")) or "input"
    attachments_word = slugify(pgettext("a folder name in the ZIP export", "attachments")) or "attachments"
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for submission in submissions:
            stem = f"{input_word}-{submission.number:0{width}d}"
            pdf = submission_pdf(submission, consultation, lookup, municipality_name=municipality_name)
            info = zipfile.ZipInfo(f"{stem}.pdf", _zip_time(submission))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, pdf)
            yield sink.take()
            used = set()
            for attachment in submission.export_attachments:
                name = f"{stem}-{attachments_word}/{_unique(_safe_name(attachment.filename), used)}"
                yield from _copy_attachment(archive, sink, attachment, name, _zip_time(submission))
    yield sink.take()


def _zip_time(submission):
    local = timezone.localtime(submission.sent_at)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _copy_attachment(archive, sink, attachment, name, date_time):
    info = zipfile.ZipInfo(name, date_time)
    # PDFs, Word files and images are compressed already: stored as they are, the copy costs no CPU.
    info.compress_type = zipfile.ZIP_STORED
    try:
        source = attachment.file.storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        logger.warning("Attachment %s of input %s is missing from storage", attachment.pk, attachment.submission_id)
        note = _("The attachment “%(name)s” could not be read from storage.") % {"name": attachment.filename}
        missing = slugify(pgettext("a file name in the ZIP export", "missing")) or "missing"
        archive.writestr(f"{name}.{missing}.txt", note.encode("utf-8"))
        yield sink.take()
        return
    with source, archive.open(info, mode="w", force_zip64=attachment.size > 2**31) as target:
        while chunk := source.read(COPY_BUFFER):
            target.write(chunk)
            yield sink.take()
    yield sink.take()
