"""The world of the security tests, built once per module through the services (committed,
so each test's own transaction rolls back only what the test wrote), and emptied after.

Its files (evidence, meeting attachments, and whatever a test uploads) go to a media
folder of its own, removed afterwards, so other tests see the media folder as they left
it."""

import shutil
import tempfile

import pytest
from django.test import override_settings

from tests.conftest import _empty_non_reference_tables
from tests.security import world as world_module


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> world_module.World:
    media = tempfile.mkdtemp(prefix="kw-security-media-")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        _empty_non_reference_tables()
        try:
            yield world_module.build()
        finally:
            _empty_non_reference_tables()
            shutil.rmtree(media, ignore_errors=True)
