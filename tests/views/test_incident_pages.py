"""The incident pages: quick entry and edit, list, one incident with its actions, the
verification queue, referrals and evidence downloads.

Pages are read in English (the language cookie), so the assertions hold whatever state the
Indonesian catalogue is in; the translation tests check that catalogue on their own.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kewaspadaan.models import Indicator, Institution, Region
from laporan import services
from laporan.choices import Status
from laporan.models import Evidence, Incident, Referral
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

TITLE = "Grup WhatsApp 15 ASN berkampanye untuk paslon"
NARRATIVE = ("Sebuah grup WhatsApp beranggotakan 15 ASN Pemko Pariaman mengajak memilih salah "
             "satu pasangan calon wali kota.")


def form_data(**overrides) -> dict:
    data = {
        "region": "13.77", "kecamatan": "", "desa": "", "occurred_at": "2024-10-14T09:30",
        "indicator": "asn-grup-percakapan", "athg": "", "title": TITLE, "narrative": NARRATIVE,
        "source_type": "bawaslu", "severity": "2", "actor_type_0": "asn", "actor_count_0": "15",
        "injured": "0", "killed": "0", "damage": "", "classification": "biasa",
        "informant": "Bapak R., 0812-0000-0000", "latitude": "", "longitude": "",
        "intent": "draft",
    }
    data.update(overrides)
    return data


def whatsapp_case(**overrides) -> services.IncidentData:
    values = dict(
        title=TITLE, narrative=NARRATIVE, region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
        actors=[services.ActorData("asn", 15, "ASN Pemko Pariaman")], informant="Bapak R.",
    )
    values.update(overrides)
    return services.IncidentData(**values)


def text_of(response) -> str:
    """The page's visible text, whitespace collapsed (good enough for assertions)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def error_of(response, field: str, *, prefix: str = "id_") -> str:
    match = re.search(rf'<ul class="errorlist" id="{prefix}{field}_error">(.*?)</ul>',
                      response.content.decode(), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request activates its language in this thread and leaves it there: restore the
    default so the English of these pages does not leak into the next test module."""
    yield
    translation.deactivate()


@pytest.fixture
def submitted(operator_pariaman):
    return services.incident_create(by=operator_pariaman, data=whatsapp_case(), submit=True)


@pytest.fixture
def verified(submitted, analyst_sumbar):
    return services.incident_verify(incident=submitted, by=analyst_sumbar, reliability="B",
                                    credibility=2)


def png(name="foto-grup.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="text/plain")


# --- Quick entry ------------------------------------------------------------------------

def test_the_quick_entry_form_offers_the_operators_own_kota_without_script(
        as_user, operator_pariaman):
    page = as_user(operator_pariaman).get(reverse("laporan:incident_create"))
    html = page.content.decode()
    assert page.status_code == 200
    select = re.search(r'<select name="region".*?</select>', html, flags=re.S).group(0)
    assert re.search(r'<option value="13.77"[^>]*selected', select)
    assert "Kota Pariaman" in select and "13.72" not in select
    assert 'name="kecamatan"' in html and 'type="datetime-local"' in html
    assert '<optgroup label="Netralitas ASN">' in html
    assert 'value="asn-grup-percakapan" data-athg="hambatan"' in html
    assert 'name="informant"' in html  # the reporter may always write the informant
    assert 'value="draft"' in html and 'value="submit"' in html
    assert "js/incident-form.js" in html


def test_a_nationwide_user_types_a_code_instead_of_scrolling_514_kabkota(as_user, admin_user):
    html = as_user(admin_user).get(reverse("laporan:incident_create")).content.decode()
    assert re.search(r'<input type="text" name="region"[^>]*placeholder="13.77"', html)


def test_an_operator_saves_a_draft_through_the_form(as_user, operator_pariaman):
    client = as_user(operator_pariaman)
    response = client.post(reverse("laporan:incident_create"), form_data())
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("laporan:incident_detail", args=[incident.pk])
    assert incident.status == Status.DRAFT
    assert incident.region_id == "13.77" and incident.created_by == operator_pariaman
    assert incident.occurred_at == dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB)
    assert [s.slug for s in incident.stages.all()] == ["kampanye"]
    assert incident.athg == "hambatan"  # the indicator's class
    assert [(a.actor_type, a.count) for a in incident.actors.all()] == [("asn", 15)]
    assert incident.informant == "Bapak R., 0812-0000-0000"

    page = client.get(response.url)
    text = text_of(page)
    assert TITLE in text and "Kampanye" in text and "15 ASN (civil servants)" in text
    assert "14 October 2024, 09:30 WIB" in text
    assert f"{incident.reference} was saved as a draft." in messages_of(page)


def test_the_submit_button_submits_at_once(as_user, operator_pariaman):
    as_user(operator_pariaman).post(reverse("laporan:incident_create"),
                                    form_data(intent="submit", athg="ancaman"))
    incident = Incident.objects.get()
    assert incident.status == Status.SUBMITTED
    assert incident.athg == "ancaman"  # overridden on the form
    assert [t.to_status for t in incident.transitions.all()] == ["draft", "submitted"]


def test_the_time_is_read_in_the_chosen_regions_own_zone(as_user, admin_user):
    # 01:30 on 24 Nov in Jayapura (WIT) is 23 Nov 16:30 UTC: already the quiet period there.
    as_user(admin_user).post(reverse("laporan:incident_create"),
                             form_data(region="91.71", occurred_at="2024-11-24T01:30"))
    incident = Incident.objects.get()
    assert incident.occurred_at == dt.datetime(2024, 11, 23, 16, 30, tzinfo=dt.UTC)
    assert [s.slug for s in incident.stages.all()] == ["masa-tenang"]


def test_missing_fields_are_shown_and_nothing_is_saved(as_user, operator_pariaman):
    response = as_user(operator_pariaman).post(
        reverse("laporan:incident_create"),
        form_data(title=" ", indicator="", occurred_at="kemarin", actor_type_0="",
                  actor_count_0="3"))
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert error_of(response, "title") == "Give the incident a short title."
    assert error_of(response, "indicator") == "Choose an indicator."
    assert error_of(response, "occurred_at") == "Give the date and time as YYYY-MM-DD HH:MM."
    assert error_of(response, "actor_type_0") == "Choose who the actors are."
    text = text_of(response)
    assert "The report was not saved" in text
    assert NARRATIVE in text  # what was typed is kept


def test_the_services_refusals_come_back_on_their_fields_and_nothing_is_saved(
        as_user, operator_pariaman):
    response = as_user(operator_pariaman).post(
        reverse("laporan:incident_create"),
        form_data(region="13.72", kecamatan="13.77.01", occurred_at="2099-01-01T08:00",
                  intent="submit"))
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert error_of(response, "region") == "This region is outside your jurisdiction."
    assert error_of(response, "occurred_at") == "The event cannot be in the future."
    assert error_of(response, "kecamatan") == "This kecamatan is not in the chosen kab/kota."


def test_an_unknown_region_code_is_refused_on_its_field(as_user, operator_pariaman):
    response = as_user(operator_pariaman).post(reverse("laporan:incident_create"),
                                               form_data(desa="13.77.01.9999"))
    assert error_of(response, "desa") == "No region has the code 13.77.01.9999."
    assert not Incident.objects.exists()


def test_officials_cannot_open_the_quick_entry_form(as_user, official_sumbar):
    assert as_user(official_sumbar).get(reverse("laporan:incident_create")).status_code == 403


def test_pages_need_a_login(client, submitted):
    for url in (reverse("laporan:incident_list"), reverse("laporan:incident_create"),
                reverse("laporan:incident_detail", args=[submitted.pk]),
                reverse("laporan:verification_queue"), reverse("laporan:referral_list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- Scope ------------------------------------------------------------------------------

def test_a_solok_operator_gets_404_for_a_pariaman_incident_its_actions_and_evidence(
        as_user, verified, analyst_sumbar, operator_solok):
    evidence = services.evidence_add(incident=verified, by=analyst_sumbar, upload=png())
    referral = services.referral_create(
        incident=verified, by=analyst_sumbar, institution=Institution.objects.get(code="polri"),
        subject="ASN", count=10, referred_on=dt.date(2024, 10, 21))
    client = as_user(operator_solok)
    pk = verified.pk
    assert client.get(reverse("laporan:incident_detail", args=[pk])).status_code == 404
    assert client.get(reverse("laporan:incident_update", args=[pk])).status_code == 404
    assert client.post(reverse("laporan:incident_update", args=[pk]),
                       form_data(region="13.72")).status_code == 404
    for action in ("submit", "verify", "reject", "merge", "follow-up", "close", "assign",
                   "evidence", "referrals"):
        response = client.post(f"/incidents/{pk}/{action}/",
                               {"reason": "x", "reliability": "A", "credibility": "1",
                                "into": pk})
        assert response.status_code == 404, action
    assert client.post(reverse("laporan:referral_update", args=[referral.pk]),
                       {"status": "decided", "outcome": "x"}).status_code == 404
    assert client.get(reverse("laporan:evidence_download", args=[evidence.pk])).status_code == 404
    assert "Grup WhatsApp" not in text_of(client.get(reverse("laporan:incident_list")))
    incident = Incident.objects.get(pk=pk)
    assert incident.status == Status.FOLLOW_UP and incident.merged_into is None


def test_a_secret_incident_is_a_404_for_operators_who_did_not_write_it(
        as_user, analyst_sumbar, operator_pariaman):
    secret = services.incident_create(by=analyst_sumbar,
                                      data=whatsapp_case(classification="rahasia"))
    client = as_user(operator_pariaman)
    assert client.get(reverse("laporan:incident_detail", args=[secret.pk])).status_code == 404
    assert as_user(analyst_sumbar).get(
        reverse("laporan:incident_detail", args=[secret.pk])).status_code == 200


def test_the_informant_is_shown_only_to_analysts(
        as_user, submitted, operator_pariaman, analyst_sumbar, official_sumbar):
    # laporan.confidential: not even the reporting operator reads it back (the API agrees).
    url = reverse("laporan:incident_detail", args=[submitted.pk])
    assert "Bapak R." in text_of(as_user(analyst_sumbar).get(url))
    colleague = UserFactory(username="op2.pariaman", role="operator", jurisdiction_code="13.77")
    for user in (operator_pariaman, official_sumbar, colleague):
        page = as_user(user).get(url)
        assert page.status_code == 200 and "Bapak R." not in text_of(page)
        assert "•••" in text_of(page)


# --- One incident: workflow actions -----------------------------------------------------

def test_an_analyst_verifies_from_the_incident_page_with_the_grades(
        as_user, submitted, analyst_sumbar):
    client = as_user(analyst_sumbar)
    page = client.get(reverse("laporan:incident_detail", args=[submitted.pk]))
    assert reverse("laporan:incident_verify", args=[submitted.pk]) in page.content.decode()
    response = client.post(reverse("laporan:incident_verify", args=[submitted.pk]),
                           {"reliability": "B", "credibility": "2"}, follow=True)
    incident = Incident.objects.get(pk=submitted.pk)
    assert incident.status == Status.VERIFIED and incident.verified_by == analyst_sumbar
    assert (incident.source_reliability, incident.information_credibility) == ("B", 2)
    assert "The incident was verified." in messages_of(response)


def test_a_refused_action_comes_back_as_a_message(as_user, submitted, analyst_sumbar,
                                                  operator_pariaman):
    response = as_user(analyst_sumbar).post(
        reverse("laporan:incident_reject", args=[submitted.pk]), {"reason": ""}, follow=True)
    assert messages_of(response) == ["Give a reason."]
    response = as_user(operator_pariaman).post(
        reverse("laporan:incident_verify", args=[submitted.pk]),
        {"reliability": "A", "credibility": "1"}, follow=True)
    assert messages_of(response) == ["Your role may not do this."]
    assert Incident.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_a_second_verification_gets_the_reload_message(as_user, verified, analyst_sumbar):
    response = as_user(analyst_sumbar).post(
        reverse("laporan:incident_verify", args=[verified.pk]),
        {"reliability": "A", "credibility": "1"}, follow=True)
    assert messages_of(response) == ["This incident is now “Verified”; reload the page."]


def test_refusals_come_back_in_indonesian_by_default(client, verified, analyst_sumbar):
    client.force_login(analyst_sumbar)  # no language cookie: the portal's Indonesian
    response = client.post(reverse("laporan:incident_verify", args=[verified.pk]),
                           {"reliability": "A", "credibility": "1"}, follow=True)
    assert response.context["LANGUAGE_CODE"] == "id"
    assert "muat ulang" in " ".join(messages_of(response))


def test_the_operator_sees_only_the_buttons_they_may_press(as_user, submitted,
                                                           operator_pariaman, analyst_sumbar):
    html = as_user(operator_pariaman).get(
        reverse("laporan:incident_detail", args=[submitted.pk])).content.decode()
    for action in ("verify", "reject", "merge", "assign"):
        assert f"/incidents/{submitted.pk}/{action}/" not in html
    assert f"/incidents/{submitted.pk}/edit/" in html
    html = as_user(analyst_sumbar).get(
        reverse("laporan:incident_detail", args=[submitted.pk])).content.decode()
    for action in ("verify", "reject", "merge", "assign"):
        assert f"/incidents/{submitted.pk}/{action}/" in html


def test_follow_up_close_and_assign_from_the_page(as_user, verified, analyst_sumbar):
    other = UserFactory(username="an2.sumbar", role="analyst", jurisdiction_code="13")
    solok = UserFactory(username="an.solok", role="analyst", jurisdiction_code="13.72")
    client = as_user(analyst_sumbar)
    page = client.get(reverse("laporan:incident_detail", args=[verified.pk])).content.decode()
    assert "an2.sumbar" in page or other.first_name in page
    assert "an.solok" not in page  # cannot see Kota Pariaman, so not offered
    client.post(reverse("laporan:incident_assign", args=[verified.pk]), {"assignee": other.pk})
    assert Incident.objects.get(pk=verified.pk).assigned_to == other
    response = client.post(reverse("laporan:incident_assign", args=[verified.pk]),
                           {"assignee": solok.pk}, follow=True)
    assert "Select a valid choice" in " ".join(messages_of(response))
    client.post(reverse("laporan:incident_follow_up", args=[verified.pk]), {"reason": ""})
    assert Incident.objects.get(pk=verified.pk).status == Status.FOLLOW_UP
    client.post(reverse("laporan:incident_close", args=[verified.pk]),
                {"reason": "Diselesaikan oleh BKN"})
    assert Incident.objects.get(pk=verified.pk).status == Status.CLOSED
    text = text_of(client.get(reverse("laporan:incident_detail", args=[verified.pk])))
    assert "In follow-up → Closed" in text and "Diselesaikan oleh BKN" in text


# --- Evidence -----------------------------------------------------------------------------

def test_evidence_is_attached_and_downloaded_as_an_attachment_of_its_real_type(
        as_user, submitted, operator_pariaman):
    client = as_user(operator_pariaman)
    response = client.post(reverse("laporan:evidence_create", args=[submitted.pk]),
                           {"file": png("tangkapan layar.png"), "description": "Isi grup"},
                           follow=True)
    evidence = Evidence.objects.get()
    assert "tangkapan layar.png was attached." in messages_of(response)
    assert reverse("laporan:evidence_download", args=[evidence.pk]) in response.content.decode()
    download = client.get(reverse("laporan:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "tangkapan" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PNG


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_with_a_message(
        as_user, submitted, operator_pariaman):
    response = as_user(operator_pariaman).post(
        reverse("laporan:evidence_create", args=[submitted.pk]),
        {"file": SimpleUploadedFile("bukti.png", b"MZ\x90\x00 not an image")}, follow=True)
    assert not Evidence.objects.exists()
    assert "whatever its name says" in " ".join(messages_of(response))


# --- Referrals --------------------------------------------------------------------------

def test_referrals_recorded_on_the_page_show_with_their_deadline(
        as_user, verified, analyst_sumbar):
    client = as_user(analyst_sumbar)
    url = reverse("laporan:referral_create", args=[verified.pk])
    polri = Institution.objects.get(code="polri")
    bkn = Institution.objects.get(code="bkn")
    client.post(url, {"institution": polri.pk, "subject": "ASN", "count": "10",
                      "referred_on": "2024-10-21"})
    response = client.post(url, {"institution": bkn.pk, "subject": "ASN", "count": "5",
                                 "referred_on": "2024-10-21"}, follow=True)
    assert "The referral of 5 ASN to Badan Kepegawaian Negara (BKN) was recorded." in \
        messages_of(response)
    assert sorted(Referral.objects.values_list("institution__code", "count")) == [
        ("bkn", 5), ("polri", 10)]
    assert Incident.objects.get(pk=verified.pk).status == Status.FOLLOW_UP

    text = text_of(client.get(reverse("laporan:incident_detail", args=[verified.pk])))
    assert "Polri · 10 ASN" in text
    assert "Badan Kepegawaian Negara (BKN) · 5 ASN" in text
    assert "deadline 8 Nov 2024" in text  # 14 working days after Monday 21 October
    assert "no statutory deadline" in text
    assert "overdue" in text  # 8 Nov 2024 has passed and Polri has not decided

    listing = client.get(reverse("laporan:referral_list"))
    rows = [r.institution.code for r in listing.context["page"]]
    assert rows == ["polri", "bkn"]  # the overdue one first
    assert listing.context["overdue_count"] == 1
    assert "1 open referral is past its statutory deadline." in text_of(listing)


def test_a_referral_outcome_is_recorded_and_an_empty_one_refused(
        as_user, verified, analyst_sumbar):
    referral = services.referral_create(
        incident=verified, by=analyst_sumbar, institution=Institution.objects.get(code="polri"),
        subject="ASN", count=10, referred_on=dt.date(2024, 10, 21))
    client = as_user(analyst_sumbar)
    url = reverse("laporan:referral_update", args=[referral.pk])
    response = client.post(url, {"status": "decided", "outcome": ""}, follow=True)
    assert messages_of(response) == ["Record the outcome of the referral."]
    client.post(url, {"status": "decided", "outcome": "Berkas dilimpahkan ke Kejaksaan",
                      "decided_on": "2024-11-01"})
    referral.refresh_from_db()
    assert referral.status == "decided" and referral.decided_on == dt.date(2024, 11, 1)
    listing = client.get(reverse("laporan:referral_list"), {"overdue": "true"})
    assert list(listing.context["page"]) == []


def test_a_referral_before_verification_is_refused_with_a_message(
        as_user, submitted, operator_pariaman):
    response = as_user(operator_pariaman).post(
        reverse("laporan:referral_create", args=[submitted.pk]),
        {"institution": Institution.objects.get(code="bawaslu").pk, "subject": "ASN",
         "count": "15", "referred_on": "2024-10-20"}, follow=True)
    assert messages_of(response) == ["Only a verified incident can be referred."]
    assert not Referral.objects.exists()


# --- Duplicates and merge ------------------------------------------------------------------

def test_a_likely_duplicate_is_suggested_after_saving_and_merged_from_the_page(
        as_user, submitted, operator_pariaman, analyst_sumbar):
    client = as_user(operator_pariaman)
    response = client.post(reverse("laporan:incident_create"), form_data(
        title="15 ASN kampanye lewat grup WhatsApp", occurred_at="2024-10-15T08:00",
        source_type="media_sosial", intent="submit"), follow=True)
    second = Incident.objects.exclude(pk=submitted.pk).get()
    assert response.context["duplicates"][0].incident == submitted
    assert "A likely duplicate" in text_of(response)
    assert f"/incidents/{second.pk}/merge/" not in response.content.decode()  # operators

    client = as_user(analyst_sumbar)
    page = client.get(reverse("laporan:incident_detail", args=[second.pk]))
    assert f"Merge into {submitted.reference}" in text_of(page)
    response = client.post(reverse("laporan:incident_merge", args=[second.pk]),
                           {"into": submitted.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("laporan:incident_detail",
                                                     args=[submitted.pk])
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == submitted
    assert "Merged duplicates" in text_of(response) and second.reference in text_of(response)
    merged_page = text_of(client.get(reverse("laporan:incident_detail", args=[second.pk])))
    assert f"This report was merged into {submitted.reference}" in merged_page


def test_merging_into_an_incident_outside_the_jurisdiction_is_refused(
        as_user, submitted, analyst_sumbar, admin_user):
    elsewhere = services.incident_create(by=admin_user, data=whatsapp_case(
        region=Region.objects.get(code="33.74")))
    response = as_user(analyst_sumbar).post(
        reverse("laporan:incident_merge", args=[submitted.pk]), {"into": elsewhere.pk},
        follow=True)
    assert messages_of(response) == [
        f"There is no incident number {elsewhere.pk} in your jurisdiction."]
    assert Incident.objects.get(pk=submitted.pk).status == Status.SUBMITTED


# --- Edit and history ------------------------------------------------------------------------

def test_an_operator_edits_a_draft_and_submits_it(as_user, operator_pariaman):
    draft = services.incident_create(by=operator_pariaman, data=whatsapp_case())
    client = as_user(operator_pariaman)
    page = client.get(reverse("laporan:incident_update", args=[draft.pk])).content.decode()
    assert 'value="2024-10-14T09:30"' in page and 'name="reason"' not in page
    client.post(reverse("laporan:incident_update", args=[draft.pk]),
                form_data(title="Grup WA ASN Pemko Pariaman", intent="submit"))
    draft.refresh_from_db()
    assert draft.title == "Grup WA ASN Pemko Pariaman" and draft.status == Status.SUBMITTED


def test_the_edit_form_shows_every_kind_of_actor_an_import_recorded(as_user, operator_pariaman):
    kinds = ["asn", "kepala_desa", "simpatisan", "paslon"]
    draft = services.incident_create(by=operator_pariaman, data=whatsapp_case(
        actors=[services.ActorData(kind, n + 1) for n, kind in enumerate(kinds)]))
    html = as_user(operator_pariaman).get(
        reverse("laporan:incident_update", args=[draft.pk])).content.decode()
    row = re.search(r'<select name="actor_type_3".*?</select>', html, flags=re.S).group(0)
    assert re.search(r'<option value="paslon" selected>', row)
    assert re.search(r'name="actor_count_3" value="4"', html)


def test_editing_a_verified_incident_needs_a_reason_and_history_keeps_the_old_title(
        as_user, verified, analyst_sumbar):
    client = as_user(analyst_sumbar)
    url = reverse("laporan:incident_update", args=[verified.pk])
    assert 'name="reason"' in client.get(url).content.decode()
    new_title = "Grup WhatsApp 15 ASN Pemko Pariaman"
    response = client.post(url, form_data(title=new_title))
    assert error_of(response, "reason") == "Say why a verified incident is changed."
    assert Incident.objects.get(pk=verified.pk).title == TITLE

    response = client.post(url, form_data(title=new_title, reason="Judul diperjelas"),
                           follow=True)
    incident = Incident.objects.get(pk=verified.pk)
    assert incident.title == new_title
    # What the form does not show stays as it was: the grading, the actors' description.
    assert (incident.source_reliability, incident.information_credibility) == ("B", 2)
    assert [(a.actor_type, a.count, a.description) for a in incident.actors.all()] == [
        ("asn", 15, "ASN Pemko Pariaman")]
    history = response.context["history"]
    assert history[0].reason == "Judul diperjelas"
    text = text_of(response)
    assert f"Title {TITLE} → became {new_title}" in text
    assert "Judul diperjelas" in text


def test_an_operator_cannot_edit_a_verified_incident(as_user, verified, operator_pariaman):
    response = as_user(operator_pariaman).get(
        reverse("laporan:incident_update", args=[verified.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("laporan:incident_detail",
                                                     args=[verified.pk])
    assert messages_of(response) == ["You cannot edit this incident in its present state."]


# --- Verification queue --------------------------------------------------------------------

@pytest.fixture
def three_submitted(operator_pariaman):
    return [
        services.incident_create(by=operator_pariaman, submit=True, data=whatsapp_case(
            title=f"Laporan {n}", occurred_at=dt.datetime(2024, 10, n, 9, 0, tzinfo=WIB)))
        for n in (1, 2, 3)
    ]


def test_the_queue_lists_submitted_incidents_and_is_for_analysts(
        as_user, three_submitted, operator_pariaman, analyst_sumbar):
    assert as_user(operator_pariaman).get(reverse("laporan:verification_queue")).status_code \
        == 403
    services.incident_create(by=operator_pariaman, data=whatsapp_case(title="Masih draf"))
    page = as_user(analyst_sumbar).get(reverse("laporan:verification_queue"))
    assert [i.title for i in page.context["page"]] == ["Laporan 1", "Laporan 2", "Laporan 3"]
    html = page.content.decode()
    assert html.count('type="checkbox" name="incidents"') == 3


def test_bulk_verify_grades_every_ticked_incident_once(as_user, three_submitted,
                                                       analyst_sumbar):
    first, second, third = three_submitted
    response = as_user(analyst_sumbar).post(reverse("laporan:verification_queue"), {
        "incidents": [first.pk, second.pk], "action": "verify", "reliability": "B",
        "credibility": "2"}, follow=True)
    assert messages_of(response) == [
        f"2 incidents verified: {first.reference}, {second.reference}."]
    states = dict(Incident.objects.values_list("pk", "status"))
    assert states == {first.pk: "verified", second.pk: "verified", third.pk: "submitted"}
    assert Incident.objects.get(pk=first.pk).information_credibility == 2
    assert [i.pk for i in response.context["page"]] == [third.pk]


def test_bulk_verify_needs_the_grades(as_user, three_submitted, analyst_sumbar):
    response = as_user(analyst_sumbar).post(reverse("laporan:verification_queue"), {
        "incidents": [three_submitted[0].pk], "action": "verify"})
    assert response.status_code == 200
    assert error_of(response, "reliability", prefix="bulk_") == "Grade the source A-F."
    assert error_of(response, "credibility", prefix="bulk_") == "Grade the information 1-6."
    assert not Incident.objects.filter(status=Status.VERIFIED).exists()
    assert 'checked' in re.search(rf'value="{three_submitted[0].pk}"[^>]*>',
                                  response.content.decode()).group(0)


def test_bulk_reject_reports_successes_and_each_failure(as_user, three_submitted,
                                                        analyst_sumbar):
    first, second, _third = three_submitted
    services.incident_verify(incident=second, by=analyst_sumbar, reliability="A",
                             credibility=1)
    response = as_user(analyst_sumbar).post(reverse("laporan:verification_queue"), {
        "incidents": [first.pk, second.pk], "action": "reject", "reason": "Hoaks"},
        follow=True)
    assert messages_of(response) == [
        f"1 incident rejected: {first.reference}.",
        f"{second.reference} was not changed: This incident is now “Verified”; reload the "
        "page.",
    ]
    assert Incident.objects.get(pk=first.pk).status == Status.REJECTED
    assert Incident.objects.get(pk=second.pk).status == Status.VERIFIED


def test_bulk_assign_gives_the_incidents_to_an_analyst_of_the_jurisdiction(
        as_user, three_submitted, analyst_sumbar, operator_jateng):
    colleague = UserFactory(username="an2.sumbar", role="analyst", jurisdiction_code="13")
    solok = UserFactory(username="an.solok", role="analyst", jurisdiction_code="13.72")
    jateng = UserFactory(username="an.jateng", role="analyst", jurisdiction_code="33")
    client = as_user(analyst_sumbar)
    choices = client.get(reverse("laporan:verification_queue")).context["bulk"].fields[
        "assignee"].queryset
    assert colleague in choices and solok in choices and jateng not in choices
    ids = [i.pk for i in three_submitted]
    response = client.post(reverse("laporan:verification_queue"),
                           {"incidents": ids, "action": "assign", "assignee": colleague.pk},
                           follow=True)
    assert messages_of(response)[0].startswith("3 incidents assigned:")
    assert set(Incident.objects.values_list("assigned_to", flat=True)) == {colleague.pk}
    response = client.post(reverse("laporan:verification_queue"),
                           {"incidents": ids[:1], "action": "assign", "assignee": solok.pk},
                           follow=True)
    assert messages_of(response) == [
        f"{three_submitted[0].reference} was not changed: {solok} is not an analyst of this "
        "region."]


def test_bulk_ignores_incidents_outside_the_jurisdiction(as_user, admin_user, analyst_sumbar):
    elsewhere = services.incident_create(by=admin_user, submit=True, data=whatsapp_case(
        region=Region.objects.get(code="33.74")))
    response = as_user(analyst_sumbar).post(reverse("laporan:verification_queue"), {
        "incidents": [elsewhere.pk], "action": "reject", "reason": "x"}, follow=True)
    assert messages_of(response) == ["1 ticked incident is no longer in your jurisdiction."]
    assert Incident.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED


# --- The list ----------------------------------------------------------------------------------

def test_the_list_filters_with_the_shared_filterset_and_links_exports_for_analysts(
        as_user, verified, three_submitted, operator_pariaman, analyst_sumbar):
    client = as_user(analyst_sumbar)
    page = client.get(reverse("laporan:incident_list"), {"status": "verified"})
    assert [i.pk for i in page.context["page"]] == [verified.pk]
    html = page.content.decode()
    assert "/incidents/export.csv?status=verified" in html
    assert 'data-label="When"' in html  # cards on phones
    page = client.get(reverse("laporan:incident_list"), {"q": "Laporan 2"})
    assert [i.title for i in page.context["page"]] == ["Laporan 2"]
    page = client.get(reverse("laporan:incident_list"), {"indicator": "asn"})
    assert page.context["page"].paginator.count == 4
    page = client.get(reverse("laporan:incident_list"), {"date_from": "2024-10-14"})
    assert [i.pk for i in page.context["page"]] == [verified.pk]
    html = as_user(operator_pariaman).get(reverse("laporan:incident_list")).content.decode()
    assert "/incidents/export.csv" not in html


def test_the_list_paginates_by_fifty(as_user, operator_pariaman):
    region = Region.objects.get(code="13.77")
    for n in range(52):
        services.incident_create(by=operator_pariaman, data=whatsapp_case(
            region=region, title=f"Laporan {n}",
            occurred_at=dt.datetime(2024, 10, 1, 8, 0, tzinfo=WIB) + dt.timedelta(hours=n)))
    client = as_user(operator_pariaman)
    first = client.get(reverse("laporan:incident_list"))
    assert len(first.context["page"]) == 50 and "Page 1 of 2" in text_of(first)
    second = client.get(reverse("laporan:incident_list"), {"page": 2})
    assert [i.title for i in second.context["page"]] == ["Laporan 1", "Laporan 0"]


# --- Query counts ----------------------------------------------------------------------------

@pytest.fixture
def thirty(operator_pariaman, analyst_sumbar):
    """30 incidents of Kota Pariaman in every state, with referrals and evidence, and a few
    analysts to assign them to."""
    for n in range(4):
        UserFactory(username=f"analis{n}", role="analyst", jurisdiction_code="13")
    polri = Institution.objects.get(code="polri")
    incidents = []
    for n in range(30):
        incident = services.incident_create(by=operator_pariaman, submit=n % 3 != 0,
                                            data=whatsapp_case(
            title=f"Grup WhatsApp ASN nomor {n}",
            occurred_at=dt.datetime(2024, 10, 1, 8, 0, tzinfo=WIB) + dt.timedelta(hours=n),
            actors=[services.ActorData("asn", n + 1), services.ActorData("kepala_desa", 1)]))
        if n % 3 == 1:
            incident = services.incident_verify(incident=incident, by=analyst_sumbar,
                                                reliability="B", credibility=2)
            services.referral_create(incident=incident, by=analyst_sumbar, institution=polri,
                                     subject="ASN", count=2, referred_on=dt.date(2024, 10, 21))
            services.evidence_add(incident=incident, by=analyst_sumbar,
                                  upload=png(f"bukti-{n}.png"))
        incidents.append(incident)
    return incidents


@pytest.mark.parametrize("url_name", ["laporan:incident_list", "laporan:verification_queue",
                                      "laporan:referral_list", "laporan:incident_create"])
def test_lists_and_the_form_run_a_bounded_number_of_queries(
        as_user, thirty, analyst_sumbar, django_assert_max_num_queries, url_name):
    client = as_user(analyst_sumbar)
    client.get(reverse(url_name))  # warm the session and the content types
    with django_assert_max_num_queries(12) as captured:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    # Region boundaries are large and no list shows one: never read with the rows.
    assert not [q["sql"] for q in captured.captured_queries
                if '"laporan_' in q["sql"] and '."boundary"' in q["sql"]]


def test_the_incident_page_runs_a_bounded_number_of_queries(
        as_user, thirty, analyst_sumbar, django_assert_max_num_queries):
    # The busiest incident: verified, referred, with evidence, a merged duplicate, edits.
    target = thirty[1]
    services.incident_merge(duplicate=thirty[2], into=target, by=analyst_sumbar)
    client = as_user(analyst_sumbar)
    url = reverse("laporan:incident_detail", args=[target.pk])
    client.get(url)
    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["duplicates"]) >= 3  # similar titles, same week
