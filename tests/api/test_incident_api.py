"""The incident API on the real rules: the Pariaman WhatsApp case end to end, the scoping rule
(404, never 403, outside the jurisdiction or above the classification), per-field 400s,
evidence checked by content, and a list whose cost does not grow with the data."""

import datetime as dt
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kewaspadaan.models import Indicator, Institution, Region
from laporan import services
from laporan.models import Evidence, Incident, Referral
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/incidents/"
REFERRALS = "/api/v1/referrals/"
EVIDENCE = "/api/v1/evidence/"
WIB = dt.timezone(dt.timedelta(hours=7))


def pariaman_payload(**overrides) -> dict:
    """The Pariaman case (Oct 2024) as an API client sends it."""
    body = {
        "title": "Grup WhatsApp 15 ASN berkampanye untuk paslon",
        "narrative": "Sebuah grup WhatsApp beranggotakan 15 ASN Pemko Pariaman mengajak "
                     "memilih salah satu pasangan calon wali kota.",
        "region": "13.77",
        "occurred_at": "2024-10-14T09:30:00+07:00",
        "indicator": "asn-grup-percakapan",
        "source_type": "bawaslu",
        "actors": [{"actor_type": "asn", "count": 15, "description": "ASN Pemko Pariaman"}],
        "informant": "Bapak R., anggota grup, 0812-0000-0000",
    }
    body.update(overrides)
    return body


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A real, decodable PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def as_user(client, user):
    client.force_authenticate(user)
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> set[int]:
    return {row["id"] for row in results(response)}


@pytest.fixture
def drafted(api_client, operator_pariaman) -> dict:
    response = as_user(api_client, operator_pariaman).post(INCIDENTS, pariaman_payload(),
                                                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def submitted(api_client, operator_pariaman, drafted) -> dict:
    response = as_user(api_client, operator_pariaman).post(
        f"{INCIDENTS}{drafted['id']}/submit/")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def verified(api_client, analyst_sumbar, submitted) -> dict:
    response = as_user(api_client, analyst_sumbar).post(
        f"{INCIDENTS}{submitted['id']}/verify/", {"reliability": "B", "credibility": 2},
        format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def referred(api_client, analyst_sumbar, verified) -> dict:
    """Bawaslu Sumbar's referral: 10 ASN to the police, 5 to BKN."""
    client = as_user(api_client, analyst_sumbar)
    made = {}
    for code, count in (("polri", 10), ("bkn", 5)):
        response = client.post(REFERRALS, {
            "incident": verified["id"], "institution": code, "subject": "ASN",
            "count": count, "referred_on": "2024-10-21",
        }, format="json")
        assert response.status_code == 201, response.content
        made[code] = response.json()
    return {"incident": verified, **made}


@pytest.fixture
def evidence(api_client, operator_pariaman, drafted) -> dict:
    upload = SimpleUploadedFile("tangkapan-layar-grup.png", png_bytes(4, 4),
                                content_type="application/octet-stream")
    response = as_user(api_client, operator_pariaman).post(
        EVIDENCE, {"incident": drafted["id"], "file": upload, "description": "Tangkapan layar"},
        format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


# --- The Pariaman case, end to end -----------------------------------------------------------

def test_an_operator_logs_the_pariaman_case_with_everything_derived(drafted):
    assert drafted["reference"] == f"LAP-{drafted['id']:06d}"
    assert drafted["status"] == "draft"
    assert drafted["stages"] == ["kampanye"]
    assert drafted["election_name"] and drafted["election"]
    assert (drafted["region"], drafted["region_name"]) == ("13.77", "Kota Pariaman")
    assert drafted["indicator"] == "asn-grup-percakapan"
    assert drafted["indicator_category"] == "asn"
    assert drafted["indicator_name"] == Indicator.objects.get(code="asn-grup-percakapan").name
    assert drafted["athg"] == "hambatan"
    assert drafted["actors"] == [
        {"actor_type": "asn", "count": 15, "description": "ASN Pemko Pariaman"}
    ]
    assert drafted["classification"] == "biasa"
    assert drafted["created_by"] == "op.pariaman"
    assert drafted["source_reliability"] == "F" and drafted["information_credibility"] == 6
    occurred = dt.datetime.fromisoformat(drafted["occurred_at"])
    assert occurred == dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB)
    assert Incident.objects.get(pk=drafted["id"]).actors.get().count == 15


def test_submitted_verified_and_referred_it_is_in_follow_up_with_two_referrals(
        api_client, analyst_sumbar, referred):
    incident = as_user(api_client, analyst_sumbar).get(
        f"{INCIDENTS}{referred['incident']['id']}/").json()
    assert incident["status"] == "follow_up"
    assert incident["verified_by"] == "an.sumbar"
    assert (incident["source_reliability"], incident["information_credibility"]) == ("B", 2)
    assert referred["polri"]["count"] == 10 and referred["bkn"]["count"] == 5
    assert referred["polri"]["institution_name"] == "Polri"
    assert referred["polri"]["deadline"] == "2024-11-08"  # 14 working days from Monday
    assert referred["bkn"]["deadline"] is None and referred["bkn"]["is_overdue"] is False
    assert referred["polri"]["is_overdue"] is True  # open, and its deadline has passed
    assert referred["polri"]["incident_reference"] == incident["reference"]

    timeline = api_client.get(f"{INCIDENTS}{incident['id']}/timeline/").json()
    steps = [(e["kind"], e["by"], (e["transition"] or {}).get("to_status"),
              (e["referral"] or {}).get("institution")) for e in timeline]
    assert steps == [
        ("status", "op.pariaman", "draft", None),
        ("status", "op.pariaman", "submitted", None),
        ("status", "an.sumbar", "verified", None),
        ("referral", "an.sumbar", None, "polri"),
        ("status", "an.sumbar", "follow_up", None),
        ("referral", "an.sumbar", None, "bkn"),
    ]


@pytest.mark.parametrize("params", [
    {"region": "13"}, {"region": "13.77"}, {"indicator": "asn"},
    {"indicator": "asn-grup-percakapan"}, {"stage": "kampanye"}, {"status": "follow_up"},
    {"q": "WhatsApp"}, {"q": "whatsapp ASN"},
    {"region": "13", "indicator": "asn", "stage": "kampanye", "status": "follow_up",
     "q": "WhatsApp"},
])
def test_the_list_filters_find_the_pariaman_case(api_client, analyst_sumbar, referred, params):
    found = ids(as_user(api_client, analyst_sumbar).get(INCIDENTS, params))
    assert found == {referred["incident"]["id"]}


@pytest.mark.parametrize("params", [
    {"region": "13.72"}, {"region": "33"}, {"indicator": "politik-uang"},
    {"stage": "masa-tenang"}, {"status": "draft"}, {"q": "baliho"},
])
def test_the_list_filters_leave_out_what_does_not_match(api_client, analyst_sumbar, referred,
                                                       params):
    assert ids(as_user(api_client, analyst_sumbar).get(INCIDENTS, params)) == set()


def test_referrals_filter_by_institution_overdue_and_incident(api_client, analyst_sumbar,
                                                              referred):
    client = as_user(api_client, analyst_sumbar)
    polri, bkn = referred["polri"]["id"], referred["bkn"]["id"]
    assert ids(client.get(REFERRALS)) == {polri, bkn}
    assert ids(client.get(REFERRALS, {"overdue": "true"})) == {polri}
    assert ids(client.get(REFERRALS, {"overdue": "false"})) == {bkn}
    assert ids(client.get(REFERRALS, {"institution": "bkn"})) == {bkn}
    assert ids(client.get(REFERRALS, {"incident": referred["incident"]["id"]})) == {polri, bkn}
    assert ids(client.get(REFERRALS, {"region": "13.72"})) == set()


def test_a_referral_is_decided_with_an_outcome_and_stops_being_overdue(api_client,
                                                                       operator_pariaman,
                                                                       referred):
    client = as_user(api_client, operator_pariaman)
    url = f"{REFERRALS}{referred['polri']['id']}/"
    refused = client.patch(url, {"status": "decided"}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"outcome"}

    moving = client.patch(url, {"status": "in_process"}, format="json").json()
    assert moving["status"] == "in_process" and moving["decided_on"] is None

    decided = client.patch(url, {"status": "decided",
                                 "outcome": "Berkas dilimpahkan ke kejaksaan."}, format="json")
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == "decided" and body["is_overdue"] is False
    assert body["decided_on"] == timezone.localdate().isoformat()
    assert Referral.objects.get(pk=body["id"]).outcome == "Berkas dilimpahkan ke kejaksaan."
    assert client.put(url, {"status": "sent"}, format="json").status_code == 405


def test_only_a_verified_incident_can_be_referred(api_client, operator_pariaman, drafted):
    response = as_user(api_client, operator_pariaman).post(REFERRALS, {
        "incident": drafted["id"], "institution": "polri", "subject": "ASN", "count": 10,
        "referred_on": "2024-10-21"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert not Referral.objects.exists()


# --- The scoping rule: 404, never 403 -------------------------------------------------------

def test_another_kab_kota_gets_404_on_the_incident_its_referrals_and_evidence(
        api_client, operator_solok, referred, evidence):
    incident_id = referred["incident"]["id"]
    client = as_user(api_client, operator_solok)
    for url in (f"{INCIDENTS}{incident_id}/", f"{INCIDENTS}{incident_id}/timeline/",
                f"{INCIDENTS}{incident_id}/history/", f"{INCIDENTS}{incident_id}/duplicates/",
                f"{REFERRALS}{referred['polri']['id']}/", f"{EVIDENCE}{evidence['id']}/",
                f"{EVIDENCE}{evidence['id']}/download/"):
        response = client.get(url)
        assert response.status_code == 404, url
    assert response.json() == {"detail": "Data tidak ditemukan."}  # DRF's own, translated
    assert client.post(f"{INCIDENTS}{incident_id}/submit/").status_code == 404
    assert client.patch(f"{INCIDENTS}{incident_id}/", {"title": "x"},
                        format="json").status_code == 404
    assert client.patch(f"{REFERRALS}{referred['polri']['id']}/", {"status": "decided"},
                        format="json").status_code == 404
    assert ids(client.get(INCIDENTS)) == set()
    assert ids(client.get(REFERRALS)) == set()
    assert ids(client.get(EVIDENCE)) == set()
    assert ids(client.get(EVIDENCE, {"incident": incident_id})) == set()

    # Naming the hidden incident in a new record reads as "does not exist".
    refer = client.post(REFERRALS, {"incident": incident_id, "institution": "polri",
                                    "subject": "ASN", "count": 1,
                                    "referred_on": "2024-10-21"}, format="json")
    assert refer.status_code == 400 and set(refer.json()) == {"incident"}
    assert "tidak ditemukan" in refer.json()["incident"][0]
    upload = SimpleUploadedFile("x.png", png_bytes())
    attach = client.post(EVIDENCE, {"incident": incident_id, "file": upload},
                         format="multipart")
    assert attach.status_code == 400 and set(attach.json()) == {"incident"}
    assert Referral.objects.count() == 2 and Evidence.objects.count() == 1


def test_another_province_sees_nothing_of_sumatera_barat(api_client, operator_jateng, referred):
    client = as_user(api_client, operator_jateng)
    assert client.get(f"{INCIDENTS}{referred['incident']['id']}/").status_code == 404
    assert ids(client.get(INCIDENTS)) == set()


def test_a_rahasia_incident_is_hidden_from_officials_and_operators_but_not_its_reporter(
        api_client, analyst_sumbar, official_sumbar, operator_pariaman, national_user):
    secret = as_user(api_client, analyst_sumbar).post(
        INCIDENTS, pariaman_payload(classification="rahasia"), format="json").json()
    assert secret["classification"] == "rahasia"
    for user in (official_sumbar, operator_pariaman, national_user):
        client = as_user(api_client, user)
        assert client.get(f"{INCIDENTS}{secret['id']}/").status_code == 404
        assert secret["id"] not in ids(client.get(INCIDENTS))
    assert as_user(api_client, analyst_sumbar).get(
        f"{INCIDENTS}{secret['id']}/").status_code == 200

    own = as_user(api_client, operator_pariaman).post(
        INCIDENTS, pariaman_payload(classification="rahasia"), format="json").json()
    assert api_client.get(f"{INCIDENTS}{own['id']}/").status_code == 200
    assert ids(api_client.get(INCIDENTS)) == {own["id"]}
    assert as_user(api_client, official_sumbar).get(
        f"{INCIDENTS}{own['id']}/").status_code == 404


def test_a_terbatas_incident_is_read_by_officials_but_not_by_other_operators(
        api_client, analyst_sumbar, official_sumbar, operator_pariaman):
    restricted = as_user(api_client, analyst_sumbar).post(
        INCIDENTS, pariaman_payload(classification="terbatas"), format="json").json()
    # Submitted: a draft is its reporter's and the verifiers' only, whatever its class.
    api_client.post(f"{INCIDENTS}{restricted['id']}/submit/")
    assert as_user(api_client, official_sumbar).get(
        f"{INCIDENTS}{restricted['id']}/").status_code == 200
    assert as_user(api_client, operator_pariaman).get(
        f"{INCIDENTS}{restricted['id']}/").status_code == 404


# --- Informant ----------------------------------------------------------------------------

def test_the_informant_is_kept_but_shown_only_to_analysts(api_client, drafted, operator_pariaman,
                                                          official_sumbar, analyst_sumbar):
    url = f"{INCIDENTS}{drafted['id']}/"
    assert "informant" not in drafted  # the operator wrote it and may not read it back
    assert Incident.objects.get(pk=drafted["id"]).informant.startswith("Bapak R.")
    for user in (operator_pariaman, official_sumbar):
        client = as_user(api_client, user)
        assert "informant" not in client.get(url).json()
        assert all("informant" not in row for row in results(client.get(INCIDENTS)))
    analyst = as_user(api_client, analyst_sumbar)
    assert analyst.get(url).json()["informant"] == "Bapak R., anggota grup, 0812-0000-0000"
    assert results(analyst.get(INCIDENTS))[0]["informant"].startswith("Bapak R.")


def test_an_edit_without_the_informant_does_not_erase_it(api_client, operator_pariaman, drafted):
    client = as_user(api_client, operator_pariaman)
    current = client.get(f"{INCIDENTS}{drafted['id']}/").json()
    writable = {k: current[k] for k in ("title", "narrative", "region", "occurred_at",
                                        "indicator", "source_type", "actors")}
    response = client.put(f"{INCIDENTS}{drafted['id']}/",
                          {**writable, "title": "Grup WhatsApp ASN Pemko Pariaman"},
                          format="json")
    assert response.status_code == 200, response.content
    incident = Incident.objects.get(pk=drafted["id"])
    assert incident.title == "Grup WhatsApp ASN Pemko Pariaman"
    assert incident.informant == "Bapak R., anggota grup, 0812-0000-0000"
    assert incident.actors.get().count == 15


def test_a_put_without_the_classification_does_not_declassify(api_client, analyst_sumbar):
    client = as_user(api_client, analyst_sumbar)
    secret = client.post(INCIDENTS, pariaman_payload(classification="rahasia"),
                         format="json").json()
    response = client.put(f"{INCIDENTS}{secret['id']}/", {
        k: v for k, v in pariaman_payload(title="Judul baru").items()
        if k not in ("informant", "actors")}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["classification"]) == ("Judul baru", "rahasia")
    assert body["informant"].startswith("Bapak R.") and body["actors"][0]["count"] == 15


def test_a_new_indicator_brings_its_athg_class_unless_one_was_chosen(api_client,
                                                                     operator_pariaman,
                                                                     drafted):
    client = as_user(api_client, operator_pariaman)
    url = f"{INCIDENTS}{drafted['id']}/"
    moved = client.patch(url, {"indicator": "uang-tunai"}, format="json").json()
    assert (moved["indicator"], moved["athg"]) == ("uang-tunai", "gangguan")
    chosen = client.patch(url, {"athg": "ancaman"}, format="json").json()
    assert chosen["athg"] == "ancaman"
    kept = client.patch(url, {"indicator": "asn-grup-percakapan"}, format="json").json()
    assert kept["athg"] == "ancaman"


def test_the_browsable_api_renders_without_listing_every_region(api_client, analyst_sumbar,
                                                                referred, evidence):
    client = as_user(api_client, analyst_sumbar)
    for url in (INCIDENTS, f"{INCIDENTS}{referred['incident']['id']}/", REFERRALS, EVIDENCE):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        # Text boxes, not a <select> of 91,599 regions or of every incident.
        assert not re.search(rb'<select[^>]*name="(region|kecamatan|desa|indicator|contest|'
                             rb'candidate_pair|incident|institution)"', response.content), url


def test_the_history_masks_the_informant_for_those_who_may_not_see_it(
        api_client, operator_pariaman, analyst_sumbar, drafted):
    client = as_user(api_client, operator_pariaman)
    changed = client.patch(f"{INCIDENTS}{drafted['id']}/",
                           {"informant": "Ibu S., 0813-1111-1111"}, format="json")
    assert changed.status_code == 200, changed.content
    history = client.get(f"{INCIDENTS}{drafted['id']}/history/").json()
    assert history[0]["by"] == "op.pariaman" and len(history) == 2
    assert history[0]["changes"] == [
        {"field": history[0]["changes"][0]["field"], "old": "•••", "new": "•••"}
    ]
    seen = as_user(api_client, analyst_sumbar).get(
        f"{INCIDENTS}{drafted['id']}/history/").json()
    assert seen[0]["changes"][0]["new"] == "Ibu S., 0813-1111-1111"


# --- Who may do what ----------------------------------------------------------------------

def test_an_operator_cannot_verify(api_client, operator_pariaman, submitted):
    response = as_user(api_client, operator_pariaman).post(
        f"{INCIDENTS}{submitted['id']}/verify/", {"reliability": "A", "credibility": 1},
        format="json")
    assert response.status_code == 403
    assert Incident.objects.get(pk=submitted["id"]).status == "submitted"


def test_an_official_cannot_log_an_incident(api_client, official_sumbar):
    response = as_user(api_client, official_sumbar).post(INCIDENTS, pariaman_payload(),
                                                         format="json")
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_verification_grades_must_be_a_to_f_and_1_to_6(api_client, analyst_sumbar, submitted):
    response = as_user(api_client, analyst_sumbar).post(
        f"{INCIDENTS}{submitted['id']}/verify/", {"reliability": "G", "credibility": 7},
        format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reliability", "credibility"}
    assert response.json()["reliability"] == ['"G" tidak ada dalam daftar pilihan.']


def test_verifying_twice_is_a_clear_400(api_client, analyst_sumbar, verified):
    response = api_client.post(f"{INCIDENTS}{verified['id']}/verify/",
                               {"reliability": "B", "credibility": 2}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_a_rejection_needs_a_reason(api_client, analyst_sumbar, submitted):
    client = as_user(api_client, analyst_sumbar)
    url = f"{INCIDENTS}{submitted['id']}/reject/"
    missing = client.post(url, {}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"reason": ["Bidang ini harus diisi."]}
    blank = client.post(url, {"reason": "   "}, format="json")
    assert blank.status_code == 400 and set(blank.json()) == {"reason"}
    done = client.post(url, {"reason": "Hoaks, tidak ada grup seperti itu."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "rejected"


def test_a_verified_incident_changes_only_with_a_reason_and_only_by_an_analyst(
        api_client, analyst_sumbar, operator_pariaman, verified):
    url = f"{INCIDENTS}{verified['id']}/"
    operator = as_user(api_client, operator_pariaman).patch(
        url, {"title": "Judul baru", "reason": "x"}, format="json")
    assert operator.status_code == 403
    client = as_user(api_client, analyst_sumbar)
    silent = client.patch(url, {"title": "Grup WhatsApp 15 ASN Pemko Pariaman"}, format="json")
    assert silent.status_code == 400 and set(silent.json()) == {"reason"}
    explained = client.patch(url, {"title": "Grup WhatsApp 15 ASN Pemko Pariaman",
                                   "reason": "Judul diperjelas"}, format="json")
    assert explained.status_code == 200, explained.content
    body = explained.json()
    assert body["title"] == "Grup WhatsApp 15 ASN Pemko Pariaman"
    assert body["status"] == "verified" and body["actors"][0]["count"] == 15
    history = client.get(f"{url}history/").json()
    assert history[0]["reason"] == "Judul diperjelas" and history[0]["by"] == "an.sumbar"
    assert any(c["old"] == "Grup WhatsApp 15 ASN berkampanye untuk paslon"
               for c in history[0]["changes"])


def test_follow_up_and_close(api_client, analyst_sumbar, verified):
    client = as_user(api_client, analyst_sumbar)
    url = f"{INCIDENTS}{verified['id']}/"
    follow = client.post(f"{url}follow-up/", {}, format="json")
    assert follow.status_code == 200 and follow.json()["status"] == "follow_up"
    no_reason = client.post(f"{url}close/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and set(no_reason.json()) == {"reason"}
    closed = client.post(f"{url}close/", {"reason": "ASN dijatuhi sanksi oleh BKN."},
                         format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    edit = client.patch(url, {"title": "x", "reason": "y"}, format="json")
    assert edit.status_code == 400


def test_an_incident_is_assigned_to_an_analyst_of_the_region_only(
        api_client, analyst_sumbar, operator_pariaman, submitted):
    client = as_user(api_client, analyst_sumbar)
    url = f"{INCIDENTS}{submitted['id']}/assign/"
    assigned = client.post(url, {"assignee": analyst_sumbar.pk}, format="json")
    assert assigned.status_code == 200
    assert (assigned.json()["assigned_to"], assigned.json()["assigned_to_username"]) == (
        analyst_sumbar.pk, "an.sumbar")
    refused = client.post(url, {"assignee": operator_pariaman.pk}, format="json")
    assert refused.status_code == 400 and "non_field_errors" in refused.json()
    cleared = client.post(url, {"assignee": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["assigned_to"] is None
    assert as_user(api_client, operator_pariaman).post(
        url, {"assignee": analyst_sumbar.pk}, format="json").status_code == 403


def test_a_likely_duplicate_is_suggested_and_merged(api_client, operator_pariaman,
                                                    analyst_sumbar, submitted):
    client = as_user(api_client, operator_pariaman)
    other = client.post(INCIDENTS, pariaman_payload(
        title="15 ASN kampanye lewat grup WhatsApp", source_type="media_sosial",
        occurred_at="2024-10-15T08:00:00+07:00"), format="json").json()
    client.post(INCIDENTS, pariaman_payload(
        title="Baliho roboh", narrative="Angin kencang merobohkan baliho di pasar.",
        occurred_at="2024-10-15T08:00:00+07:00"), format="json")
    client = as_user(api_client, analyst_sumbar)
    found = client.get(f"{INCIDENTS}{other['id']}/duplicates/").json()
    assert [d["incident"]["id"] for d in found] == [submitted["id"]]
    assert found[0]["incident"]["reference"] == submitted["reference"]
    assert 0 < found[0]["score"] <= 1

    merged = client.post(f"{INCIDENTS}{other['id']}/merge/", {"into": submitted["id"]},
                         format="json")
    assert merged.status_code == 200, merged.content
    assert merged.json()["status"] == "merged"
    assert merged.json()["merged_into"] == submitted["id"]
    again = client.post(f"{INCIDENTS}{submitted['id']}/merge/", {"into": submitted["id"]},
                        format="json")
    assert again.status_code == 400


def test_merging_into_a_hidden_incident_reads_as_not_found(api_client, operator_solok,
                                                           analyst_sumbar):
    solok = as_user(api_client, operator_solok).post(
        INCIDENTS, pariaman_payload(region="13.72"), format="json").json()
    pariaman = as_user(api_client, analyst_sumbar).post(INCIDENTS, pariaman_payload(),
                                                        format="json").json()
    analyst_solok = UserFactory(username="an.solok", role="analyst", jurisdiction_code="13.72")
    response = as_user(api_client, analyst_solok).post(
        f"{INCIDENTS}{solok['id']}/merge/", {"into": pariaman["id"]}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"into"}
    assert Incident.objects.get(pk=solok["id"]).status == "draft"


# --- Bad input ----------------------------------------------------------------------------

def test_missing_fields_are_named_one_by_one_in_indonesian(api_client, operator_pariaman):
    response = as_user(api_client, operator_pariaman).post(INCIDENTS, {}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"title", "narrative", "region", "occurred_at", "indicator",
                           "source_type"}
    assert all(messages == ["Bidang ini harus diisi."] for messages in errors.values())
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"kecamatan": "13.72.01"}, {"kecamatan"}),  # a kecamatan of Kota Solok
    ({"kecamatan": "13.77.01", "desa": "13.77.02.2005"}, {"desa"}),  # Ampalu is in Utara
    ({"kecamatan": "13.77.01.1001"}, {"kecamatan"}),  # a code of the wrong level
    ({"region": "13.72"}, {"region"}),  # outside the operator's jurisdiction
    ({"region": "13"}, {"region"}),  # a province, not a kab/kota
    ({"region": "99.99"}, {"region"}),  # no such code
    ({"indicator": "asn"}, {"indicator"}),  # a category, not an indicator
    ({"indicator": "tidak-ada"}, {"indicator"}),
    ({"occurred_at": "2024-10-14T09:30:00"}, {"occurred_at"}),  # naive
    ({"occurred_at": "2024-10-14"}, {"occurred_at"}),
    ({"occurred_at": "kemarin sore"}, {"occurred_at"}),
    ({"latitude": -0.62}, {"latitude"}),  # without a longitude
    ({"latitude": 48.85, "longitude": 2.35}, {"latitude", "longitude"}),  # Paris
    ({"actors": [{"actor_type": "asn", "count": 0}]}, {"actors"}),
    ({"actors": [{"actor_type": "alien"}]}, {"actors"}),
    ({"title": "  ", "source_type": "gosip"}, {"title", "source_type"}),
])
def test_bad_input_is_a_400_per_field_and_creates_nothing(api_client, operator_pariaman,
                                                          overrides, fields):
    response = as_user(api_client, operator_pariaman).post(
        INCIDENTS, pariaman_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    assert not Incident.objects.exists()


def test_an_event_in_the_future_is_refused(api_client, operator_pariaman):
    tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(WIB).isoformat()
    response = as_user(api_client, operator_pariaman).post(
        INCIDENTS, pariaman_payload(occurred_at=tomorrow), format="json")
    assert response.status_code == 400 and set(response.json()) == {"occurred_at"}
    assert not Incident.objects.exists()


def test_the_service_reports_every_problem_at_once(api_client, operator_pariaman):
    response = as_user(api_client, operator_pariaman).post(INCIDENTS, pariaman_payload(
        kecamatan="13.72.01", indicator="asn",
        occurred_at=(timezone.now() + dt.timedelta(days=2)).isoformat()), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"kecamatan", "indicator", "occurred_at"}
    assert not Incident.objects.exists()


def test_a_desa_completes_its_kecamatan(api_client, operator_pariaman):
    desa = Region.objects.filter(code__startswith="13.77.", level=4).order_by("code").first()
    response = as_user(api_client, operator_pariaman).post(
        INCIDENTS, pariaman_payload(desa=desa.code), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kecamatan"], body["desa"], body["desa_name"]) == (
        desa.parent_id, desa.code, desa.name)


# --- Evidence -----------------------------------------------------------------------------

def test_a_real_png_is_accepted_and_recognised_by_its_content(evidence, drafted):
    assert evidence["content_type"] == "image/png"
    assert evidence["original_name"] == "tangkapan-layar-grup.png"
    assert evidence["size"] == len(png_bytes(4, 4))
    assert evidence["incident"] == drafted["id"]
    assert evidence["uploaded_by"] == "op.pariaman"
    assert evidence["download_url"].endswith(f"/api/v1/evidence/{evidence['id']}/download/")
    assert "file" not in evidence
    stored = Evidence.objects.get(pk=evidence["id"])
    assert stored.file.name.endswith(".png") and "tangkapan" not in stored.file.name


def test_an_executable_renamed_jpg_is_refused(api_client, operator_pariaman, drafted):
    upload = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
                                content_type="image/jpeg")
    response = as_user(api_client, operator_pariaman).post(
        EVIDENCE, {"incident": drafted["id"], "file": upload}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"file"}
    assert not Evidence.objects.exists()


def test_an_oversize_file_is_refused(api_client, operator_pariaman, drafted, settings):
    content = png_bytes(64, 64)
    settings.EVIDENCE_MAX_BYTES = len(content) - 1
    upload = SimpleUploadedFile("besar.png", content)
    response = as_user(api_client, operator_pariaman).post(
        EVIDENCE, {"incident": drafted["id"], "file": upload}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"file"}
    assert not Evidence.objects.exists()


def test_the_same_file_twice_is_refused(api_client, operator_pariaman, drafted, evidence):
    upload = SimpleUploadedFile("lagi.png", png_bytes(4, 4))
    response = as_user(api_client, operator_pariaman).post(
        EVIDENCE, {"incident": drafted["id"], "file": upload}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"file"}


def test_an_upload_without_a_file_is_refused_in_indonesian(api_client, operator_pariaman,
                                                           drafted):
    response = as_user(api_client, operator_pariaman).post(
        EVIDENCE, {"incident": drafted["id"]}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["Pilih berkas terlebih dahulu."]}


def test_the_pariaman_operator_downloads_the_file_as_an_attachment(api_client, operator_pariaman,
                                                                   evidence):
    response = as_user(api_client, operator_pariaman).get(
        f"{EVIDENCE}{evidence['id']}/download/", HTTP_ACCEPT="image/png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes(4, 4)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        'attachment; filename="tangkapan-layar-grup.png"')


def test_evidence_is_listed_per_incident(api_client, operator_pariaman, analyst_sumbar,
                                         drafted, evidence):
    other = as_user(api_client, operator_pariaman).post(
        INCIDENTS, pariaman_payload(title="Lain"), format="json").json()
    client = as_user(api_client, analyst_sumbar)
    assert ids(client.get(EVIDENCE, {"incident": drafted["id"]})) == {evidence["id"]}
    assert ids(client.get(EVIDENCE, {"incident": other["id"]})) == set()
    detail = client.get(f"{EVIDENCE}{evidence['id']}/").json()
    assert detail["sha256"] == Evidence.objects.get().sha256


def test_evidence_of_a_rahasia_incident_is_hidden_from_officials(
        api_client, analyst_sumbar, official_sumbar):
    secret = as_user(api_client, analyst_sumbar).post(
        INCIDENTS, pariaman_payload(classification="rahasia"), format="json").json()
    attached = api_client.post(EVIDENCE, {"incident": secret["id"],
                                          "file": SimpleUploadedFile("a.png", png_bytes())},
                               format="multipart").json()
    client = as_user(api_client, official_sumbar)
    assert client.get(f"{EVIDENCE}{attached['id']}/download/").status_code == 404
    assert ids(client.get(EVIDENCE)) == set()


# --- Authentication, cost, schema ---------------------------------------------------------

def test_a_token_authenticates_and_nothing_is_shown_without_one(api_client, operator_pariaman,
                                                                drafted):
    api_client.force_authenticate(None)
    assert api_client.get(INCIDENTS).status_code in (401, 403)
    token = Token.objects.create(user=operator_pariaman)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ids(api_client.get(INCIDENTS)) == {drafted["id"]}
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api_client.get(INCIDENTS).status_code in (401, 403)


def test_token_writes_are_recorded_under_the_tokens_user(api_client, operator_pariaman):
    token = Token.objects.create(user=operator_pariaman)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    created = api_client.post(INCIDENTS, pariaman_payload(), format="json")
    assert created.status_code == 201, created.content
    history = api_client.get(f"{INCIDENTS}{created.json()['id']}/history/").json()
    assert [entry["by"] for entry in history] == ["op.pariaman"]


def test_the_lists_cost_a_fixed_number_of_queries(api_client, operator_pariaman, analyst_sumbar,
                                                   django_assert_max_num_queries):
    first = dt.datetime(2024, 10, 1, 8, 0, tzinfo=WIB)
    indicator = Indicator.objects.get(code="asn-grup-percakapan")
    region = Region.objects.get(code="13.77")
    polri = Institution.objects.get(code="polri")
    for n in range(30):
        incident = services.incident_create(by=operator_pariaman, submit=True, data=(
            services.IncidentData(
                title=f"Kejadian {n}", narrative="Grup WhatsApp ASN.", region=region,
                kecamatan=Region.objects.get(code="13.77.01"),
                occurred_at=first + dt.timedelta(hours=n), indicator=indicator,
                source_type="bawaslu", informant="Rahasia",
                actors=[services.ActorData("asn", 3), services.ActorData("kepala_desa", 1)])))
        if n % 3 == 0:
            services.incident_verify(incident=incident, by=analyst_sumbar, reliability="B",
                                     credibility=2)
            services.evidence_add(incident=incident, by=operator_pariaman,
                                  upload=SimpleUploadedFile("a.png", png_bytes(n + 1, 1)))
            services.referral_create(incident=incident, by=analyst_sumbar,
                                     institution=polri,
                                     subject="ASN", count=1, referred_on=dt.date(2024, 10, 21))
    client = as_user(api_client, analyst_sumbar)
    # Incidents: the page, then by prefetch its stages, actors, kecamatan, desa, election,
    # assignee and verifier (joining them all made PostgreSQL plan for 200 ms); at most 8
    # whatever the number of rows. Referrals and evidence: one query each.
    for url, expected, queries in ((INCIDENTS, 30, 8), (REFERRALS, 10, 1), (EVIDENCE, 10, 1)):
        with django_assert_max_num_queries(queries):
            rows = results(client.get(url, {"page_size": 100}))
        assert len(rows) == expected, url
    incidents = results(client.get(INCIDENTS, {"page_size": 100}))
    assert [r["title"] for r in incidents[:2]] == ["Kejadian 29", "Kejadian 28"]
    assert all(len(r["actors"]) == 2 and r["stages"] == ["kampanye"] for r in incidents)


def test_the_cursor_walks_every_incident_newest_first(api_client, operator_pariaman):
    first = dt.datetime(2024, 10, 1, 8, 0, tzinfo=WIB)
    indicator = Indicator.objects.get(code="asn-grup-percakapan")
    region = Region.objects.get(code="13.77")
    for n in range(7):
        # Two incidents share each instant: the cursor must still see every one once.
        services.incident_create(by=operator_pariaman, data=services.IncidentData(
            title=f"Kejadian {n}", narrative="x", region=region,
            occurred_at=first + dt.timedelta(hours=n // 2), indicator=indicator,
            source_type="bawaslu"))
    client = as_user(api_client, operator_pariaman)
    seen, url, params = [], INCIDENTS, {"page_size": 2}
    while url:
        body = client.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    expected = list(Incident.objects.order_by("-occurred_at", "-id").values_list("pk", flat=True))
    assert seen == expected


def test_every_endpoint_is_in_the_openapi_schema(api_client, national_user):
    response = as_user(api_client, national_user).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    incident = "/api/v1/incidents/{id}/"
    expected = {
        "/api/v1/incidents/": {"get", "post"},
        incident: {"get", "put", "patch"},
        **{f"{incident}{name}/": {"post"} for name in
           ("submit", "verify", "reject", "merge", "follow-up", "close", "assign")},
        **{f"{incident}{name}/": {"get"} for name in ("duplicates", "history", "timeline")},
        "/api/v1/referrals/": {"get", "post"},
        "/api/v1/referrals/{id}/": {"get", "patch"},
        "/api/v1/evidence/": {"get", "post"},
        "/api/v1/evidence/{id}/": {"get"},
        "/api/v1/evidence/{id}/download/": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) - {"parameters"} == methods, path
    verify = paths[f"{incident}verify/"]["post"]["requestBody"]["content"]
    assert "VerifyRequest" in str(verify)
    upload = paths["/api/v1/evidence/"]["post"]["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}
