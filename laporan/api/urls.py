from rest_framework.routers import DefaultRouter

router = DefaultRouter()
# incidents, referrals and evidence are registered here (laporan.api.views)

urlpatterns = router.urls
