"""The forkopimda API's routes, added to the one /api/v1/ router (settings.API_ROUTES)."""

from forkopimda.api import views


def register(router) -> None:
    router.register("forums", views.ForumViewSet, basename="forum")
    router.register("meetings", views.MeetingViewSet, basename="meeting")
    router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
