"""The periodic situation report (laporan situasi) of a region: its content as the reader
may see it, the PDF with its sections and charts, the page, and the weekly e-mail sent once
per subscriber."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from forkopimda import documents, selectors, services, tasks
from forkopimda.models import ReportSubscription
from kewaspadaan.models import Indicator, Region, RiskScore
from laporan import services as laporan_services
from tests.forkopimda.forum_helpers import issue, make_recommendation

pytestmark = pytest.mark.django_db


def _verified(analyst, operator, *, title: str, severity: int = 2, hours_ago: int = 5):
    data = laporan_services.IncidentData(
        title=title, narrative="Uraian.", region=Region.objects.get(code="13.77"),
        occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
        severity=severity)
    incident = laporan_services.incident_create(by=operator, data=data, submit=True)
    return laporan_services.incident_verify(incident=incident, by=analyst, reliability="A",
                                            credibility=1)


@pytest.fixture
def picture(analyst_sumbar, operator_pariaman, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _verified(analyst_sumbar, operator_pariaman, title="Grup WhatsApp 15 ASN", severity=3)
        _verified(analyst_sumbar, operator_pariaman, title="ASN hadir di kampanye")
    today = services.region_today(Region.objects.get(code="13"))
    late = issue(make_recommendation(by=analyst_sumbar, region_code="13",
                                     title="Sanksi tegas ASN",
                                     deadline=today - dt.timedelta(days=2)), by=analyst_sumbar)
    return {"late": late, "today": today}


def test_the_report_holds_scores_incidents_alerts_and_open_recommendations(
        picture, analyst_sumbar):
    situation = selectors.situation_report(user=analyst_sumbar,
                                           region=Region.objects.get(code="13"))
    codes = [row.code for row in situation.scores]
    assert codes[0] == "13" and "13.77" in codes and len(codes) == 20  # 12 kab + 7 kota
    pariaman = next(row for row in situation.scores if row.code == "13.77")
    assert pariaman.total == RiskScore.objects.filter(region="13.77", stage="").latest(
        "day").total and pariaman.total > 0
    assert [i.title for i in situation.incidents][0] == "Grup WhatsApp 15 ASN"
    assert situation.recommendations == [picture["late"]]
    assert situation.overdue_ids == {picture["late"].pk}


def test_the_pdf_has_its_sections_charts_and_figures(picture, analyst_sumbar):
    situation = selectors.situation_report(user=analyst_sumbar,
                                           region=Region.objects.get(code="13"))
    pdf = documents.render_situation_pdf(situation)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for heading in ("LAPORAN SITUASI KEWASPADAAN DINI", "SUMATERA BARAT",
                    "1. TINGKAT RISIKO DAN PERUBAHANNYA", "2. TREN SKOR 30 HARI",
                    "3. KEJADIAN MENONJOL", "4. PERINGATAN TERBUKA",
                    "5. REKOMENDASI TERBUKA (1)"):
        assert heading in text
    assert "Grup WhatsApp 15 ASN" in text and "Kota Pariaman" in text
    assert picture["late"].number in text and "(lewat)" in text
    assert "akhir periode" in text  # the bar chart's legend: the chart was drawn
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert all("SourceSerifPro" in name for name in fonts), fonts


def test_the_report_keeps_to_what_the_reader_may_see(picture, operator_pariaman):
    situation = selectors.situation_report(user=operator_pariaman,
                                           region=Region.objects.get(code="13.77"))
    assert [row.code for row in situation.scores] == ["13.77"]
    assert situation.recommendations == []  # the province's recommendation is above them


def test_its_cost_does_not_grow_with_the_data(picture, analyst_sumbar, operator_pariaman,
                                              django_assert_max_num_queries,
                                              django_capture_on_commit_callbacks):
    sumbar = Region.objects.get(code="13")
    with django_assert_max_num_queries(12):
        selectors.situation_report(user=analyst_sumbar, region=sumbar)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            _verified(analyst_sumbar, operator_pariaman, title=f"Kejadian {n}")
    for _ in range(5):
        issue(make_recommendation(by=analyst_sumbar, region_code="13",
                                  deadline=picture["today"]), by=analyst_sumbar)
    with django_assert_max_num_queries(12):
        selectors.situation_report(user=analyst_sumbar, region=sumbar)


def test_the_page_downloads_the_pdf_and_subscribes(client, picture, official_sumbar,
                                                   operator_jateng, operator_pariaman):
    client.force_login(official_sumbar)
    response = client.get("/situation-reports/?region=13&download=1")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    client.post("/situation-reports/", {"region": "13", "subscribe": "1"})
    assert ReportSubscription.objects.filter(user=official_sumbar, region="13").exists()
    client.force_login(operator_jateng)
    assert client.get("/situation-reports/?region=13&download=1").status_code == 403
    client.force_login(operator_pariaman)
    assert client.get("/situation-reports/?region=13.77").status_code == 403


def test_the_weekly_task_mails_each_subscriber_once(picture, official_sumbar):
    official_sumbar.email = "of.sumbar@example.test"
    official_sumbar.save()
    services.subscription_set(by=official_sumbar, region=Region.objects.get(code="13"),
                              subscribed=True)
    assert tasks.send_situation_reports.delay().get() == 1
    assert tasks.send_situation_reports.delay().get() == 1  # queued again, sent once
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["of.sumbar@example.test"] and "Sumatera Barat" in message.subject
    name, content, kind = message.attachments[0]
    assert kind == "application/pdf" and content.startswith(b"%PDF-")
    assert name.startswith("laporan-situasi-13-")
