"""`manage.py initiatives_sweep`: citizen initiatives' scheduled work. Run it every minute (or every five) from
cron (see docs/operations.md):

    * * * * *  cd /srv/tinget && flock -n var/initiatives_sweep.lock .venv/bin/python manage.py initiatives_sweep

It recounts every initiative taking signatures (so the threshold is noticed without a visitor), hands over
an initiative whose period ended with enough signatures and lets the others expire, and deletes the
signatures of initiatives closed more than TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS ago. Each step is safe to
run as often as you like: a second run right after the first finds nothing to do (services.sweep). `flock -n`
keeps a slow run from being joined by the next one.
"""

from django.core.management.base import BaseCommand

from tinget.initiatives import services

LABELS = {
    "recounted": "initiatives recounted",
    "handed_over": "handed over at the end of the period",
    "expired": "expired without enough signatures",
    "signatures_deleted": "signatures deleted after the retention period",
}


class Command(BaseCommand):
    help = (
        "Recount the initiatives taking signatures, hand over or expire those whose signing period has ended, "
        "and delete signatures kept longer than TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS after the decision."
    )

    def handle(self, *args, **options):
        result = services.sweep()
        for key, value in result.items():
            self.stdout.write(f"{key}: {value} ({LABELS.get(key, key)})")
