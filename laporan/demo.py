"""The demo data set of incidents: the Sumatera Barat story of FACTS.md ("Cases from the
field") and deterministic synthetic incidents in other provinces.

Loaded only in demo mode, only through ``laporan.services`` and as the demo logins of
``kewaspadaan.services.DEMO_USERS``, so the demo exercises the same rules as real users.
Idempotent: every incident carries an ``external_ref`` (``DEMO-SUMBAR-001``,
``DEMO-NAS-001``...) and a unit whose reference exists is skipped whole, referrals included.

Everything is marked as demo three ways: ``is_demo=True``, a ``[DEMO]`` title prefix and a
narrative that ends with "(data demo)". Persons are never named: candidate pairs, ASN and
informants stay anonymous, and the Pariaman case records only what FACTS.md states.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kewaspadaan.choices import TIMEZONE_IANA, Classification, RegionLevel
from kewaspadaan.models import Contest, Election, Indicator, Institution, Region, User
from kewaspadaan.services import DEMO_USERS, demo_users_load
from laporan import services
from laporan.choices import REFERRAL_OPEN, ReferralStatus, Severity, SourceType, Status
from laporan.models import Incident, Referral

SEED = 2024
TITLE_PREFIX = "[DEMO] "
NARRATIVE_SUFFIX = "(data demo)"
SUMBAR_PREFIX = "DEMO-SUMBAR-"
SYNTHETIC_PREFIX = "DEMO-NAS-"
ELECTION_SLUG = "pilkada-2024"
# A workflow reason is also the history's change reason, which django-simple-history keeps
# in a varchar(100): a longer one fails on PostgreSQL (SQLite does not check). Until the
# services allow more, the demo's reasons stay within it.
REASON_MAX = 100

D = dt.date
A = services.ActorData


@dataclass(frozen=True)
class DemoReferral:
    institution: str  # Institution.code
    subject: str
    count: int
    referred_on: dt.date
    status: str = ReferralStatus.SENT
    outcome: str = ""
    decided_on: dt.date | None = None
    notes: str = ""


@dataclass(frozen=True)
class DemoIncident:
    """One incident of the demo and the workflow it goes through. ``status`` is where it ends:
    follow-up comes from its referrals, closed from referrals and a closing reason."""

    ref: str
    title: str
    narrative: str
    region: str  # kab/kota code
    occurred: dt.datetime  # naive, on the region's own clock (WIB/WITA/WIT)
    indicator: str
    source_type: str
    reporter: str  # demo username
    status: str
    kecamatan: str | None = None
    verifier: str | None = None
    reliability: str = "C"
    credibility: int = 3
    reason: str = ""  # of verification, rejection, merge or closing
    severity: int = Severity.MEDIUM
    injured: int = 0
    killed: int = 0
    damage: str = ""
    classification: str = Classification.BIASA
    informant: str = ""
    actors: tuple[services.ActorData, ...] = ()
    contest: str | None = "local"  # "local" (kab/kota race), "province" (gubernur) or None
    referrals: tuple[DemoReferral, ...] = ()
    recorder: str | None = None  # who records referrals; the reporter by default
    merge_into: str | None = None
    assign_to: str | None = None
    close_reason: str = ""


def _narrative(text: str) -> str:
    return f"{text.strip()} {NARRATIVE_SUFFIX}"


def _title(text: str) -> str:
    return f"{TITLE_PREFIX}{text}"


# --- Sumatera Barat (FACTS.md, "Cases from the field") -------------------------------------

TIM_TERPADU = (
    "Rapat koordinasi Tim Terpadu Penanganan Konflik Sosial Provinsi Sumatera Barat "
    "(30 Oktober 2024)"
)
WATCH = (
    "Pemantauan menyusul temuan grup WhatsApp 15 ASN di Kota Pariaman: Kota Padang Panjang, "
    "Kota Solok dan Kota Bukittinggi diawasi untuk pola yang sama."
)

SUMBAR_STORY: list[DemoIncident] = [
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}001",
        title=_title("Grup WhatsApp 15 ASN Pemko Pariaman berkampanye untuk satu paslon"),
        narrative=_narrative(
            "Bawaslu Kota Pariaman menemukan sebuah grup WhatsApp beranggotakan 15 ASN di "
            "lingkungan Pemerintah Kota Pariaman yang dipakai untuk berkampanye bagi salah "
            "satu pasangan calon Wali Kota dan Wakil Wali Kota Pariaman: ajakan memilih, "
            "materi kampanye paslon dan pembagian tugas penggalangan suara. Tangkapan layar "
            "percakapan diterima Kesbangpol Kota Pariaman. Bentuk pelanggaran menurut SKB "
            "2/2022: grup percakapan yang berpihak."
        ),
        region="13.77", kecamatan="13.77.01", occurred=dt.datetime(2024, 10, 14, 9, 30),
        indicator="asn-grup-percakapan", source_type=SourceType.BAWASLU,
        reporter="operator.pariaman", status=Status.FOLLOW_UP,
        verifier="analis.sumbar", reliability="B", credibility=2,
        reason="Dikonfirmasi Bawaslu Kota Pariaman: anggota grup cocok dengan data kepegawaian.",
        severity=Severity.HIGH,
        actors=(A("asn", 15, "ASN Pemerintah Kota Pariaman, anggota grup WhatsApp"),),
        referrals=(
            DemoReferral("polri", "ASN anggota grup (dugaan tindak pidana pemilihan)", 10,
                         D(2024, 10, 28), ReferralStatus.IN_PROCESS,
                         notes="Diteruskan oleh Bawaslu Provinsi Sumatera Barat."),
            DemoReferral("bkn", "ASN anggota grup (pelanggaran netralitas ASN)", 5,
                         D(2024, 10, 28),
                         notes="Diteruskan oleh Bawaslu Provinsi Sumatera Barat; netralitas "
                               "ASN ditangani BKN sejak KASN dibubarkan (UU 20/2023)."),
        ),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}002",
        title=_title("ASN Pemko Padang Panjang membagikan materi kampanye di grup WhatsApp"),
        narrative=_narrative(
            f"{WATCH} Empat ASN Pemerintah Kota Padang Panjang membagikan materi kampanye dan "
            "ajakan memilih salah satu paslon di grup WhatsApp warga Kecamatan Padang Panjang "
            "Barat."
        ),
        region="13.74", kecamatan="13.74.02", occurred=dt.datetime(2024, 10, 21, 10, 15),
        indicator="asn-grup-percakapan", source_type=SourceType.OFFICER_FINDING,
        reporter="analis.sumbar", status=Status.VERIFIED,
        verifier="analis.sumbar", reliability="C", credibility=3,
        reason="Dikonfirmasi dengan Bawaslu Kota Padang Panjang.",
        actors=(A("asn", 4, "ASN Pemerintah Kota Padang Panjang"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}003",
        title=_title("ASN hadir dalam kampanye tatap muka paslon di Padang Panjang Timur"),
        narrative=_narrative(
            "Warga melaporkan dua ASN berseragam dinas hadir dalam kampanye tatap muka salah "
            "satu paslon di Kecamatan Padang Panjang Timur. Laporan diteruskan ke Desk Pilkada "
            "Provinsi Sumatera Barat (dibentuk 5 November 2024)."
        ),
        region="13.74", kecamatan="13.74.01", occurred=dt.datetime(2024, 11, 6, 15, 0),
        indicator="asn-hadir-kampanye", source_type=SourceType.PUBLIC_REPORT,
        reporter="analis.sumbar", status=Status.SUBMITTED, assign_to="analis.sumbar",
        actors=(A("asn", 2, "ASN berseragam dinas"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}004",
        title=_title("Grup percakapan ASN Pemko Solok mengarahkan dukungan ke satu paslon"),
        narrative=_narrative(
            f"{WATCH} Warga Kecamatan Lubuk Sikarah menyerahkan tangkapan layar grup "
            "percakapan berisi enam ASN Pemerintah Kota Solok yang mengarahkan anggota grup "
            "untuk memilih salah satu paslon Wali Kota Solok."
        ),
        region="13.72", kecamatan="13.72.01", occurred=dt.datetime(2024, 10, 18, 19, 40),
        indicator="asn-grup-percakapan", source_type=SourceType.PUBLIC_REPORT,
        reporter="operator.solok", status=Status.VERIFIED,
        verifier="analis.sumbar", reliability="B", credibility=3,
        reason="Sesuai klarifikasi Bawaslu Kota Solok.",
        actors=(A("asn", 6, "ASN Pemerintah Kota Solok"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}005",
        title=_title("Tangkapan layar 'grup ASN pemenangan' beredar di media sosial Kota Solok"),
        narrative=_narrative(
            "Sebuah tangkapan layar yang disebut percakapan grup ASN Pemko Solok untuk "
            "pemenangan salah satu paslon beredar di Facebook dan WhatsApp."
        ),
        region="13.72", kecamatan="13.72.02", occurred=dt.datetime(2024, 10, 26, 8, 0),
        indicator="asn-grup-percakapan", source_type=SourceType.SOCIAL_MEDIA,
        reporter="operator.solok", status=Status.REJECTED, verifier="analis.sumbar",
        reason="Hoaks: tangkapan layar suntingan; BKPSDM dan Bawaslu Kota Solok: tidak ada ASN "
               "di grup itu.",
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}006",
        title=_title("ASN membagikan unggahan akun kampanye paslon di Kota Solok"),
        narrative=_narrative(
            "Tiga ASN Pemerintah Kota Solok menyukai dan membagikan unggahan akun resmi "
            "kampanye salah satu paslon di Instagram dan Facebook."
        ),
        region="13.72", kecamatan="13.72.02", occurred=dt.datetime(2024, 11, 12, 20, 30),
        indicator="asn-like-share", source_type=SourceType.SOCIAL_MEDIA,
        reporter="operator.solok", status=Status.SUBMITTED, assign_to="analis.sumbar",
        severity=Severity.LOW, actors=(A("asn", 3, "ASN Pemerintah Kota Solok"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}007",
        title=_title("Grup WhatsApp ASN Pemko Bukittinggi dipakai menggalang dukungan"),
        narrative=_narrative(
            f"{WATCH} FKDM Kecamatan Guguak Panjang melaporkan grup WhatsApp delapan ASN "
            "Pemerintah Kota Bukittinggi yang dipakai menggalang dukungan bagi salah satu "
            "paslon Wali Kota Bukittinggi."
        ),
        region="13.75", kecamatan="13.75.01", occurred=dt.datetime(2024, 10, 23, 20, 10),
        indicator="asn-grup-percakapan", source_type=SourceType.FORUM,
        reporter="analis.sumbar", status=Status.VERIFIED,
        verifier="analis.sumbar", reliability="B", credibility=2,
        reason="Dikonfirmasi dengan Bawaslu Kota Bukittinggi.",
        severity=Severity.HIGH, actors=(A("asn", 8, "ASN Pemerintah Kota Bukittinggi"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}008",
        title=_title("Media memberitakan grup percakapan ASN Bukittinggi pendukung paslon"),
        narrative=_narrative(
            "Media daring memberitakan grup percakapan ASN Pemerintah Kota Bukittinggi yang "
            "mendukung salah satu paslon Wali Kota."
        ),
        region="13.75", kecamatan="13.75.01", occurred=dt.datetime(2024, 10, 24, 7, 45),
        indicator="asn-grup-percakapan", source_type=SourceType.PRESS,
        reporter="analis.sumbar", status=Status.MERGED, verifier="analis.sumbar",
        merge_into=f"{SUMBAR_PREFIX}007",
        reason="Sama dengan laporan FKDM Guguak Panjang: grup yang sama, diberitakan sehari "
               "kemudian.",
        actors=(A("asn", 8, "ASN Pemerintah Kota Bukittinggi"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}009",
        title=_title("ASN berfoto dengan simbol nomor urut paslon di Bukittinggi"),
        narrative=_narrative(
            "Foto sejumlah ASN Pemko Bukittinggi berpose dengan simbol jari nomor urut salah "
            "satu paslon beredar di media sosial."
        ),
        region="13.75", kecamatan="13.75.02", occurred=dt.datetime(2024, 11, 8, 13, 20),
        indicator="asn-foto-keberpihakan", source_type=SourceType.SOCIAL_MEDIA,
        reporter="analis.sumbar", status=Status.SUBMITTED, assign_to="analis.sumbar",
        severity=Severity.LOW, actors=(A("asn", 5, "ASN Pemerintah Kota Bukittinggi"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}010",
        title=_title("Bagi-bagi uang saat kampanye tatap muka di Kota Padang"),
        narrative=_narrative(
            "Panwascam Kuranji menemukan pembagian uang Rp50.000 kepada peserta kampanye tatap "
            f"muka salah satu paslon. Dibahas pada {TIM_TERPADU} bersama laporan netralitas "
            "ASN dari Kota Pariaman, Padang Panjang, Kota Solok dan Bukittinggi; disepakati "
            "pengawasan politik uang di seluruh kabupaten/kota, terutama pada masa tenang."
        ),
        region="13.71", kecamatan="13.71.09", occurred=dt.datetime(2024, 10, 29, 14, 0),
        indicator="uang-tunai", source_type=SourceType.BAWASLU,
        reporter="analis.sumbar", status=Status.VERIFIED,
        verifier="analis.sumbar", reliability="A", credibility=2,
        reason="Temuan Panwascam, dikonfirmasi Bawaslu Kota Padang.",
        severity=Severity.HIGH, actors=(A("paslon", 2, "Anggota tim kampanye"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}011",
        title=_title("Pembagian amplop uang tunai pada malam pertama masa tenang"),
        narrative=_narrative(
            "Panwascam Sungai Limau menemukan tiga anggota tim kampanye salah satu paslon "
            "Bupati membagikan amplop berisi uang Rp100.000 dan kartu bergambar paslon dari "
            f"rumah ke rumah. Pengawasan diperketat sesuai {TIM_TERPADU}."
        ),
        region="13.05", kecamatan="13.05.08", occurred=dt.datetime(2024, 11, 24, 21, 30),
        indicator="uang-tunai", source_type=SourceType.OFFICER_FINDING,
        reporter="analis.sumbar", status=Status.FOLLOW_UP,
        verifier="analis.sumbar", reliability="A", credibility=2,
        reason="Temuan Panwascam dengan barang bukti amplop.",
        severity=Severity.HIGH, actors=(A("paslon", 3, "Anggota tim kampanye"),),
        referrals=(
            DemoReferral("gakkumdu", "Anggota tim kampanye (dugaan politik uang)", 3,
                         D(2024, 11, 26), ReferralStatus.DECIDED,
                         outcome="Sentra Gakkumdu Kabupaten Padang Pariaman meneruskan perkara "
                                 "ke tahap penyidikan.",
                         decided_on=D(2024, 12, 4)),
        ),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}012",
        title=_title("Paket sembako berstiker paslon dibagikan di masa tenang"),
        narrative=_narrative(
            "Warga Lubuk Basung melaporkan pembagian paket sembako berstiker salah satu paslon "
            "oleh simpatisan pada masa tenang. Patroli pengawasan politik uang digelar sesuai "
            f"{TIM_TERPADU}."
        ),
        region="13.06", kecamatan="13.06.02", occurred=dt.datetime(2024, 11, 25, 16, 0),
        indicator="uang-barang", source_type=SourceType.PUBLIC_REPORT,
        reporter="analis.sumbar", status=Status.FOLLOW_UP,
        verifier="analis.sumbar", reliability="B", credibility=3,
        reason="Foto dan keterangan dua saksi.",
        actors=(A("simpatisan", 5, "Simpatisan paslon"),), contest="province",
        referrals=(
            DemoReferral("bawaslu", "Pembagian paket sembako", 1, D(2024, 11, 26),
                         ReferralStatus.DECIDED,
                         outcome="Bawaslu Kabupaten Agam meneruskan ke Sentra Gakkumdu.",
                         decided_on=D(2024, 11, 29)),
        ),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}013",
        title=_title("Voucher belanja dan saldo dompet digital dibagikan kepada pemilih"),
        narrative=_narrative(
            "Akun media sosial warga Kuranji memuat bukti penerimaan voucher belanja dan "
            "kiriman saldo dompet digital disertai ajakan memilih salah satu paslon, pada hari "
            "terakhir masa tenang."
        ),
        region="13.71", kecamatan="13.71.09", occurred=dt.datetime(2024, 11, 26, 10, 0),
        indicator="uang-tunai", source_type=SourceType.SOCIAL_MEDIA,
        reporter="analis.sumbar", status=Status.SUBMITTED, assign_to="analis.sumbar",
        severity=Severity.HIGH, actors=(A("paslon", 2, "Tim kampanye (diduga)"),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}014",
        title=_title("Dugaan serangan fajar di Koto Tangah"),
        narrative=_narrative(
            "Pada pagi hari pemungutan suara, dua orang membagikan uang tunai kepada warga "
            "sebelum TPS dibuka. Pelapor dilindungi; klasifikasi terbatas."
        ),
        region="13.71", kecamatan="13.71.11", occurred=dt.datetime(2024, 11, 27, 5, 30),
        indicator="uang-tunai", source_type=SourceType.PUBLIC_REPORT,
        reporter="analis.sumbar", status=Status.FOLLOW_UP,
        verifier="analis.sumbar", reliability="B", credibility=2,
        reason="Dikonfirmasi Panwaslu Kelurahan.",
        severity=Severity.HIGH, classification=Classification.TERBATAS,
        informant="Warga Koto Tangah; identitas dan kontak disimpan Bawaslu Kota Padang "
                  "(data demo).",
        actors=(A("tidak_dikenal", 2, "Pembagi uang"),),
        referrals=(
            DemoReferral("gakkumdu", "Dugaan politik uang (serangan fajar)", 2,
                         D(2024, 11, 28), ReferralStatus.IN_PROCESS),
        ),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}015",
        title=_title("Pembagian uang tunai di Tilatang Kamang jelang pemungutan suara"),
        narrative=_narrative(
            "FKDM Kecamatan Tilatang Kamang melaporkan pembagian uang tunai Rp200.000 per "
            "kepala keluarga oleh orang tak dikenal pada malam terakhir masa tenang."
        ),
        region="13.06", kecamatan="13.06.09", occurred=dt.datetime(2024, 11, 26, 20, 0),
        indicator="uang-tunai", source_type=SourceType.FORUM,
        reporter="analis.sumbar", status=Status.SUBMITTED, assign_to="analis.sumbar",
        severity=Severity.HIGH, actors=(A("tidak_dikenal", 1),),
    ),
    DemoIncident(
        ref=f"{SUMBAR_PREFIX}016",
        title=_title("Informasi awal pembagian uang di Pariaman Utara"),
        narrative=_narrative(
            "Informasi awal dari warga tentang pembagian uang oleh simpatisan paslon di "
            "Pariaman Utara pada masa tenang; sedang dilengkapi sebelum dikirim."
        ),
        region="13.77", kecamatan="13.77.02", occurred=dt.datetime(2024, 11, 25, 19, 0),
        indicator="uang-tunai", source_type=SourceType.PUBLIC_REPORT,
        reporter="operator.pariaman", status=Status.DRAFT,
        actors=(A("simpatisan", 1),),
    ),
]


# --- Synthetic incidents elsewhere -------------------------------------------------------

# (province code, kab/kota to pick, incidents): high-vulnerability provinces of Bawaslu's
# IKP 2024 and Pilkada 2024 mapping, Jawa Tengah for operator.jateng, and NTB (FACTS.md).
PROVINCES = [
    ("33", 7, 24), ("32", 5, 18), ("35", 5, 18), ("31", 2, 8), ("71", 3, 10), ("82", 3, 10),
    ("64", 3, 10), ("53", 3, 12), ("73", 3, 12), ("72", 2, 8), ("52", 2, 10), ("91", 2, 10),
]

EARLY = (D(2024, 5, 5), D(2024, 9, 24))
SUPPORT = (D(2024, 5, 5), D(2024, 8, 19))
COKLIT = (D(2024, 6, 24), D(2024, 7, 24))
NOMINATION = (D(2024, 8, 27), D(2024, 9, 22))
CAMPAIGN = (D(2024, 9, 25), D(2024, 11, 23))
LATE_CAMPAIGN = (D(2024, 11, 10), D(2024, 11, 23))
QUIET = (D(2024, 11, 24), D(2024, 11, 26))
VOTING = (D(2024, 11, 27), D(2024, 11, 27))
RECAP = (D(2024, 11, 28), D(2024, 12, 16))
WHOLE = (D(2024, 5, 5), D(2024, 12, 20))


@dataclass(frozen=True)
class Profile:
    """How one indicator's synthetic incidents look."""

    indicator: str
    weight: int
    windows: tuple[tuple[tuple[dt.date, dt.date], int], ...]
    titles: tuple[str, ...]
    narrative: str  # {kec}, {region}, {n}
    actor: tuple[str, int, int, str]  # type, min, max, description
    subject: str
    sources: tuple[str, ...]
    severities: tuple[int, ...] = (1, 2, 2, 3)
    restricted: float = 0.05
    injured: tuple[int, int] = (0, 0)
    killed_chance: float = 0.0
    damage: str = ""
    extra_route: str | None = None  # a second institution some referrals go to


S = SourceType
PROFILES = [
    Profile("asn-kampanye-medsos", 8, ((CAMPAIGN, 1),),
            ("ASN mengunggah ajakan memilih paslon di media sosial",),
            "Seorang ASN di Kecamatan {kec}, {region}, mengunggah ajakan memilih salah satu "
            "paslon melalui akun media sosial pribadinya.",
            ("asn", 1, 2, "ASN pemerintah daerah"), "ASN", (S.SOCIAL_MEDIA, S.PUBLIC_REPORT),
            extra_route="bkn"),
    Profile("asn-hadir-kampanye", 6, ((CAMPAIGN, 1),),
            ("ASN menghadiri kampanye tatap muka paslon",),
            "{n} ASN terlihat hadir dan mengenakan atribut paslon dalam kampanye tatap muka di "
            "Kecamatan {kec}, {region}.",
            ("asn", 2, 9, "ASN pemerintah daerah"), "ASN", (S.OFFICER_FINDING, S.BAWASLU),
            extra_route="bkn"),
    Profile("asn-tim-pemenangan", 3, ((CAMPAIGN, 2), (NOMINATION, 1)),
            ("ASN tercatat dalam struktur tim pemenangan paslon",),
            "Dokumen struktur tim pemenangan salah satu paslon di {region} memuat nama {n} ASN "
            "yang bertugas di Kecamatan {kec}.",
            ("asn", 1, 4, "ASN pemerintah daerah"), "ASN", (S.BAWASLU, S.PRESS),
            severities=(2, 3), extra_route="bkn"),
    Profile("asn-kumpul-ktp", 3, ((SUPPORT, 1),),
            ("ASN mengumpulkan fotokopi KTP untuk dukungan calon perseorangan",),
            "Warga Kecamatan {kec}, {region}, melaporkan ASN kelurahan mengumpulkan fotokopi "
            "KTP untuk syarat dukungan calon perseorangan.",
            ("asn", 1, 3, "ASN kelurahan"), "ASN", (S.PUBLIC_REPORT, S.FORUM),
            extra_route="bkn"),
    Profile("asn-grup-percakapan", 4, ((CAMPAIGN, 1),),
            ("Grup percakapan ASN mengarahkan dukungan ke satu paslon",),
            "Tangkapan layar grup percakapan {n} ASN di {region} berisi ajakan memilih salah "
            "satu paslon; diterima dari warga Kecamatan {kec}.",
            ("asn", 5, 20, "ASN anggota grup"), "ASN anggota grup",
            (S.PUBLIC_REPORT, S.BAWASLU), severities=(2, 3), extra_route="bkn"),
    Profile("uang-tunai", 12, ((QUIET, 4), (VOTING, 2), (LATE_CAMPAIGN, 2), (CAMPAIGN, 1)),
            ("Pembagian uang tunai kepada pemilih",
             "Pembagian saldo dompet digital disertai ajakan memilih"),
            "Warga Kecamatan {kec}, {region}, melaporkan pembagian uang kepada pemilih oleh "
            "{n} orang yang mengaku tim salah satu paslon.",
            ("paslon", 1, 5, "Tim kampanye (diduga)"), "Dugaan politik uang",
            (S.PUBLIC_REPORT, S.OFFICER_FINDING, S.BAWASLU), severities=(2, 3, 3, 4)),
    Profile("uang-barang", 7, ((QUIET, 2), (CAMPAIGN, 2)),
            ("Pembagian sembako berstiker paslon", "Pembagian barang kepada pemilih"),
            "Simpatisan membagikan paket sembako dan kain sarung berstiker salah satu paslon "
            "di Kecamatan {kec}, {region}.",
            ("simpatisan", 2, 8, "Simpatisan paslon"), "Pembagian barang",
            (S.PUBLIC_REPORT, S.SOCIAL_MEDIA)),
    Profile("uang-janji", 3, ((CAMPAIGN, 1),),
            ("Janji imbalan bagi pemilih yang mencoblos paslon tertentu",),
            "Dalam pertemuan warga di Kecamatan {kec}, {region}, anggota tim kampanye "
            "menjanjikan imbalan uang bila paslon menang di TPS setempat.",
            ("paslon", 1, 3, "Anggota tim kampanye"), "Dugaan politik uang",
            (S.PUBLIC_REPORT, S.FORUM), severities=(1, 2)),
    Profile("intimidasi-ancaman", 5, ((CAMPAIGN, 2), (QUIET, 1), (RECAP, 1)),
            ("Ancaman terhadap penyelenggara ad hoc",),
            "Anggota PPS di Kecamatan {kec}, {region}, menerima ancaman dari {n} orang tak "
            "dikenal agar mengatur hasil di TPS tertentu.",
            ("tidak_dikenal", 1, 3, "Pengancam"), "Pelaku pengancaman",
            (S.SECURITY, S.OFFICER_FINDING), severities=(3, 3, 4), restricted=0.35),
    Profile("intimidasi-verbal", 3, ((VOTING, 2), (RECAP, 1)),
            ("Intimidasi verbal terhadap saksi paslon",),
            "Saksi salah satu paslon di Kecamatan {kec}, {region}, diintimidasi secara verbal "
            "oleh {n} pendukung paslon lain.",
            ("simpatisan", 1, 5, "Pendukung paslon"), "Pelaku intimidasi",
            (S.PUBLIC_REPORT, S.BAWASLU), severities=(2, 3)),
    Profile("intimidasi-fisik", 3, ((CAMPAIGN, 1),),
            ("Penganiayaan terhadap relawan paslon",),
            "Relawan salah satu paslon dianiaya saat memasang alat peraga kampanye di "
            "Kecamatan {kec}, {region}.",
            ("tidak_dikenal", 1, 4, "Pelaku penganiayaan"), "Pelaku penganiayaan",
            (S.SECURITY, S.PRESS), severities=(3, 4), restricted=0.3, injured=(1, 3)),
    Profile("intimidasi-perusakan", 2, ((VOTING, 1), (RECAP, 2)),
            ("Perusakan kantor PPK", "Perusakan kotak suara di TPS"),
            "Massa merusak fasilitas penyelenggara di Kecamatan {kec}, {region}, saat "
            "rekapitulasi suara.",
            ("tidak_dikenal", 5, 30, "Massa"), "Pelaku perusakan", (S.SECURITY, S.PRESS),
            severities=(3, 4), restricted=0.2, damage="Pintu, jendela dan perlengkapan "
            "rekapitulasi rusak."),
    Profile("tni-polri-berpihak", 2, ((CAMPAIGN, 1),),
            ("Oknum aparat diduga mengarahkan dukungan ke paslon",),
            "Warga Kecamatan {kec}, {region}, melaporkan oknum aparat mengarahkan warga untuk "
            "memilih salah satu paslon.",
            ("tni", 1, 2, "Oknum aparat"), "Oknum aparat", (S.PUBLIC_REPORT,),
            severities=(2, 3), restricted=0.6),
    Profile("kepala-desa-berpihak", 5, ((CAMPAIGN, 3), (NOMINATION, 1)),
            ("Kepala desa mengarahkan perangkat desa mendukung paslon",),
            "Kepala desa di Kecamatan {kec}, {region}, mengumpulkan {n} perangkat desa dan "
            "meminta mereka memenangkan salah satu paslon.",
            ("kepala_desa", 1, 6, "Kepala desa dan perangkat desa"), "Kepala desa",
            (S.PUBLIC_REPORT, S.BAWASLU, S.PRESS)),
    Profile("penyelenggara-berpihak", 2, ((COKLIT, 1), (RECAP, 1)),
            ("Anggota PPS diduga berpihak",),
            "Anggota PPS di Kecamatan {kec}, {region}, diduga aktif di akun pendukung salah "
            "satu calon kepala daerah.",
            ("penyelenggara", 1, 2, "Penyelenggara ad hoc"), "Penyelenggara ad hoc",
            (S.BAWASLU, S.SOCIAL_MEDIA)),
    Profile("penyelenggara-kpps", 4, ((VOTING, 3), ((D(2024, 11, 28), D(2024, 11, 29)), 1)),
            ("Kesalahan prosedur KPPS dalam penghitungan suara",),
            "KPPS di Kecamatan {kec}, {region}, tidak mencocokkan jumlah surat suara dengan "
            "daftar hadir sebelum penghitungan.",
            ("penyelenggara", 1, 7, "Anggota KPPS"), "Kesalahan prosedur KPPS",
            (S.BAWASLU, S.OFFICER_FINDING), severities=(1, 2)),
    Profile("penyelenggara-psu", 2, (((D(2024, 11, 28), D(2024, 12, 8)), 1),),
            ("Rekomendasi pemungutan suara ulang di TPS",),
            "Panwascam merekomendasikan pemungutan suara ulang di satu TPS Kecamatan {kec}, "
            "{region}, karena pemilih tanpa hak ikut mencoblos.",
            ("penyelenggara", 1, 1, "KPPS"), "Pemungutan suara ulang", (S.BAWASLU,)),
    Profile("petahana-fasilitas", 3, ((CAMPAIGN, 1),),
            ("Kendaraan dinas dipakai dalam kegiatan kampanye",),
            "Kendaraan dinas pemerintah daerah terlihat mengangkut atribut kampanye salah satu "
            "paslon di Kecamatan {kec}, {region}.",
            ("asn", 1, 2, "Pengemudi dan pejabat pengguna"), "Penggunaan fasilitas negara",
            (S.PUBLIC_REPORT, S.SOCIAL_MEDIA)),
    Profile("petahana-program", 2, ((EARLY, 1), (CAMPAIGN, 1)),
            ("Penyaluran bantuan sosial disertai atribut petahana",),
            "Bantuan sosial di Kecamatan {kec}, {region}, dibagikan dalam kemasan bergambar "
            "kepala daerah yang maju lagi dalam Pilkada 2024.",
            ("asn", 1, 3, "Pejabat penyalur bantuan"), "Program pemerintah untuk kampanye",
            (S.PRESS, S.BAWASLU)),
    Profile("sara-ujaran", 4, ((CAMPAIGN, 1),),
            ("Ujaran kebencian bernuansa SARA dalam kampanye",),
            "Orator kampanye di Kecamatan {kec}, {region}, menyampaikan ujaran bernuansa SARA "
            "terhadap pendukung paslon lain; rekamannya beredar luas.",
            ("paslon", 1, 2, "Juru kampanye"), "Pelaku ujaran kebencian",
            (S.SOCIAL_MEDIA, S.PRESS), severities=(2, 3, 3), restricted=0.25),
    Profile("sara-hoaks", 6, ((CAMPAIGN, 2), (QUIET, 1), (RECAP, 1)),
            ("Hoaks tentang pemungutan suara beredar di media sosial",
             "Video lama disebar sebagai kecurangan Pilkada"),
            "Konten palsu tentang pemungutan suara beredar di grup warga Kecamatan {kec}, "
            "{region}, dan memicu keresahan.",
            ("tidak_dikenal", 1, 3, "Akun penyebar"), "Penyebar hoaks", (S.SOCIAL_MEDIA,),
            severities=(1, 2, 2)),
    Profile("sara-polarisasi", 3, ((CAMPAIGN, 1),),
            ("Polarisasi antarpendukung di media sosial memanas",),
            "Perang tagar dan saling hujat antarpendukung paslon di {region} meluas ke "
            "pertemuan warga Kecamatan {kec}.",
            ("simpatisan", 10, 50, "Pendukung paslon"), "Polarisasi", (S.SOCIAL_MEDIA,),
            severities=(1, 2)),
    Profile("bentrok-massa", 4, ((CAMPAIGN, 2), (VOTING, 1), (RECAP, 2)),
            ("Bentrokan massa pendukung paslon", "Bentrokan antarpendukung usai kampanye"),
            "Dua kelompok pendukung paslon bentrok di Kecamatan {kec}, {region}; aparat "
            "keamanan melerai dan mengamankan {n} orang.",
            ("simpatisan", 4, 40, "Pendukung paslon"), "Pelaku bentrokan",
            (S.SECURITY, S.PRESS), severities=(3, 4), restricted=0.2, injured=(2, 12),
            killed_chance=0.2),
    Profile("bentrok-kerusuhan", 1, ((RECAP, 1),),
            ("Kerusuhan saat rekapitulasi suara",),
            "Massa pendukung paslon yang kalah merusak pagar dan membakar ban di depan kantor "
            "KPU {region}.",
            ("simpatisan", 20, 150, "Massa pendukung"), "Pelaku kerusuhan",
            (S.SECURITY, S.PRESS), severities=(4,), restricted=0.3, injured=(3, 15),
            killed_chance=0.1, damage="Pagar dan pos jaga kantor KPU rusak; ban dibakar."),
    Profile("kampanye-di-luar-jadwal", 5, ((QUIET, 1),),
            ("Kampanye terselubung pada masa tenang",),
            "Tim paslon mengadakan pertemuan warga berkedok pengajian dan membagikan bahan "
            "kampanye di Kecamatan {kec}, {region}.",
            ("paslon", 2, 10, "Tim kampanye"), "Pelanggaran kampanye",
            (S.BAWASLU, S.PUBLIC_REPORT), severities=(1, 2)),
    Profile("kampanye-tempat-terlarang", 3, ((CAMPAIGN, 1),),
            ("Kampanye di sekolah", "Kampanye di rumah ibadah"),
            "Calon menyampaikan visi dan misi di lingkungan sekolah di Kecamatan {kec}, "
            "{region}.",
            ("paslon", 1, 3, "Paslon dan tim"), "Pelanggaran kampanye", (S.BAWASLU, S.PRESS),
            severities=(1, 2)),
    Profile("logistik-distribusi", 4, (((D(2024, 11, 15), D(2024, 11, 26)), 1),),
            ("Surat suara rusak dan kurang", "Distribusi logistik terlambat"),
            "Logistik pemilihan untuk Kecamatan {kec}, {region}, terlambat tiba dan sebagian "
            "surat suara rusak terkena air.",
            ("penyelenggara", 1, 2, "PPK"), "Gangguan logistik", (S.OFFICER_FINDING,),
            severities=(1, 2, 3)),
    Profile("logistik-tps", 4, ((VOTING, 1),),
            ("Gangguan di TPS saat pemungutan suara",),
            "Pemungutan suara di satu TPS Kecamatan {kec}, {region}, terhenti karena listrik "
            "padam dan keributan antarsaksi.",
            ("masyarakat", 1, 10, "Pemilih dan saksi"), "Gangguan di TPS",
            (S.OFFICER_FINDING, S.SECURITY), severities=(2, 3)),
    Profile("konflik-lahan", 3, ((WHOLE, 1),),
            ("Sengketa lahan antarwarga terbawa ke persaingan Pilkada",),
            "Sengketa lahan di Kecamatan {kec}, {region}, dibawa ke dalam persaingan Pilkada "
            "dan memicu ketegangan antarwarga.",
            ("masyarakat", 5, 60, "Warga bersengketa"), "Konflik lahan", (S.FORUM, S.PRESS),
            severities=(2, 3)),
    Profile("konflik-batas", 2, ((WHOLE, 1),),
            ("Ketegangan soal batas wilayah desa",),
            "Warga dua desa di Kecamatan {kec}, {region}, bersitegang soal batas wilayah yang "
            "menentukan letak TPS.",
            ("masyarakat", 10, 80, "Warga dua desa"), "Konflik batas wilayah", (S.FORUM,),
            severities=(2, 3)),
    Profile("konflik-ekonomi", 2, ((WHOLE, 1),),
            ("Unjuk rasa pekerja dikaitkan dengan persaingan Pilkada",),
            "Unjuk rasa pekerja di Kecamatan {kec}, {region}, dikaitkan dengan dukungan kepada "
            "salah satu calon kepala daerah.",
            ("masyarakat", 20, 200, "Pekerja"), "Konflik ekonomi", (S.PRESS, S.FORUM),
            severities=(1, 2)),
]

STATUS_WEIGHTS = [
    (Status.VERIFIED, 48), (Status.FOLLOW_UP, 20), (Status.CLOSED, 6),
    (Status.SUBMITTED, 14), (Status.DRAFT, 5), (Status.REJECTED, 7),
]
GRADES = [("A", 1), ("A", 2), ("B", 1), ("B", 2), ("B", 2), ("B", 3), ("C", 2), ("C", 3)]
VERIFY_REASONS = [
    "Dikonfirmasi dengan Bawaslu setempat.", "Dikonfirmasi dengan Polres setempat.",
    "Sesuai laporan FKDM dan pemberitaan media.", "Dikonfirmasi Kesbangpol kabupaten/kota.",
]
REJECT_REASONS = [
    "Tidak terbukti: klarifikasi ke Bawaslu dan pihak terkait tidak menemukan peristiwa itu.",
    "Hoaks: foto dan video berasal dari peristiwa lain (Pemilu 2019).",
    "Di luar lingkup Pilkada: sengketa perdata antarwarga tanpa kaitan dengan pemilihan.",
    "Tidak dapat diverifikasi: pelapor tidak dapat dihubungi dan tidak ada sumber lain.",
]
CLOSE_REASONS = [
    "Rekomendasi telah ditindaklanjuti; penanganan selesai.",
    "Perkara telah diputus; pemantauan dihentikan.",
    "Para pihak berdamai setelah mediasi Forkopimda kecamatan; penanganan selesai.",
]
OUTCOMES = {
    "bawaslu": "Bawaslu menyatakan terbukti melanggar dan meneruskan rekomendasinya.",
    "gakkumdu": "Sentra Gakkumdu meningkatkan perkara ke tahap penyidikan.",
    "polri": "Penyidik Polres melimpahkan berkas perkara ke kejaksaan.",
    "bkn": "BKN menjatuhkan sanksi disiplin kepada ASN yang terbukti.",
    "dkpp": "DKPP menjatuhkan sanksi peringatan kepada penyelenggara.",
    "kpu": "KPU menindaklanjuti rekomendasi dan memperbaiki prosedur.",
    "tni": "Posko Pengaduan Kodim menindaklanjuti melalui Polisi Militer.",
    "kesbangpol": "Mediasi Kesbangpol bersama Forkopimda kecamatan berhasil.",
}
NOT_PURSUED = "Tidak dilanjutkan: unsur pelanggaran tidak terpenuhi."


@dataclass(frozen=True)
class KabKota:
    code: str
    name: str
    province: str
    kecamatan: tuple[tuple[str, str], ...]  # (code, name)


def _pick_window(rng: random.Random, profile: Profile) -> dt.date:
    windows = [w for w, _weight in profile.windows]
    start, end = rng.choices(windows, weights=[wt for _w, wt in profile.windows])[0]
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def synthetic_plan(*, kabkota_by_province: dict[str, list[KabKota]],
                   routes: dict[str, str | None]) -> list[DemoIncident]:
    """The synthetic incidents, decided by ``random.Random(SEED)`` alone: the same reference
    data gives the same plan on every run, so the references stay stable and a re-run skips.

    ``routes`` maps each indicator code to the institution code its referrals go to.
    """
    rng = random.Random(SEED)
    profiles, weights = PROFILES, [p.weight for p in PROFILES]
    plan: list[DemoIncident] = []
    number = 0
    for province, n_kabkota, n_incidents in PROVINCES:
        candidates = sorted(kabkota_by_province.get(province, []), key=lambda k: k.code)
        if not candidates:
            continue
        chosen = rng.sample(candidates, min(n_kabkota, len(candidates)))
        for i in range(n_incidents):
            number += 1
            place = chosen[i % len(chosen)] if i < len(chosen) else rng.choice(chosen)
            plan.append(_synthetic_one(rng, number, place, rng.choices(profiles, weights)[0],
                                       routes))
    return plan


def _synthetic_one(rng: random.Random, number: int, place: KabKota, profile: Profile,
                   routes: dict[str, str | None]) -> DemoIncident:
    day = _pick_window(rng, profile)
    dawn = profile.indicator == "uang-tunai" and day == VOTING[0]  # serangan fajar
    hour = 5 if dawn else rng.randint(7, 21)
    occurred = dt.datetime.combine(day, dt.time(hour, rng.choice((0, 10, 15, 30, 40, 45))))
    kec_code, kec_name = rng.choice(place.kecamatan) if place.kecamatan else (None, "")
    actor_type, low, high, description = profile.actor
    n = rng.randint(low, high)
    status = rng.choices([s for s, _w in STATUS_WEIGHTS], [w for _s, w in STATUS_WEIGHTS])[0]
    operator_region = place.province == "33"
    if status == Status.DRAFT and not operator_region:
        status = Status.SUBMITTED  # drafts belong to an operator; elsewhere admin logs
    classification = Classification.BIASA
    if rng.random() < profile.restricted:
        classification = rng.choice([Classification.TERBATAS, Classification.TERBATAS,
                                     Classification.RAHASIA])
    injured = rng.randint(*profile.injured) if profile.injured[1] else 0
    killed = 1 if profile.killed_chance and rng.random() < profile.killed_chance else 0
    severity = rng.choice(profile.severities)
    if killed:
        severity = Severity.CRITICAL
    reliability, credibility = rng.choice(GRADES)
    reporter = "operator.jateng" if operator_region else "admin"
    referrals: tuple[DemoReferral, ...] = ()
    reason = close_reason = ""
    if status == Status.REJECTED:
        reason = rng.choice(REJECT_REASONS)
    elif status in (Status.VERIFIED, Status.FOLLOW_UP, Status.CLOSED):
        reason = rng.choice(VERIFY_REASONS)
    if status in (Status.FOLLOW_UP, Status.CLOSED):
        route = routes.get(profile.indicator) or "bawaslu"
        institutions = [route]
        if profile.extra_route and rng.random() < 0.5:
            institutions.append(profile.extra_route)
        count = n if actor_type in ("asn", "kepala_desa", "penyelenggara") else 1
        referred = day + dt.timedelta(days=rng.randint(1, 7))
        built = []
        for institution in institutions:
            if status == Status.CLOSED:
                outcome_status = rng.choice([ReferralStatus.DECIDED, ReferralStatus.DECIDED,
                                             ReferralStatus.NOT_PURSUED])
            else:
                outcome_status = rng.choice([ReferralStatus.SENT, ReferralStatus.IN_PROCESS,
                                             ReferralStatus.IN_PROCESS, ReferralStatus.DECIDED])
            decided = (referred + dt.timedelta(days=rng.randint(3, 30))
                       if outcome_status not in REFERRAL_OPEN else None)
            outcome = {ReferralStatus.DECIDED: OUTCOMES.get(institution, "Selesai ditangani."),
                       ReferralStatus.NOT_PURSUED: NOT_PURSUED}.get(outcome_status, "")
            built.append(DemoReferral(institution, profile.subject, count, referred,
                                      outcome_status, outcome, decided))
            referred += dt.timedelta(days=rng.randint(1, 5))
        referrals = tuple(built)
        if status == Status.CLOSED:
            close_reason = rng.choice(CLOSE_REASONS)
    title = "Dugaan serangan fajar" if dawn else rng.choice(profile.titles)
    return DemoIncident(
        ref=f"{SYNTHETIC_PREFIX}{number:03d}",
        title=_title(f"{title}, {place.name}"),
        narrative=_narrative(profile.narrative.format(kec=kec_name, region=place.name, n=n)),
        region=place.code, kecamatan=kec_code, occurred=occurred,
        indicator=profile.indicator, source_type=rng.choice(profile.sources),
        reporter=reporter, status=status, verifier="admin",
        reliability=reliability, credibility=credibility, reason=reason,
        severity=severity, injured=injured, killed=killed,
        damage=profile.damage,
        classification=classification,
        informant="Identitas pelapor dilindungi (data demo)."
        if classification != Classification.BIASA else "",
        actors=(A(actor_type, n, description),),
        contest=rng.choices(["local", "province", None], [6, 3, 1])[0],
        referrals=referrals, close_reason=close_reason,
    )


# --- Loading -----------------------------------------------------------------------------

@dataclass
class DemoLoadReport:
    created: int = 0
    skipped: int = 0
    referrals_created: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)  # every demo incident
    referrals: int = 0
    referrals_overdue: int = 0
    casualties: int = 0


@dataclass
class _Context:
    users: dict[str, User]
    regions: dict[str, Region]
    indicators: dict[str, Indicator]
    institutions: dict[str, Institution]
    contests: dict[str, Contest]
    incidents: dict[str, Incident] = field(default_factory=dict)  # new ones, by ref


def _reference_data_missing() -> str | None:
    if not Region.objects.filter(code="13.77").exists():
        return "regions (manage.py load_regions)"
    if not Election.objects.filter(slug=ELECTION_SLUG).exists():
        return "the Pilkada 2024 election (manage.py load_pilkada2024)"
    if not Indicator.objects.filter(code="asn-grup-percakapan").exists():
        return "the indicator taxonomy (manage.py load_taxonomy)"
    return None


def demo_incidents_load() -> DemoLoadReport:
    """Create the demo incidents that are missing, through the services, as the demo users.

    One transaction: a failure leaves no half-told story behind. Stored texts that the
    services write (status reasons, history) follow the portal's language, as they would
    for a user of the Indonesian interface.
    """
    if not settings.DEMO_MODE:
        raise ValidationError(_("Demo data may only be loaded in demo mode (DEMO_MODE)."))
    missing = _reference_data_missing()
    if missing:
        raise ValidationError(f"Load {missing} first.")
    started = time.perf_counter()
    report = DemoLoadReport()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        wanted = {spec["username"] for spec in DEMO_USERS}
        if User.objects.filter(username__in=wanted).count() < len(wanted):
            demo_users_load()
        existing = set(
            Incident.objects.filter(external_ref__startswith="DEMO-")
            .values_list("external_ref", flat=True)
        )
        indicators = {i.code: i for i in Indicator.objects.select_related(
            "referral_institution", "parent__referral_institution")}
        routes = {
            code: (i.referral_institution or getattr(i.parent, "referral_institution", None))
            for code, i in indicators.items()
        }
        plan = SUMBAR_STORY + synthetic_plan(
            kabkota_by_province=_kabkota_by_province(),
            routes={code: inst.code if inst else None for code, inst in routes.items()},
        )
        todo = [spec for spec in plan if spec.ref not in existing]
        report.skipped = len(plan) - len(todo)
        if todo:
            ctx = _context(todo, indicators)
            for spec in todo:
                report.referrals_created += _apply(spec, ctx)
                report.created += 1
    _summarise(report)
    report.seconds = time.perf_counter() - started
    return report


def _kabkota_by_province() -> dict[str, list[KabKota]]:
    provinces = [p for p, _k, _n in PROVINCES]
    kabkota = list(Region.objects.filter(level=RegionLevel.KABKOTA, parent_id__in=provinces)
                   .order_by("code").values_list("code", "name", "parent_id"))
    kecamatan: dict[str, list[tuple[str, str]]] = {}
    rows = (Region.objects.filter(level=RegionLevel.KECAMATAN,
                                  parent__parent_id__in=provinces)
            .order_by("code").values_list("code", "name", "parent_id"))
    for code, name, parent in rows:
        kecamatan.setdefault(parent, []).append((code, name))
    result: dict[str, list[KabKota]] = {}
    for code, name, province in kabkota:
        result.setdefault(province, []).append(
            KabKota(code, name, province, tuple(kecamatan.get(code, ())))
        )
    return result


def _context(todo: list[DemoIncident], indicators: dict[str, Indicator]) -> _Context:
    codes = {s.region for s in todo} | {s.kecamatan for s in todo if s.kecamatan}
    users = {u.username: u for u in User.objects.filter(
        username__in={spec["username"] for spec in DEMO_USERS})}
    election = Election.objects.get(slug=ELECTION_SLUG)
    contest_regions = {s.region for s in todo} | {s.region[:2] for s in todo}
    return _Context(
        users=users,
        regions=Region.objects.defer("boundary").in_bulk(list(codes)),  # shapes are large
        indicators=indicators,
        institutions={i.code: i for i in Institution.objects.all()},
        contests={c.region_id: c for c in Contest.objects.filter(
            election=election, region_id__in=contest_regions)},
    )


def _local(region: Region, naive: dt.datetime) -> dt.datetime:
    return naive.replace(tzinfo=ZoneInfo(TIMEZONE_IANA[region.timezone]))


def _apply(spec: DemoIncident, ctx: _Context) -> int:
    """Take one demo incident through the workflow; returns the referrals recorded."""
    region = ctx.regions[spec.region]
    kecamatan = ctx.regions.get(spec.kecamatan) if spec.kecamatan else None
    point = kecamatan or region  # the kecamatan's centroid puts the pin on the map
    has_point = point.latitude is not None and point.longitude is not None
    contest = None
    if spec.contest == "local":
        contest = ctx.contests.get(spec.region) or ctx.contests.get(spec.region[:2])
    elif spec.contest == "province":
        contest = ctx.contests.get(spec.region[:2])
    data = services.IncidentData(
        title=spec.title, narrative=spec.narrative, region=region, kecamatan=kecamatan,
        latitude=point.latitude if has_point else None,
        longitude=point.longitude if has_point else None,
        occurred_at=_local(region, spec.occurred), indicator=ctx.indicators[spec.indicator],
        source_type=spec.source_type, contest=contest, severity=spec.severity,
        injured=spec.injured, killed=spec.killed, damage=spec.damage,
        classification=spec.classification, informant=spec.informant,
        external_ref=spec.ref, actors=list(spec.actors),
    )
    reporter = ctx.users[spec.reporter]
    incident = services.incident_create(by=reporter, data=data,
                                        submit=spec.status != Status.DRAFT, is_demo=True)
    ctx.incidents[spec.ref] = incident
    if spec.status == Status.DRAFT:
        return 0
    verifier = ctx.users[spec.verifier or "admin"]
    if spec.assign_to:
        incident = services.incident_assign(incident=incident, assignee=ctx.users[spec.assign_to],
                                            by=verifier)
    if spec.status == Status.SUBMITTED:
        return 0
    if spec.status == Status.REJECTED:
        services.incident_reject(incident=incident, by=verifier, reason=spec.reason)
        return 0
    if spec.status == Status.MERGED:
        into = ctx.incidents.get(spec.merge_into) or Incident.objects.get(
            external_ref=spec.merge_into)
        services.incident_merge(duplicate=incident, into=into, by=verifier, reason=spec.reason)
        return 0
    incident = services.incident_verify(incident=incident, by=verifier,
                                        reliability=spec.reliability,
                                        credibility=spec.credibility, reason=spec.reason)
    recorder = ctx.users[spec.recorder or spec.reporter]
    for ref in spec.referrals:
        referral = services.referral_create(
            incident=incident, by=recorder, institution=ctx.institutions[ref.institution],
            subject=ref.subject, count=ref.count, referred_on=ref.referred_on, notes=ref.notes,
        )
        if ref.status != ReferralStatus.SENT:
            services.referral_update(referral=referral, by=recorder, status=ref.status,
                                     outcome=ref.outcome, decided_on=ref.decided_on)
    if spec.status == Status.CLOSED:
        services.incident_close(incident=incident, by=verifier, reason=spec.close_reason)
    return len(spec.referrals)


def _summarise(report: DemoLoadReport) -> None:
    demo = Incident.objects.filter(is_demo=True)
    counts = Counter(dict(demo.values_list("status").annotate(n=Count("id")).order_by()))
    report.by_status = {s: counts[s] for s in Status.values if counts[s]}
    referrals = Referral.objects.filter(incident__is_demo=True)
    report.referrals = referrals.count()
    report.referrals_overdue = referrals.filter(
        status__in=REFERRAL_OPEN, deadline__lt=timezone.localdate()).count()
    report.casualties = demo.filter(Q(injured__gt=0) | Q(killed__gt=0)).count()
