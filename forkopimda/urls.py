from django.urls import include, path

app_name = "forkopimda"

# Pages of the forkopimda app: the dashboards (``dashboard_urls``) and the forums, meetings
# and recommendations with their documents (``forum_urls``).
urlpatterns = [
    path("", include("forkopimda.dashboard_urls")),
    path("", include("forkopimda.forum_urls")),
]
