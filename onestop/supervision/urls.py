from django.urls import path

from onestop.supervision import views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.supervision_view, name="page"),
    path("supervision/indicators/", views.indicators_view, name="indicators"),
    path("indicators/", views.public_indicators_view, name="public_indicators"),
]
