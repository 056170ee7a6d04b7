from django.core.management.base import BaseCommand, CommandError

from kewaspadaan.models import Region
from kewaspadaan.services import election_pilkada2024_load


class Command(BaseCommand):
    help = "Create Pilkada Serentak 2024 with its PKPU 2/2024 stages and derived contests."

    def handle(self, *args, **options):
        if not Region.objects.exists():
            raise CommandError("No regions yet: run 'manage.py load_regions' first.")
        report = election_pilkada2024_load()
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.contests_by_kind.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.election.name}: {'created' if report.election_created else 'present'}; "
                f"{report.stages_created} stages and {report.contests_created} contests created; "
                f"contests now: {kinds}."
            )
        )
