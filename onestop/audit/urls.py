from django.urls import path

from onestop.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.journal_view, name="journal"),
    path("export.csv", views.journal_export_view, name="export"),
    path("verify/", views.journal_verify_view, name="verify"),
]
