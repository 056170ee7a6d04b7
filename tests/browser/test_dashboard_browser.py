"""The dashboards in a real Chromium: every level renders without a script error at 1280 px
and at 375 px, the map draws the regions (shapes from the imported boundaries), a click on a
region opens its dashboard, charts save as images, the election-day panel swaps in place and
the region page prints without the portal's chrome.

Screenshots of each level land in ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from kewaspadaan.models import Alert, Region
from kewaspadaan.services import boundaries_attach
from kewaspadaan.services.reference import BOUNDARY_VERSION_KEY
from tests.browser.helpers import DESKTOP, PHONE, Tab
from tests.factories import UserFactory
from tests.forkopimda.dashboard_data import AFTER_CASE, pariaman_case, score_story, solok_case

pytestmark = [pytest.mark.browser]
DAY = AFTER_CASE.isoformat()


@pytest.fixture
def boundaries(committed_db):
    """The development boundary files when present (CI has them); regions are reference
    data kept between tests, so the shapes are taken off again afterwards."""
    geo = Path(settings.BOUNDARY_DIR)
    files = [geo / "provinsi.geojson", geo / "kabkota.geojson"]
    attached = all(f.exists() for f in files)
    if attached:
        for path in files:
            boundaries_attach(features=json.loads(path.read_text())["features"])
    yield attached
    Region.objects.filter(level__lte=2, boundary__isnull=False).update(boundary=None)
    cache.set(BOUNDARY_VERSION_KEY, "none")


@pytest.fixture
def people(committed_db):
    return {
        "national": UserFactory(username="nasional", role="national", jurisdiction_code=None),
        "official": UserFactory(username="pejabat.sumbar", role="official",
                                jurisdiction_code="13"),
        "operator": UserFactory(username="op.pariaman", role="operator",
                                jurisdiction_code="13.77"),
        "solok": UserFactory(username="op.solok", role="operator", jurisdiction_code="13.72"),
        "analyst": UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13"),
    }


@pytest.fixture
def story(people, boundaries):
    pariaman_case(operator=people["operator"], analyst=people["analyst"])
    solok_case(operator=people["solok"], analyst=people["analyst"])
    score_story()
    Alert.objects.create(rule="level_rise", condition_key="browser:13.77", region_id="13.77",
                         title="Risiko di Kota Pariaman naik menjadi Sedang", message="-",
                         level="sedang", created_at=timezone.now())
    return people


def open_dashboard(tab: Tab, path: str) -> int:
    """Opens a dashboard and waits for the map; returns how many regions it drew."""
    tab.page.goto(path)
    tab.page.wait_for_selector("#risk-map[data-drawn]")
    drawn = tab.page.locator("#risk-map").get_attribute("data-drawn")
    assert drawn != "error", tab.errors
    return int(drawn)


LEVELS = [
    ("nasional", "/dashboards/national/", "national", 38),
    ("pejabat.sumbar", "/dashboards/13/", "sumbar", 19),
    ("pejabat.sumbar", "/dashboards/13.77/", "kota-pariaman", 2),  # outline + 1 kecamatan
]


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "1280"), (PHONE, "375")])
def test_every_dashboard_level_renders_and_draws_its_regions(open_tab, story, viewport,
                                                             label):
    for username, path, name, regions in LEVELS:
        tab = open_tab(viewport)
        tab.log_in(username)
        assert open_dashboard(tab, f"{path}?day={DAY}") == regions, path
        page = tab.page
        codes = page.locator("#risk-map [data-code]")
        expect(codes).to_have_count(regions - (1 if name == "kota-pariaman" else 0))
        if name == "sumbar":
            pariaman = page.locator('#risk-map [data-code="13.77"]')
            assert "Sedang" in pariaman.get_attribute("aria-label") or "Rendah" in \
                pariaman.get_attribute("aria-label")
            assert page.locator("#region-table tbody tr").count() == 19
        assert page.locator("#trend-chart").bounding_box()["height"] > 100
        assert tab.page_width() <= viewport["width"], f"{path} scrolls sideways at {label}"
        tab.screenshot(f"dashboard-{name}-{label}.png")
        tab.assert_no_errors()


def test_the_map_draws_shapes_and_a_click_drills_down(open_tab, story):
    tab = open_tab(DESKTOP)
    tab.log_in("nasional")
    open_dashboard(tab, f"/dashboards/national/?day={DAY}")
    page = tab.page
    sumbar = page.locator('#risk-map [data-code="13"]')
    tag = sumbar.evaluate("el => el.tagName.toLowerCase()")
    # A province with an imported boundary is a shape; without one, a circle (also a path).
    assert tag == "path"
    if story and Region.objects.filter(code="13", boundary__isnull=False).exists():
        assert sumbar.get_attribute("d").count("L") > 10  # a polygon, not a circle
    with page.expect_navigation():
        sumbar.dispatch_event("click")
    assert page.url.endswith(f"/dashboards/13/?day={DAY}"), page.url
    page.wait_for_selector("#risk-map[data-drawn]")
    with page.expect_navigation():
        page.locator('#risk-map [data-code="13.77"]').dispatch_event("click")
    assert "/dashboards/13.77/" in page.url
    expect(page.locator("main h1")).to_contain_text("Kota Pariaman")

    # A point of the trend opens the dashboard as it stood that day.
    page.goto("/dashboards/13.77/")
    page.wait_for_selector("#risk-map[data-drawn]")
    page.locator("#trend-chart").scroll_into_view_if_needed()
    point = page.evaluate("""() => {
        const chart = Chart.getChart('trend-chart');
        const p = chart.getDatasetMeta(0).data[0];
        return {x: p.x, y: p.y, day: chart.data.labels[0]};
    }""")
    box = page.locator("#trend-chart").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert f"day={point['day']}" in page.url, page.url
    tab.assert_no_errors()


def test_an_official_cannot_open_another_province_in_the_browser(open_tab, story):
    tab = open_tab(DESKTOP)
    tab.log_in("pejabat.sumbar")
    response = tab.page.goto("/dashboards/33/")
    assert response.status == 404
    tab.assert_no_errors(expected=("404",))


def test_charts_save_as_images_figures_download_and_the_page_prints(open_tab, story):
    tab = open_tab(DESKTOP)
    tab.log_in("pejabat.sumbar")
    open_dashboard(tab, f"/dashboards/13/?day={DAY}")
    page = tab.page
    with page.expect_download() as download:
        page.locator("[data-save-chart=trend-chart]").click()
    assert download.value.suggested_filename == f"tren-13-{DAY}.png"
    with page.expect_download() as download:
        page.locator("[data-figure=regions] a[download]").click()
    assert download.value.suggested_filename == f"dasbor-13-regions-{DAY}.csv"
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(".dash-filters")).to_be_hidden()
    expect(page.locator("#risk-map")).to_be_visible()
    tab.screenshot("dashboard-sumbar-print.png")
    tab.assert_no_errors()


def test_the_alert_is_acknowledged_and_the_election_day_panel_refreshes_in_place(
        open_tab, story):
    tab = open_tab(PHONE)
    tab.log_in("pejabat.sumbar")
    open_dashboard(tab, "/dashboards/13/")
    page = tab.page
    card = page.locator("#alerts .alert-card", has_text="Kota Pariaman naik")
    with page.expect_navigation():
        card.get_by_role("button").click()
    assert Alert.objects.get(condition_key="browser:13.77").status == "acknowledged"
    assert page.url.endswith("/dashboards/13/")

    page.goto("/dashboards/13/live/")
    panel = page.locator("#live-panel")
    expect(panel).to_have_attribute("hx-trigger", "every 60s")
    expect(panel).to_contain_text("Kota Pariaman naik")
    page.evaluate("window.stillTheSamePage = true")
    Alert.objects.create(rule="critical", condition_key="browser:13.72", region_id="13.72",
                         title="Bentrokan pendukung di Kota Solok", message="-",
                         level="tinggi", created_at=timezone.now())
    # What the minute's poll does, without waiting a minute.
    page.evaluate("htmx.ajax('GET', document.querySelector('#live-panel')"
                  ".getAttribute('hx-get'), '#live-panel')")
    expect(panel).to_contain_text("Bentrokan pendukung di Kota Solok")
    assert page.evaluate("window.stillTheSamePage") is True
    assert tab.page_width() <= PHONE["width"]
    tab.screenshot("dashboard-election-day-375.png")
    tab.assert_no_errors()
