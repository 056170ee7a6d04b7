"""Choices of the kewaspadaan core (regions, elections, users)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    KABKOTA = 2, _("Kabupaten/Kota")
    KECAMATAN = 3, _("Kecamatan")
    DESA = 4, _("Desa/Kelurahan")


class RegionKind(models.TextChoices):
    """The finer kind inside a level: kabupaten vs kota, desa vs kelurahan."""

    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA = "desa", _("Desa")


class TimeZoneName(models.TextChoices):
    WIB = "WIB", _("WIB (UTC+7)")
    WITA = "WITA", _("WITA (UTC+8)")
    WIT = "WIT", _("WIT (UTC+9)")


# IANA zones for Indonesia's three official time zones.
TIMEZONE_IANA = {
    TimeZoneName.WIB: "Asia/Jakarta",
    TimeZoneName.WITA: "Asia/Makassar",
    TimeZoneName.WIT: "Asia/Jayapura",
}


class ElectionKind(models.TextChoices):
    PILKADA = "pilkada", _("Pilkada (regional head election)")
    PEMILU = "pemilu", _("Pemilu (general election)")


class ContestKind(models.TextChoices):
    GUBERNUR = "gubernur", _("Governor and Vice-Governor")
    BUPATI = "bupati", _("Regent and Vice-Regent (Bupati)")
    WALI_KOTA = "wali_kota", _("Mayor and Vice-Mayor (Wali Kota)")
    PRESIDEN = "presiden", _("President and Vice-President")
    LEGISLATIF = "legislatif", _("Legislative (DPR, DPD, DPRD)")


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    ANALYST = "analyst", _("Analyst")
    OFFICIAL = "official", _("Official (Forkopimda / Tim Terpadu)")
    NATIONAL = "national", _("National (Kemendagri)")
    ADMIN = "admin", _("Administrator")


class Athg(models.TextChoices):
    """Permendagri 2/2018 (46/2019): the four kinds of early-warning object."""

    ANCAMAN = "ancaman", _("Ancaman (threat)")
    TANTANGAN = "tantangan", _("Tantangan (challenge)")
    HAMBATAN = "hambatan", _("Hambatan (obstacle)")
    GANGGUAN = "gangguan", _("Gangguan (disturbance)")


class IkpDimension(models.TextChoices):
    """The four dimensions of Bawaslu's election vulnerability index (IKP 2024)."""

    SOCIO_POLITICAL = "konteks_sosial_politik", _("Socio-political context")
    ADMINISTRATION = "penyelenggaraan", _("Election administration")
    CONTEST = "kontestasi", _("Contest")
    PARTICIPATION = "partisipasi", _("Participation")


class Classification(models.TextChoices):
    """Security classification of a record; who may read each level is in ``scoping``."""

    BIASA = "biasa", _("Biasa (ordinary)")
    TERBATAS = "terbatas", _("Terbatas (restricted)")
    RAHASIA = "rahasia", _("Rahasia (secret)")


class RiskLevel(models.TextChoices):
    RENDAH = "rendah", _("Low (rendah)")
    SEDANG = "sedang", _("Medium (sedang)")
    TINGGI = "tinggi", _("High (tinggi)")


class Verification(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    REPORTED = "reported", _("Reported, not verified")


class AlertRule(models.TextChoices):
    LEVEL_RISE = "level_rise", _("Risk level rose")
    SURGE = "surge", _("Surge of incidents")
    CRITICAL = "critical", _("Critical incident")


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
