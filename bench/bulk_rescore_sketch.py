"""A sketch of the proposed national rescore, measured by ``bench/risk_rescore.py``.

NOT the engine: the engine is ``kewaspadaan.services.risk.rescore_all``. This module shows,
with numbers, that the same snapshots and alerts can be produced in time close to the SQL
floor. It writes the same RiskScore rows (checked field by field against the real code path
by the benchmark) with:

1. one aggregate over the signal table per kab/kota x stage set x ATHG x indicator, each
   signal decayed once to the end of the scoring day. A stage snapshot aged to an earlier
   reference day only rescales its sum: 0.5^((ref_end - t)/h) = 0.5^((day_end - t)/h) x
   2^((day_end - ref_end)/h), so one pass serves every snapshot;
2. one window query for the top-5 signal candidates per kab/kota x stage set (the top five
   of a snapshot are among the top five of the stage sets it contains);
3. saturation, levels and roll-ups in Python on a few thousand numbers (scoring.score and
   scoring.roll_up, unchanged);
4. one bulk upsert (INSERT ... ON CONFLICT DO UPDATE ... WHERE the numbers changed) for
   every kab/kota and province snapshot, in one transaction (one commit instead of one per
   snapshot); an hourly re-run of the same day rewrites only what changed (so, unlike the
   engine, ``computed_at`` then means "last changed");
5. the alert rules on national aggregates (previous levels, weekly counts, critical
   signals: one query each), creating only the alerts whose key is new.
"""

# SQL here is built from model table names and the scoring profile's numbers, never input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.risk_rescore import decay_sql, signal_value_sql
from kewaspadaan import alert_rules, scoring
from kewaspadaan.choices import TIMEZONE_IANA, RegionLevel
from kewaspadaan.models import (
    Alert,
    Election,
    Indicator,
    Region,
    RegionActivity,
    RegionBaseline,
    RescoreRequest,
    RiskScore,
    Signal,
    Stage,
)
from kewaspadaan.services import risk

SNAPSHOT_FIELDS = ["raw_ancaman", "raw_tantangan", "raw_hambatan", "raw_gangguan", "ancaman",
                   "tantangan", "hambatan", "gangguan", "incident_total", "total", "level",
                   "signal_count", "coverage_gap", "population", "baseline", "contributors",
                   "profile", "computed_at"]


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bulk_rescore(*, day: dt.date) -> int:
    """Every kab/kota with signals or snapshots, their provinces and the nation, for every
    active election (what rescore_all does). Returns the kab/kota count."""
    RescoreRequest.objects.all().delete()
    codes = set(Signal.objects.values_list("region_id", flat=True).distinct())
    codes |= set(RiskScore.objects.filter(region__level=RegionLevel.KABKOTA)
                 .values_list("region_id", flat=True).distinct())
    profile_row = risk.profile_active()
    for election in Election.objects.filter(is_active=True):
        with transaction.atomic():
            # Sorting and hashing 1M rows fits in memory instead of spilling to disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
            _election_rescore(codes=codes, election=election, day=day, profile_row=profile_row)
    return len(codes)


def _election_rescore(*, codes: set[str], election: Election, day: dt.date,
                      profile_row) -> None:
    profile = profile_row.to_profile()
    kabkota = {r.code: r for r in Region.objects.filter(code__in=codes).defer("boundary")}
    provinces = {r.code: r for r in Region.objects.filter(level=RegionLevel.PROVINCE)
                 .defer("boundary")}
    stages = [None, *Stage.objects.filter(election=election, start_date__lte=day)
              .order_by("order")]
    slugs = [s.slug if s else "" for s in stages]
    hl_seconds = profile.half_life_days * 86400.0
    day_end = {tz: risk._day_end(day, ZoneInfo(iana)) for tz, iana in TIMEZONE_IANA.items()}
    # The factor that turns points decayed to the day's end into points decayed to the
    # snapshot's reference end (1 for all stages and for running stages).
    ref_end, rescale = {}, {}
    for stage in stages:
        slug = stage.slug if stage else ""
        for tz, iana in TIMEZONE_IANA.items():
            end = risk._day_end(risk._reference_day(stage, day), ZoneInfo(iana))
            ref_end[(slug, tz)] = end
            rescale[(slug, tz)] = 0.5 ** (-(day_end[tz] - end).total_seconds() / hl_seconds)
    indicators = {i.pk: i for i in Indicator.objects.only("code", "name")}

    # What the rules compare against: levels before this run (one query).
    previous = dict(_fetch(
        "SELECT DISTINCT ON (region_id) region_id, level FROM kewaspadaan_riskscore "
        "WHERE election_id = %s AND stage = '' AND day <= %s AND region_id IS NOT NULL "
        "ORDER BY region_id, day DESC", [election.pk, day]))

    # 1. One pass over the signals: decayed points per kab/kota x stage set x ATHG x indicator.
    ends_sql = ", ".join("(%s, %s::timestamptz)" for _ in day_end)
    ends_params = [v for pair in day_end.items() for v in pair]
    where = ("FROM kewaspadaan_signal s JOIN kewaspadaan_region r ON r.code = s.region_id "
             f"JOIN (VALUES {ends_sql}) AS e(tz, day_end) ON e.tz = r.timezone "
             "WHERE s.withdrawn_at IS NULL AND s.occurred_at < e.day_end "
             "AND (s.election_id = %s OR s.election_id IS NULL)")
    points = f"{signal_value_sql(profile)} * {decay_sql(profile, 'e.day_end')}"
    groups = _fetch(
        f"SELECT s.region_id, s.stages, s.athg, s.indicator_id, SUM({points}), COUNT(*), "
        f"MAX(s.occurred_at) {where} GROUP BY 1, 2, 3, 4", [*ends_params, election.pk])
    # 2. The top-5 candidates per kab/kota x stage set.
    candidates = _fetch(
        "SELECT region_id, stages, source, source_ref, label, athg, points FROM ("
        f"SELECT s.region_id, s.stages, s.source, s.source_ref, s.label, s.athg, "
        f"{points} AS points, row_number() OVER (PARTITION BY s.region_id, s.stages "
        f"ORDER BY {points} DESC) AS rank {where}) ranked WHERE rank <= 5",
        [*ends_params, election.pk])

    raw = defaultdict(lambda: dict.fromkeys(scoring.COMPONENTS, 0.0))
    counts = defaultdict(int)
    by_indicator = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for code, stage_set, athg, indicator_id, total, n, latest in groups:
        tz = kabkota[code].timezone
        for slug in ("", *(s for s in stage_set.split(",") if s)):
            if (slug, tz) not in rescale:
                continue  # a stage that has not started by the scoring day
            if latest > ref_end[(slug, tz)]:
                # A signal after its stage's end (dates corrected later): its age is
                # clamped at 0 by scoring.decay, so this group would need a per-row sum.
                raise NotImplementedError("signal after its stage's end")
            value = total * rescale[(slug, tz)]
            raw[(code, slug)][athg] += value
            counts[(code, slug)] += n
            entry = by_indicator[(code, slug)][indicator_id]
            entry[0] += value
            entry[1] += n
    top_signals = defaultdict(list)
    for code, stage_set, source, ref, label, athg, value in candidates:
        tz = kabkota[code].timezone
        for slug in ("", *(s for s in stage_set.split(",") if s)):
            if (slug, tz) in rescale:
                top_signals[(code, slug)].append({
                    "ref": ref, "source": source, "label": label, "athg": athg,
                    "points": round(value * rescale[(slug, tz)], 3)})

    # 3. Scores of every kab/kota snapshot (scoring.score, unchanged).
    activity = dict(RegionActivity.objects.filter(region_id__in=codes)
                    .values_list("region_id", "last_report_at"))
    baselines = dict(RegionBaseline.objects.filter(election=election)
                     .values_list("region_id", "value"))
    now = timezone.now()
    rows: list[RiskScore] = []
    by_key: dict[tuple[str, str], RiskScore] = {}
    for code in sorted(kabkota):
        region = kabkota[code]
        gap_since = day_end[region.timezone] - dt.timedelta(days=settings.COVERAGE_GAP_DAYS)
        seen = activity.get(code)
        for slug in slugs:
            key = (code, slug)
            indicators_top = sorted(
                ({"code": indicators[i].code, "name": indicators[i].name, "points": p,
                  "count": n} for i, (p, n) in by_indicator[key].items()),
                key=lambda e: -e["points"])[:5]
            for entry in indicators_top:
                entry["points"] = round(entry["points"], 3)
            snapshot = _snapshot(
                region=region, election=election, stage=slug, day=day,
                raw=raw[key], count=counts[key],
                gap=not counts[key] and (seen is None or seen < gap_since),
                population=region.population, baseline=baselines.get(code), band="kabkota",
                profile_row=profile_row, profile=profile, now=now,
                contributors={"indicators": indicators_top,
                              "signals": sorted(top_signals[key],
                                                key=lambda e: -e["points"])[:5]})
            rows.append(snapshot)
            by_key[key] = snapshot

    # Roll-ups from the kab/kota just computed (a full rescore computes every child today;
    # children without any snapshot stay out, as in rollup_rescore).
    children = defaultdict(list)
    for code in sorted(kabkota):
        children[code[:2]].append(code)
    for pcode in sorted({c[:2] for c in kabkota}):
        province = provinces[pcode]
        for slug in slugs:
            snaps = [by_key[(c, slug)] for c in children[pcode]]
            snapshot = _rollup(parent=province, snaps=snaps, child_level=RegionLevel.KABKOTA,
                               population=province.population,
                               baseline=baselines.get(pcode), band="provinsi",
                               election=election, stage=slug, day=day,
                               profile_row=profile_row, profile=profile, now=now)
            rows.append(snapshot)
            by_key[(pcode, slug)] = snapshot

    # 4. One upsert for every kab/kota and province snapshot.
    _upsert(rows)
    # The nation (region NULL: its own partial unique constraint) from every province's
    # latest snapshot, as rollup_rescore does.
    nation_population = sum(p.population or 0 for p in provinces.values()) or None
    for slug in slugs:
        snaps = [by_key[(p, slug)] for p in sorted(provinces) if (p, slug) in by_key]
        snaps += _latest_elsewhere(set(provinces) - {s.region_id for s in snaps}, election,
                                   slug, day)
        national = _rollup(parent=None, snaps=sorted(snaps, key=lambda s: s.region_id),
                           child_level=RegionLevel.PROVINCE, population=nation_population,
                           baseline=None, band="nasional", election=election, stage=slug,
                           day=day, profile_row=profile_row, profile=profile, now=now)
        RiskScore.objects.update_or_create(
            region=None, election=election, stage=slug, day=day,
            defaults={f: getattr(national, f) for f in SNAPSHOT_FIELDS})

    # 5. Alert rules on national aggregates; only new conditions create alerts.
    _alerts_evaluate(kabkota=kabkota, provinces={c: provinces[c] for c in children},
                     by_key=by_key, previous=previous, election=election, day=day,
                     day_end=day_end)


UPSERT_COLUMNS = ["region_id", "election_id", "stage", "day", *(
    f if f != "profile" else "profile_id" for f in SNAPSHOT_FIELDS)]
CHANGED = [c for c in UPSERT_COLUMNS[4:] if c != "computed_at"]


def _upsert(rows: list[RiskScore]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE, rows rendered by psycopg2 (not the ORM's compiler),
    rewriting only snapshots whose numbers changed: an hourly re-run of the same day leaves
    almost every row as it is (no new row version, no index or WAL traffic)."""
    import json

    values = [
        (r.region_id, r.election_id, r.stage, r.day, r.raw_ancaman, r.raw_tantangan,
         r.raw_hambatan, r.raw_gangguan, r.ancaman, r.tantangan, r.hambatan, r.gangguan,
         r.incident_total, r.total, r.level, r.signal_count, r.coverage_gap, r.population,
         r.baseline, json.dumps(r.contributors), r.profile_id, r.computed_at)
        for r in rows
    ]
    template = "(" + ", ".join("%s::jsonb" if c == "contributors" else "%s"
                               for c in UPSERT_COLUMNS) + ")"
    sql = (
        f"INSERT INTO kewaspadaan_riskscore ({', '.join(UPSERT_COLUMNS)}) VALUES %s "
        "ON CONFLICT (region_id, election_id, stage, day) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in UPSERT_COLUMNS[4:])
        + f" WHERE ({', '.join('kewaspadaan_riskscore.' + c for c in CHANGED)}) "
        f"IS DISTINCT FROM ({', '.join('EXCLUDED.' + c for c in CHANGED)})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), 1000):
            rendered = b",".join(cursor.cursor.mogrify(template, v)
                                 for v in values[start:start + 1000]).decode()
            cursor.execute(sql.replace("VALUES %s", "VALUES " + rendered, 1))


def _snapshot(*, region, election, stage, day, raw, count, gap, population, baseline, band,
              profile_row, profile, now, contributors) -> RiskScore:
    result = scoring.score(raw, population=population, baseline=baseline, band_key=band,
                           profile=profile)
    return RiskScore(
        region=region, election=election, stage=stage, day=day,
        **{f"raw_{c}": raw[c] for c in scoring.COMPONENTS}, **result.components,
        incident_total=result.incident_total, total=result.total, level=result.level,
        signal_count=count, coverage_gap=gap, population=population, baseline=baseline,
        contributors=contributors, profile=profile_row, computed_at=now)


def _rollup(*, parent, snaps, child_level, population, baseline, band, election, stage, day,
            profile_row, profile, now) -> RiskScore:
    count = sum(s.signal_count for s in snaps)
    gaps = sum(s.coverage_gap for s in snaps)
    reference = risk._reference_day(_stage(election, stage), day)
    raws = []
    for s in snaps:  # snapshots of earlier days are aged to the day, as in rollup_rescore
        age = (reference - risk._reference_day(_stage(election, stage), s.day)).days
        factor = scoring.decay(age, profile)
        raws.append({c: v * factor for c, v in s.raw.items()})
    top = sorted(({"region": s.region_id, "total": s.total, "level": s.level} for s in snaps),
                 key=lambda e: -e["total"])[:5]
    return _snapshot(region=parent, election=election, stage=stage, day=day,
                     raw=scoring.roll_up(raws), count=count,
                     gap=(not snaps or gaps == len(snaps)) and count == 0,
                     population=population, baseline=baseline, band=band,
                     profile_row=profile_row, profile=profile, now=now,
                     contributors={"regions": top, "children_level": child_level})


_STAGES: dict = {}


def _stage(election, slug: str):
    if not slug:
        return None
    key = (election.pk, slug)
    if key not in _STAGES:
        _STAGES[key] = Stage.objects.get(election=election, slug=slug)
    return _STAGES[key]


def _latest_elsewhere(codes, election, slug, day) -> list[RiskScore]:
    """Provinces not rescored now keep their latest snapshot (none in a full rescore)."""
    if not codes:
        return []
    return list(RiskScore.objects.filter(region_id__in=codes, election=election, stage=slug,
                                         day__lte=day)
                .order_by("region_id", "-day").distinct("region_id"))


def _alerts_evaluate(*, kabkota, provinces, by_key, previous, election, day, day_end) -> None:
    conditions = []  # (condition, region, snapshot, title/message arguments)
    for code, region in [*sorted(kabkota.items()), *sorted(provinces.items())]:
        overall = by_key[(code, "")]
        rise = alert_rules.level_rise(region=code, election=election.slug, day=day,
                                      previous=previous.get(code), current=overall.level)
        if rise:
            conditions.append((rise, region, overall, {"previous": previous.get(code)}))
    ends_sql = ", ".join("(%s, %s::timestamptz)" for _ in day_end)
    ends_params = [v for pair in day_end.items() for v in pair]
    join = ("FROM kewaspadaan_signal s JOIN kewaspadaan_region r ON r.code = s.region_id "
            f"JOIN (VALUES {ends_sql}) AS e(tz, day_end) ON e.tz = r.timezone "
            "WHERE s.withdrawn_at IS NULL AND s.occurred_at >= e.day_end - interval '35 days' "
            "AND s.occurred_at < e.day_end")
    weekly = _fetch(
        "SELECT s.region_id, "
        "COUNT(*) FILTER (WHERE s.occurred_at >= e.day_end - interval '7 days'), "
        f"COUNT(*) FILTER (WHERE s.occurred_at < e.day_end - interval '7 days') {join} "
        "GROUP BY s.region_id", ends_params)
    for code, last_7, prior in weekly:
        if code not in kabkota:
            continue
        surge = alert_rules.surge(region=code, election=election.slug, day=day,
                                  last_7_days=last_7, previous_28_days=prior)
        if surge:
            conditions.append((surge, kabkota[code], by_key[(code, "")],
                               {"count": last_7, "average": prior / 4}))
    critical_rows = _fetch(
        "SELECT s.region_id, s.source, s.source_ref, s.category, s.severity, s.injured, "
        f"s.killed, s.label {join} AND s.occurred_at >= e.day_end - interval '7 days' "
        "AND (s.killed > 0 OR s.injured >= 3 OR s.severity >= 4)", ends_params)
    for code, source, ref, category, severity, injured, killed, label in critical_rows:
        if code not in kabkota:
            continue
        critical = alert_rules.critical(source=source, source_ref=ref, category=category,
                                        severity=severity, injured=injured, killed=killed)
        if critical:
            conditions.append((critical, kabkota[code], by_key[(code, "")],
                               {"source_ref": f"{source}:{ref}", "label": label,
                                "killed": killed, "injured": injured}))
    existing = set(Alert.objects.filter(condition_key__in=[c.key for c, *_ in conditions])
                   .values_list("condition_key", flat=True))
    for condition, region, overall, extra in conditions:
        if condition.key not in existing:
            _alert_create(condition, region, overall, election, extra)


def _alert_create(condition, region, overall, election, extra) -> None:
    """New conditions only (a handful per run): the engine's own creation, titles and
    deliveries included."""
    from django.utils.translation import gettext as _

    if condition.rule == "level_rise":
        title = _("Risk in %(region)s rose to %(level)s") % {
            "region": region.name, "level": overall.get_level_display()}
        message = _("The ATHG score of %(region)s is %(total).1f (%(level)s), up from "
                    "%(previous)s.") % {"region": region.name, "total": overall.total,
                                        "level": overall.get_level_display(),
                                        "previous": extra["previous"] or "—"}
        source_ref = ""
    elif condition.rule == "surge":
        title = _("Surge of incidents in %(region)s") % {"region": region.name}
        message = _("%(count)d verified incidents in the last 7 days, against a weekly "
                    "average of %(average).1f over the four weeks before.") % extra
        source_ref = ""
    else:
        title = _("Critical incident in %(region)s") % {"region": region.name}
        message = _("%(label)s: %(killed)d killed, %(injured)d injured.") % extra
        source_ref = extra["source_ref"]
    risk._alert_create(condition=condition, region=region, election=election,
                       level=overall.level, total=overall.total, title=title,
                       message=message, source_ref=source_ref)
