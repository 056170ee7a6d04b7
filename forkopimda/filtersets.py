"""Filters of forums, meetings and recommendations, shared by the HTML lists, the tracker
exports and the API."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from forkopimda.choices import OPEN, ForumKind, MeetingKind, RecommendationStatus
from forkopimda.models import Forum, Meeting, Recommendation
from forkopimda.selectors import concerning
from forkopimda.services import region_today
from kewaspadaan.filtersets import ChoicesFilter, IdFilter
from kewaspadaan.scoping import region_q


class ForumFilterSet(filters.FilterSet):
    region = filters.CharFilter(label=_("Region"), method="filter_region",
                                help_text=_("A Kemendagri code, with everything below it."))
    kind = ChoicesFilter(label=_("Kind"), choices=ForumKind.choices)
    q = filters.CharFilter(label=_("Text"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Forum
        fields = ["region", "kind", "q"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "region"))


class MeetingFilterSet(filters.FilterSet):
    region = filters.CharFilter(label=_("Region"), method="filter_region",
                                help_text=_("A Kemendagri code, with everything below it."))
    forum = IdFilter(label=_("Forum"), field_name="forum_id")
    kind = ChoicesFilter(label=_("Kind"), choices=MeetingKind.choices)
    date_from = filters.DateFilter(label=_("From"), field_name="held_at", lookup_expr="date__gte")
    date_to = filters.DateFilter(label=_("Until"), field_name="held_at", lookup_expr="date__lte")
    q = filters.CharFilter(label=_("Text"), method="filter_q")

    class Meta:
        model = Meeting
        fields = ["region", "forum", "kind", "date_from", "date_to", "q"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "region"))

    def filter_q(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(topic__icontains=word))
        return queryset


class RecommendationFilterSet(filters.FilterSet):
    region = filters.CharFilter(
        label=_("Region"), method="filter_region",
        help_text=_("A Kemendagri code: recommendations of that region or below, or "
                    "concerning a region there."),
    )
    status = ChoicesFilter(label=_("Status"),
                                          choices=RecommendationStatus.choices)
    meeting = IdFilter(label=_("Meeting"), field_name="meeting_id")
    institution = filters.CharFilter(label=_("Institution"), method="filter_institution",
                                     help_text=_("An institution code, for example bkn."))
    overdue = filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    deadline_before = filters.DateFilter(label=_("Deadline until"), field_name="deadline",
                                         lookup_expr="lte")
    q = filters.CharFilter(label=_("Text"), method="filter_q")

    class Meta:
        model = Recommendation
        fields = ["region", "status", "meeting", "institution", "overdue", "deadline_before",
                  "q"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(concerning(value.strip()))

    def filter_institution(self, queryset, name, value):
        through = Recommendation.institutions.through
        addressed = through.objects.filter(recommendation_id=OuterRef("pk"),
                                           institution__code=value.strip())
        return queryset.filter(Exists(addressed))

    def filter_overdue(self, queryset, name, value):
        # Today in WIB for a list across regions; the dashboards use each region's own day.
        late = Q(status__in=OPEN, deadline__lt=region_today(None))
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_q(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word)
                                       | Q(number__icontains=word))
        return queryset
