from django.core.management.base import BaseCommand

from laporan.tallies import incident_day_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recount the per-day incident counts the dashboards read, in one pass over the "
        "incidents (after a bulk load outside the services, or to repair)."
    )

    def handle(self, *args, **options):
        rows = incident_day_counts_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Incident day counts: {rows} rows."))
