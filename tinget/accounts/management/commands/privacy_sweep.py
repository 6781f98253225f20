"""`manage.py privacy_sweep`: delete what has outlived its retention period (see docs/operations.md)."""

from django.core.management.base import BaseCommand

from tinget.accounts import privacy
from tinget.accounts.tasks import privacy_sweep


class Command(BaseCommand):
    help = (
        "Delete accounts never confirmed, old read notifications, and the details of old staff-read log entries. "
        "Runs at once; with --enqueue the task worker runs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Hand the sweep to the task worker and return.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = privacy_sweep.enqueue()
            self.stdout.write(f"Enqueued privacy sweep {result.id}")
            return
        counts = privacy.run_retention_sweeps()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
