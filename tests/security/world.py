"""The fixture world of the access matrix: the same objects in Kota Pariaman (13.77), Kota
Solok (13.72), Kota Semarang (33.74, Jawa Tengah) and at the province of Sumatera Barat
(13), created through the services, each carrying a unique marker in its text.

``visible(persona, obj)`` is the matrix's own oracle of the access rule (DESIGN.md: a user
sees their region and everything below it; classifications by role; a draft is its
reporter's and the verifiers'). It is written here again, independently of
``kewaspadaan.scoping``, so the matrix tests the rule instead of repeating it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import struct
import zlib
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from forkopimda import services as forum_services
from forkopimda.choices import ForumKind, MeetingKind, Position
from kewaspadaan.models import Alert, Contest, Election, Institution, Region, RiskScore
from kewaspadaan.services import profile_active
from laporan import services as incident_services
from laporan.models import ImportBatch
from tests.factories import UserFactory

WIB = dt.timezone(dt.timedelta(hours=7))
ROLES_ALL = {"operator", "analyst", "official", "national", "admin"}
CLASSIFICATIONS = ("biasa", "terbatas", "rahasia")
READS_CLASSIFICATION = {
    "operator": {"biasa"},
    "official": {"biasa", "terbatas"},
    "national": {"biasa", "terbatas"},
    "analyst": set(CLASSIFICATIONS),
    "admin": set(CLASSIFICATIONS),
}
# Who sees another reporter's draft: the verifiers.
READS_DRAFTS = {"analyst", "admin"}

# The personas of tests/conftest.py (same names, roles and jurisdictions).
PERSONAS = {
    "operator_pariaman": ("op.pariaman", "operator", "13.77"),
    "operator_solok": ("op.solok", "operator", "13.72"),
    "analyst_sumbar": ("an.sumbar", "analyst", "13"),
    "official_sumbar": ("of.sumbar", "official", "13"),
    "national_user": ("nasional", "national", None),
    "admin_user": ("sysadmin", "admin", None),
    "operator_jateng": ("op.jateng", "operator", "33"),
}
PERSONA_NAMES = [*PERSONAS, "anonymous"]

# Where the objects live: tag -> region code.
PLACES = {"P": "13.77", "S": "13.72", "J": "33.74", "V": "13"}
# Regions addressed by code (dashboards, region pages): kab/kota, provinces, the nation.
REGION_CODES = ("13.77", "13.72", "33.74", "13", "33", "national")


def png_bytes(note: str = "") -> bytes:
    """A real, decodable 1x1 PNG; ``note`` (a text chunk) makes its bytes unique."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    text = chunk(b"tEXt", b"Comment\x00" + note.encode()) if note else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + text
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


_uploads = itertools.count()


def png_upload(name: str) -> SimpleUploadedFile:
    """A PNG whose bytes no other upload has (the same file twice is refused)."""
    return SimpleUploadedFile(name, png_bytes(f"{name} {next(_uploads)}"),
                              content_type="image/png")


@dataclass
class Obj:
    """One object of the world: its kind, pk, region, marker and what narrows who sees it."""

    kind: str
    pk: int
    region: str
    marker: str
    classification: str = ""
    draft_of: str = ""  # username of the reporter, for a draft
    owner: str = ""  # only this username sees it (import batches)
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.marker


@dataclass
class World:
    users: dict
    objects: dict[str, list[Obj]]
    regions: list[str]

    def of(self, kind: str) -> list[Obj]:
        return self.objects[kind]

    def all(self) -> list[Obj]:
        return [o for objs in self.objects.values() for o in objs]


def in_jurisdiction(jurisdiction: str | None, code: str) -> bool:
    if code == "national":
        return jurisdiction is None
    return jurisdiction is None or code == jurisdiction or code.startswith(f"{jurisdiction}.")


def is_ancestor(code: str, jurisdiction: str | None) -> bool:
    return jurisdiction is not None and jurisdiction.startswith(f"{code}.")


def persona_info(persona: str) -> tuple[str | None, str | None, str | None]:
    """(username, role, jurisdiction); all None for the anonymous caller."""
    if persona == "anonymous":
        return None, None, None
    return PERSONAS[persona]


def visible(persona: str, obj: Obj) -> bool:
    """Whether ``persona`` may read ``obj`` under the portal's rule."""
    username, role, jurisdiction = persona_info(persona)
    if role is None:
        return False
    if obj.owner:
        return obj.owner == username
    if not obj.region:
        return True  # nationwide reference data (elections, stages)
    if not in_jurisdiction(jurisdiction, obj.region):
        return False
    if obj.classification and obj.classification not in READS_CLASSIFICATION[role]:
        return obj.draft_of == username
    if obj.draft_of:
        return obj.draft_of == username or role in READS_DRAFTS
    return True


def _user(username, role, code):
    return UserFactory(username=username, role=role, jurisdiction_code=code)


def build() -> World:
    users = {key: _user(*spec) for key, spec in PERSONAS.items()}
    users["reporter_13"] = _user("an.reporter13", "analyst", "13")
    users["reporter_33"] = _user("an.reporter33", "analyst", "33")
    users["operator_pariaman_2"] = _user("op.pariaman2", "operator", "13.77")
    reporter = {"P": users["reporter_13"], "S": users["reporter_13"], "V": users["reporter_13"],
                "J": users["reporter_33"]}
    objects: dict[str, list[Obj]] = {k: [] for k in (
        "incident", "referral", "evidence", "alert", "riskscore", "forum", "member", "meeting",
        "attachment", "recommendation", "distribution", "importbatch")}
    from kewaspadaan.models import Indicator

    indicator = Indicator.objects.get(code="uang-tunai")
    polri = Institution.objects.get(code="polri")
    election = Election.objects.get(slug="pilkada-2024")
    profile = profile_active()
    day = dt.date(2024, 10, 20)

    for tag in ("P", "S", "J"):
        region = Region.objects.get(code=PLACES[tag])
        by = reporter[tag]
        for cls in CLASSIFICATIONS:
            marker = f"ZQINC{tag}{cls.upper()}Z"
            incident = incident_services.incident_create(by=by, data=incident_services.IncidentData(
                title=f"{marker} pembagian uang", narrative=f"Uraian {marker}.",
                region=region, occurred_at=dt.datetime(2024, 10, 18, 19, 40, tzinfo=WIB),
                indicator=indicator, source_type="laporan_masyarakat", classification=cls,
            ), submit=True)
            incident = incident_services.incident_verify(
                incident=incident, by=by, reliability="B", credibility=2, reason="Dikonfirmasi.")
            objects["incident"].append(Obj("incident", incident.pk, region.code, marker, cls))
            ref_marker = f"ZQREF{tag}{cls.upper()}Z"
            referral = incident_services.referral_create(
                incident=incident, by=by, institution=polri, subject=ref_marker, count=2,
                referred_on=dt.date(2024, 10, 19))
            objects["referral"].append(Obj("referral", referral.pk, region.code, ref_marker, cls))
            ev_marker = f"ZQEV{tag}{cls.upper()}Z"
            evidence = incident_services.evidence_add(
                incident=incident, by=by, upload=png_upload(f"{ev_marker}.png"),
                description=ev_marker)
            objects["evidence"].append(Obj("evidence", evidence.pk, region.code, ev_marker, cls))
        alert_marker = f"ZQALERT{tag}Z"
        alert = Alert.objects.create(rule="surge", condition_key=f"matrix:{tag}", region=region,
                                     election=election, title=alert_marker, message="-",
                                     level="sedang")
        objects["alert"].append(Obj("alert", alert.pk, region.code, alert_marker))
        score = RiskScore.objects.create(region=region, election=election, stage="", day=day,
                                         total=40.0, level="sedang", profile=profile,
                                         signal_count=1)
        objects["riskscore"].append(Obj("riskscore", score.pk, region.code, f"ZQSCORE{tag}Z"))

    # A draft of another operator of Kota Pariaman, with evidence: only its reporter and
    # the verifiers may read either.
    pariaman = Region.objects.get(code="13.77")
    other = users["operator_pariaman_2"]
    draft = incident_services.incident_create(by=other, data=incident_services.IncidentData(
        title="ZQINCPDRAFTZ catatan awal", narrative="Uraian ZQINCPDRAFTZ.", region=pariaman,
        occurred_at=dt.datetime(2024, 10, 18, 19, 40, tzinfo=WIB), indicator=indicator,
        source_type="laporan_masyarakat"))
    objects["incident"].append(Obj("incident", draft.pk, "13.77", "ZQINCPDRAFTZ", "biasa",
                                   draft_of=other.username))
    evidence = incident_services.evidence_add(incident=draft, by=other,
                                              upload=png_upload("ZQEVPDRAFTZ.png"),
                                              description="ZQEVPDRAFTZ")
    objects["evidence"].append(Obj("evidence", evidence.pk, "13.77", "ZQEVPDRAFTZ", "biasa",
                                   draft_of=other.username))

    for tag in ("P", "S", "J", "V"):
        region = Region.objects.get(code=PLACES[tag])
        by = reporter[tag]
        forum_marker = f"ZQFORUM{tag}Z"
        forum = forum_services.forum_create(
            by=by, region=region, kind=ForumKind.TIM_TERPADU, name=f"Tim Terpadu {forum_marker}",
            members=[forum_services.MemberData(office=f"Kapolres {forum_marker}",
                                               position=Position.CHAIR)])
        objects["forum"].append(Obj("forum", forum.pk, region.code, forum_marker))
        member = forum.members.first()
        objects["member"].append(Obj("member", member.pk, region.code, forum_marker,
                                     extra={"forum": forum.pk}))
        meeting_marker = f"ZQMEET{tag}Z"
        meeting = forum_services.meeting_create(by=by, data=forum_services.MeetingData(
            forum=forum, kind=MeetingKind.RAKOR, title=f"Rakor {meeting_marker}",
            leader="Sekretaris Daerah", held_at=dt.datetime(2024, 10, 30, 9, 0, tzinfo=WIB),
            place="Aula", topic=f"Topik {meeting_marker}", background="Latar belakang.",
            signatory_title="Kepala Bidang", signatory_name="Penandatangan",
            document_place="Padang",
            participants=[forum_services.ParticipantData(office="Bawaslu")],
            regions=[region]))
        objects["meeting"].append(Obj("meeting", meeting.pk, region.code, meeting_marker))
        att_marker = f"ZQATT{tag}Z"
        attachment = forum_services.attachment_add(meeting=meeting, by=by,
                                                   upload=png_upload(f"{att_marker}.png"),
                                                   description=att_marker)
        objects["attachment"].append(Obj("attachment", attachment.pk, region.code, att_marker,
                                         extra={"meeting": meeting.pk}))
        rec_marker = f"ZQREC{tag}Z"
        rec = forum_services.recommendation_create(by=by, data=forum_services.RecommendationData(
            title=f"Rekomendasi {rec_marker}", text=f"Isi {rec_marker}.", meeting=meeting,
            deadline=dt.date(2030, 1, 31), institutions=[polri], regions=[region]))
        rec = forum_services.recommendation_approve(recommendation=rec, by=by)
        rec = forum_services.recommendation_issue(recommendation=rec, by=by)
        objects["recommendation"].append(Obj("recommendation", rec.pk, region.code, rec_marker))
        distribution = forum_services.distribution_record(
            recommendation=rec, by=by, recipient=f"Kapolres {rec_marker}", institution=polri)
        objects["distribution"].append(Obj("distribution", distribution.pk, region.code,
                                           rec_marker, extra={"recommendation": rec.pk}))

    for key, username in (("reporter_13", "an.reporter13"), ("analyst_sumbar", "an.sumbar")):
        batch = ImportBatch.objects.create(uploaded_by=users[key], filename=f"ZQIMP{key}Z.csv",
                                           rows=[], total_rows=0)
        objects["importbatch"].append(Obj("importbatch", batch.pk, "", f"ZQIMP{key}Z",
                                          owner=username))
    objects["region"] = [Obj("region", 0, code, "") for code in REGION_CODES]
    objects["contest"] = [Obj("contest", pk, code, "") for code, pk in contest_ids().items()]
    objects["election"] = [Obj("election", election.pk, "", "")]
    objects["stage"] = [Obj("stage", election.stages.order_by("order").first().pk, "", "")]
    return World(users=users, objects=objects, regions=list(REGION_CODES))


def contest_ids() -> dict[str, int]:
    election = Election.objects.get(slug="pilkada-2024")
    return {c.region_id: c.pk for c in Contest.objects.filter(
        election=election, region_id__in=["13", "13.77", "13.72", "33.74", "33"])}
