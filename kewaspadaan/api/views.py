"""Read-only API for the reference data. Every queryset passes through the scoping rule."""

from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kewaspadaan.api.pagination import CodeCursorPagination
from kewaspadaan.api.serializers import (
    ContestSerializer,
    ElectionSerializer,
    RegionSerializer,
    StageSerializer,
)
from kewaspadaan.filtersets import (
    ContestFilterSet,
    ElectionFilterSet,
    RegionFilterSet,
    StageFilterSet,
)
from kewaspadaan.models import CandidatePair, Contest, Election, Region, Stage
from kewaspadaan.scoping import scope


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
