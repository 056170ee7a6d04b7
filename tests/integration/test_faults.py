"""Faults on the real parts: with Redis stopped, operators still log and analysts still verify
incidents through the API, nothing is lost, and once Redis is back a worker and the periodic
rescore catch up the scores and the alerts.

The test runs its own Redis on a free loopback port (stopped, then started), so the shared
Redis that other tests and processes use is never touched."""

import datetime as dt
import shutil
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.utils import timezone

from kewaspadaan import celery_app
from kewaspadaan.models import Alert, RescoreRequest, RiskScore
from kewaspadaan.settings import redis_caches
from kewaspadaan.tasks import rescore_all
from laporan.models import Incident
from tests.api.test_incident_api import INCIDENTS, pariaman_payload
from tests.conftest import need
from tests.factories import UserFactory
from tests.integration.workers import free_port, start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.worker]



class PrivateRedis:
    """A redis-server of this test only, on 127.0.0.1, keeping nothing on disk."""

    def __init__(self, tmp_path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        assert wait_for(up, timeout=20), "the private Redis did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_down(committed_db, settings, monkeypatch, tmp_path):
    """This process and the workers it starts use a private Redis that is not running yet."""
    need(shutil.which("redis-server") is not None, "needs redis-server on the PATH")
    server = PrivateRedis(tmp_path)
    settings.REDIS_URL = server.url
    settings.CACHES = redis_caches(server.url)  # as production configures it
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.RESCORE_COALESCE_SECONDS = 1
    monkeypatch.setenv("REDIS_URL", server.url)
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    _reset_producers()
    yield server
    server.stop()
    celery_app.conf.update(saved)
    _reset_producers()
    caches["default"].close()


def _reset_producers() -> None:
    """Forget Celery's cached broker connections so the next publish uses the current URL
    (the old pool is left to the garbage collector: closing it would close it for good)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_redis_down_reports_are_taken_and_scores_catch_up_when_it_returns(
        redis_down, api_client, tmp_path):
    operator = UserFactory(username="op.pariaman", role="operator", jurisdiction_code="13.77")
    analyst = UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13")
    UserFactory(username="of.sumbar", role="official", jurisdiction_code="13")

    # Redis is down: an operator logs five reports, an analyst verifies them.
    api_client.force_authenticate(operator)
    started = time.monotonic()
    ids = []
    for day in range(5):
        response = api_client.post(INCIDENTS, pariaman_payload(
            title=f"Pembagian uang tunai {day}", indicator="uang-tunai", actors=[],
            occurred_at=(timezone.now() - dt.timedelta(days=day, hours=1)).isoformat()),
            format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
        response = api_client.post(f"{INCIDENTS}{ids[-1]}/submit/", format="json")
        assert response.status_code == 200, response.content
    api_client.force_authenticate(analyst)
    for pk in ids:
        response = api_client.post(f"{INCIDENTS}{pk}/verify/",
                                   {"reliability": "B", "credibility": 2}, format="json")
        assert response.status_code == 200, response.content
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"fifteen writes took {elapsed:.0f} s with Redis down"

    # Nothing lost: the incidents are verified, the rescore requests wait in PostgreSQL.
    assert Incident.objects.filter(pk__in=ids, status="verified").count() == 5
    assert RescoreRequest.objects.filter(region_id="13.77").exists()
    assert not RiskScore.objects.filter(region_id="13.77").exists()

    # Redis returns, a worker starts, and the periodic full rescore (what beat sends every
    # hour) catches up: Pariaman and Sumatera Barat are scored and alerts raised once.
    redis_down.start()
    process, _hostname, log = start_worker(tmp_path, "kwfault", concurrency=1)
    try:
        rescore_all.delay()
        assert wait_for(lambda: RiskScore.objects.filter(region_id="13.77", stage="",
                                                         signal_count=5).exists(),
                        timeout=90), open(log.name).read()[-3000:]
        assert RiskScore.objects.filter(region_id="13", stage="").exists()
        assert not RescoreRequest.objects.exists()
        assert wait_for(lambda: Alert.objects.filter(region_id="13.77").exists(), timeout=30)
        keys = list(Alert.objects.values_list("condition_key", flat=True))
        assert len(keys) == len(set(keys))
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
