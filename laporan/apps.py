from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaporanConfig(AppConfig):
    name = "laporan"
    verbose_name = _("Incident reports")
    default_auto_field = "django.db.models.BigAutoField"
