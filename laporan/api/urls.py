"""The incident API's routes, added to the one /api/v1/ router (settings.API_ROUTES), so the
API root lists every resource."""

from laporan.api import views


def register(router) -> None:
    router.register("incidents", views.IncidentViewSet, basename="incident")
    router.register("referrals", views.ReferralViewSet, basename="referral")
    router.register("evidence", views.EvidenceViewSet, basename="evidence")
