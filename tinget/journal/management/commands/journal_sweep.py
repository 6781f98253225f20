"""`manage.py journal_sweep`: the mail journal's scheduled work. Run it every hour from cron (see
docs/operations.md):

    17 * * * *  cd /srv/tinget && flock -n var/journal_sweep.lock .venv/bin/python manage.py journal_sweep

It reminds the unit of an unanswered access request after 1 and 3 working days, tells the requester after the
fifth working day that no answer counts as a refusal they may appeal (offentleglova § 32), takes private persons'
names out of search TINGET_JOURNAL_NAME_SEARCH_DAYS after an entry was published, and deletes access requests (with
their answer files) TINGET_JOURNAL_REQUEST_RETENTION_DAYS after their last answer or appeal. Each reminder and notice
is sent once: a second run right after the first finds nothing to do, and a run missed is caught up by the next.
"""

from django.core.management.base import BaseCommand

from tinget.journal import services

LABELS = {
    "reminded_1": "units reminded after 1 working day",
    "reminded_3": "units reminded after 3 working days",
    "overdue_notified": "requesters told that no answer in time counts as a refusal (offentleglova § 32)",
    "names_faded": "entries whose private persons' names were taken out of search",
    "requests_deleted": "access requests deleted after the retention period",
}


class Command(BaseCommand):
    help = (
        "Remind units of unanswered access requests, tell requesters of offentleglova § 32, take old personal names "
        "out of search, and delete old access requests."
    )

    def handle(self, *args, **options):
        for key, value in services.sweep().items():
            self.stdout.write(f"{key}: {value} ({LABELS.get(key, key)})")
