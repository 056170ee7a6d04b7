from django.core.management.base import BaseCommand

from kewaspadaan import gazetteer
from kewaspadaan.services import regions_load

LEVELS = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}


class Command(BaseCommand):
    help = "Load or refresh every Kemendagri region from the installed gazetteer (idempotent)."

    def handle(self, *args, **options):
        report = regions_load(records=gazetteer.records())
        counts = ", ".join(f"{n:,} {LEVELS[lvl]}" for lvl, n in sorted(report.by_level.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Regions from {gazetteer.source_version()}: {counts}; "
                f"{report.created:,} created, {report.updated:,} updated, "
                f"{report.unchanged:,} unchanged."
            )
        )
