"""The national rescore as the hourly beat task runs it: outside any transaction, with its
side queries on a second connection, still equal to the per-region path."""

import pytest

from kewaspadaan.models import RiskScore, Signal
from kewaspadaan.services import national, risk
from tests.services.test_national_rescore import (
    DAY,
    _alerts,
    _per_region_path,
    _post_signals,
    _snapshots,
    assert_same,
)

pytestmark = [pytest.mark.postgres]


def test_rescore_all_on_committed_data_equals_the_per_region_path(committed_db,
                                                                 monkeypatch):
    from django.db import connection, transaction

    with transaction.atomic():  # one commit: one in-process rescore, not one per signal
        _post_signals(seed=17)
    expected_snaps, expected_alerts = _per_region_path()
    calls = []

    real_run = national._Election.run

    def spy(self, *, parallel=False):
        calls.append((parallel, connection.in_atomic_block))
        return real_run(self, parallel=parallel)

    monkeypatch.setattr(national._Election, "run", spy)
    assert risk.rescore_all(day=DAY) == len(set(Signal.objects.values_list("region_id",
                                                                             flat=True)))
    assert calls and all(parallel for parallel, _atomic in calls)
    assert_same(expected_snaps, _snapshots())
    assert _alerts() == expected_alerts
    assert RiskScore.objects.filter(day=DAY, region__isnull=True).count() == 10
