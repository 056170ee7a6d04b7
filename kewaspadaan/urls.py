from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kewaspadaan import auth_views as views_auth
from kewaspadaan import views
from kewaspadaan.csp import docs_policy

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views_auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/setup/", views_auth.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", views_auth.otp_verify, name="otp_verify"),
    path("accounts/password/", views_auth.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("kewaspadaan.urls_pages")),
    path("", include("laporan.urls")),
    path("", include("forkopimda.urls")),
    path("api/v1/", include("kewaspadaan.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's own inline <style> needs inline styles (kewaspadaan.csp), on this page
    # only; its script is a separate file (the split view), so scripts stay 'self'.
    path("api/docs/", csp_override(docs_policy())(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("admin/", admin.site.urls),
]
