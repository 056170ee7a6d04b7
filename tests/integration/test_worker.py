"""A real Celery worker process on Redis and PostgreSQL, seen by /readyz through its heartbeat."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from kewaspadaan import heartbeat
from tests.conftest import redis_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


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


@pytest.fixture
def worker(committed_db, require_postgres, require_redis, tmp_path):
    """Start ``celery worker`` against the test database; stop it afterwards."""
    process, hostname, log = start_worker(tmp_path, f"kwtest-{uuid.uuid4().hex[:8]}")
    yield process, hostname
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    log.close()


def test_readyz_sees_a_live_worker_and_notices_when_it_stops(client, settings, worker):
    process, hostname = worker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = redis_url()

    body = client.get("/readyz").json()
    assert body["status"] == "ok", body
    assert body["checks"]["database"] == {"status": "ok", "vendor": "postgresql"}
    assert body["checks"]["broker"]["mode"] == "redis"
    assert hostname in body["checks"]["worker"]["workers"]

    process.terminate()
    process.wait(timeout=30)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["error"] == "no worker heartbeat"


def test_the_worker_heartbeat_names_its_queues(worker):
    _process, hostname = worker
    [me] = [w for w in heartbeat.live_workers() if w["hostname"] == hostname]
    assert me["queues"] == ["default", "exports", "notifications", "scoring"]


@pytest.mark.redis
def test_readyz_reports_an_unreachable_broker(client, settings, require_redis):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["worker"]["status"] == "error"


def test_redis_is_reachable_for_the_cache(require_redis):
    from django.core.cache import cache

    cache.set("kw-probe", "ok", 5)
    assert cache.get("kw-probe") == "ok"
    assert redis.Redis.from_url(redis_url()).ping()
