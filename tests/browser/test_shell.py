"""The portal shell in a real browser: language, phone menu, desktop navigation,
jurisdiction and the 404 page.

Playwright's sync API drives Debian's Chromium (``executable_path``; Playwright's own browser
download is never used). One Chromium serves the whole module; every test opens fresh
browser contexts (own cookies, own viewport) against pytest-django's ``live_server``.
Full-page screenshots land in ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import pytest

from kewaspadaan.models import Region
from tests.browser.helpers import DESKTOP, PHONE
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser]

# --- Fixtures ---------------------------------------------------------------------------

@pytest.fixture
def operator(committed_db):
    return UserFactory(username="op.pariaman", role="operator", jurisdiction_code="13.77")


@pytest.fixture
def admin(committed_db):
    return UserFactory(username="sysadmin", role="admin", jurisdiction_code=None)


# --- Tests ------------------------------------------------------------------------------

def test_login_on_a_phone_is_indonesian_and_lands_on_the_home_page(open_tab, operator):
    tab = open_tab(PHONE)
    page = tab.page
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("main h1").inner_text() == "Masuk ke Kewaspadaan"
    assert page.locator("main form button[type=submit]").inner_text() == "Masuk"
    assert page.get_by_label("Nama pengguna").is_visible()
    assert page.get_by_label("Kata sandi").is_visible()
    assert tab.page_width() <= PHONE["width"], "the login page scrolls sideways on a phone"
    tab.screenshot("login-phone-375-id.png")

    tab.log_in("op.pariaman")
    main = page.locator("main")
    assert "Kota Pariaman" in main.inner_text()
    assert main.get_by_role("link", name="Kota Pariaman").get_attribute("href") == (
        "/regions/13.77/"
    )
    assert "Pilkada" in main.inner_text()
    assert tab.page_width() <= PHONE["width"], "the home page scrolls sideways on a phone"
    tab.screenshot("home-phone-375-operator-pariaman.png")
    tab.assert_no_errors()

    # A phone set to English still gets Indonesian until the user picks English.
    other = open_tab(PHONE, locale="en-US")
    other.page.goto("/accounts/login/")
    assert other.page.locator("main form button[type=submit]").inner_text() == "Masuk"
    other.assert_no_errors()


def test_phone_menu_folds_the_navigation_and_leads_to_the_region_page(open_tab, operator):
    tab = open_tab(PHONE)
    page = tab.page
    tab.log_in("op.pariaman")

    toggle = page.get_by_role("button", name="Menu")
    regions_link = page.locator("#site-nav").get_by_role("link", name="Wilayah")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert regions_link.is_hidden(), "the navigation should be folded on a phone"
    assert page.locator("#site-nav").get_by_role("link", name="Beranda").is_hidden()

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert regions_link.is_visible()
    assert page.locator("#site-nav").get_by_role("link", name="Pemilihan").is_visible()
    assert page.locator("#site-nav").get_by_role("link", name="Admin").count() == 0
    assert tab.page_width() <= PHONE["width"]
    tab.screenshot("home-phone-375-menu-open.png")

    page.keyboard.press("Escape")
    assert regions_link.is_hidden(), "Escape should fold the menu again"
    toggle.click()

    with page.expect_navigation():
        regions_link.click()
    # /regions/ sends a kab/kota operator straight to their own kab/kota.
    assert page.url == f"{tab.base_url}/regions/13.77/"
    assert page.locator("main h1").inner_text() == "Kota Pariaman"
    table = page.locator("main table")
    for kecamatan in ("Pariaman Tengah", "Pariaman Utara", "Pariaman Selatan", "Pariaman Timur"):
        assert table.get_by_role("link", name=kecamatan).is_visible()
    assert toggle.get_attribute("aria-expanded") == "false", "the menu stays open after a link"
    assert tab.page_width() <= PHONE["width"], "the region page scrolls sideways on a phone"
    tab.screenshot("region-phone-375-kota-pariaman.png")
    tab.assert_no_errors()


def test_desktop_navigation_is_open_and_admin_link_is_for_admins_only(open_tab, operator, admin):
    for username, shot, sees_admin in (
        ("op.pariaman", "home-desktop-1280-operator-pariaman.png", False),
        ("sysadmin", "home-desktop-1280-admin.png", True),
    ):
        tab = open_tab(DESKTOP)
        page = tab.page
        tab.log_in(username)
        nav = page.locator("#site-nav")
        assert page.get_by_role("button", name="Menu").is_hidden()
        for label in ("Beranda", "Wilayah", "Pemilihan"):
            link = nav.get_by_role("link", name=label)
            assert link.is_visible(), f"{label} is hidden for {username}"
        admin_link = nav.get_by_role("link", name="Admin", exact=True)
        if sees_admin:
            assert admin_link.is_visible()
            assert admin_link.get_attribute("href") == "/admin/"
            assert "Nasional" in page.locator("main").inner_text()
        else:
            assert admin_link.count() == 0
            assert "Kota Pariaman" in page.locator("main").inner_text()
        assert tab.page_width() <= DESKTOP["width"]
        tab.screenshot(shot)
        tab.assert_no_errors()


def test_language_switcher_in_the_footer_switches_to_english_and_back(open_tab):
    tab = open_tab(PHONE)
    page = tab.page
    page.goto("/accounts/login/")
    assert page.locator("main form button[type=submit]").inner_text() == "Masuk"

    switcher = page.locator("footer").get_by_label("Bahasa")
    with page.expect_navigation():
        switcher.select_option("en")  # app.js submits the form on change
    assert page.url.endswith("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main h1").inner_text() == "Log in to Kewaspadaan"
    assert page.locator("main form button[type=submit]").inner_text() == "Log in"
    assert page.get_by_label("Username").is_visible()
    assert tab.page_width() <= PHONE["width"]
    tab.screenshot("login-phone-375-en.png")

    # The choice is kept in a cookie: a new page load stays English.
    page.goto("/accounts/login/")
    assert page.locator("main form button[type=submit]").inner_text() == "Log in"

    with page.expect_navigation():
        page.locator("footer").get_by_label("Language").select_option("id")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("main form button[type=submit]").inner_text() == "Masuk"
    tab.assert_no_errors()


def test_operator_gets_the_404_page_for_a_kota_outside_their_jurisdiction(open_tab, operator):
    assert Region.objects.filter(code="13.72", name="Kota Solok").exists()
    tab = open_tab(PHONE)
    page = tab.page
    tab.log_in("op.pariaman")

    response = page.goto("/regions/13.72/")
    assert response.status == 404
    assert page.locator("main h1").inner_text() == "Halaman tidak ditemukan"
    assert "Solok" not in page.locator("main").inner_text()
    assert page.locator("main").get_by_role("link", name="Kembali ke beranda").is_visible()
    assert tab.page_width() <= PHONE["width"]
    tab.screenshot("not-found-phone-375-kota-solok.png")
    # Chromium logs the document's own 404 status as a console error; nothing else may fail.
    tab.assert_no_errors(expected=("status of 404",))
    assert all("/regions/13.72/" in e for e in tab.errors)

    # The operator's own kota still opens.
    assert page.goto("/regions/13.77/").status == 200
