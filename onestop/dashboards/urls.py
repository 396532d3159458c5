from django.urls import path

from onestop.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.dashboards_view, name="page"),
    path("dashboards/export.<str:fmt>", views.export_view, name="export"),
]
