"""The official recommendation document as plain data (pure: no Django, no database).

A Forkopimda FGD recommendation is a short typed document (FACTS.md): the title REKOMENDASI
with the forum and date; a PIMPINAN / WAKTU / MATERI block; sections I. Pendahuluan,
II. Materi, III. Peserta Rapat, IV. Rekomendasi; then place and date and the signing
official. The document is an Indonesian official letter whatever language the portal's user
chose, so its fixed words are Indonesian here, not translated strings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
MEETING_KINDS = {"fgd": "Focus Group Discussion (FGD)", "rakor": "Rapat Koordinasi"}
SECTIONS = ("I. PENDAHULUAN", "II. MATERI", "III. PESERTA RAPAT", "IV. REKOMENDASI")

# Characters XML (and so PDF text and DOCX) cannot hold; a pasted text may carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: str | None) -> str:
    """User text made safe to typeset: control characters dropped, line ends unified.
    Markup is NOT interpreted here or later: renderers treat it as plain characters."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def paragraphs(text: str | None) -> list[str]:
    """Blank-line separated paragraphs; single line breaks inside one are kept."""
    return [p.strip() for p in re.split(r"\n\s*\n", clean(text)) if p.strip()]


def tanggal(day: dt.date) -> str:
    """``30 Oktober 2024``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def hari_tanggal(day: dt.date) -> str:
    """``Rabu, 30 Oktober 2024``."""
    return f"{DAYS[day.weekday()]}, {tanggal(day)}"


def pukul(moment: dt.datetime, zone_name: str) -> str:
    """``pukul 09.00 WIB``."""
    return f"pukul {moment:%H.%M} {zone_name}"


@dataclass
class RecommendationItem:
    text: str
    number: str = ""
    addressees: str = ""
    deadline: str = ""


@dataclass
class OfficialDocument:
    """Everything the PDF and DOCX renderers typeset, in order."""

    title_lines: list[str]
    leader: str
    when: str
    topic: str
    introduction: list[str]
    materials: list[str]
    participants: list[str]
    recommendations: list[RecommendationItem]
    place_date: str
    signatory_title: str
    signatory_name: str
    signatory_id: str = ""
    reference: str = ""
    draft: bool = False
    metadata: dict = field(default_factory=dict)

    @property
    def block(self) -> list[tuple[str, str]]:
        return [("PIMPINAN", self.leader), ("WAKTU", self.when), ("MATERI", self.topic)]


def build(*, forum_name: str, kind: str, title: str, leader: str, held_at: dt.datetime,
          zone_name: str, place: str, topic: str, background: str,
          participants: list[str], recommendations: list[RecommendationItem],
          document_place: str, document_date: dt.date, signatory_title: str,
          signatory_name: str, signatory_id: str = "", draft: bool = False
          ) -> OfficialDocument:
    """The document of one meeting. ``held_at`` is already in the forum region's zone."""
    kind_label = MEETING_KINDS.get(kind, kind)
    day = held_at.date()
    when = f"{hari_tanggal(day)}, {pukul(held_at, zone_name)}"
    held = (f"{kind_label} {clean(forum_name)} dilaksanakan pada hari {hari_tanggal(day)} "
            f"{pukul(held_at, zone_name)}, bertempat di {clean(place)}, dipimpin oleh "
            f"{clean(leader)}.")
    return OfficialDocument(
        title_lines=["REKOMENDASI", clean(forum_name).upper(),
                     f"{kind_label.upper()} TANGGAL {tanggal(day).upper()}"],
        leader=clean(leader), when=when, topic=clean(topic).split("\n")[0],
        introduction=[*paragraphs(background), held],
        materials=paragraphs(topic),
        participants=[clean(p) for p in participants if clean(p)],
        recommendations=[RecommendationItem(text=clean(r.text), number=clean(r.number),
                                            addressees=clean(r.addressees),
                                            deadline=r.deadline)
                         for r in recommendations],
        place_date=f"{clean(document_place) or '...........'}, {tanggal(document_date)}",
        signatory_title=clean(signatory_title), signatory_name=clean(signatory_name),
        signatory_id=clean(signatory_id), reference=clean(title), draft=draft,
        metadata={"title": f"Rekomendasi {clean(title)}", "subject": clean(topic)[:200]},
    )
