"""Data for the dashboard tests: the Pariaman story through the real services and engine,
and bulk rows for the query-count tests (the same page with 5 or 50 of everything)."""

from __future__ import annotations

import datetime as dt

from kewaspadaan.models import Alert, Election, Indicator, Region, RiskScore
from kewaspadaan.services import profile_active, regions_rescore
from laporan import services, tallies
from laporan.models import Incident

WIB = dt.timezone(dt.timedelta(hours=7))
AFTER_CASE = dt.date(2024, 10, 20)


def pariaman_case(*, operator, analyst) -> Incident:
    """The WhatsApp group of 15 ASN (FACTS.md), logged and verified through the services."""
    data = services.IncidentData(
        title="Grup WhatsApp 15 ASN berkampanye untuk paslon",
        narrative="Sebuah grup WhatsApp beranggotakan 15 ASN Pemko Pariaman mengajak memilih "
                  "salah satu pasangan calon wali kota.",
        region=Region.objects.get(code="13.77"),
        kecamatan=Region.objects.get(code="13.77.01"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"),
        source_type="bawaslu",
        actors=[services.ActorData("asn", 15, "ASN Pemko Pariaman")],
    )
    incident = services.incident_create(by=operator, data=data, submit=True)
    return services.incident_verify(incident=incident, by=analyst, reliability="B",
                                    credibility=2, reason="Dikonfirmasi Bawaslu.")


def solok_case(*, operator, analyst) -> Incident:
    data = services.IncidentData(
        title="Pembagian uang di Kota Solok",
        narrative="Tim kampanye membagikan amplop berisi uang kepada warga.",
        region=Region.objects.get(code="13.72"),
        occurred_at=dt.datetime(2024, 10, 18, 19, 40, tzinfo=WIB),
        indicator=Indicator.objects.get(code="uang-tunai"),
        source_type="laporan_masyarakat",
    )
    incident = services.incident_create(by=operator, data=data, submit=True)
    return services.incident_verify(incident=incident, by=analyst, reliability="C",
                                    credibility=3, reason="Dikonfirmasi Panwascam.")


def score_story(day: dt.date = AFTER_CASE) -> None:
    """The engine's snapshots of the Sumatera Barat cities for a day after the cases."""
    regions_rescore(regions=list(Region.objects.filter(code__in=["13.77", "13.72"])), day=day)


def bulk(n: int, *, by, province: str = "13", day: dt.date = AFTER_CASE) -> None:
    """``n`` incidents, alerts and score snapshots (two days each) spread over the
    province's kab/kota, written directly: only their number matters here."""
    election = Election.objects.get(slug="pilkada-2024")
    profile = profile_active()
    kabkota = list(Region.objects.filter(parent_id=province).order_by("code"))
    indicator = Indicator.objects.get(code="uang-tunai")
    kecamatan = {k.parent_id: k for k in Region.objects.filter(parent__parent_id=province)}
    incidents, scores, alerts = [], [], []
    for i in range(n):
        region = kabkota[i % len(kabkota)]
        incidents.append(Incident(
            title=f"Kejadian {i}", narrative="-", region=region,
            kecamatan=kecamatan.get(region.code),
            occurred_at=dt.datetime.combine(day - dt.timedelta(days=i % 12), dt.time(10),
                                            WIB),
            election=election, indicator=indicator, athg="gangguan",
            source_type="laporan_masyarakat", source_reliability="C",
            information_credibility=3, severity=2,
            status=["verified", "submitted", "follow_up"][i % 3], created_by=by))
        # Every other alert acknowledged, so a page that reads who acknowledged it one
        # alert at a time shows in the query count.
        acknowledged = i % 2 == 1
        alerts.append(Alert(rule="surge", condition_key=f"surge:bulk:{province}:{n}:{i}:{by.pk}",
                            region=region, title=f"Lonjakan {i}", message="-", level="sedang",
                            status="acknowledged" if acknowledged else "new",
                            acknowledged_by=by if acknowledged else None))
    provinces = list(Region.objects.filter(level=1).order_by("code"))
    for k, region in enumerate(kabkota[:n] + provinces[:n]):
        for back in (0, 7):
            scores.append(RiskScore(region=region, election=election, stage="",
                                    day=day - dt.timedelta(days=back), total=(k * 7) % 90,
                                    level="sedang", profile=profile, signal_count=k))
    Incident.objects.bulk_create(incidents)
    tallies.incident_day_counts_rebuild()
    Alert.objects.bulk_create(alerts)
    RiskScore.objects.bulk_create(scores, ignore_conflicts=True)
