from django.urls import path

from onestop.contributions import payer_views, views

app_name = "contributions"

urlpatterns = [
    path("employer/<int:employer_id>/employees/", views.employees_view, name="employees"),
    path(
        "employer/<int:employer_id>/employees/<int:employment_id>/end/",
        views.employment_end_view,
        name="employment_end",
    ),
    path("employer/<int:employer_id>/declarations/", views.declare_view, name="declare"),
    path(
        "employer/<int:employer_id>/declarations/errors.csv",
        views.error_report_view,
        name="error_report",
    ),
    path(
        "employer/<int:employer_id>/declarations/template.<str:fmt>",
        views.employer_template_view,
        name="employer_template",
    ),
    path(
        "employer/<int:employer_id>/declarations/uploads/<int:upload_id>/",
        views.upload_view,
        name="upload",
    ),
    path(
        "employer/<int:employer_id>/declarations/uploads/<int:upload_id>/confirm/",
        views.upload_confirm_view,
        name="upload_confirm",
    ),
    path(
        "employer/<int:employer_id>/declarations/uploads/<int:upload_id>/errors.csv",
        views.upload_errors_view,
        name="upload_errors",
    ),
    path("declarations/template.<str:fmt>", views.template_view, name="template"),
    path("employer/<int:employer_id>/bills/", views.bills_view, name="bills"),
    path("employer/<int:employer_id>/bills/sync/", views.bills_sync_view, name="bills_sync"),
    path("me/contributions/", views.statement_view, name="my_statement"),
    path("me/contributions/statement.pdf", views.statement_pdf_view, name="my_statement_pdf"),
    path("me/flexible/", payer_views.my_flexible_view, name="my_flexible"),
    path("me/flexible/base/", payer_views.my_flexible_base_view, name="my_flexible_base"),
    path(
        "me/flexible/frequency/",
        payer_views.my_flexible_frequency_view,
        name="my_flexible_frequency",
    ),
    path("me/flexible/suspend/", payer_views.my_flexible_suspend_view, name="my_flexible_suspend"),
    path("me/flexible/resume/", payer_views.my_flexible_resume_view, name="my_flexible_resume"),
    path("me/flexible/sync/", payer_views.my_flexible_sync_view, name="my_flexible_sync"),
    path(
        "staff/persons/<int:person_id>/flexible/",
        payer_views.staff_flexible_view,
        name="flexible",
    ),
    path("staff/persons/<int:person_id>/contributions/", views.statement_view, name="statement"),
    path(
        "staff/persons/<int:person_id>/contributions/statement.pdf",
        views.statement_pdf_view,
        name="statement_pdf",
    ),
]
