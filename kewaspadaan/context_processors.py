from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kewaspadaan.choices import Role

# (url name, label, roles that see it; None = every signed-in user)
NAVIGATION = [
    ("home", _("Home"), None),
    ("kewaspadaan:region_list", _("Regions"), None),
    ("kewaspadaan:election_list", _("Elections"), None),
    ("swagger-ui", _("API"), {Role.ANALYST, Role.NATIONAL, Role.ADMIN}),
    ("admin:index", _("Admin"), {Role.ADMIN}),
]


def navigation_for(user) -> list[dict]:
    if user is None or not user.is_authenticated:
        return []
    items = []
    for name, label, roles in NAVIGATION:
        if roles is None or user.role in roles or (name == "admin:index" and user.is_staff):
            items.append({"name": name, "url": reverse(name), "label": label})
    return items


def portal(request):
    return {
        "portal_name": settings.PORTAL_NAME,
        "demo_mode": settings.DEMO_MODE,
        # Error pages can render before the authentication middleware has run.
        "navigation": navigation_for(getattr(request, "user", None)),
    }
