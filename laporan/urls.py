from django.urls import include, path

from laporan import views

app_name = "laporan"

# Pages of incident intake: list, quick entry, detail and its actions, verification queue,
# referrals, evidence downloads; imports and exports come from ``transfer_urls``.
urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/queue/", views.verification_queue, name="verification_queue"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_update, name="incident_update"),
    path("incidents/<int:pk>/evidence/", views.evidence_create, name="evidence_create"),
    path("incidents/<int:pk>/referrals/", views.referral_create, name="referral_create"),
    *[
        # One URL per workflow step: /incidents/12/verify/ -> laporan:incident_verify
        path(f"incidents/<int:pk>/{action}/", views.incident_action, {"action": action},
             name=f"incident_{action.replace('-', '_')}")
        for action in views.ACTIONS
    ],
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/update/", views.referral_update, name="referral_update"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("", include("laporan.transfer_urls")),
]
