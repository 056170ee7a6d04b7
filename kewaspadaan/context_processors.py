from django.conf import settings
from django.utils.functional import SimpleLazyObject

from kewaspadaan import navigation, selectors


def portal(request):
    return {
        "portal_name": settings.PORTAL_NAME,
        "demo_mode": settings.DEMO_MODE,
        # Error pages can render before the authentication middleware has run.
        "navigation": navigation.items_for(getattr(request, "user", None)),
        # Counted only when a template shows it.
        "unread_alerts": SimpleLazyObject(
            lambda: selectors.unread_alert_count(user=getattr(request, "user", None))),
    }
