"""The forum, meeting and recommendation API, per persona inside and outside the
jurisdiction."""

import datetime as dt

import pytest

from forkopimda import services
from forkopimda.models import Forum, Meeting, Recommendation
from kewaspadaan.models import Region
from tests.factories import UserFactory
from tests.forkopimda.forum_helpers import issue, make_forum, make_meeting, make_recommendation

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def sumbar(analyst_sumbar):
    forum = make_forum(by=analyst_sumbar)
    meeting = make_meeting(by=analyst_sumbar, forum=forum)
    rec = make_recommendation(by=analyst_sumbar, meeting=meeting)
    pariaman_forum = make_forum(by=analyst_sumbar, region_code="13.77",
                                name="Tim Terpadu Kota Pariaman")
    pariaman_meeting = make_meeting(by=analyst_sumbar, forum=pariaman_forum)
    return {"forum": forum, "meeting": meeting, "rec": rec, "pariaman_forum": pariaman_forum,
            "pariaman_meeting": pariaman_meeting}


# --- Forums ---------------------------------------------------------------------------------

def test_forums_are_listed_within_the_jurisdiction(api_client, sumbar, analyst_sumbar,
                                                   operator_pariaman, operator_jateng,
                                                   national_user):
    both = {sumbar["forum"].pk, sumbar["pariaman_forum"].pk}
    for user, expected in ((analyst_sumbar, both), (national_user, both),
                           (operator_pariaman, {sumbar["pariaman_forum"].pk}),
                           (operator_jateng, set())):
        api_client.force_authenticate(user)
        assert _ids(api_client.get("/api/v1/forums/")) == expected, user.username
    api_client.force_authenticate(operator_jateng)
    assert api_client.get(f"/api/v1/forums/{sumbar['forum'].pk}/").status_code == 404


def test_an_analyst_creates_a_forum_with_members(api_client, analyst_sumbar):
    api_client.force_authenticate(analyst_sumbar)
    response = api_client.post("/api/v1/forums/", {
        "region": "13", "kind": "desk_pilkada", "name": "Desk Pilkada Provinsi Sumatera Barat",
        "members": [{"office": "Sekretaris Daerah", "position": "chair"},
                    {"office": "Kapolda Sumatera Barat", "position": "vice_chair",
                     "institution": "polri", "email": "kapolda@example.test"}],
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [m["office"] for m in body["members"]] == ["Sekretaris Daerah",
                                                      "Kapolda Sumatera Barat"]
    assert body["members"][1]["institution"] == "polri"
    added = api_client.post(f"/api/v1/forums/{body['id']}/members/",
                            {"office": "Kaban Kesbangpol", "position": "secretariat"},
                            format="json")
    assert added.status_code == 201
    assert len(added.json()["members"]) == 3


def test_forum_writes_are_refused_by_role_and_outside_the_jurisdiction(api_client,
                                                                      operator_pariaman):
    api_client.force_authenticate(operator_pariaman)
    response = api_client.post("/api/v1/forums/", {"region": "13.77", "kind": "fkdm",
                                                   "name": "FKDM Kota Pariaman"}, format="json")
    assert response.status_code == 403
    jateng_analyst = UserFactory(role="analyst", jurisdiction_code="33")
    api_client.force_authenticate(jateng_analyst)
    response = api_client.post("/api/v1/forums/", {"region": "13", "kind": "fkdm",
                                                   "name": "FKDM Sumatera Barat"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert not Forum.objects.filter(name__startswith="FKDM").exists()


# --- Meetings -------------------------------------------------------------------------------

def test_an_analyst_records_a_meeting_through_the_api(api_client, analyst_sumbar, sumbar):
    api_client.force_authenticate(analyst_sumbar)
    response = api_client.post("/api/v1/meetings/", {
        "forum": sumbar["forum"].pk, "kind": "fgd", "title": "FGD Kewaspadaan Dini",
        "leader": "Kaban Kesbangpol", "held_at": "2024-10-30T09:00:00+07:00",
        "place": "Padang", "topic": "Politik uang",
        "participants": [{"office": "Bawaslu Provinsi"}, {"office": "Polda Sumbar"}],
        "regions": ["13.77", "13.72"], "indicators": ["politik-uang"],
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region"] == "13"
    assert [p["office"] for p in body["participants"]] == ["Bawaslu Provinsi", "Polda Sumbar"]
    assert sorted(body["regions"]) == ["13.72", "13.77"]


def test_a_meeting_of_a_forum_the_caller_cannot_see_is_refused(api_client, sumbar):
    jateng_analyst = UserFactory(role="analyst", jurisdiction_code="33")
    api_client.force_authenticate(jateng_analyst)
    response = api_client.post("/api/v1/meetings/", {
        "forum": sumbar["forum"].pk, "kind": "fgd", "title": "x", "leader": "x",
        "held_at": "2024-10-30T09:00:00+07:00", "place": "x", "topic": "x"}, format="json")
    assert response.status_code == 400
    assert "forum" in response.json()
    assert Meeting.objects.count() == 2


def test_meetings_are_listed_within_the_jurisdiction(api_client, sumbar, operator_pariaman,
                                                     operator_jateng, official_sumbar):
    api_client.force_authenticate(operator_pariaman)
    assert _ids(api_client.get("/api/v1/meetings/")) == {sumbar["pariaman_meeting"].pk}
    assert api_client.get(f"/api/v1/meetings/{sumbar['meeting'].pk}/").status_code == 404
    api_client.force_authenticate(operator_jateng)
    assert _ids(api_client.get("/api/v1/meetings/")) == set()
    api_client.force_authenticate(official_sumbar)
    assert _ids(api_client.get("/api/v1/meetings/?region=13.77")) == {
        sumbar["pariaman_meeting"].pk}


def test_the_region_filter_keeps_what_lies_or_bears_on_the_region(api_client, sumbar,
                                                                   analyst_sumbar):
    """A recommendation of the province concerning Pariaman is Pariaman's too; one
    concerning Solok is not."""
    pariaman = make_recommendation(by=analyst_sumbar, meeting=sumbar["pariaman_meeting"])
    solok = make_recommendation(by=analyst_sumbar, region_code="13", regions=("13.72",))
    api_client.force_authenticate(analyst_sumbar)
    assert _ids(api_client.get("/api/v1/recommendations/?region=13.77")) == {
        sumbar["rec"].pk, pariaman.pk}
    assert _ids(api_client.get("/api/v1/recommendations/?region=13.72")) == {solok.pk}
    assert _ids(api_client.get("/api/v1/forums/?region=13.77")) == {
        sumbar["pariaman_forum"].pk}


def test_the_document_downloads_for_readers_of_the_jurisdiction_only(api_client, sumbar,
                                                                     official_sumbar,
                                                                     operator_jateng,
                                                                     operator_pariaman):
    url = f"/api/v1/meetings/{sumbar['meeting'].pk}/document/"
    api_client.force_authenticate(official_sumbar)
    pdf = api_client.get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    docx = api_client.get(url + "?type=docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert "attachment" in docx["Content-Disposition"]
    api_client.force_authenticate(operator_jateng)
    assert api_client.get(url).status_code == 404
    api_client.force_authenticate(operator_pariaman)
    pariaman_url = f"/api/v1/meetings/{sumbar['pariaman_meeting'].pk}/document/"
    assert api_client.get(pariaman_url).status_code == 403


# --- Recommendations ------------------------------------------------------------------------

def test_the_lifecycle_through_the_api(api_client, sumbar, analyst_sumbar, official_sumbar):
    api_client.force_authenticate(analyst_sumbar)
    created = api_client.post("/api/v1/recommendations/", {
        "meeting": sumbar["meeting"].pk, "title": "Sanksi tegas ASN",
        "text": "Menjatuhkan sanksi tegas kepada ASN yang terbukti tidak netral.",
        "institutions": ["bkn"], "regions": ["13.77"], "deadline": "2024-11-20",
    }, format="json")
    assert created.status_code == 201, created.content
    rec = created.json()
    assert rec["status"] == "draft" and rec["region"] == "13" and rec["order"] == 2
    base = f"/api/v1/recommendations/{rec['id']}/"
    assert api_client.post(base + "issue/").status_code == 400  # still a draft
    api_client.force_authenticate(official_sumbar)
    assert api_client.post(base + "approve/").json()["status"] == "approved"
    assert api_client.post(base + "issue/").status_code == 403
    api_client.force_authenticate(analyst_sumbar)
    issued = api_client.post(base + "issue/").json()
    assert issued["status"] == "issued" and issued["number"].endswith("/REK/13/"
                                                                      f"{dt.date.today().year}")
    assert issued["overdue"] is True  # the deadline of 2024 has passed
    sent = api_client.post(base + "distributions/", {"recipient": "Kanreg XII BKN",
                                                     "institution": "bkn"}, format="json")
    distribution_id = sent.json()["distributions"][0]["id"]
    api_client.force_authenticate(official_sumbar)
    acknowledged = api_client.post(f"{base}distributions/{distribution_id}/acknowledge/",
                                   {"acknowledged_by": "Kepala Kanreg XII"}, format="json")
    assert acknowledged.json()["distributions"][0]["acknowledged_by"] == "Kepala Kanreg XII"
    progressed = api_client.post(base + "progress/", {"text": "5 ASN diperiksa.",
                                                      "institution": "bkn"}, format="json")
    assert progressed.status_code == 201
    assert progressed.json()["status"] == "in_progress"
    done = api_client.post(base + "complete/", {"reason": "Sanksi dijatuhkan."}, format="json")
    assert done.json()["status"] == "done" and done.json()["overdue"] is False
    assert [t["to_status"] for t in done.json()["transitions"]] == [
        "draft", "approved", "issued", "in_progress", "done"]


def test_cancel_needs_a_reason_and_only_drafts_are_discarded(api_client, sumbar,
                                                             analyst_sumbar):
    api_client.force_authenticate(analyst_sumbar)
    base = f"/api/v1/recommendations/{sumbar['rec'].pk}/"
    assert api_client.post(base + "cancel/", {"reason": ""}, format="json").status_code == 400
    issue(sumbar["rec"], by=analyst_sumbar)
    assert api_client.delete(base).status_code == 400
    other = make_recommendation(by=analyst_sumbar, meeting=sumbar["meeting"])
    assert api_client.delete(f"/api/v1/recommendations/{other.pk}/").status_code == 204
    assert not Recommendation.objects.filter(pk=other.pk).exists()


def test_recommendations_are_listed_within_the_jurisdiction_with_filters(
        api_client, sumbar, analyst_sumbar, operator_pariaman, operator_jateng):
    today = services.region_today(Region.objects.get(code="13"))
    late = issue(make_recommendation(by=analyst_sumbar, region_code="13.77",
                                     deadline=today - dt.timedelta(days=2)), by=analyst_sumbar)
    api_client.force_authenticate(analyst_sumbar)
    assert _ids(api_client.get("/api/v1/recommendations/?overdue=true")) == {late.pk}
    assert _ids(api_client.get("/api/v1/recommendations/?status=draft")) == {sumbar["rec"].pk}
    assert _ids(api_client.get("/api/v1/recommendations/?institution=bkn")) == {
        late.pk, sumbar["rec"].pk}
    api_client.force_authenticate(operator_pariaman)
    assert _ids(api_client.get("/api/v1/recommendations/")) == {late.pk}
    assert api_client.get(f"/api/v1/recommendations/{sumbar['rec'].pk}/").status_code == 404
    api_client.force_authenticate(operator_jateng)
    assert _ids(api_client.get("/api/v1/recommendations/")) == set()
    assert api_client.post(f"/api/v1/recommendations/{late.pk}/complete/").status_code == 404


def test_an_incident_the_caller_cannot_see_is_not_found(api_client, sumbar, analyst_sumbar):
    api_client.force_authenticate(analyst_sumbar)
    response = api_client.post("/api/v1/recommendations/", {
        "region": "13", "title": "x", "text": "y", "incidents": [999999]}, format="json")
    assert response.status_code == 400
    assert "incidents" in response.json()


def test_the_list_costs_a_fixed_number_of_queries(api_client, sumbar, analyst_sumbar,
                                                  django_assert_max_num_queries):
    for _ in range(5):
        issue(make_recommendation(by=analyst_sumbar, meeting=sumbar["meeting"]),
              by=analyst_sumbar)
    api_client.force_authenticate(analyst_sumbar)
    with django_assert_max_num_queries(12):
        response = api_client.get("/api/v1/recommendations/")
    assert len(response.json()["results"]) == 6


def test_attachments_upload_and_download_within_the_jurisdiction(api_client, sumbar,
                                                                 analyst_sumbar,
                                                                 operator_jateng):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.force_authenticate(analyst_sumbar)
    url = f"/api/v1/meetings/{sumbar['meeting'].pk}/attachments/"
    refused = api_client.post(url, {"file": SimpleUploadedFile("a.pdf", b"<script>x</script>")},
                              format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()
    created = api_client.post(url, {"file": SimpleUploadedFile("hadir.pdf", b"%PDF-1.4 x"),
                                    "description": "Daftar hadir"}, format="multipart")
    assert created.status_code == 201, created.content
    [attachment] = created.json()["attachments"]
    assert attachment["content_type"] == "application/pdf"
    download = api_client.get(attachment["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 x"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Content-Disposition"].startswith('attachment; filename="hadir.pdf"')
    stored = sumbar["meeting"].attachments.get()
    stored.file.delete(save=False)
    assert api_client.get(attachment["download"]).status_code == 404  # missing from storage
    api_client.force_authenticate(operator_jateng)
    assert api_client.get(attachment["download"]).status_code == 404
