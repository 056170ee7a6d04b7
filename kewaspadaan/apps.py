from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KewaspadaanConfig(AppConfig):
    name = "kewaspadaan"
    verbose_name = _("Kewaspadaan (core)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kewaspadaan import auth, navigation
        from kewaspadaan.choices import Role

        navigation.register("home", _("Home"), order=10)
        navigation.register("kewaspadaan:alert_list", _("Alerts"), order=15)
        navigation.register("kewaspadaan:region_list", _("Regions"), order=80)
        navigation.register("kewaspadaan:election_list", _("Elections"), order=85)
        navigation.register("swagger-ui", _("API"),
                            roles={Role.ANALYST, Role.NATIONAL, Role.ADMIN}, order=90)
        navigation.register("admin:index", _("Admin"), roles={Role.ADMIN}, order=95)
        user_logged_in.connect(auth.stamp_login, dispatch_uid="kewaspadaan-idle-clock")
