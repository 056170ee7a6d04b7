"""Suggested recommendation drafts from a region's risk picture (pure: plain data in and
out, no database).

Each rule looks at the accepted incidents of one indicator category in the recent window
against the window before it, or at the region's risk level, and proposes a draft with the
figures that support it. The analyst edits, accepts or discards each one. Drafts are the
forum's own words for an official Indonesian document, so their text is Indonesian here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WINDOW_DAYS = 14
LEVEL_RANK = {"rendah": 0, "sedang": 1, "tinggi": 2}


@dataclass(frozen=True)
class Rule:
    key: str
    category: str  # indicator category code (taxonomy)
    title: str
    text: str
    institutions: tuple[str, ...]
    minimum: int = 2  # incidents in the window before a rise counts


RULES = (
    Rule("asn-neutrality", "asn", "Pengawasan netralitas ASN dan sanksi tegas",
         "Memperkuat pengawasan netralitas ASN di {region} bersama Bawaslu, BKN dan "
         "Inspektorat Daerah, serta menjatuhkan sanksi tegas kepada ASN yang terbukti tidak "
         "netral.", ("bawaslu", "bkn", "inspektorat")),
    Rule("money-politics", "politik-uang", "Pencegahan dan penindakan politik uang",
         "Meningkatkan patroli dan pengawasan politik uang di {region}, terutama menjelang "
         "masa tenang dan pemungutan suara, serta memproses setiap temuan melalui Sentra "
         "Gakkumdu.", ("gakkumdu", "polri", "bawaslu")),
    Rule("intimidation", "intimidasi", "Pengamanan dari intimidasi dan kekerasan",
         "Meningkatkan pengamanan dan patroli di {region} untuk mencegah intimidasi dan "
         "kekerasan, serta menindak tegas pelakunya.", ("polri", "tni")),
    Rule("clashes", "bentrok", "Pencegahan bentrokan antarpendukung",
         "Memetakan titik rawan bentrokan di {region}, mengatur jadwal dan rute kegiatan massa "
         "pendukung, dan menyiagakan pengamanan gabungan TNI/Polri.", ("polri", "tni")),
    Rule("sara-hoaxes", "sara", "Penanganan SARA, ujaran kebencian dan hoaks",
         "Memantau media sosial dan menangani konten SARA, ujaran kebencian dan hoaks di "
         "{region}, serta melibatkan tokoh agama dan tokoh masyarakat dalam menyejukkan "
         "suasana.", ("polri", "kesbangpol")),
    Rule("village-heads", "kepala-desa", "Pengawasan netralitas kepala desa",
         "Mengingatkan dan mengawasi netralitas kepala desa dan perangkat desa di {region}, "
         "dan meneruskan setiap pelanggaran kepada Bawaslu.", ("bawaslu", "inspektorat")),
    Rule("tni-polri-neutrality", "tni-polri", "Pengawasan netralitas TNI/Polri",
         "Menegaskan netralitas anggota TNI/Polri di {region} dan menindaklanjuti setiap "
         "pengaduan melalui Posko Pengaduan.", ("tni", "polri")),
)

LEVEL_RULE = Rule(
    "risk-level-rise", "", "Peningkatan status kewaspadaan",
    "Meningkatkan status kewaspadaan di {region} dengan rapat koordinasi Tim Terpadu, "
    "pemetaan ulang titik rawan, dan laporan perkembangan situasi secara berkala.",
    ("kesbangpol",), minimum=0,
)


@dataclass
class Suggestion:
    key: str
    title: str
    text: str
    rationale: str
    institutions: tuple[str, ...]
    category: str = ""
    figures: dict = field(default_factory=dict)


def _decimal(value: float) -> str:
    """``72,5``: the Indonesian decimal comma."""
    return f"{value:.1f}".replace(".", ",")


def propose(*, region_name: str, counts_now: dict[str, int], counts_before: dict[str, int],
            category_names: dict[str, str], score_now: tuple[float, str] | None = None,
            score_before: tuple[float, str] | None = None, window_days: int = WINDOW_DAYS,
            skip: set[str] = frozenset()) -> list[Suggestion]:
    """The drafts the figures support, strongest rise first. ``counts_*``: accepted incidents
    per category code in the recent window and in the window before it; ``score_*``:
    (total 0-100, level) of the region's overall score now and a window ago."""
    found = []
    for rule in RULES:
        now, before = counts_now.get(rule.category, 0), counts_before.get(rule.category, 0)
        if rule.key in skip or now < rule.minimum or now <= before:
            continue
        name = category_names.get(rule.category, rule.category)
        rationale = (f"{now} kejadian {name} terverifikasi di {region_name} dalam "
                     f"{window_days} hari terakhir, naik dari {before} kejadian pada "
                     f"{window_days} hari sebelumnya.")
        found.append((now - before, Suggestion(
            key=rule.key, title=rule.title, text=rule.text.format(region=region_name),
            rationale=rationale, institutions=rule.institutions, category=rule.category,
            figures={"now": now, "before": before, "window_days": window_days})))
    if (LEVEL_RULE.key not in skip and score_now is not None and score_before is not None
            and LEVEL_RANK.get(score_now[1], 0) > LEVEL_RANK.get(score_before[1], 0)):
        rationale = (f"Skor risiko {region_name} naik dari {_decimal(score_before[0])} "
                     f"({score_before[1]}) menjadi {_decimal(score_now[0])} ({score_now[1]}) "
                     f"dalam {window_days} hari terakhir.")
        found.append((1000, Suggestion(
            key=LEVEL_RULE.key, title=LEVEL_RULE.title,
            text=LEVEL_RULE.text.format(region=region_name), rationale=rationale,
            institutions=LEVEL_RULE.institutions,
            figures={"total_now": score_now[0], "level_now": score_now[1],
                     "total_before": score_before[0], "level_before": score_before[1]})))
    return [suggestion for _rise, suggestion in sorted(found, key=lambda f: -f[0])]
