"""Read-only API for the reference data. Every queryset passes through the scoping rule."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kewaspadaan.api.pagination import CodeCursorPagination
from kewaspadaan.api.serializers import (
    AlertSerializer,
    ContestSerializer,
    ElectionSerializer,
    RegionSerializer,
    RiskScoreSerializer,
    StageSerializer,
)
from kewaspadaan.filtersets import (
    AlertFilterSet,
    ContestFilterSet,
    ElectionFilterSet,
    RegionFilterSet,
    RiskScoreFilterSet,
    StageFilterSet,
)
from kewaspadaan.models import Alert, CandidatePair, Contest, Election, Region, RiskScore, Stage
from kewaspadaan.scoping import scope
from kewaspadaan.services import risk

# Who handles early warnings: the officials and analysts they are addressed to.


class ScopedViewSetMixin:
    """Narrows ``base_queryset()`` to the caller's jurisdiction: views never scope by hand."""

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return scope(self.base_queryset(), self.request.user)


class RegionPagination(CodeCursorPagination):
    ordering = "code"


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Provinces, kab/kota, kecamatan and desa/kelurahan, with their Kemendagri codes."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    pagination_class = RegionPagination
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"

    def base_queryset(self):
        # The boundary is large: lists only say whether one exists.
        has_boundary = Region.objects.filter(pk=OuterRef("pk"), boundary__isnull=False)
        return Region.objects.defer("boundary").annotate(boundary_present=Exists(has_boundary))

    @extend_schema(responses={200: {"type": "object", "description": "GeoJSON Feature"}})
    @action(detail=True, methods=["get"])
    def boundary(self, request, code=None):
        region = self.get_object()
        geometry = Region.objects.values_list("boundary", flat=True).get(pk=region.pk)
        return Response(
            {
                "type": "Feature",
                "properties": {"code": region.code, "name": region.name},
                "geometry": geometry,
            }
        )


class ElectionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Elections (Pilkada Serentak 2024, Pemilu 2029...) with their stages."""

    serializer_class = ElectionSerializer
    filterset_class = ElectionFilterSet

    def base_queryset(self):
        return Election.objects.prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("order"))
        )


class StagePagination(CodeCursorPagination):
    ordering = ("election_id", "order", "id")


class StageViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Election stages (tahapan). ``date`` or ``at`` + ``region`` give the stages running then."""

    serializer_class = StageSerializer
    filterset_class = StageFilterSet
    pagination_class = StagePagination

    def base_queryset(self):
        return Stage.objects.all()


class ContestViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Contests of an election (one per region that elects a head) with candidate pairs."""

    serializer_class = ContestSerializer
    filterset_class = ContestFilterSet

    def base_queryset(self):
        return Contest.objects.select_related("region").prefetch_related(
            Prefetch("pairs", queryset=CandidatePair.objects.order_by("number"))
        )


class RiskScorePagination(CodeCursorPagination):
    ordering = ("-day", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Risk score snapshots (current and history)",
        description="Filter with latest=true for the current picture, or by "
        "date_from/date_to for a trend. National snapshots have "
        "region null and are visible to nationwide users only.",
    ),
)
class RiskScoreViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """ATHG score snapshots per region x election x stage x day."""

    serializer_class = RiskScoreSerializer
    filterset_class = RiskScoreFilterSet
    pagination_class = RiskScorePagination

    def base_queryset(self):
        return RiskScore.objects.select_related("region", "profile").defer("region__boundary")


class AlertPagination(CodeCursorPagination):
    ordering = ("-created_at", "-id")


class AlertViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Early warnings of the caller's jurisdiction; officials and analysts acknowledge them."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    pagination_class = AlertPagination

    def base_queryset(self):
        return Alert.objects.select_related("region", "acknowledged_by").defer("region__boundary")

    def _act(self, request, service):
        try:
            alert = service(alert=self.get_object(), by=request.user)
        except DjangoPermissionDenied as exc:  # the service's role rule, its message kept
            raise exceptions.PermissionDenied(str(exc)) from exc
        except risk.AlertResolved as exc:
            raise exceptions.ValidationError({"status": exc.messages}) from exc
        return Response(self.get_serializer(alert).data)

    @extend_schema(
        request=None,
        responses=AlertSerializer,
        summary="Acknowledge an alert (new -> acknowledged)",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._act(request, risk.alert_acknowledge)

    @extend_schema(request=None, responses=AlertSerializer, summary="Resolve an alert")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, risk.alert_resolve)
