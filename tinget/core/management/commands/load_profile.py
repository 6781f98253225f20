from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tinget.core.profile import load_profile


class Command(BaseCommand):
    help = "Load a municipality profile (areas, postcodes, units, emergency numbers) from JSON."

    def add_arguments(self, parser):
        parser.add_argument("profile", help="A profile name in tinget/core/profiles (e.g. asker) or a JSON path")

    def handle(self, profile, **options):
        try:
            municipality, changes = load_profile(profile)
        except (FileNotFoundError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"The profile is not valid: {'; '.join(exc.messages)}") from exc
        self.stdout.write(f"{municipality}: {changes} rows created or changed")
