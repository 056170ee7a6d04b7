"""Reads of forums, meetings and recommendations. Every selector that returns records takes
the user and goes through the scoping rule."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from forkopimda.choices import IN_DOCUMENT, OPEN
from forkopimda.models import (
    Distribution,
    Forum,
    ForumMember,
    Meeting,
    MeetingParticipant,
    ProgressNote,
    Recommendation,
    RecommendationTransition,
)
from forkopimda.services import region_today
from kewaspadaan.models import Region
from kewaspadaan.scoping import region_q, scope


def forum_list(*, user) -> QuerySet[Forum]:
    return scope(Forum.objects.select_related("region").defer("region__boundary"), user) \
        .annotate(member_count=Count("members", distinct=True))


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
    ).annotate(recommendation_count=Count("recommendations", distinct=True))


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


def _concerning(region_code: str) -> Q:
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
        recs = recs.filter(_concerning(region.code))
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
        recs = recs.filter(_concerning(region.code))
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
