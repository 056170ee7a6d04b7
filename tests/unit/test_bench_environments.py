"""The benchmarks start Django with production settings of their own: those settings must
still pass start-up when a new required variable appears (a bench that no longer starts is a
benchmark nobody can rerun)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {k: v for k, v in os.environ.items()
         if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "FIELD_", "SECRET_", "DEBUG",
                              "ALLOWED_", "CELERY_", "KW_"))}


def starts(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=CLEAN,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_rescore_and_intake_benchmarks_configure_a_startable_django():
    done = starts("from bench.risk_rescore import configure_environment; "
                  "configure_environment('postgres://postgres@127.0.0.1:5432/kw_bench_x'); "
                  "import django; django.setup(); from django.conf import settings; "
                  "assert not settings.DEBUG; print('ok')")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_load_benchmark_configures_a_startable_portal():
    done = starts("import os; from bench.load import environment; "
                  "os.environ.update(environment('postgres://postgres@127.0.0.1:5432/kw_bench_x', "
                  "'redis://127.0.0.1:6379/7')); import django; django.setup(); "
                  "from django.conf import settings; assert not settings.DEBUG; print('ok')")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
