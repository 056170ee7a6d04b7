"""Admin of incident intake, read-only: administrators inspect incidents and their history
here, while every change goes through the portal's pages and their services (which check
roles, jurisdiction and the workflow, and record who did what)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kewaspadaan.admin import ReadOnlyAdmin, ReadOnlyInline
from kewaspadaan.models import Alert
from laporan.models import (
    AccessLog,
    Evidence,
    ImportBatch,
    Incident,
    IncidentTransition,
    PersonalDataErasure,
    Referral,
)


class TransitionInline(ReadOnlyInline):
    model = IncidentTransition
    fields = ["from_status", "to_status", "by", "at", "reason"]


class ReferralInline(ReadOnlyInline):
    model = Referral
    fields = ["institution", "subject", "count", "referred_on", "deadline", "status"]


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "region", "indicator", "status", "classification", "occurred_at"]
    list_filter = ["status", "classification", "athg", "is_demo"]
    search_fields = ["title", "external_ref", "region__name", "region__code"]
    list_select_related = ["region", "indicator", "indicator__parent"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["region", "kecamatan", "desa", "indicator", "contest", "candidate_pair",
                     "assigned_to", "merged_into", "created_by", "verified_by"]
    readonly_fields = ["status", "created_at", "updated_at", "verified_at"]
    inlines = [TransitionInline, ReferralInline]
    show_full_result_count = False


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "incident", "referred_on", "deadline", "status"]
    list_filter = ["status", "institution"]
    raw_id_fields = ["incident", "created_by"]
    list_select_related = ["incident", "institution"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "incident", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["incident", "uploaded_by"]
    readonly_fields = ["file", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["filename", "uploaded_by", "created_at", "status", "created_count"]
    list_filter = ["status"]
    readonly_fields = ["rows", "errors", "duplicates"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Who saw or exported terbatas and rahasia incidents. Append-only: nobody edits or
    deletes a row here (and on PostgreSQL the database refuses it too)."""

    list_display = ["at", "user", "kind", "what", "row_count", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["user__username", "what"]
    list_select_related = ["user"]
    date_hierarchy = "at"
    show_full_result_count = False
    actions = None


@admin.register(PersonalDataErasure)
class PersonalDataErasureAdmin(ReadOnlyAdmin):
    list_display = ["incident", "erased_at", "retention_ends", "informant_erased",
                    "actor_descriptions_erased", "evidence_files_erased"]
    raw_id_fields = ["incident"]
    list_select_related = ["incident"]


@admin.register(Alert.history.model)
class AlertVersionAdmin(ReadOnlyAdmin):
    list_display = ["id", "history_date", "history_type", "status", "history_user", "title"]
    list_filter = ["status", "history_type"]
    list_select_related = ["history_user"]
