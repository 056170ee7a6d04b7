"""Reads of the Forkopimda / Tim Terpadu dashboards.

Every figure comes from score snapshots (``RiskScore``), the per-day incident counts
(``IncidentDayCount``, kept by laporan's services) or one bounded, indexed read (the latest
ten incidents, the open referrals and alerts), so a page costs the same fixed number of
queries whether a jurisdiction has five incidents or five hundred thousand, and never one
query per region; no figure scans the incidents.
Everything is scoped by the one jurisdiction rule (``kewaspadaan.scoping``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from forkopimda import selectors as forum_selectors
from kewaspadaan import scoring
from kewaspadaan.choices import TIMEZONE_IANA, AlertStatus, RegionLevel, TimeZoneName
from kewaspadaan.models import (
    Alert,
    Election,
    Indicator,
    Region,
    RiskScore,
    Stage,
)
from kewaspadaan.scoping import can_see_region, region_q, scope
from laporan.choices import ACCEPTED, REFERRAL_OPEN, Status
from laporan.models import Incident, IncidentDayCount, Referral

NATIONAL = "national"
TREND_FIELDS = ("day", "total", "level", "ancaman", "tantangan", "hambatan", "gangguan",
                "signal_count", "coverage_gap")
SNAPSHOT_FIELDS = ("region_id", "day", "total", "level", "signal_count", "coverage_gap")
# Stages during which the election-day view is the one to watch.
ELECTION_DAY_STAGES = ("masa-tenang", "pemungutan-suara", "rekapitulasi")
HOTSPOTS = 10
LATEST = 10
ALERTS = 5
GAP_ROWS = 25
RISE_DAYS = 7
WINDOW_DAYS = 7


# --- Where the dashboard stands -----------------------------------------------------------

def dashboard_region(*, user, code: str) -> Region | None:
    """The region a dashboard is about, or ``None`` for the nation. Raises ``LookupError``
    when the user may not open it: officials see only their jurisdiction and what lies
    below it, never the province above them or a neighbour."""
    if code == NATIONAL:
        if user.jurisdiction_id is not None:
            raise LookupError(code)
        return None
    if not can_see_region(user, code):
        raise LookupError(code)
    region = (scope(Region.objects.defer("boundary"), user)
              .filter(code=code, level__lte=RegionLevel.KABKOTA).first())
    if region is None:
        raise LookupError(code)
    return region


def home_code(user) -> str:
    """Where a user's dashboards open: their own jurisdiction (a province or kab/kota)."""
    return user.jurisdiction_id or NATIONAL


def region_tz(region: Region | None) -> ZoneInfo:
    return ZoneInfo(TIMEZONE_IANA[region.timezone if region else TimeZoneName.WIB])


@dataclass
class Period:
    """The election, stage ('' = all) and the day the figures are read on."""

    election: Election | None
    stages: list[Stage]
    stage: str
    day: dt.date
    today: dt.date
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    running: list[str] = field(default_factory=list)

    @property
    def stage_obj(self) -> Stage | None:
        return next((s for s in self.stages if s.slug == self.stage), None)

    @property
    def today_in_election_days(self) -> bool:
        """Whether the quiet period, voting or tabulation runs today (not on the day read)."""
        return any(s.slug in ELECTION_DAY_STAGES and s.start_date and s.start_date <= self.today
                   and (s.end_date is None or s.end_date >= self.today) for s in self.stages)


def period_for(*, region: Region | None, election_id: str | None, stage: str | None,
               day: dt.date | None) -> Period:
    """The period a dashboard reads. A finished election opens on its last day (its
    snapshots stop there), a running one on today, in the region's own time zone."""
    today = timezone.now().astimezone(region_tz(region)).date()
    elections = Election.objects.filter(is_active=True)
    election = None
    if election_id and str(election_id).isdigit():
        election = Election.objects.filter(pk=int(election_id)).first()
    if election is None:
        election = (elections.filter(voting_day__gte=today).order_by("voting_day").first()
                    or elections.order_by("-voting_day").first())
    if election is None:
        return Period(None, [], "", day or today, today)
    stages = list(Stage.objects.filter(election=election).order_by("order"))
    starts = [s.start_date for s in stages if s.start_date]
    ends = [s.end_date for s in stages if s.end_date]
    first = min(starts) if starts else None
    last = max(ends) if ends else None
    default = min(today, last) if last else today
    chosen = day or default
    slug = stage if stage in {s.slug for s in stages} else ""
    running = [s.slug for s in stages if s.start_date and s.start_date <= chosen
               and (s.end_date is None or s.end_date >= chosen)]
    return Period(election, stages, slug, chosen, today, first, last, running)


def _day_bounds(day: dt.date, tz: ZoneInfo, days: int) -> tuple[dt.datetime, dt.datetime]:
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz)
    return end - dt.timedelta(days=days), end


# --- Scores -------------------------------------------------------------------------------

def _latest_on(codes_qs, *, election, stage: str, day: dt.date):
    """Each region's latest snapshot on or before ``day``: one query with a correlated
    subquery on the (region, election, stage, -day) index."""
    latest_day = (RiskScore.objects.filter(region=OuterRef("region"), election=election,
                                           stage=stage, day__lte=day)
                  .order_by("-day").values("day")[:1])
    return (RiskScore.objects.filter(region__in=codes_qs, election=election, stage=stage)
            .filter(day=Subquery(latest_day)).values(*SNAPSHOT_FIELDS))


def children_of(*, user, region: Region | None):
    """The regions a dashboard compares: provinces, a province's kab/kota, a kab/kota's
    kecamatan."""
    regions = scope(Region.objects.all(), user)
    if region is None:
        return regions.filter(level=RegionLevel.PROVINCE)
    return regions.filter(parent=region)


def region_rows(*, user, region: Region | None, period: Period) -> list[dict]:
    """One row per compared region with its score now and a week earlier (3 queries)."""
    children = children_of(user=user, region=region)
    rows = list(children.order_by("code").values("code", "name", "level", "latitude",
                                                  "longitude"))
    if period.election is None or (region is not None
                                   and region.level >= RegionLevel.KABKOTA):
        for row in rows:
            row.update(total=None, level_code="", previous=None, rise=None, signals=0,
                       gap=False)
        return rows
    codes = children.values("code")
    now = {r["region_id"]: r for r in _latest_on(codes, election=period.election,
                                                  stage=period.stage, day=period.day)}
    before = {r["region_id"]: r for r in _latest_on(
        codes, election=period.election, stage=period.stage,
        day=period.day - dt.timedelta(days=RISE_DAYS))}
    for row in rows:
        snap, old = now.get(row["code"]), before.get(row["code"])
        row["total"] = round(snap["total"], 1) if snap else None
        row["level_code"] = snap["level"] if snap else ""
        row["signals"] = snap["signal_count"] if snap else 0
        row["gap"] = bool(snap and snap["coverage_gap"])
        row["day"] = snap["day"] if snap else None
        row["previous"] = round(old["total"], 1) if old else None
        row["rise"] = (round(row["total"] - (row["previous"] or 0.0), 1)
                       if snap else None)
    return rows


def trend(*, user, region: Region | None, period: Period) -> list[dict]:
    """The region's own snapshots through the election up to the chosen day (1 query)."""
    if period.election is None:
        return []
    scores = RiskScore.objects.filter(election=period.election, stage=period.stage,
                                      day__lte=period.day)
    if period.first_day:
        scores = scores.filter(day__gte=period.first_day - dt.timedelta(days=30))
    if region is None:
        if user.jurisdiction_id is not None:
            return []
        scores = scores.filter(region__isnull=True)
    else:
        scores = scope(scores, user).filter(region=region)
    points = list(scores.order_by("day").values(*TREND_FIELDS))
    for p in points:
        for key in ("total", *scoring.COMPONENTS):
            p[key] = round(p[key], 1)
    return points


def hotspots(rows: list[dict]) -> dict[str, list[dict]]:
    scored = [r for r in rows if r.get("total") is not None]
    return {
        "by_score": sorted(scored, key=lambda r: (-r["total"], r["code"]))[:HOTSPOTS],
        "by_rise": sorted([r for r in scored if (r["rise"] or 0) > 0],
                          key=lambda r: (-r["rise"], r["code"]))[:HOTSPOTS],
    }


def level_counts(rows: list[dict]) -> dict[str, int]:
    counts = {"tinggi": 0, "sedang": 0, "rendah": 0, "none": 0}
    for r in rows:
        counts[r.get("level_code") or "none"] += 1
    return counts


# --- Incidents, referrals, alerts (bounded aggregates) ------------------------------------

def _in_region(queryset, region: Region | None, field_name: str = "region"):
    """Rows of ``region`` and below it (all rows for the nation): the scoping rule's
    prefix match."""
    if region is None:
        return queryset
    return queryset.filter(region_q(region.code, field_name))


def _day_counts(*, user, region: Region | None):
    """The per-day incident counts of the jurisdiction the user may read (classification
    included): rows bounded by regions x days, whatever the number of incidents."""
    return _in_region(scope(IncidentDayCount.objects.all(), user), region)


def _stage_days(period: Period) -> Q:
    stage = period.stage_obj
    if stage is None or stage.start_date is None:
        return Q()
    return Q(day__gte=stage.start_date, day__lte=stage.end_date or period.day)


COUNTED = ~Q(status__in=[Status.REJECTED, Status.MERGED])


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("count", filter=condition), 0)


def incident_figures(*, user, region: Region | None, period: Period) -> dict:
    """Incidents of the last 7 days (each region's own calendar) and the 7 before them,
    verified and pending: one aggregate over the day counts."""
    day = period.day
    last = Q(day__gt=day - dt.timedelta(days=WINDOW_DAYS), day__lte=day)
    before = Q(day__gt=day - dt.timedelta(days=2 * WINDOW_DAYS),
               day__lte=day - dt.timedelta(days=WINDOW_DAYS))
    counts = _day_counts(user=user, region=region).filter(_stage_days(period)).filter(
        Q(day__gt=day - dt.timedelta(days=2 * WINDOW_DAYS), day__lte=day)
        | Q(status=Status.SUBMITTED, day__lte=day))
    figures = counts.aggregate(
        last7=_sum(last & COUNTED),
        prev7=_sum(before & COUNTED),
        verified7=_sum(last & Q(status__in=ACCEPTED)),
        pending7=_sum(last & Q(status=Status.SUBMITTED)),
        pending=_sum(Q(status=Status.SUBMITTED)),
    )
    figures["change"] = figures["last7"] - figures["prev7"]
    figures["change_pct"] = (round(100 * figures["change"] / figures["prev7"])
                             if figures["prev7"] else None)
    figures["since"] = (day - dt.timedelta(days=WINDOW_DAYS - 1), day)
    return figures


def referral_figures(*, user, region: Region | None, period: Period) -> dict:
    referrals = _in_region(scope(Referral.objects.all(), user), region, "incident__region")
    return referrals.filter(status__in=REFERRAL_OPEN).aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(deadline__lt=period.today)),
    )


def alert_panel(*, user, region: Region | None) -> tuple[list[Alert], dict]:
    """Open alerts of the jurisdiction, newest first, with their counts (2 queries)."""
    alerts = _in_region(scope(Alert.objects.all(), user), region)
    open_ = alerts.exclude(status=AlertStatus.RESOLVED)
    counts = open_.aggregate(open=Count("id"),
                             new=Count("id", filter=Q(status=AlertStatus.NEW)))
    items = list(open_.select_related("region", "acknowledged_by")
                 .defer("region__boundary").order_by("-created_at", "-id")[:ALERTS])
    return items, counts


def recommendation_figures(*, user, region: Region | None) -> dict | None:
    """Open and overdue recommendations from the forum app (issue 6). ``None`` (the page
    says "not available yet") only if the forum app offers no such count."""
    counts = getattr(forum_selectors, "recommendation_counts", None)
    if counts is None:
        return None
    return counts(user=user, region=region)


def indicator_stage_table(*, user, region: Region | None, period: Period) -> dict:
    """Verified incidents by indicator category and stage up to the chosen day: one grouped
    query over the day counts with a sum per stage (stages overlap, so an incident counts
    in each stage running on its day), and one for the categories' names."""
    if period.election is None:
        return {"stages": [], "rows": [], "totals": [], "shown_stages": [],
                "shown_totals": []}
    day = period.day
    sums = {}
    for i, stage in enumerate(period.stages):
        if stage.start_date and stage.start_date <= day:
            end = min(stage.end_date or day, day)
            sums[f"s{i}"] = _sum(Q(day__gte=stage.start_date, day__lte=end))
    counts = _day_counts(user=user, region=region).filter(status__in=ACCEPTED, day__lte=day)
    if period.first_day:
        counts = counts.filter(day__gte=period.first_day)
    grouped = list(counts.values("category").annotate(
        total=_sum(Q()), **sums).order_by("-total", "category"))
    # Every category's name (a dozen rows), so the page asks the same whatever it shows.
    names = dict(Indicator.objects.filter(parent__isnull=True).values_list("code", "name"))
    rows = []
    for g in grouped:
        cells = [g.get(f"s{i}", 0) for i in range(len(period.stages))]
        rows.append({"code": g["category"], "category": names.get(g["category"], g["category"]),
                     "total": g["total"], "cell_list": cells})
    totals = [sum(r["cell_list"][i] for r in rows) for i in range(len(period.stages))]
    # The page shows the stages that have incidents (a phone has room for few columns);
    # the CSV keeps every stage.
    shown = [i for i, n in enumerate(totals) if n]
    for r in rows:
        r["shown_cells"] = [r["cell_list"][i] for i in shown]
    return {"stages": period.stages, "rows": rows, "totals": totals,
            "shown_stages": [period.stages[i] for i in shown],
            "shown_totals": [totals[i] for i in shown]}


def coverage_gaps(*, user, region: Region | None, period: Period,
                  days: int | None = None, limit: int | None = GAP_ROWS) -> dict:
    """Kab/kota of the jurisdiction with no incident reported for ``days`` days up to the
    chosen day (by the day the events happened, so a past day reads as it was): silence
    there is a blind spot, not calm (2 queries: the count and the first rows)."""
    days = days or settings.COVERAGE_GAP_DAYS
    # A kab/kota's own dashboard: the prefix match at kab/kota level is the kab/kota itself.
    kabkota = _in_region(scope(Region.objects.filter(level=RegionLevel.KABKOTA), user),
                         region, "code")
    last = (scope(IncidentDayCount.objects.all(), user)
            .filter(region=OuterRef("code"), day__lte=period.day)
            .order_by("-day").values("day")[:1])
    quiet = kabkota.annotate(last_report=Subquery(last)).filter(
        Q(last_report__isnull=True)
        | Q(last_report__lte=period.day - dt.timedelta(days=days)))
    total = quiet.count()
    rows = quiet.order_by("last_report", "code").values("code", "name", "parent__name",
                                                        "last_report")
    rows = list(rows[:limit] if limit else rows)
    return {"days": days, "count": total, "rows": rows}


def latest_incidents(*, user, region: Region | None, period: Period) -> list[Incident]:
    tz = region_tz(region)
    _start, end = _day_bounds(period.day, tz, 1)
    incidents = _in_region(scope(Incident.objects.all(), user), region).filter(
        status__in=ACCEPTED, occurred_at__lt=end)
    return list(incidents.select_related("region", "indicator", "indicator__parent")
                .defer("region__boundary").order_by("-occurred_at", "-id")[:LATEST])


def kecamatan_counts(*, user, region: Region, period: Period) -> dict[str, dict]:
    """Incidents of a kab/kota per kecamatan since the election began (the kab/kota
    dashboard's map and table): one grouped query over the day counts."""
    day = period.day
    counts = _day_counts(user=user, region=region).filter(
        kecamatan__isnull=False, day__lte=day).filter(COUNTED)
    if period.first_day:
        counts = counts.filter(day__gte=period.first_day)
    rows = counts.values("kecamatan_id").annotate(
        total=_sum(Q()), verified=_sum(Q(status__in=ACCEPTED)),
        last7=_sum(Q(day__gt=day - dt.timedelta(days=WINDOW_DAYS)))).order_by()
    return {r["kecamatan_id"]: r for r in rows}


# --- The page -----------------------------------------------------------------------------

def _compared_regions(*, user, region: Region | None, period: Period) -> dict:
    """The compared regions' table, level counts and hotspot lists."""
    rows = region_rows(user=user, region=region, period=period)
    is_kabkota = region is not None and region.level == RegionLevel.KABKOTA
    if is_kabkota:
        counts = kecamatan_counts(user=user, region=region, period=period)
        for row in rows:
            c = counts.get(row["code"], {})
            row.update(incidents=c.get("total", 0), verified=c.get("verified", 0),
                       last7=c.get("last7", 0))
        rows = [r for r in rows if r["incidents"]]
    # Highest first, regions without a score last: the table answers "where is it high".
    rows.sort(key=lambda r: (r.get("total") is None, -(r.get("total") or 0), r["name"]))
    return {
        "rows": rows,
        "is_kabkota": is_kabkota,
        "levels": level_counts(rows) if not is_kabkota else None,
        "hotspots": hotspots(rows) if not is_kabkota else {
            "by_score": sorted(rows, key=lambda r: (-r["incidents"], r["code"]))[:HOTSPOTS],
            "by_rise": sorted([r for r in rows if r["last7"]],
                              key=lambda r: (-r["last7"], r["code"]))[:HOTSPOTS]},
    }


def _own_trend(*, user, region: Region | None, period: Period) -> dict:
    """The region's trend, its latest snapshot and the change over ``RISE_DAYS``."""
    points = trend(user=user, region=region, period=period)
    current = points[-1] if points else None
    rise_from = period.day - dt.timedelta(days=RISE_DAYS)
    earlier = [p for p in points if p["day"] <= rise_from]
    previous = earlier[-1] if earlier else None
    return {
        "trend": points,
        "current": current,
        "previous": previous,
        "rise": round(current["total"] - previous["total"], 1) if current and previous else None,
    }


def _summary(*, user, region: Region | None, period: Period) -> dict:
    """The headline figures: incidents, referrals, alerts and recommendations."""
    alerts, alert_counts = alert_panel(user=user, region=region)
    return {
        "incidents": incident_figures(user=user, region=region, period=period),
        "referrals": referral_figures(user=user, region=region, period=period),
        "alerts": alerts,
        "alert_counts": alert_counts,
        "recommendations": recommendation_figures(user=user, region=region),
    }


def dashboard(*, user, region: Region | None, period: Period,
              gap_days: int | None = None) -> dict:
    """Every figure of a dashboard page, in a fixed number of queries."""
    return {
        **_compared_regions(user=user, region=region, period=period),
        **_own_trend(user=user, region=region, period=period),
        **_summary(user=user, region=region, period=period),
        "indicator_stage": indicator_stage_table(user=user, region=region, period=period),
        "gaps": coverage_gaps(user=user, region=region, period=period, days=gap_days),
        "latest": latest_incidents(user=user, region=region, period=period),
    }


def figure(name: str, *, user, region: Region | None, period: Period,
           gap_days: int | None = None) -> dict:
    """What one downloadable figure needs (keys as in ``dashboard``), read alone: a CSV
    of the trend does not compute the whole page. Raises ``KeyError`` for an unknown one."""
    kwargs = {"user": user, "region": region, "period": period}
    return {
        "summary": lambda: _summary(**kwargs),
        "regions": lambda: _compared_regions(**kwargs),
        "hotspots": lambda: _compared_regions(**kwargs),
        "trend": lambda: _own_trend(**kwargs),
        "athg": lambda: _own_trend(**kwargs),
        "indicators": lambda: {"indicator_stage": indicator_stage_table(**kwargs)},
        # The CSV lists every quiet kab/kota, not the page's first rows.
        "gaps": lambda: {"gaps": coverage_gaps(**kwargs, days=gap_days, limit=None)},
        "latest": lambda: {"latest": latest_incidents(**kwargs)},
    }[name]()


def live_panel(*, user, region: Region | None) -> dict:
    """The election-day view: the last 24 hours, as of now (4 queries)."""
    now = timezone.now()
    since = now - dt.timedelta(hours=24)
    incidents = _in_region(scope(Incident.objects.all(), user), region).filter(
        occurred_at__gte=since).exclude(status__in=[Status.DRAFT, Status.REJECTED,
                                                    Status.MERGED])
    counts = incidents.aggregate(
        total=Count("id"), verified=Count("id", filter=Q(status__in=ACCEPTED)),
        pending=Count("id", filter=Q(status=Status.SUBMITTED)),
        casualties=Count("id", filter=Q(injured__gt=0) | Q(killed__gt=0)))
    items = list(incidents.select_related("region", "indicator")
                 .defer("region__boundary").order_by("-occurred_at", "-id")[:20])
    alerts = _in_region(scope(Alert.objects.all(), user), region).filter(
        created_at__gte=since)
    alert_items = list(alerts.select_related("region", "acknowledged_by")
                       .defer("region__boundary")
                       .order_by("-created_at", "-id")[:20])
    return {"now": now, "since": since, "counts": counts, "incidents": items,
            "alerts": alert_items}


def map_features(*, user, region: Region | None) -> dict:
    """GeoJSON of the compared regions: their boundary where one was imported, else a
    point at the centroid (the map draws a circle). A kab/kota's map shows the kab/kota's
    own outline and its kecamatan as points."""
    children = children_of(user=user, region=region)
    features = []
    if region is not None and region.level == RegionLevel.KABKOTA:
        own = Region.objects.filter(code=region.code).values("boundary").first()
        if own and own["boundary"]:
            features.append({"type": "Feature", "geometry": own["boundary"],
                             "properties": {"code": region.code, "name": region.name,
                                            "outline": True}})
        rows = children.values("code", "name", "latitude", "longitude")
        shapes = False
    else:
        rows = children.values("code", "name", "latitude", "longitude", "boundary")
        shapes = True
    for row in rows.order_by("code"):
        geometry = row.get("boundary") if shapes else None
        if not geometry and row["latitude"] is not None and row["longitude"] is not None:
            geometry = {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
        if not geometry:
            continue
        properties = {"code": row["code"], "name": row["name"]}
        if geometry["type"] != "Point" and row["latitude"] is not None:
            # A kota is a few pixels wide on a province's map: the marker keeps it visible.
            properties["centroid"] = [row["latitude"], row["longitude"]]
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}

