"""The incident pages in a real Chromium: an operator logs the Pariaman WhatsApp case on a
phone, an analyst verifies it from the queue on a laptop, and every incident page fits a
375 px screen.

The pages stay in their default language (Indonesian); elements are found by their names and
ids, and by data (region, stage and indicator names), so the test does not depend on how the
catalogue words the labels.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from kewaspadaan.models import Indicator, Institution, Region
from laporan import services
from laporan.models import Incident
from tests.browser.helpers import BROWSER_LOCALE, DESKTOP, PHONE
from tests.conftest import SCREENSHOTS
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser]
WIB = dt.timezone(dt.timedelta(hours=7))
TITLE = "Grup WhatsApp 15 ASN Pemko Pariaman berkampanye untuk paslon"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def operator(committed_db):
    return UserFactory(username="op.pariaman", role="operator", jurisdiction_code="13.77",
                       first_name="Rina")


@pytest.fixture
def analyst(committed_db):
    return UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13",
                       first_name="Yusuf")


def shoot(tab, name: str) -> None:
    """A full-page screenshot taken from the bottom of the page, where the form's sticky
    button bar sits in its own place (from the top it is drawn over the middle)."""
    tab.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    tab.screenshot(name)


def assert_fits(tab, what: str) -> None:
    width = tab.page_width()
    assert width <= PHONE["width"], f"{what} scrolls sideways on a phone ({width} px)"


def test_an_operator_logs_the_whatsapp_case_on_a_phone_and_an_analyst_verifies_it(
        open_tab, operator, analyst):
    tab = open_tab(PHONE)
    page = tab.page
    tab.log_in("op.pariaman")
    page.goto("/incidents/new/")

    # The kab/kota: typed into the region search and picked from its list.
    region = page.locator("#id_region")
    assert region.get_attribute("role") == "combobox"
    region.fill("Pariaman")
    option = page.locator("[role=option]", has_text="Kota Pariaman")
    expect(option).to_be_visible()
    expect(region).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=str(SCREENSHOTS / "incident-form-phone-375-region-search.png"))
    option.click()
    expect(region).to_have_value("Kota Pariaman")
    assert page.locator("input[type=hidden][name=region]").input_value() == "13.77"

    # The kecamatan, by keyboard only: type, arrow down, Enter.
    kecamatan = page.locator("#id_kecamatan")
    expect(kecamatan).to_be_enabled()
    kecamatan.fill("tengah")
    expect(page.locator("[role=option]", has_text="Pariaman Tengah")).to_be_visible()
    kecamatan.press("ArrowDown")
    kecamatan.press("Enter")
    expect(kecamatan).to_have_value("Pariaman Tengah")
    assert page.locator("input[type=hidden][name=kecamatan]").input_value() == "13.77.01"

    # The date shows the stage running then, in the kota's own time zone.
    page.locator("#id_occurred_at").fill("2024-10-14T09:30")
    stage = page.locator("[data-stage-output]")
    expect(stage.locator(".badge")).to_have_text(["Kampanye"])
    expect(page.locator("[data-tz-label]")).to_have_text("WIB")

    # An indicator of the ASN category; the ATHG select names the indicator's class.
    asn = page.locator("#id_indicator optgroup[label='Netralitas ASN']")
    assert asn.locator("option[value=asn-grup-percakapan]").count() == 1
    page.locator("#id_indicator").select_option("asn-grup-percakapan")
    expect(page.locator("#id_athg option").first).to_contain_text("Hambatan")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_narrative").fill(
        "Sebuah grup WhatsApp beranggotakan 15 ASN Pemko Pariaman mengajak memilih salah satu "
        "pasangan calon wali kota.")
    page.locator("#id_source_type").select_option("bawaslu")
    page.locator("#id_actor_type_0").select_option("asn")
    page.locator("#id_actor_count_0").fill("15")
    # Contests follow the kota: the Wali Kota Pariaman race and the Gubernur race only.
    contests = page.locator("#id_contest option").all_text_contents()
    assert any("Pariaman" in c for c in contests) and not any("Solok" in c for c in contests)

    assert_fits(tab, "the quick-entry form")
    shoot(tab, "incident-form-phone-375-operator-pariaman.png")

    with page.expect_navigation():
        page.locator("button[name=intent][value=submit]").click()
    assert re.search(r"/incidents/\d+/$", page.url), page.url
    incident = Incident.objects.get()
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    assert incident.status == "submitted" and incident.kecamatan_id == "13.77.01"
    assert incident.occurred_at == dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB)
    assert [s.slug for s in incident.stages.all()] == ["kampanye"]
    assert [(a.actor_type, a.count) for a in incident.actors.all()] == [("asn", 15)]
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(page.locator("main [data-status]")).to_have_attribute("data-status", "submitted")
    main = page.locator("main").inner_text()
    assert "Kampanye" in main and incident.reference in main and "WIB" in main
    assert_fits(tab, "the incident page")
    shoot(tab, "incident-detail-phone-375-submitted.png")
    tab.assert_no_errors()

    # At a desk, the Sumatera Barat analyst verifies it from the queue.
    desk = open_tab(DESKTOP)
    page = desk.page
    desk.log_in("an.sumbar")
    page.goto("/incidents/queue/")
    row = page.locator("tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    row.locator("input[name=incidents]").check()
    expect(row).to_have_class(re.compile("is-selected"))
    page.locator("#bulk_reliability").select_option("B")
    page.locator("#bulk_credibility").select_option("2")
    shoot(desk, "verification-queue-desktop-1280-analyst-sumbar.png")
    with page.expect_navigation():
        page.locator("button[name=action][value=verify]").click()
    expect(page.locator(".msg-success")).to_contain_text(incident.reference)
    expect(page.locator("tbody tr", has_text=TITLE)).to_have_count(0)

    page.goto(f"/incidents/{incident.pk}/")
    expect(page.locator("main [data-status]")).to_have_attribute("data-status", "verified")
    incident.refresh_from_db()
    assert incident.status == "verified" and incident.verified_by == analyst
    assert (incident.source_reliability, incident.information_credibility) == ("B", 2)
    shoot(desk, "incident-detail-desktop-1280-verified.png")
    desk.assert_no_errors()


@pytest.fixture
def busy_incident(operator, analyst):
    """A verified, referred incident with evidence, a draft duplicate, and an edit."""
    region = Region.objects.get(code="13.77")
    data = dict(
        title=TITLE, region=region, kecamatan=Region.objects.get(code="13.77.01"),
        narrative="Sebuah grup WhatsApp beranggotakan 15 ASN Pemko Pariaman mengajak "
                  "memilih salah satu pasangan calon wali kota. " * 3,
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
        actors=[services.ActorData("asn", 15, "ASN Pemko Pariaman")], informant="Bapak R.",
        latitude=-0.6264, longitude=100.1203, severity=3,
    )
    incident = services.incident_create(by=operator, submit=True,
                                        data=services.IncidentData(**data))
    incident = services.incident_verify(incident=incident, by=analyst, reliability="B",
                                        credibility=2)
    # As the edit form does, the grading of the verification is passed on unchanged.
    services.incident_update(incident=incident, by=analyst, reason="Judul diperjelas",
                             data=services.IncidentData(**{
                                 **data, "title": TITLE + " (Sumbar)",
                                 "source_reliability": "B", "information_credibility": 2}))
    for code, count in (("polri", 10), ("bkn", 5)):
        services.referral_create(incident=incident, by=analyst,
                                 institution=Institution.objects.get(code=code),
                                 subject="ASN", count=count, referred_on=dt.date(2024, 10, 21))
    services.evidence_add(incident=incident, by=operator, description="Tangkapan layar grup",
                          upload=SimpleUploadedFile("tangkapan-layar-grup-whatsapp.png", PNG))
    duplicate = services.incident_create(by=operator, submit=True, data=services.IncidentData(**{
        **data, "title": "15 ASN kampanye lewat grup WhatsApp",
        "occurred_at": dt.datetime(2024, 10, 15, 8, 0, tzinfo=WIB)}))
    return incident, duplicate


def test_every_incident_page_fits_a_phone(open_tab, busy_incident):
    tab = open_tab(PHONE)
    page = tab.page
    tab.log_in("an.sumbar")
    incident, duplicate = busy_incident
    pk = incident.pk
    for path, shot in (
        ("/incidents/", "incident-list-phone-375-analyst-sumbar.png"),
        (f"/incidents/{pk}/", "incident-detail-phone-375-referred.png"),
        (f"/incidents/{duplicate.pk}/", "incident-detail-phone-375-duplicate.png"),
        (f"/incidents/{pk}/edit/", "incident-edit-phone-375-verified.png"),
        ("/incidents/queue/", "verification-queue-phone-375.png"),
        ("/referrals/", "referral-list-phone-375.png"),
    ):
        assert page.goto(path).status == 200, path
        assert_fits(tab, path)
        shoot(tab, shot)

    # The detail page's panels open in place and still fit.
    page.goto(f"/incidents/{duplicate.pk}/")
    page.locator("details[data-action=merge] > summary").click()
    expect(page.locator("#merge_into")).to_be_visible()
    assert_fits(tab, "the merge panel")
    page.goto("/incidents/")
    page.locator("details.filter-panel > summary").click()
    expect(page.locator(".filter-form")).to_be_visible()
    assert_fits(tab, "the open filters")
    shoot(tab, "incident-list-phone-375-filters-open.png")
    tab.assert_no_errors()

    desk = open_tab(DESKTOP)
    desk.log_in("an.sumbar")
    for path, shot in (("/incidents/", "incident-list-desktop-1280.png"),
                       ("/incidents/new/", "incident-form-desktop-1280.png"),
                       ("/referrals/", "referral-list-desktop-1280.png")):
        assert desk.page.goto(path).status == 200, path
        assert desk.page_width() <= DESKTOP["width"], path
        shoot(desk, shot)
    desk.assert_no_errors()


def test_the_quick_entry_form_works_without_script(browser, live_server, operator):
    """Old phones and locked-down browsers: the kab/kota is a select of the operator's own,
    the kecamatan a code input, and the server reads the time in the kota's zone."""
    context = browser.new_context(viewport=PHONE, locale=BROWSER_LOCALE,
                                  base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill("op.pariaman")
        page.locator("input[name=password]").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        page.goto("/incidents/new/")
        region = page.locator("select[name=region]")
        assert region.input_value() == "13.77"
        assert page.locator("[role=combobox]").count() == 0
        page.locator("input[name=kecamatan]").fill("13.77.01")
        page.locator("#id_occurred_at").fill("2024-10-14T09:30")
        page.locator("#id_indicator").select_option("asn-grup-percakapan")
        page.locator("#id_title").fill(TITLE)
        page.locator("#id_narrative").fill("Grup WhatsApp 15 ASN mengajak memilih paslon.")
        page.locator("#id_source_type").select_option("bawaslu")
        page.locator("#id_actor_type_0").select_option("asn")
        page.locator("#id_actor_count_0").fill("15")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with page.expect_navigation():
            page.locator("button[name=intent][value=draft]").click()
        incident = Incident.objects.get()
        assert page.url.endswith(f"/incidents/{incident.pk}/")
        assert incident.status == "draft" and incident.kecamatan_id == "13.77.01"
        assert incident.occurred_at == dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB)
    finally:
        context.close()
