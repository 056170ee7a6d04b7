from django.urls import path

from kewaspadaan import views

app_name = "kewaspadaan"

urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("elections/", views.election_list, name="election_list"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.alert_action, {"action": "acknowledge"},
         name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_action, {"action": "resolve"},
         name="alert_resolve"),
]
