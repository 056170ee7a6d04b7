"""The risk engine on the real parts: Redis, PostgreSQL and two Celery worker processes.

Verifying incidents in Kota Pariaman is queued on commit, rescored by a worker, raises
Pariaman's and Sumatera Barat's scores, and crossing a level makes exactly one alert with
one delivery per recipient, also when two workers rescore the same region at once.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from kewaspadaan.choices import Channel
from kewaspadaan.models import Alert, AlertDelivery, Indicator, Region, RiskScore
from kewaspadaan.tasks import rescore_region
from laporan import services
from tests.factories import UserFactory
from tests.integration.workers import start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


@pytest.fixture
def two_workers(committed_db, real_queue, tmp_path):
    workers = [start_worker(tmp_path, f"kwengine{i}", concurrency=2) for i in range(2)]
    yield workers
    for process, _hostname, log in workers:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def incident_data(day: int) -> services.IncidentData:
    return services.IncidentData(
        title="Pembagian uang tunai", narrative="Tim sukses membagikan amplop berisi uang.",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=day, hours=1),
        indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu",
        severity=3)


def test_verifications_in_pariaman_raise_scores_and_alert_once_per_recipient(two_workers):
    operator = UserFactory(username="op.pariaman", role="operator", jurisdiction_code="13.77")
    analyst = UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13",
                          email="analis@sumbar.go.id")
    official = UserFactory(username="of.sumbar", role="official", jurisdiction_code="13",
                           email="pejabat@sumbar.go.id")
    UserFactory(username="of.solok", role="official", jurisdiction_code="13.72")
    incidents = [services.incident_create(by=operator, data=incident_data(d), submit=True)
                 for d in range(5)]
    with transaction.atomic():  # a burst: one commit, one queued rescore
        for incident in incidents:
            services.incident_verify(incident=incident, by=analyst, reliability="B",
                                     credibility=2)

    def scored():
        # The kab/kota is written before its province's roll-up: wait for both.
        return all(RiskScore.objects.filter(region_id=code, stage="", signal_count=5).exists()
                   for code in ("13.77", "13"))

    assert wait_for(scored, timeout=60), "no worker rescored Kota Pariaman"
    pariaman = RiskScore.objects.filter(region_id="13.77", stage="").latest("day")
    sumbar = RiskScore.objects.filter(region_id="13", stage="").latest("day")
    assert pariaman.total > 0 and sumbar.total > 0 and sumbar.signal_count == 5
    assert wait_for(lambda: Alert.objects.filter(region_id="13.77",
                                                 rule="level_rise").exists(), timeout=30)

    # Two workers rescoring the same region at the same moment.
    for _ in range(2):
        rescore_region.delay("13.77")

    def both_ran():
        logs = "".join(open(log.name).read() for _p, _h, log in two_workers)
        return logs.count("kewaspadaan.tasks.rescore_region") >= 2 and logs.count(
            "succeeded") >= 3

    assert wait_for(both_ran, timeout=60), "the two rescores did not both run"

    def delivered():
        return not AlertDelivery.objects.exclude(status="sent").exists()

    assert wait_for(delivered, timeout=60), list(
        AlertDelivery.objects.exclude(status="sent").values("alert__title", "target"))
    alerts = Alert.objects.all()
    assert alerts.filter(region_id="13.77", rule="level_rise").exists()
    assert alerts.filter(region_id="13", rule="level_rise").exists()  # the province too
    keys = Counter(alerts.values_list("condition_key", flat=True))
    assert all(n == 1 for n in keys.values())
    for alert in alerts:
        per_recipient = Counter(alert.deliveries.filter(channel=Channel.PORTAL)
                                .values_list("recipient__username", flat=True))
        assert per_recipient == {"an.sumbar": 1, "of.sumbar": 1}  # never Kota Solok's
        emails = sorted(alert.deliveries.filter(channel=Channel.EMAIL)
                        .values_list("target", flat=True))
        assert emails == ["analis@sumbar.go.id", "pejabat@sumbar.go.id"]
        assert set(alert.deliveries.values_list("attempts", flat=True)) == {1}
    assert official.alert_deliveries.filter(channel=Channel.PORTAL).count() == alerts.count()
