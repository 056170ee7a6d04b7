"""Fixtures of the integration tests (real workers on PostgreSQL and Redis)."""

import pytest

from kewaspadaan import celery_app


@pytest.fixture
def real_queue(settings, require_postgres, require_redis):
    """This process queues to Redis instead of running tasks in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.RESCORE_COALESCE_SECONDS = 1
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager
