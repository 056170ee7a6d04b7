from django.core.management.base import BaseCommand

from kewaspadaan.services import taxonomy_load


class Command(BaseCommand):
    help = "Create the starting indicator taxonomy and referral institutions (create-only)."

    def handle(self, *args, **options):
        report = taxonomy_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Taxonomy: {report.indicators_created} indicators and "
                f"{report.institutions_created} institutions created."
            )
        )
