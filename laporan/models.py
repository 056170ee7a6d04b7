"""Incidents (laporan kejadian), their actors, transitions, referrals, evidence and imports.

Every write goes through ``laporan.services``; these models hold data and invariants only.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from kewaspadaan.choices import Athg, Classification
from kewaspadaan.crypto import EncryptedTextField
from kewaspadaan.models import Alert
from kewaspadaan.scoping import NATIONWIDE, JurisdictionScope
from laporan.choices import (
    REFERRAL_OPEN,
    ActorType,
    Credibility,
    ImportStatus,
    ReferralStatus,
    Reliability,
    Severity,
    SourceType,
    Status,
)

INCIDENT_SCOPE = JurisdictionScope(
    region_field="region", classification_field="classification", owner_field="created_by",
    status_field="status",
)
# Records that belong to an incident (actors, transitions, referrals, evidence) are seen by
# whoever may see the incident.
VIA_INCIDENT = JurisdictionScope(
    region_field="incident__region", classification_field="incident__classification",
    owner_field="incident__created_by", status_field="incident__status",
)


class Incident(models.Model):
    """One reported event that threatens the election, in one kab/kota."""

    title = models.CharField(_("title"), max_length=200)
    narrative = models.TextField(_("what happened"))
    region = models.ForeignKey(
        "kewaspadaan.Region", verbose_name=_("kab/kota"), on_delete=models.PROTECT,
        related_name="incidents",
    )
    kecamatan = models.ForeignKey(
        "kewaspadaan.Region", verbose_name=_("kecamatan"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    desa = models.ForeignKey(
        "kewaspadaan.Region", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    occurred_at = models.DateTimeField(
        _("time of the event"), help_text=_("Entered in the region's own time zone.")
    )
    election = models.ForeignKey(
        "kewaspadaan.Election", verbose_name=_("election"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="incidents",
    )
    stages = models.ManyToManyField(
        "kewaspadaan.Stage", verbose_name=_("stages"), blank=True, related_name="incidents",
        help_text=_("Derived from the date of the event."),
    )
    indicator = models.ForeignKey(
        "kewaspadaan.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT,
        related_name="incidents",
    )
    athg = models.CharField(_("ATHG class"), max_length=10, choices=Athg.choices)
    contest = models.ForeignKey(
        "kewaspadaan.Contest", verbose_name=_("contest"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="incidents",
    )
    candidate_pair = models.ForeignKey(
        "kewaspadaan.CandidatePair", verbose_name=_("candidate pair"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
    )
    source_type = models.CharField(_("source"), max_length=20, choices=SourceType.choices)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=Reliability.choices,
        default=Reliability.F,
    )
    information_credibility = models.PositiveSmallIntegerField(
        _("information credibility"), choices=Credibility.choices, default=Credibility.UNKNOWN
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    injured = models.PositiveIntegerField(_("injured"), default=0)
    killed = models.PositiveIntegerField(_("killed"), default=0)
    damage = models.TextField(_("damage"), blank=True)
    classification = models.CharField(
        _("classification"), max_length=10, choices=Classification.choices,
        default=Classification.BIASA,
    )
    # Encrypted at rest (kewaspadaan.crypto): the column holds only ciphertext, in the
    # history table too, so the database cannot search it.
    informant = EncryptedTextField(
        _("informant (protected)"), blank=True,
        help_text=_("Name and contact of the informant. Shown only to analysts and admins."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned analyst"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="assigned_incidents",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="merged_duplicates",
    )
    external_ref = models.CharField(
        _("external reference"), max_length=100, null=True, blank=True, unique=True,
        help_text=_("Reference in the source system; an import skips rows already imported."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT,
        related_name="reported_incidents",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    history = HistoricalRecords(
        verbose_name=_("incident version"), excluded_fields=["updated_at"],
        m2m_fields=[],
    )

    jurisdiction_scope = INCIDENT_SCOPE

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["region", "-occurred_at"], name="incident_region_time_idx"),
            models.Index(fields=["status", "-occurred_at"], name="incident_status_time_idx"),
            models.Index(fields=["indicator", "region", "occurred_at"],
                         name="incident_duplicate_idx"),
            models.Index(fields=["athg", "-occurred_at"], name="incident_athg_time_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="incident_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=Status.MERGED, merged_into__isnull=False)
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="incident_merged_has_target",
                violation_error_message=_("A merged incident must name the incident it joined."),
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")),
                name="incident_not_merged_into_itself",
                violation_error_message=_("An incident cannot be merged into itself."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="incident_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(classification__in=Classification.values),
                name="incident_classification_valid",
                violation_error_message=_("Unknown classification."),
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | Q(latitude__gte=-11.5, latitude__lte=6.5, longitude__gte=94.5,
                    longitude__lte=141.5),
                name="incident_point_in_indonesia",
                violation_error_message=_("The map point must lie in Indonesia."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def reference(self) -> str:
        return f"LAP-{self.pk:06d}" if self.pk else ""

    @property
    def casualties(self) -> int:
        return self.injured + self.killed


class IncidentActor(models.Model):
    """Who took part, and how many (15 ASN, 3 village heads...)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actors",
                                 verbose_name=_("incident"))
    actor_type = models.CharField(_("actor"), max_length=20, choices=ActorType.choices)
    count = models.PositiveIntegerField(_("number"), default=1)
    description = models.CharField(_("description"), max_length=200, blank=True)

    jurisdiction_scope = VIA_INCIDENT

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1), name="actor_count_positive",
                violation_error_message=_("The number of actors must be at least 1."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.get_actor_type_display()}"


class IncidentTransition(models.Model):
    """One step of an incident's workflow: who moved it, when, and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="transitions",
                                 verbose_name=_("incident"))
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           verbose_name=_("by"), related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    jurisdiction_scope = VIA_INCIDENT

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Referral(models.Model):
    """A referral (tindak lanjut) of an incident to an institution, with its deadline."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="referrals",
                                 verbose_name=_("incident"))
    institution = models.ForeignKey(
        "kewaspadaan.Institution", on_delete=models.PROTECT, verbose_name=_("institution"),
        related_name="referrals",
    )
    subject = models.CharField(
        _("referred"), max_length=150,
        help_text=_("Who or what is referred, for example ASN or campaign money."),
    )
    count = models.PositiveIntegerField(_("number of persons or items"), default=1)
    referred_on = models.DateField(_("referred on"))
    deadline = models.DateField(
        _("statutory deadline"), null=True, blank=True,
        help_text=_("Computed from the institution's route; empty when it sets none."),
    )
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT)
    outcome = models.TextField(_("outcome"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   verbose_name=_("recorded by"), related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords(verbose_name=_("referral version"))

    jurisdiction_scope = VIA_INCIDENT

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["referred_on", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="referral_overdue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1), name="referral_count_positive",
                violation_error_message=_("At least one person or item must be referred."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("referred_on")),
                name="referral_deadline_after_referral",
                violation_error_message=_("The deadline cannot be before the referral."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.subject} → {self.institution}"

    @property
    def is_open(self) -> bool:
        return self.status in REFERRAL_OPEN

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.deadline is not None and self.deadline < today


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Random names: the original name is kept in the row, never trusted on disk.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A photo, screenshot or PDF attached to an incident. Stored under MEDIA_ROOT, which no
    URL serves: it is downloaded only through the view that applies the scoping rule."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence",
                                 verbose_name=_("incident"))
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=250, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    verbose_name=_("uploaded by"), related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    jurisdiction_scope = VIA_INCIDENT

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ImportBatch(models.Model):
    """An uploaded CSV/XLSX file between its preview and the analyst's confirmation."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    verbose_name=_("uploaded by"), related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.PREVIEW)
    rows = models.JSONField(_("valid rows"), default=list)
    errors = models.JSONField(_("rejected rows"), default=list)
    duplicates = models.JSONField(_("rows already imported"), default=list)
    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    created_count = models.PositiveIntegerField(_("incidents created"), default=0)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    # A batch belongs to whoever uploaded it; views look it up by uploader.
    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class IncidentDayCount(models.Model):
    """How many incidents one kab/kota (and kecamatan) had on one day of its own calendar,
    per indicator category, ATHG class, status and classification. Kept by
    ``laporan.tallies`` inside every incident write, so dashboards count incidents from
    rows whose number is bounded by regions x days, not by incidents. Drafts are not
    counted."""

    region = models.ForeignKey("kewaspadaan.Region", on_delete=models.CASCADE,
                               verbose_name=_("kab/kota"), related_name="+")
    kecamatan = models.ForeignKey("kewaspadaan.Region", on_delete=models.CASCADE, null=True,
                                  blank=True, verbose_name=_("kecamatan"), related_name="+")
    day = models.DateField(_("day (the region's calendar)"))
    category = models.CharField(_("indicator category"), max_length=60)
    athg = models.CharField(_("ATHG class"), max_length=10, choices=Athg.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    classification = models.CharField(_("classification"), max_length=10,
                                      choices=Classification.choices)
    count = models.PositiveIntegerField(_("incidents"))

    jurisdiction_scope = JurisdictionScope(region_field="region",
                                           classification_field="classification")

    class Meta:
        verbose_name = _("incident count per day")
        verbose_name_plural = _("incident counts per day")
        indexes = [
            models.Index(fields=["region", "day"], name="daycount_region_day_idx"),
            models.Index(fields=["day", "status"], name="daycount_day_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kecamatan", "day", "category", "athg", "status",
                        "classification"],
                name="daycount_one_row_per_bucket",
                violation_error_message=_("This day's count is already recorded."),
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="daycount_positive",
                                   violation_error_message=_("A count is at least one.")),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.category} {self.status} {self.count}"


class AccessLog(models.Model):
    """Who saw or exported which terbatas or rahasia incidents, when, from where. Written by
    ``laporan.confidential.access_record`` only; append-only (no edit or delete in the app, and
    on PostgreSQL a trigger refuses UPDATE and DELETE)."""

    class Kind(models.TextChoices):
        VIEW_PAGE = "view_page", _("incident page")
        VIEW_API = "view_api", _("incident in the API")
        EXPORT = "export", _("export")
        DOCUMENT = "document", _("document")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             verbose_name=_("user"), related_name="+")
    kind = models.CharField(_("access"), max_length=12, choices=Kind.choices)
    what = models.CharField(_("what"), max_length=300,
                            help_text=_("The page, API address or file, with its filter."))
    incident_ids = models.JSONField(_("incidents"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    # The log is read by admins only (the admin site); nobody else reaches it.
    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("confidential access")
        verbose_name_plural = _("confidential accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.kind} {self.incident_ids}"


class PersonalDataErasure(models.Model):
    """One incident whose personal data the retention job erased (UU PDP 27/2022)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT,
                                    related_name="personal_data_erasure",
                                    verbose_name=_("incident"))
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    retention_ends = models.DateField(_("retention ended on"))
    informant_erased = models.BooleanField(_("informant erased"), default=False)
    actor_descriptions_erased = models.PositiveIntegerField(_("actor descriptions erased"),
                                                            default=0)
    evidence_files_erased = models.PositiveIntegerField(_("evidence files erased"), default=0)

    jurisdiction_scope = VIA_INCIDENT

    class Meta:
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.erased_at:%Y-%m-%d}"


# Early warnings keep their change history here (the model lives in kewaspadaan, which
# must not depend on laporan; its history table is laporan's).
register(Alert, app="laporan", verbose_name=_("alert version"))
