from django.urls import path

from onestop.unemployment import views

app_name = "unemployment"

urlpatterns = [
    path("calculators/unemployment-benefit/", views.benefit_view, name="benefit"),
    path("me/unemployment/", views.mine_view, name="mine"),
    path("staff/unemployment/", views.benefits_view, name="benefits"),
    path("staff/unemployment/<int:benefit_id>/stop/", views.stop_view, name="stop"),
    path("staff/unemployment/payroll/", views.payroll_view, name="payroll"),
    path("staff/unemployment/payroll/<str:month>/", views.payroll_run_view, name="payroll_run"),
]
