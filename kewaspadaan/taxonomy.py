"""The starting indicator taxonomy and referral institutions, as plain data (FACTS.md).

Loaded create-only by ``manage.py load_taxonomy``; after that the admin owns them. Names are
Indonesian on purpose: they are the terms of the forms and regulations (SKB 2/2022 for ASN).
Deadlines FACTS.md gives are set; the ones it does not give stay empty (configurable).
"""

from typing import NamedTuple


class InstitutionSpec(NamedTuple):
    code: str
    name: str
    deadline_days: int | None = None
    working_days: bool = False
    basis: str = ""


INSTITUTIONS = [
    InstitutionSpec("bawaslu", "Bawaslu", 3, False,
                    "Pilkada: Bawaslu memutus dalam 3 hari (+2 hari bila perlu keterangan)."),
    InstitutionSpec("gakkumdu", "Sentra Gakkumdu", 14, True,
                    "Berkas perkara ke penuntut umum paling lama 14 hari kerja."),
    InstitutionSpec("polri", "Polri", 14, True,
                    "Penyidikan tindak pidana pemilihan: 14 hari kerja ke penuntut umum."),
    InstitutionSpec("kejaksaan", "Kejaksaan", 5, False,
                    "Pelimpahan ke pengadilan paling lama 5 hari."),
    InstitutionSpec("pengadilan", "Pengadilan Negeri", 7, False,
                    "Putusan paling lama 7 hari."),
    InstitutionSpec("bkn", "Badan Kepegawaian Negara (BKN)", None, False,
                    "Netralitas ASN sejak KASN dibubarkan (UU 20/2023)."),
    InstitutionSpec("dkpp", "DKPP", None, False, "Pelanggaran kode etik penyelenggara."),
    InstitutionSpec("kpu", "KPU", None, False, "Pelanggaran administrasi."),
    InstitutionSpec("inspektorat", "Inspektorat Daerah", None, False, ""),
    InstitutionSpec("tni", "TNI (Posko Pengaduan Kodim)", None, False,
                    "Pelanggaran netralitas TNI."),
    InstitutionSpec("kesbangpol", "Badan Kesbangpol", None, False, "Penanganan internal."),
]


class IndicatorSpec(NamedTuple):
    code: str
    name: str
    athg: str
    ikp: str = ""
    route: str | None = None
    weight: float = 1.0


# (category, [indicators]) — a category's ATHG, IKP dimension and route are its children's
# defaults unless a child says otherwise.
TAXONOMY: list[tuple[IndicatorSpec, list[IndicatorSpec]]] = [
    (IndicatorSpec("asn", "Netralitas ASN", "hambatan", "penyelenggaraan", "bawaslu", 1.0), [
        IndicatorSpec("asn-alat-peraga", "Memasang alat peraga kampanye", "hambatan"),
        IndicatorSpec("asn-kampanye-medsos", "Sosialisasi atau kampanye di media sosial",
                      "hambatan"),
        IndicatorSpec("asn-pendekatan-parpol", "Melakukan pendekatan ke partai politik",
                      "hambatan"),
        IndicatorSpec("asn-hadir-kampanye", "Menghadiri deklarasi atau kampanye", "hambatan"),
        IndicatorSpec("asn-anggota-parpol", "Menjadi anggota atau pengurus partai politik",
                      "hambatan"),
        IndicatorSpec("asn-like-share", "Menyukai, membagikan atau mengikuti akun kampanye",
                      "hambatan", weight=0.6),
        IndicatorSpec("asn-foto-keberpihakan", "Foto bersama dengan simbol keberpihakan",
                      "hambatan", weight=0.6),
        IndicatorSpec("asn-kegiatan-berpihak", "Kegiatan yang mengarah keberpihakan",
                      "hambatan"),
        IndicatorSpec("asn-tim-pemenangan", "Menjadi tim pemenangan atau tim sukses",
                      "hambatan", weight=1.3),
        IndicatorSpec("asn-kumpul-ktp", "Mengumpulkan KTP untuk dukungan calon", "hambatan",
                      weight=1.2),
        IndicatorSpec("asn-keputusan-menguntungkan",
                      "Membuat keputusan yang menguntungkan calon", "hambatan", weight=1.4),
        IndicatorSpec("asn-grup-percakapan", "Grup percakapan yang berpihak (kasus Pariaman)",
                      "hambatan", weight=1.1),
    ]),
    (IndicatorSpec("politik-uang", "Politik uang", "gangguan", "kontestasi", "gakkumdu", 1.5), [
        IndicatorSpec("uang-tunai", "Pemberian uang tunai, voucher atau uang digital",
                      "gangguan", weight=1.6),
        IndicatorSpec("uang-barang", "Pemberian barang", "gangguan", weight=1.3),
        IndicatorSpec("uang-janji", "Janji imbalan", "gangguan", weight=1.0),
    ]),
    (IndicatorSpec("intimidasi", "Intimidasi dan kekerasan", "ancaman", "kontestasi", "polri",
                   1.8), [
        IndicatorSpec("intimidasi-ancaman", "Ancaman", "ancaman", weight=1.5),
        IndicatorSpec("intimidasi-verbal", "Kekerasan verbal", "ancaman", weight=1.3),
        IndicatorSpec("intimidasi-fisik", "Kekerasan fisik", "ancaman", weight=2.2),
        IndicatorSpec("intimidasi-perusakan", "Perusakan fasilitas penyelenggara", "gangguan",
                      weight=2.0),
    ]),
    (IndicatorSpec("tni-polri", "Netralitas TNI/Polri", "hambatan", "penyelenggaraan", "tni",
                   1.3), [
        IndicatorSpec("tni-polri-berpihak", "Keberpihakan anggota TNI/Polri", "hambatan"),
    ]),
    (IndicatorSpec("kepala-desa", "Netralitas kepala desa", "hambatan", "penyelenggaraan",
                   "bawaslu", 1.1), [
        IndicatorSpec("kepala-desa-berpihak", "Keberpihakan kepala desa atau perangkat desa",
                      "hambatan"),
    ]),
    (IndicatorSpec("penyelenggara", "Netralitas dan prosedur penyelenggara", "hambatan",
                   "penyelenggaraan", "dkpp", 1.2), [
        IndicatorSpec("penyelenggara-berpihak", "Keberpihakan penyelenggara", "hambatan",
                      weight=1.4),
        IndicatorSpec("penyelenggara-kpps", "Kesalahan prosedur KPPS", "hambatan",
                      route="kpu"),
        IndicatorSpec("penyelenggara-psu", "Pemungutan suara ulang", "hambatan", route="kpu"),
    ]),
    (IndicatorSpec("petahana", "Penyalahgunaan petahana dan fasilitas negara", "hambatan",
                   "kontestasi", "bawaslu", 1.2), [
        IndicatorSpec("petahana-fasilitas", "Penggunaan fasilitas negara", "hambatan"),
        IndicatorSpec("petahana-program", "Program pemerintah untuk kampanye", "hambatan"),
    ]),
    (IndicatorSpec("sara", "SARA, ujaran kebencian dan hoaks", "tantangan",
                   "konteks_sosial_politik", "polri", 1.4), [
        IndicatorSpec("sara-ujaran", "Ujaran kebencian SARA", "tantangan", weight=1.5),
        IndicatorSpec("sara-hoaks", "Hoaks dan disinformasi", "tantangan"),
        IndicatorSpec("sara-polarisasi", "Polarisasi di media sosial", "tantangan", weight=0.8),
    ]),
    (IndicatorSpec("bentrok", "Bentrokan antarpendukung", "gangguan", "kontestasi", "polri",
                   2.0), [
        IndicatorSpec("bentrok-massa", "Bentrokan massa pendukung", "gangguan", weight=2.2),
        IndicatorSpec("bentrok-kerusuhan", "Kerusuhan", "gangguan", weight=2.5),
    ]),
    (IndicatorSpec("kampanye", "Pelanggaran kampanye", "hambatan", "kontestasi", "bawaslu",
                   0.8), [
        IndicatorSpec("kampanye-di-luar-jadwal", "Kampanye di luar jadwal atau masa tenang",
                      "hambatan"),
        IndicatorSpec("kampanye-tempat-terlarang", "Kampanye di tempat ibadah, pendidikan "
                      "atau pemerintahan", "hambatan"),
    ]),
    (IndicatorSpec("logistik", "Gangguan logistik dan TPS", "gangguan", "penyelenggaraan",
                   "kpu", 1.2), [
        IndicatorSpec("logistik-distribusi", "Keterlambatan atau kerusakan logistik",
                      "hambatan"),
        IndicatorSpec("logistik-tps", "Gangguan di TPS", "gangguan", weight=1.4),
    ]),
    (IndicatorSpec("konflik-sosial", "Konflik sosial lainnya", "tantangan",
                   "konteks_sosial_politik", "kesbangpol", 1.0), [
        IndicatorSpec("konflik-ekonomi", "Konflik ekonomi", "tantangan"),
        IndicatorSpec("konflik-lahan", "Konflik lahan", "tantangan"),
        IndicatorSpec("konflik-batas", "Konflik batas wilayah", "tantangan"),
    ]),
]
