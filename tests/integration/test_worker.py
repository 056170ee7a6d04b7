"""A real Celery worker process on Redis and PostgreSQL, seen by /readyz through its heartbeat."""

import uuid

import pytest
import redis

from kewaspadaan import heartbeat
from tests.conftest import redis_url
from tests.integration.workers import start_worker

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


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
