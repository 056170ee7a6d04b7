from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaporanConfig(AppConfig):
    name = "laporan"
    verbose_name = _("Incident reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kewaspadaan import navigation
        from kewaspadaan.choices import Role

        navigation.register("laporan:incident_list", _("Incidents"), order=20)
        navigation.register("laporan:incident_create", _("New report"),
                            roles={Role.OPERATOR, Role.ANALYST, Role.ADMIN}, order=25)
        navigation.register("laporan:verification_queue", _("Verification"),
                            roles={Role.ANALYST, Role.ADMIN}, order=30)
        navigation.register("laporan:referral_list", _("Referrals"), order=35)
