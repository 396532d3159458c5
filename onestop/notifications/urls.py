from django.urls import path

from onestop.notifications import views

app_name = "notifications"

urlpatterns = [
    path("me/inbox/", views.inbox_view, name="inbox"),
    path("me/inbox/read-all/", views.read_all_view, name="read_all"),
    path("me/inbox/<int:notification_id>/read/", views.read_view, name="read"),
]
