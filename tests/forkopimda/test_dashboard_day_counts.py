"""The per-day incident counts the dashboards read: kept by every incident write, always
equal to a recount of the incidents, scoped like the incidents themselves."""

from __future__ import annotations

import datetime as dt

import pytest

from kewaspadaan.models import Region
from kewaspadaan.scoping import scope
from laporan import services, tallies
from laporan.models import Incident, IncidentDayCount
from tests.forkopimda.dashboard_data import WIB, pariaman_case, solok_case

pytestmark = pytest.mark.django_db


def counts() -> dict[tuple, int]:
    return {(c.region_id, c.kecamatan_id, c.day, c.category, c.status): c.count
            for c in IncidentDayCount.objects.all()}


def recount() -> dict[tuple, int]:
    IncidentDayCount.objects.all().delete()
    tallies.incident_day_counts_rebuild()
    return counts()


def test_every_workflow_step_keeps_the_counts_equal_to_a_recount(
        operator_pariaman, operator_solok, analyst_sumbar):
    pariaman = pariaman_case(operator=operator_pariaman, analyst=analyst_sumbar)
    assert counts() == {("13.77", "13.77.01", dt.date(2024, 10, 14), "asn", "verified"): 1}
    solok = solok_case(operator=operator_solok, analyst=analyst_sumbar)
    services.incident_start_follow_up(incident=pariaman, by=analyst_sumbar)
    # An analyst moves the Pariaman case to another day: the old day empties.
    data = services.IncidentData(
        title=pariaman.title, narrative=pariaman.narrative, region=pariaman.region,
        kecamatan=pariaman.kecamatan,
        occurred_at=dt.datetime(2024, 10, 15, 23, 30, tzinfo=WIB),
        indicator=pariaman.indicator, source_type=pariaman.source_type,
        actors=[services.ActorData("asn", 15, "ASN Pemko Pariaman")])
    services.incident_update(incident=pariaman, by=analyst_sumbar, data=data,
                             reason="Tanggal dikoreksi.")
    draft = services.incident_create(by=operator_solok, data=services.IncidentData(
        title="Dugaan politik uang", narrative="-", region=Region.objects.get(code="13.72"),
        occurred_at=dt.datetime(2024, 10, 18, 8, 0, tzinfo=WIB), indicator=solok.indicator,
        source_type="laporan_masyarakat"))
    before_submit = counts()
    services.incident_submit(incident=draft, by=operator_solok)
    services.incident_merge(duplicate=draft, into=solok, by=analyst_sumbar)
    current = counts()
    assert current == recount()
    assert ("13.77", "13.77.01", dt.date(2024, 10, 14), "asn", "follow_up") not in current
    assert current[("13.77", "13.77.01", dt.date(2024, 10, 15), "asn", "follow_up")] == 1
    assert current[("13.72", None, dt.date(2024, 10, 18), "politik-uang", "merged")] == 1
    assert sum(v for k, v in before_submit.items() if k[0] == "13.72") == 1  # drafts: none
    assert Incident.objects.count() == 3


def test_a_day_is_the_regions_own_calendar(operator_jateng, admin_user, analyst_sumbar):
    # 23 Nov 2024 23:30 WIB is 24 Nov 01:30 in Jayapura (WIT).
    incident = services.incident_create(by=admin_user, submit=True, data=services.IncidentData(
        title="Intimidasi", narrative="-", region=Region.objects.get(code="91.71"),
        occurred_at=dt.datetime(2024, 11, 23, 16, 30, tzinfo=dt.UTC),
        indicator=pariaman_indicator(), source_type="laporan_masyarakat"))
    assert list(IncidentDayCount.objects.values_list("region_id", "day")) == [
        (incident.region_id, dt.date(2024, 11, 24))]


def pariaman_indicator():
    from kewaspadaan.models import Indicator

    return Indicator.objects.get(code="asn-grup-percakapan")


def test_the_counts_are_scoped_like_the_incidents(operator_pariaman, analyst_sumbar,
                                                  official_sumbar, operator_jateng):
    secret = pariaman_case(operator=operator_pariaman, analyst=analyst_sumbar)
    Incident.objects.filter(pk=secret.pk).update(classification="rahasia")
    tallies.incident_day_counts_refresh(buckets=[tallies.bucket_of(secret)])
    rows = IncidentDayCount.objects.all()
    assert scope(rows, analyst_sumbar).count() == 1
    assert scope(rows, official_sumbar).count() == 0  # officials do not read rahasia
    assert scope(rows, operator_jateng).count() == 0  # nor another province
