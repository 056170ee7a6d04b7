"""The demo forums, meeting and recommendations: loaded through the services, idempotent,
and the meeting's official document reads as the office would sign it."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from forkopimda import documents, selectors
from forkopimda.models import Forum, Meeting, Recommendation
from kewaspadaan.models import Region, User

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_the_pariaman_story(settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("load_demo_forums", stdout=out)
    call_command("load_demo_forums", stdout=out)
    assert "0 forums, 0 meeting and 0 recommendations created" in out.getvalue()
    assert Forum.objects.filter(is_demo=True).count() == 4
    meeting = Meeting.objects.get()
    assert meeting.held_at.date().isoformat() == "2024-10-30"
    recs = list(Recommendation.objects.order_by("order"))
    assert [r.status for r in recs] == ["in_progress", "done", "issued", "in_progress"]
    assert [r.number for r in recs] == [f"00{n}/REK/13/2024" for n in range(1, 5)]
    forkopimda = Forum.objects.get(name="Forkopimda Provinsi Sumatera Barat")
    assert forkopimda.members.get(position="chair").office == "Gubernur Sumatera Barat"
    document = documents.meeting_document(meeting=meeting)
    text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(documents.render_pdf(document))).pages)
    assert "Rabu, 30 Oktober 2024" in " ".join(text.split())
    assert "15 ASN" in text


def test_the_demo_overdue_recommendations_count_on_the_dashboards(settings):
    settings.DEMO_MODE = True
    call_command("load_demo_forums", stdout=io.StringIO())
    analyst = User.objects.get(username="analis.sumbar")
    counts = selectors.recommendation_counts(user=analyst, region=Region.objects.get(code="13"))
    assert counts == {"open": 3, "overdue": 3}
    pariaman = selectors.recommendation_counts(user=analyst,
                                               region=Region.objects.get(code="13.77"))
    assert pariaman == {"open": 2, "overdue": 2}
