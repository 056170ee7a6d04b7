#!/usr/bin/env python
"""Load test (issue 7, item 6): the portal under gunicorn with PostgreSQL, Redis and a real
Celery worker, on loopback, driven by locust (``bench/locustfile.py``): operators logging
and submitting incidents, analysts verifying them, officials watching dashboards.

One command, from the repository root::

    .venv/bin/python bench/load.py                 # 200 users, 150 s (50 s ramp-up)
    .venv/bin/python bench/load.py --users 50 --duration 40

It creates its own database (``kw_bench_load``: it drops and re-creates it, so it refuses any
name not starting with ``kw_bench``), loads the reference data and the load's accounts and a
starting set of verified incidents through the project's services, scores them, starts
gunicorn and a worker on 127.0.0.1, runs locust headless for a bounded time and prints
requests per second, p50 and p95 per page and the errors. Figures go to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kw_bench_load"
# Kab/kota of the load's operators: Sumatera Barat's cities of the Pariaman story, and a few
# in Jawa Tengah and NTB, so officials of three provinces watch three dashboards.
KABKOTA = ["13.77", "13.72", "13.74", "13.75", "13.71", "33.74", "33.72", "52.71", "52.01"]
INDICATORS = ["uang-tunai", "asn-grup-percakapan", "intimidasi-verbal", "sara-ujaran"]

sys.path.insert(0, str(ROOT))
from bench.risk_rescore import database_recreate, maintenance_connection  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(url: str, redis_url: str) -> dict:
    """Production settings (DEBUG off, tasks on the worker through Redis), plain HTTP on
    loopback. Secrets are generated for this run only."""
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kewaspadaan.settings",
        "KW_DOTENV": "0",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "false",
        "DEMO_MODE": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "false",
        "EMAIL_BACKEND": "locmem",
        "LOG_LEVEL": "WARNING",
        # The simulated analysts and officials log in with their password only (a TOTP step
        # per login would measure the authenticator, not the portal); admins keep it.
        "OTP_REQUIRED_ROLES": "admin",
        "RESCORE_COALESCE_SECONDS": "3",
    }


SETUP = r'''
import datetime as dt, random, sys
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from kewaspadaan.models import Indicator, Region
from django.core.management import call_command
from kewaspadaan.services import rescore_all, user_create
from laporan import services

kabkota, password = sys.argv[1].split(","), sys.argv[4]
accounts, incidents = int(sys.argv[2]), int(sys.argv[3])
for command in ("load_regions", "load_pilkada2024", "load_taxonomy"):
    call_command(command, verbosity=0)
regions = {r.code: r for r in Region.objects.filter(code__in=kabkota)}
provinces = sorted({c[:2] for c in kabkota})
def make(prefix, role, jurisdiction):
    return user_create(username=prefix, role=role, jurisdiction=jurisdiction,
                       password=password, first_name="Load", last_name=prefix,
                       email=f"{prefix}@load.invalid")
operators, analysts = [], []
for n in range(accounts):
    operators.append(make(f"load.op.{n}", "operator", regions[kabkota[n % len(kabkota)]]))
    analysts.append(make(f"load.an.{n}", "analyst",
                         Region.objects.get(code=provinces[n % len(provinces)])))
    make(f"load.of.{n}", "official", Region.objects.get(code=provinces[n % len(provinces)]))
indicators = list(Indicator.objects.filter(parent__isnull=False))
rng = random.Random(7)
for i in range(incidents):
    op = operators[i % len(operators)]
    with transaction.atomic():
        incident = services.incident_create(by=op, submit=True, data=services.IncidentData(
            title=f"Kejadian awal {i}", narrative="Data awal uji beban.",
            region=op.jurisdiction, indicator=rng.choice(indicators),
            source_type="laporan_masyarakat",
            occurred_at=timezone.now() - dt.timedelta(days=rng.randrange(60),
                                                      hours=rng.randrange(24)),
            severity=rng.randint(1, 4)))
        analyst = next(a for a in analysts
                       if op.jurisdiction.code.startswith(a.jurisdiction.code))
        if i % 3:
            services.incident_verify(incident=incident, by=analyst, reliability="B", credibility=2)
rescore_all()
print("setup done")
'''


def run(command, env, **kwargs):
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {timeout} s")


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report(rows: list[dict], args, seconds: float) -> str:
    lines = ["", f"Kewaspadaan load test: {args.users} users (spawn {args.spawn_rate}/s) for "
             f"{args.duration} s against gunicorn ({args.web_workers} workers) + PostgreSQL + "
             "Redis + 1 Celery worker on 127.0.0.1; figures from the steady state (after the "
             "ramp-up and its logins)", "",
             f"  {'page':<34} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'errors':>7}"]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        lines.append(f"  {name[:34]:<34} {int(row['Request Count']):>9,} "
                     f"{float(row['Requests/s']):>7.1f} {row['50%']:>8} {row['95%']:>8} "
                     f"{int(row['Failure Count']):>7}")
    lines.append(f"\n  wall time {seconds:.0f} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=4,
                        help="users started per second (each logs in once: a password hash)")
    parser.add_argument("--duration", type=int, default=150,
                        help="seconds of load in all, ramp-up included (bounded)")
    parser.add_argument("--accounts", type=int, default=20, help="accounts per role")
    parser.add_argument("--incidents", type=int, default=300,
                        help="incidents logged (two thirds verified) before the load")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    if args.duration > 600 or args.users > 1000:
        parser.error("bounded: at most 1,000 users and 600 s")
    if not shutil.which("locust", path=str(ROOT / ".venv" / "bin")) and not shutil.which("locust"):
        parser.error("locust is not installed (uv sync --all-groups installs the bench group)")
    locust = shutil.which("locust", path=str(ROOT / ".venv" / "bin")) or shutil.which("locust")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    env = environment(args.database_url, args.redis_url)
    python = sys.executable
    started = time.monotonic()
    print(f"database {args.database_url.rsplit('/', 1)[1]}: (re)creating; migrate; reference "
          "data, accounts and starting incidents", flush=True)
    database_recreate(args.database_url)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    processes = []
    try:
        run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
        worker = subprocess.Popen(  # noqa: S603
            [python, "-m", "celery", "-A", "kewaspadaan", "worker", "-Q",
             "default,scoring,notifications,exports", "-c", "2", "-l", "WARNING",
             "--without-gossip", "--without-mingle"], cwd=ROOT, env=env)
        processes.append(worker)
        run([python, "-c", SETUP, ",".join(KABKOTA), str(args.accounts), str(args.incidents),
             password], env)
        port = free_port()
        web = subprocess.Popen(  # noqa: S603
            [python, "-m", "gunicorn", "kewaspadaan.wsgi:application", "-b",
             f"127.0.0.1:{port}", "-w", str(args.web_workers), "--timeout", "60",
             "--log-level", "warning"], cwd=ROOT, env=env)
        processes.append(web)
        wait_http(f"http://127.0.0.1:{port}/healthz")
        prefix = RESULTS / f"load-{args.users}u-{stamp}"
        print(f"locust: {args.users} users for {args.duration} s ...", flush=True)
        load_env = {**env, "KW_LOAD_PASSWORD": password, "KW_LOAD_ACCOUNTS": str(args.accounts),
                    "KW_LOAD_KABKOTA": ",".join(KABKOTA),
                    "KW_LOAD_INDICATORS": ",".join(INDICATORS)}
        subprocess.run(  # noqa: S603
            [locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
             "--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING",
             # Figures of the steady state, once every user has logged in (a login is a
             # deliberately slow password hash, ~1 s of CPU: a morning's logins, not a load).
             "--reset-stats"],
            cwd=ROOT, env=load_env, check=True)
        rows = read_stats(prefix)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep_db:
            conn, name = maintenance_connection(args.database_url)
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.close()
    seconds = time.monotonic() - started
    total = next(r for r in rows if r["Name"] == "Aggregated")
    result = {"users": args.users, "duration": args.duration, "web_workers": args.web_workers,
              "cpus": os.cpu_count(), "rows": rows, "wall_seconds": round(seconds, 1),
              "errors": int(total["Failure Count"])}
    path = RESULTS / f"load-{args.users}u-{stamp}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(rows, args, seconds))
    print(f"\nfigures: {path.relative_to(ROOT)}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
