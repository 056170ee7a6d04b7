"""The risk engine's models: signals in, score snapshots and alerts out.

laporan posts signals through ``kewaspadaan.services.signal_post``; the engine never reads
incidents. Scores are snapshots per region x election x stage (or all stages) x day.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kewaspadaan import scoring
from kewaspadaan.choices import (
    AlertRule,
    AlertStatus,
    Athg,
    Channel,
    DeliveryStatus,
    RiskLevel,
    Verification,
)
from kewaspadaan.scoping import NATIONWIDE, JurisdictionScope


class ScoringProfile(models.Model):
    """A versioned set of every tunable number of the risk method (docs/risk-method.md).
    A version is never edited once published: a change is a new version, and every score
    names the version it used, so any score can be reproduced later."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True,
                                  help_text=_("Overrides of the default method's numbers."))
    is_active = models.BooleanField(_("active"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("scoring profile")
        verbose_name_plural = _("scoring profiles")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True),
                name="one_active_scoring_profile",
                violation_error_message=_("Only one scoring profile can be active."),
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def to_profile(self) -> scoring.Profile:
        params = dict(self.parameters or {})
        for key in ("severity", "credibility"):
            if key in params:
                params[key] = {int(k): v for k, v in params[key].items()}
        if "bands" in params:
            params["bands"] = {k: tuple(v) for k, v in params["bands"].items()}
        return scoring.Profile(**params)


class Signal(models.Model):
    """One input of the engine: a verified incident (or another source's item) reduced to
    what the formula needs. Withdrawn when its incident is rejected, merged or edited away."""

    source = models.CharField(_("source"), max_length=40)
    source_ref = models.CharField(_("source reference"), max_length=64)
    label = models.CharField(_("label"), max_length=250, blank=True)
    region = models.ForeignKey("kewaspadaan.Region", on_delete=models.PROTECT,
                               verbose_name=_("kab/kota"), related_name="signals")
    election = models.ForeignKey("kewaspadaan.Election", on_delete=models.PROTECT, null=True,
                                 blank=True, verbose_name=_("election"), related_name="+")
    indicator = models.ForeignKey("kewaspadaan.Indicator", on_delete=models.PROTECT,
                                  verbose_name=_("indicator"), related_name="signals")
    category = models.CharField(_("indicator category"), max_length=60)
    indicator_weight = models.FloatField(_("indicator weight"))
    athg = models.CharField(_("ATHG class"), max_length=10, choices=Athg.choices)
    severity = models.PositiveSmallIntegerField(_("severity"))
    reliability = models.CharField(_("source reliability"), max_length=1)
    credibility = models.PositiveSmallIntegerField(_("information credibility"))
    verification = models.CharField(_("verification"), max_length=10,
                                    choices=Verification.choices, default=Verification.VERIFIED)
    stages = models.CharField(_("stages"), max_length=250, blank=True,
                              help_text=_("Comma-separated stage codes."))
    injured = models.PositiveIntegerField(_("injured"), default=0)
    killed = models.PositiveIntegerField(_("killed"), default=0)
    occurred_at = models.DateTimeField(_("time of the event"))
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Decayed points as a time-invariant number (scoring.rank_key) under the profile version
    # named beside it: the national rescore sums and ranks by it in the database.
    rank_key = models.FloatField(_("rank key"), null=True, blank=True, editable=False)
    rank_version = models.PositiveIntegerField(_("rank key profile version"), null=True,
                                               blank=True, editable=False)

    jurisdiction_scope = JurisdictionScope(region_field="region")

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        indexes = [
            models.Index(fields=["region", "occurred_at"], name="signal_region_time_idx",
                         condition=Q(withdrawn_at__isnull=True)),
            models.Index(fields=["occurred_at"], name="signal_time_idx",
                         condition=Q(withdrawn_at__isnull=True)),
            # The top contributors of every kab/kota x stage set, read in rank order.
            models.Index(F("region"), F("stages"), F("rank_key").desc(),
                         name="signal_rank_idx", condition=Q(withdrawn_at__isnull=True)),
            # Signals whose rank key another profile version computed (none, normally).
            models.Index(fields=["rank_version"], name="signal_rank_version_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"],
                                    name="signal_unique_source_ref",
                                    violation_error_message=_("This item was already posted.")),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.source}:{self.source_ref}"

    @property
    def stage_list(self) -> tuple[str, ...]:
        return tuple(s for s in self.stages.split(",") if s)


class RegionBaseline(models.Model):
    """A baseline vulnerability index for a region (for example Bawaslu's IKP, 0-100)."""

    region = models.ForeignKey("kewaspadaan.Region", on_delete=models.CASCADE,
                               verbose_name=_("region"), related_name="baselines")
    election = models.ForeignKey("kewaspadaan.Election", on_delete=models.CASCADE,
                                 verbose_name=_("election"), related_name="+")
    value = models.FloatField(_("index (0-100)"))
    source = models.CharField(_("source"), max_length=100, default="IKP Bawaslu")

    jurisdiction_scope = JurisdictionScope(region_field="region")

    class Meta:
        verbose_name = _("baseline index")
        verbose_name_plural = _("baseline indices")
        constraints = [
            models.UniqueConstraint(fields=["region", "election"], name="baseline_unique"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=100),
                                   name="baseline_0_100",
                                   violation_error_message=_("The index runs from 0 to 100.")),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.value}"


class RegionActivity(models.Model):
    """When a kab/kota last reported anything: a region without reports is a coverage gap,
    not a calm one."""

    region = models.OneToOneField("kewaspadaan.Region", on_delete=models.CASCADE,
                                  primary_key=True, verbose_name=_("region"),
                                  related_name="activity")
    last_report_at = models.DateTimeField(_("last report"))

    jurisdiction_scope = JurisdictionScope(region_field="region")

    class Meta:
        verbose_name = _("reporting activity")
        verbose_name_plural = _("reporting activity")

    def __str__(self) -> str:
        return f"{self.region_id} {self.last_report_at:%Y-%m-%d}"


class RescoreRequest(models.Model):
    """A kab/kota whose signals changed and whose scores wait for a worker. Rows, not
    messages: they survive a broker outage, and a burst of changes is one row."""

    region = models.OneToOneField("kewaspadaan.Region", on_delete=models.CASCADE,
                                  primary_key=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    # The task that is rescoring the region (its id survives a redelivery after a worker
    # died), and since when; the row is deleted only once that rescore committed.
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)

    jurisdiction_scope = JurisdictionScope(region_field="region")

    class Meta:
        verbose_name = _("rescore request")
        verbose_name_plural = _("rescore requests")

    def __str__(self) -> str:
        return self.region_id


class RiskScore(models.Model):
    """A score snapshot of one region for one election, one stage ('' = all stages) and
    one day, with the numbers that explain it."""

    region = models.ForeignKey("kewaspadaan.Region", on_delete=models.CASCADE, null=True,
                               blank=True, verbose_name=_("region"), related_name="scores",
                               help_text=_("Empty for the nation."))
    election = models.ForeignKey("kewaspadaan.Election", on_delete=models.CASCADE,
                                 verbose_name=_("election"), related_name="scores")
    stage = models.CharField(_("stage"), max_length=60, blank=True,
                             help_text=_("Empty for all stages together."))
    day = models.DateField(_("day"))
    raw_ancaman = models.FloatField(default=0)
    raw_tantangan = models.FloatField(default=0)
    raw_hambatan = models.FloatField(default=0)
    raw_gangguan = models.FloatField(default=0)
    ancaman = models.FloatField(_("Ancaman"), default=0)
    tantangan = models.FloatField(_("Tantangan"), default=0)
    hambatan = models.FloatField(_("Hambatan"), default=0)
    gangguan = models.FloatField(_("Gangguan"), default=0)
    incident_total = models.FloatField(_("incident total"), default=0)
    total = models.FloatField(_("total (0-100)"), default=0)
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices)
    signal_count = models.PositiveIntegerField(_("signals"), default=0)
    coverage_gap = models.BooleanField(_("no reports"), default=False)
    population = models.PositiveBigIntegerField(null=True, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    contributors = models.JSONField(_("top contributors"), default=dict, blank=True)
    profile = models.ForeignKey(ScoringProfile, on_delete=models.PROTECT,
                                verbose_name=_("scoring profile"), related_name="+")
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    jurisdiction_scope = JurisdictionScope(region_field="region")

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        ordering = ["-day", "region"]
        indexes = [
            models.Index(fields=["election", "stage", "day", "level"],
                         name="score_dashboard_idx"),
            models.Index(fields=["region", "election", "stage", "-day"],
                         name="score_region_trend_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region", "election", "stage", "day"],
                                    name="score_one_snapshot_per_day"),
            models.UniqueConstraint(fields=["election", "stage", "day"],
                                    condition=Q(region__isnull=True),
                                    name="score_one_national_snapshot_per_day"),
            models.CheckConstraint(condition=Q(total__gte=0, total__lte=100),
                                   name="score_total_0_100",
                                   violation_error_message=_("A score runs from 0 to 100.")),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.stage or '*'} {self.total}"

    @property
    def raw(self) -> dict[str, float]:
        return {c: getattr(self, f"raw_{c}") for c in scoring.COMPONENTS}


class Alert(models.Model):
    """An early warning, created once per condition (``condition_key`` is unique, so two
    workers evaluating the same rise create one alert)."""

    rule = models.CharField(_("rule"), max_length=12, choices=AlertRule.choices)
    condition_key = models.CharField(_("condition"), max_length=200, unique=True)
    region = models.ForeignKey("kewaspadaan.Region", on_delete=models.PROTECT,
                               verbose_name=_("region"), related_name="alerts")
    election = models.ForeignKey("kewaspadaan.Election", on_delete=models.PROTECT, null=True,
                                 blank=True, verbose_name=_("election"), related_name="+")
    title = models.CharField(_("title"), max_length=250)
    message = models.TextField(_("message"))
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices, blank=True)
    score_total = models.FloatField(_("score"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices,
                              default=AlertStatus.NEW)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+",
                                        verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)

    jurisdiction_scope = JurisdictionScope(region_field="region")

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="alert_status_idx"),
                   models.Index(fields=["region", "-created_at"], name="alert_region_idx")]

    def __str__(self) -> str:
        return self.title


class AlertDelivery(models.Model):
    """One delivery of an alert to one recipient on one channel, with its outcome. Unique per
    (alert, channel, recipient), so a retried task never sends twice."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries",
                              verbose_name=_("alert"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="alert_deliveries",
                                  verbose_name=_("recipient"))
    target = models.CharField(_("address"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    jurisdiction_scope = JurisdictionScope(region_field="alert__region")

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        indexes = [models.Index(fields=["recipient", "channel", "read_at"],
                                name="delivery_inbox_idx")]
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel", "target"],
                                    name="delivery_once_per_target"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.channel} {self.target}"
