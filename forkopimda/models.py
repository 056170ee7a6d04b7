"""Forums and their members, meetings (FGD, rakor), recommendations with their lifecycle,
progress notes and distribution log, and the official numbers they are issued under.

Every write goes through ``forkopimda.services``. Meetings and recommendations carry the
region of their forum in their own column, so the scoping rule filters them without a join.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forkopimda.choices import (
    OPEN,
    Channel,
    ForumKind,
    MeetingKind,
    NoticeStatus,
    Position,
    RecommendationStatus,
)
from kewaspadaan.scoping import JurisdictionScope

BY_REGION = JurisdictionScope(region_field="region")
STATUS_BADGES = {
    RecommendationStatus.DRAFT: "status-draft", RecommendationStatus.APPROVED: "status-submitted",
    RecommendationStatus.ISSUED: "status-verified",
    RecommendationStatus.IN_PROGRESS: "status-follow_up",
    RecommendationStatus.DONE: "status-closed", RecommendationStatus.CANCELLED: "status-rejected",
}


class Forum(models.Model):
    """A standing forum of one region (Forkopimda, Tim Terpadu, Desk Pilkada, Tim
    Kewaspadaan Dini, FKDM) with its members."""

    region = models.ForeignKey("kewaspadaan.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="forums")
    kind = models.CharField(_("kind"), max_length=20, choices=ForumKind.choices)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=250, blank=True,
                                   help_text=_("Decree that forms the forum, for example an "
                                               "SK Gubernur."))
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    jurisdiction_scope = BY_REGION

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["region", "kind", "name"]
        indexes = [models.Index(fields=["region", "kind"], name="forum_region_kind_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="forum_unique_name_per_region",
                violation_error_message=_("This region already has a forum of this name."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ForumKind.values), name="forum_kind_valid",
                violation_error_message=_("Unknown kind of forum."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ForumMember(models.Model):
    """A member office of a forum (Kapolda, Danrem 032 Wirabraja...), the person holding it,
    their position in the forum and where to reach them for notifications."""

    forum = models.ForeignKey(Forum, verbose_name=_("forum"), on_delete=models.CASCADE,
                              related_name="members")
    office = models.CharField(_("office"), max_length=200)
    person_name = models.CharField(_("name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=12, choices=Position.choices,
                                default=Position.MEMBER)
    institution = models.ForeignKey(
        "kewaspadaan.Institution", verbose_name=_("institution"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
        help_text=_("The institution recommendations address this member through."),
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("portal account"),
                             on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="forum_memberships")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    jurisdiction_scope = JurisdictionScope(region_field="forum__region")

    class Meta:
        verbose_name = _("forum member")
        verbose_name_plural = _("forum members")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "office"], name="member_unique_office_per_forum",
                violation_error_message=_("This office is already a member of the forum."),
            ),
            models.UniqueConstraint(
                fields=["forum"], condition=Q(position=Position.CHAIR),
                name="member_one_chair_per_forum",
                violation_error_message=_("A forum has one chair."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} ({self.get_position_display()})"


class Meeting(models.Model):
    """A meeting of a forum (FGD, rakor): who led it, when and where, its topic (materi),
    background, participants, minutes, and what was discussed."""

    forum = models.ForeignKey(Forum, verbose_name=_("forum"), on_delete=models.PROTECT,
                              related_name="meetings")
    region = models.ForeignKey("kewaspadaan.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("The forum's region."))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=250)
    leader = models.CharField(_("led by (pimpinan)"), max_length=250)
    held_at = models.DateTimeField(_("date and time"),
                                   help_text=_("In the forum region's own time zone."))
    place = models.CharField(_("place"), max_length=250)
    topic = models.TextField(_("topic (materi)"))
    background = models.TextField(_("background"), blank=True,
                                  help_text=_("Why the meeting was held."))
    minutes = models.TextField(_("minutes"), blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=250, blank=True)
    signatory_name = models.CharField(_("signatory's name"), max_length=150, blank=True)
    signatory_id = models.CharField(_("signatory's NIP"), max_length=40, blank=True)
    document_place = models.CharField(_("place of signing"), max_length=100, blank=True)
    regions = models.ManyToManyField("kewaspadaan.Region", verbose_name=_("regions discussed"),
                                     blank=True, related_name="+")
    indicators = models.ManyToManyField("kewaspadaan.Indicator",
                                        verbose_name=_("indicators discussed"), blank=True,
                                        related_name="+")
    incidents = models.ManyToManyField("laporan.Incident", verbose_name=_("incidents discussed"),
                                       blank=True, related_name="+")
    alerts = models.ManyToManyField("kewaspadaan.Alert", verbose_name=_("alerts discussed"),
                                    blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    jurisdiction_scope = BY_REGION

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-held_at"], name="meeting_region_time_idx"),
            models.Index(fields=["forum", "-held_at"], name="meeting_forum_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid",
                violation_error_message=_("Unknown kind of meeting."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingParticipant(models.Model):
    """An office (and optionally the person) that took part in a meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="participants")
    office = models.CharField(_("office"), max_length=200)
    person_name = models.CharField(_("name"), max_length=150, blank=True)
    member = models.ForeignKey(ForumMember, verbose_name=_("forum member"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    jurisdiction_scope = JurisdictionScope(region_field="meeting__region")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "office"], name="participant_unique_office",
                violation_error_message=_("This office is already listed as a participant."),
            ),
        ]

    def __str__(self) -> str:
        return self.office


def attachment_path(instance: "MeetingAttachment", filename: str) -> str:
    # Random names: the original name is kept in the row, never trusted on disk.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"meetings/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class MeetingAttachment(models.Model):
    """A file attached to a meeting (attendance list, presentation, photo). Served only
    through the view that applies the scoping rule."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=250, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    jurisdiction_scope = JurisdictionScope(region_field="meeting__region")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Recommendation(models.Model):
    """A recommendation of a forum to the institutions that must act, with its deadline, the
    evidence behind it and its lifecycle: draft > approved > issued (with an official number)
    > in progress > done, or cancelled."""

    region = models.ForeignKey("kewaspadaan.Region", verbose_name=_("region"),
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("The region of the forum that issues it."))
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="recommendations")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("short title"), max_length=200)
    text = models.TextField(_("text"))
    rationale = models.TextField(_("supporting figures"), blank=True,
                                 help_text=_("The figures and facts behind it."))
    regions = models.ManyToManyField("kewaspadaan.Region", verbose_name=_("regions concerned"),
                                     blank=True, related_name="concerning_recommendations")
    indicators = models.ManyToManyField("kewaspadaan.Indicator",
                                        verbose_name=_("indicators concerned"), blank=True,
                                        related_name="+")
    institutions = models.ManyToManyField("kewaspadaan.Institution",
                                          verbose_name=_("addressed institutions"), blank=True,
                                          related_name="recommendations")
    addressees = models.CharField(
        _("other addressees"), max_length=300, blank=True,
        help_text=_("Offices not in the institution list, for example Pemerintah Kota "
                    "Pariaman."),
    )
    incidents = models.ManyToManyField("laporan.Incident", verbose_name=_("incidents behind it"),
                                       blank=True, related_name="+")
    score_changes = models.JSONField(
        _("score changes behind it"), default=list, blank=True,
        help_text=_("Risk scores of the regions concerned when it was drafted."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.DRAFT)
    number = models.CharField(_("official number"), max_length=60, null=True, blank=True,
                              unique=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("done or cancelled at"), null=True, blank=True)
    suggestion_key = models.CharField(
        _("suggestion"), max_length=120, blank=True,
        help_text=_("The rule of the suggested draft it came from, if any."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # Every saved version (who, when, what), kept append-only: laporan's history tables.
    history = HistoricalRecords(verbose_name=_("recommendation version"),
                                excluded_fields=["updated_at"], m2m_fields=[])

    jurisdiction_scope = BY_REGION

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "status", "deadline"], name="rec_region_open_idx"),
            models.Index(fields=["status", "deadline"], name="rec_overdue_idx"),
            models.Index(fields=["meeting", "order"], name="rec_meeting_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values), name="rec_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[RecommendationStatus.DRAFT,
                                        RecommendationStatus.APPROVED])
                | Q(status=RecommendationStatus.CANCELLED)
                | Q(number__isnull=False),
                name="rec_issued_has_number",
                violation_error_message=_("An issued recommendation needs its official number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def badge(self) -> str:
        """The portal's status badge class (shared with the incident workflow's colours)."""
        return STATUS_BADGES.get(self.status, "status-draft")

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.deadline is not None and self.deadline < today


class RecommendationTransition(models.Model):
    """One step of a recommendation's lifecycle: who moved it, when, and why."""

    recommendation = models.ForeignKey(Recommendation, verbose_name=_("recommendation"),
                                       on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, blank=True,
                                   choices=RecommendationStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=RecommendationStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    jurisdiction_scope = JurisdictionScope(region_field="recommendation__region")

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class ProgressNote(models.Model):
    """What an addressed institution reports it has done about a recommendation."""

    recommendation = models.ForeignKey(Recommendation, verbose_name=_("recommendation"),
                                       on_delete=models.CASCADE, related_name="progress_notes")
    institution = models.ForeignKey("kewaspadaan.Institution", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    office = models.CharField(_("reported by office"), max_length=200, blank=True)
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                               on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("recorded at"), default=timezone.now)

    jurisdiction_scope = JurisdictionScope(region_field="recommendation__region")

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Distribution(models.Model):
    """The distribution log: which office was sent a recommendation, how, and when it
    acknowledged receipt."""

    recommendation = models.ForeignKey(Recommendation, verbose_name=_("recommendation"),
                                       on_delete=models.CASCADE, related_name="distributions")
    recipient = models.CharField(_("recipient office"), max_length=200)
    institution = models.ForeignKey("kewaspadaan.Institution", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.LETTER)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"),
                                on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    acknowledged_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                          null=True, blank=True, related_name="+",
                                          verbose_name=_("acknowledgement recorded by"))

    jurisdiction_scope = JurisdictionScope(region_field="recommendation__region")

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distribution log")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "recipient"], name="distribution_once_per_recipient",
                violation_error_message=_("This office is already in the distribution log."),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("sent_at")),
                name="distribution_ack_after_sending",
                violation_error_message=_("Receipt cannot be acknowledged before sending."),
            ),
        ]

    def __str__(self) -> str:
        return self.recipient


class NumberSequence(models.Model):
    """The last official number issued per region and year; locked while a number is taken,
    so two analysts issuing at once get consecutive numbers, never the same one."""

    region = models.ForeignKey("kewaspadaan.Region", verbose_name=_("region"),
                               on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    jurisdiction_scope = BY_REGION

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="sequence_per_region_year",
                                    violation_error_message=_("One sequence per region and "
                                                              "year.")),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last}"


class OverdueNotice(models.Model):
    """One notification that a recommendation is past its deadline, to one recipient on one
    channel. Unique per (recommendation, channel, target): a retried task never sends twice."""

    recommendation = models.ForeignKey(Recommendation, verbose_name=_("recommendation"),
                                       on_delete=models.CASCADE, related_name="notices")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+")
    target = models.CharField(_("address"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices,
                              default=NoticeStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    jurisdiction_scope = JurisdictionScope(region_field="recommendation__region")

    class Meta:
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        indexes = [models.Index(fields=["status"], name="notice_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "channel", "target"],
                                    name="notice_once_per_target"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.channel} {self.target}"


class ReportSubscription(models.Model):
    """A user who receives the weekly situation report (laporan situasi) of a region."""

    region = models.ForeignKey("kewaspadaan.Region", verbose_name=_("region"),
                               on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="report_subscriptions")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_sent_on = models.DateField(_("last sent for the week ending"), null=True, blank=True)

    jurisdiction_scope = BY_REGION

    class Meta:
        verbose_name = _("situation report subscription")
        verbose_name_plural = _("situation report subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["region", "user"], name="subscription_once",
                                    violation_error_message=_("Already subscribed.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.region_id}"
