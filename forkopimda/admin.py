"""Admin of forums, meetings and recommendations, read-only: administrators inspect them
here, while every change goes through the portal's pages and the API, whose services check
roles, jurisdiction and the lifecycle, and record who did what."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from forkopimda.models import (
    Distribution,
    Forum,
    ForumMember,
    Meeting,
    MeetingParticipant,
    OverdueNotice,
    ProgressNote,
    Recommendation,
    RecommendationTransition,
    ReportSubscription,
)
from kewaspadaan.admin import ReadOnlyAdmin, ReadOnlyInline


class MemberInline(ReadOnlyInline):
    model = ForumMember
    fields = ["position", "office", "person_name", "institution", "email", "phone"]


@admin.register(Forum)
class ForumAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active", "is_demo"]
    search_fields = ["name", "region__name", "region__code"]
    list_select_related = ["region"]
    inlines = [MemberInline]


class ParticipantInline(ReadOnlyInline):
    model = MeetingParticipant
    fields = ["office", "person_name"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "forum", "kind", "held_at", "region"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["title", "topic", "region__code"]
    list_select_related = ["forum", "region"]
    date_hierarchy = "held_at"
    raw_id_fields = ["incidents", "alerts", "regions"]
    inlines = [ParticipantInline]


class TransitionInline(ReadOnlyInline):
    model = RecommendationTransition
    fields = ["from_status", "to_status", "by", "at", "reason"]


class ProgressInline(ReadOnlyInline):
    model = ProgressNote
    fields = ["at", "institution", "office", "text", "author"]


class DistributionInline(ReadOnlyInline):
    model = Distribution
    fields = ["recipient", "channel", "sent_at", "acknowledged_at", "acknowledged_by"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "region", "status", "deadline", "meeting"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title", "text", "number", "region__code"]
    list_select_related = ["region", "meeting"]
    raw_id_fields = ["incidents", "regions", "meeting"]
    inlines = [TransitionInline, ProgressInline, DistributionInline]


@admin.register(OverdueNotice)
class OverdueNoticeAdmin(ReadOnlyAdmin):
    list_display = ["recommendation", "channel", "target", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["user", "region", "created_at"]
