from django.conf import settings

from kewaspadaan import navigation


def portal(request):
    return {
        "portal_name": settings.PORTAL_NAME,
        "demo_mode": settings.DEMO_MODE,
        # Error pages can render before the authentication middleware has run.
        "navigation": navigation.items_for(getattr(request, "user", None)),
    }
