"""Choices of forums, meetings and recommendations."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kewaspadaan.choices import DeliveryStatus


class ForumKind(models.TextChoices):
    FORKOPIMDA = "forkopimda", _("Forkopimda")
    TIM_TERPADU = "tim_terpadu", _("Tim Terpadu Penanganan Konflik Sosial")
    DESK_PILKADA = "desk_pilkada", _("Desk Pilkada")
    TIM_KEWASPADAAN = "tim_kewaspadaan", _("Tim Kewaspadaan Dini")
    FKDM = "fkdm", _("FKDM (Forum Kewaspadaan Dini Masyarakat)")


class Position(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    MEMBER = "member", _("Member")


# Order of positions in lists and documents: chair first.
POSITION_ORDER = {Position.CHAIR: 0, Position.VICE_CHAIR: 1, Position.SECRETARIAT: 2,
                  Position.MEMBER: 3}


class MeetingKind(models.TextChoices):
    FGD = "fgd", _("Focus group discussion (FGD)")
    RAKOR = "rakor", _("Coordination meeting (rakor)")


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Open: issued and not yet settled, so the addressed institutions owe action. An approved
# recommendation has not been sent to anyone yet, so it is not counted as open or overdue.
OPEN = (RecommendationStatus.ISSUED, RecommendationStatus.IN_PROGRESS)
# What an official document of a meeting shows: everything the forum agreed on.
IN_DOCUMENT = (RecommendationStatus.APPROVED, RecommendationStatus.ISSUED,
               RecommendationStatus.IN_PROGRESS, RecommendationStatus.DONE)


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    MESSENGER = "messenger", _("Messenger (WhatsApp)")
    HAND = "hand", _("By hand")


# A notice is pending, sent or failed, as an alert's delivery is.
NoticeStatus = DeliveryStatus
