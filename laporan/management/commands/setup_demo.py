from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kewaspadaan.models import Region


class Command(BaseCommand):
    help = (
        "Everything the embedded demo needs after migrate: regions, Pilkada 2024, boundaries "
        "(when the GeoJSON files are present) and the demo data set. Idempotent."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("setup_demo only runs with DEMO_MODE=true.")
        call_command("load_regions", stdout=self.stdout)
        call_command("load_pilkada2024", stdout=self.stdout)
        call_command("load_taxonomy", stdout=self.stdout)
        geo = Path(settings.BOUNDARY_DIR)
        files = [geo / "provinsi.geojson", geo / "kabkota.geojson"]
        if all(f.exists() for f in files):
            # Attaching shapes rewrites 552 rows; skip when every province and kab/kota has one.
            if Region.objects.filter(level__lte=2, boundary__isnull=True).exists():
                call_command("load_boundaries", *map(str, files), stdout=self.stdout)
            else:
                self.stdout.write("Boundaries: already attached.")
        else:
            self.stdout.write(
                f"Boundaries: none found in {geo}; the map will draw circles at centroids."
            )
        call_command("load_demo", stdout=self.stdout)
        # Demo logins of the roles that must use two-factor login get an authenticator;
        # `demo_totp USERNAME` prints the current code.
        call_command("demo_totp", enrol=True, stdout=self.stdout)
        call_command("load_demo_incidents", stdout=self.stdout)
        # Forums, meetings and recommendations belong to forkopimda, which sits above laporan:
        # its loader is called by command name (no import runs upward), when it is installed.
        if apps.is_installed("forkopimda"):
            call_command("load_demo_forums", stdout=self.stdout)
        # The dashboards' trends need snapshots of past days, not only of today's rescore.
        call_command("rescore_history", stdout=self.stdout)
