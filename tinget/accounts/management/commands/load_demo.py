from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand

from tinget.accounts.demo import load_demo_users
from tinget.core.profile import load_profile
from tinget.core.registry import registry


class Command(BaseCommand):
    help = "Load the demo: a municipality profile, demo people and each module's demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--profile", default="asker")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo passwords")

    def handle(self, profile, quiet_logins=False, **options):
        municipality, changes = load_profile(profile)
        self.stdout.write(f"Profile: {municipality} ({changes} changes)")
        # allauth names the site in e-mails; Django's default row says "example.com".
        Site.objects.filter(pk=settings.SITE_ID, domain="example.com").update(
            domain="127.0.0.1:8000", name=municipality.name
        )
        logins = load_demo_users()
        for module in registry:
            if module.demo is not None:
                module.demo(municipality)
                self.stdout.write(f"Demo data: {module.name}")
        if not quiet_logins:
            self.stdout.write(self.style.SUCCESS("\nDemo logins (invented people; passwords in var/demo-logins.txt):"))
            for email, password in logins.items():
                self.stdout.write(f"  {email:28} {password}")
            self.stdout.write("Staff set up two-factor (an authenticator app) the first time they open /admin/.")
