from django.core.management.base import BaseCommand

from tinget.core.tasks import send_daily_digests


class Command(BaseCommand):
    help = (
        "Queue the daily notification digest (run once a day from cron or a scheduler; the worker sends it). "
        "Safe to run twice: nothing is e-mailed twice."
    )

    def handle(self, *args, **options):
        result = send_daily_digests.enqueue()
        self.stdout.write(f"Daily digests queued (task {result.id}).")
