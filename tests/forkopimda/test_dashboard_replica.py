"""With a read replica configured, the dashboards read from it and everything else (the
login, the session, every write) stays on the primary."""

import copy

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from kewaspadaan.db_routers import REPLICA, ReplicaRouter, replica_reads
from kewaspadaan.models import RiskScore
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres]


def test_the_router_reads_from_the_replica_only_where_asked(monkeypatch):
    router = ReplicaRouter()
    with replica_reads():  # no replica configured: nothing changes
        assert router.db_for_read(RiskScore) is None
    monkeypatch.setitem(connections.settings, REPLICA, connections.settings["default"])
    assert router.db_for_read(RiskScore) is None
    with replica_reads():
        assert router.db_for_read(RiskScore) == REPLICA
        assert router.db_for_write(RiskScore) == "default"
    assert router.db_for_read(RiskScore) is None
    assert router.allow_migrate(REPLICA, "kewaspadaan") is False


@pytest.fixture
def replica(committed_db):
    """A second connection to the test database, standing in for a streaming replica."""
    connections.settings[REPLICA] = copy.deepcopy(connections.settings["default"])
    try:
        with override_settings(DATABASE_ROUTERS=["kewaspadaan.db_routers.ReplicaRouter"]):
            yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def test_dashboards_read_from_the_replica_and_writes_stay_on_the_primary(replica, client):
    official = UserFactory(username="of.sumbar", role="official", jurisdiction_code="13")
    client.force_login(official)
    with CaptureQueriesContext(replica) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get("/dashboards/13/")
    assert response.status_code == 200
    assert len(on_replica) > 5  # the dashboard's figures
    # The primary served only the session and the user, before the view ran.
    assert all("django_session" in q["sql"] or "kewaspadaan_user" in q["sql"]
               for q in on_primary.captured_queries), on_primary.captured_queries
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/incidents/").status_code == 200
    assert len(on_replica) == 0  # pages that did not opt in never touch it
