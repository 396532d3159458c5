from django.urls import path

from onestop.supervision import views

app_name = "supervision"

urlpatterns = [path("supervision/", views.supervision_view, name="page")]
