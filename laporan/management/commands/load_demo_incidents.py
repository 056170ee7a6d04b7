from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from laporan.demo import demo_incidents_load


class Command(BaseCommand):
    help = (
        "Load the demo incidents: the Sumatera Barat story (Kota Pariaman, October 2024) and "
        "synthetic incidents in twelve other provinces (only with DEMO_MODE=true). Idempotent."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo data is only loaded with DEMO_MODE=true, never in production.")
        try:
            report = demo_incidents_load()
        except (ValidationError, PermissionDenied) as exc:
            # A demo login edited by an admin (role, jurisdiction) can make a service refuse.
            messages = getattr(exc, "messages", None) or [str(exc)]
            raise CommandError(f"Demo incidents not loaded: {' '.join(messages)}") from exc
        statuses = ", ".join(f"{status} {n}" for status, n in report.by_status.items())
        self.stdout.write(self.style.SUCCESS(
            f"Demo incidents: {report.created} created, {report.skipped} already there "
            f"({report.seconds:.1f} s)."
        ))
        self.stdout.write(f"  By status: {statuses or 'none'}.")
        self.stdout.write(
            f"  Referrals: {report.referrals} ({report.referrals_overdue} overdue); "
            f"incidents with casualties: {report.casualties}."
        )
