from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from forkopimda.demo import demo_forums_load


class Command(BaseCommand):
    help = (
        "Load the demo forums of Sumatera Barat and the Tim Terpadu meeting of 30 October 2024 "
        "with its four recommendations (only with DEMO_MODE=true). Idempotent; run it after "
        "load_demo_incidents so the meeting cites the Pariaman incidents."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo data is only loaded with DEMO_MODE=true, never in production.")
        try:
            report = demo_forums_load()
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError(f"Demo forums not loaded: {' '.join(messages)}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"Demo forums: {report.forums} forums, {report.meetings} meeting and "
            f"{report.recommendations} recommendations created."
        ))
