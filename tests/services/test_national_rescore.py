"""The national rescore (set-based, PostgreSQL) writes exactly the snapshots and alerts of
the per-region path, whatever the mix of stages, time zones, withdrawals, casualties, stale
rank keys and signals dated after their stage's end."""

import datetime as dt
import random

import pytest

from kewaspadaan.models import (
    Alert,
    AlertDelivery,
    Election,
    Indicator,
    Region,
    RiskScore,
    ScoringProfile,
    Signal,
    Stage,
)
from kewaspadaan.services import national, risk

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DAY = dt.date(2024, 11, 27)  # voting day: most stages started, several finished
# Kota Pariaman and Kota Solok (WIB), Kota Mataram (WITA), Kota Jayapura (WIT), Kab. Demak.
CODES = ["13.77", "13.72", "52.71", "91.71", "33.21"]
NUMBERS = [f for f in risk.SNAPSHOT_FIELDS if f not in {"contributors", "profile",
                                                        "computed_at", "level", "coverage_gap",
                                                        "signal_count", "population"}]


def _post_signals(seed: int = 7, per_region: int = 40) -> None:
    rng = random.Random(seed)
    election = Election.objects.get(slug="pilkada-2024")
    stages = list(Stage.objects.filter(election=election))
    leaves = list(Indicator.objects.filter(parent__isnull=False).select_related("parent"))
    for code in CODES:
        region = Region.objects.get(code=code)
        tz = dt.timezone(dt.timedelta(hours={"WIB": 7, "WITA": 8, "WIT": 9}[region.timezone]))
        for i in range(per_region):
            day = dt.date(2024, 8, 1) + dt.timedelta(days=rng.randrange(0, 140))
            when = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tz)
            slugs = [s.slug for s in stages if s.start_date and s.start_date <= day
                     and (s.end_date is None or day <= s.end_date)]
            indicator = rng.choice(leaves)
            risk.signal_post(data=risk.SignalInput(
                source="test", source_ref=f"{code}-{i}", region=region, indicator=indicator,
                athg=rng.choice(["ancaman", "tantangan", "hambatan", "gangguan"]),
                severity=rng.randint(1, 4), reliability=rng.choice("ABCDEF"),
                credibility=rng.randint(1, 6), occurred_at=when, election=election,
                stages=slugs, injured=rng.choice([0, 0, 0, 1, 4]), killed=rng.choice([0] * 9 + [1]),
                verification=rng.choice(["verified"] * 9 + ["reported"]),
                label=f"Kejadian {code} #{i}"))
    # A few withdrawn.
    for ref in ["13.77-1", "52.71-2", "91.71-3"]:
        risk.signal_withdraw(source="test", source_ref=ref)


def _snapshots() -> dict:
    return {(s.region_id, s.stage): s for s in RiskScore.objects.filter(day=DAY)}


def _alerts() -> dict:
    return {a.condition_key: (a.rule, a.region_id, a.level, a.title, a.message, a.source_ref,
                              sorted(a.deliveries.values_list("channel", "target")))
            for a in Alert.objects.all()}


def _per_region_path() -> tuple[dict, dict]:
    codes = set(Signal.objects.values_list("region_id", flat=True))
    risk.regions_rescore(regions=list(Region.objects.filter(code__in=codes).order_by("code")),
                         day=DAY)
    result = _snapshots(), _alerts()
    AlertDelivery.objects.all().delete()
    Alert.objects.all().delete()
    RiskScore.objects.all().delete()
    return result


def _national_path() -> tuple[dict, dict]:
    national.national_rescore(codes=set(Signal.objects.values_list("region_id", flat=True)),
                              day=DAY)
    return _snapshots(), _alerts()


def assert_same(expected: dict, actual: dict) -> None:
    assert expected.keys() == actual.keys()
    for key, want in expected.items():
        got = actual[key]
        for field in NUMBERS:
            a, b = getattr(want, field), getattr(got, field)
            if a is None or b is None:
                assert a == b, (key, field)
            else:
                assert b == pytest.approx(a, rel=1e-9, abs=1e-9), (key, field)
        for field in ("level", "coverage_gap", "signal_count", "population", "profile_id"):
            assert getattr(got, field) == getattr(want, field), (key, field)
        want_c, got_c = want.contributors, got.contributors
        assert want_c.keys() == got_c.keys(), key
        for part in want_c:
            if part in {"indicators", "signals", "regions"}:
                assert len(want_c[part]) == len(got_c[part]), (key, part)
                for w, g in zip(want_c[part], got_c[part], strict=True):
                    points = "points" if "points" in w else "total"
                    assert g[points] == pytest.approx(w[points], abs=2e-3), (key, part)
                    ident = {k: v for k, v in w.items() if k not in {"points", "total"}}
                    assert {k: g[k] for k in ident} == ident, (key, part)
            else:
                assert got_c[part] == want_c[part]


def test_the_national_rescore_writes_the_snapshots_and_alerts_of_the_per_region_path(
        official_sumbar, national_user):
    _post_signals()
    expected_snaps, expected_alerts = _per_region_path()
    snaps, alerts = _national_path()
    assert len(snaps) == len(expected_snaps) > 5 * 10
    assert_same(expected_snaps, snaps)
    assert alerts == expected_alerts
    assert any(a[0] == "critical" for a in alerts.values())


def test_a_second_national_rescore_changes_nothing_and_raises_nothing_new(official_sumbar):
    _post_signals(seed=11)
    first_snaps, first_alerts = _national_path()
    deliveries = AlertDelivery.objects.count()
    second_snaps, second_alerts = _national_path()
    assert_same(first_snaps, second_snaps)
    # Nothing changed within the day, so no kab/kota or province row was rewritten.
    assert {k: s.computed_at for k, s in second_snaps.items() if k[0]} == {
        k: s.computed_at for k, s in first_snaps.items() if k[0]}
    assert second_alerts == first_alerts
    assert AlertDelivery.objects.count() == deliveries


def test_stale_rank_keys_and_a_new_profile_give_the_same_scores_as_the_formula():
    _post_signals(seed=3)
    Signal.objects.filter(source_ref__endswith="-5").update(rank_version=None, rank_key=None)
    new = ScoringProfile.objects.create(version=2, name="half-life 7",
                                        parameters={"half_life_days": 7.0})
    risk.profile_activate(profile=new)
    expected, _ = _per_region_path()
    snaps, _ = _national_path()
    assert_same(expected, snaps)
    assert not Signal.objects.exclude(rank_version=2).exists()
    assert {s.profile_id for s in snaps.values()} == {new.pk}


def test_a_signal_dated_after_its_stage_end_is_scored_as_the_formula_says():
    _post_signals(seed=5)
    # A stage's dates were edited after the fact: a campaign-tagged signal now lies after it.
    signal = Signal.objects.filter(region_id="13.72", stages__contains="kampanye",
                                   withdrawn_at__isnull=True).first()
    signal.occurred_at = dt.datetime(2024, 11, 26, 10, tzinfo=dt.UTC)
    signal.save(update_fields=["occurred_at"])
    Signal.objects.filter(pk=signal.pk).update(rank_version=None)
    expected, _ = _per_region_path()
    snaps, _ = _national_path()
    assert_same(expected, snaps)
