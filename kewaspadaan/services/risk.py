"""The risk engine's writes: signals in, score snapshots and alerts out, deliveries logged.

Flow (DESIGN.md): laporan posts a signal -> a RescoreRequest row and, on commit, one queued
``rescore_pending`` task -> the worker recomputes the kab/kota, its province and the nation
-> alert rules -> alerts (unique per condition) -> deliveries (unique per recipient), sent
by their own task with retries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kewaspadaan import alert_rules, scoring
from kewaspadaan.choices import (
    AlertStatus,
    Channel,
    DeliveryStatus,
    RegionLevel,
    Role,
    Verification,
)
from kewaspadaan.models import (
    Alert,
    AlertDelivery,
    Election,
    Indicator,
    Region,
    RegionActivity,
    RegionBaseline,
    RescoreRequest,
    RiskScore,
    ScoringProfile,
    Signal,
    Stage,
    User,
)
from kewaspadaan.scoping import ancestor_codes

log = logging.getLogger(__name__)

__all__ = [
    "ALERT_HANDLERS", "AlertResolved", "SignalInput", "alert_acknowledge", "alert_deliver",
    "alert_resolve", "alerts_deliver", "can_handle_alerts", "profile_activate",
    "profile_active",
    "region_activity_touch", "region_rescore", "regions_rescore", "rescore_all",
    "rescore_pending",
    "request_rescore", "signal_post", "signal_withdraw",
]

SCHEDULED_KEY = "kw:rescore:scheduled"
WIB = ZoneInfo("Asia/Jakarta")


# --- Profiles and activity ----------------------------------------------------------------

def profile_active() -> ScoringProfile:
    """The active scoring profile; version 1 (the documented defaults) when none exists."""
    profile = ScoringProfile.objects.filter(is_active=True).first()
    if profile is None:
        profile, _created = ScoringProfile.objects.get_or_create(
            version=1, defaults={"name": "IKP 2024 (default)", "is_active": True,
                                 "notes": "docs/risk-method.md"},
        )
    return profile


@transaction.atomic
def profile_activate(*, profile: ScoringProfile) -> ScoringProfile:
    """Make ``profile`` the active version and queue a full rescore with it on commit."""
    profile.to_profile()  # refuses unknown parameters
    ScoringProfile.objects.filter(is_active=True).exclude(pk=profile.pk).update(is_active=False)
    profile.is_active = True
    profile.save(update_fields=["is_active"])
    transaction.on_commit(_queue_full_rescore)
    return profile


def _queue_full_rescore() -> None:
    from kewaspadaan import tasks

    try:
        tasks.rescore_all.delay()
    except Exception:  # noqa: BLE001 - the hourly periodic rescore applies it anyway
        log.warning("full rescore not queued (broker unavailable)")


def region_activity_touch(*, region_code: str, at: dt.datetime) -> None:
    """Record that a kab/kota reported something (any status): it is not a coverage gap."""
    updated = RegionActivity.objects.filter(region_id=region_code, last_report_at__lt=at).update(
        last_report_at=at
    )
    if not updated:
        try:
            with transaction.atomic():
                RegionActivity.objects.get_or_create(region_id=region_code,
                                                     defaults={"last_report_at": at})
        except IntegrityError:
            pass


# --- Signals ------------------------------------------------------------------------------

@dataclass
class SignalInput:
    source: str
    source_ref: str
    region: Region
    indicator: Indicator
    athg: str
    severity: int
    reliability: str
    credibility: int
    occurred_at: dt.datetime
    election: Election | None = None
    stages: Iterable[str] = ()
    injured: int = 0
    killed: int = 0
    verification: str = Verification.VERIFIED
    label: str = ""


def signal_post(*, data: SignalInput) -> Signal:
    """Post (or update) the signal of one source item and queue a rescore of its region
    (and of its former region when it moved)."""
    indicator = data.indicator
    category = indicator.parent.code if indicator.parent_id else indicator.code
    stages = tuple(data.stages)
    values = {
        "label": data.label[:250], "region": data.region, "election": data.election,
        "indicator": indicator, "category": category,
        "indicator_weight": float(indicator.weight), "athg": data.athg,
        "severity": data.severity, "reliability": data.reliability,
        "credibility": data.credibility, "verification": data.verification,
        "stages": ",".join(stages), "injured": data.injured, "killed": data.killed,
        "occurred_at": data.occurred_at, "posted_at": timezone.now(), "withdrawn_at": None,
    }
    profile_row = profile_active()
    values["rank_key"] = scoring.rank_key(
        scoring.Signal(ref=data.source_ref, athg=data.athg, indicator=indicator.code,
                       category=category, indicator_weight=float(indicator.weight),
                       severity=data.severity, reliability=data.reliability,
                       credibility=data.credibility, verification=data.verification,
                       stages=stages, injured=data.injured, killed=data.killed),
        data.occurred_at.timestamp(), profile_row.to_profile())
    values["rank_version"] = profile_row.version
    previous = Signal.objects.filter(source=data.source, source_ref=data.source_ref).first()
    signal, _created = Signal.objects.update_or_create(
        source=data.source, source_ref=data.source_ref, defaults=values
    )
    request_rescore(data.region.code)
    if previous is not None and previous.region_id != data.region.code:
        request_rescore(previous.region_id)
    return signal


def signal_withdraw(*, source: str, source_ref: str) -> bool:
    """Withdraw a signal (its incident was rejected, merged or edited away)."""
    signal = Signal.objects.filter(source=source, source_ref=source_ref,
                                   withdrawn_at__isnull=True).first()
    if signal is None:
        return False
    signal.withdrawn_at = timezone.now()
    signal.save(update_fields=["withdrawn_at"])
    request_rescore(signal.region_id)
    return True


def request_rescore(region_code: str) -> None:
    """Mark a kab/kota for rescoring and, once the transaction commits, make sure one
    ``rescore_pending`` task is queued. Nothing is queued before the commit."""
    RescoreRequest.objects.update_or_create(
        region_id=region_code,
        # A request that arrives during a rescore is a new one: unclaimed, newer.
        defaults={"requested_at": timezone.now(), "claimed_by": "", "claimed_at": None})
    transaction.on_commit(schedule_rescore)


def schedule_rescore() -> None:
    """Queue one rescore task unless one is already waiting (a burst of fifty verifications
    costs one task). If the broker is down the request rows stay, and the periodic full
    rescore picks them up."""
    from kewaspadaan import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process: every commit hook of a burst would run; the first serves them all.
        if RescoreRequest.objects.exists():
            tasks.rescore_pending.apply()
        return
    if not cache.add(SCHEDULED_KEY, "1", timeout=settings.RESCORE_COALESCE_SECONDS * 10):
        return
    try:
        tasks.rescore_pending.apply_async(countdown=settings.RESCORE_COALESCE_SECONDS)
    except Exception:  # noqa: BLE001 - broker down: the rows wait for the periodic rescore
        cache.delete(SCHEDULED_KEY)
        log.warning("rescore not queued (broker unavailable); periodic rescore will catch up")


CLAIM_LEASE = dt.timedelta(minutes=15)  # longer than the rescore task's time limit


def rescore_pending(*, claim: str | None = None) -> list[str]:
    """Claim every pending kab/kota and rescore it, then delete the requests it served.

    The claim is a conditional UPDATE: rows unclaimed, claimed by this same task (Celery
    redelivers a task with its id after its worker died), or claimed longer ago than the
    lease. Requests are deleted only after the rescore, and only if no newer request came
    meanwhile, so a worker killed mid-way loses nothing: the redelivered task finds them."""
    cache.delete(SCHEDULED_KEY)
    claim = claim or f"local-{uuid.uuid4().hex}"
    now = timezone.now()
    with transaction.atomic():
        claimable = (Q(claimed_by="") | Q(claimed_by=claim)
                     | Q(claimed_at__lt=now - CLAIM_LEASE))
        # Lock first (skipping rows another worker is claiming), then mark as ours.
        rows = list(RescoreRequest.objects.select_for_update(skip_locked=True)
                    .filter(claimable).order_by("region_id")
                    .values_list("region_id", "requested_at"))
        RescoreRequest.objects.filter(region_id__in=[code for code, _at in rows]).update(
            claimed_by=claim, claimed_at=now)
    regions = list(Region.objects.filter(code__in=[code for code, _at in rows])
                   .order_by("code"))
    regions_rescore(regions=regions)
    for code, requested_at in rows:
        RescoreRequest.objects.filter(region_id=code, requested_at__lte=requested_at,
                                      claimed_by=claim).delete()
    return [r.code for r in regions]


# --- Scores -------------------------------------------------------------------------------

def _day_end(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz)


def _reference_day(stage: Stage | None, day: dt.date) -> dt.date:
    """Signals of a finished stage are aged to its end, so a stage's score stays as it was."""
    if stage is not None and stage.end_date and stage.end_date < day:
        return stage.end_date
    return day


def _to_signal(row: dict, reference_end: dt.datetime) -> scoring.Signal:
    age = (reference_end - row["occurred_at"]).total_seconds() / 86400.0
    return scoring.Signal(
        ref=row["source_ref"], athg=row["athg"], indicator=row["indicator__code"],
        category=row["category"], indicator_weight=row["indicator_weight"],
        severity=row["severity"], reliability=row["reliability"],
        credibility=row["credibility"], verification=row["verification"],
        stages=tuple(s for s in row["stages"].split(",") if s), injured=row["injured"],
        killed=row["killed"], age_days=age,
    )


def _contributors(rows: list[dict], signals: list[scoring.Signal],
                  profile: scoring.Profile) -> dict:
    by_indicator: dict[str, dict] = {}
    items = []
    for row, s in zip(rows, signals, strict=True):
        points = scoring.signal_value(s, profile) * scoring.decay(s.age_days, profile)
        entry = by_indicator.setdefault(
            s.indicator, {"code": s.indicator, "name": row["indicator__name"], "points": 0.0,
                          "count": 0})
        entry["points"] += points
        entry["count"] += 1
        items.append({"ref": row["source_ref"], "source": row["source"],
                      "label": row["label"], "athg": s.athg, "points": round(points, 3)})
    top_indicators = sorted(by_indicator.values(), key=lambda e: -e["points"])[:5]
    for entry in top_indicators:
        entry["points"] = round(entry["points"], 3)
    return {"indicators": top_indicators,
            "signals": sorted(items, key=lambda e: -e["points"])[:5]}


SIGNAL_FIELDS = ("source", "source_ref", "label", "athg", "indicator__code",
                 "indicator__name", "category", "indicator_weight", "severity",
                 "reliability", "credibility", "verification", "stages", "injured", "killed",
                 "occurred_at")


def snapshot_values(*, raw: dict, count: int, gap: bool, population, baseline, band: str,
                    profile: scoring.Profile, contributors: dict) -> dict:
    """A snapshot's numbers: the formula applied to raw components (shared by the
    per-region and the national paths, so both write the same numbers)."""
    result = scoring.score(raw, population=population, baseline=baseline, band_key=band,
                           profile=profile)
    values = {f"raw_{c}": raw[c] for c in scoring.COMPONENTS}
    values.update(result.components)
    values.update(incident_total=result.incident_total, total=result.total,
                  level=result.level, signal_count=count, coverage_gap=gap,
                  population=population, baseline=baseline, contributors=contributors)
    return values


def snapshot_build(*, region: Region | None, election: Election, stage: str, day: dt.date,
                   profile_row: ScoringProfile, now: dt.datetime | None = None,
                   **kwargs) -> RiskScore:
    """An unsaved snapshot (see ``snapshot_values`` for the numbers)."""
    return RiskScore(region=region, election=election, stage=stage, day=day,
                     profile=profile_row, computed_at=now or timezone.now(),
                     **snapshot_values(**kwargs))


SNAPSHOT_FIELDS = ("raw_ancaman", "raw_tantangan", "raw_hambatan", "raw_gangguan", "ancaman",
                   "tantangan", "hambatan", "gangguan", "incident_total", "total", "level",
                   "signal_count", "coverage_gap", "population", "baseline", "contributors",
                   "profile", "computed_at")


def _save(snapshot: RiskScore) -> RiskScore:
    saved, _created = RiskScore.objects.update_or_create(
        region=snapshot.region, election=snapshot.election, stage=snapshot.stage,
        day=snapshot.day, defaults={f: getattr(snapshot, f) for f in SNAPSHOT_FIELDS},
    )
    return saved


def _store(**kwargs) -> RiskScore:
    return _save(snapshot_build(**kwargs))


def _baseline(region: Region | None, election: Election) -> float | None:
    if region is None:
        return None
    return (RegionBaseline.objects.filter(region=region, election=election)
            .values_list("value", flat=True).first())


def kabkota_rescore(*, region: Region, election: Election, day: dt.date,
                    profile_row: ScoringProfile) -> list[RiskScore]:
    """Snapshots of one kab/kota for ``day``: all stages together, and each started stage."""
    activity = RegionActivity.objects.filter(region=region).values_list(
        "last_report_at", flat=True).first()
    stages = [None, *Stage.objects.filter(election=election, start_date__lte=day)
              .order_by("order")]
    return [_save(s) for s in kabkota_snapshots(
        region=region, election=election, day=day, profile_row=profile_row, stages=stages,
        last_report_at=activity, baseline=_baseline(region, election))]


def kabkota_snapshots(*, region: Region, election: Election, day: dt.date,
                      profile_row: ScoringProfile, stages: list, last_report_at,
                      baseline: float | None, now: dt.datetime | None = None
                      ) -> list[RiskScore]:
    """The unsaved snapshots of one kab/kota, computed in Python from its signal rows."""
    profile = profile_row.to_profile()
    tz = ZoneInfo(region.iana_timezone)
    rows = list(
        Signal.objects.filter(region=region, withdrawn_at__isnull=True,
                              occurred_at__lt=_day_end(day, tz))
        .filter(Q(election=election) | Q(election__isnull=True))
        .values(*SIGNAL_FIELDS)
    )
    gap_since = _day_end(day, tz) - dt.timedelta(days=settings.COVERAGE_GAP_DAYS)
    snapshots = []
    for stage in stages:
        slug = stage.slug if stage else ""
        picked = rows if stage is None else [r for r in rows if slug in r["stages"].split(",")]
        end = _day_end(_reference_day(stage, day), tz)
        signals = [_to_signal(r, end) for r in picked]
        raw = scoring.raw_components(signals, profile)
        gap = not picked and (last_report_at is None or last_report_at < gap_since)
        snapshots.append(snapshot_build(
            region=region, election=election, stage=slug, day=day, raw=raw,
            count=len(picked), gap=gap, population=region.population, baseline=baseline,
            band="kabkota", profile_row=profile_row, profile=profile,
            contributors=_contributors(picked, signals, profile), now=now,
        ))
    return snapshots


def rollup_rescore(*, parent: Region | None, election: Election, day: dt.date,
                   profile_row: ScoringProfile) -> list[RiskScore]:
    """A province (or, with ``parent=None``, the nation) from its children's latest
    snapshots, aged to ``day``: raw components add up, so the roll-up agrees with its parts."""
    profile = profile_row.to_profile()
    if parent is None:
        children = Region.objects.filter(level=RegionLevel.PROVINCE)
        child_level, population = RegionLevel.PROVINCE, sum(
            p or 0 for p in children.values_list("population", flat=True)) or None
        band = "nasional"
    else:
        children = Region.objects.filter(parent=parent)
        child_level, population, band = RegionLevel.KABKOTA, parent.population, "provinsi"
    child_codes = list(children.values_list("code", flat=True))
    stages = [None, *Stage.objects.filter(election=election, start_date__lte=day)
              .order_by("order")]
    snapshots = []
    for stage in stages:
        slug = stage.slug if stage else ""
        latest = (
            RiskScore.objects.filter(region_id__in=child_codes, election=election, stage=slug,
                                     day__lte=day)
            .order_by("region_id", "-day").distinct("region_id")
            if _supports_distinct_on() else None
        )
        if latest is None:
            latest = _latest_per_region(child_codes, election, slug, day)
        raw, count, gap, top = rollup_parts([snapshot_dict(snap) for snap in latest],
                                            stage=stage, day=day, profile=profile)
        snapshots.append(_store(
            region=parent, election=election, stage=slug, day=day,
            raw=raw, count=count, gap=gap, population=population,
            baseline=_baseline(parent, election), band=band, profile_row=profile_row,
            profile=profile, contributors={"regions": top, "children_level": child_level},
        ))
    return snapshots


def snapshot_dict(snap: RiskScore) -> dict:
    """A stored snapshot as the plain values the roll-ups read."""
    return {"region_id": snap.region_id, "stage": snap.stage, "day": snap.day,
            **{f: getattr(snap, f) for f in SNAPSHOT_FIELDS
               if f not in {"profile", "computed_at"}}}


def rollup_parts(children: list[dict], *, stage: Stage | None, day: dt.date,
                 profile: scoring.Profile) -> tuple[dict, int, bool, list[dict]]:
    """A parent's raw components, signal count, coverage gap and top five children from
    its children's latest snapshots (those of earlier days aged to ``day``); shared by the
    per-region and the national paths."""
    reference = _reference_day(stage, day)
    raws, count, gaps = [], 0, 0
    for child in children:
        factor = scoring.decay((reference - _reference_day(stage, child["day"])).days,
                               profile)
        raws.append({c: child[f"raw_{c}"] * factor for c in scoring.COMPONENTS})
        count += child["signal_count"]
        gaps += child["coverage_gap"]
    gap = (not children or gaps == len(children)) and count == 0
    top = sorted(({"region": c["region_id"], "total": c["total"], "level": c["level"]}
                  for c in children), key=lambda e: -e["total"])[:5]
    return scoring.roll_up(raws), count, gap, top


def _supports_distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _latest_per_region(codes, election, slug, day) -> list[RiskScore]:
    seen, result = set(), []
    for snap in (RiskScore.objects.filter(region_id__in=codes, election=election, stage=slug,
                                          day__lte=day).order_by("region_id", "-day")):
        if snap.region_id not in seen:
            seen.add(snap.region_id)
            result.append(snap)
    return result


def _today(region: Region) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(region.iana_timezone)).date()


def _elections_for(day: dt.date) -> list[Election]:
    """Elections scored on ``day``: the active ones (a past election keeps its snapshots)."""
    return list(Election.objects.filter(is_active=True))


def region_rescore(*, region: Region, day: dt.date | None = None) -> list[RiskScore]:
    """Recompute one kab/kota, its province and the nation (see ``regions_rescore``)."""
    return regions_rescore(regions=[region], day=day)


def regions_rescore(*, regions: list[Region], day: dt.date | None = None) -> list[RiskScore]:
    """Recompute kab/kota, then each of their provinces once, then the nation once, for
    every active election, evaluating the alert rules. Idempotent: a second run rewrites
    the same snapshots and finds every alert already raised."""
    if not regions:
        return []
    if any(r.level != RegionLevel.KABKOTA for r in regions):
        raise ValueError("regions_rescore takes kab/kota")
    day = day or _today(regions[0])
    profile_row = profile_active()
    provinces = list(Region.objects.filter(code__in={r.code[:2] for r in regions}))
    snapshots = []
    for election in _elections_for(day):
        for region in regions:
            previous = _previous_level(region, election, day)
            own = kabkota_rescore(region=region, election=election, day=day,
                                  profile_row=profile_row)
            evaluate_alerts(region=region, election=election, day=day, overall=own[0],
                            previous_level=previous)
            snapshots += own
        for province in provinces:
            previous = _previous_level(province, election, day)
            mid = rollup_rescore(parent=province, election=election, day=day,
                                 profile_row=profile_row)
            evaluate_alerts(region=province, election=election, day=day, overall=mid[0],
                            previous_level=previous, with_incident_rules=False)
            snapshots += mid
        snapshots += rollup_rescore(parent=None, election=election, day=day,
                                    profile_row=profile_row)
    return snapshots


def _previous_level(region: Region, election: Election, day: dt.date) -> str | None:
    snap = (RiskScore.objects.filter(region=region, election=election, stage="", day__lte=day)
            .order_by("-day").values_list("level", flat=True).first())
    return snap


def rescore_all(*, day: dt.date | None = None) -> int:
    """Every kab/kota with signals or earlier snapshots (time decay, and anything missed
    while the broker was down), their provinces and the nation. Returns the kab/kota count."""
    from kewaspadaan.services import national

    with transaction.atomic():
        pending = set(RescoreRequest.objects.select_for_update(skip_locked=True)
                      .values_list("region_id", flat=True))
        RescoreRequest.objects.filter(region_id__in=pending).delete()
    day = day or timezone.localdate()
    if national.available():
        codes = national.kabkota_to_rescore(pending)
        national.national_rescore(codes=codes, day=day)
        return len(codes)
    codes = pending | set(Signal.objects.values_list("region_id", flat=True).distinct())
    codes |= set(RiskScore.objects.filter(region__level=RegionLevel.KABKOTA)
                 .values_list("region_id", flat=True).distinct())
    regions = list(Region.objects.filter(code__in=codes).order_by("code"))
    regions_rescore(regions=regions, day=day)
    return len(regions)


# --- Alerts -------------------------------------------------------------------------------

def level_rise_text(*, region: Region, overall: RiskScore, previous_level: str | None):
    return (
        _("Risk in %(region)s rose to %(level)s") % {
            "region": region.name, "level": overall.get_level_display()},
        _("The ATHG score of %(region)s is %(total).1f (%(level)s), up from "
          "%(previous)s.") % {"region": region.name, "total": overall.total,
                              "level": overall.get_level_display(),
                              "previous": previous_level or "—"},
    )


def surge_text(*, region: Region, last_7: int, prior: int):
    return (
        _("Surge of incidents in %(region)s") % {"region": region.name},
        _("%(count)d verified incidents in the last 7 days, against a weekly "
          "average of %(average).1f over the four weeks before.") % {
            "count": last_7, "average": prior / 4},
    )


def critical_text(*, region: Region, label: str, killed: int, injured: int):
    return (
        _("Critical incident in %(region)s") % {"region": region.name},
        _("%(label)s: %(killed)d killed, %(injured)d injured.") % {
            "label": label, "killed": killed, "injured": injured},
    )


def evaluate_alerts(*, region: Region, election: Election, day: dt.date, overall: RiskScore,
                    previous_level: str | None, with_incident_rules: bool = True) -> list[Alert]:
    """The early-warning rules for one region after its rescore (the national rescore runs
    the same rules on national aggregates, kewaspadaan.services.national)."""
    items = []
    rise = alert_rules.level_rise(region=region.code, election=election.slug, day=day,
                                  previous=previous_level, current=overall.level)
    if rise:
        items.append((rise, region, overall, *level_rise_text(
            region=region, overall=overall, previous_level=previous_level), ""))
    if with_incident_rules:
        tz = ZoneInfo(region.iana_timezone)
        end = _day_end(day, tz)
        live = Signal.objects.filter(region=region, withdrawn_at__isnull=True).filter(
            Q(election=election) | Q(election__isnull=True))
        last_7 = live.filter(occurred_at__gte=end - dt.timedelta(days=7), occurred_at__lt=end)
        last_7_count = last_7.count()
        prior = live.filter(occurred_at__gte=end - dt.timedelta(days=35),
                            occurred_at__lt=end - dt.timedelta(days=7)).count()
        surge = alert_rules.surge(region=region.code, election=election.slug, day=day,
                                  last_7_days=last_7_count, previous_28_days=prior)
        if surge:
            items.append((surge, region, overall,
                          *surge_text(region=region, last_7=last_7_count, prior=prior), ""))
        for row in last_7.filter(Q(killed__gt=0) | Q(injured__gte=3) | Q(severity__gte=4)
                                 ).order_by("occurred_at", "id").values(
            "source", "source_ref", "category", "severity", "injured", "killed", "label"
        ):
            critical = alert_rules.critical(
                source=row["source"], source_ref=row["source_ref"], category=row["category"],
                severity=row["severity"], injured=row["injured"], killed=row["killed"])
            if critical:
                items.append((critical, region, overall, *critical_text(
                    region=region, label=row["label"], killed=row["killed"],
                    injured=row["injured"]), f"{row['source']}:{row['source_ref']}"))
    raised = set(Alert.objects.filter(condition_key__in=[i[0].key for i in items])
                 .values_list("condition_key", flat=True)) if items else set()
    # Conditions raised before are met again by every hourly rescore: skip them up front.
    return alerts_create(election=election, items=[i for i in items if i[0].key not in raised])


RECIPIENT_ROLES = [Role.OFFICIAL, Role.ANALYST, Role.NATIONAL]


def recipients_by_region(codes) -> dict[str, list[User]]:
    """Officials and analysts of each region and of every region above it (nation
    included), for many regions from one query."""
    wanted = {code: {code, *ancestor_codes(code)} for code in codes}
    if not wanted:
        return {}
    users = list(
        User.objects.filter(is_active=True, role__in=RECIPIENT_ROLES)
        .filter(Q(jurisdiction_id__in=set().union(*wanted.values()))
                | Q(jurisdiction__isnull=True))
        .order_by("pk")
    )
    return {code: [u for u in users if u.jurisdiction_id is None or u.jurisdiction_id in above]
            for code, above in wanted.items()}


def alerts_create(*, election: Election, items: list[tuple]) -> list[Alert]:
    """Create the alert of each condition once, with its deliveries; the unique key settles
    races between workers (a condition another worker created first is skipped). Items are
    (condition, region, overall snapshot, title, message, source_ref). Deliveries are sent
    by their own task after the commit."""
    if not items:
        return []
    now = timezone.now()
    alerts = [
        Alert(rule=condition.rule, condition_key=condition.key, region=region,
              election=election, title=title[:250], message=message, level=overall.level,
              score_total=overall.total, source_ref=source_ref, created_at=now)
        for condition, region, overall, title, message, source_ref in items
    ]
    with transaction.atomic():
        created = _alerts_insert(alerts)
        recipients = recipients_by_region({alert.region_id for alert in created})
        deliveries = []
        for alert in created:
            for user in recipients[alert.region_id]:
                deliveries.append(AlertDelivery(alert=alert, channel=Channel.PORTAL,
                                                recipient=user, target=f"user:{user.pk}"))
                if user.email:
                    deliveries.append(AlertDelivery(alert=alert, channel=Channel.EMAIL,
                                                    recipient=user, target=user.email))
            for url in settings.ALERT_WEBHOOK_URLS:
                deliveries.append(AlertDelivery(alert=alert, channel=Channel.WEBHOOK,
                                                target=url))
        AlertDelivery.objects.bulk_create(deliveries, batch_size=1000)
    if created:
        ids = [a.pk for a in created]
        transaction.on_commit(lambda: _queue_deliveries(ids))
    return created


def _alerts_insert(alerts: list[Alert]) -> list[Alert]:
    """Insert the alerts whose condition is new; the others (raised meanwhile by another
    worker) are left out. PostgreSQL: one INSERT ... ON CONFLICT DO NOTHING RETURNING."""
    if connection.vendor != "postgresql":
        created = []
        for alert in alerts:
            try:
                with transaction.atomic():
                    alert.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(alert)
        return created
    columns = ["rule", "condition_key", "region_id", "election_id", "title", "message",
               "level", "score_total", "status", "created_at", "source_ref"]
    table = Alert._meta.db_table
    by_key = {a.condition_key: a for a in alerts}
    with connection.cursor() as cursor:
        for start in range(0, len(alerts), 500):
            chunk = alerts[start:start + 500]
            rows = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            params = [v for a in chunk for v in (
                a.rule, a.condition_key, a.region_id, a.election_id, a.title, a.message,
                a.level, a.score_total, a.status, a.created_at, a.source_ref)]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {rows} "  # noqa: S608
                "ON CONFLICT (condition_key) DO NOTHING RETURNING id, condition_key", params)
            for pk, key in cursor.fetchall():
                by_key[key].pk = pk
                by_key[key]._state.adding = False
    return [a for a in alerts if a.pk is not None]


def _queue_deliveries(alert_ids: list[int]) -> None:
    """One task per alert, or per 200 alerts when a rescore raised many at once (the first
    national rescore of a season): each task is idempotent, so a retry resends nothing."""
    from kewaspadaan import tasks

    if len(alert_ids) == 1:
        _queue_delivery(alert_ids[0])
        return
    for start in range(0, len(alert_ids), 200):
        chunk = alert_ids[start:start + 200]
        try:
            tasks.deliver_alerts.delay(chunk)
        except Exception:  # noqa: BLE001 - the periodic sweep retries pending deliveries
            log.warning("deliveries of %d alerts not queued (broker unavailable)", len(chunk))


def _queue_delivery(alert_id: int) -> None:
    from kewaspadaan import tasks

    try:
        tasks.deliver_alert.delay(alert_id)
    except Exception:  # noqa: BLE001 - the periodic sweep retries pending deliveries
        log.warning("alert %s delivery not queued (broker unavailable)", alert_id)


def deliveries_requeue() -> int:
    """Queue the alerts that still have pending or failed deliveries (fewer than 20
    attempts), 200 alerts a task. Returns how many alerts were queued."""
    alert_ids = sorted(set(
        AlertDelivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
                                     attempts__lt=20)
        .values_list("alert_id", flat=True)
    ))
    if alert_ids:
        _queue_deliveries(alert_ids)
    return len(alert_ids)


class DeliveryError(Exception):
    """A channel failed; the task retries the pending deliveries with backoff."""


def alert_deliver(*, alert_id: int) -> dict[str, int]:
    """Send the pending deliveries of an alert, each claimed under a row lock so a retry or a
    second worker never sends one twice. Raises DeliveryError when any failed."""
    return alerts_deliver(alert_ids=[alert_id])


def alerts_deliver(*, alert_ids: list[int]) -> dict[str, int]:
    """``alert_deliver`` for several alerts (their pending deliveries found in one query)."""
    sent = failed = 0
    pending_ids = list(AlertDelivery.objects.filter(
        alert_id__in=alert_ids, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).order_by("pk").values_list("pk", flat=True))
    for pk in pending_ids:
        with transaction.atomic():
            # of=("self",): lock the delivery row only, not the alert and region it joins
            # (which every delivery of a region shares).
            delivery = (AlertDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("alert", "alert__region").filter(pk=pk)
                        .exclude(status=DeliveryStatus.SENT).first())
            if delivery is None:
                continue
            delivery.attempts += 1
            try:
                _send(delivery)
            except Exception as exc:  # noqa: BLE001 - any channel failure is logged and retried
                delivery.status = DeliveryStatus.FAILED
                delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                failed += 1
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = timezone.now()
                delivery.last_error = ""
                sent += 1
            delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    if failed:
        raise DeliveryError(f"{failed} deliveries of alerts {alert_ids[:5]} failed")
    return {"sent": sent, "failed": failed}


def _send(delivery: AlertDelivery) -> None:
    alert = delivery.alert
    if delivery.channel == Channel.PORTAL:
        return  # the portal's inbox reads the row itself
    # Each delivery has one identity (Message-ID, X-Kewaspadaan-Delivery): if a worker dies
    # after sending and before recording it, the resend carries the same id, so a mail
    # client or a gateway can drop it as a duplicate.
    if delivery.channel == Channel.EMAIL:
        body = f"{alert.message}\n\n{settings.PORTAL_BASE_URL}/alerts/{alert.pk}/"
        EmailMessage(f"[Kewaspadaan] {alert.title}", body, None, [delivery.target],
                     headers={"Message-ID": f"<alert-{alert.pk}.delivery-{delivery.pk}"
                                            f"@kewaspadaan>"}).send()
        return
    payload = json.dumps({
        "delivery": delivery.pk,
        "id": alert.pk, "rule": alert.rule, "region": alert.region_id,
        "region_name": alert.region.name, "title": alert.title, "message": alert.message,
        "level": alert.level, "score": alert.score_total,
        "created_at": alert.created_at.isoformat(),
    }).encode()
    signature = hmac.new(settings.ALERT_WEBHOOK_SECRET.encode(), payload,
                         hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 - URLs come from the settings only
        delivery.target, data=payload, method="POST",
        headers={"Content-Type": "application/json", "X-Kewaspadaan-Signature": signature,
                 "X-Kewaspadaan-Delivery": str(delivery.pk)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status >= 300:
            raise DeliveryError(f"HTTP {response.status}")


# Who acknowledges and resolves early warnings (pages, API and dashboards ask this).
ALERT_HANDLERS = frozenset({Role.OFFICIAL, Role.ANALYST, Role.NATIONAL, Role.ADMIN})


class AlertResolved(ValidationError):
    """The alert was resolved meanwhile (by someone else, from a page now stale)."""


def can_handle_alerts(user) -> bool:
    return user.role in ALERT_HANDLERS or user.is_superuser


def _require_alert_handler(user) -> None:
    if not can_handle_alerts(user):
        raise PermissionDenied(_("Your role may not do this."))


def alert_acknowledge(*, alert: Alert, by) -> Alert:
    """new -> acknowledged (once; a second press changes nothing). Raises AlertResolved when
    the alert was resolved meanwhile."""
    _require_alert_handler(by)
    updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.NEW).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=timezone.now())
    alert.refresh_from_db()
    if not updated and alert.status == AlertStatus.RESOLVED:
        raise AlertResolved(_("This alert was already resolved."))
    return alert


def alert_resolve(*, alert: Alert, by) -> Alert:
    _require_alert_handler(by)
    Alert.objects.filter(pk=alert.pk).exclude(status=AlertStatus.RESOLVED).update(
        status=AlertStatus.RESOLVED, resolved_by=by, resolved_at=timezone.now())
    alert.refresh_from_db()
    return alert
