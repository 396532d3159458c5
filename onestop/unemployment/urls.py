from django.urls import path

from onestop.unemployment import views

app_name = "unemployment"

urlpatterns = [
    path("calculators/unemployment-benefit/", views.benefit_view, name="benefit"),
]
