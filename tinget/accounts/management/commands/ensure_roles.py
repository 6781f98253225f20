from django.core.management.base import BaseCommand

from tinget.accounts.staff import ROLE_DESCRIPTIONS, ensure_staff_roles


class Command(BaseCommand):
    help = "Create or update the staff roles (groups) and their permissions. Idempotent; run it after migrate."

    def handle(self, **options):
        for role, group in ensure_staff_roles().items():
            self.stdout.write(f"{role:15} {group.permissions.count():4} permissions  {ROLE_DESCRIPTIONS[role]}")
