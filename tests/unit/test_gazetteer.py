"""The region list read from the installed gazetteer matches Kepmendagri 300.2.2-2138/2025."""

from collections import Counter

import pytest

from kewaspadaan import gazetteer
from kewaspadaan.elections import pilkada_contest_kind


@pytest.fixture(scope="module")
def records():
    return list(gazetteer.records())


def test_it_reads_every_kemendagri_code(records):
    by_level = Counter(r.level for r in records)
    assert by_level == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert len({r.code for r in records}) == 91_599


def test_it_tells_kabupaten_from_kota_and_desa_from_kelurahan(records):
    kinds = Counter(r.kind for r in records)
    assert kinds["kabupaten"] == 416 and kinds["kota"] == 98
    assert kinds["desa"] == 75_266 and kinds["kelurahan"] == 8_496


def test_kota_pariaman_is_in_sumatera_barat_in_wib(records):
    by_code = {r.code: r for r in records}
    pariaman = by_code["13.77"]
    assert pariaman.name == "Kota Pariaman"
    assert pariaman.parent == "13" and by_code["13"].name == "Sumatera Barat"
    assert pariaman.timezone == "WIB" and pariaman.kind == "kota"
    assert pariaman.population and pariaman.latitude and pariaman.longitude


def test_villages_inherit_the_time_zone_of_their_kabkota(records):
    by_code = {r.code: r for r in records}
    jayapura_village = next(r for r in records if r.code.startswith("91.") and r.level == 4)
    assert jayapura_village.timezone == "WIT"
    assert by_code["51"].timezone == "WITA"  # Bali
    assert by_code["13.77.01.1001"].kind == "kelurahan"


def test_parents_come_before_children(records):
    seen = set()
    for r in records:
        assert r.parent is None or r.parent in seen, r.code
        seen.add(r.code)


def test_the_contest_rule_gives_545_pilkada_2024_races(records):
    kinds = Counter(
        kind for r in records if (kind := pilkada_contest_kind(r.code, r.level, r.kind))
    )
    assert kinds == {"gubernur": 37, "bupati": 415, "wali_kota": 93}
    sumbar = Counter(
        pilkada_contest_kind(r.code, r.level, r.kind)
        for r in records if r.code.startswith("13") and r.level <= 2
    )
    assert sumbar == {"gubernur": 1, "bupati": 12, "wali_kota": 7}


@pytest.mark.parametrize(
    ("raw", "dotted"),
    [("13", "13"), ("1377", "13.77"), ("137701", "13.77.01"), ("1377011001", "13.77.01.1001")],
)
def test_dotted_codes(raw, dotted):
    assert gazetteer.dotted(raw) == dotted
