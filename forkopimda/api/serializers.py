"""Serializers of the forum, meeting and recommendation API. They parse and present; the
rules live in ``forkopimda.services`` and ``forkopimda.selectors``. Regions are named by
Kemendagri code, indicators and institutions by code, forums, meetings, incidents and
alerts by id (an id the caller may not see "does not exist")."""

from __future__ import annotations

from rest_framework import serializers

from forkopimda.choices import Channel, ForumKind, MeetingKind, Position, RecommendationStatus
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
from kewaspadaan.models import Alert, Indicator, Institution
from laporan.api.serializers import (
    REGIONS,
    AwareDateTimeField,
    CodeRelatedField,
    NamedChoiceField,
    ScopedPrimaryKeyRelatedField,
)
from laporan.models import Incident


class MemberSerializer(serializers.ModelSerializer):
    position = NamedChoiceField(enum_name="ForumPositionEnum", choices=Position.choices,
                                default=Position.MEMBER)
    institution = CodeRelatedField(queryset=Institution.objects.all(), required=False,
                                   allow_null=True)

    class Meta:
        model = ForumMember
        fields = ["id", "office", "person_name", "position", "institution", "email", "phone",
                  "order"]
        read_only_fields = ["id"]
        # Uniqueness is the service's to check, with its own message.
        validators: list = []


class ForumSerializer(serializers.ModelSerializer):
    region = CodeRelatedField(queryset=REGIONS)
    kind = NamedChoiceField(enum_name="ForumKindEnum", choices=ForumKind.choices)
    members = MemberSerializer(many=True, required=False)

    class Meta:
        model = Forum
        fields = ["id", "region", "kind", "name", "legal_basis", "notes", "is_active",
                  "members"]
        read_only_fields = ["id"]
        validators: list = []


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingParticipant
        fields = ["office", "person_name"]
        validators: list = []


class AttachmentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = MeetingAttachment
        fields = ["id", "file", "original_name", "content_type", "size", "sha256",
                  "description", "uploaded_at", "download"]
        read_only_fields = ["id", "original_name", "content_type", "size", "sha256",
                            "uploaded_at", "download"]

    def get_download(self, attachment) -> str:
        return f"/api/v1/meetings/{attachment.meeting_id}/attachments/{attachment.pk}/"


class MeetingSerializer(serializers.ModelSerializer):
    forum = ScopedPrimaryKeyRelatedField(queryset=Forum.objects.all())
    region = serializers.CharField(source="region_id", read_only=True)
    kind = NamedChoiceField(enum_name="MeetingKindEnum", choices=MeetingKind.choices)
    held_at = AwareDateTimeField()
    participants = ParticipantSerializer(many=True, required=False)
    regions = CodeRelatedField(queryset=REGIONS, many=True, required=False)
    indicators = CodeRelatedField(queryset=Indicator.objects.all(), many=True, required=False)
    incidents = ScopedPrimaryKeyRelatedField(queryset=Incident.objects.all(), many=True,
                                             required=False)
    alerts = ScopedPrimaryKeyRelatedField(queryset=Alert.objects.all(), many=True,
                                          required=False)
    recommendations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "forum", "region", "kind", "title", "leader", "held_at", "place",
                  "topic", "background", "minutes", "signatory_title", "signatory_name",
                  "signatory_id", "document_place", "participants", "regions", "indicators",
                  "incidents", "alerts", "recommendations", "attachments", "created_at"]
        read_only_fields = ["id", "created_at"]


class ProgressNoteSerializer(serializers.ModelSerializer):
    institution = CodeRelatedField(queryset=Institution.objects.all(), required=False,
                                   allow_null=True)
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = ProgressNote
        fields = ["id", "institution", "office", "text", "author", "at"]
        read_only_fields = ["id", "author", "at"]


class DistributionSerializer(serializers.ModelSerializer):
    institution = CodeRelatedField(queryset=Institution.objects.all(), required=False,
                                   allow_null=True)
    channel = NamedChoiceField(enum_name="DistributionChannelEnum", choices=Channel.choices,
                               default=Channel.LETTER)
    sent_at = AwareDateTimeField(required=False)

    class Meta:
        model = Distribution
        fields = ["id", "recipient", "institution", "channel", "sent_at", "acknowledged_at",
                  "acknowledged_by"]
        read_only_fields = ["id", "acknowledged_at", "acknowledged_by"]
        validators: list = []


class AcknowledgeSerializer(serializers.Serializer):
    acknowledged_by = serializers.CharField(max_length=150, required=False, allow_blank=True,
                                            default="")


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)
    from_status = serializers.CharField(read_only=True, help_text="Empty for the first step.")
    to_status = NamedChoiceField(enum_name="RecommendationStatusEnum",
                                 choices=RecommendationStatus.choices, read_only=True)

    class Meta:
        model = RecommendationTransition
        fields = ["from_status", "to_status", "by", "at", "reason"]


class RecommendationSerializer(serializers.ModelSerializer):
    meeting = ScopedPrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False,
                                           allow_null=True)
    region = CodeRelatedField(queryset=REGIONS, required=False, allow_null=True,
                              help_text="The issuing forum's region; with a meeting, the "
                                        "meeting's.")
    status = NamedChoiceField(enum_name="RecommendationStatusEnum",
                              choices=RecommendationStatus.choices, read_only=True)
    regions = CodeRelatedField(queryset=REGIONS, many=True, required=False)
    indicators = CodeRelatedField(queryset=Indicator.objects.all(), many=True, required=False)
    institutions = CodeRelatedField(queryset=Institution.objects.all(), many=True,
                                    required=False)
    incidents = ScopedPrimaryKeyRelatedField(queryset=Incident.objects.all(), many=True,
                                             required=False)
    score_changes = serializers.JSONField(
        read_only=True, help_text="Risk scores of the regions concerned (now and two weeks "
                                  "before) as they stood when it was drafted.")
    overdue = serializers.SerializerMethodField()
    progress_notes = ProgressNoteSerializer(many=True, read_only=True)
    distributions = DistributionSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "number", "status", "overdue", "meeting", "region", "order", "title",
                  "text", "rationale", "deadline", "regions", "indicators", "institutions",
                  "addressees", "incidents", "score_changes", "suggestion_key",
                  "approved_at", "issued_at", "closed_at", "created_at", "progress_notes",
                  "distributions", "transitions"]
        read_only_fields = ["id", "number", "status", "order", "approved_at", "issued_at",
                            "closed_at", "created_at", "suggestion_key"]

    def get_overdue(self, rec: Recommendation) -> bool:
        return rec.is_open and rec.deadline is not None and \
            rec.deadline < region_today(rec.region)


class DeadlineSerializer(serializers.Serializer):
    deadline = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=False)
