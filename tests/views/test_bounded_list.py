"""The incident list counts at most ``cap`` rows, so its cost does not grow with the data."""

import datetime as dt

import pytest

from kewaspadaan.models import Indicator, Region
from kewaspadaan.paginator import BoundedPaginator
from laporan import services, views
from laporan.models import Incident

pytestmark = pytest.mark.django_db


def incidents(by, n: int) -> None:
    for i in range(n):
        services.incident_create(by=by, submit=True, data=services.IncidentData(
            title=f"Kejadian {i}", narrative="Uji.", region=Region.objects.get(code="13.77"),
            occurred_at=dt.datetime(2024, 10, 14, 9, i, tzinfo=dt.UTC),
            indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu"))


def test_the_count_stops_at_the_cap(django_assert_num_queries, operator_pariaman):
    incidents(operator_pariaman, 7)
    paginator = BoundedPaginator(Incident.objects.order_by("pk"), 2, cap=5)
    with django_assert_num_queries(1):
        assert paginator.count == 5 and paginator.capped
    assert paginator.num_pages == 3
    exact = BoundedPaginator(Incident.objects.order_by("pk"), 2, cap=50)
    assert exact.count == 7 and not exact.capped


def test_the_list_page_says_more_than_when_capped(client, operator_pariaman, monkeypatch):
    incidents(operator_pariaman, 4)
    monkeypatch.setattr(views, "BoundedPaginator",
                        lambda *a, **k: BoundedPaginator(*a, cap=3, **k))
    client.force_login(operator_pariaman)
    html = client.get("/incidents/").content.decode()
    assert "Lebih dari 3 kejadian" in html
