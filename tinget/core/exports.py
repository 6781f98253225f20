"""What every download of staff data shares: CSV that spreadsheets open safely, streamed line by line, and a PDF
font with the letters of names from anywhere."""

import csv
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)


def csv_cell(value) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: such a text is kept as text."""
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    """A file-like object that hands back what is written to it, so csv.writer produces lines to yield."""

    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable]):
    """The rows (the header first) as CSV lines to stream: UTF-8 with a byte-order mark and ";" between the fields,
    as Excel in Norwegian opens it; fields with ";", quotes or line breaks are quoted by the csv module."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
]


@cache
def pdf_fonts() -> tuple[str, str]:
    """A TrueType font (regular, bold) with the letters of names from anywhere: DejaVu when installed, else the
    Vera font ReportLab ships, embedded in the PDF. The PDF base fonts cover only Western European letters."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates = [*FONT_CANDIDATES, (str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf"))]
    for regular, bold in candidates:
        if Path(regular).exists() and Path(bold).exists():
            try:
                pdfmetrics.registerFont(TTFont("Tinget", regular))
                pdfmetrics.registerFont(TTFont("Tinget-Bold", bold))
                return "Tinget", "Tinget-Bold"
            except Exception:  # a broken font file: try the next
                logger.warning("Could not load the font %s", regular, exc_info=True)
    return "Helvetica", "Helvetica-Bold"
