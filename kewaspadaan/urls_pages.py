from django.urls import path

from kewaspadaan import views

app_name = "kewaspadaan"

urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("elections/", views.election_list, name="election_list"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
]
