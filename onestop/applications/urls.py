from django.urls import path

from onestop.applications import views

app_name = "applications"

urlpatterns = [
    path("services/<str:code>/apply/", views.apply_view, name="apply"),
    path("counter/<str:code>/apply/", views.counter_apply_view, name="counter_apply"),
    path("me/applications/", views.my_applications_view, name="mine"),
    path("employer/<int:employer_id>/enrol/", views.enrol_file_view, name="enrol_file"),
    path("applications/<str:number>/", views.case_view, name="case"),
    path("applications/<str:number>/tasks/<str:task>/", views.case_act_view, name="act"),
    path("applications/<str:number>/withdraw/", views.withdraw_view, name="withdraw"),
    path("applications/<str:number>/claim/", views.claim_view, name="claim"),
    path("applications/<str:number>/result.pdf", views.result_view, name="result"),
    path("applications/<str:number>/receipt.pdf", views.receipt_view, name="receipt"),
    path("applications/<str:number>/notice.pdf", views.notice_view, name="notice"),
    path("applications/<str:number>/release/", views.release_view, name="release"),
    path("applications/<str:number>/handover/", views.handover_view, name="handover"),
    path("applications/<str:number>/comments/", views.comment_view, name="comment"),
    path("applications/<str:number>/escalate/", views.escalate_view, name="escalate"),
    path("applications/<str:number>/materials/", views.material_upload_view, name="upload"),
    path(
        "applications/<str:number>/materials/<int:material_id>/",
        views.material_view,
        name="material",
    ),
    path("staff/queue/", views.queue_view, name="queue"),
    path("staff/cases/", views.search_view, name="search"),
    path("staff/queue/claim/", views.bulk_claim_view, name="bulk_claim"),
    path("staff/queue/assign/", views.bulk_assign_view, name="bulk_assign"),
    path("status/", views.status_view, name="status"),
]
