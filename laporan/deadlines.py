"""Statutory deadlines of referrals (pure)."""

import datetime as dt


def add_days(start: dt.date, days: int, *, working_days: bool) -> dt.date:
    """``start`` plus ``days`` calendar days, or ``days`` working days (Monday-Friday).

    Public holidays are not counted out: they vary by decree each year, so a deadline in
    working days may fall a day or two early, never late (the safe side for a reminder).
    """
    if not working_days:
        return start + dt.timedelta(days=days)
    current, left = start, days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
