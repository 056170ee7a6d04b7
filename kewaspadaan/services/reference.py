"""Writes of the core. Every write goes through a keyword-only function named for what it does."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from kewaspadaan import elections as calendar
from kewaspadaan.choices import RegionLevel, Role
from kewaspadaan.gazetteer import RegionRecord, dotted
from kewaspadaan.models import Contest, Election, Indicator, Institution, Region, Stage, User

_REGION_FIELDS = (
    "name",
    "level",
    "kind",
    "parent_id",
    "timezone",
    "capital",
    "latitude",
    "longitude",
    "population",
    "area_km2",
)


@dataclass
class RegionLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[int, int] = field(default_factory=dict)


def regions_load(*, records: Iterable[RegionRecord], batch_size: int = 5000) -> RegionLoadReport:
    """Create or update regions from gazetteer records (parents first). Idempotent.

    Existing rows are compared field by field and only changed ones are written, so a
    second run costs one read of the table. Regions are never deleted here: a code that
    disappears from the gazetteer may still be referenced by incidents.
    """
    report = RegionLoadReport()
    existing = {
        row[0]: row[1:]
        for row in Region.objects.values_list("code", *_REGION_FIELDS).iterator(chunk_size=10000)
    }
    to_create: list[Region] = []
    to_update: list[Region] = []

    def flush() -> None:
        Region.objects.bulk_create(to_create, batch_size=batch_size)
        Region.objects.bulk_update(to_update, _REGION_FIELDS, batch_size=batch_size)
        to_create.clear()
        to_update.clear()

    with transaction.atomic():
        level = None
        for rec in records:
            if rec.level != level:
                flush()  # parents must be written before their children
                level = rec.level
            report.by_level[rec.level] = report.by_level.get(rec.level, 0) + 1
            values = (
                rec.name,
                rec.level,
                rec.kind,
                rec.parent,
                rec.timezone,
                rec.capital,
                rec.latitude,
                rec.longitude,
                rec.population,
                rec.area_km2,
            )
            region = Region(code=rec.code, **dict(zip(_REGION_FIELDS, values, strict=True)))
            old = existing.get(rec.code)
            if old is None:
                to_create.append(region)
                report.created += 1
            elif tuple(old) != values:
                to_update.append(region)
                report.updated += 1
            else:
                report.unchanged += 1
        flush()
    return report


@dataclass
class BoundaryReport:
    attached: int = 0
    unmatched_codes: list[str] = field(default_factory=list)
    without_code: int = 0
    bad_geometry: list[str] = field(default_factory=list)


BOUNDARY_VERSION_KEY = "kewaspadaan:boundary-version"
CODE_PROPERTIES = ("kode", "code", "kode_wilayah", "prov", "kode_prov", "id")


def _feature_code(properties: dict) -> str | None:
    for key in CODE_PROPERTIES:
        value = properties.get(key)
        if value not in (None, ""):
            text = str(value).strip()
            return text if "." in text else dotted(text)
    return None


def boundaries_attach(*, features: Sequence[dict]) -> BoundaryReport:
    """Attach GeoJSON (Multi)Polygon geometries to regions by Kemendagri code. Idempotent."""
    report = BoundaryReport()
    by_code: dict[str, dict] = {}
    for feature in features:
        code = _feature_code(feature.get("properties") or {})
        if code is None:
            report.without_code += 1
            continue
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon") or not geometry.get(
            "coordinates"
        ):
            report.bad_geometry.append(code)
            continue
        by_code[code] = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    regions = Region.objects.in_bulk(list(by_code))
    report.unmatched_codes = sorted(set(by_code) - set(regions))
    with transaction.atomic():
        for code, region in regions.items():
            region.boundary = by_code[code]
        Region.objects.bulk_update(regions.values(), ["boundary"], batch_size=200)
    # Maps cache their shapes under this version (forkopimda's dashboards).
    transaction.on_commit(lambda: cache.set(BOUNDARY_VERSION_KEY, uuid.uuid4().hex, None))
    report.attached = len(regions)
    return report


@dataclass
class ElectionLoadReport:
    election: Election
    election_created: bool
    stages_created: int
    contests_created: int
    contests_by_kind: dict[str, int]


def election_pilkada2024_load() -> ElectionLoadReport:
    """The Pilkada Serentak 2024 election, its PKPU 2/2024 stages and its 545 contests.

    Create-only: rows that exist are left as they are, so dates an admin corrected (the
    winners-declared stage, set after the Constitutional Court) survive a re-run.
    """
    spec = calendar.PILKADA_2024
    with transaction.atomic():
        election, created = Election.objects.get_or_create(
            slug=spec["slug"],
            defaults={k: v for k, v in spec.items() if k != "slug"},
        )
        have = set(election.stages.values_list("slug", flat=True))
        new_stages = [
            Stage(
                election=election,
                slug=s.slug,
                name=s.name,
                order=i,
                start_date=s.start,
                end_date=s.end,
                description=s.description,
            )
            for i, s in enumerate(calendar.PILKADA_2024_STAGES, start=1)
            if s.slug not in have
        ]
        Stage.objects.bulk_create(new_stages)
        contests_created = contests_derive(election=election)
    by_kind = dict(
        Contest.objects.filter(election=election)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return ElectionLoadReport(election, created, len(new_stages), contests_created, by_kind)


def contests_derive(*, election: Election) -> int:
    """Create the contests a Pilkada holds, by the rule in ``kewaspadaan.elections``."""
    year = election.voting_day.year
    have = set(Contest.objects.filter(election=election).values_list("region_id", "kind"))
    new = []
    regions = Region.objects.filter(level__lte=RegionLevel.KABKOTA).only(
        "code", "name", "level", "kind"
    )
    for region in regions:
        kind = calendar.pilkada_contest_kind(region.code, region.level, region.kind)
        if kind and (region.code, kind) not in have:
            new.append(
                Contest(
                    election=election,
                    region=region,
                    kind=kind,
                    name=calendar.contest_name(kind, region.name, year),
                )
            )
    Contest.objects.bulk_create(new, batch_size=1000)
    return len(new)


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    jurisdiction: Region | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    institution: str = "",
    position: str = "",
    is_demo: bool = False,
) -> User:
    """Create a portal user after checking the role fits the jurisdiction."""
    if jurisdiction is not None and jurisdiction.level not in (
        RegionLevel.PROVINCE,
        RegionLevel.KABKOTA,
    ):
        raise ValidationError(
            _("The jurisdiction must be the nation, a province or a kabupaten/kota.")
        )
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        first_name=first_name,
        last_name=last_name,
        email=email,
        institution=institution,
        position=position,
        is_demo=is_demo,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


DEMO_PASSWORD = "waspada-pilkada-2024"  # noqa: S105 - printed demo login, DEMO_MODE only

# One login per role, plus the personas the tests use (STYLE.md).
DEMO_USERS = [
    dict(
        username="admin",
        role=Role.ADMIN,
        jurisdiction=None,
        first_name="Admin",
        last_name="Sistem",
        institution="Kemendagri",
        position="Administrator sistem",
    ),
    dict(
        username="nasional",
        role=Role.NATIONAL,
        jurisdiction=None,
        first_name="Analis",
        last_name="Polpum",
        institution="Ditjen Polpum Kemendagri",
        position="Direktorat Kewaspadaan Nasional",
    ),
    dict(
        username="analis.sumbar",
        role=Role.ANALYST,
        jurisdiction="13",
        first_name="Rina",
        last_name="Analis",
        institution="Badan Kesbangpol Provinsi Sumatera Barat",
        position="Analis Kewaspadaan Dini",
    ),
    dict(
        username="pejabat.sumbar",
        role=Role.OFFICIAL,
        jurisdiction="13",
        first_name="Bambang",
        last_name="Pejabat",
        institution="Forkopimda Provinsi Sumatera Barat",
        position="Kaban Kesbangpol",
    ),
    dict(
        username="operator.pariaman",
        role=Role.OPERATOR,
        jurisdiction="13.77",
        first_name="Dedi",
        last_name="Operator",
        institution="Kesbangpol Kota Pariaman",
        position="Staf Bidang Kewaspadaan",
    ),
    dict(
        username="operator.solok",
        role=Role.OPERATOR,
        jurisdiction="13.72",
        first_name="Sari",
        last_name="Operator",
        institution="Kesbangpol Kota Solok",
        position="Staf Bidang Kewaspadaan",
    ),
    dict(
        username="operator.jateng",
        role=Role.OPERATOR,
        jurisdiction="33",
        first_name="Agus",
        last_name="Operator",
        institution="Badan Kesbangpol Provinsi Jawa Tengah",
        position="Staf Bidang Kewaspadaan",
    ),
]


def demo_users_load() -> list[tuple[User, bool]]:
    """Create the demo logins that are missing. Existing ones keep any changed password."""
    if not settings.DEMO_MODE:
        raise ValidationError(_("Demo data may only be loaded in demo mode (DEMO_MODE)."))
    result = []
    for spec in DEMO_USERS:
        existing = User.objects.filter(username=spec["username"]).first()
        if existing:
            result.append((existing, False))
            continue
        region = Region.objects.get(code=spec["jurisdiction"]) if spec["jurisdiction"] else None
        user = user_create(
            **{**spec, "jurisdiction": region},
            password=DEMO_PASSWORD,
            email=f"{spec['username']}@demo.kewaspadaan.invalid",
            is_demo=True,
        )
        result.append((user, True))
    return result


@dataclass
class TaxonomyLoadReport:
    institutions_created: int
    indicators_created: int


@transaction.atomic
def taxonomy_load() -> TaxonomyLoadReport:
    """The starting referral institutions and indicator taxonomy (FACTS.md). Create-only:
    the admin owns them afterwards, so a re-run keeps every edit."""
    from kewaspadaan import taxonomy

    have_inst = set(Institution.objects.values_list("code", flat=True))
    new_inst = [
        Institution(code=s.code, name=s.name, deadline_days=s.deadline_days,
                    deadline_working_days=s.working_days, deadline_basis=s.basis)
        for s in taxonomy.INSTITUTIONS if s.code not in have_inst
    ]
    Institution.objects.bulk_create(new_inst)
    institutions = {i.code: i for i in Institution.objects.all()}
    have = {i.code: i for i in Indicator.objects.all()}
    created = 0
    for order, (category, children) in enumerate(taxonomy.TAXONOMY, start=1):
        parent = have.get(category.code)
        if parent is None:
            parent = Indicator.objects.create(
                code=category.code, name=category.name, athg=category.athg,
                ikp_dimension=category.ikp, weight=category.weight, order=order * 100,
                referral_institution=institutions.get(category.route),
            )
            created += 1
        for sub_order, child in enumerate(children, start=1):
            if child.code in have:
                continue
            Indicator.objects.create(
                code=child.code, name=child.name, parent=parent, athg=child.athg,
                ikp_dimension=child.ikp or category.ikp, weight=child.weight,
                order=order * 100 + sub_order,
                referral_institution=institutions.get(child.route or category.route),
            )
            created += 1
    return TaxonomyLoadReport(len(new_inst), created)
