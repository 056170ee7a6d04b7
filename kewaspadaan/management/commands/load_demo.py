from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kewaspadaan.services import DEMO_PASSWORD, demo_users_load


class Command(BaseCommand):
    help = "Load the demo data set and logins (only with DEMO_MODE=true). Idempotent."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo data is only loaded with DEMO_MODE=true, never in production.")
        users = demo_users_load()
        created = sum(1 for _u, was_created in users if was_created)
        self.stdout.write(self.style.SUCCESS(f"Demo logins: {created} created."))
        self.stdout.write("")
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD})")
        for user, _created in users:
            self.stdout.write(
                f"  {user.get_role_display():<36} {user.username:<20} {user.jurisdiction_label}"
            )
