"""`manage.py consultations_sweep`: consultations' scheduled work. Run it every hour from cron (see
docs/operations.md):

    7 * * * *  cd /srv/tinget && flock -n var/consultations_sweep.lock .venv/bin/python manage.py consultations_sweep

It reminds authors of unsent drafts once, TINGET_CONSULTATION_REMINDER_HOURS before the deadline, and deletes
drafts that can no longer be sent. A second run right after the first finds nothing to do.
"""

from django.core.management.base import BaseCommand

from tinget.consultations import services

LABELS = {
    "drafts_reminded": "authors of unsent drafts reminded of the deadline",
    "drafts_deleted": "drafts deleted that can no longer be sent",
}


class Command(BaseCommand):
    help = "Remind authors of unsent drafts before the deadline, and delete drafts that can no longer be sent."

    def handle(self, *args, **options):
        for key, value in services.sweep().items():
            self.stdout.write(f"{key}: {value} ({LABELS.get(key, key)})")
