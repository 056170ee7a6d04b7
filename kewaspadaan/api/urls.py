"""The one /api/v1/ router. The core registers its resources here; each app adds its own
through a ``register(router)`` function named in ``settings.API_ROUTES`` (the core never
imports the apps above it)."""

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.routers import DefaultRouter

from kewaspadaan.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("elections", views.ElectionViewSet, basename="election")
router.register("stages", views.StageViewSet, basename="stage")
router.register("contests", views.ContestViewSet, basename="contest")
router.register("risk-scores", views.RiskScoreViewSet, basename="risk-score")
router.register("alerts", views.AlertViewSet, basename="alert")
for dotted_path in settings.API_ROUTES:
    import_string(dotted_path)(router)

urlpatterns = router.urls
