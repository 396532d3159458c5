from django.urls import path

from onestop.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("employer/<int:employer_id>/", views.employer_home_view, name="employer_home"),
]
