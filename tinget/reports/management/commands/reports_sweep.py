"""`manage.py reports_sweep`: the fault reports' scheduled work. Run it once a day from cron, in the morning so
that "is it fixed?" arrives in the daytime (see docs/operations.md):

    0 9 * * *  cd /srv/tinget && .venv/bin/python manage.py reports_sweep

Each step is safe to run as often as you like; a second run right after the first finds nothing to do. A run
asks at most 500 reporters (services.questionnaires_send); the rest are asked the next time.
"""

from django.core.management.base import BaseCommand

from tinget.reports import services


class Command(BaseCommand):
    help = (
        'Ask reporters "is it fixed?" four weeks after a report was fixed, delete reports never confirmed '
        "within 14 days, and erase the name, e-mail and phone of reporters without an account two years "
        "after their report was closed."
    )

    def handle(self, *args, **options):
        steps = (
            ("questionnaires_sent", services.questionnaires_send),
            ("unconfirmed_deleted", services.unconfirmed_purge),
            ("reporter_details_erased", services.reporter_details_purge),
        )
        for name, step in steps:
            self.stdout.write(f"{name}: {step()}")
