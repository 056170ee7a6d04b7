"""Forum, meeting and recommendation pages, tried as a new analyst would, with the refusals
by role and jurisdiction, the escaping of user text, overdue flags, query counts, the
tracker exports and the suggested drafts."""

import csv
import datetime as dt
import io
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from forkopimda import services
from forkopimda.models import Forum, Meeting, Recommendation
from kewaspadaan.models import Indicator, Region, RiskScore
from laporan import services as laporan_services
from tests.factories import PASSWORD
from tests.forkopimda.forum_helpers import issue, make_forum, make_meeting, make_recommendation

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
SCRIPT = '<script>alert("x")</script>'


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def test_an_analyst_records_an_fgd_with_four_recommendations_and_downloads_both_documents(
        as_user, analyst_sumbar):
    client = as_user(analyst_sumbar)
    response = client.post("/forums/new/", {"region": "13", "kind": "forkopimda",
                                            "name": "", "use_template": "on"})
    assert response.status_code == 200  # a name is required by the form
    response = client.post("/forums/new/", {"region": "13", "kind": "forkopimda",
                                            "name": "Forkopimda Provinsi Sumatera Barat",
                                            "use_template": "on"}, follow=True)
    forum = Forum.objects.get(name="Forkopimda Provinsi Sumatera Barat")
    page = text_of(response)
    assert "Gubernur Provinsi Sumatera Barat" in page and "Ketua" in page
    assert "Kepala Badan Kesbangpol Provinsi Sumatera Barat" in page
    client.post("/forums/new/", {"region": "13", "kind": "fkdm", "name": "FKDM tanpa anggota"})
    assert not Forum.objects.get(name="FKDM tanpa anggota").members.exists()

    response = client.post("/meetings/new/", {
        "forum": forum.pk, "kind": "fgd", "title": "FGD Kewaspadaan Dini Pilkada",
        "leader": "Kaban Kesbangpol", "held_at": "2024-10-30T09:00", "place": "Padang",
        "topic": "Netralitas ASN dan politik uang",
        "participants": "Gubernur Sumatera Barat\nKapolda Sumatera Barat\nBawaslu Sumbar",
        "regions": "13.77, 13.72", "signatory_title": "Kabid Kewaspadaan Nasional",
        "signatory_name": "Drs. Penanda Tangan", "document_place": "Padang",
    }, follow=True)
    meeting = Meeting.objects.get()
    assert meeting.held_at == dt.datetime(2024, 10, 30, 9, 0, tzinfo=WIB)
    assert "Bawaslu Sumbar" in text_of(response)

    for number in range(1, 5):
        response = client.post(f"/meetings/{meeting.pk}/recommendations/new/", {
            "title": f"Rekomendasi {number}", "text": f"Isi rekomendasi nomor {number}.",
            "institutions": ["bkn"], "deadline": "2024-11-20", "regions": "13.77",
        }, follow=True)
        assert response.status_code == 200
    recs = list(Recommendation.objects.order_by("order"))
    assert [r.order for r in recs] == [1, 2, 3, 4]
    for rec in recs:
        client.post(f"/recommendations/{rec.pk}/approve/")
        client.post(f"/recommendations/{rec.pk}/issue/")
    assert set(Recommendation.objects.values_list("status", flat=True)) == {"issued"}

    pdf = client.get(f"/meetings/{meeting.pk}/document.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert all(f"Isi rekomendasi nomor {n}." in text for n in range(1, 5))
    assert "Bawaslu Sumbar" in text and "Drs. Penanda Tangan" in text
    docx = client.get(f"/meetings/{meeting.pk}/document.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_html_typed_by_users_shows_as_text_on_the_pages(as_user, analyst_sumbar):
    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar),
                           title=f"Rapat {SCRIPT}", topic=f"Materi {SCRIPT}")
    rec = make_recommendation(by=analyst_sumbar, meeting=meeting, title=f"Judul {SCRIPT}",
                              text=f"Isi {SCRIPT}")
    client = as_user(analyst_sumbar)
    for url in (f"/meetings/{meeting.pk}/", f"/recommendations/{rec.pk}/", "/recommendations/",
                "/meetings/"):
        body = client.get(url).content.decode()
        assert SCRIPT not in body, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body, url


def test_pages_outside_the_jurisdiction_are_not_found(as_user, analyst_sumbar,
                                                      operator_jateng):
    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    rec = make_recommendation(by=analyst_sumbar, meeting=meeting)
    client = as_user(operator_jateng)
    for url in (f"/forums/{meeting.forum_id}/", f"/meetings/{meeting.pk}/",
                f"/recommendations/{rec.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/recommendations/{rec.pk}/approve/").status_code == 404
    assert "Rapat Koordinasi" not in text_of(client.get("/meetings/"))
    assert client.get(f"/meetings/{meeting.pk}/document.pdf").status_code == 403


def test_an_operator_sees_no_forms_for_analysts(as_user, operator_pariaman):
    client = as_user(operator_pariaman)
    assert client.get("/forums/new/").status_code == 403
    assert client.get("/meetings/new/").status_code == 403
    assert client.get("/recommendations/").status_code == 200


def test_an_official_approves_but_cannot_issue_and_sees_the_service_message(
        as_user, analyst_sumbar, official_sumbar):
    rec = make_recommendation(by=analyst_sumbar, region_code="13")
    client = as_user(official_sumbar)
    client.post(f"/recommendations/{rec.pk}/approve/")
    response = client.post(f"/recommendations/{rec.pk}/issue/", follow=True)
    rec.refresh_from_db()
    assert rec.status == "approved"
    assert "Peran Anda tidak diizinkan melakukan tindakan ini." in text_of(response)


def test_a_recommendation_past_its_deadline_shows_as_overdue(as_user, analyst_sumbar,
                                                             official_sumbar):
    today = services.region_today(Region.objects.get(code="13"))
    late = issue(make_recommendation(by=analyst_sumbar, region_code="13.77",
                                     title="Rekomendasi terlambat",
                                     deadline=today - dt.timedelta(days=1)), by=analyst_sumbar)
    issue(make_recommendation(by=analyst_sumbar, region_code="13.77", title="Masih berjalan",
                              deadline=today + dt.timedelta(days=5)), by=analyst_sumbar)
    client = as_user(official_sumbar)
    page = text_of(client.get("/recommendations/"))
    assert "1 rekomendasi yang diterbitkan melewati tenggat" in page
    overdue_only = text_of(client.get("/recommendations/?overdue=true"))
    assert "Rekomendasi terlambat" in overdue_only and "Masih berjalan" not in overdue_only
    assert "lewat tenggat" in text_of(client.get(f"/recommendations/{late.pk}/"))


def test_the_list_costs_a_fixed_number_of_queries(as_user, analyst_sumbar,
                                                  django_assert_max_num_queries):
    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    client = as_user(analyst_sumbar)
    for count in (2, 12):
        while Recommendation.objects.count() < count:
            issue(make_recommendation(by=analyst_sumbar, meeting=meeting), by=analyst_sumbar)
        with django_assert_max_num_queries(14):
            assert client.get("/recommendations/").status_code == 200
        with django_assert_max_num_queries(16):
            assert client.get(f"/meetings/{meeting.pk}/").status_code == 200


def test_the_forum_and_meeting_lists_cost_the_same_for_one_row_or_many(as_user,
                                                                      analyst_sumbar):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(analyst_sumbar)
    costs = []
    for count in (1, 4):
        while Forum.objects.count() < count:
            forum = make_forum(by=analyst_sumbar, name=f"Forum {Forum.objects.count()}")
            make_recommendation(by=analyst_sumbar,
                                meeting=make_meeting(by=analyst_sumbar, forum=forum))
        with CaptureQueriesContext(connection) as queries:
            forums = client.get("/forums/")
            meetings = client.get("/meetings/")
        assert forums.status_code == meetings.status_code == 200
        assert text_of(forums).count("Sumatera Barat 13") == count  # each row's region
        costs.append(len(queries))
    assert costs[0] == costs[1]


def test_progress_distribution_and_receipt_through_the_page(as_user, analyst_sumbar,
                                                           official_sumbar):
    rec = issue(make_recommendation(by=analyst_sumbar, region_code="13"), by=analyst_sumbar)
    as_user(analyst_sumbar).post(f"/recommendations/{rec.pk}/distribute/", {
        "distribution-recipient": "Kanreg XII BKN", "distribution-channel": "letter"})
    client = as_user(official_sumbar)
    distribution = rec.distributions.get()
    client.post(f"/distributions/{distribution.pk}/acknowledge/",
                {"ack-acknowledged_by": "Kepala Kanreg XII"})
    client.post(f"/recommendations/{rec.pk}/progress/", {
        "progress-text": "Pemeriksaan 5 ASN dimulai.", "progress-institution": "bkn"})
    page = text_of(client.get(f"/recommendations/{rec.pk}/"))
    assert "Kepala Kanreg XII" in page and "Pemeriksaan 5 ASN dimulai." in page
    rec.refresh_from_db()
    assert rec.status == "in_progress"


# --- Tracker --------------------------------------------------------------------------------

def test_the_tracker_exports_the_filtered_list_with_status_and_overdue(as_user,
                                                                      analyst_sumbar):
    today = services.region_today(Region.objects.get(code="13"))
    late = issue(make_recommendation(by=analyst_sumbar, region_code="13", title="=HYPERLINK(1)",
                                     deadline=today - dt.timedelta(days=4)), by=analyst_sumbar)
    make_recommendation(by=analyst_sumbar, region_code="13", title="Masih draf")
    client = as_user(analyst_sumbar)
    response = client.get("/recommendations/tracker.xlsx?overdue=true")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Nomor resmi", "Status", "Lewat tenggat", "Hari lewat tenggat")
    assert len(rows) == 2
    assert rows[1][0] == late.number and rows[1][2] == "ya" and rows[1][3] == 4
    assert rows[1][5] == "'=HYPERLINK(1)"
    assert sheet.auto_filter.ref.startswith("A1:")
    csv_response = client.get("/recommendations/tracker.csv")
    lines = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content)
                                        .decode("utf-8-sig"))))
    assert len(lines) == 3
    assert {line[1] for line in lines[1:]} == {"Diterbitkan", "Draf"}


def test_the_tracker_keeps_to_the_jurisdiction(as_user, analyst_sumbar, official_sumbar):
    issue(make_recommendation(by=analyst_sumbar, region_code="13.77"), by=analyst_sumbar)
    jateng_official = official_sumbar.__class__.objects.create_user(
        username="of.jateng", password=PASSWORD, role="official",
        jurisdiction=Region.objects.get(code="33"))
    response = as_user(jateng_official).get("/recommendations/tracker.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1


# --- Suggested drafts ------------------------------------------------------------------------

def _verified(analyst, operator, *, indicator: str, days_ago: int):
    data = laporan_services.IncidentData(
        title="Kejadian", narrative="Uraian kejadian.", region=Region.objects.get(code="13.77"),
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        indicator=Indicator.objects.get(code=indicator), source_type="bawaslu")
    incident = laporan_services.incident_create(by=operator, data=data, submit=True)
    return laporan_services.incident_verify(incident=incident, by=analyst, reliability="B",
                                            credibility=2)


def test_a_rise_in_asn_incidents_proposes_supervision_and_sanctions_with_the_figures(
        as_user, analyst_sumbar, operator_pariaman, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for days_ago in (1, 2, 3):
            _verified(analyst_sumbar, operator_pariaman, indicator="asn-grup-percakapan",
                      days_ago=days_ago)
        _verified(analyst_sumbar, operator_pariaman, indicator="asn-grup-percakapan",
                  days_ago=20)
    client = as_user(analyst_sumbar)
    page = text_of(client.get("/recommendations/suggestions/?region=13.77"))
    assert "Pengawasan netralitas ASN dan sanksi tegas" in page
    assert "3 kejadian Netralitas ASN terverifikasi di Kota Pariaman dalam 14 hari terakhir, " \
           "naik dari 1 kejadian" in page
    response = client.post("/recommendations/suggestions/?region=13.77", {
        "key": "asn-neutrality", "region": "13.77", "decision": "accept",
        "asn-neutrality-title": "Pengawasan ASN (disunting)",
        "asn-neutrality-text": "Memperkuat pengawasan dan menjatuhkan sanksi tegas.",
        "asn-neutrality-institutions": ["bkn", "bawaslu"],
        "asn-neutrality-deadline": "2024-11-20",
    }, follow=True)
    rec = Recommendation.objects.get()
    assert rec.title == "Pengawasan ASN (disunting)" and rec.status == "draft"
    assert rec.suggestion_key == "asn-neutrality" and rec.incidents.count() == 3
    assert "naik dari 1 kejadian" in rec.rationale
    [change] = rec.score_changes
    pariaman = RiskScore.objects.filter(region="13.77", stage="").latest("day")
    assert change["region"] == "13.77" and change["total"] == round(pariaman.total, 1)
    assert change["level"] == pariaman.level
    assert "Pengawasan ASN (disunting)" in text_of(response)
    # Accepted once: not proposed again while the draft is open.
    again = text_of(client.get("/recommendations/suggestions/?region=13.77"))
    assert "Pengawasan netralitas ASN dan sanksi tegas" not in again


def test_a_discarded_suggestion_is_not_proposed_again_in_the_session(
        as_user, analyst_sumbar, operator_pariaman, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for days_ago in (1, 2):
            _verified(analyst_sumbar, operator_pariaman, indicator="asn-grup-percakapan",
                      days_ago=days_ago)
    client = as_user(analyst_sumbar)
    client.post("/recommendations/suggestions/?region=13.77",
                {"key": "asn-neutrality", "region": "13.77", "decision": "discard"})
    page = text_of(client.get("/recommendations/suggestions/?region=13.77"))
    assert "Pengawasan netralitas ASN dan sanksi tegas" not in page
    assert not Recommendation.objects.exists()


def test_suggestions_of_a_region_outside_the_jurisdiction_are_not_found(as_user,
                                                                      operator_jateng):
    jateng_analyst = operator_jateng.__class__.objects.create_user(
        username="an.jateng", password=PASSWORD, role="analyst",
        jurisdiction=Region.objects.get(code="33"))
    assert as_user(jateng_analyst).get(
        "/recommendations/suggestions/?region=13.77").status_code == 404


# --- Incidents discussed and attachments -----------------------------------------------------

def test_a_meeting_cites_visible_incidents_and_refuses_hidden_ones(
        as_user, analyst_sumbar, operator_pariaman, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = _verified(analyst_sumbar, operator_pariaman,
                             indicator="asn-grup-percakapan", days_ago=1)
    forum = make_forum(by=analyst_sumbar)
    client = as_user(analyst_sumbar)
    data = {"forum": forum.pk, "kind": "rakor", "title": "Rakor", "leader": "Sekda",
            "held_at": "2024-10-30T09:00", "place": "Padang", "topic": "ASN",
            "incidents": incident.reference}
    client.post("/meetings/new/", data)
    meeting = Meeting.objects.get()
    assert list(meeting.incidents.all()) == [incident]
    assert incident.reference in text_of(client.get(f"/meetings/{meeting.pk}/"))
    response = client.post(f"/meetings/{meeting.pk}/edit/", {**data, "incidents": "LAP-999999"})
    assert response.status_code == 200
    assert "Sebagian data yang dipilih tidak ditemukan." in text_of(response)


def test_attachments_are_checked_and_downloaded_within_the_jurisdiction(
        as_user, analyst_sumbar, operator_jateng):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    client = as_user(analyst_sumbar)
    client.post(f"/meetings/{meeting.pk}/attachments/", {
        "file": SimpleUploadedFile("daftar-hadir.pdf", b"%PDF-1.4 daftar hadir",
                                   content_type="application/pdf"),
        "description": "Daftar hadir"})
    response = client.post(f"/meetings/{meeting.pk}/attachments/", {
        "file": SimpleUploadedFile("x.pdf", b"<html>bukan pdf</html>")}, follow=True)
    assert "bukan keduanya" in text_of(response) or "Hanya foto" in text_of(response)
    attachment = meeting.attachments.get()
    download = client.get(f"/meeting-attachments/{attachment.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Content-Disposition"].startswith('attachment; filename="daftar-hadir.pdf"')
    assert as_user(operator_jateng).get(
        f"/meeting-attachments/{attachment.pk}/download/").status_code == 404


def test_an_analyst_edits_a_forum_and_moves_a_deadline_with_a_reason(as_user, analyst_sumbar,
                                                                     official_sumbar):
    forum = make_forum(by=analyst_sumbar)
    client = as_user(analyst_sumbar)
    client.post(f"/forums/{forum.pk}/edit/", {"kind": "tim_terpadu", "name": "Tim Terpadu Sumbar",
                                              "legal_basis": "SK Gubernur 2024",
                                              "is_active": "on"})
    forum.refresh_from_db()
    assert forum.name == "Tim Terpadu Sumbar" and forum.legal_basis == "SK Gubernur 2024"
    rec = issue(make_recommendation(by=analyst_sumbar, region_code="13",
                                    deadline=dt.date(2024, 11, 20)), by=analyst_sumbar)
    response = client.post(f"/recommendations/{rec.pk}/deadline/",
                           {"deadline-deadline": "2024-12-10", "deadline-reason": ""},
                           follow=True)
    rec.refresh_from_db()
    assert rec.deadline == dt.date(2024, 11, 20)
    assert "Sebutkan alasan tenggat diubah." in text_of(response)
    client.post(f"/recommendations/{rec.pk}/deadline/",
                {"deadline-deadline": "2024-12-10", "deadline-reason": "Menunggu putusan MK."})
    rec.refresh_from_db()
    assert rec.deadline == dt.date(2024, 12, 10)
    assert "Menunggu putusan MK." in rec.transitions.last().reason
    assert as_user(official_sumbar).get(f"/forums/{forum.pk}/edit/").status_code == 403


def test_each_lifecycle_button_of_the_page_moves_the_recommendation(as_user, analyst_sumbar):
    """Start, complete, cancel (with and without a reason), discard and member removal
    through the page: each calls its service and reports the outcome."""
    forum = make_forum(by=analyst_sumbar)
    meeting = make_meeting(by=analyst_sumbar, forum=forum)
    client = as_user(analyst_sumbar)
    rec = issue(make_recommendation(by=analyst_sumbar, meeting=meeting), by=analyst_sumbar)
    response = client.post(f"/recommendations/{rec.pk}/start/",
                           {"note-reason": "Rapat teknis BKN."}, follow=True)
    assert "Rekomendasi diperbarui." in text_of(response)
    client.post(f"/recommendations/{rec.pk}/complete/", {"note-reason": "Selesai."})
    rec.refresh_from_db()
    assert rec.status == "done"
    assert [t.reason for t in rec.transitions.order_by("id")][-2:] == [
        "Rapat teknis BKN.", "Selesai."]

    other = make_recommendation(by=analyst_sumbar, meeting=meeting, title="Dibatalkan")
    response = client.post(f"/recommendations/{other.pk}/cancel/", {"cancel-reason": ""},
                           follow=True)
    other.refresh_from_db()
    assert other.status == "draft"
    assert "Sebutkan alasan rekomendasi dibatalkan." in text_of(response)
    client.post(f"/recommendations/{other.pk}/cancel/", {"cancel-reason": "Tidak relevan."})
    other.refresh_from_db()
    assert other.status == "cancelled"

    draft = make_recommendation(by=analyst_sumbar, meeting=meeting, title="Dibuang")
    response = client.post(f"/recommendations/{draft.pk}/discard/", follow=True)
    assert response.redirect_chain == [(f"/meetings/{meeting.pk}/", 302)]
    assert "Draf dibuang." in text_of(response)
    assert not Recommendation.objects.filter(pk=draft.pk).exists()
    response = client.post(f"/recommendations/{other.pk}/discard/", follow=True)
    assert response.redirect_chain == [(f"/recommendations/{other.pk}/", 302)]
    assert Recommendation.objects.filter(pk=other.pk).exists()
    assert "Hanya draf yang bisa dibuang" in text_of(response)

    member = forum.members.get(office="Kajati Sumatera Barat")
    response = client.post(f"/forums/{forum.pk}/members/{member.pk}/remove/", follow=True)
    assert "Anggota dihapus." in text_of(response)
    assert not forum.members.filter(pk=member.pk).exists()
