from rest_framework.routers import DefaultRouter

from kewaspadaan.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("elections", views.ElectionViewSet, basename="election")
router.register("stages", views.StageViewSet, basename="stage")
router.register("contests", views.ContestViewSet, basename="contest")

urlpatterns = router.urls
