from django.urls import path  # noqa: F401

app_name = "laporan"

# Pages of incident intake: list, quick entry, detail, verification queue, referrals.
urlpatterns: list = []
