from django.urls import path

from onestop.pensions import views

app_name = "pensions"

urlpatterns = [
    path("calculators/retirement/", views.retirement_view, name="retirement"),
    path("calculators/pension/", views.estimate_view, name="estimate"),
]
