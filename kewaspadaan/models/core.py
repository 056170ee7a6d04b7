"""Core models: the region tree, elections and their stages and contests, and users.

Region codes are Kemendagri codes (``13``, ``13.77``, ``13.77.01``, ``13.77.01.1001``) and
are the primary key, so a jurisdiction is a code prefix and every scoped row can be filtered
on its own foreign-key column without a join (see ``kewaspadaan.scoping``).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Regex
from django.utils.translation import gettext_lazy as _

from kewaspadaan.choices import (
    TIMEZONE_IANA,
    Athg,
    ContestKind,
    ElectionKind,
    IkpDimension,
    RegionKind,
    RegionLevel,
    Role,
    TimeZoneName,
)
from kewaspadaan.scoping import NATIONWIDE, JurisdictionScope, ancestor_codes

CODE_PATTERNS = {
    RegionLevel.PROVINCE: r"^[0-9]{2}$",
    RegionLevel.KABKOTA: r"^[0-9]{2}\.[0-9]{2}$",
    RegionLevel.KECAMATAN: r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$",
    RegionLevel.DESA: r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$",
}


class Region(models.Model):
    """A province, kab/kota, kecamatan or desa/kelurahan, keyed by its Kemendagri code."""

    code = models.CharField(_("Kemendagri code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    timezone = models.CharField(_("time zone"), max_length=4, choices=TimeZoneName.choices)
    capital = models.CharField(_("capital"), max_length=120, blank=True)
    latitude = models.FloatField(_("centroid latitude"), null=True, blank=True)
    longitude = models.FloatField(_("centroid longitude"), null=True, blank=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_(
            "GeoJSON geometry (Polygon or MultiPolygon), coordinates [longitude, latitude]."
        ),
    )

    jurisdiction_scope = JurisdictionScope(region_field="code", include_ancestors=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("region")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["level", "code"], name="region_level_code_idx"),
            models.Index(fields=["parent", "code"], name="region_parent_code_idx"),
            models.Index(fields=["name"], name="region_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        level=RegionLevel.PROVINCE,
                        code__regex=CODE_PATTERNS[RegionLevel.PROVINCE],
                        parent__isnull=True,
                    )
                    | Q(
                        level=RegionLevel.KABKOTA,
                        code__regex=CODE_PATTERNS[RegionLevel.KABKOTA],
                        parent__isnull=False,
                    )
                    | Q(
                        level=RegionLevel.KECAMATAN,
                        code__regex=CODE_PATTERNS[RegionLevel.KECAMATAN],
                        parent__isnull=False,
                    )
                    | Q(
                        level=RegionLevel.DESA,
                        code__regex=CODE_PATTERNS[RegionLevel.DESA],
                        parent__isnull=False,
                    )
                ),
                name="region_code_matches_level",
                violation_error_message=_(
                    "The region code does not match its level (PP, PP.KK, PP.KK.CC, "
                    "PP.KK.CC.XXXX) or its parent."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="region_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="region_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def iana_timezone(self) -> str:
        return TIMEZONE_IANA[self.timezone]

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of the regions above this one, province first (no query)."""
        return ancestor_codes(self.code)

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def kabkota_code(self) -> str | None:
        return self.code[:5] if self.level >= RegionLevel.KABKOTA else None

    @property
    def has_centroid(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Election(models.Model):
    """An election event (Pilkada Serentak 2024, Pemilu 2029...) with its stages and contests."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=ElectionKind.choices)
    voting_day = models.DateField(_("voting day"))
    legal_basis = models.CharField(_("legal basis of the stages"), max_length=200, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Active elections are shown in the portal.")
    )

    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("election")
        ordering = ["-voting_day"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A stage (tahapan) of an election; stages overlap, so a day may fall in several."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="stages"
    )
    slug = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"))
    start_date = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty until it is set (for example, pending the Constitutional Court's ruling)."
        ),
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stage")
        ordering = ["election", "order"]
        indexes = [models.Index(fields=["election", "start_date", "end_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "slug"],
                name="stage_unique_slug_per_election",
                violation_error_message=_("This stage code is already used in this election."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="stage_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=False) | Q(end_date__isnull=True),
                name="stage_end_needs_start",
                violation_error_message=_("An end date needs a start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election.name}: {self.name}"


class Contest(models.Model):
    """One race of an election in one region (Pemilihan Wali Kota Pariaman 2024)."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="contests"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="contests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContestKind.choices)
    name = models.CharField(_("name"), max_length=200)

    # Reference data of the regions above a user is visible (an operator of Kota Pariaman
    # logs incidents about the Gubernur Sumatera Barat race), never that of a sibling.
    jurisdiction_scope = JurisdictionScope(region_field="region", include_ancestors=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contest")
        ordering = ["election", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "region", "kind"],
                name="contest_unique_per_region",
                violation_error_message=_("This region already has a contest of this kind."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CandidatePair(models.Model):
    """A candidate pair (paslon) of a contest, with its ballot number."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="pairs"
    )
    number = models.PositiveSmallIntegerField(_("ballot number"))
    head_name = models.CharField(_("name of the head candidate"), max_length=150)
    deputy_name = models.CharField(_("name of the deputy candidate"), max_length=150)
    is_demo = models.BooleanField(_("demo data"), default=False)

    jurisdiction_scope = JurisdictionScope(region_field="contest__region", include_ancestors=True)

    class Meta:
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pair")
        ordering = ["contest", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "number"],
                name="pair_unique_number",
                violation_error_message=_("This ballot number is already used in this contest."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="pair_number_positive",
                violation_error_message=_("Ballot numbers start at 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.head_name} – {self.deputy_name}"


class Institution(models.Model):
    """An institution incidents are referred to (Bawaslu, Gakkumdu, Polri, BKN...), with the
    statutory deadline its route sets. Deadlines marked unverified in FACTS.md stay editable
    in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days)"), null=True, blank=True,
        help_text=_("Days from the referral to the statutory deadline; empty when none."),
    )
    deadline_working_days = models.BooleanField(
        _("working days"), default=False,
        help_text=_("Count only Monday to Friday."),
    )
    deadline_basis = models.CharField(_("legal basis of the deadline"), max_length=250,
                                      blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A vulnerability indicator (kategori kerawanan) in a two-level taxonomy: a category
    (ASN neutrality) and its indicators (attending a campaign). Incidents use the second
    level; each carries a default ATHG class an analyst may override per incident."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="children",
    )
    athg = models.CharField(_("default ATHG class"), max_length=10, choices=Athg.choices)
    ikp_dimension = models.CharField(
        _("IKP dimension"), max_length=25, choices=IkpDimension.choices, blank=True
    )
    referral_institution = models.ForeignKey(
        Institution, verbose_name=_("usual referral route"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    weight = models.DecimalField(
        _("scoring weight"), max_digits=4, decimal_places=2, default=1,
        help_text=_("Relative weight of this indicator in the risk score."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    jurisdiction_scope = NATIONWIDE

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="indicator_weight_not_negative",
                violation_error_message=_("The weight cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    @property
    def is_category(self) -> bool:
        return self.parent_id is None


class User(AbstractUser):
    """A portal user with a role and a jurisdiction (nation, a province or a kab/kota)."""

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OPERATOR)
    jurisdiction = models.ForeignKey(
        Region,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty means nationwide. Only a province or a kabupaten/kota."),
    )
    institution = models.CharField(_("institution"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("user")
        constraints = [
            models.CheckConstraint(
                condition=Q(jurisdiction__isnull=True)
                | Q(Regex(F("jurisdiction_id"), r"^[0-9]{2}(\.[0-9]{2})?$")),
                name="user_jurisdiction_province_or_kabkota",
                violation_error_message=_(
                    "The jurisdiction must be the nation, a province or a kabupaten/kota."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.NATIONAL) | Q(jurisdiction__isnull=True),
                name="user_national_role_is_nationwide",
                violation_error_message=_("The national role must have a nationwide jurisdiction."),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[Role.OPERATOR, Role.OFFICIAL])
                | Q(jurisdiction__isnull=False),
                name="user_regional_role_has_region",
                violation_error_message=_(
                    "Operators and officials need a province or kabupaten/kota jurisdiction."
                ),
            ),
        ]

    @property
    def sees_nation(self) -> bool:
        return self.jurisdiction_id is None

    @property
    def jurisdiction_label(self) -> str:
        if self.jurisdiction_id is None:
            return str(_("Nationwide"))
        return self.jurisdiction.name
