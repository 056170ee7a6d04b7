"""The forum pages in a real browser on a phone (375 px) and a desktop: nothing wider than
the screen, no script errors, and the analyst's path from a meeting to its documents.
Screenshots land in ``test-artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS
from tests.factories import PASSWORD, UserFactory
from tests.forkopimda.forum_helpers import issue, make_forum, make_meeting, make_recommendation

pytestmark = [pytest.mark.browser]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def _tab(browser, base_url, viewport):
    context = browser.new_context(viewport=viewport, locale="id-ID", base_url=base_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def _log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_meeting_and_recommendation_pages_fit_the_screen(browser, live_server, viewport):
    analyst = UserFactory(username="an.browser", role="analyst", jurisdiction_code="13")
    meeting = make_meeting(by=analyst, forum=make_forum(by=analyst))
    rec = issue(make_recommendation(by=analyst, meeting=meeting,
                                    text="Memperkuat pengawasan netralitas ASN " * 8),
                by=analyst)
    context, page, errors = _tab(browser, live_server.url, viewport)
    try:
        _log_in(page, analyst.username)
        name = "phone" if viewport is PHONE else "desktop"
        for url, shot in ((f"/meetings/{meeting.pk}/", "meeting"),
                          (f"/recommendations/{rec.pk}/", "recommendation"),
                          ("/recommendations/", "recommendation-list"),
                          (f"/forums/{meeting.forum_id}/", "forum")):
            page.goto(url)
            assert page.locator("h1").first.is_visible()
            page.screenshot(path=str(SCREENSHOTS / f"forkopimda-{shot}-{name}.png"),
                            full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{url} is {width}px wide"
        page.goto(f"/meetings/{meeting.pk}/")
        with page.expect_download() as download:
            page.get_by_role("link", name="Dokumen resmi (PDF)").click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert errors == []
    finally:
        context.close()
