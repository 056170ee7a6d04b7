"""Reads of forums, meetings and recommendations. Every selector that returns records takes
the user and goes through the scoping rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from forkopimda import suggestions
from forkopimda.choices import IN_DOCUMENT, OPEN
from forkopimda.choices import RecommendationStatus as S
from forkopimda.models import (
    Distribution,
    Forum,
    ForumMember,
    Meeting,
    MeetingAttachment,
    MeetingParticipant,
    ProgressNote,
    Recommendation,
    RecommendationTransition,
)
from forkopimda.services import region_today
from kewaspadaan.choices import AlertStatus, RegionLevel
from kewaspadaan.models import Alert, Region, RiskScore
from kewaspadaan.scoping import region_q, scope
from laporan.choices import ACCEPTED
from laporan.selectors import incident_list


def forum_list(*, user) -> QuerySet[Forum]:
    return scope(Forum.objects.select_related("region").defer("region__boundary"), user) \
        .annotate(member_count=Count("members", distinct=True)).order_by("region", "kind", "name")


def forum_detail(*, user, pk: int) -> Forum | None:
    return (
        scope(Forum.objects.select_related("region").defer("region__boundary"), user)
        .prefetch_related(Prefetch("members", queryset=ForumMember.objects.select_related(
            "institution", "user").order_by("order", "id")))
        .filter(pk=pk).first()
    )


def meeting_list(*, user) -> QuerySet[Meeting]:
    return scope(
        Meeting.objects.select_related("forum", "region").defer("region__boundary"), user
    ).annotate(recommendation_count=Count("recommendations", distinct=True)) \
        .order_by("-held_at", "-id")


def meeting_detail(*, user, pk: int) -> Meeting | None:
    return (
        scope(Meeting.objects.select_related("forum", "region", "created_by")
              .defer("region__boundary"), user)
        .prefetch_related(
            Prefetch("participants", queryset=MeetingParticipant.objects.order_by("order", "id")),
            Prefetch("regions", queryset=Region.objects.defer("boundary")),
            "indicators", "incidents", "alerts", "attachments",
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("order", "id")
                     .prefetch_related("institutions")),
        )
        .filter(pk=pk).first()
    )


def concerning(region_code: str) -> Q:
    """Recommendations of a forum at ``region_code`` or below, or concerning a region there."""
    through = Recommendation.regions.through
    concerned = through.objects.filter(recommendation_id=OuterRef("pk")).filter(
        region_q(region_code, "region"))
    return region_q(region_code, "region") | Q(Exists(concerned))


def recommendation_list(*, user, region: Region | None = None,
                        overdue: bool | None = None, today: dt.date | None = None
                        ) -> QuerySet[Recommendation]:
    """Recommendations the user may read, newest first; with ``region``, those of that
    region or below or concerning a region there; ``overdue=True``: open and past the
    deadline (today as the clock reads in ``region``)."""
    recs = scope(
        Recommendation.objects.select_related("region", "meeting", "meeting__forum")
        .defer("region__boundary"),
        user,
    )
    if region is not None:
        recs = recs.filter(concerning(region.code))
    if overdue is not None:
        cutoff = today or region_today(region)
        late = Q(status__in=OPEN, deadline__lt=cutoff)
        recs = recs.filter(late) if overdue else recs.exclude(late)
    return recs


def recommendation_detail(*, user, pk: int) -> Recommendation | None:
    return (
        recommendation_list(user=user)
        .select_related("created_by", "approved_by", "issued_by")
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.defer("boundary")),
            "indicators", "institutions", "incidents",
            Prefetch("progress_notes", queryset=ProgressNote.objects.select_related(
                "institution", "author")),
            Prefetch("distributions", queryset=Distribution.objects.select_related(
                "institution", "sent_by")),
            Prefetch("transitions", queryset=RecommendationTransition.objects.select_related(
                "by")),
        )
        .filter(pk=pk).first()
    )


def recommendation_counts(*, user, region: Region | None) -> dict[str, int]:
    """Open and overdue recommendations of ``region`` (None: the nation) or below, or
    concerning a region there, within the user's jurisdiction: one aggregate query.

    Open means issued or in progress (an approved one has not been sent yet); overdue means
    open with a deadline before today as the clock reads in ``region``."""
    today = region_today(region)
    recs = scope(Recommendation.objects.all(), user)
    if region is not None:
        recs = recs.filter(concerning(region.code))
    open_q = Q(status__in=OPEN)
    counts = recs.aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(deadline__lt=today)),
    )
    return {"open": counts["open"] or 0, "overdue": counts["overdue"] or 0}


def meeting_document_recommendations(*, meeting: Meeting) -> list[Recommendation]:
    """The recommendations an official document of the (already visible) meeting shows."""
    return list(meeting.recommendations.filter(status__in=IN_DOCUMENT)
                .prefetch_related("institutions").order_by("order", "id"))


def distribution_get(*, user, pk: int) -> Distribution | None:
    return scope(Distribution.objects.select_related("recommendation"), user) \
        .filter(pk=pk).first()


# --- Suggested drafts -----------------------------------------------------------------------

def suggestions_for(*, user, region: Region, today: dt.date | None = None,
                    skip: set[str] = frozenset()) -> list[suggestions.Suggestion]:
    """Drafts the current risk picture of ``region`` supports, from what ``user`` may see:
    accepted incidents per category in the last window against the one before (one
    grouped query), and the region's overall score now and a window ago. A rule whose
    draft is already open for the region is not proposed again."""
    today = today or region_today(region)
    window = dt.timedelta(days=suggestions.WINDOW_DAYS)
    now_start = timezone.now() - window
    counts = (
        incident_list(user=user)
        .filter(region_q(region.code, "region"), status__in=ACCEPTED,
                occurred_at__gte=now_start - window)
        .order_by()
        .values("indicator__parent__code", "indicator__parent__name")
        .annotate(now=Count("pk", filter=Q(occurred_at__gte=now_start)),
                  before=Count("pk", filter=Q(occurred_at__lt=now_start)))
    )
    counts_now, counts_before, names = {}, {}, {}
    for row in counts:
        code = row["indicator__parent__code"]
        counts_now[code], counts_before[code] = row["now"], row["before"]
        names[code] = row["indicator__parent__name"]
    scores = list(
        scope(RiskScore.objects.filter(region=region, stage=""), user)
        .filter(day__lte=today).order_by("-day").values("day", "total", "level", "election")[:1]
    )
    score_now = score_before = None
    if scores:
        latest = scores[0]
        score_now = (latest["total"], latest["level"])
        earlier = (RiskScore.objects.filter(region=region, stage="", election=latest["election"],
                                            day__lte=latest["day"] - window)
                   .order_by("-day").values_list("total", "level").first())
        score_before = tuple(earlier) if earlier else None
    taken = set(
        scope(Recommendation.objects.filter(region=region), user)
        .exclude(suggestion_key="").exclude(status__in=[S.DONE, S.CANCELLED])
        .values_list("suggestion_key", flat=True)
    )
    return suggestions.propose(
        region_name=region.name, counts_now=counts_now, counts_before=counts_before,
        category_names=names, score_now=score_now, score_before=score_before,
        skip=set(skip) | taken,
    )


def suggestion_incidents(*, user, region: Region, category: str, limit: int = 20) -> list:
    """The accepted incidents of the recent window behind a suggestion (newest first)."""
    if not category:
        return []
    since = timezone.now() - dt.timedelta(days=suggestions.WINDOW_DAYS)
    return list(incident_list(user=user).filter(
        region_q(region.code, "region"), status__in=ACCEPTED, occurred_at__gte=since,
        indicator__parent__code=category)[:limit])


# --- Situation report -----------------------------------------------------------------------

@dataclass
class ScoreRow:
    code: str
    name: str
    total: float | None
    level: str
    previous_total: float | None
    previous_level: str

    @property
    def change(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 1)


@dataclass
class Situation:
    """What a periodic situation report (laporan situasi) of a region shows."""

    region: Region
    start: dt.date
    end: dt.date
    scores: list[ScoreRow]
    trend: list[tuple[dt.date, float]]
    incidents: list
    alerts: list
    alert_count: int
    recommendations: list
    overdue_ids: set[int] = field(default_factory=set)


def _latest_scores(codes: list[str], *, on: dt.date, election_id) -> dict[str, RiskScore]:
    """Each region's newest overall score on or before ``on`` (within 60 days)."""
    rows = (RiskScore.objects.filter(region_id__in=codes, stage="", election_id=election_id,
                                     day__lte=on, day__gte=on - dt.timedelta(days=60))
            .order_by("region_id", "-day").only("region_id", "day", "total", "level"))
    latest: dict[str, RiskScore] = {}
    for score in rows:
        latest.setdefault(score.region_id, score)
    return latest


def situation_report(*, user, region: Region, end: dt.date | None = None,
                     days: int = 7) -> Situation:
    """The region's risk levels now and ``days`` ago (itself and its kab/kota), its trend
    over 30 days, the top incidents of the period, open alerts and open recommendations,
    all as ``user`` may see them. A fixed number of queries whatever the data."""
    end = end or region_today(region)
    start = end - dt.timedelta(days=days - 1)
    regions = [region]
    if region.level == RegionLevel.PROVINCE:
        regions += list(scope(Region.objects.filter(parent=region, level=RegionLevel.KABKOTA)
                              .defer("boundary"), user).order_by("code"))
    newest = (scope(RiskScore.objects.filter(region=region, stage="", day__lte=end), user)
              .order_by("-day").values_list("election_id", flat=True).first())
    codes = [r.code for r in regions]
    now = _latest_scores(codes, on=end, election_id=newest) if newest else {}
    before = _latest_scores(codes, on=start - dt.timedelta(days=1),
                            election_id=newest) if newest else {}
    scores = [ScoreRow(code=r.code, name=r.name,
                       total=now[r.code].total if r.code in now else None,
                       level=now[r.code].level if r.code in now else "",
                       previous_total=before[r.code].total if r.code in before else None,
                       previous_level=before[r.code].level if r.code in before else "")
              for r in regions]
    trend = list(RiskScore.objects.filter(
        region=region, stage="", election_id=newest, day__gt=end - dt.timedelta(days=30),
        day__lte=end).order_by("day").values_list("day", "total")) if newest else []
    zone = ZoneInfo(region.iana_timezone)
    period_start = dt.datetime.combine(start, dt.time.min, zone)
    period_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone)
    incidents = list(
        incident_list(user=user)
        .filter(region_q(region.code, "region"), status__in=ACCEPTED,
                occurred_at__gte=period_start, occurred_at__lt=period_end)
        .order_by("-severity", "-killed", "-injured", "-occurred_at")[:10]
    )
    open_alerts = scope(Alert.objects.filter(region_q(region.code, "region"),
                                             status__in=[AlertStatus.NEW,
                                                         AlertStatus.ACKNOWLEDGED]), user)
    alerts = list(open_alerts.select_related("region").defer("region__boundary")
                  .order_by("-created_at")[:15])
    alert_count = open_alerts.count()
    recommendations = list(
        recommendation_list(user=user, region=region).filter(status__in=OPEN)
        .prefetch_related("institutions").order_by("deadline", "id")[:30]
    )
    overdue = {rec.pk for rec in recommendations if rec.deadline and rec.deadline < end}
    return Situation(region=region, start=start, end=end, scores=scores, trend=trend,
                     incidents=incidents, alerts=alerts, alert_count=alert_count,
                     recommendations=recommendations, overdue_ids=overdue)


def attachment_get(*, user, pk: int) -> MeetingAttachment | None:
    return scope(MeetingAttachment.objects.all(), user).filter(pk=pk).first()
