"""Likely duplicates: same kab/kota and indicator, close in time, similar text (pure)."""

import datetime as dt
import re
from difflib import SequenceMatcher

WINDOW = dt.timedelta(days=3)
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_similarity(a: str, b: str) -> float:
    """0..1: how alike two reports read (word sequence and shared vocabulary)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    sequence = SequenceMatcher(None, wa, wb, autojunk=False).ratio()
    shared = len(set(wa) & set(wb)) / len(set(wa) | set(wb))
    return max(sequence, shared)


def duplicate_score(*, text_a: str, text_b: str, time_a: dt.datetime, time_b: dt.datetime,
                    window: dt.timedelta = WINDOW) -> float:
    """0..1, for two incidents already known to share a kab/kota and an indicator."""
    gap = abs(time_a - time_b)
    if gap > window:
        return 0.0
    closeness = 1 - gap / window
    return round(0.6 * text_similarity(text_a, text_b) + 0.4 * closeness, 3)


THRESHOLD = 0.45
