"""The world of the security tests, built once per module through the services (committed,
so each test's own transaction rolls back only what the test wrote), and emptied after."""

import pytest

from tests.conftest import _empty_non_reference_tables
from tests.security import world as world_module


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> world_module.World:
    with django_db_blocker.unblock():
        _empty_non_reference_tables()
        built = world_module.build()
        yield built
        _empty_non_reference_tables()
