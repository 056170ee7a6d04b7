"""A bulk import writes what one-by-one logging writes: the incidents, their history, stages,
actors, workflow records and day counts; a bad row anywhere writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kewaspadaan.models import Indicator, Region
from laporan import permissions, services
from laporan.choices import Status
from laporan.models import Incident, IncidentDayCount, IncidentTransition

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))


def row(n: int, **extra) -> services.IncidentData:
    values = dict(
        title=f"Pembagian uang {n}", narrative="Amplop dibagikan kepada warga.",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 11, 25, 10, n, tzinfo=WIB),
        indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu",
        external_ref=f"BWS-{n}", actors=[services.ActorData("paslon", 2)])
    return services.IncidentData(**{**values, **extra})


def test_a_bulk_import_writes_what_logging_one_by_one_writes(operator_pariaman):
    created = services.incidents_import(by=operator_pariaman, rows=[row(n) for n in range(5)])
    assert len(created) == 5
    for incident in Incident.objects.filter(pk__in=[i.pk for i in created]):
        assert incident.status == Status.SUBMITTED
        assert incident.election.slug == "pilkada-2024"
        assert [s.slug for s in incident.stages.all()] == ["masa-tenang"]
        assert [(a.actor_type, a.count) for a in incident.actors.all()] == [("paslon", 2)]
        assert incident.history.count() == 1
        assert incident.history.first().history_user == operator_pariaman
        assert list(IncidentTransition.objects.filter(incident=incident).order_by("id")
                    .values_list("from_status", "to_status")) == [
            ("", Status.DRAFT), (Status.DRAFT, Status.SUBMITTED)]
    counted = sum(IncidentDayCount.objects.filter(region_id="13.77", day=dt.date(2024, 11, 25))
                  .values_list("count", flat=True))
    assert counted == 5


def test_one_bad_row_writes_nothing(operator_pariaman):
    rows = [row(0), row(1, severity=9), row(2)]
    with pytest.raises(services.IncidentRowInvalid) as failure:
        services.incidents_import(by=operator_pariaman, rows=rows)
    assert failure.value.index == 1
    assert "severity" in failure.value.error.message_dict
    assert not Incident.objects.exists()


def test_rows_outside_the_jurisdiction_are_refused(operator_pariaman):
    outside = row(0, region=Region.objects.get(code="13.72"))
    with pytest.raises(services.IncidentRowInvalid) as failure:
        services.incidents_import(by=operator_pariaman, rows=[row(1), outside])
    assert failure.value.index == 1
    assert not Incident.objects.exists()


def test_a_submitting_import_asks_for_the_right_to_submit(operator_pariaman, monkeypatch):
    # As incident_create(submit=True) does through incident_submit: 'create' alone is not
    # enough to file submitted incidents.
    monkeypatch.setitem(permissions.ACTIONS, "submit", {"analyst", "admin"})
    with pytest.raises(PermissionDenied):
        services.incidents_import(by=operator_pariaman, rows=[row(1)])
    with pytest.raises(PermissionDenied):
        services.incident_create(by=operator_pariaman, data=row(2), submit=True)
    assert not Incident.objects.exists()
    assert len(services.incidents_import(by=operator_pariaman, rows=[row(3)],
                                         submit=False)) == 1
