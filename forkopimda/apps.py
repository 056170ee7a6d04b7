from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForkopimdaConfig(AppConfig):
    name = "forkopimda"
    verbose_name = _("Forkopimda")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kewaspadaan import navigation

        navigation.register("forkopimda:dashboard_home", _("Dashboard"), order=15)
        navigation.register("forkopimda:recommendation_list", _("Recommendations"), order=40)
        navigation.register("forkopimda:meeting_list", _("Meetings"), order=45)
        navigation.register("forkopimda:forum_list", _("Forums"), order=50)
