"""Script typed into any text field stays text (issue 7): in every page it is escaped, in
the CSV and XLSX files it is a text cell, in the PDF and DOCX documents it is printed as
typed. The payloads go into incident title, narrative, damage and actor description,
referral notes, forum name, meeting title and topic, and recommendation title and text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from kewaspadaan.models import Indicator, Institution, Region
from laporan import services
from tests.forkopimda.forum_helpers import make_forum, make_meeting, make_recommendation

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {IMG}"
# What must never reach a page unescaped: a tag the browser would build from user text.
LIVE = [re.compile(r"<script>alert\(1\)"), re.compile(r"<img src=x onerror", re.I)]


@pytest.fixture
def world(operator_pariaman, analyst_sumbar):
    incident = services.incident_create(by=operator_pariaman, data=services.IncidentData(
        title=f"Judul {SCRIPT}", narrative=f"Uraian {PAYLOAD}", damage=f"Kerusakan {IMG}",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
        actors=[services.ActorData("asn", 15, f"Pelaku {IMG}")], informant=PAYLOAD,
    ), submit=True)
    incident = services.incident_verify(incident=incident, by=analyst_sumbar,
                                        reliability="B", credibility=2)
    services.referral_create(incident=incident, by=analyst_sumbar,
                             institution=Institution.objects.get(code="polri"),
                             subject=f"ASN {IMG}", count=15,
                             referred_on=dt.date(2024, 10, 15), notes=f"Catatan {PAYLOAD}")
    forum = make_forum(by=analyst_sumbar, name=f"Forum {SCRIPT}")
    meeting = make_meeting(by=analyst_sumbar, forum=forum, title=f"Rapat {IMG}",
                           topic=f"Topik {PAYLOAD}")
    recommendation = make_recommendation(by=analyst_sumbar, meeting=meeting,
                                         title=f"Rekomendasi {SCRIPT}",
                                         text=f"Isi {PAYLOAD}")
    return {"incident": incident, "forum": forum, "meeting": meeting,
            "recommendation": recommendation}


def assert_escaped(html: str, where: str) -> None:
    for pattern in LIVE:
        assert not pattern.search(html), f"{where}: live markup from user text"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or \
        "&lt;img src=x onerror=alert(1)&gt;" in html, f"{where}: the payload is not shown"


def test_pages_show_script_as_text(as_user, world, analyst_sumbar, official_sumbar):
    incident, meeting = world["incident"], world["meeting"]
    rec, forum = world["recommendation"], world["forum"]
    client = as_user(analyst_sumbar)
    pages = {
        "incident detail": f"/incidents/{incident.pk}/",
        "incident list": "/incidents/",
        "referral list": "/referrals/",
        "forum": f"/forums/{forum.pk}/",
        "meeting": f"/meetings/{meeting.pk}/",
        "meeting list": "/meetings/",
        "recommendation": f"/recommendations/{rec.pk}/",
        "recommendation list": "/recommendations/",
        "dashboard (latest incidents)": "/dashboards/13.77/?day=2024-10-20",
        "province dashboard": "/dashboards/13/?day=2024-10-20",
        "live panel": "/dashboards/13/live/panel/",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (where, response.status_code)
        html = response.content.decode()
        for pattern in LIVE:
            assert not pattern.search(html), f"{where}: live markup from user text"
        if where in ("incident detail", "incident list", "meeting", "recommendation",
                     "recommendation list", "forum"):
            assert_escaped(html, where)
    detail = client.get(f"/incidents/{incident.pk}/").content.decode()
    # Every field of the incident page: title, narrative, damage, actor, referral notes.
    for text in ("Uraian &lt;script&gt;", "Kerusakan &quot;&gt;&lt;img",
                 "Pelaku &quot;&gt;&lt;img", "Catatan &lt;script&gt;"):
        assert text in detail, text


def test_the_api_returns_script_as_plain_json_strings(api_client, world, analyst_sumbar):
    api_client.force_authenticate(analyst_sumbar)
    body = api_client.get(f"/api/v1/incidents/{world['incident'].pk}/")
    assert body["Content-Type"].startswith("application/json")
    assert body.json()["narrative"] == f"Uraian {PAYLOAD}"


def _csv_cells(content: bytes) -> list[str]:
    return [c for r in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in r]


def test_exports_keep_script_as_text_cells(client, world, analyst_sumbar):
    client.force_login(analyst_sumbar)
    incidents_csv = _csv_cells(b"".join(client.get("/incidents/export.csv").streaming_content))
    assert f"Uraian {PAYLOAD}" in incidents_csv
    sheet = load_workbook(io.BytesIO(b"".join(
        client.get("/incidents/export.xlsx").streaming_content))).active
    cells = {c.value: c.data_type for r in sheet.iter_rows() for c in r if c.value}
    assert cells[f"Uraian {PAYLOAD}"] == "s"
    tracker = client.get("/recommendations/tracker.csv")
    content = tracker.content if not tracker.streaming else b"".join(tracker.streaming_content)
    assert any(SCRIPT in c for c in _csv_cells(content))
    tracker_xlsx = client.get("/recommendations/tracker.xlsx")
    data = (tracker_xlsx.content if not tracker_xlsx.streaming
            else b"".join(tracker_xlsx.streaming_content))
    values = [c for r in load_workbook(io.BytesIO(data)).active.iter_rows() for c in r
              if isinstance(c.value, str) and SCRIPT in c.value]
    assert values and all(c.data_type == "s" for c in values)


def test_documents_print_script_as_typed(client, world, analyst_sumbar):
    client.force_login(analyst_sumbar)
    meeting = world["meeting"]
    pdf = client.get(f"/meetings/{meeting.pk}/document.pdf")
    pdf_bytes = pdf.content if not pdf.streaming else b"".join(pdf.streaming_content)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
                    .split())
    assert f"Topik {PAYLOAD}" in text and f"Forum {SCRIPT}" in text
    docx = client.get(f"/meetings/{meeting.pk}/document.docx")
    docx_bytes = docx.content if not docx.streaming else b"".join(docx.streaming_content)
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs)
    assert f"Topik {PAYLOAD}" in paragraphs
