"""Import and export of incidents. Included by ``laporan/urls.py`` inside its namespace."""

from django.urls import path

from laporan import transfer_views as views

urlpatterns = [
    path("incidents/import/", views.incident_import, name="incident_import"),
    path("incidents/import/template.csv", views.incident_import_template_csv,
         name="incident_import_template_csv"),
    path("incidents/import/template.xlsx", views.incident_import_template_xlsx,
         name="incident_import_template_xlsx"),
    path("incidents/import/<int:pk>/", views.incident_import_preview,
         name="incident_import_preview"),
    path("incidents/import/<int:pk>/confirm/", views.incident_import_confirm,
         name="incident_import_confirm"),
    path("incidents/import/<int:pk>/discard/", views.incident_import_discard,
         name="incident_import_discard"),
    path("incidents/export.csv", views.incident_export_csv, name="incident_export_csv"),
    path("incidents/export.xlsx", views.incident_export_xlsx, name="incident_export_xlsx"),
]
