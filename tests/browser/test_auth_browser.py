"""Two-factor login in a real browser with the rule ON: the analyst's first login enrols an
authenticator from the QR page, later logins ask for the code; the admin and Swagger UI
pages run under the Content Security Policy without a single violation in the console."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.auth_helpers import enrol, totp_code
from tests.browser.helpers import DESKTOP, PHONE
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser]


def code_step(tab, code: str) -> None:
    page = tab.page
    page.locator("input[name=token]").fill(code)
    with page.expect_navigation():
        page.locator("main form button.primary").click()


def test_analyst_enrols_on_first_login_and_gives_the_code_on_the_next(open_tab, committed_db,
                                                                       otp_on):
    UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13")
    tab = open_tab(PHONE)
    page = tab.page
    tab.submit_password("an.sumbar")
    assert page.url.startswith(f"{tab.base_url}/accounts/otp/setup/")
    assert page.locator("main h1").inner_text() == "Siapkan masuk dua faktor"
    qr = page.locator("img.otp-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100"), "QR code not drawn"
    assert tab.page_width() <= PHONE["width"]
    tab.screenshot("otp-setup-phone-375.png")
    # Anything else sends the analyst back here until a code is proved.
    page.goto("/incidents/")
    assert "/accounts/otp/setup/" in page.url

    # What the authenticator app does with the key shown on the page.
    secret = page.locator("[data-testid=otp-secret]").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user__username="an.sumbar")
    app = TOTP(b32decode(secret), device.step, device.t0, device.digits)
    code_step(tab, f"{app.token():06d}")
    assert page.url.endswith("/incidents/"), page.url
    assert page.locator("main h1").is_visible()

    # The next login (a new browser session).
    page.context.clear_cookies()

    tab.submit_password("an.sumbar")
    assert page.url.startswith(f"{tab.base_url}/accounts/otp/verify/")
    assert page.locator("main h1").inner_text() == "Masuk dua faktor"
    code_step(tab, "000000" if totp_code(device, offset_steps=1) != "000000" else "111111")
    assert "Kode itu tidak benar" in page.locator("main").inner_text()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    # The code of the next 30-second step (allowed by the tolerance), since this step's
    # code was spent on the enrolment and a code works once.
    code_step(tab, totp_code(device, offset_steps=1))
    assert page.url == f"{tab.base_url}/", page.url
    tab.screenshot("home-after-otp-phone-375.png")
    tab.assert_no_errors()


def test_admin_pages_and_swagger_ui_run_under_the_policy(open_tab, committed_db, otp_on):
    admin = UserFactory(username="sysadmin", role="admin", jurisdiction_code=None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    device = enrol(admin)
    tab = open_tab(DESKTOP)
    page = tab.page
    tab.submit_password("sysadmin")
    code_step(tab, totp_code(device))
    assert page.url == f"{tab.base_url}/"
    for path in ("/admin/", "/admin/kewaspadaan/user/",
                 f"/admin/kewaspadaan/user/{admin.pk}/change/", "/admin/axes/accessattempt/",
                 "/admin/otp_totp/totpdevice/"):
        assert page.goto(path).status == 200, path
    assert page.goto("/api/v1/incidents/").status == 200  # DRF's HTML view
    assert page.locator(".response-info").is_visible()
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=15_000)
    assert page.locator(".swagger-ui .title").first.inner_text().startswith("Kewaspadaan API")
    # The admin's pages ask the browser for /favicon.ico, which the portal does not serve.
    tab.assert_no_errors(expected=("favicon.ico",))
