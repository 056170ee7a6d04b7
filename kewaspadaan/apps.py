from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KewaspadaanConfig(AppConfig):
    name = "kewaspadaan"
    verbose_name = _("Kewaspadaan (core)")
    default_auto_field = "django.db.models.BigAutoField"
