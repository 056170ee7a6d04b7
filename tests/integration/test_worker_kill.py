"""A worker killed in the middle of a rescore or of a notification: after the task is handed
to another worker, the work is finished and nothing is doubled (no second alert, no second
delivery, a resent message carrying the same delivery id).

The workers run tasks in their own process (``-P solo``), so SIGKILL kills the task with
them, and hand a dead worker's task on after 3 seconds (CELERY_VISIBILITY_TIMEOUT)."""

import datetime as dt
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kewaspadaan.choices import Channel
from kewaspadaan.models import (
    Alert,
    AlertDelivery,
    Election,
    Indicator,
    Region,
    RescoreRequest,
    RiskScore,
)
from kewaspadaan.services import risk
from kewaspadaan.tasks import deliver_alert, retry_failed_deliveries
from laporan import services
from tests.factories import UserFactory
from tests.integration.workers import start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]
HANDOVER = {"CELERY_VISIBILITY_TIMEOUT": "3"}


def kill(worker) -> None:
    process, _hostname, log = worker
    process.kill()
    process.wait(timeout=30)
    log.close()


def stop(worker) -> None:
    process, _hostname, log = worker
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    log.close()


def test_a_worker_killed_mid_rescore_leaves_no_duplicate_and_the_rescore_completes(
        committed_db, real_queue, tmp_path):
    operator = UserFactory(username="op.pariaman", role="operator", jurisdiction_code="13.77")
    analyst = UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13",
                          email="analis@sumbar.go.id")
    UserFactory(username="of.sumbar", role="official", jurisdiction_code="13")
    today = risk._today(Region.objects.get(code="13.77"))
    # Sumatera Barat's snapshot row exists and this test holds it locked: the rescore
    # writes Pariaman's snapshots and alerts, then waits on the province's roll-up.
    province = RiskScore.objects.create(
        region_id="13", election=Election.objects.get(slug="pilkada-2024"), stage="",
        day=today, level="rendah", profile=risk.profile_active())
    incidents = [services.incident_create(by=operator, submit=True, data=services.IncidentData(
        title=f"Pembagian uang tunai {i}", narrative="Amplop berisi uang dibagikan.",
        region=Region.objects.get(code="13.77"),
        occurred_at=timezone.now() - dt.timedelta(days=i, hours=1),
        indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu",
        severity=3)) for i in range(5)]
    workers = []
    with transaction.atomic():
        RiskScore.objects.select_for_update().get(pk=province.pk)
        # This connection holds the lock, so the verifications commit from a thread with
        # its own connection (and queue the rescore when they commit).
        done = threading.Event()

        def verify():
            try:
                with transaction.atomic():
                    for incident in incidents:
                        services.incident_verify(incident=incident, by=analyst,
                                                 reliability="B", credibility=2)
            finally:
                connection.close()
                done.set()

        threading.Thread(target=verify).start()
        assert done.wait(30)
        first = start_worker(tmp_path, "kwkill1", pool="solo", env=HANDOVER)
        workers.append(first)
        assert wait_for(lambda: RiskScore.objects.filter(
            region_id="13.77", stage="", day=today, signal_count=5).exists(), timeout=60), \
            open(first[2].name).read()[-3000:]
        assert wait_for(lambda: Alert.objects.filter(region_id="13.77").exists(), timeout=30)
        kill(first)  # mid-rescore: the province's roll-up is still waiting on the lock
    try:
        assert RescoreRequest.objects.filter(region_id="13.77").exists()  # not lost
        second = start_worker(tmp_path, "kwkill2", pool="solo", env=HANDOVER)
        workers.append(second)
        assert wait_for(lambda: not RescoreRequest.objects.exists(), timeout=90), \
            open(second[2].name).read()[-3000:]
        province.refresh_from_db()
        assert province.signal_count == 5 and province.total > 0

        def delivered():
            return not AlertDelivery.objects.exclude(status="sent").exists()

        # A delivery task the killed worker had already taken from Redis is lost with it
        # (Redis hands a message over before the worker records it); the periodic sweep
        # (beat, every 10 minutes) queues every pending delivery again.
        retry_failed_deliveries.delay()
        assert wait_for(delivered, timeout=60)
        keys = Counter(Alert.objects.values_list("condition_key", flat=True))
        assert keys and all(n == 1 for n in keys.values())
        for alert in Alert.objects.all():
            per_recipient = Counter(alert.deliveries.values_list("channel", "target"))
            assert all(n == 1 for n in per_recipient.values())
            assert {f"user:{analyst.pk}"} <= {t for (c, t) in per_recipient
                                                 if c == Channel.PORTAL}
    finally:
        for worker in workers[1:]:
            stop(worker)


class SlowGateway(BaseHTTPRequestHandler):
    """A messaging gateway whose first answer hangs until the test lets it go."""

    requests: list = []
    first_seen = threading.Event()
    release = threading.Event()

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        SlowGateway.requests.append(self.headers["X-Kewaspadaan-Delivery"])
        if len(SlowGateway.requests) == 1:
            SlowGateway.first_seen.set()
            SlowGateway.release.wait(60)
            return  # the sender is gone: no answer
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_worker_killed_mid_notification_resends_once_with_the_same_delivery_id(
        committed_db, real_queue, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowGateway)
    SlowGateway.requests = []
    SlowGateway.first_seen.clear()
    SlowGateway.release.clear()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    alert = Alert.objects.create(rule="critical", condition_key="critical:kill:1",
                                 region_id="13.77", title="Kejadian kritis di Kota Pariaman",
                                 message="1 meninggal.", level="tinggi", score_total=60)
    delivery = AlertDelivery.objects.create(alert=alert, channel=Channel.WEBHOOK, target=url)
    workers = []
    try:
        first = start_worker(tmp_path, "kwnotify1", pool="solo", env=HANDOVER)
        workers.append(first)
        deliver_alert.delay(alert.pk)
        assert SlowGateway.first_seen.wait(60), open(first[2].name).read()[-3000:]
        kill(first)  # mid-send: the gateway has the request, the worker never recorded it
        workers.pop()
        SlowGateway.release.set()
        delivery.refresh_from_db()
        assert delivery.status == "pending"
        second = start_worker(tmp_path, "kwnotify2", pool="solo", env=HANDOVER)
        workers.append(second)

        def sent():
            delivery.refresh_from_db()
            return delivery.status == "sent"

        assert wait_for(sent, timeout=90), open(second[2].name).read()[-3000:]
        # Sent once more, no further: both requests carry the delivery's one id.
        assert SlowGateway.requests == [str(delivery.pk)] * 2
        assert delivery.attempts == 1  # the killed attempt was never recorded
        assert Alert.objects.count() == 1 and AlertDelivery.objects.count() == 1
    finally:
        SlowGateway.release.set()
        server.shutdown()
        for worker in workers:
            stop(worker)
