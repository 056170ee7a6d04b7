"""Helpers of the integration tests: real worker processes, waiting, free loopback ports."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kewaspadaan import heartbeat
from tests.conftest import redis_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (servers the tests start listen on loopback only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(predicate, timeout=60.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def start_worker(tmp_path, name: str, *, concurrency: int = 1, pool: str = "prefork",
                 env: dict | None = None):
    """A ``celery worker`` process on the test database and Redis; returns once its
    heartbeat is seen: (process, hostname, log file). ``pool="solo"`` runs tasks in the
    process itself (so killing it kills the task)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "console",
        **(env or {}),
    }
    log = open(tmp_path / f"{name}.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kewaspadaan", "worker", "-n", f"{name}@%h",
         "-Q", "default,scoring,notifications,exports", "-c", str(concurrency), "-P", pool,
         "-l", "INFO",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    hostname = None

    def started():
        nonlocal hostname
        hostname = next((w["hostname"] for w in heartbeat.live_workers()
                         if w["hostname"].startswith(name)), None)
        return hostname is not None or process.poll() is not None

    if not wait_for(started) or process.poll() is not None:
        log.seek(0)
        process.kill()
        pytest.fail(f"the worker did not start:\n{log.read()[-4000:]}")
    return process, hostname, log
