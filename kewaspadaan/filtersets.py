"""FilterSets shared by the HTML pages and the API (one definition of every filter)."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kewaspadaan.choices import (
    AlertRule,
    AlertStatus,
    ContestKind,
    ElectionKind,
    RegionLevel,
    RiskLevel,
)
from kewaspadaan.models import Alert, Contest, Election, Region, RiskScore, Stage
from kewaspadaan.scoping import region_q
from kewaspadaan.selectors import local_date, stage_running_q

# The largest id a database key holds: a larger one is refused as input (400), never
# sent to the database (where it overflows: a server error).
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A record's id: a whole number from 1 to ``MAX_ID``."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

CODE_HELP = _("Kemendagri code, for example 13 or 13.77")


class ChoicesFilter(filters.MultipleChoiceFilter):
    """Several values of the row's own column (``?status=a&status=b``). Without DISTINCT,
    which django-filter adds by default and which makes PostgreSQL sort every matching row
    before it can return the first page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class RegionCodeFilter(filters.ModelChoiceFilter):
    """A region given by its Kemendagri code."""


class RegionFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search name or code"),
        method="filter_q",
        help_text=_("A name or the start of a code."),
    )
    level = filters.TypedChoiceFilter(label=_("Level"), choices=RegionLevel.choices, coerce=int)
    parent = filters.CharFilter(label=_("Parent"), field_name="parent_id", help_text=CODE_HELP)
    within = filters.CharFilter(
        label=_("Within region"), method="filter_within", help_text=CODE_HELP
    )
    timezone = filters.CharFilter(label=_("Time zone"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent", "within", "timezone", "kind"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value[0].isdigit():
            return queryset.filter(Q(code=value) | Q(code__startswith=value))
        return queryset.filter(name__icontains=value)

    def filter_within(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "code"))


class ElectionFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=ElectionKind.choices)

    class Meta:
        model = Election
        fields = ["kind", "is_active", "slug"]


class StageFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("at") and not cleaned.get("region"):
            raise forms.ValidationError(
                {"region": _("The 'at' parameter needs 'region' to know its time zone.")}
            )
        return cleaned


class StageFilterSet(filters.FilterSet):
    election = filters.ModelChoiceFilter(label=_("Elections"), queryset=Election.objects.all())
    date = filters.DateFilter(
        label=_("Running on date"),
        method="filter_date",
        help_text=_("Stages running on this date (YYYY-MM-DD)."),
    )
    at = filters.IsoDateTimeFilter(
        label=_("Running at time"),
        method="filter_together",
        help_text=_(
            "An ISO 8601 time, read in the time zone of the region given by the region parameter."
        ),
    )
    region = RegionCodeFilter(
        label=_("Region (for the time zone)"),
        queryset=Region.objects.all(),
        method="filter_together",
        help_text=CODE_HELP,
    )

    class Meta:
        model = Stage
        fields = ["election", "date", "at", "region"]
        form = StageFilterForm

    def filter_date(self, queryset, name, value):
        return queryset.filter(stage_running_q(value))

    def filter_together(self, queryset, name, value):
        # ``at`` is read in ``region``'s time zone, so the two act as one filter.
        if name != "at":
            return queryset
        region = self.form.cleaned_data["region"]
        return queryset.filter(stage_running_q(local_date(region=region, at=value)))


class ContestFilterSet(filters.FilterSet):
    election = filters.ModelChoiceFilter(label=_("Elections"), queryset=Election.objects.all())
    kind = filters.ChoiceFilter(label=_("Kind"), choices=ContestKind.choices)
    region = filters.CharFilter(label=_("Regions"), field_name="region_id", help_text=CODE_HELP)
    within = filters.CharFilter(
        label=_("Within region"), method="filter_within", help_text=CODE_HELP
    )

    class Meta:
        model = Contest
        fields = ["election", "kind", "region", "within"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "region"))


class RiskScoreFilterSet(filters.FilterSet):
    region = filters.CharFilter(label=_("Region"), field_name="region_id", help_text=CODE_HELP)
    within = filters.CharFilter(label=_("Within region"), method="filter_within",
                                help_text=CODE_HELP)
    national = filters.BooleanFilter(label=_("National scores"), field_name="region",
                                     lookup_expr="isnull")
    level = ChoicesFilter(label=_("Level"), choices=RiskLevel.choices)
    region_level = filters.TypedChoiceFilter(label=_("Region level"), field_name="region__level",
                                             choices=RegionLevel.choices, coerce=int)
    stage = filters.CharFilter(
        label=_("Stage"), method="filter_stage",
        help_text=_("A stage code (masa-tenang); left out: all stages together; "
                    "'any': every stage's snapshots."),
    )
    date_from = filters.DateFilter(label=_("From"), field_name="day", lookup_expr="gte")
    date_to = filters.DateFilter(label=_("Until"), field_name="day", lookup_expr="lte")
    latest = filters.BooleanFilter(label=_("Latest only"), method="filter_latest",
                                   help_text=_("Only each region's most recent snapshot."))

    class Meta:
        model = RiskScore
        fields = ["election", "region", "within", "national", "level", "region_level", "stage",
                  "date_from", "date_to", "latest", "coverage_gap"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "region"))

    def filter_stage(self, queryset, name, value):
        return queryset if value == "any" else queryset.filter(stage=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("stage"):
            queryset = queryset.filter(stage="")  # the all-stages snapshot by default
        return queryset

    def filter_latest(self, queryset, name, value):
        if not value:
            return queryset
        newest = RiskScore.objects.filter(
            region=OuterRef("region"), election=OuterRef("election"), stage=OuterRef("stage")
        ).order_by("-day").values("day")[:1]
        return queryset.filter(day=Subquery(newest))


class AlertFilterSet(filters.FilterSet):
    status = ChoicesFilter(label=_("Status"), choices=AlertStatus.choices)
    rule = ChoicesFilter(label=_("Rule"), choices=AlertRule.choices)
    within = filters.CharFilter(label=_("Within region"), method="filter_within",
                                help_text=CODE_HELP)
    date_from = filters.DateFilter(label=_("From"), field_name="created_at",
                                   lookup_expr="date__gte")
    date_to = filters.DateFilter(label=_("Until"), field_name="created_at",
                                 lookup_expr="date__lte")

    class Meta:
        model = Alert
        fields = ["status", "rule", "within", "election", "level", "date_from", "date_to"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(region_q(value.strip(), "region"))
