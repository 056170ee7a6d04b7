"""The Pilkada Serentak 2024 calendar and contest rule, as plain data (no Django).

Sources: PKPU 2/2024 (stages and dates) and FACTS.md (which regions elect a head).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

D = dt.date


class StageSpec(NamedTuple):
    slug: str
    name: str
    start: dt.date | None
    end: dt.date | None
    description: str = ""


PILKADA_2024 = {
    "slug": "pilkada-2024",
    "name": "Pilkada Serentak 2024",
    "kind": "pilkada",
    "voting_day": D(2024, 11, 27),
    "legal_basis": "PKPU Nomor 2 Tahun 2024",
}

# Names are Indonesian on purpose: they are the official stage names, shown as data.
PILKADA_2024_STAGES = [
    StageSpec("dukungan-perseorangan", "Pemenuhan persyaratan dukungan perseorangan",
              D(2024, 5, 5), D(2024, 8, 19)),
    StageSpec("pemutakhiran-daftar-pemilih", "Pemutakhiran data dan penyusunan daftar pemilih",
              D(2024, 5, 31), D(2024, 9, 23),
              "Pencocokan dan penelitian (coklit) dari rumah ke rumah 24 Juni - 24 Juli 2024."),
    StageSpec("pendaftaran-paslon", "Pendaftaran pasangan calon", D(2024, 8, 27), D(2024, 8, 29)),
    StageSpec("penelitian-persyaratan", "Penelitian persyaratan calon",
              D(2024, 8, 27), D(2024, 9, 21)),
    StageSpec("penetapan-paslon", "Penetapan pasangan calon", D(2024, 9, 22), D(2024, 9, 22)),
    StageSpec("kampanye", "Kampanye", D(2024, 9, 25), D(2024, 11, 23)),
    StageSpec("masa-tenang", "Masa tenang", D(2024, 11, 24), D(2024, 11, 26)),
    StageSpec("pemungutan-suara", "Pemungutan dan penghitungan suara",
              D(2024, 11, 27), D(2024, 11, 27)),
    StageSpec("rekapitulasi", "Rekapitulasi hasil penghitungan suara",
              D(2024, 11, 27), D(2024, 12, 16)),
    StageSpec("penetapan-calon-terpilih", "Penetapan calon terpilih", None, None,
              "Setelah pemberitahuan atau putusan Mahkamah Konstitusi; tanggal diisi admin."),
]

# Regions that do not elect a head in a Pilkada: DI Yogyakarta's governor is the Sultan
# (UU 13/2012), and DKI Jakarta's kabupaten and kota are administrative, their heads
# appointed by the governor (UU 2/2024).
NO_GUBERNUR_ELECTION = {"34"}
NO_LOCAL_HEAD_ELECTION = {"31.01", "31.71", "31.72", "31.73", "31.74", "31.75"}


def pilkada_contest_kind(code: str, level: int, kind: str) -> str | None:
    """The race a region holds in a Pilkada (``gubernur``, ``bupati``, ``wali_kota``) or None."""
    if level == 1:
        return None if code in NO_GUBERNUR_ELECTION else "gubernur"
    if level == 2 and code not in NO_LOCAL_HEAD_ELECTION:
        return "bupati" if kind == "kabupaten" else "wali_kota"
    return None


CONTEST_TITLES = {
    "gubernur": "Pemilihan Gubernur dan Wakil Gubernur {region} {year}",
    "bupati": "Pemilihan Bupati dan Wakil Bupati {region} {year}",
    "wali_kota": "Pemilihan Wali Kota dan Wakil Wali Kota {region} {year}",
}


def contest_name(kind: str, region_name: str, year: int) -> str:
    # "Kabupaten Agam" -> "Pemilihan Bupati ... Agam"; the office already says kabupaten/kota.
    for prefix in ("Kabupaten ", "Kota "):
        if region_name.startswith(prefix):
            region_name = region_name[len(prefix):]
    return CONTEST_TITLES[kind].format(region=region_name, year=year)
