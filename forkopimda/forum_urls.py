"""Forum, meeting and recommendation pages and their documents (issue 6)."""

from django.urls import path

from forkopimda import forum_views as views

urlpatterns = [
    path("forums/", views.forum_list, name="forum_list"),
    path("forums/new/", views.forum_create, name="forum_create"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", views.forum_update, name="forum_update"),
    path("forums/<int:pk>/members/<int:member_id>/remove/", views.forum_member_remove,
         name="forum_member_remove"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/attachments/", views.meeting_attachment_add,
         name="meeting_attachment_add"),
    path("meeting-attachments/<int:pk>/download/", views.meeting_attachment_download,
         name="meeting_attachment_download"),
    path("meetings/<int:pk>/document.pdf", views.meeting_document, {"kind": "pdf"},
         name="meeting_document_pdf"),
    path("meetings/<int:pk>/document.docx", views.meeting_document, {"kind": "docx"},
         name="meeting_document_docx"),
    path("meetings/<int:meeting_pk>/recommendations/new/", views.recommendation_create,
         name="meeting_recommendation_create"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/new/", views.recommendation_create, name="recommendation_create"),
    path("recommendations/suggestions/", views.suggestion_list, name="suggestion_list"),
    path("recommendations/tracker.csv", views.recommendation_export, {"kind": "csv"},
         name="recommendation_export_csv"),
    path("recommendations/tracker.xlsx", views.recommendation_export, {"kind": "xlsx"},
         name="recommendation_export_xlsx"),
    path("recommendations/<int:pk>/", views.recommendation_detail,
         name="recommendation_detail"),
    path("recommendations/<int:pk>/edit/", views.recommendation_update,
         name="recommendation_update"),
    path("recommendations/<int:pk>/progress/", views.recommendation_progress,
         name="recommendation_progress"),
    path("recommendations/<int:pk>/distribute/", views.recommendation_distribute,
         name="recommendation_distribute"),
    *[
        path(f"recommendations/<int:pk>/{action}/", views.recommendation_action,
             {"action": action}, name=f"recommendation_{action}")
        for action in views.ACTIONS
    ],
    path("situation-reports/", views.situation_report, name="situation_report"),
    path("distributions/<int:pk>/acknowledge/", views.distribution_acknowledge,
         name="distribution_acknowledge"),
]
