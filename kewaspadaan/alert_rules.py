"""Early-warning rules, pure: they look at numbers and say whether a condition holds and
under which key (the key makes an alert unique, so the same condition alerts once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LEVEL_ORDER = {"rendah": 0, "sedang": 1, "tinggi": 2}
VIOLENT_CATEGORIES = {"intimidasi", "bentrok"}


@dataclass(frozen=True)
class Condition:
    rule: str
    key: str


def level_rise(*, region: str, election: str, day: dt.date, previous: str | None,
               current: str) -> Condition | None:
    """The overall level rose to sedang or tinggi (once per region, level and day)."""
    before = LEVEL_ORDER.get(previous or "rendah", 0)
    if LEVEL_ORDER[current] > before and current != "rendah":
        return Condition("level_rise", f"level_rise:{election}:{region}:{current}:{day}")
    return None


def surge(*, region: str, election: str, day: dt.date, last_7_days: int,
          previous_28_days: int, minimum: int = 3, factor: float = 2.0) -> Condition | None:
    """This week's verified incidents reach ``factor`` x the trailing four-week weekly
    average (and at least ``minimum``). Once per region and ISO week."""
    weekly_average = previous_28_days / 4
    if last_7_days >= minimum and last_7_days >= factor * max(weekly_average, 0.5):
        year, week, _ = day.isocalendar()
        return Condition("surge", f"surge:{election}:{region}:{year}-W{week:02d}")
    return None


def critical(*, source: str, source_ref: str, category: str, severity: int, injured: int,
             killed: int) -> Condition | None:
    """A single incident serious enough on its own: a death, several injured, or violence
    graded critical. Once per incident."""
    violent = category in VIOLENT_CATEGORIES
    if killed > 0 or injured >= 3 or (violent and severity >= 4):
        return Condition("critical", f"critical:{source}:{source_ref}")
    return None
