"""Reads of the core: regions, elections, stages and contests, scoped by jurisdiction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from kewaspadaan.choices import TIMEZONE_IANA, Channel
from kewaspadaan.models import Alert, AlertDelivery, Contest, Election, Region, Stage, User
from kewaspadaan.scoping import scope


def region_list(*, user: User) -> QuerySet[Region]:
    return scope(Region.objects.all(), user)


def region_get(*, user: User, code: str) -> Region | None:
    return region_list(user=user).filter(code=code).first()


def contest_list(*, user: User) -> QuerySet[Contest]:
    return scope(Contest.objects.select_related("election", "region"), user)


def election_list(*, user: User) -> QuerySet[Election]:
    return scope(Election.objects.all(), user)


def election_current(*, on: dt.date | None = None) -> Election | None:
    """The active election whose voting day is nearest to ``on`` (today by default)."""
    on = on or dt.date.today()
    upcoming = Election.objects.filter(is_active=True, voting_day__gte=on).order_by("voting_day")
    latest = Election.objects.filter(is_active=True).order_by("-voting_day")
    return upcoming.first() or latest.first()


def stages_on(*, election: Election, day: dt.date) -> QuerySet[Stage]:
    """Stages of ``election`` running on calendar day ``day`` (stages overlap).

    A stage with a start and no end runs from its start on; one with no dates yet (winners
    declared, pending the Constitutional Court) matches no day until an admin sets them.
    """
    return Stage.objects.filter(stage_running_q(day), election=election).order_by("order")


def stage_running_q(day: dt.date) -> Q:
    """The condition for a stage running on ``day`` (shared with the API's FilterSet)."""
    return Q(start_date__lte=day) & (Q(end_date__gte=day) | Q(end_date__isnull=True))


def local_date(*, region: Region, at: dt.datetime) -> dt.date:
    """The calendar day ``at`` falls on in ``region``'s own time zone (WIB, WITA or WIT)."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    return at.astimezone(ZoneInfo(TIMEZONE_IANA[region.timezone])).date()


def stages_at(*, election: Election, region: Region, at: dt.datetime) -> QuerySet[Stage]:
    """Stages running at instant ``at`` as the clock reads in ``region``."""
    return stages_on(election=election, day=local_date(region=region, at=at))


def alert_list(*, user) -> QuerySet[Alert]:
    return scope(Alert.objects.select_related("region", "acknowledged_by")
                 .defer("region__boundary"), user)


def unread_alert_count(*, user) -> int:
    """Early warnings delivered to the user's portal inbox and not yet opened."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return AlertDelivery.objects.filter(recipient=user, channel=Channel.PORTAL,
                                        read_at__isnull=True).count()
