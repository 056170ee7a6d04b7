from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForkopimdaConfig(AppConfig):
    name = "forkopimda"
    verbose_name = _("Forkopimda")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kewaspadaan import navigation

        navigation.register("forkopimda:dashboard_home", _("Dashboard"), order=15)
        # One entry: meetings and forums are reached from the recommendations' tabs, so the
        # top bar still fits a 1280 px screen.
        navigation.register("forkopimda:recommendation_list", _("Recommendations"), order=40)
