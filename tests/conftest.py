"""Shared fixtures: reference data loaded once per session, the personas of STYLE.md, and
access to the real services (PostgreSQL, Redis, a Celery worker, Chromium).

Tests that need a service skip with the reason on a laptop without it. In CI
(``KW_REQUIRE_SERVICES=1``) a missing service fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]

REQUIRE_SERVICES = os.environ.get("KW_REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip (laptop) or fail (CI) when a real service is missing."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"KW_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL")


def redis_alive() -> bool:
    url = redis_url()
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(autouse=True)
def _service_markers(request):
    """``@pytest.mark.postgres`` / ``@pytest.mark.redis``: skip (laptop) or fail (CI) when
    the service is missing. (A fixture: markers added at collection cannot add fixtures.)"""
    if request.node.get_closest_marker("postgres"):
        request.getfixturevalue("require_postgres")
    if request.node.get_closest_marker("redis"):
        request.getfixturevalue("require_redis")


@pytest.fixture
def require_postgres():
    need(on_postgres(), "needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


@pytest.fixture
def require_redis():
    need(redis_alive(), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/15 (CI does)")


REFERENCE_TABLES = {
    "kewaspadaan_region", "kewaspadaan_election", "kewaspadaan_stage", "kewaspadaan_contest",
    "kewaspadaan_indicator", "kewaspadaan_institution",
    "django_content_type", "auth_permission", "django_migrations", "django_site",
}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_keepdb,
                    django_db_modify_db_settings):
    """The test database with the real reference data (91,599 regions, Pilkada 2024 and its
    545 contests), loaded once; every test sees it, transactional ones too (``committed_db``).

    Replaces pytest-django's fixture, which creates the database only for tests that carry
    its own markers; ``committed_db`` tests must get it as well."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, keepdb=django_db_keepdb,
                                 aliases={"default"}, serialized_aliases=set())
        call_command("load_regions", verbosity=0, stdout=open(os.devnull, "w"))
        call_command("load_pilkada2024", verbosity=0, stdout=open(os.devnull, "w"))
        call_command("load_taxonomy", verbosity=0, stdout=open(os.devnull, "w"))
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=0)


def _empty_non_reference_tables() -> None:
    name = str(connection.settings_dict["NAME"])
    # Never empty a real database: only Django's test databases.
    assert name.startswith("test_") or "memory" in name, name
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor)
                  if t not in REFERENCE_TABLES]
        if not tables:
            return
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
            cursor.execute("PRAGMA foreign_keys = ON")


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access where writes really commit (for a live server, a worker process or
    on_commit hooks). Afterwards every table but the reference data is emptied."""
    with django_db_blocker.unblock():
        _empty_non_reference_tables()
        yield
        _empty_non_reference_tables()


@pytest.fixture
def otp_on(settings):
    """The two-factor rule as production has it (the test settings leave it off, so that
    tests logging in with force_login reach the pages)."""
    from tests.auth_helpers import REQUIRED_ROLES

    settings.OTP_REQUIRED_ROLES = REQUIRED_ROLES
    return settings


@pytest.fixture(autouse=True)
def _portal_language(settings):
    """Each test starts in the portal's default language (Indonesian): a request that chose
    English leaves English active in the thread, which must not leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- Personas (STYLE.md) --------------------------------------------------------------

@pytest.fixture
def operator_pariaman(db):
    return UserFactory(username="op.pariaman", role="operator", jurisdiction_code="13.77")


@pytest.fixture
def operator_solok(db):
    return UserFactory(username="op.solok", role="operator", jurisdiction_code="13.72")


@pytest.fixture
def analyst_sumbar(db):
    return UserFactory(username="an.sumbar", role="analyst", jurisdiction_code="13")


@pytest.fixture
def official_sumbar(db):
    return UserFactory(username="of.sumbar", role="official", jurisdiction_code="13")


@pytest.fixture
def national_user(db):
    return UserFactory(username="nasional", role="national", jurisdiction_code=None)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="sysadmin", role="admin", jurisdiction_code=None)


@pytest.fixture
def operator_jateng(db):
    """An operator of another province (Jawa Tengah) who must be refused Sumatera Barat."""
    return UserFactory(username="op.jateng", role="operator", jurisdiction_code="33")


@pytest.fixture
def as_user(client, settings):
    """``as_user(user)``: the test client, logged in as ``user``, reading English pages (the
    language cookie), so assertions hold whatever state the Indonesian catalogue is in."""
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client
    return login


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- Browser (Playwright driving Debian's Chromium) ----------------------------------------

@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session, through ``executable_path`` (Playwright's own
    browser download is never used)."""
    path = chromium_path()
    need(path is not None, "needs Chromium: apt-get install chromium (or set CHROMIUM_PATH)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        # Playwright's sync API keeps an event loop in the main thread; without this,
        # Django refuses ORM calls from that thread (SynchronousOnlyOperation).
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                # While Playwright's loop runs, Django keeps this thread's connections in
                # context-local storage: close them before the loop stops, or PostgreSQL
                # refuses to drop the test database at the end of the session.
                connections.close_all()


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Replaces pytest-django's helper of the same name.

    Its version turns every ``live_server`` test into a TransactionTestCase that flushes
    every table afterwards, the preloaded reference data included. Here ``committed_db``
    gives the database access: writes commit, and only non-reference tables are emptied.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("committed_db")
    server = request.getfixturevalue("live_server")
    server._live_server_modified_settings.enable()
    yield
    server._live_server_modified_settings.disable()
