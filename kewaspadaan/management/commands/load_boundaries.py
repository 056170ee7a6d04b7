import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kewaspadaan.services import boundaries_attach


class Command(BaseCommand):
    help = (
        "Attach boundary shapes from GeoJSON files to regions by Kemendagri code "
        "(property 'kode', 'prov' or 'code'); reports the codes it could not match."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="GeoJSON FeatureCollection files")

    def handle(self, *args, paths, **options):
        for raw in paths:
            path = Path(raw)
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise CommandError(f"{path}: file not found") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path}: not valid GeoJSON ({exc})") from None
            if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
                raise CommandError(f"{path}: expected a GeoJSON FeatureCollection")
            report = boundaries_attach(features=data.get("features") or [])
            self.stdout.write(
                self.style.SUCCESS(f"{path.name}: {report.attached} regions got a boundary.")
            )
            if report.unmatched_codes:
                self.stdout.write(
                    self.style.WARNING(
                        f"{path.name}: {len(report.unmatched_codes)} codes match no region: "
                        + ", ".join(report.unmatched_codes)
                    )
                )
            if report.without_code:
                self.stdout.write(
                    self.style.WARNING(f"{path.name}: {report.without_code} features have no code.")
                )
            if report.bad_geometry:
                self.stdout.write(
                    self.style.WARNING(
                        f"{path.name}: no polygon geometry for " + ", ".join(report.bad_geometry)
                    )
                )
