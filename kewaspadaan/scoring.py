"""The ATHG risk formula, pure: plain numbers in, plain numbers out, no Django.

``docs/risk-method.md`` states the same method for analysts to check by hand; a test
computes a region's score from that document's worked example with these functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

COMPONENTS = ("ancaman", "tantangan", "hambatan", "gangguan")


@dataclass(frozen=True)
class Profile:
    """A scoring profile: every tunable number of the method (stored and versioned)."""

    half_life_days: float = 14.0
    severity: Mapping[int, float] = field(default_factory=lambda: {1: 1.0, 2: 2.0, 3: 4.0,
                                                                   4: 8.0})
    reliability: Mapping[str, float] = field(default_factory=lambda: {
        "A": 1.0, "B": 0.85, "C": 0.7, "D": 0.5, "E": 0.3, "F": 0.5})
    credibility: Mapping[int, float] = field(default_factory=lambda: {
        1: 1.0, 2: 0.85, 3: 0.7, 4: 0.45, 5: 0.2, 6: 0.5})
    verification: Mapping[str, float] = field(default_factory=lambda: {
        "verified": 1.0, "reported": 0.3})
    # (indicator category code, stage slug) -> multiplier; the rest count 1.
    stage_multipliers: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: {
        "politik-uang": {"masa-tenang": 2.0, "pemungutan-suara": 1.5},
        "intimidasi": {"pemungutan-suara": 1.5, "rekapitulasi": 1.3, "masa-tenang": 1.3},
        "bentrok": {"pemungutan-suara": 1.5, "rekapitulasi": 1.5},
        "kampanye": {"masa-tenang": 1.5},
    })
    injured_weight: float = 0.5
    killed_weight: float = 2.0
    casualty_cap: float = 5.0
    # Signals per 100,000 inhabitants, damped by the square root so a small kota is not
    # inflated by its size alone.
    population_reference: float = 100_000.0
    population_exponent: float = 0.5
    # Saturation: a component reaches 63 at ``saturation`` normalised signal points.
    saturation: float = 12.0
    component_weights: Mapping[str, float] = field(default_factory=lambda: {
        "ancaman": 1.3, "tantangan": 0.8, "hambatan": 1.0, "gangguan": 1.2})
    baseline_share: float = 0.2
    # Level bands (IKP 2024 by default): lower bounds of sedang and tinggi, per level.
    bands: Mapping[str, tuple[float, float]] = field(default_factory=lambda: {
        "provinsi": (21.7, 68.5), "kabkota": (13.47, 49.33), "nasional": (21.7, 68.5)})


@dataclass(frozen=True)
class Signal:
    """One verified incident (or another source's item) as the engine sees it."""

    ref: str
    athg: str
    indicator: str
    category: str
    indicator_weight: float
    severity: int
    reliability: str
    credibility: int
    verification: str = "verified"
    stages: tuple[str, ...] = ()
    injured: int = 0
    killed: int = 0
    age_days: float = 0.0


def stage_factor(signal: Signal, profile: Profile) -> float:
    table = profile.stage_multipliers.get(signal.category, {})
    return max([table.get(s, 1.0) for s in signal.stages] or [1.0])


def casualty_factor(signal: Signal, profile: Profile) -> float:
    extra = profile.injured_weight * signal.injured + profile.killed_weight * signal.killed
    return 1.0 + min(extra, profile.casualty_cap)


def decay(age_days: float, profile: Profile) -> float:
    """Half of a signal's weight is left after ``half_life_days``; a signal from the
    future (clock skew) counts in full."""
    return 0.5 ** (max(age_days, 0.0) / profile.half_life_days)


def signal_value(signal: Signal, profile: Profile) -> float:
    """Indicator weight x severity x reliability x credibility x verification x stage x
    casualties, before decay."""
    return (
        signal.indicator_weight
        * profile.severity.get(signal.severity, 1.0)
        * profile.reliability.get(signal.reliability, 0.5)
        * profile.credibility.get(signal.credibility, 0.5)
        * profile.verification.get(signal.verification, 0.0)
        * stage_factor(signal, profile)
        * casualty_factor(signal, profile)
    )


def raw_components(signals: Iterable[Signal], profile: Profile) -> dict[str, float]:
    """Decayed signal points per ATHG component (additive: a parent's raw components are
    the sum of its children's)."""
    totals = dict.fromkeys(COMPONENTS, 0.0)
    for s in signals:
        totals[s.athg] += signal_value(s, profile) * decay(s.age_days, profile)
    return totals


def population_divisor(population: int | None, profile: Profile) -> float:
    if not population:
        return 1.0
    return (population / profile.population_reference) ** profile.population_exponent


def saturate(points: float, profile: Profile) -> float:
    return 100.0 * (1.0 - math.exp(-max(points, 0.0) / profile.saturation))


@dataclass(frozen=True)
class Score:
    components: dict[str, float]
    incident_total: float
    total: float
    level: str


def level_for(total: float, band_key: str, profile: Profile) -> str:
    medium, high = profile.bands[band_key]
    if total >= high:
        return "tinggi"
    if total >= medium:
        return "sedang"
    return "rendah"


def score(raw: Mapping[str, float], *, population: int | None, baseline: float | None,
          band_key: str, profile: Profile) -> Score:
    """Components (0-100 each), the incident total and the total with the baseline index."""
    divisor = population_divisor(population, profile)
    normalised = {c: raw.get(c, 0.0) / divisor for c in COMPONENTS}
    components = {c: round(saturate(normalised[c], profile), 2) for c in COMPONENTS}
    weighted = sum(normalised[c] * profile.component_weights[c] for c in COMPONENTS)
    incident_total = saturate(weighted, profile)
    if baseline is None:
        total = incident_total
    else:
        share = profile.baseline_share
        # The baseline can raise a region's score, never lower what incidents show.
        total = max(incident_total, (1 - share) * incident_total + share * baseline)
    total = round(total, 2)
    return Score(components, round(incident_total, 2), total, level_for(total, band_key, profile))


def roll_up(children: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """A parent's raw components: the sum of its children's."""
    totals = dict.fromkeys(COMPONENTS, 0.0)
    for child in children:
        for c in COMPONENTS:
            totals[c] += child.get(c, 0.0)
    return totals


# --- Rank key: decayed points as a time-invariant number --------------------------------
#
# value x 0.5^((t_ref - t)/h) = exp(ln(value) + (t - anchor)/h x ln 2 - (t_ref - anchor)/h x ln 2)
#
# The first two terms depend on the signal only: stored once per signal as its rank key,
# they let PostgreSQL rank signals by decayed points at any reference time with an index,
# and sum decayed points as exp(rank_key - shift(t_ref)). Log space never overflows, whatever
# the half-life or the distance from the anchor.

RANK_ANCHOR_EPOCH = 1704067200.0  # 2024-01-01T00:00:00Z
LN2 = math.log(2.0)


def rank_shift(reference_epoch: float, profile: Profile) -> float:
    """The term to subtract from a rank key to get points decayed to ``reference_epoch``."""
    return (reference_epoch - RANK_ANCHOR_EPOCH) / 86400.0 / profile.half_life_days * LN2


def rank_key(signal: Signal, occurred_epoch: float, profile: Profile) -> float | None:
    """ln(value) + (occurred - anchor)/h x ln 2; None for a signal worth nothing."""
    value = signal_value(signal, profile)
    if value <= 0:
        return None
    return math.log(value) + rank_shift(occurred_epoch, profile)
