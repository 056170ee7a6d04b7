"""Usual compositions of the forums (FACTS.md), offered as templates when a forum is created
(pure data). The analyst edits the member list afterwards: a template names offices, never
persons, and a region's actual decree (SK) decides.

Sources, as FACTS.md records them:
- Forkopimda, province: the Sumatera Barat FGD of 5 May 2023 (Gubernur, Kapolda, Danrem,
  Danlantamal, Danlanud, Kabinda, Pengadilan Tinggi, Kaban Kesbangpol).
- Tim Terpadu Penanganan Konflik Sosial (UU 7/2012, PP 2/2015, Permendagri 42/2015):
  province Gubernur, Kapolda, Pangdam, Kajati; kab/kota Bupati/Wali Kota, Dandim, Kapolres,
  Kajari; chaired by the regional head.
- Desk Pilkada: Sekretaris Daerah (chair), vice-chairs from TNI, Polri and Kejaksaan,
  secretariat Kesbangpol.
- Tim Kewaspadaan Dini and FKDM: FACTS.md names no composition; the template holds only the
  Kesbangpol secretariat that runs early awareness.
"""

from __future__ import annotations

from dataclasses import dataclass

CHAIR, VICE, SECRETARIAT, MEMBER = "chair", "vice_chair", "secretariat", "member"


@dataclass(frozen=True)
class Seat:
    office: str  # with {region} for the region's name ("Provinsi Sumatera Barat")
    position: str = MEMBER
    institution: str = ""  # an Institution code the recommendations can address


PROVINCE, KABKOTA = 1, 2

COMPOSITIONS: dict[tuple[str, int], list[Seat]] = {
    ("forkopimda", PROVINCE): [
        Seat("Gubernur {region}", CHAIR),
        Seat("Kapolda {region}", MEMBER, "polri"),
        Seat("Danrem {region}", MEMBER, "tni"),
        Seat("Danlantamal {region}", MEMBER, "tni"),
        Seat("Danlanud {region}", MEMBER, "tni"),
        Seat("Kabinda {region}"),
        Seat("Ketua Pengadilan Tinggi {region}", MEMBER, "pengadilan"),
        Seat("Kepala Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
    ("forkopimda", KABKOTA): [
        Seat("Bupati/Wali Kota {region}", CHAIR),
        Seat("Dandim {region}", MEMBER, "tni"),
        Seat("Kapolres {region}", MEMBER, "polri"),
        Seat("Kajari {region}", MEMBER, "kejaksaan"),
        Seat("Kepala Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
    ("tim_terpadu", PROVINCE): [
        Seat("Gubernur {region}", CHAIR),
        Seat("Kapolda {region}", VICE, "polri"),
        Seat("Pangdam", VICE, "tni"),
        Seat("Kajati {region}", VICE, "kejaksaan"),
        Seat("Kepala Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
    ("tim_terpadu", KABKOTA): [
        Seat("Bupati/Wali Kota {region}", CHAIR),
        Seat("Dandim {region}", VICE, "tni"),
        Seat("Kapolres {region}", VICE, "polri"),
        Seat("Kajari {region}", VICE, "kejaksaan"),
        Seat("Kepala Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
    ("desk_pilkada", PROVINCE): [
        Seat("Sekretaris Daerah {region}", CHAIR),
        Seat("Perwakilan TNI", VICE, "tni"),
        Seat("Perwakilan Polri", VICE, "polri"),
        Seat("Perwakilan Kejaksaan", VICE, "kejaksaan"),
        Seat("Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
    ("tim_kewaspadaan", PROVINCE): [
        Seat("Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
    ("fkdm", PROVINCE): [
        Seat("Badan Kesbangpol {region}", SECRETARIAT, "kesbangpol"),
    ],
}
# Below the province the same offices exist at their own level.
for _kind in ("desk_pilkada", "tim_kewaspadaan", "fkdm"):
    COMPOSITIONS.setdefault((_kind, KABKOTA), COMPOSITIONS[(_kind, PROVINCE)])

FORUM_NAMES = {
    "forkopimda": "Forkopimda {region}",
    "tim_terpadu": "Tim Terpadu Penanganan Konflik Sosial {region}",
    "desk_pilkada": "Desk Pilkada {region}",
    "tim_kewaspadaan": "Tim Kewaspadaan Dini {region}",
    "fkdm": "FKDM {region}",
}


def region_title(name: str, level: int) -> str:
    """``Provinsi Sumatera Barat`` for a province; kab/kota names carry their kind already."""
    return f"Provinsi {name}" if level == PROVINCE else name


def seats(*, kind: str, level: int, region_name: str) -> list[dict]:
    """The template's member seats for a forum of ``kind`` at ``level``, filled in."""
    template = COMPOSITIONS.get((kind, min(level, KABKOTA)), [])
    title = region_title(region_name, level)
    return [{"office": seat.office.format(region=title), "position": seat.position,
             "institution": seat.institution, "order": index}
            for index, seat in enumerate(template, start=1)]


def forum_name(*, kind: str, level: int, region_name: str) -> str:
    return FORUM_NAMES[kind].format(region=region_title(region_name, level))
