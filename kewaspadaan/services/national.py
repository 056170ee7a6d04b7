"""The national rescore on PostgreSQL: every kab/kota, province and the nation in a handful
of set-based queries, writing exactly the snapshots and alerts of the per-region path
(``risk.regions_rescore``, which event rescores and SQLite keep using; a test holds the two
equal).

Why it can be close to one scan of the signal table (docs/risk-method.md, docs/benchmarks.md):

* Decay factorises. 0.5^((ref_end - t)/h) = 0.5^((day_end - t)/h) x 2^((day_end - ref_end)/h),
  so one aggregate of points decayed to the end of the day, grouped by kab/kota x stage set
  (the ``stages`` column) x ATHG x indicator, gives every snapshot of every kab/kota: a
  finished stage's snapshot is aged to the stage's end by one factor per stage and time zone.
* Points come from each signal's stored rank key (``scoring.rank_key``): exp(rank_key - shift)
  instead of the formula's CASE chain per row; a row whose key another profile version wrote
  is computed from the formula in the same query, so the sum is always exact.
* The top five signals of a snapshot are among the top five of the stage sets it contains,
  and rank-key order is decayed-points order at any reference time: an index
  ``(region, stages, rank_key DESC)`` reads them without sorting the table.
* Snapshots are written with one upsert that rewrites only rows whose numbers changed, the
  roll-ups come from the kab/kota just computed, and the alert rules run on three national
  queries, creating only conditions not raised before.

A kab/kota holding a signal dated after the end of one of its stages (a stage's dates edited
afterwards) would need the formula's clamp at age 0; it is computed by the per-region code.
"""

# SQL here is built from table names and the scoring profile's numbers, never from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import functools
import heapq
import json
import logging
import math
import threading
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kewaspadaan import alert_rules, scoring, scoring_sql
from kewaspadaan.choices import TIMEZONE_IANA, RegionLevel
from kewaspadaan.models import (
    Alert,
    Election,
    Indicator,
    Region,
    RegionActivity,
    RegionBaseline,
    RiskScore,
    ScoringProfile,
    Signal,
    Stage,
)
from kewaspadaan.services import risk

log = logging.getLogger(__name__)

SIGNAL = Signal._meta.db_table
REGION = Region._meta.db_table
SCORE = RiskScore._meta.db_table


def available() -> bool:
    """The set-based path needs PostgreSQL (DISTINCT ON, LATERAL, ON CONFLICT with a
    condition); elsewhere the per-region path computes the same snapshots."""
    return connection.vendor == "postgresql"


def _fetch(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _distinct(table: str, column: str, where: str = "") -> list[str]:
    """SELECT DISTINCT through an index (a loose index scan: one probe per value), where a
    plain DISTINCT would read the whole table."""
    cond = f" AND {where}" if where else ""
    return [code for (code,) in _fetch(
        f"WITH RECURSIVE v(code) AS (SELECT min({column}) FROM {table} "
        f"WHERE {column} IS NOT NULL{cond} UNION ALL SELECT (SELECT min({column}) FROM {table} "
        f"WHERE {column} > v.code{cond}) FROM v WHERE v.code IS NOT NULL) "
        "SELECT code FROM v WHERE code IS NOT NULL")]


def kabkota_to_rescore(pending: set[str]) -> set[str]:
    """Every kab/kota with signals (withdrawn ones too: their score drops) or earlier
    snapshots, and those with a pending request, each list read through an index."""
    with_signals = _distinct(SIGNAL, "region_id")
    with_scores = [c for c in _distinct(SCORE, "region_id") if c.count(".") == 1]
    return set(with_signals) | set(with_scores) | pending


def signals_rank(*, profile_row: ScoringProfile) -> int:
    """Write the rank key of every signal whose key another profile version computed (all of
    them once after a new profile is activated; none, through an index, otherwise)."""
    profile = profile_row.to_profile()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SIGNAL} s SET rank_key = {scoring_sql.rank_key_sql(profile)}, "
            # Three index ranges (NULL, below, above): no scan when every key is current.
            "rank_version = %s WHERE s.rank_version IS NULL OR s.rank_version < %s "
            "OR s.rank_version > %s", [profile_row.version] * 3)
        return cursor.rowcount


def national_rescore(*, codes: set[str], day: dt.date) -> None:
    """Every kab/kota in ``codes``, their provinces and the nation, for every active
    election; the alert rules on the result."""
    profile_row = risk.profile_active()
    signals_rank(profile_row=profile_row)
    parallel = not connection.in_atomic_block
    for election in risk._elections_for(day):
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A national GROUP BY sorts or hashes in memory instead of spilling to disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
            _Election(codes=codes, election=election, day=day, profile_row=profile_row).run(
                parallel=parallel)


class _Election:
    """One election's national rescore (state shared by its steps)."""

    def __init__(self, *, codes, election: Election, day: dt.date, profile_row) -> None:
        self.election, self.day, self.profile_row = election, day, profile_row
        self.profile = profile_row.to_profile()
        self.now = timezone.now()
        self.kabkota = {r.code: r for r in Region.objects.filter(code__in=codes)
                        .defer("boundary").order_by("code")}
        self.provinces = {r.code: r for r in Region.objects.filter(level=RegionLevel.PROVINCE)
                          .defer("boundary")}
        self.stages = [None, *Stage.objects.filter(election=election, start_date__lte=day)
                       .order_by("order")]
        self.stage_by_slug = {s.slug: s for s in self.stages if s}
        self.slugs = [s.slug if s else "" for s in self.stages]
        self.day_end = {tz: risk._day_end(day, ZoneInfo(iana))
                        for tz, iana in TIMEZONE_IANA.items()}
        hl = self.profile.half_life_days * 86400.0
        # Per (stage, time zone): the snapshot's reference end and the factor that turns
        # points decayed to the end of the day into points decayed to that reference end.
        self.ref_end, self.rescale = {}, {}
        for stage in self.stages:
            slug = stage.slug if stage else ""
            for tz, iana in TIMEZONE_IANA.items():
                end = risk._day_end(risk._reference_day(stage, day), ZoneInfo(iana))
                self.ref_end[(slug, tz)] = end
                self.rescale[(slug, tz)] = 0.5 ** ((end - self.day_end[tz]).total_seconds()
                                                   / hl)
        # Each kab/kota with the end of the day on its own clock and the rank shift there.
        shifts = {tz: scoring.rank_shift(end.timestamp(), self.profile)
                  for tz, end in self.day_end.items()}
        codes = sorted(self.kabkota)
        self.ends_params = [codes, [self.day_end[self.kabkota[c].timezone] for c in codes],
                            [shifts[self.kabkota[c].timezone] for c in codes]]
        self.join = (f"FROM {SIGNAL} s JOIN unnest(%s::text[], %s::timestamptz[], "
                     "%s::float8[]) AS e(code, day_end, shift) ON e.code = s.region_id ")
        self.where = ("WHERE s.withdrawn_at IS NULL AND s.occurred_at < e.day_end "
                      "AND (s.election_id = %s OR s.election_id IS NULL)")
        self.where_params = [election.pk]
        self.tz_of = {code: region.timezone for code, region in self.kabkota.items()}
        self._feeds_cache: dict[tuple[str, str], tuple] = {}

    def _feeds(self, stage_set: str, tz: str) -> tuple:
        """The snapshots a stage set feeds in a time zone (all stages, and each started
        stage of the set), each as (slug, decay factor from the day's end to the snapshot's
        reference end, that end as epoch seconds, its rank shift)."""
        key = (stage_set, tz)
        feeds = self._feeds_cache.get(key)
        if feeds is None:
            slugs = ("", *(x for x in stage_set.split(",") if x in self.stage_by_slug))
            feeds = self._feeds_cache[key] = tuple(
                (slug, self.rescale[(slug, tz)], self.ref_end[(slug, tz)].timestamp(),
                 scoring.rank_shift(self.ref_end[(slug, tz)].timestamp(), self.profile))
                for slug in slugs)
        return feeds

    # --- the steps ---------------------------------------------------------------------

    def run(self, *, parallel: bool = False) -> None:
        """``parallel``: the queries that do not need the aggregate's result (the top
        signals, the alert rules' counts) run on a second connection while this one
        aggregates and Python spreads the groups over the snapshots. Only outside a caller's
        transaction, since the second connection sees committed rows only."""
        side: dict = {}
        thread = None
        if parallel:
            thread = threading.Thread(target=self._side_queries, args=(side, True),
                                      name="rescore-side-queries")
            thread.start()
        try:
            previous = dict(_fetch(
                f"SELECT DISTINCT ON (region_id) region_id, level FROM {SCORE} "
                "WHERE election_id = %s AND stage = '' AND day <= %s "
                "AND region_id IS NOT NULL ORDER BY region_id, day DESC",
                [self.election.pk, self.day]))
            raw, counts, by_indicator, irregular = self._aggregate()
        finally:
            if thread is not None:
                thread.join()
        if thread is None:
            self._side_queries(side, False)
        if "error" in side:
            raise side["error"]
        top_signals = self._top_signals(side["top"], irregular)
        snapshots = self._kabkota_snapshots(raw, counts, by_indicator, top_signals, irregular)
        snapshots.update(self._province_snapshots(snapshots))
        _upsert(list(snapshots.values()), election_id=self.election.pk,
                profile_id=self.profile_row.pk, now=self.now)
        self._nation(snapshots)
        self._alerts(snapshots, previous, side["weekly"], side["critical"])

    def _side_queries(self, out: dict, own_connection: bool) -> None:
        try:
            out["top"] = self._top_signal_rows()
            out["weekly"], out["critical"] = self._recent_rows()
        except Exception as exc:  # noqa: BLE001 - re-raised in the calling thread
            out["error"] = exc
        finally:
            if own_connection:
                connection.close()  # this thread's own connection

    def _points_sql(self) -> str:
        """Points decayed to the end of the day: from the rank key when this profile wrote
        it, from the formula otherwise."""
        formula = (f"{scoring_sql.signal_value_sql(self.profile)} * "
                   f"{scoring_sql.decay_sql(self.profile, 'e.day_end')}")
        return (f"CASE WHEN s.rank_version = {int(self.profile_row.version)} THEN "
                "COALESCE(exp(GREATEST(s.rank_key - e.shift, -700.0)), 0.0) "
                f"ELSE {formula} END")

    def _aggregate(self):
        """One pass: decayed points and counts per kab/kota x stage set x ATHG x indicator,
        spread over the snapshots of every stage in the set."""
        groups = _fetch(
            f"SELECT s.region_id, s.stages, s.athg, s.indicator_id, SUM({self._points_sql()}), "
            "COUNT(*), date_part('epoch', MAX(s.occurred_at)) "
            f"{self.join} {self.where} GROUP BY 1, 2, 3, 4",
            [*self.ends_params, *self.where_params])
        raw = defaultdict(lambda: dict.fromkeys(scoring.COMPONENTS, 0.0))
        counts = defaultdict(int)
        by_indicator = defaultdict(dict)
        irregular = set()
        for code, stage_set, athg, indicator_id, total, n, latest in groups:
            for slug, factor, ref_epoch, _shift in self._feeds(stage_set, self.tz_of[code]):
                if latest > ref_epoch:
                    irregular.add(code)  # a signal after its stage's end: per-region path
                key = (code, slug)
                value = total * factor
                raw[key][athg] += value
                counts[key] += n
                indicators = by_indicator[key]
                entry = indicators.get(indicator_id)
                if entry is None:
                    indicators[indicator_id] = [value, n]
                else:
                    entry[0] += value
                    entry[1] += n
        return raw, counts, by_indicator, irregular

    def _top_signal_rows(self) -> list[tuple]:
        """The five highest-ranked live signals of every kab/kota x stage set, read through
        the rank index: the pairs are enumerated by skipping through the index (one probe
        per pair), then five entries are read in rank order for each."""
        return _fetch(
            "WITH RECURSIVE pairs(region_id, stages) AS ("
            f"(SELECT region_id, stages FROM {SIGNAL} WHERE withdrawn_at IS NULL "
            "ORDER BY region_id, stages LIMIT 1) UNION ALL "
            "SELECT n.region_id, n.stages FROM pairs p CROSS JOIN LATERAL ("
            f"SELECT region_id, stages FROM {SIGNAL} s WHERE s.withdrawn_at IS NULL "
            "AND (s.region_id, s.stages) > (p.region_id, p.stages) "
            "ORDER BY region_id, stages LIMIT 1) n) "
            "SELECT g.region_id, g.stages, t.source, t.source_ref, t.label, t.athg, t.rank_key "
            "FROM pairs g JOIN unnest(%s::text[], %s::timestamptz[], %s::float8[]) "
            "AS e(code, day_end, shift) ON e.code = g.region_id CROSS JOIN LATERAL ("
            f"SELECT s.source, s.source_ref, s.label, s.athg, s.rank_key FROM {SIGNAL} s "
            "WHERE s.region_id = g.region_id AND s.stages = g.stages "
            "AND s.withdrawn_at IS NULL AND s.occurred_at < e.day_end "
            "AND (s.election_id = %s OR s.election_id IS NULL) AND s.rank_key IS NOT NULL "
            "ORDER BY s.rank_key DESC LIMIT 5) t",
            [*self.ends_params, self.election.pk])

    def _top_signals(self, rows: list[tuple], irregular: set[str]) -> dict:
        """The candidates expanded to the snapshots of their stages, with their points."""
        top = defaultdict(list)
        for code, stage_set, source, ref, label, athg, key in rows:
            if code in irregular:
                continue
            for slug, _factor, _ref_epoch, shift in self._feeds(stage_set,
                                                                 self.tz_of[code]):
                top[(code, slug)].append({
                    "ref": ref, "source": source, "label": label, "athg": athg,
                    "points": round(math.exp(max(key - shift, -700.0)), 3)})
        return top

    def _kabkota_snapshots(self, raw, counts, by_indicator, top_signals, irregular) -> dict:
        activity = dict(RegionActivity.objects.filter(region_id__in=list(self.kabkota))
                        .values_list("region_id", "last_report_at"))
        self.baselines = dict(RegionBaseline.objects.filter(election=self.election)
                              .values_list("region_id", "value"))
        indicators = {i.pk: (i.code, i.name) for i in Indicator.objects.only("code", "name")}
        snapshots = {}
        for code, region in self.kabkota.items():
            if code in irregular:
                for snap in risk.kabkota_snapshots(
                        region=region, election=self.election, day=self.day,
                        profile_row=self.profile_row, stages=self.stages,
                        last_report_at=activity.get(code), baseline=self.baselines.get(code),
                        now=self.now):
                    snapshots[(code, snap.stage)] = risk.snapshot_dict(snap)
                continue
            gap_since = self.day_end[region.timezone] - dt.timedelta(
                days=settings.COVERAGE_GAP_DAYS)
            seen = activity.get(code)
            for slug in self.slugs:
                key = (code, slug)
                top_indicators = [
                    {"code": indicators[i][0], "name": indicators[i][1], "points": round(p, 3),
                     "count": n}
                    for i, (p, n) in heapq.nlargest(5, by_indicator[key].items(),
                                                    key=lambda item: item[1][0])]
                snapshots[key] = self._snapshot(
                    region_id=code, stage=slug,
                    raw=raw[key], count=counts[key],
                    gap=not counts[key] and (seen is None or seen < gap_since),
                    population=region.population, baseline=self.baselines.get(code),
                    band="kabkota",
                    contributors={"indicators": top_indicators,
                                  "signals": sorted(top_signals[key],
                                                    key=lambda e: -e["points"])[:5]})
        return snapshots

    def _province_snapshots(self, kabkota_snapshots: dict) -> dict:
        """Roll-ups of every province with a kab/kota rescored now (a full rescore
        computes every child that has signals or snapshots, so these are all its parts)."""
        children = defaultdict(list)
        for code in self.kabkota:
            children[code[:2]].append(code)
        snapshots = {}
        for pcode in sorted(children):
            province = self.provinces[pcode]
            for slug in self.slugs:
                snapshots[(pcode, slug)] = self._rollup(
                    parent=province, stage=slug,
                    snaps=[kabkota_snapshots[(c, slug)] for c in children[pcode]],
                    child_level=RegionLevel.KABKOTA, population=province.population,
                    baseline=self.baselines.get(pcode), band="provinsi")
        return snapshots

    def _snapshot(self, *, region_id, stage, **kwargs) -> dict:
        return {"region_id": region_id, "stage": stage, "day": self.day,
                **risk.snapshot_values(profile=self.profile, **kwargs)}

    def _rollup(self, *, parent, stage, snaps, child_level, population, baseline, band):
        raw, count, gap, top = risk.rollup_parts(
            snaps, stage=self.stage_by_slug.get(stage), day=self.day, profile=self.profile)
        return self._snapshot(
            region_id=parent.code if parent else None, stage=stage, raw=raw, count=count,
            gap=gap, population=population, baseline=baseline, band=band,
            contributors={"regions": top, "children_level": child_level})

    def _nation(self, snapshots: dict) -> None:
        """The nation from every province's latest snapshot (those not rescored now keep
        their latest one, as in rollup_rescore)."""
        population = sum(p.population or 0 for p in self.provinces.values()) or None
        for slug in self.slugs:
            snaps = [snapshots[(p, slug)] for p in sorted(self.provinces)
                     if (p, slug) in snapshots]
            others = set(self.provinces) - {s["region_id"] for s in snaps}
            if others:
                snaps += [risk.snapshot_dict(s) for s in RiskScore.objects.filter(
                    region_id__in=others, election=self.election, stage=slug, day__lte=self.day)
                    .order_by("region_id", "-day").distinct("region_id")]
            national = self._rollup(parent=None, stage=slug,
                                    snaps=sorted(snaps, key=lambda s: s["region_id"]),
                                    child_level=RegionLevel.PROVINCE, population=population,
                                    baseline=None, band="nasional")
            del national["region_id"], national["stage"], national["day"]
            risk._save(RiskScore(region=None, election=self.election, stage=slug, day=self.day,
                                 profile=self.profile_row, computed_at=self.now, **national))

    def _recent_rows(self) -> tuple[list, list]:
        """The alert rules' inputs: signals per kab/kota in the last week and the four
        before it, and the critical candidates of the last week."""
        # The five weeks before the end of the day, read through the time index (the outer
        # bounds cover every time zone's day end).
        window = ("WHERE s.withdrawn_at IS NULL "
                  "AND (s.election_id = %s OR s.election_id IS NULL) "
                  "AND s.occurred_at >= %s::timestamptz - interval '35 days' "
                  "AND s.occurred_at < %s::timestamptz "
                  "AND s.occurred_at >= e.day_end - interval '35 days' "
                  "AND s.occurred_at < e.day_end")
        bounds = [self.election.pk, min(self.day_end.values()), max(self.day_end.values())]
        weekly = _fetch(
            "SELECT s.region_id, "
            "COUNT(*) FILTER (WHERE s.occurred_at >= e.day_end - interval '7 days'), "
            "COUNT(*) FILTER (WHERE s.occurred_at < e.day_end - interval '7 days') "
            f"{self.join} {window} GROUP BY s.region_id ORDER BY s.region_id",
            [*self.ends_params, *bounds])
        critical_rows = _fetch(
            "SELECT s.region_id, s.source, s.source_ref, s.category, s.severity, s.injured, "
            f"s.killed, s.label {self.join} {window} "
            "AND s.occurred_at >= e.day_end - interval '7 days' "
            "AND (s.killed > 0 OR s.injured >= 3 OR s.severity >= 4) "
            "ORDER BY s.region_id, s.occurred_at, s.id",
            [*self.ends_params, *bounds])
        return weekly, critical_rows

    def _alerts(self, snapshots: dict, previous: dict, weekly: list,
                critical_rows: list) -> None:
        """The rules of ``risk.evaluate_alerts`` on national aggregates; only conditions
        never raised create an alert (a handful per run)."""
        # (condition, region, overall snapshot, text of the alert, source_ref); the text is
        # written only for conditions never raised (a handful per run).
        conditions = []
        regions = [*self.kabkota.items(),
                   *((c, self.provinces[c]) for c in sorted({k[:2] for k in self.kabkota}))]
        overalls = {code: RiskScore(level=snapshots[(code, "")]["level"],
                                    total=snapshots[(code, "")]["total"])
                     for code, _region in regions}
        for code, region in regions:
            overall = overalls[code]
            rise = alert_rules.level_rise(region=code, election=self.election.slug,
                                          day=self.day, previous=previous.get(code),
                                          current=overall.level)
            if rise:
                conditions.append((rise, region, overall, functools.partial(
                    risk.level_rise_text, region=region, overall=overall,
                    previous_level=previous.get(code)), ""))
        for code, last_7, prior in weekly:
            surge = alert_rules.surge(region=code, election=self.election.slug, day=self.day,
                                      last_7_days=last_7, previous_28_days=prior)
            if surge:
                conditions.append((surge, self.kabkota[code], overalls[code], functools.partial(
                    risk.surge_text, region=self.kabkota[code], last_7=last_7, prior=prior), ""))
        for code, source, ref, category, severity, injured, killed, label in critical_rows:
            critical = alert_rules.critical(source=source, source_ref=ref, category=category,
                                            severity=severity, injured=injured, killed=killed)
            if critical:
                conditions.append((critical, self.kabkota[code], overalls[code],
                                   functools.partial(risk.critical_text,
                                                     region=self.kabkota[code], label=label,
                                                     killed=killed, injured=injured),
                                   f"{source}:{ref}"))
        existing = {key for (key,) in _fetch(
            f"SELECT condition_key FROM {Alert._meta.db_table} WHERE condition_key = ANY(%s)",
            [[c[0].key for c in conditions]])}
        fresh = [(condition, region, overall, *text(), source_ref)
                 for condition, region, overall, text, source_ref in conditions
                 if condition.key not in existing]
        risk.alerts_create(election=self.election, items=fresh)


UPSERT_COLUMNS = ["region_id", "election_id", "stage", "day", *(
    f if f != "profile" else "profile_id" for f in risk.SNAPSHOT_FIELDS)]
CHANGED = [c for c in UPSERT_COLUMNS[4:] if c != "computed_at"]


def _unchanged(old: tuple, new: tuple) -> bool:
    """Equal numbers, raw components up to the last bits a parallel sum may reorder."""
    for a, b in zip(old, new, strict=True):
        if isinstance(a, float) and isinstance(b, float):
            if a != b and abs(a - b) > 1e-12 * max(abs(a), abs(b)):
                return False
        elif a != b:
            return False
    return True


def _upsert(rows: list[dict], *, election_id: int, profile_id: int, now) -> int:
    """Write kab/kota and province snapshots that are new or whose numbers changed (an
    hourly re-run of the same day changes few: decay is fixed for the day), with
    INSERT ... ON CONFLICT DO UPDATE. ``computed_at`` is therefore the time the numbers
    last changed. Returns the rows written."""
    day = rows[0]["day"] if rows else None
    # (Django leaves jsonb as text: parsed here to compare as data.)
    stored = {(r[0], r[1]): (*r[2:17], json.loads(r[17]), r[18]) for r in _fetch(
        f"SELECT region_id, stage, {', '.join(CHANGED)} FROM {SCORE} "
        "WHERE election_id = %s AND day = %s AND region_id IS NOT NULL",
        [election_id, day])} if rows else {}
    values = []
    for r in rows:
        changed = (r["raw_ancaman"], r["raw_tantangan"], r["raw_hambatan"], r["raw_gangguan"],
                   r["ancaman"], r["tantangan"], r["hambatan"], r["gangguan"],
                   r["incident_total"], r["total"], r["level"], r["signal_count"],
                   r["coverage_gap"], r["population"], r["baseline"], r["contributors"],
                   profile_id)
        old = stored.get((r["region_id"], r["stage"]))
        if old is not None and _unchanged(old, changed):
            continue

        values.append((r["region_id"], election_id, r["stage"], r["day"], *changed[:15],
                       json.dumps(r["contributors"]), profile_id, now))
    template = "(" + ", ".join("%s::jsonb" if c == "contributors" else "%s"
                               for c in UPSERT_COLUMNS) + ")"
    sql = (
        f"INSERT INTO {SCORE} ({', '.join(UPSERT_COLUMNS)}) VALUES {{values}} "
        "ON CONFLICT (region_id, election_id, stage, day) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in UPSERT_COLUMNS[4:])
    )
    with connection.cursor() as cursor:
        raw_cursor = cursor.cursor  # psycopg2's own, for mogrify
        for start in range(0, len(values), 1000):
            rendered = b",".join(raw_cursor.mogrify(template, v)
                                 for v in values[start:start + 1000]).decode()
            cursor.execute(sql.replace("{values}", rendered, 1))
    return len(values)
