"""The incident and referral filters, shared by the HTML lists, the exports and the API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kewaspadaan.choices import Athg, Classification
from kewaspadaan.filtersets import ChoicesFilter, IdFilter
from kewaspadaan.models import Stage
from kewaspadaan.scoping import region_q
from laporan.choices import REFERRAL_OPEN, ReferralStatus, Severity, SourceType, Status
from laporan.models import Evidence, Incident, Referral

WIB = ZoneInfo("Asia/Jakarta")


class IncidentFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Text"), method="filter_q",
                           help_text=_("Words in the title or the narrative."))
    region = filters.CharFilter(
        label=_("Region"), method="filter_region",
        help_text=_("A Kemendagri code: a province, kab/kota, kecamatan or desa, with "
                    "everything below it."),
    )
    indicator = filters.CharFilter(
        label=_("Indicator"), method="filter_indicator",
        help_text=_("An indicator code; a category code includes its indicators."),
    )
    athg = ChoicesFilter(label=_("ATHG"), choices=Athg.choices)
    stage = filters.CharFilter(label=_("Stage"), method="filter_stage",
                               help_text=_("A stage code, for example masa-tenang."))
    status = ChoicesFilter(label=_("Status"), choices=Status.choices)
    date_from = filters.DateFilter(label=_("From"), method="filter_date_from",
                                   help_text=_("Events on or after this day (WIB)."))
    date_to = filters.DateFilter(label=_("Until"), method="filter_date_to",
                                 help_text=_("Events on or before this day (WIB)."))
    source_type = ChoicesFilter(label=_("Source"), choices=SourceType.choices)
    severity = ChoicesFilter(label=_("Severity"), choices=Severity.choices)
    classification = ChoicesFilter(label=_("Classification"), choices=Classification.choices)
    assigned_to_me = filters.BooleanFilter(label=_("Assigned to me"),
                                           method="filter_assigned_to_me")
    reported_by_me = filters.BooleanFilter(label=_("Reported by me"),
                                           method="filter_reported_by_me")

    class Meta:
        model = Incident
        fields = ["q", "region", "indicator", "athg", "stage", "status", "date_from", "date_to",
                  "source_type", "severity", "classification", "election"]

    def filter_q(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(narrative__icontains=word))
        return queryset

    def filter_region(self, queryset, name, value):
        code = value.strip()
        depth = code.count(".")
        if depth <= 1:
            return queryset.filter(region_q(code, "region"))
        if depth == 2:
            return queryset.filter(kecamatan_id=code)
        return queryset.filter(desa_id=code)

    def filter_indicator(self, queryset, name, value):
        return queryset.filter(Q(indicator__code=value) | Q(indicator__parent__code=value))

    def filter_stage(self, queryset, name, value):
        through = Incident.stages.through
        stage_ids = Stage.objects.filter(slug=value).values("pk")
        return queryset.filter(
            Exists(through.objects.filter(incident_id=OuterRef("pk"), stage_id__in=stage_ids))
        )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=dt.datetime.combine(value, dt.time.min, WIB))

    def filter_date_to(self, queryset, name, value):
        end = dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min, WIB)
        return queryset.filter(occurred_at__lt=end)

    def filter_assigned_to_me(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assigned_to=user) if value and user else queryset

    def filter_reported_by_me(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(created_by=user) if value and user else queryset


class ReferralFilterSet(filters.FilterSet):
    status = ChoicesFilter(label=_("Status"), choices=ReferralStatus.choices)
    institution = filters.CharFilter(label=_("Institution"), field_name="institution__code")
    overdue = filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    region = filters.CharFilter(label=_("Region"), method="filter_region")
    incident = IdFilter(label=_("Incident"), field_name="incident_id")

    class Meta:
        model = Referral
        fields = ["status", "institution", "overdue", "region", "incident"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = Q(status__in=REFERRAL_OPEN, deadline__lt=today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "incident__region"))


class EvidenceFilterSet(filters.FilterSet):
    # A number filter, not a model choice: an unknown or hidden id lists nothing rather than
    # answering 400 and telling that the id exists.
    incident = IdFilter(label=_("Incident"), field_name="incident_id")

    class Meta:
        model = Evidence
        fields = ["incident"]
