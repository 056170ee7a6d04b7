"""What the browser tests share: the two screen sizes, the browser's language and ``Tab``,
a page in its own browser context (the ``open_tab`` fixture in ``conftest.py`` opens them).

Playwright's sync API drives Debian's Chromium (``executable_path``; Playwright's own browser
download is never used).
"""

from __future__ import annotations

from tests.conftest import SCREENSHOTS
from tests.factories import PASSWORD

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# The browser's own language (its Accept-Language). The portal ignores it: Indonesian
# unless the user picks English in the footer (kewaspadaan.middleware).
BROWSER_LOCALE = "id-ID"


class Tab:
    """A page in its own browser context that records script errors."""

    def __init__(self, browser, base_url: str, viewport: dict, locale: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport, locale=locale, base_url=base_url)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_console(self, message) -> None:
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            self.errors.append(f"console.error: {message.text} [{url}]")

    def assert_no_errors(self, *, expected: tuple[str, ...] = ()) -> None:
        unexpected = [e for e in self.errors if not any(x in e for x in expected)]
        assert not unexpected, "browser reported errors:\n" + "\n".join(unexpected)

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)

    def page_width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")

    def submit_password(self, username: str) -> None:
        """The login form's first step: username and the test password, sent."""
        page = self.page
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()

    def log_in(self, username: str) -> None:
        self.submit_password(username)
        assert self.page.url == f"{self.base_url}/", (
            f"login did not land on the home page: {self.page.url}")

    def close(self) -> None:
        self.context.close()
