"""Risk scores and alerts through the API, scoped by jurisdiction."""

import datetime as dt

import pytest

from kewaspadaan.models import Alert, Indicator, Region
from kewaspadaan.services import risk
from laporan import services

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2024, 10, 20)


@pytest.fixture
def scored(analyst_sumbar, operator_pariaman, monkeypatch, django_capture_on_commit_callbacks):
    """Four verified money-politics incidents in Kota Pariaman, scored on 20 Oct 2024."""
    monkeypatch.setattr(risk, "_today", lambda region: DAY)
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            incident = services.incident_create(by=operator_pariaman, submit=True,
                                                data=services.IncidentData(
                title="Bagi-bagi uang", narrative="Tim sukses membagikan uang tunai.",
                region=Region.objects.get(code="13.77"),
                occurred_at=dt.datetime(2024, 10, 15 + i, 20, tzinfo=WIB),
                indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu",
                severity=3))
        with django_capture_on_commit_callbacks(execute=True):
            services.incident_verify(incident=incident, by=analyst_sumbar, reliability="B",
                                     credibility=2)
    return Alert.objects.filter(region_id="13.77").first()


def results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_current_scores_of_a_province_list_its_kabkota(api_client, analyst_sumbar, scored):
    api_client.force_authenticate(analyst_sumbar)
    rows = results(api_client, "/api/v1/risk-scores/", within="13", stage="", latest="true",
                   region_level=2)
    assert [r["region"] for r in rows] == ["13.77"]
    assert rows[0]["total"] > 0 and rows[0]["level"] in ("sedang", "tinggi")
    assert rows[0]["contributors"]["indicators"][0]["code"] == "uang-tunai"
    province = results(api_client, "/api/v1/risk-scores/", region="13", stage="")
    assert province[0]["signal_count"] == 4


def test_scores_and_alerts_stay_in_the_jurisdiction(api_client, operator_solok,
                                                    operator_pariaman, national_user, scored):
    api_client.force_authenticate(operator_solok)
    assert results(api_client, "/api/v1/risk-scores/", region="13.77") == []
    assert results(api_client, "/api/v1/alerts/") == []
    assert api_client.get(f"/api/v1/alerts/{scored.pk}/").status_code == 404
    api_client.force_authenticate(operator_pariaman)
    assert results(api_client, "/api/v1/risk-scores/", region="13") == []  # the province's
    api_client.force_authenticate(national_user)
    assert results(api_client, "/api/v1/risk-scores/", national="true", stage="")


def test_an_official_acknowledges_an_alert_an_operator_may_not(api_client, official_sumbar,
                                                                operator_pariaman, scored):
    api_client.force_authenticate(operator_pariaman)
    assert api_client.post(f"/api/v1/alerts/{scored.pk}/acknowledge/").status_code == 403
    api_client.force_authenticate(official_sumbar)
    body = api_client.post(f"/api/v1/alerts/{scored.pk}/acknowledge/").json()
    assert body["status"] == "acknowledged" and body["acknowledged_by"] == "of.sumbar"
    assert results(api_client, "/api/v1/alerts/", status="new") == [] or all(
        a["id"] != scored.pk for a in results(api_client, "/api/v1/alerts/", status="new"))


def test_score_history_is_filterable_by_date_and_level(api_client, analyst_sumbar, scored):
    api_client.force_authenticate(analyst_sumbar)
    rows = results(api_client, "/api/v1/risk-scores/", region="13.77", stage="",
                   date_from="2024-10-01", date_to="2024-10-31")
    assert [r["day"] for r in rows] == ["2024-10-20"]
    assert results(api_client, "/api/v1/risk-scores/", region="13.77", level="rendah",
                   stage="") == []


def test_acknowledging_an_alert_resolved_meanwhile_is_a_clear_400(api_client, official_sumbar,
                                                                  scored):
    api_client.force_authenticate(official_sumbar)
    assert api_client.post(f"/api/v1/alerts/{scored.pk}/resolve/").status_code == 200
    response = api_client.post(f"/api/v1/alerts/{scored.pk}/acknowledge/")
    assert response.status_code == 400
    assert response.json()["status"] == ["Peringatan ini sudah diselesaikan."]
    scored.refresh_from_db()
    assert scored.status == "resolved" and scored.acknowledged_by is None
