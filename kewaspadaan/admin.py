from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kewaspadaan.choices import ElectionKind, RegionLevel
from kewaspadaan.models import (
    CandidatePair,
    Contest,
    Election,
    Indicator,
    Institution,
    Region,
    Stage,
    User,
)
from kewaspadaan.services import contests_derive

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
