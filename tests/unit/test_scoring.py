"""The risk formula: the document's worked example, and properties that must always hold."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kewaspadaan import scoring
from kewaspadaan.scoring import COMPONENTS, Profile, Signal

DOC = Path(__file__).resolve().parents[2] / "docs" / "risk-method.md"
PROFILE = Profile()


def test_the_documents_worked_example_matches_the_code():
    text = DOC.read_text(encoding="utf-8")
    example = text.split("## 7. Worked example")[1].split("\n---\n")[0]
    rows = [r for r in example.splitlines() if r.startswith("| ") and "signal" not in r
            and not r.startswith("|---")]
    signals = []
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        signals.append((Signal(
            ref=cells[0], athg=cells[1].lower(), indicator="", category={
                "Hambatan": "asn", "Gangguan": "politik-uang"}[cells[1]],
            indicator_weight=float(cells[2]), severity={"2": 2, "4": 3}[
                re.search(r"\((\d)\)", cells[3]).group(1)],
            reliability=cells[4][0], credibility=int(cells[5][0]),
            stages=("masa-tenang",) if "quiet" in cells[6] else ("kampanye",),
            age_days=float(cells[7].split()[0]),
        ), float(cells[8]), float(cells[9])))
    assert len(signals) == 2
    for signal, value, decayed in signals:
        assert scoring.signal_value(signal, PROFILE) == pytest.approx(value, abs=1e-4)
        assert scoring.signal_value(signal, PROFILE) * scoring.decay(
            signal.age_days, PROFILE) == pytest.approx(decayed, abs=1e-4)
    raw = scoring.raw_components([s for s, _v, _d in signals], PROFILE)
    result = scoring.score(raw, population=103_835, baseline=None, band_key="kabkota",
                           profile=PROFILE)
    assert result.components == {"ancaman": 0.0, "tantangan": 0.0, "hambatan": 8.78,
                                 "gangguan": 40.13}
    assert result.total == 50.71 and result.level == "tinggi"
    assert "**50.71**" in example and "**tinggi**" in example
    with_baseline = scoring.score(raw, population=103_835, baseline=60, band_key="kabkota",
                                  profile=PROFILE)
    assert with_baseline.total == 52.57 and "**52.57**" in example


signals = st.builds(
    Signal,
    ref=st.just("x"),
    athg=st.sampled_from(COMPONENTS),
    indicator=st.just("i"),
    category=st.sampled_from(["asn", "politik-uang", "intimidasi", "bentrok", "sara"]),
    indicator_weight=st.floats(0.1, 3.0),
    severity=st.integers(1, 4),
    reliability=st.sampled_from("ABCDEF"),
    credibility=st.integers(1, 6),
    stages=st.lists(st.sampled_from(["kampanye", "masa-tenang", "pemungutan-suara",
                                     "rekapitulasi"]), max_size=2).map(tuple),
    injured=st.integers(0, 30),
    killed=st.integers(0, 5),
    age_days=st.floats(0, 400),
)


@settings(max_examples=300, deadline=None)
@given(existing=st.lists(signals, max_size=30), new=signals,
       population=st.one_of(st.none(), st.integers(1_000, 50_000_000)),
       baseline=st.one_of(st.none(), st.floats(0, 100)))
def test_adding_a_verified_incident_never_lowers_the_score(existing, new, population, baseline):
    def total(items):
        raw = scoring.raw_components(items, PROFILE)
        return scoring.score(raw, population=population, baseline=baseline,
                             band_key="kabkota", profile=PROFILE)

    before, after = total(existing), total([*existing, new])
    assert after.total >= before.total
    for c in COMPONENTS:
        assert after.components[c] >= before.components[c]


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0, 1000), b=st.floats(0, 1000))
def test_decay_is_monotonic(a, b):
    young, old = sorted((a, b))
    assert scoring.decay(old, PROFILE) <= scoring.decay(young, PROFILE) <= 1.0


@settings(max_examples=200, deadline=None)
@given(children=st.lists(st.lists(signals, max_size=10), min_size=1, max_size=8))
def test_roll_ups_agree_with_their_parts(children):
    child_raw = [scoring.raw_components(items, PROFILE) for items in children]
    parent = scoring.roll_up(child_raw)
    everything = scoring.raw_components([s for items in children for s in items], PROFILE)
    for c in COMPONENTS:
        assert parent[c] == pytest.approx(everything[c], rel=1e-9, abs=1e-9)


def test_scores_stay_between_0_and_100():
    raw = dict.fromkeys(COMPONENTS, 1e9)
    result = scoring.score(raw, population=10, baseline=100, band_key="provinsi",
                           profile=PROFILE)
    assert all(0 <= v <= 100 for v in result.components.values())
    assert result.total <= 100 and result.level == "tinggi"


@pytest.mark.parametrize(("total", "band", "level"), [
    (13.46, "kabkota", "rendah"), (13.47, "kabkota", "sedang"), (49.33, "kabkota", "tinggi"),
    (21.69, "provinsi", "rendah"), (68.5, "provinsi", "tinggi"),
])
def test_ikp_bands_are_the_default_levels(total, band, level):
    assert scoring.level_for(total, band, PROFILE) == level
