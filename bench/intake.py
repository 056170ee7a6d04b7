#!/usr/bin/env python
"""Intake speed (issue 7, item 7), each figure a ratio against a floor measured in the same
run, on PostgreSQL:

1. creating an incident through the API (``POST /api/v1/incidents/``: validation, the
   service with its history, transition and day counts) against a bare Django view that
   inserts one incident row, both through the same middleware stack. Aim: at most 2x.
2. the incident list with filters (API and page) with 1,000,000 incidents against 10,000.
   Aim: about 1x.
3. the CSV export of every incident against PostgreSQL's ``COPY ... TO STDOUT`` of the same
   columns, with the export's peak memory at 10,000 and at 1,000,000. Aim: within 3x of COPY,
   memory flat.
4. bulk import against COPY: the importer takes files of up to 2,000 rows
   (``laporan.transfer.MAX_ROWS``); measured at that size, per row, against COPY of the same
   rows.

One command, from the repository root::

    .venv/bin/python bench/intake.py            # 10k then 1M incidents (~6 minutes here)
    .venv/bin/python bench/intake.py --quick    # 10k then 100k

It creates its own database ``kw_bench_intake`` (dropped and re-created: it refuses any other
name) and prints its ratios; figures go to ``bench/results/`` as JSON.
"""

# SQL here is built from model table and column names, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kw_bench_intake"
sys.path.insert(0, str(ROOT))

from bench.risk_rescore import (  # noqa: E402
    configure_environment,
    database_drop,
    database_recreate,
)

KABKOTA_SAMPLE = 60  # kab/kota the synthetic incidents spread over (Sumatera Barat's 19 first)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import clear_url_caches

    # The project's URLs plus the floor's bare view (bench/intake_urls.py).
    settings.ROOT_URLCONF = "bench.intake_urls"
    # The clients log in with force_login: no TOTP step (authentication is not measured).
    settings.OTP_REQUIRED_ROLES = []
    clear_url_caches()

    call_command("migrate", verbosity=0)
    for command in ("load_regions", "load_pilkada2024", "load_taxonomy"):
        call_command(command, verbosity=0)
    from kewaspadaan.models import Region
    from kewaspadaan.services import user_create

    password = "Kata-Sandi-" + os.urandom(8).hex()
    users = {
        "operator": user_create(username="bench.operator", role="operator",
                                jurisdiction=Region.objects.get(code="13.77"),
                                password=password),
        "analyst": user_create(username="bench.analyst", role="analyst",
                               jurisdiction=Region.objects.get(code="13"), password=password),
        "national": user_create(username="bench.national", role="national", jurisdiction=None,
                                password=password),
    }
    return users


# --- Filling incidents with COPY ---------------------------------------------------------

class IncidentRows:
    """Incident rows for COPY, one value per concrete column of the model (so the benchmark
    follows the schema); unknown columns take their default or NULL."""

    def __init__(self, *, creator_id: int) -> None:
        from django.db import models

        from kewaspadaan.models import Election, Indicator, Region
        from laporan.models import Incident

        self.model = Incident
        self.fields = [f for f in Incident._meta.concrete_fields if not f.primary_key]
        sumbar = list(Region.objects.filter(parent_id="13").values_list("code", flat=True))
        others = list(Region.objects.filter(level=2).exclude(parent_id="13")
                      .order_by("code").values_list("code", flat=True))
        rng = random.Random(5)
        self.regions = sumbar + rng.sample(others, KABKOTA_SAMPLE - len(sumbar))
        self.indicators = list(Indicator.objects.filter(parent__isnull=False)
                               .values_list("pk", "athg"))
        self.election = Election.objects.get(slug="pilkada-2024").pk
        self.creator = creator_id
        self.text_types = (models.CharField, models.TextField)

    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    def _value(self, field, i: int, rng: random.Random, base: dict):
        if field.name in base:
            return base[field.name]
        if field.null:
            return None
        if field.has_default():
            default = field.get_default()
            return default() if callable(default) else default
        if isinstance(field, self.text_types):
            return ""
        raise ValueError(f"no value for {field.name}")

    def rows(self, count: int, *, start: int, seed: int):
        import datetime as dt

        rng = random.Random(seed)
        season = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        for i in range(start, start + count):
            indicator, athg = rng.choice(self.indicators)
            status = rng.choices(["submitted", "verified", "rejected", "follow_up", "closed"],
                                 [15, 55, 5, 15, 10])[0]
            when = season + dt.timedelta(seconds=rng.randrange(240 * 86400))
            base = {
                "title": f"Kejadian sintetis {i}", "narrative": "Uji kecepatan: data sintetis.",
                "region": rng.choice(self.regions), "occurred_at": when,
                "election": self.election, "indicator": indicator, "athg": athg,
                "source_type": "laporan_masyarakat", "source_reliability": "C",
                "information_credibility": 3, "severity": rng.randint(1, 4),
                "classification": rng.choices(["biasa", "terbatas", "rahasia"], [85, 12, 3])[0],
                "status": status, "external_ref": f"BENCH-{i}", "created_by": self.creator,
                "created_at": when, "updated_at": when, "is_demo": False,
            }
            yield [self._value(f, i, rng, base) for f in self.fields]


def copy_incidents(rows: IncidentRows, count: int, *, start: int, seed: int) -> float:
    from django.db import connection, transaction

    def cell(value) -> str:
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    began = time.perf_counter()
    table = rows.model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        buffer = io.StringIO()
        for n, row in enumerate(rows.rows(count, start=start, seed=seed), start=1):
            buffer.write("\t".join(cell(v) for v in row) + "\n")
            if n % 50_000 == 0 or n == count:
                buffer.seek(0)
                cursor.cursor.copy_expert(
                    f"COPY {table} ({', '.join(rows.columns())}) FROM STDIN", buffer)
                buffer = io.StringIO()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - began


# --- 1. Creation ---------------------------------------------------------------------------

def creation(users: dict, repeats: int) -> dict:
    from django.test import Client

    from tests.api.test_incident_api import pariaman_payload  # the Pariaman case as sent

    client = Client()
    client.force_login(users["operator"])
    api_times, bare_times = [], []
    for i in range(repeats):
        for kind in ("api", "bare") if i % 2 else ("bare", "api"):
            began = time.perf_counter()
            if kind == "api":
                response = client.post("/api/v1/incidents/", pariaman_payload(
                    title=f"Grup WhatsApp ASN {i}"), content_type="application/json")
                api_times.append(time.perf_counter() - began)
            else:
                response = client.post("/bench/bare-insert/", {"n": i})
                bare_times.append(time.perf_counter() - began)
            assert response.status_code == 201, (kind, response.status_code,
                                                 response.content[:300])
    warm = repeats // 10  # the first requests warm caches and connections
    return {"api_median": statistics.median(api_times[warm:]),
            "bare_median": statistics.median(bare_times[warm:]), "requests": repeats}


# --- 2. Lists ------------------------------------------------------------------------------

LISTS = {
    "api: verified in Sumatera Barat, newest first":
        ("analyst", "/api/v1/incidents/?status=verified&region=13&ordering=-occurred_at"),
    "api: money politics, everywhere":
        ("national", "/api/v1/incidents/?indicator=uang-tunai"),
    "page: incident list, verified, Sumatera Barat":
        ("analyst", "/incidents/?status=verified"),
}


def lists(users: dict, repeats: int) -> dict:
    from django.test import Client

    clients = {}
    for role in ("analyst", "national"):
        clients[role] = Client()
        clients[role].force_login(users[role])
    out = {}
    for name, (role, url) in LISTS.items():
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            response = clients[role].get(url)
            times.append(time.perf_counter() - began)
            assert response.status_code == 200, (url, response.status_code)
        out[name] = statistics.median(times[1:])
    return out


# --- 3. Export -----------------------------------------------------------------------------

EXPORT_CHILD = r'''
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from bench.risk_rescore import peak_rss_mb
from kewaspadaan.models import User
from laporan import selectors, transfer
user = User.objects.get(username="bench.national")
queryset = selectors.incident_list(user=user)
rss_before = peak_rss_mb()
began = time.perf_counter()
size = rows = 0
for chunk in transfer.incident_export_csv(queryset, language="id"):
    size += len(chunk)
    rows += chunk.count(b"\n")
seconds = time.perf_counter() - began
print(json.dumps({"seconds": seconds, "bytes": size, "lines": rows,
                  "peak_rss_mb": peak_rss_mb(), "rss_before_mb": rss_before}))
'''


def export(url: str) -> dict:
    """The export through ``laporan.transfer.incident_export_csv`` (what the download view
    streams) in a fresh process, so its peak memory is its own; then COPY of the same rows
    and columns the export reads."""
    from django.db import connection, connections

    from laporan import selectors, transfer
    from laporan.models import Incident

    connections.close_all()
    done = subprocess.run([sys.executable, "-c", EXPORT_CHILD, str(ROOT)],  # noqa: S603
                          env=os.environ, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit("export failed")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The floor: COPY of the export's own query (same rows, joins and columns), to a sink.
    from kewaspadaan.models import User

    user = User.objects.get(username="bench.national")
    queryset = transfer._export_queryset(selectors.incident_list(user=user))
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        literal = cursor.mogrify(sql, params).decode()

    class Sink(io.RawIOBase):
        size = 0

        def writable(self):
            return True

        def write(self, data):
            Sink.size += len(data)
            return len(data)

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY ({literal}) TO STDOUT WITH CSV HEADER", Sink())
    result["copy_seconds"] = time.perf_counter() - began
    result["copy_bytes"] = Sink.size
    result["incidents"] = Incident.objects.count()
    return result


# --- 4. Import -----------------------------------------------------------------------------

def import_batch(users: dict, rows: int) -> dict:
    """A CSV of ``rows`` incidents through preview and confirmation (the services the import
    page calls), against COPY of the same number of incident rows."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from laporan import transfer

    lines = ["ref_eksternal,kode_wilayah,waktu_kejadian,kode_indikator,judul,uraian,"
             "jenis_sumber,keparahan"]
    for i in range(rows):
        lines.append(f"IMP-{i},13.77,2024-11-2{i % 6 + 1} 10:00,uang-tunai,Pembagian uang {i},"
                     "Amplop dibagikan kepada warga,laporan_masyarakat,2")
    upload = SimpleUploadedFile("impor.csv", ("\n".join(lines) + "\n").encode())
    began = time.perf_counter()
    batch = transfer.incident_import_preview(by=users["analyst"], upload=upload)
    preview = time.perf_counter() - began
    began = time.perf_counter()
    batch = transfer.incident_import_confirm(batch=batch, by=users["analyst"])
    confirm = time.perf_counter() - began
    return {"rows": rows, "preview_seconds": preview, "confirm_seconds": confirm,
            "created": batch.created_count, "rejected": len(batch.errors)}


# --- Main --------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k then 100k incidents")
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    big = 100_000 if args.quick else args.big
    os.environ.update(ALLOWED_HOSTS="testserver,localhost", SECURE_SSL_REDIRECT="false",
                      SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false",
                      STATIC_MANIFEST="false")
    configure_environment(args.database_url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log(f"database {args.database_url.rsplit('/', 1)[1]}: (re)creating, migrating, loading")
    database_recreate(args.database_url)
    results: dict = {"big": big}
    try:
        users = setup()
        log("1. creation: API against a bare insert view (300 requests each)")
        results["creation"] = creation(users, 300)
        rows = IncidentRows(creator_id=users["operator"].pk)
        log("COPY 10,000 incidents")
        copy_incidents(rows, 10_000, start=0, seed=1)
        log("2. lists at 10,000; 3. export at 10,000")
        results["lists_small"] = lists(users, 21)
        results["export_small"] = export(args.database_url)
        log(f"COPY {big - 10_000:,} more incidents")
        results["copy_fill_seconds"] = copy_incidents(rows, big - 10_000, start=10_000, seed=2)
        log(f"2. lists at {big:,}; 3. export at {big:,}")
        results["lists_big"] = lists(users, 21)
        results["export_big"] = export(args.database_url)
        log("4. import of 2,000 rows through preview and confirmation")
        results["import"] = import_batch(users, 2_000)
        results["copy_2000_seconds"] = copy_incidents(rows, 2_000, start=big, seed=3)
    finally:
        if not args.keep_db:
            database_drop(args.database_url)
    c, ls, lb = results["creation"], results["lists_small"], results["lists_big"]
    es, eb, im = results["export_small"], results["export_big"], results["import"]
    ratios = {
        "creation_api_over_bare": c["api_median"] / c["bare_median"],
        **{f"list {name}: {big:,} / 10,000": lb[name] / ls[name] for name in LISTS},
        "export_over_copy": eb["seconds"] / eb["copy_seconds"],
        "export_peak_rss_big_over_small": eb["peak_rss_mb"] / es["peak_rss_mb"],
        "import_per_row_over_copy": (im["preview_seconds"] + im["confirm_seconds"])
        / results["copy_2000_seconds"],
    }
    results["ratios"] = ratios
    path = RESULTS / f"intake-{big}-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    ms = 1000
    print(f"""
Kewaspadaan intake speed, PostgreSQL, {os.cpu_count()} CPUs (peak RSS via VmHWM)

1. creation (median of {c['requests']} each): API {c['api_median'] * ms:.1f} ms, bare insert view \
{c['bare_median'] * ms:.1f} ms  ->  {ratios['creation_api_over_bare']:.2f}x   (aim <= 2x)
2. lists (median of 20):""")
    for name in LISTS:
        print(f"   {name:<48} {ls[name] * ms:7.1f} ms at 10,000, {lb[name] * ms:7.1f} ms at "
              f"{big:,}  ->  {lb[name] / ls[name]:.2f}x   (aim ~1x)")
    print(f"""3. CSV export of {eb['incidents']:,} incidents: {eb['seconds']:.2f} s \
({eb['bytes'] / 1e6:.0f} MB), COPY of the same query {eb['copy_seconds']:.2f} s  ->  \
{ratios['export_over_copy']:.2f}x   (aim <= 3x)
   peak RSS of the export process: {es['peak_rss_mb']:.0f} MB at 10,000, \
{eb['peak_rss_mb']:.0f} MB at {eb['incidents']:,}  ->  \
{ratios['export_peak_rss_big_over_small']:.2f}x   (aim: flat)
4. import of {im['rows']:,} rows (the importer's limit per file): preview \
{im['preview_seconds']:.2f} s + confirm {im['confirm_seconds']:.2f} s ({im['created']:,} created), \
COPY of {im['rows']:,} rows {results['copy_2000_seconds']:.3f} s  ->  \
{ratios['import_per_row_over_copy']:.1f}x   (aim <= 5x)

figures: {path.relative_to(ROOT)}""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
