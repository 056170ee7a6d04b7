"""Loading regions, boundaries and the Pilkada 2024 election: complete and idempotent."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from kewaspadaan import gazetteer
from kewaspadaan.models import Contest, Election, Region, Stage
from kewaspadaan.services import (
    boundaries_attach,
    election_pilkada2024_load,
    regions_load,
    user_create,
)

pytestmark = pytest.mark.django_db


def test_the_session_holds_every_region_and_the_545_contests():
    counts = {lvl: Region.objects.filter(level=lvl).count() for lvl in (1, 2, 3, 4)}
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
    election = Election.objects.get(slug="pilkada-2024")
    kinds = {k: election.contests.filter(kind=k).count() for k in ("gubernur", "bupati",
                                                                     "wali_kota")}
    assert kinds == {"gubernur": 37, "bupati": 415, "wali_kota": 93}
    assert not Contest.objects.filter(region__code__in=["34", "31.01", "31.71"]).exists()


def test_reloading_regions_changes_nothing_and_repairs_an_edited_row():
    Region.objects.filter(code="13.77").update(name="Pariaman (salah)")
    report = regions_load(records=gazetteer.records())
    assert report.created == 0 and report.updated == 1
    assert report.unchanged == 91_598
    assert Region.objects.get(code="13.77").name == "Kota Pariaman"


def test_the_region_command_reports_its_counts():
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert "38 provinsi, 514 kabupaten/kota, 7,285 kecamatan, 83,762 desa/kelurahan" in (
        out.getvalue()
    )


def test_reloading_the_election_keeps_dates_an_admin_corrected():
    stage = Stage.objects.get(election__slug="pilkada-2024", slug="penetapan-calon-terpilih")
    stage.start_date = stage.end_date = __import__("datetime").date(2025, 1, 9)
    stage.save()
    report = election_pilkada2024_load()
    assert not report.election_created
    assert report.stages_created == 0 and report.contests_created == 0
    stage.refresh_from_db()
    assert stage.start_date.isoformat() == "2025-01-09"


def test_boundaries_attach_by_code_and_report_what_does_not_match(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[100, -1], [100.2, -1], [100.2, -0.5],
                                                   [100, -1]]]}
    features = [
        {"type": "Feature", "properties": {"kode": "13.77", "nama": "Kota Pariaman"},
         "geometry": square},
        {"type": "Feature", "properties": {"prov": "13"}, "geometry": square},
        {"type": "Feature", "properties": {"kode": "99.99"}, "geometry": square},
        {"type": "Feature", "properties": {"kode": "13.72"}, "geometry": {"type": "Point",
                                                                           "coordinates": [1, 2]}},
        {"type": "Feature", "properties": {}, "geometry": square},
    ]
    report = boundaries_attach(features=features)
    assert report.attached == 2
    assert report.unmatched_codes == ["99.99"]
    assert report.bad_geometry == ["13.72"]
    assert report.without_code == 1
    assert Region.objects.get(code="13.77").boundary["type"] == "Polygon"

    path = tmp_path / "kabkota.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    out = StringIO()
    call_command("load_boundaries", str(path), stdout=out)
    assert "2 regions got a boundary" in out.getvalue()
    assert "1 codes match no region: 99.99" in out.getvalue()


def test_the_shared_boundary_files_match_every_province_and_kabkota(settings):
    from pathlib import Path

    geo = Path(settings.BOUNDARY_DIR)
    if not (geo / "kabkota.geojson").exists():
        pytest.skip(f"no boundary files in {geo}")
    for name, level, expected in (("provinsi", 1, 38), ("kabkota", 2, 514)):
        data = json.loads((geo / f"{name}.geojson").read_text())
        report = boundaries_attach(features=data["features"])
        assert report.attached == expected and report.unmatched_codes == []
        assert not Region.objects.filter(level=level, boundary__isnull=True).exists()


def test_a_region_code_must_match_its_level():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="13.7", name="Salah", level=2, kind="kota", parent_id="13",
                              timezone="WIB")


def test_an_operator_needs_a_province_or_kabkota_jurisdiction():
    with pytest.raises(ValidationError):
        user_create(username="x", password="kata-sandi-uji-2024", role="operator",
                    jurisdiction=None)
    with pytest.raises(ValidationError):
        user_create(username="y", password="kata-sandi-uji-2024", role="operator",
                    jurisdiction=Region.objects.get(code="13.77.01"))
    with pytest.raises(ValidationError):
        user_create(username="z", password="kata-sandi-uji-2024", role="national",
                    jurisdiction=Region.objects.get(code="13"))


def test_a_weak_password_is_refused_in_indonesian():
    with pytest.raises(ValidationError) as excinfo:
        user_create(username="lemah", password="12345", role="analyst",
                    jurisdiction=Region.objects.get(code="13"))
    assert "terlalu pendek" in " ".join(excinfo.value.messages)
