"""The signature list staff give the council with a handed-over initiative: every online and paper signature,
valid or set aside (and why), as CSV for a spreadsheet or as a PDF to print and file.

The list is personal data: the view checks the permission and logs each download before building it
(views/handling.py), and neither format is cached. Texts are in the active language.
"""

import io
import logging
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tinget.core import exports

from .models import PaperSignature

logger = logging.getLogger(__name__)

# Rows per PDF table: ReportLab lays out a table as one piece, so a long list goes in slices (the header row
# repeats on every page either way).
PDF_CHUNK = 100


def filename(initiative, extension: str) -> str:
    slug = slugify(initiative.title)[:40] or "initiative"
    return f"signatures-{initiative.pk}-{slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _date(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _datetime(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""


def online_status(signature) -> tuple[str, str]:
    if signature.invalidation_id:
        return _("Invalidated"), signature.invalidation.reason
    return _("Valid"), ""


def paper_status(signature) -> tuple[str, str]:
    if signature.invalidation_id:
        return _("Invalidated"), signature.invalidation.reason
    if signature.status == PaperSignature.Status.COUNTED:
        return _("Valid"), ""
    return _("Not counted"), str(PaperSignature.Status(signature.status).label)


def _batch(signature) -> str:
    batch = signature.batch
    return _("Batch %(number)s, received %(date)s") % {"number": batch.pk, "date": _date(batch.received_on)}


# --- CSV --------------------------------------------------------------------------------------------------
def csv_rows(online, paper):
    """The header and one row per signature (online first, then paper)."""
    yield [
        _("Source"),
        _("Name"),
        _("Date of birth"),
        _("Postcode"),
        _("Address"),
        _("Signed or registered"),
        _("Paper batch"),
        _("Status"),
        _("Reason"),
    ]
    for signature in online:
        status, reason = online_status(signature)
        yield [
            _("Online"),
            signature.name,
            _date(signature.birth_date),
            signature.postcode,
            "",
            _datetime(signature.created_at),
            "",
            status,
            reason,
        ]
    for signature in paper:
        status, reason = paper_status(signature)
        yield [
            _("Paper"),
            signature.name,
            _date(signature.birth_date),
            "",
            signature.address,
            _datetime(signature.created_at),
            _batch(signature),
            status,
            reason,
        ]


def csv_lines(online, paper):
    """The CSV as lines to stream (tinget.core.exports.csv_lines: what Excel in Norwegian opens)."""
    return exports.csv_lines(csv_rows(online, paper))


def pdf_bytes(initiative, online, paper, *, municipality_name: str = "") -> bytes:
    """The list as a PDF: a cover block about the initiative and the counts, then a table of the online
    signatures and one of the paper signatures, with page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    regular, bold = exports.pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11)
    cell = ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=14, leading=18, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=bold, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4)

    online, paper = list(online), list(paper)
    buffer = io.BytesIO()
    title = _("Signatures: %(title)s") % {"title": initiative.title}
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=municipality_name,
    )
    footer = _("Citizen initiative %(number)s. Contains personal data: do not share it further.") % {
        "number": initiative.pk
    }
    page_label = _("Page %(page)s")

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(15 * mm, 8 * mm, footer)
        canvas.drawRightString(landscape(A4)[0] - 15 * mm, 8 * mm, page_label % {"page": doc.page})
        canvas.restoreState()

    def p(text, width_mm=0, style=cell):
        """A cell's text: a wrapping Paragraph only when it may not fit on one line (Paragraphs cost most of
        the time a long list takes)."""
        text = str(text or "")
        if width_mm and len(text) * 1.9 < width_mm - 3:
            return text
        return Paragraph(escape(text), style)

    valid_online = sum(1 for s in online if not s.invalidation_id)
    valid_paper = sum(1 for s in paper if not s.invalidation_id and s.status == PaperSignature.Status.COUNTED)
    facts = [
        (_("Citizen initiative"), f"{initiative.title} (#{initiative.pk})"),
        (_("Promoter"), initiative.promoter_name),
        (_("Status"), initiative.get_state_display()),
        (_("Published"), _date(initiative.published_at and timezone.localdate(initiative.published_at))),
        (_("Handed over"), _date(initiative.handed_over_at and timezone.localdate(initiative.handed_over_at))),
        (_("Decision due"), _date(initiative.decision_due)),
        (_("Signatures required"), str(initiative.required_signatures)),
        (
            _("Valid signatures"),
            _("%(total)s (%(online)s online, %(paper)s on paper)")
            % {"total": valid_online + valid_paper, "online": valid_online, "paper": valid_paper},
        ),
        (
            _("Rows in this list"),
            _("%(online)s online, %(paper)s on paper, including those not counted")
            % {"online": len(online), "paper": len(paper)},
        ),
        (_("Made"), formats.date_format(timezone.localtime(), "DATETIME_FORMAT")),
    ]
    story = [Paragraph(escape(title), heading)]
    for label, value in facts:
        shown = escape(str(value or "-"))
        story.append(Paragraph(f"<font name='{bold}'>{escape(str(label))}:</font> {shown}", body))
    story.append(Spacer(1, 4 * mm))

    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), bold),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e9ee")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa3ad")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def tables(header, rows, widths):
        if not rows:
            return [Paragraph(escape(_("None.")), body)]
        out = []
        for start in range(0, len(rows), PDF_CHUNK):
            chunk = rows[start : start + PDF_CHUNK]
            table = LongTable([[p(h) for h in header], *chunk], colWidths=widths, repeatRows=1)
            table.setStyle(grid)
            out.append(table)
        return out

    story.append(Paragraph(escape(_("Signed online")), subheading))
    online_rows = []
    for number, signature in enumerate(online, start=1):
        status, reason = online_status(signature)
        online_rows.append(
            [
                str(number),
                p(signature.name, 80),
                _date(signature.birth_date),
                signature.postcode,
                _datetime(signature.created_at),
                p(f"{status}: {reason}" if reason else status, 95),
            ]
        )
    story += tables(
        ["#", _("Name"), _("Date of birth"), _("Postcode"), _("Signed"), _("Status")],
        online_rows,
        [14 * mm, 80 * mm, 26 * mm, 20 * mm, 32 * mm, 95 * mm],
    )

    story.append(Paragraph(escape(_("Signed on paper")), subheading))
    paper_rows = []
    for number, signature in enumerate(paper, start=1):
        status, reason = paper_status(signature)
        paper_rows.append(
            [
                str(number),
                p(signature.name, 62),
                _date(signature.birth_date),
                p(signature.address, 70),
                p(_batch(signature), 40),
                p(f"{status}: {reason}" if reason else status, 55),
            ]
        )
    story += tables(
        ["#", _("Name"), _("Date of birth"), _("Address"), _("Paper batch"), _("Status")],
        paper_rows,
        [14 * mm, 62 * mm, 26 * mm, 70 * mm, 40 * mm, 55 * mm],
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
