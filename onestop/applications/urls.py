from django.urls import path

from onestop.applications import views

app_name = "applications"

urlpatterns = [
    path("services/<str:code>/apply/", views.apply_view, name="apply"),
    path("counter/<str:code>/apply/", views.counter_apply_view, name="counter_apply"),
    path("me/applications/", views.my_applications_view, name="mine"),
    path("applications/<str:number>/", views.case_view, name="case"),
    path("applications/<str:number>/tasks/<str:task>/", views.case_act_view, name="act"),
    path("applications/<str:number>/withdraw/", views.withdraw_view, name="withdraw"),
    path("staff/queue/", views.queue_view, name="queue"),
    path("status/", views.status_view, name="status"),
]
