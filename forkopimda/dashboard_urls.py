"""Dashboard pages (issue 5). ``<code>`` is a province or kab/kota code, or ``national``."""

from django.urls import path

from forkopimda import views

urlpatterns = [
    path("dashboards/", views.dashboard_home, name="dashboard_home"),
    path("dashboards/<str:code>/", views.dashboard_detail, name="dashboard_detail"),
    path("dashboards/<str:code>/map.geojson", views.dashboard_map, name="dashboard_map"),
    path("dashboards/<str:code>/figures/<slug:figure>.csv", views.dashboard_csv,
         name="dashboard_csv"),
    path("dashboards/<str:code>/live/", views.dashboard_live, name="dashboard_live"),
    path("dashboards/<str:code>/live/panel/", views.dashboard_live_panel,
         name="dashboard_live_panel"),
]
