from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kewaspadaan.models import (
    Alert,
    CandidatePair,
    Contest,
    Election,
    Region,
    RiskScore,
    Stage,
)


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    has_boundary = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = [
            "code", "name", "level", "level_display", "kind", "parent", "timezone", "capital",
            "latitude", "longitude", "population", "area_km2", "has_boundary",
        ]
        read_only_fields = fields

    def get_has_boundary(self, region: Region) -> bool:
        return region.boundary_present


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "election", "slug", "name", "order", "start_date", "end_date",
                  "description"]
        read_only_fields = fields


class ElectionSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Election
        fields = ["id", "slug", "name", "kind", "voting_day", "legal_basis", "is_active",
                  "stages"]
        read_only_fields = fields


class CandidatePairSerializer(serializers.ModelSerializer):
    class Meta:
        model = CandidatePair
        fields = ["id", "number", "head_name", "deputy_name", "is_demo"]
        read_only_fields = fields


class ContestSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    pairs = CandidatePairSerializer(many=True, read_only=True)

    class Meta:
        model = Contest
        fields = ["id", "election", "region", "region_name", "kind", "name", "pairs"]
        read_only_fields = fields


class RiskScoreSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True)
    region_name = serializers.SerializerMethodField()
    profile_version = serializers.IntegerField(source="profile.version", read_only=True)

    class Meta:
        model = RiskScore
        fields = ["id", "region", "region_name", "election", "stage", "day", "ancaman",
                  "tantangan", "hambatan", "gangguan", "incident_total", "total", "level",
                  "signal_count", "coverage_gap", "population", "baseline", "contributors",
                  "profile_version", "computed_at"]
        read_only_fields = fields

    def get_region_name(self, score: RiskScore) -> str:
        return score.region.name if score.region_id else str(_("Nationwide"))


class AlertSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True,
                                            allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = ["id", "rule", "region", "region_name", "election", "title", "message",
                  "level", "score_total", "status", "created_at", "acknowledged_by",
                  "acknowledged_at", "resolved_at"]
        read_only_fields = fields
