#!/usr/bin/env python
"""Risk-engine benchmark: the national rescore against the bare SQL floor (issue 4, item 8).

One command (from the repository root)::

    .venv/bin/python bench/risk_rescore.py            # 1,000,000 signals
    .venv/bin/python bench/risk_rescore.py --quick    # 50,000 signals, a fast check

It creates its own PostgreSQL database (``kw_bench``; it refuses any other name), loads the
real reference data through the project's services (514 kab/kota, Pilkada 2024 with its
stages, the indicator taxonomy), fills synthetic signals with COPY and measures, at a fixed
scoring day:

* the floor: one ``SELECT region_id, athg, SUM(decayed points) ... GROUP BY region_id, athg``
  computing the formula of ``kewaspadaan.scoring`` in SQL (checked against the Python code);
* the full national rescore through the real code path (``rescore_all``), each run in a
  fresh process so its peak RSS is its own;
* one kab/kota's ``region_rescore`` with 10,000 signals in the database and with N, the
  region's own signals being the same rows in both.

It prints a table and writes the figures as JSON to ``bench/results/``. See bench/README.md.
"""

# SQL here is built from model table names and the scoring profile's numbers, never input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kw_bench"
DB_NAME_RULE = re.compile(r"^kw_bench[a-z0-9_]*$")

SMALL_TOTAL = 10_000  # signals in the database for the "region at 10k" measurement
FOCAL_SIGNALS = 500  # the chosen kab/kota's own signals, the same rows at 10k and at N
FOCAL_REGION = "13.77"  # Kota Pariaman, the worked example of docs/risk-method.md
SCORING_DAY = dt.date(2024, 11, 27)  # voting day of Pilkada Serentak 2024
SEASON = (dt.date(2024, 5, 1), dt.date(2024, 12, 31))
UTC_OFFSET = {"WIB": 7, "WITA": 8, "WIT": 9}
# The aggregates beyond the floor group by ~17,000-124,000 keys: with the default 4MB
# PostgreSQL sorts them on disk; a rescore transaction would SET LOCAL this instead.
PROPOSAL_WORK_MEM = "64MB"  # Indonesia keeps no daylight saving time

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- Environment and database ---------------------------------------------------------------

def database_url(cli_value: str | None) -> str:
    """The benchmark's own database: --database-url, else DATABASE_URL, else the default.
    The database is dropped and created, so only a name starting with ``kw_bench`` passes."""
    url = cli_value or os.environ.get("DATABASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql") or not DB_NAME_RULE.match(name):
        sys.exit(
            f"refusing database URL {url!r}: the benchmark drops and re-creates its database, "
            "so it must be PostgreSQL and named kw_bench* (e.g. "
            f"DATABASE_URL={DEFAULT_URL}). Unset DATABASE_URL to use that default."
        )
    return url


def configure_environment(url: str) -> None:
    """Settings come from the environment only (kewaspadaan.settings). Production-like:
    DEBUG off (no query log in memory), tasks in-process, no broker, no outside deliveries."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kewaspadaan.settings"
    os.environ["DEBUG"] = "false"
    os.environ["DEMO_MODE"] = "false"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["EMAIL_BACKEND"] = "locmem"
    os.environ.setdefault("SECRET_KEY", "bench-not-a-secret-" + "x" * 48)
    if "FIELD_ENCRYPTION_KEYS" not in os.environ:  # required with DEBUG off; this run's own
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The cache (rescore coalescing key) stays in-process: a shared Redis is not touched.
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("ALERT_WEBHOOK_URLS", None)


def maintenance_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    return conn, parts.path.lstrip("/")


def database_recreate(url: str) -> None:
    conn, name = maintenance_connection(url)
    assert DB_NAME_RULE.match(name)  # noqa: S101 - never drop anything else
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def database_drop(url: str) -> None:
    from django.db import connections

    connections.close_all()
    conn, name = maintenance_connection(url)
    assert DB_NAME_RULE.match(name)  # noqa: S101 - never drop anything else
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def django_setup() -> None:
    import django

    django.setup()


_T0 = time.monotonic()


def log(message: str) -> None:
    elapsed = time.monotonic() - _T0
    print(f"[{int(elapsed // 60):3d}:{elapsed % 60:04.1f}] {message}", file=sys.stderr,
          flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own address
    space; getrusage's ru_maxrss survives fork + exec, so a child started by a big parent
    would report the parent's peak (kept below as ``ru_maxrss_mb`` for reference)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# --- Query metering -------------------------------------------------------------------------

_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_]+)"?', re.IGNORECASE)


class QueryMeter:
    """Counts queries and the time spent in ``cursor.execute`` (database work plus the
    transfer of the result; psycopg2 client-side cursors fetch everything in execute), by
    statement kind and table. What remains of the wall time is Python."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.kinds: dict[str, list] = defaultdict(lambda: [0, 0.0])

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.count += 1
            self.seconds += spent
            verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
            table = _TABLE.search(sql)
            kind = self.kinds[f"{verb} {table.group(1) if table else ''}".strip()]
            kind[0] += 1
            kind[1] += spent

    def summary(self) -> dict:
        top = sorted(self.kinds.items(), key=lambda kv: -kv[1][1])
        return {"queries": self.count, "sql_seconds": round(self.seconds, 3),
                "by_kind": {k: {"count": c, "seconds": round(s, 3)} for k, (c, s) in top}}


# --- Reference data -------------------------------------------------------------------------

def reference_load() -> dict:
    """The real reference data through the project's own services (what load_regions,
    load_pilkada2024 and load_taxonomy run)."""
    from django.core.management import call_command

    from kewaspadaan import gazetteer
    from kewaspadaan.services import (
        election_pilkada2024_load,
        profile_active,
        regions_load,
        taxonomy_load,
    )

    timings = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - start
    start = time.perf_counter()
    report = regions_load(records=gazetteer.records())
    timings["regions_load"] = time.perf_counter() - start
    start = time.perf_counter()
    election = election_pilkada2024_load()
    taxonomy_load()
    profile_active()
    timings["election_taxonomy_load"] = time.perf_counter() - start
    return {"regions_by_level": report.by_level, "contests": election.contests_by_kind,
            "seconds": {k: round(v, 2) for k, v in timings.items()}}


# --- Synthetic signals ----------------------------------------------------------------------

# Share of each indicator category by period of the season: ASN neutrality and incumbency
# before the campaign, money politics peaking in the quiet period, logistics, organisers
# and clashes around voting and tabulation.
CATEGORY_MIX = {
    "pre": {"asn": 30, "kepala-desa": 8, "penyelenggara": 12, "petahana": 12, "sara": 10,
            "konflik-sosial": 12, "politik-uang": 4, "intimidasi": 4, "tni-polri": 3,
            "kampanye": 2, "bentrok": 1, "logistik": 2},
    "kampanye": {"asn": 22, "politik-uang": 12, "sara": 16, "kampanye": 12, "intimidasi": 8,
                 "petahana": 8, "kepala-desa": 6, "tni-polri": 3, "penyelenggara": 4,
                 "bentrok": 3, "konflik-sosial": 4, "logistik": 2},
    "tenang": {"politik-uang": 40, "kampanye": 15, "intimidasi": 12, "asn": 10, "sara": 8,
               "kepala-desa": 5, "petahana": 3, "tni-polri": 2, "bentrok": 2, "logistik": 3},
    "suara": {"logistik": 18, "penyelenggara": 20, "bentrok": 12, "intimidasi": 12,
              "politik-uang": 12, "sara": 8, "asn": 5, "konflik-sosial": 5, "tni-polri": 3,
              "kepala-desa": 5},
    "after": {"konflik-sosial": 20, "bentrok": 10, "sara": 15, "penyelenggara": 25,
              "intimidasi": 10, "asn": 10, "logistik": 5, "petahana": 5},
}
VIOLENT = {"intimidasi", "bentrok"}
SEVERITY_WEIGHTS = {"violent": [20, 35, 30, 15], "other": [50, 33, 13, 4]}
RELIABILITY_WEIGHTS = {"A": 10, "B": 30, "C": 30, "D": 15, "E": 5, "F": 10}
CREDIBILITY_WEIGHTS = {1: 15, 2: 30, 3: 30, 4: 12, 5: 3, 6: 10}
HOUR_WEIGHTS = [0.3] * 6 + [1.0, 1.4, 1.6, 1.7, 1.7, 1.6, 1.5, 1.5, 1.6, 1.6, 1.5, 1.3, 1.2,
                            1.1, 1.0, 0.8, 0.6, 0.4]


def day_weight(day: dt.date) -> float:
    """Relative number of incidents a day: quiet in May, busier with coklit and candidate
    registration, rising through the campaign to the quiet period and voting day, then
    tabulation disputes fading out."""
    D = dt.date
    if day < D(2024, 5, 5):
        return 0.4
    if day < D(2024, 6, 24):
        return 0.8
    if day <= D(2024, 7, 24):
        return 1.3
    if day < D(2024, 8, 27):
        return 0.9
    if day <= D(2024, 8, 29):
        return 2.5
    if day < D(2024, 9, 25):
        return 1.5
    if day <= D(2024, 11, 23):
        return 2.0 + 2.5 * (day - D(2024, 9, 25)).days / 59
    if day <= D(2024, 11, 26):
        return 7.0
    if day == D(2024, 11, 27):
        return 12.0
    if day <= D(2024, 12, 16):
        return 4.0 - 2.5 * (day - D(2024, 11, 28)).days / 18
    return 0.6


def period_of(day: dt.date) -> str:
    D = dt.date
    if day < D(2024, 9, 25):
        return "pre"
    if day <= D(2024, 11, 23):
        return "kampanye"
    if day <= D(2024, 11, 26):
        return "tenang"
    if day <= D(2024, 12, 16):
        return "suara"
    return "after"


class SignalFactory:
    """Synthetic signals shaped like verified Pilkada incidents, as laporan posts them
    (``signal_post``): stages from the local date and kewaspadaan.elections, category and
    weight from the indicator, ATHG from the indicator unless an analyst overrode it."""

    def __init__(self, *, regions, indicators, election_id: int) -> None:
        from kewaspadaan.elections import PILKADA_2024_STAGES

        self.election_id = election_id
        self.regions = regions  # code -> (timezone, population)
        days, weights = [], []
        day = SEASON[0]
        while day <= SEASON[1]:
            days.append(day)
            weights.append(day_weight(day))
            day += dt.timedelta(days=1)
        self.days = days
        self.day_cum = _cumulative(weights)
        self.stages_of = {
            d: ",".join(s.slug for s in PILKADA_2024_STAGES
                        if s.start and s.start <= d and (s.end is None or d <= s.end))
            for d in days
        }
        self.period = {d: period_of(d) for d in days}
        by_category = defaultdict(list)
        for ind in indicators:
            by_category[ind["category"]].append(ind)
        self.by_category = by_category
        self.mix = {}
        for period, shares in CATEGORY_MIX.items():
            cats = [c for c in shares if by_category.get(c)]
            self.mix[period] = (cats, _cumulative([shares[c] for c in cats]))
        self.hour_cum = _cumulative(HOUR_WEIGHTS)
        self.rel = (list(RELIABILITY_WEIGHTS), _cumulative(RELIABILITY_WEIGHTS.values()))
        self.cred = (list(CREDIBILITY_WEIGHTS), _cumulative(CREDIBILITY_WEIGHTS.values()))
        self.sev = {k: ([1, 2, 3, 4], _cumulative(v)) for k, v in SEVERITY_WEIGHTS.items()}
        self.athg_classes = ["ancaman", "tantangan", "hambatan", "gangguan"]

    def region_weights(self, rng: random.Random, codes: list[str]) -> list[float]:
        """Bigger regions report more (population^0.8), and some are hot spots."""
        return _cumulative(
            [self.regions[c][1] ** 0.8 * rng.lognormvariate(0.0, 0.6) for c in codes])

    def rows(self, *, rng: random.Random, count: int, prefix: str, region_codes: list[str],
             region_cum: list[float] | None = None):
        """``count`` COPY lines (text format) for regions drawn from ``region_codes``."""
        choose = rng.choices
        for i in range(count):
            code = (region_codes[0] if len(region_codes) == 1
                    else choose(region_codes, cum_weights=region_cum)[0])
            tz = self.regions[code][0]
            day = choose(self.days, cum_weights=self.day_cum)[0]
            hour = choose(range(24), cum_weights=self.hour_cum)[0]
            local = dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                rng.randrange(60))
            occurred = local - dt.timedelta(hours=UTC_OFFSET[tz])  # as UTC
            cats, cum = self.mix[self.period[day]]
            category = choose(cats, cum_weights=cum)[0]
            ind = rng.choice(self.by_category[category])
            athg = ind["athg"] if rng.random() >= 0.04 else rng.choice(self.athg_classes)
            values, cum = self.sev["violent" if category in VIOLENT else "other"]
            severity = choose(values, cum_weights=cum)[0]
            reliability = choose(self.rel[0], cum_weights=self.rel[1])[0]
            credibility = choose(self.cred[0], cum_weights=self.cred[1])[0]
            reported = rng.random() < 0.04  # a Bawaslu import, not verified by Kesbangpol
            injured = killed = 0
            if ind["code"] in ("intimidasi-fisik", "bentrok-massa", "bentrok-kerusuhan"):
                if rng.random() < 0.25:
                    injured = 1 + int(rng.expovariate(0.4))
                if rng.random() < 0.01:
                    killed = 1 + (rng.random() < 0.2)
            elif rng.random() < 0.003:
                injured = 1
            posted = occurred + dt.timedelta(hours=rng.randrange(1, 72))
            withdrawn = (posted + dt.timedelta(days=2)).isoformat() + "+00" \
                if rng.random() < 0.01 else r"\N"
            yield "\t".join((
                "bawaslu" if reported else "laporan", f"{prefix}{i:08d}",
                ind["name"][:230] + f" #{i}", code, str(self.election_id), str(ind["id"]),
                category, repr(ind["weight"]), athg, str(severity), reliability,
                str(credibility), "reported" if reported else "verified",
                self.stages_of[day], str(injured), str(killed),
                occurred.isoformat() + "+00", posted.isoformat() + "+00", withdrawn,
            ))


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


SIGNAL_COLUMNS = ("source", "source_ref", "label", "region", "election", "indicator",
                  "category", "indicator_weight", "athg", "severity", "reliability",
                  "credibility", "verification", "stages", "injured", "killed", "occurred_at",
                  "posted_at", "withdrawn_at")


def signals_fill(*, factory: SignalFactory, total: int, focal: str, seed: int,
                 chunk: int = 50_000) -> dict:
    """Empty the signal table and COPY ``total`` signals into it: ``FOCAL_SIGNALS`` of the
    focal kab/kota (always the same rows: their own seed), the rest spread over the other
    513 by population and hot spots. The focal rows are interleaved at random places, so at
    N they lie scattered through the table as a region's reports do after months of intake."""
    from django.db import connection, transaction

    from kewaspadaan.models import Signal

    table = Signal._meta.db_table
    columns = ", ".join(Signal._meta.get_field(f).column for f in SIGNAL_COLUMNS)
    others = [c for c in factory.regions if c != focal]
    rng = random.Random(seed)
    region_cum = factory.region_weights(random.Random(7), others)  # same hot spots always
    national = factory.rows(rng=rng, count=total - FOCAL_SIGNALS, prefix=f"N{seed}-",
                            region_codes=others, region_cum=region_cum)
    focal_rows = factory.rows(rng=random.Random(1377), count=FOCAL_SIGNALS, prefix="F-",
                              region_codes=[focal])
    focal_at = set(random.Random(seed + 1).sample(range(total), FOCAL_SIGNALS))
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY")
        raw = cursor.cursor  # the psycopg2 cursor, for copy_expert
        buffer: list[str] = []
        for position in range(total):
            buffer.append(next(focal_rows) if position in focal_at else next(national))
            if len(buffer) == chunk or position == total - 1:
                raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN",
                                io.StringIO("\n".join(buffer) + "\n"))
                buffer.clear()
        # What laporan records on every report: the kab/kota is not a coverage gap.
        cursor.execute(
            "INSERT INTO kewaspadaan_regionactivity (region_id, last_report_at) "
            f"SELECT region_id, MAX(posted_at) FROM {table} GROUP BY region_id "
            "ON CONFLICT (region_id) DO UPDATE SET last_report_at = EXCLUDED.last_report_at")
    copy_seconds = time.perf_counter() - start
    # The rank key signal_post stores with each signal, here for all at once: the cost of
    # activating a new scoring profile (national.signals_rank rewrites every row).
    from kewaspadaan.services import national, profile_active

    start = time.perf_counter()
    with transaction.atomic():
        national.signals_rank(profile_row=profile_active())
    rank_seconds = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        # As if each row had been written with its key: no second version of every row.
        cursor.execute(f"VACUUM FULL ANALYZE {table}")
        cursor.execute("ANALYZE")
    vacuum_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE withdrawn_at IS NULL), "
            f"COUNT(DISTINCT region_id), COUNT(*) FILTER (WHERE region_id = %s), "
            f"pg_total_relation_size('{table}') FROM {table}", [focal])
        n, live, regions, focal_count, size = cursor.fetchone()
    return {"signals": n, "live": live, "regions": regions, "focal_signals": focal_count,
            "table_bytes": size, "copy_seconds": round(copy_seconds, 2),
            "rank_seconds": round(rank_seconds, 2),
            "vacuum_analyze_seconds": round(vacuum_seconds, 2)}


# --- The floor: the formula in SQL ------------------------------------------------------------

# The formula in SQL is the engine's own (kewaspadaan.scoring_sql), so the floor computes
# exactly what the Python code computes.
from kewaspadaan.scoring_sql import decay_sql, signal_value_sql  # noqa: E402


def day_ends(day: dt.date) -> list[tuple[str, dt.datetime]]:
    """The end of ``day`` as each time zone's clock reads it (kabkota_rescore's cut-off)."""
    from zoneinfo import ZoneInfo

    from kewaspadaan.choices import TIMEZONE_IANA
    from kewaspadaan.services.risk import _day_end

    return [(tz, _day_end(day, ZoneInfo(iana))) for tz, iana in TIMEZONE_IANA.items()]


def _scored_rows(day: dt.date) -> tuple[str, list]:
    """FROM ... WHERE over exactly the rows ``kabkota_rescore`` reads on ``day``: not
    withdrawn, before the end of the day on the region's own clock, this election or none
    (the election's id is the last parameter, appended by the caller)."""
    from kewaspadaan.models import Region, Signal

    values, params = [], []
    for tz, end in day_ends(day):
        values.append("(%s, %s::timestamptz)")
        params += [tz, end]
    sql = (
        f"FROM {Signal._meta.db_table} s "
        f"JOIN {Region._meta.db_table} r ON r.code = s.region_id "
        f"JOIN (VALUES {', '.join(values)}) AS e(tz, day_end) ON e.tz = r.timezone "
        f"WHERE s.withdrawn_at IS NULL AND s.occurred_at < e.day_end "
        f"AND (s.election_id = %s OR s.election_id IS NULL) "
    )
    return sql, params


def floor_sql(profile, day: dt.date, election_id: int) -> tuple[str, list]:
    """The floor: the raw components of every kab/kota for the all-stages snapshot in one
    aggregate over the same rows kabkota_rescore reads."""
    rows, params = _scored_rows(day)
    sql = (
        f"SELECT s.region_id, s.athg, "
        f"SUM({signal_value_sql(profile)} * {decay_sql(profile, 'e.day_end')}) AS points, "
        f"COUNT(*) AS signals {rows}GROUP BY s.region_id, s.athg"
    )
    return sql, [*params, election_id]


def stage_rescale(profile, day: dt.date, election_id: int) -> tuple[list[str], dict, dict]:
    """Per (stage slug, time zone): the reference end of the snapshot (``_reference_day``:
    a finished stage is aged to its end) and the factor turning points decayed to the end of
    ``day`` into points decayed to that reference end: 0.5^((ref_end - t)/h) =
    0.5^((day_end - t)/h) x 2^((day_end - ref_end)/h). Slug '' is the all-stages snapshot."""
    from kewaspadaan.models import Stage
    from kewaspadaan.services.risk import _reference_day

    stages = [None, *Stage.objects.filter(election_id=election_id, start_date__lte=day)
              .order_by("order")]
    ends = dict(day_ends(day))
    half_life = profile.half_life_days * 86400.0
    ref_end, rescale = {}, {}
    for stage in stages:
        slug = stage.slug if stage else ""
        for tz, end in day_ends(_reference_day(stage, day)):
            ref_end[(slug, tz)] = end
            rescale[(slug, tz)] = 0.5 ** ((end - ends[tz]).total_seconds() / half_life)
    return [s.slug if s else "" for s in stages], ref_end, rescale


def every_snapshot_sql(profile, day: dt.date, election_id: int) -> tuple[str, list]:
    """One pass for every snapshot: points decayed to the end of ``day`` per kab/kota x
    stage set (the ``stages`` column) x ATHG; ``every_snapshot_raw`` spreads each sum over
    the snapshots of its stages."""
    rows, params = _scored_rows(day)
    sql = (
        f"SELECT s.region_id, r.timezone, s.stages, s.athg, "
        f"SUM({signal_value_sql(profile)} * {decay_sql(profile, 'e.day_end')}) AS points, "
        f"COUNT(*) AS signals, MAX(s.occurred_at) AS latest {rows}"
        f"GROUP BY s.region_id, r.timezone, s.stages, s.athg"
    )
    return sql, [*params, election_id]


def every_snapshot_raw(rows: list, ref_end: dict, rescale: dict) -> tuple[dict, int]:
    """Raw components of every (kab/kota, stage) snapshot from ``every_snapshot_sql``. A
    stage set whose latest signal lies after a stage's end (dates corrected afterwards)
    would need scoring.decay's clamp at age 0; it is counted and left out here."""
    raw: dict = defaultdict(lambda: defaultdict(float))
    clamped = 0
    for region_id, tz, stage_set, athg, points, _count, latest in rows:
        for slug in ("", *(x for x in stage_set.split(",") if x)):
            key = (slug, tz)
            if key not in rescale:
                continue  # a stage that has not started by the scoring day
            if latest > ref_end[key]:
                clamped += 1
                continue
            raw[(region_id, slug)][athg] += points * rescale[key]
    return raw, clamped


def run_sql(sql: str, params: list, work_mem: str | None = None) -> tuple[float, list]:
    """Run one query (``work_mem`` raised for it alone when given) and fetch every row."""
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if work_mem:
            cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return time.perf_counter() - start, rows


def explain(sql: str, params: list, work_mem: str | None = None) -> str:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if work_mem:
            cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def relative_difference(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def floor_check_python(floor_rows: list, *, codes: list[str], day: dt.date, election) -> dict:
    """The floor against ``scoring.raw_components`` computed in Python from the rows that
    kabkota_rescore reads (same query, same conversion), for sample regions."""
    from zoneinfo import ZoneInfo

    from django.db.models import Q

    from kewaspadaan import scoring
    from kewaspadaan.models import Region, Signal
    from kewaspadaan.services.risk import SIGNAL_FIELDS, _day_end, _to_signal, profile_active

    profile = profile_active().to_profile()
    by_region = defaultdict(dict)
    for region_id, athg, points, _count in floor_rows:
        by_region[region_id][athg] = points
    worst, checked = 0.0, {}
    for region in Region.objects.filter(code__in=codes):
        end = _day_end(day, ZoneInfo(region.iana_timezone))
        rows = (Signal.objects.filter(region=region, withdrawn_at__isnull=True,
                                      occurred_at__lt=end)
                .filter(Q(election=election) | Q(election__isnull=True))
                .values(*SIGNAL_FIELDS))
        raw = scoring.raw_components([_to_signal(r, end) for r in rows], profile)
        diffs = [relative_difference(raw[c], by_region[region.code].get(c, 0.0))
                 for c in scoring.COMPONENTS]
        worst = max(worst, *diffs)
        checked[region.code] = {c: round(raw[c], 6) for c in scoring.COMPONENTS}
    return {"max_relative_difference": worst, "regions": checked}


def floor_check_snapshots(sql_raw: dict, *, day: dt.date, election_id: int) -> dict:
    """Every kab/kota x stage raw component of the one-pass aggregate against the snapshots
    the real rescore stored (RiskScore.raw_*)."""
    from kewaspadaan import scoring
    from kewaspadaan.choices import RegionLevel
    from kewaspadaan.models import RiskScore

    worst_all = worst_stage = 0.0
    compared = 0
    for snap in RiskScore.objects.filter(day=day, election_id=election_id,
                                         region__level=RegionLevel.KABKOTA):
        mine = sql_raw.get((snap.region_id, snap.stage), {})
        for c in scoring.COMPONENTS:
            diff = relative_difference(getattr(snap, f"raw_{c}"), mine.get(c, 0.0))
            if snap.stage:
                worst_stage = max(worst_stage, diff)
            else:
                worst_all = max(worst_all, diff)
        compared += 1
    return {"snapshots_compared": compared, "max_relative_difference_all_stages": worst_all,
            "max_relative_difference_stages": worst_stage}


# --- The real code path -----------------------------------------------------------------------

def vacuum_analyze() -> None:
    """What autovacuum does soon after a burst of writes: dead snapshot versions cleared
    and fresh statistics, so both database states are measured alike."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("kewaspadaan_riskscore", "kewaspadaan_alert",
                      "kewaspadaan_alertdelivery"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def scores_clear() -> None:
    """A fresh day: no snapshots or alerts yet (the first hourly run of a day inserts)."""
    from kewaspadaan.models import Alert, AlertDelivery, RiskScore

    AlertDelivery.objects.all().delete()
    Alert.objects.all().delete()
    RiskScore.objects.all().delete()


def per_region_rescore_all(*, day: dt.date) -> int:
    """The full rescore through the per-region path (``regions_rescore`` over every kab/kota:
    what ``rescore_all`` does on SQLite, and did everywhere before the set-based path)."""
    from kewaspadaan.choices import RegionLevel
    from kewaspadaan.models import Region, RiskScore, Signal
    from kewaspadaan.services import risk

    codes = set(Signal.objects.values_list("region_id", flat=True).distinct())
    codes |= set(RiskScore.objects.filter(region__level=RegionLevel.KABKOTA)
                 .values_list("region_id", flat=True).distinct())
    regions = list(Region.objects.filter(code__in=codes).order_by("code"))
    risk.regions_rescore(regions=regions, day=day)
    return len(regions)


def full_rescore_child(args) -> None:
    """One national rescore in this fresh process (the engine's ``rescore_all``, or with
    --per-region the per-region path); prints its figures as JSON on stdout."""
    django_setup()
    from django.db import connection

    from kewaspadaan.models import Alert, RiskScore

    if args.per_region:
        rescore = per_region_rescore_all
    else:
        from kewaspadaan.services import rescore_all as rescore

    connection.ensure_connection()
    alerts_before = Alert.objects.count()
    rss_before = peak_rss_mb()
    meter = QueryMeter()
    profiler = None
    if args.profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start_cpu = time.process_time()
    start = time.perf_counter()
    with connection.execute_wrapper(meter):
        regions = rescore(day=args.day)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile_to)
    print(json.dumps({
        "seconds": seconds, "process_cpu_seconds": cpu, "kabkota": regions,
        "peak_rss_mb": round(peak_rss_mb(), 1), "rss_before_mb": round(rss_before, 1),
        "ru_maxrss_mb": round(ru_maxrss_mb(), 1),
        "snapshots": RiskScore.objects.filter(day=args.day).count(),
        "alerts_created": Alert.objects.count() - alerts_before, **meter.summary(),
    }))


def full_rescore(url: str, day: dt.date, profile_to: str | None = None,
                 per_region: bool = False) -> dict:
    from django.db import connections

    connections.close_all()  # the child gets the database to itself
    command = [sys.executable, str(Path(__file__).resolve()), "--child-full-rescore",
               "--database-url", url, "--day", day.isoformat()]
    if profile_to:
        command += ["--profile-to", profile_to]
    if per_region:
        command += ["--per-region"]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ,  # noqa: S603
                          check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"full rescore failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def snapshots_read(day: dt.date) -> tuple[dict, set]:
    """Every snapshot of the day and every alert key, to compare two rescores."""
    from kewaspadaan.models import Alert, RiskScore

    snaps = {(s["region_id"], s["stage"]): s
             for s in RiskScore.objects.filter(day=day).values()}
    return snaps, set(Alert.objects.values_list("condition_key", flat=True))


def snapshots_compare(real: dict, other: dict) -> dict:
    """Field by field: raw components by relative difference, scores to the 0.01 they are
    rounded to, counts, gaps and levels exactly, contributors by their points."""
    from kewaspadaan import scoring

    worst_raw, worst_score, mismatches = 0.0, 0.0, defaultdict(int)
    for key, a in real.items():
        b = other.get(key)
        if b is None:
            mismatches["missing"] += 1
            continue
        for c in scoring.COMPONENTS:
            worst_raw = max(worst_raw, relative_difference(a[f"raw_{c}"], b[f"raw_{c}"]))
        for f in (*scoring.COMPONENTS, "incident_total", "total"):
            worst_score = max(worst_score, abs(a[f] - b[f]))
        for f in ("level", "signal_count", "coverage_gap", "population", "baseline"):
            if a[f] != b[f]:
                mismatches[f] += 1
        ca, cb = a["contributors"], b["contributors"]
        if "regions" in ca:
            if [e["total"] for e in ca["regions"]] != [e["total"] for e in cb["regions"]]:
                mismatches["contributors.regions"] += 1
            continue
        for part, fields in (("indicators", ("points", "count")), ("signals", ("points",))):
            pa = [[e[f] for f in fields] for e in ca[part]]
            pb = [[e[f] for f in fields] for e in cb[part]]
            if len(pa) != len(pb) or any(abs(x - y) > 0.0015 for ra, rb in zip(pa, pb, strict=True)
                                         for x, y in zip(ra, rb, strict=True)):
                mismatches[f"contributors.{part}"] += 1
    mismatches["extra"] = len(set(other) - set(real))
    return {"compared": len(real), "max_relative_difference_raw": worst_raw,
            "max_abs_difference_scores": round(worst_score, 4),
            "mismatches": {k: v for k, v in mismatches.items() if v}}


def per_region_measure(*, url: str, day: dt.date, label: str) -> dict:
    """The per-region path on the same data, once (a re-run of the day, as the engine's
    re-runs), and a check that it wrote the same snapshots and alerts as ``rescore_all``."""
    real_snaps, real_alerts = snapshots_read(day)
    log(f"[{label}] per-region path over every kab/kota (re-run of the day) ...")
    result = full_rescore(url, day, per_region=True)
    snaps, alerts = snapshots_read(day)
    check = snapshots_compare(snaps, real_snaps)
    check["alert_keys_equal"] = alerts == real_alerts
    log(f"[{label}]   {fmt_seconds(result['seconds'])}, {result['queries']:,} queries, "
        f"peak RSS {result['peak_rss_mb']:.0f} MB; rescore_all wrote the same: {check}")
    return {"run": result, "seconds": result["seconds"], "check": check}


def region_rescore_runs(code: str, day: dt.date, repeats: int) -> dict:
    """``region_rescore`` of one kab/kota (its snapshots, its province's and the nation's),
    ``repeats`` times: wall time, queries (CaptureQueriesContext) and time in SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kewaspadaan.models import Region
    from kewaspadaan.services import region_rescore

    region = Region.objects.get(code=code)
    runs, queries, sql_seconds = [], [], []
    for _ in range(repeats):
        meter = QueryMeter()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(meter):
            start = time.perf_counter()
            region_rescore(region=region, day=day)
            runs.append(time.perf_counter() - start)
        queries.append(len(captured.captured_queries))
        sql_seconds.append(meter.seconds)
    return {"runs": runs, "median": statistics.median(runs), "min": min(runs),
            "queries": queries, "sql_seconds_median": statistics.median(sql_seconds),
            "queries_by_kind": meter.summary()["by_kind"]}


# --- One database state ----------------------------------------------------------------------

def measure_state(*, label: str, total: int, seed: int, factory, args, url: str,
                  election, profile) -> dict:
    """Fill ``total`` signals, then: floor, full rescore runs, every-snapshot aggregate and
    its check against the stored snapshots, and the focal region's rescore."""
    day = args.day
    log(f"[{label}] COPY {total:,} signals")
    state = {"label": label, "fill": signals_fill(factory=factory, total=total,
                                                  focal=args.region, seed=seed)}
    log(f"[{label}] {state['fill']}")

    sql, params = floor_sql(profile, day, election.pk)
    floor_runs = []
    for _ in range(args.repeats):
        seconds, floor_rows = run_sql(sql, params)
        floor_runs.append(seconds)
    state["floor"] = {"runs": floor_runs, "median": statistics.median(floor_runs),
                      "rows": len(floor_rows), "explain": explain(sql, params)}
    log(f"[{label}] floor {fmt_seconds(state['floor']['median'])} (runs "
        f"{', '.join(fmt_seconds(r) for r in floor_runs)})")
    samples = sorted({args.region, *random.Random(5).sample(sorted(factory.regions), 4)})
    state["floor_check_python"] = floor_check_python(floor_rows, codes=samples, day=day,
                                                     election=election)
    log(f"[{label}] floor vs scoring.raw_components on {samples}: max relative difference "
        f"{state['floor_check_python']['max_relative_difference']:.2e}")

    scores_clear()
    vacuum_analyze()
    full_runs = []
    for i in range(args.full_runs):
        log(f"[{label}] full rescore run {i + 1}/{args.full_runs} "
            f"({'first of the day: inserts' if i == 0 else 're-run: updates'}) ...")
        result = full_rescore(url, day)
        full_runs.append(result)
        log(f"[{label}]   {fmt_seconds(result['seconds'])}, {result['queries']:,} queries "
            f"({fmt_seconds(result['sql_seconds'])} in SQL), peak RSS "
            f"{result['peak_rss_mb']:.0f} MB, {result['alerts_created']} alerts created")
    state["full"] = {
        "runs": full_runs,
        "first": full_runs[0]["seconds"],
        "rerun_median": (statistics.median(r["seconds"] for r in full_runs[1:])
                         if len(full_runs) > 1 else None),
        "median": statistics.median(r["seconds"] for r in full_runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in full_runs),
    }
    if args.profile:
        path = RESULTS / f"profile-rescore_all-{label}-{args.stamp}.pstats"
        log(f"[{label}] profiling one more full rescore under cProfile -> {path}")
        state["full"]["profile"] = {"path": str(path.relative_to(ROOT)),
                                    **full_rescore(url, day, profile_to=str(path))}
        state["full"]["profile"]["top"] = profile_top(path)

    vacuum_analyze()
    sql, params = every_snapshot_sql(profile, day, election.pk)
    _slugs, ref_end, rescale = stage_rescale(profile, day, election.pk)
    snap_runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        _seconds, snapshot_rows = run_sql(sql, params, work_mem=PROPOSAL_WORK_MEM)
        sql_raw, clamped = every_snapshot_raw(snapshot_rows, ref_end, rescale)
        snap_runs.append(time.perf_counter() - start)
    state["every_snapshot_aggregate"] = {
        "runs": snap_runs, "median": statistics.median(snap_runs), "rows": len(snapshot_rows),
        "snapshots": len(sql_raw), "clamped_groups": clamped, "work_mem": PROPOSAL_WORK_MEM,
        "explain": explain(sql, params, work_mem=PROPOSAL_WORK_MEM),
        **floor_check_snapshots(sql_raw, day=day, election_id=election.pk)}
    log(f"[{label}] every-snapshot aggregate {fmt_seconds(statistics.median(snap_runs))}; vs "
        f"stored snapshots: max relative difference "
        f"{state['every_snapshot_aggregate']['max_relative_difference_all_stages']:.2e} "
        f"(all stages), "
        f"{state['every_snapshot_aggregate']['max_relative_difference_stages']:.2e} (stages)")

    state["region"] = region_rescore_runs(args.region, day, args.region_repeats)
    log(f"[{label}] region_rescore({args.region}) {fmt_seconds(state['region']['median'])}, "
        f"{state['region']['queries'][-1]} queries")
    if not args.no_per_region:
        state["per_region"] = per_region_measure(url=url, day=day, label=label)
    return state


def profile_top(path: Path, limit: int = 30) -> str:
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    text = out.getvalue()
    path.with_suffix(".txt").write_text(text, encoding="utf-8")
    return text


# --- Report -----------------------------------------------------------------------------------

def fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def ratio_line(name: str, value: float, aim: str, ok: bool) -> str:
    return f"  {name:<46} {value:>9.2f}x   aim {aim:<7} {'ok' if ok else 'NOT MET'}"


def report(results: dict) -> str:
    small, big = results["states"]["small"], results["states"]["big"]
    lines = [
        "",
        f"Kewaspadaan risk rescore benchmark - scoring day {results['day']}, "
        f"kab/kota {results['focal_region']} as the single region",
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['memory_gb']} GB, "
        f"{results['machine']['postgres']}, Python {results['machine']['python']}",
        "",
        f"  {'':<46} {'at ' + format(small['fill']['signals'], ','):>16} "
        f"{'at ' + format(big['fill']['signals'], ','):>16}",
    ]

    def row(name, a, b):
        lines.append(f"  {name:<46} {a:>16} {b:>16}")

    row("signals live (not withdrawn)", f"{small['fill']['live']:,}", f"{big['fill']['live']:,}")
    row("signals scored (before the day's end)",
        f"{sum(r for r in small['scored_per_region'].values()):,}",
        f"{sum(r for r in big['scored_per_region'].values()):,}")
    row("floor: SQL aggregate, all-stages (median)", fmt_seconds(small["floor"]["median"]),
        fmt_seconds(big["floor"]["median"]))
    row("one-pass aggregate, every snapshot (median)",
        fmt_seconds(small["every_snapshot_aggregate"]["median"]),
        fmt_seconds(big["every_snapshot_aggregate"]["median"]))
    row("full rescore: rescore_all, first of the day", fmt_seconds(small["full"]["first"]),
        fmt_seconds(big["full"]["first"]))
    row("full rescore: rescore_all, re-run (median)",
        fmt_seconds(small["full"]["rerun_median"]), fmt_seconds(big["full"]["rerun_median"]))
    row("  queries (first run)", f"{small['full']['runs'][0]['queries']:,}",
        f"{big['full']['runs'][0]['queries']:,}")
    row("  time in SQL execute (first run)", fmt_seconds(small["full"]["runs"][0]["sql_seconds"]),
        fmt_seconds(big["full"]["runs"][0]["sql_seconds"]))
    row("  peak RSS of the rescore process",
        f"{small['full']['peak_rss_mb']:.0f} MB", f"{big['full']['peak_rss_mb']:.0f} MB")
    row(f"region_rescore({results['focal_region']}) (median)",
        fmt_seconds(small["region"]["median"]), fmt_seconds(big["region"]["median"]))
    row("  fastest run", fmt_seconds(small["region"]["min"]), fmt_seconds(big["region"]["min"]))
    row("  its own signals", f"{small['fill']['focal_signals']:,}",
        f"{big['fill']['focal_signals']:,}")
    row("  queries", str(small["region"]["queries"][-1]), str(big["region"]["queries"][-1]))
    row("  time in SQL (median)", fmt_seconds(small["region"]["sql_seconds_median"]),
        fmt_seconds(big["region"]["sql_seconds_median"]))
    if "per_region" in big:
        row("per-region path over every kab/kota (re-run)",
            fmt_seconds(small["per_region"]["seconds"]), fmt_seconds(big["per_region"]["seconds"]))
        row("  queries", f"{small['per_region']['run']['queries']:,}",
            f"{big['per_region']['run']['queries']:,}")
    r = results["ratios"]
    lines += [
        "",
        "ratios",
        ratio_line("full rescore / floor (re-run, at N)", r["full_over_floor"], "<= 2x",
                   r["full_over_floor"] <= 2),
        ratio_line("full rescore / floor (first of the day, at N)",
                   r["full_first_over_floor"], "<= 2x", r["full_first_over_floor"] <= 2),
        ratio_line(f"region at {big['fill']['signals']:,} / region at "
                   f"{small['fill']['signals']:,}", r["region_big_over_small"], "~ 1x",
                   r["region_big_over_small"] <= 1.25),
        ratio_line("  same, fastest run against fastest run", r["region_big_over_small_min"],
                   "~ 1x", r["region_big_over_small_min"] <= 1.25),
    ]
    if "per_region_over_floor" in r:
        check = big["per_region"]["check"]
        lines += [
            ratio_line("per-region path / floor (re-run, at N)", r["per_region_over_floor"],
                       "", True).replace(" ok", ""),
            f"  rescore_all (set-based) wrote the per-region path's snapshots: "
            f"{check['compared']:,} compared, raw max relative difference "
            f"{check['max_relative_difference_raw']:.1e}, scores max difference "
            f"{check['max_abs_difference_scores']}, mismatches {check['mismatches'] or 'none'}, "
            f"same alerts: {check['alert_keys_equal']}",
        ]
    lines += [
        "",
        f"rank keys of every signal (what a profile change costs; signal_post stores them "
        f"as it goes): {fmt_seconds(big['fill']['rank_seconds'])}",
    ]
    lines += [
        "",
        "floor check (SQL formula against the Python formula)",
        f"  scoring.raw_components, sample regions: max relative difference "
        f"{big['floor_check_python']['max_relative_difference']:.1e}",
        f"  stored snapshots, every kab/kota: max relative difference "
        f"{big['every_snapshot_aggregate']['max_relative_difference_all_stages']:.1e} "
        f"(all stages), "
        f"{big['every_snapshot_aggregate']['max_relative_difference_stages']:.1e} "
        f"(per stage, {big['every_snapshot_aggregate']['snapshots_compared']:,} snapshots)",
        "",
        f"figures: {results['json']}",
    ]
    return "\n".join(lines)


def scored_per_region(day: dt.date, election_id: int) -> dict:
    from django.db import connection

    from kewaspadaan.services import profile_active

    sql, params = floor_sql(profile_active().to_profile(), day, election_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT region_id, SUM(signals) FROM ({sql}) f GROUP BY region_id",
                       params)
        return {r: int(n) for r, n in cursor.fetchall()}


# --- Main -------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000,
                        help="signals in the national data set (default 1,000,000)")
    parser.add_argument("--quick", action="store_true",
                        help="a fast check: 50,000 signals, fewer repeats")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=SCORING_DAY,
                        help="scoring day (default 2024-11-27, voting day)")
    parser.add_argument("--region", default=FOCAL_REGION,
                        help="the kab/kota of the single-region measurement (default 13.77)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each SQL aggregate")
    parser.add_argument("--full-runs", type=int, default=3,
                        help="full rescore runs per state: the first of the day, then re-runs")
    parser.add_argument("--region-repeats", type=int, default=15,
                        help="runs of the single-region rescore per state")
    parser.add_argument("--profile", action="store_true",
                        help="also run rescore_all once under cProfile (stats to bench/results)")
    parser.add_argument("--keep-db", action="store_true",
                        help="leave the kw_bench database in place afterwards")
    parser.add_argument("--database-url", default=None,
                        help=f"default: DATABASE_URL if it names kw_bench*, else {DEFAULT_URL}")
    parser.add_argument("--no-per-region", action="store_true",
                        help="skip the comparison run of the per-region path")
    parser.add_argument("--child-full-rescore", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--per-region", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.signals = 50_000
        args.repeats = min(args.repeats, 3)
        args.full_runs = min(args.full_runs, 2)
        args.region_repeats = min(args.region_repeats, 9)
    if args.signals < SMALL_TOTAL:
        parser.error(f"--signals must be at least {SMALL_TOTAL:,}")
    if args.full_runs < 1 or args.repeats < 1 or args.region_repeats < 1:
        parser.error("repeats must be at least 1")
    return args


def machine_notes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {"cpus": os.cpu_count(), "memory_gb": round(total_kb / 1024 / 1024),
            "cpu_model": _cpu_model(), "postgres": f"PostgreSQL {version.split()[0]}",
            "postgres_settings": settings, "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv=None) -> None:
    args = parse_args(argv)
    url = database_url(args.database_url)
    configure_environment(url)
    if args.child_full_rescore:
        full_rescore_child(args)
        return
    args.stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log(f"database {urlsplit(url).path.lstrip('/')}: (re)creating")
    database_recreate(url)
    django_setup()
    try:
        results = run(args, url)
    finally:
        if not args.keep_db:
            database_drop(url)
            log("database dropped (use --keep-db to keep it)")
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    path = RESULTS / f"risk_rescore-{args.signals}-{args.stamp}.json"
    results["json"] = str(path.relative_to(ROOT))
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(report(results))


def run(args, url: str) -> dict:
    from kewaspadaan.models import Election, Indicator, Region
    from kewaspadaan.services import profile_active

    results = {"day": args.day.isoformat(), "focal_region": args.region,
               "signals": args.signals, "machine": machine_notes(),
               "args": {k: v for k, v in vars(args).items() if not k.startswith("child")}}
    log("migrate and load reference data (regions, Pilkada 2024, taxonomy)")
    results["reference"] = reference_load()
    log(f"reference data: {results['reference']}")
    election = Election.objects.get(slug="pilkada-2024")
    profile = profile_active().to_profile()
    regions = {r.code: (r.timezone, r.population or 100_000)
               for r in Region.objects.filter(level=2).only("code", "timezone", "population")}
    if args.region not in regions:
        raise SystemExit(f"--region {args.region} is not a kab/kota")
    indicators = [
        {"id": i.pk, "code": i.code, "name": i.name, "category": i.parent.code,
         "weight": float(i.weight), "athg": i.athg}
        for i in Indicator.objects.filter(parent__isnull=False).select_related("parent")
    ]
    factory = SignalFactory(regions=regions, indicators=indicators, election_id=election.pk)
    states = {}
    for key, label, total, seed in (("small", "10k", SMALL_TOTAL, 2),
                                    ("big", f"{args.signals // 1000}k", args.signals, 1)):
        states[key] = measure_state(label=label, total=total, seed=seed, factory=factory,
                                    args=args, url=url, election=election, profile=profile)
        states[key]["scored_per_region"] = scored_per_region(args.day, election.pk)
    results["states"] = states
    big, small = states["big"], states["small"]
    floor = big["floor"]["median"]
    results["ratios"] = {
        "full_over_floor": (big["full"]["rerun_median"] or big["full"]["first"]) / floor,
        "full_first_over_floor": big["full"]["first"] / floor,
        "region_big_over_small": big["region"]["median"] / small["region"]["median"],
        "region_big_over_small_min": big["region"]["min"] / small["region"]["min"],
        "every_snapshot_aggregate_over_floor": big["every_snapshot_aggregate"]["median"] / floor,
    }
    if "per_region" in big:
        results["ratios"]["per_region_over_floor"] = big["per_region"]["seconds"] / floor
    return results


if __name__ == "__main__":
    main()
