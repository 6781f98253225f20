"""`manage.py journal_import FILE [--format json|csv|xml]`: import a mail journal file at once, as the staff
import page does in the background (tinget.journal.importing). Prints the counts, and each rejected record with
its line and reason; exits with status 1 when the file is rejected (then nothing was imported)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinget.core import audit
from tinget.journal.formats import PARSERS, format_for_name
from tinget.journal.importing import import_file


class Command(BaseCommand):
    help = "Import a mail journal file: eInnsyn JSON, CSV (see docs/journal.md) or Noark 5 public journal XML."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import.")
        parser.add_argument(
            "--format",
            choices=sorted(PARSERS),
            help="The file's format; by default its extension (.json, .csv, .xml) says.",
        )

    def handle(self, *args, file, format=None, **options):
        path = Path(file)
        format = format or format_for_name(path.name)
        if format is None:
            raise CommandError("Cannot tell the format from the file name: give --format json, csv or xml.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        verbose = options.get("verbosity", 1) > 1

        def progress(read):
            if verbose:
                self.stderr.write(f"{read} records read")

        with path.open("rb") as source:
            report = import_file(source, format, progress=progress)
        self.stdout.write(
            f"read {report.read}, created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"rejected {report.error_count}"
        )
        for error in report.error_rows():
            line = error["line"] if error["line"] is not None else "-"
            self.stderr.write(f"line {line}: {error['reason']}")
        audit.log(
            "manage.py journal_import",
            "journal.import.rejected" if report.rejected else "journal.import.done",
            None,
            {
                "file": path.name[:200],
                "format": format,
                "read": report.read,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": report.error_count,
            },
        )
        if report.rejected:
            raise CommandError("The file was rejected: nothing was imported.", returncode=1)
