from django.urls import path

from onestop.quality import views

app_name = "quality"

urlpatterns = [
    path("staff/quality/", views.worklist_view, name="worklist"),
    path("staff/quality/scan/", views.scan_view, name="scan"),
    path(
        "staff/quality/<int:pk>/<str:action>/",
        views.finding_act_view,
        name="act",
    ),
]
