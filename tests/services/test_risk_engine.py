"""The risk engine end to end, in-process: signals from verified incidents become snapshots
of the kab/kota, its province and the nation; rises raise one alert with one delivery per
recipient."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from kewaspadaan.choices import AlertStatus, Channel
from kewaspadaan.models import (
    Alert,
    AlertDelivery,
    Indicator,
    Region,
    RescoreRequest,
    RiskScore,
    Signal,
)
from kewaspadaan.services import risk
from laporan import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2024, 10, 20)
commit = None  # set per test by _commits


def case(code="13.77", indicator="asn-grup-percakapan", when=dt.datetime(2024, 10, 14, 9, 30,
                                                                         tzinfo=WIB), **extra):
    return services.IncidentData(
        title="Grup WhatsApp ASN", narrative="15 ASN berkampanye di grup WhatsApp.",
        region=Region.objects.get(code=code), occurred_at=when,
        indicator=Indicator.objects.get(code=indicator), source_type="bawaslu", **extra)


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Tests run inside a transaction that never commits; each action here runs its
    on-commit hooks (the queued rescore and deliveries) when it finishes, as a commit would."""
    global commit
    commit = django_capture_on_commit_callbacks


def verified(analyst, operator, **kwargs):
    with commit(execute=True):
        incident = services.incident_create(by=operator, data=case(**kwargs), submit=True)
    with commit(execute=True):
        return services.incident_verify(incident=incident, by=analyst, reliability="B",
                                        credibility=2)


def overall(code, day=DAY):
    return RiskScore.objects.get(region_id=code, stage="", day=day)


def test_verifying_a_pariaman_incident_raises_pariaman_and_sumatera_barat(
    analyst_sumbar, operator_pariaman, monkeypatch
):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    verified(analyst_sumbar, operator_pariaman)
    pariaman, sumbar = overall("13.77"), overall("13")
    national = RiskScore.objects.get(region__isnull=True, stage="", day=DAY)
    assert pariaman.total > 0 and pariaman.hambatan > 0 and pariaman.signal_count == 1
    assert sumbar.total > 0 and sumbar.signal_count == 1 and national.signal_count == 1
    # The roll-up's raw points are its parts' (Pariaman is the only kab/kota with a signal).
    assert sumbar.raw_hambatan == pytest.approx(pariaman.raw_hambatan)
    assert pariaman.contributors["indicators"][0]["code"] == "asn-grup-percakapan"
    assert RiskScore.objects.get(region_id="13.77", stage="kampanye", day=DAY).signal_count == 1
    assert pariaman.profile.version == 1

    before = pariaman.total
    verified(analyst_sumbar, operator_pariaman, when=dt.datetime(2024, 10, 18, 10, 0,
                                                                 tzinfo=WIB))
    assert overall("13.77").total > before


def test_a_rejected_incident_withdraws_its_signal(analyst_sumbar, operator_pariaman,
                                                  monkeypatch):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    incident = verified(analyst_sumbar, operator_pariaman)
    assert Signal.objects.get(source_ref=str(incident.pk)).withdrawn_at is None
    other = verified(analyst_sumbar, operator_pariaman)
    assert overall("13.77").signal_count == 2
    with commit(execute=True):
        services.incident_merge(duplicate=other, into=incident, by=analyst_sumbar)
    assert Signal.objects.get(source_ref=str(other.pk)).withdrawn_at is not None
    assert overall("13.77").signal_count == 1


def test_crossing_a_level_creates_one_alert_and_one_delivery_per_recipient(
    analyst_sumbar, operator_pariaman, official_sumbar, national_user, operator_solok,
    monkeypatch, settings
):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    settings.ALERT_WEBHOOK_URLS = []
    official_sumbar.email = "pejabat@sumbar.go.id"
    official_sumbar.save()
    UserFactory(username="of.jateng", role="official", jurisdiction_code="33")
    for i in range(4):
        verified(analyst_sumbar, operator_pariaman, indicator="uang-tunai",
                 when=dt.datetime(2024, 10, 15 + i, 20, 0, tzinfo=WIB), severity=3)
    alerts = Alert.objects.filter(region_id="13.77", rule="level_rise")
    assert alerts.count() >= 1
    alert = alerts.order_by("created_at").first()
    recipients = set(alert.deliveries.filter(channel=Channel.PORTAL)
                     .values_list("recipient__username", flat=True))
    assert recipients == {"an.sumbar", "of.sumbar", "nasional"}  # not Solok, not Jawa Tengah
    assert alert.deliveries.filter(channel=Channel.EMAIL).count() == 1
    assert mail.outbox and mail.outbox[0].to == ["pejabat@sumbar.go.id"]
    assert all(d.status == "sent" for d in AlertDelivery.objects.filter(alert=alert))

    # The same condition evaluated again (a second worker, a re-run) creates nothing.
    keys = set(Alert.objects.values_list("condition_key", flat=True))
    with commit(execute=True):
        risk.rescore_all(day=DAY)
        risk.region_rescore(region=Region.objects.get(code="13.77"), day=DAY)
    assert set(Alert.objects.values_list("condition_key", flat=True)) == keys

    with pytest.raises(PermissionDenied):  # the role rule lives in the service
        risk.alert_acknowledge(alert=alert, by=operator_pariaman)
    alert = risk.alert_acknowledge(alert=alert, by=official_sumbar)
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == official_sumbar


def test_a_death_is_a_critical_alert_on_its_own(analyst_sumbar, operator_pariaman, monkeypatch):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    verified(analyst_sumbar, operator_pariaman, indicator="intimidasi-fisik", killed=1,
             injured=2, severity=4, when=dt.datetime(2024, 10, 19, 21, 0, tzinfo=WIB))
    assert Alert.objects.filter(rule="critical", region_id="13.77").count() == 1


def test_a_region_without_reports_is_a_coverage_gap(analyst_sumbar, operator_pariaman,
                                                    monkeypatch):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    verified(analyst_sumbar, operator_pariaman)
    risk.kabkota_rescore(region=Region.objects.get(code="13.72"),
                         election=RiskScore.objects.first().election, day=DAY,
                         profile_row=risk.profile_active())
    solok = overall("13.72")
    assert solok.coverage_gap and solok.total == 0
    assert not overall("13.77").coverage_gap


def test_a_burst_of_verifications_is_one_rescore(analyst_sumbar, operator_pariaman,
                                                 monkeypatch):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    calls = []
    real = risk.rescore_pending
    monkeypatch.setattr(risk, "rescore_pending",
                        lambda **kw: calls.append(real(**kw)) or calls[-1])
    from django.db import transaction

    incidents = [services.incident_create(by=operator_pariaman, data=case(), submit=True)
                 for _ in range(5)]
    with commit(execute=True), transaction.atomic():
        for incident in incidents:
            services.incident_verify(incident=incident, by=analyst_sumbar, reliability="B",
                                     credibility=2)
    rescored = [codes for codes in calls if codes]
    assert rescored == [["13.77"]]
    assert not RescoreRequest.objects.exists()  # served, then deleted


def test_a_rescore_that_dies_leaves_its_requests_for_the_retry(monkeypatch):
    """Requests are deleted after the rescore, not when claimed: a worker killed mid-way
    (simulated by an error) leaves them, and the same task's retry serves them."""
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    risk.request_rescore("13.77")
    real = risk.regions_rescore

    def dies(**kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(risk, "regions_rescore", dies)
    with pytest.raises(RuntimeError):
        risk.rescore_pending(claim="task-1")
    row = RescoreRequest.objects.get(region_id="13.77")
    assert row.claimed_by == "task-1"
    # Another task cannot take it while the lease runs; the redelivered task can.
    monkeypatch.setattr(risk, "regions_rescore", real)
    assert risk.rescore_pending(claim="task-2") == []
    assert risk.rescore_pending(claim="task-1") == ["13.77"]
    assert not RescoreRequest.objects.exists()
    assert RiskScore.objects.filter(region_id="13.77", day=DAY).exists()


def test_a_request_arriving_during_a_rescore_is_kept_for_the_next(monkeypatch):
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    risk.request_rescore("13.77")
    real = risk.regions_rescore

    def meanwhile(**kwargs):
        result = real(**kwargs)
        risk.request_rescore("13.77")  # a verification committed during the rescore
        return result

    monkeypatch.setattr(risk, "regions_rescore", meanwhile)
    assert risk.rescore_pending(claim="task-1") == ["13.77"]
    row = RescoreRequest.objects.get(region_id="13.77")
    assert row.claimed_by == ""
