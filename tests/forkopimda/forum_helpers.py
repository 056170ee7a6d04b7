"""Builders for forum, meeting and recommendation tests, through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from forkopimda import services
from forkopimda.choices import ForumKind, MeetingKind, Position
from kewaspadaan.models import Institution, Region

WIB = ZoneInfo("Asia/Jakarta")


def make_forum(*, by, region_code: str = "13", name: str | None = None,
               kind: str = ForumKind.TIM_TERPADU):
    region = Region.objects.get(code=region_code)
    return services.forum_create(
        by=by, region=region, kind=kind,
        name=name or f"Tim Terpadu Penanganan Konflik Sosial {region.name}",
        members=[
            services.MemberData(office="Gubernur Sumatera Barat", position=Position.CHAIR),
            services.MemberData(office="Kapolda Sumatera Barat", position=Position.VICE_CHAIR,
                                institution=Institution.objects.get(code="polri"),
                                email="kapolda@example.test"),
            services.MemberData(office="Kaban Kesbangpol", position=Position.SECRETARIAT),
            services.MemberData(office="Kajati Sumatera Barat"),
        ],
    )


def make_meeting(*, by, forum, title: str = "Rapat Koordinasi Tim Terpadu",
                 participants=("Gubernur Sumatera Barat", "Kapolda Sumatera Barat",
                               "Bawaslu Provinsi Sumatera Barat"), **overrides):
    data = services.MeetingData(
        forum=forum, kind=MeetingKind.RAKOR, title=title,
        leader="Sekretaris Daerah Provinsi Sumatera Barat",
        held_at=dt.datetime(2024, 10, 30, 9, 0, tzinfo=WIB),
        place="Aula Kantor Gubernur Sumatera Barat, Padang",
        topic="Netralitas ASN dan politik uang menjelang pemungutan suara",
        background="Bawaslu Sumbar melaporkan grup WhatsApp 15 ASN Kota Pariaman.",
        signatory_title="Kepala Bidang Kewaspadaan Nasional dan Penanganan Konflik",
        signatory_name="Drs. Contoh Penandatangan", document_place="Padang",
        participants=[services.ParticipantData(office=o) for o in participants],
        regions=[Region.objects.get(code="13.77")],
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return services.meeting_create(by=by, data=data)


def make_recommendation(*, by, meeting=None, region_code: str | None = None,
                        title: str = "Perkuat pengawasan ASN",
                        text: str = "Memperkuat pengawasan netralitas ASN.",
                        deadline: dt.date | None = None, institutions=("bkn",),
                        regions=("13.77",)):
    return services.recommendation_create(by=by, data=services.RecommendationData(
        title=title, text=text, meeting=meeting,
        region=Region.objects.get(code=region_code) if region_code else None,
        deadline=deadline,
        institutions=list(Institution.objects.filter(code__in=institutions)),
        regions=list(Region.objects.filter(code__in=regions)),
    ))


def issue(rec, *, by):
    rec = services.recommendation_approve(recommendation=rec, by=by)
    return services.recommendation_issue(recommendation=rec, by=by)
