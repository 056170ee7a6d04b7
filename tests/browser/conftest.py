"""Fixtures of the browser tests."""

from __future__ import annotations

import pytest

from tests.browser.helpers import BROWSER_LOCALE, PHONE, Tab


@pytest.fixture
def open_tab(browser, live_server):
    """``open_tab(viewport)`` opens a fresh browser context on the live server."""
    tabs: list[Tab] = []

    def open_(viewport: dict = PHONE, locale: str = BROWSER_LOCALE) -> Tab:
        tab = Tab(browser, live_server.url, viewport, locale)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.close()
