"""Demo forums, a meeting and its recommendations: the Sumatera Barat story of FACTS.md (the
Tim Terpadu coordination meeting of 30 October 2024 on the Pariaman WhatsApp group of
15 ASN, the watch on Padang Panjang, Kota Solok and Bukittinggi, and money politics across
the province).

Everything is created through the services, as the demo users, in one transaction, and
marked ``is_demo``. Idempotent: a forum that exists by name is kept, and the meeting is
created once. Names of persons are not invented: the document leaves the signatory's name
to be written in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from forkopimda import services
from forkopimda.choices import ForumKind, MeetingKind, Position
from forkopimda.models import Forum, Meeting
from kewaspadaan.models import Institution, Region, User
from kewaspadaan.services import demo_users_load
from laporan.models import Incident

WIB = ZoneInfo("Asia/Jakarta")
ANALYST, OFFICIAL = "analis.sumbar", "pejabat.sumbar"
MEETING_TITLE = "Rapat Koordinasi Tim Terpadu Penanganan Konflik Sosial Provinsi Sumatera Barat"

# The Forkopimda of Sumatera Barat as the FGD of 5 May 2023 lists it (FACTS.md).
FORKOPIMDA_SUMBAR = [
    ("Gubernur Sumatera Barat", Position.CHAIR, ""),
    ("Kapolda Sumatera Barat", Position.MEMBER, "polri"),
    ("Danrem 032/Wirabraja", Position.MEMBER, "tni"),
    ("Danlantamal II Padang", Position.MEMBER, "tni"),
    ("Danlanud Sutan Sjahrir", Position.MEMBER, "tni"),
    ("Kabinda Sumatera Barat", Position.MEMBER, ""),
    ("Wakil Ketua Pengadilan Tinggi Padang", Position.MEMBER, "pengadilan"),
    ("Kepala Badan Kesbangpol Provinsi Sumatera Barat", Position.SECRETARIAT, "kesbangpol"),
]

PARTICIPANTS = [
    "Gubernur Sumatera Barat",
    "Kapolda Sumatera Barat",
    "Pangdam I/Bukit Barisan (diwakili Danrem 032/Wirabraja)",
    "Kepala Kejaksaan Tinggi Sumatera Barat",
    "Ketua Bawaslu Provinsi Sumatera Barat",
    "Ketua KPU Provinsi Sumatera Barat",
    "Kepala Badan Kesbangpol Provinsi Sumatera Barat",
    "Kepala Badan Kesbangpol Kota Pariaman",
    "Kepala Badan Kesbangpol Kota Padang Panjang",
    "Kepala Badan Kesbangpol Kota Solok",
    "Kepala Badan Kesbangpol Kota Bukittinggi",
]


@dataclass(frozen=True)
class DemoRecommendation:
    title: str
    text: str
    institutions: tuple[str, ...]
    regions: tuple[str, ...]
    deadline: dt.date
    final: str  # issued, in_progress or done
    progress: str = ""
    distributed_to: tuple[str, ...] = ()


RECOMMENDATIONS = [
    DemoRecommendation(
        "Pengawasan netralitas ASN di kota yang diawasi",
        "Memperkuat pengawasan netralitas ASN di Kota Pariaman, Kota Padang Panjang, Kota Solok "
        "dan Kota Bukittinggi bersama Bawaslu dan Inspektorat Daerah, termasuk pemantauan grup "
        "percakapan dan media sosial ASN, sampai penetapan calon terpilih.",
        ("bawaslu", "inspektorat"), ("13.77", "13.74", "13.72", "13.75"),
        dt.date(2024, 11, 15), "in_progress",
        progress="Inspektorat Kota Pariaman memanggil kepala OPD untuk pembinaan netralitas ASN.",
        distributed_to=("Bawaslu Provinsi Sumatera Barat", "Inspektorat Daerah Kota Pariaman"),
    ),
    DemoRecommendation(
        "Sanksi tegas bagi ASN yang terbukti tidak netral",
        "Menuntaskan penanganan 15 ASN Pemerintah Kota Pariaman dalam grup WhatsApp kampanye: "
        "10 orang melalui Polri atas dugaan tindak pidana pemilihan dan 5 orang melalui BKN "
        "atas pelanggaran netralitas, dengan sanksi yang tegas dan diumumkan.",
        ("polri", "bkn"), ("13.77",), dt.date(2024, 11, 26), "done",
        progress="BKN menjatuhkan sanksi kepada 5 ASN; berkas 10 ASN dilimpahkan ke kejaksaan.",
        distributed_to=("Polda Sumatera Barat", "Kantor Regional XII BKN Pekanbaru"),
    ),
    DemoRecommendation(
        "Patroli pencegahan politik uang pada masa tenang",
        "Meningkatkan patroli pencegahan politik uang di seluruh kabupaten/kota pada masa "
        "tenang 24-26 November 2024 dan hari pemungutan suara, serta memproses setiap temuan "
        "melalui Sentra Gakkumdu.",
        ("gakkumdu", "polri"), (), dt.date(2024, 11, 26), "issued",
        distributed_to=("Sentra Gakkumdu Provinsi Sumatera Barat",),
    ),
    DemoRecommendation(
        "Sosialisasi netralitas dan pemilih cerdas",
        "Menyelenggarakan sosialisasi netralitas ASN dan pemilih cerdas bersama tokoh adat, "
        "tokoh agama dan bundo kanduang di kota yang diawasi.",
        ("kesbangpol",), ("13.77", "13.74", "13.72", "13.75"), dt.date(2024, 11, 20),
        "in_progress", progress="Sosialisasi di Kota Pariaman dan Kota Solok terlaksana.",
    ),
]


@dataclass
class DemoForumsReport:
    forums: int = 0
    meetings: int = 0
    recommendations: int = 0


def _forum(*, by, region: Region, kind: str, name: str, members=None, legal_basis=""):
    existing = Forum.objects.filter(region=region, name=name).first()
    if existing is not None:
        return existing, False
    if members is None:
        return services.forum_create_from_template(by=by, region=region, kind=kind, name=name,
                                                   legal_basis=legal_basis, is_demo=True), True
    institutions = Institution.objects.in_bulk([code for *_r, code in members if code],
                                               field_name="code")
    return services.forum_create(
        by=by, region=region, kind=kind, name=name, legal_basis=legal_basis, is_demo=True,
        members=[services.MemberData(office=office, position=position,
                                     institution=institutions.get(code), order=index)
                 for index, (office, position, code) in enumerate(members, start=1)],
    ), True


def demo_forums_load() -> DemoForumsReport:
    """Create the demo forums, meeting and recommendations that are missing."""
    if not settings.DEMO_MODE:
        raise ValidationError("Demo data may only be loaded in demo mode (DEMO_MODE).")
    report = DemoForumsReport()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if User.objects.filter(username__in=[ANALYST, OFFICIAL]).count() < 2:
            demo_users_load()
        analyst = User.objects.get(username=ANALYST)
        official = User.objects.get(username=OFFICIAL)
        sumbar = Region.objects.get(code="13")
        pariaman = Region.objects.get(code="13.77")
        _f, created = _forum(by=analyst, region=sumbar, kind=ForumKind.FORKOPIMDA,
                             name="Forkopimda Provinsi Sumatera Barat",
                             members=FORKOPIMDA_SUMBAR)
        report.forums += created
        tim_terpadu, created = _forum(
            by=analyst, region=sumbar, kind=ForumKind.TIM_TERPADU,
            name="Tim Terpadu Penanganan Konflik Sosial Provinsi Sumatera Barat",
            legal_basis="UU 7/2012, PP 2/2015, Permendagri 42/2015")
        report.forums += created
        _f, created = _forum(by=analyst, region=sumbar, kind=ForumKind.DESK_PILKADA,
                             name="Desk Pilkada Provinsi Sumatera Barat",
                             legal_basis="Dibentuk 5 November 2024")
        report.forums += created
        _f, created = _forum(by=analyst, region=pariaman, kind=ForumKind.TIM_TERPADU,
                             name="Tim Terpadu Penanganan Konflik Sosial Kota Pariaman")
        report.forums += created
        if not Meeting.objects.filter(forum=tim_terpadu, title=MEETING_TITLE).exists():
            report.meetings, report.recommendations = 1, _meeting(
                analyst=analyst, official=official, forum=tim_terpadu)
    return report


def _meeting(*, analyst, official, forum) -> int:
    regions = list(Region.objects.defer("boundary").filter(
        code__in=["13.77", "13.74", "13.72", "13.75"]))
    incidents = list(Incident.objects.filter(external_ref__startswith="DEMO-SUMBAR-"))
    meeting = services.meeting_create(by=analyst, is_demo=True, data=services.MeetingData(
        forum=forum, kind=MeetingKind.RAKOR, title=MEETING_TITLE,
        leader="Gubernur Sumatera Barat selaku Ketua Tim Terpadu",
        held_at=dt.datetime(2024, 10, 30, 9, 0, tzinfo=WIB),
        place="Aula Kantor Gubernur Sumatera Barat, Padang",
        topic="Netralitas ASN dan pencegahan politik uang menjelang pemungutan suara Pilkada "
              "Serentak 27 November 2024.",
        background="Bawaslu Provinsi Sumatera Barat menemukan grup WhatsApp beranggotakan 15 "
                   "ASN Pemerintah Kota Pariaman yang berkampanye untuk satu pasangan calon; "
                   "10 ASN diteruskan ke Polri dan 5 ke BKN. Kota Padang Panjang, Kota Solok "
                   "dan Kota Bukittinggi diawasi untuk pola yang sama, dan politik uang "
                   "dipantau di seluruh provinsi.",
        minutes="Rapat menyepakati empat rekomendasi. Bawaslu memaparkan temuan grup WhatsApp "
                "ASN Kota Pariaman; Polda memaparkan kesiapan pengamanan masa tenang.",
        signatory_title="Kepala Bidang Kewaspadaan Nasional dan Penanganan Konflik, "
                        "Badan Kesbangpol Provinsi Sumatera Barat",
        document_place="Padang",
        participants=[services.ParticipantData(office=o) for o in PARTICIPANTS],
        regions=regions, incidents=incidents,
    ))
    institutions = {i.code: i for i in Institution.objects.all()}
    issued_at = dt.datetime(2024, 10, 31, 10, 0, tzinfo=WIB)
    for spec in RECOMMENDATIONS:
        rec = services.recommendation_create(by=analyst, is_demo=True,
                                             data=services.RecommendationData(
            title=spec.title, text=spec.text, meeting=meeting, deadline=spec.deadline,
            institutions=[institutions[c] for c in spec.institutions],
            regions=[r for r in regions if r.code in spec.regions],
            incidents=[i for i in incidents if i.region_id in spec.regions],
        ))
        rec = services.recommendation_approve(recommendation=rec, by=official)
        rec = services.recommendation_issue(recommendation=rec, by=analyst, issued_at=issued_at)
        for office in spec.distributed_to:
            sent = services.distribution_record(recommendation=rec, by=analyst, recipient=office,
                                                sent_at=issued_at)
            services.distribution_acknowledge(distribution=sent, by=official,
                                              acknowledged_by=office)
        if spec.progress:
            services.progress_note_add(recommendation=rec, by=official, text=spec.progress)
        if spec.final == "done":
            services.recommendation_complete(recommendation=rec, by=official,
                                             reason=spec.progress)
    return len(RECOMMENDATIONS)
