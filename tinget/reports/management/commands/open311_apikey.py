"""Issue, list and revoke the API keys Open311 clients send reports with.

manage.py open311_apikey create --name "Bymelding app"   prints the new key (the only time it is shown)
manage.py open311_apikey list
manage.py open311_apikey revoke PREFIX_OR_ID
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tinget.core.errors import DomainError
from tinget.reports import services
from tinget.reports.models import ApiKey


class Command(BaseCommand):
    help = "Issue (create --name NAME), list or revoke (revoke PREFIX_OR_ID) Open311 API keys."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = commands.add_parser("create", help="Issue a new key and print it once.")
        create.add_argument("--name", required=True, help="Who the key is for, e.g. the app's name.")
        commands.add_parser("list", help="List the keys (never the keys themselves).")
        revoke = commands.add_parser("revoke", help="Revoke a key at once.")
        revoke.add_argument("key", metavar="PREFIX_OR_ID", help="The key's first characters (as listed) or its id.")

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_create(self, name, **options):
        try:
            api_key, key = services.api_key_create(actor=None, name=name)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        # The key alone on stdout, so that a script can read it; the explanation on stderr.
        self.stderr.write(f"Open311 API key #{api_key.pk} for {api_key.name}. It is shown only this once:")
        self.stdout.write(key)

    def handle_list(self, **options):
        keys = list(ApiKey.objects.order_by("created_at", "pk"))
        if not keys:
            self.stdout.write("No Open311 API keys.")
            return
        for api_key in keys:
            state = f"revoked {self._when(api_key.revoked_at)}" if api_key.revoked_at else "active"
            used = self._when(api_key.last_used_at) if api_key.last_used_at else "never"
            self.stdout.write(
                f"{api_key.pk:>5}  {api_key.prefix}…  {state:<26}  issued {self._when(api_key.created_at)}  "
                f"last used {used}  {api_key.name}"
            )

    def handle_revoke(self, key, **options):
        key = key.strip().rstrip("…")
        matches = list(ApiKey.objects.filter(prefix=key)) if key else []
        if not matches and key.isdigit():
            matches = list(ApiKey.objects.filter(pk=int(key))) if len(key) <= 18 else []
        if not matches:
            raise CommandError(f"No API key starts with or has the id {key!r}. See `open311_apikey list`.")
        if len(matches) > 1:
            ids = ", ".join(str(api_key.pk) for api_key in matches)
            raise CommandError(f"Several keys start with {key!r} (ids {ids}): revoke one by its id.")
        api_key = matches[0]
        if api_key.revoked_at:
            self.stdout.write(f"Key #{api_key.pk} ({api_key.name}) was already revoked.")
            return
        services.api_key_revoke(actor=None, api_key=api_key)
        self.stdout.write(f"Revoked key #{api_key.pk} ({api_key.name}).")

    @staticmethod
    def _when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
