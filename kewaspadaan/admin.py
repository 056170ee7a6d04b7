from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kewaspadaan.choices import ElectionKind, RegionLevel
from kewaspadaan.models import (
    Alert,
    AlertDelivery,
    CandidatePair,
    Contest,
    Election,
    Indicator,
    Institution,
    Region,
    RegionBaseline,
    RiskScore,
    ScoringProfile,
    Signal,
    Stage,
    User,
)
from kewaspadaan.services import contests_derive, profile_activate

admin.site.site_header = _("Kewaspadaan administration")
admin.site.site_title = _("Kewaspadaan")
admin.site.index_title = _("Reference data and users")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "timezone", "population"]
    list_filter = ["level", "kind", "timezone"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["has_boundary"]
    exclude = ["boundary"]  # large GeoJSON: loaded with the load_boundaries command
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("boundary")

    @admin.display(boolean=True, description=_("Has a boundary"))
    def has_boundary(self, region):
        return Region.objects.filter(pk=region.pk, boundary__isnull=False).exists()

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete of jurisdictions only offers provinces and kab/kota.
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "jurisdiction":
            queryset = queryset.filter(level__lte=RegionLevel.KABKOTA)
        return queryset, distinct


class StageInline(admin.TabularInline):
    model = Stage
    extra = 1
    fields = ["order", "slug", "name", "start_date", "end_date", "description"]


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "voting_day", "is_active"]
    list_filter = ["kind", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StageInline]
    actions = ["derive_pilkada_contests"]

    @admin.action(description=_("Create the Pilkada contests by the regional rule"))
    def derive_pilkada_contests(self, request, queryset):
        for election in queryset:
            if election.kind != ElectionKind.PILKADA:
                self.message_user(
                    request,
                    _("%(name)s is not a Pilkada; no contests were created.") % {"name": election},
                    messages.WARNING,
                )
                continue
            created = contests_derive(election=election)
            self.message_user(
                request,
                ngettext(
                    "%(name)s: %(count)d contest created.",
                    "%(name)s: %(count)d contests created.",
                    created,
                )
                % {"name": election, "count": created},
            )


class CandidatePairInline(admin.TabularInline):
    model = CandidatePair
    extra = 1


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["name", "election", "kind", "region"]
    list_filter = ["election", "kind"]
    search_fields = ["name", "region__code", "region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["election", "region"]
    inlines = [CandidatePairInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "jurisdiction", "institution", "is_active"]
    list_filter = ["role", "is_active", "is_demo"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Role and region"), {"fields": ["role", "jurisdiction", "institution", "position",
                                             "phone", "is_demo"]}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Role and region"), {"fields": ["role", "jurisdiction", "institution", "position"]}),
    )


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "deadline_days", "deadline_working_days", "is_active"]
    list_filter = ["is_active", "deadline_working_days"]
    search_fields = ["name", "code"]


class IndicatorChildInline(admin.TabularInline):
    model = Indicator
    fk_name = "parent"
    extra = 1
    fields = ["order", "code", "name", "athg", "ikp_dimension", "referral_institution",
              "weight", "is_active"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The taxonomy is edited per category, its indicators inline."""

    list_display = ["name", "code", "athg", "ikp_dimension", "weight", "is_active"]
    list_filter = ["athg", "ikp_dimension", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    inlines = [IndicatorChildInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent__isnull=True)


class ScoringProfileForm(forms.ModelForm):
    class Meta:
        model = ScoringProfile
        fields = ["name", "parameters", "notes"]

    def clean_parameters(self):
        parameters = self.cleaned_data["parameters"] or {}
        try:
            ScoringProfile(parameters=parameters).to_profile()
        except (TypeError, ValueError, AttributeError) as exc:
            raise forms.ValidationError(
                _("These parameters are not part of the method: %(error)s") % {"error": exc}
            ) from None
        return parameters


@admin.register(ScoringProfile)
class ScoringProfileAdmin(admin.ModelAdmin):
    """A published profile is never edited: add a new version (its parameters override the
    documented defaults) and activate it. Every score names the version it used."""

    list_display = ["version", "name", "is_active", "created_at"]
    actions = ["activate"]
    form = ScoringProfileForm

    def get_readonly_fields(self, request, obj=None):
        return ["version", "name", "parameters", "created_at", "is_active"] if obj else [
            "created_at", "is_active"]

    def save_model(self, request, obj, form, change):
        if not change:
            last = ScoringProfile.objects.order_by("-version").values_list("version",
                                                                            flat=True).first()
            obj.version = max(obj.version or 0, (last or 0) + 1)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Activate the selected version (and rescore everything)"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return
        profile_activate(profile=queryset.get())
        self.message_user(request, _("Activated; scores are being recomputed."))


@admin.register(RegionBaseline)
class RegionBaselineAdmin(admin.ModelAdmin):
    list_display = ["region", "election", "value", "source"]
    list_filter = ["election", "source"]
    search_fields = ["region__code", "region__name"]
    autocomplete_fields = ["region"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that only shows: records and history that change through the portal's
    services (which check roles, jurisdiction and the workflow) or not at all. Shared by
    the read-only admins of laporan and forkopimda."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows of a read-only admin's inline: shown, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RiskScore)
class RiskScoreAdmin(ReadOnlyAdmin):
    list_display = ["region", "election", "stage", "day", "total", "level", "signal_count"]
    list_filter = ["level", "stage", "coverage_gap"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region", "election"]
    show_full_result_count = False


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ["label", "region", "athg", "severity", "occurred_at", "withdrawn_at"]
    list_filter = ["athg", "verification", "source"]
    search_fields = ["label", "source_ref", "region__code"]
    list_select_related = ["region"]
    show_full_result_count = False


class DeliveryInline(ReadOnlyInline):
    model = AlertDelivery
    fields = ["channel", "target", "status", "attempts", "last_error", "sent_at", "read_at"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "rule", "region", "level", "status", "created_at"]
    list_filter = ["rule", "status", "level"]
    search_fields = ["title", "region__code", "region__name"]
    list_select_related = ["region"]
    inlines = [DeliveryInline]
