"""`manage.py load_report_categories [NAME or PATH]`: load the fault report categories from JSON."""

from django.core.management.base import BaseCommand, CommandError

from tinget.reports.categories import CategoryFileError, load_report_categories


class Command(BaseCommand):
    help = (
        "Load fault report category groups, categories and their extra questions from JSON (default: asker). "
        "Idempotent: loading the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "categories", nargs="?", default="asker", help="A file name in tinget/reports/categories or a JSON path"
        )

    def handle(self, categories, **options):
        try:
            changes = load_report_categories(categories)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        except CategoryFileError as exc:
            raise CommandError("The category file is not valid:\n  " + "\n  ".join(exc.problems)) from exc
        self.stdout.write(f"Fault report categories: {changes} rows created or changed")
