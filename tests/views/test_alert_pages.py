"""The portal's inbox of early warnings: scoped, read marks, acknowledgement by role."""

import pytest

from kewaspadaan.choices import Channel
from kewaspadaan.models import Alert, AlertDelivery, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(official_sumbar, analyst_sumbar):
    alert = Alert.objects.create(
        rule="level_rise", condition_key="level_rise:test:13.77", region_id="13.77",
        title="Risiko di Kota Pariaman naik menjadi Tinggi", message="Skor 55,0.",
        level="tinggi", score_total=55.0)
    for user in (official_sumbar, analyst_sumbar):
        AlertDelivery.objects.create(alert=alert, channel=Channel.PORTAL, recipient=user,
                                     target=f"user:{user.pk}")
    return alert


def test_the_nav_counts_unread_alerts_and_the_page_marks_them_read(client, official_sumbar,
                                                                    analyst_sumbar, alert):
    client.force_login(official_sumbar)
    home = client.get("/").content.decode()
    assert 'class="nav-count"' in home and ">1</span>" in home
    page = client.get("/alerts/").content.decode()
    assert "Risiko di Kota Pariaman naik menjadi Tinggi" in page and "Tinggi" in page
    assert 'class="nav-count"' not in client.get("/").content.decode()
    # Only the reader's own notification is marked: the analyst's is still unread.
    assert AlertDelivery.objects.get(alert=alert, recipient=analyst_sumbar).read_at is None


def test_an_official_acknowledges_and_an_operator_cannot(client, official_sumbar,
                                                         operator_pariaman, alert):
    client.force_login(operator_pariaman)
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 403
    client.force_login(official_sumbar)
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", follow=True)
    assert "Peringatan dikonfirmasi." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == official_sumbar


def test_another_regions_alert_is_not_found(client, operator_solok, alert):
    client.force_login(operator_solok)
    assert "Kota Pariaman" not in client.get("/alerts/").content.decode()
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert Region.objects.filter(code="13.77").exists()


def test_the_alert_page_costs_a_fixed_number_of_queries(client, official_sumbar, alert,
                                                        django_assert_max_num_queries):
    # Half of them acknowledged: the page names who did, and must not ask per alert.
    for i in range(20):
        Alert.objects.create(rule="surge", condition_key=f"surge:test:{i}", region_id="13.77",
                             title=f"Lonjakan {i}", message="-", level="sedang",
                             status="acknowledged" if i % 2 else "new",
                             acknowledged_by=official_sumbar if i % 2 else None)
    client.force_login(official_sumbar)
    with django_assert_max_num_queries(10):
        page = client.get("/alerts/").content.decode()
    assert page.count("status-acknowledged") == 10


def test_acknowledging_an_alert_someone_resolved_meanwhile_is_not_an_error(
        client, official_sumbar, analyst_sumbar, alert):
    """Two officials on the same page: one resolves, the other then presses Acknowledge."""
    client.force_login(analyst_sumbar)
    assert client.post(f"/alerts/{alert.pk}/resolve/").status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by == analyst_sumbar
    client.force_login(official_sumbar)
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", follow=True)
    assert response.status_code == 200
    assert "Peringatan diselesaikan." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.acknowledged_by is None
