"""Choices of incident intake."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    FOLLOW_UP = "follow_up", _("In follow-up")
    CLOSED = "closed", _("Closed")


# Statuses whose incident is accepted as true (it counts in the risk picture).
ACCEPTED = (Status.VERIFIED, Status.FOLLOW_UP, Status.CLOSED)


class SourceType(models.TextChoices):
    PUBLIC_REPORT = "laporan_masyarakat", _("Public report")
    OFFICER_FINDING = "temuan_petugas", _("Officer's finding")
    SOCIAL_MEDIA = "media_sosial", _("Social media")
    PRESS = "media_massa", _("Press")
    SECURITY = "aparat_keamanan", _("Security forces (TNI/Polri/BIN)")
    BAWASLU = "bawaslu", _("Bawaslu")
    FORUM = "forum", _("FKDM / forum meeting")
    OTHER = "lainnya", _("Other")


class Reliability(models.TextChoices):
    """Source reliability (Admiralty code A-F)."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class Credibility(models.IntegerChoices):
    """Information credibility (Admiralty code 1-6)."""

    CONFIRMED = 1, _("1: confirmed by other sources")
    PROBABLE = 2, _("2: probably true")
    POSSIBLE = 3, _("3: possibly true")
    DOUBTFUL = 4, _("4: doubtful")
    IMPROBABLE = 5, _("5: improbable")
    UNKNOWN = 6, _("6: truth cannot be judged")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class ActorType(models.TextChoices):
    ASN = "asn", _("ASN (civil servants)")
    TNI = "tni", _("TNI")
    POLRI = "polri", _("Polri")
    VILLAGE_HEAD = "kepala_desa", _("Village head or staff")
    ORGANISER = "penyelenggara", _("Election organiser (KPU, Bawaslu, ad-hoc)")
    CANDIDATE = "paslon", _("Candidate pair or campaign team")
    SUPPORTER = "simpatisan", _("Supporters")
    ORMAS = "ormas", _("Community organisation (ormas)")
    PUBLIC = "masyarakat", _("Members of the public")
    UNKNOWN = "tidak_dikenal", _("Unknown persons")
    OTHER = "lainnya", _("Other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    IN_PROCESS = "in_process", _("In process")
    DECIDED = "decided", _("Decided")
    NOT_PURSUED = "not_pursued", _("Not pursued")


REFERRAL_OPEN = (ReferralStatus.SENT, ReferralStatus.IN_PROCESS)


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    COMMITTED = "committed", _("Imported")
    DISCARDED = "discarded", _("Discarded")
