from django.urls import path

from onestop.pensions import views

app_name = "pensions"

urlpatterns = [
    path("calculators/retirement/", views.retirement_view, name="retirement"),
    path("calculators/pension/", views.estimate_view, name="estimate"),
    path("calculators/flexible-contribution/", views.flexible_view, name="flexible"),
    path("me/pension/", views.my_pension_view, name="mine"),
    path("me/pension/statement.pdf", views.my_statement_view, name="statement"),
    path("me/pension/confirm/", views.confirm_view, name="confirm"),
    path("staff/payroll/", views.payroll_view, name="payroll"),
    path("staff/adjustments/", views.adjustments_view, name="adjustments"),
    path("staff/transfers/", views.transfers_view, name="transfers"),
    path("staff/survivors/", views.survivors_view, name="survivors"),
]
