"""Official numbers under concurrency: two analysts issuing at once get distinct,
consecutive numbers (PostgreSQL row locks, real commits)."""

import datetime as dt
import threading

from django.db import connections

from forkopimda import services
from forkopimda.models import Recommendation
from tests.conftest import need, on_postgres
from tests.factories import UserFactory
from tests.forkopimda.forum_helpers import make_recommendation


def test_issuers_at_once_get_distinct_consecutive_numbers(committed_db):
    # committed_db, not django_db(transaction=True): the latter flushes the reference data
    # every later test needs.
    need(on_postgres(), "needs PostgreSQL row locks: set DATABASE_URL=postgres://...")
    analyst = UserFactory(role="analyst", jurisdiction_code="13")
    recs = [services.recommendation_approve(
        recommendation=make_recommendation(by=analyst, region_code="13"), by=analyst)
        for _ in range(6)]
    barrier = threading.Barrier(len(recs))
    errors = []

    def run(rec):
        try:
            barrier.wait()
            services.recommendation_issue(recommendation=rec, by=analyst)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(rec,)) for rec in recs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Recommendation.objects.values_list("number", flat=True))
    year = dt.date.today().year
    assert numbers == [f"{n:03d}/REK/13/{year}" for n in range(1, 7)]
