from django.urls import path

from onestop.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("services/", views.catalogue_view, name="list"),
    path("services/bundles/<str:code>/", views.bundle_view, name="bundle"),
    path("services/<str:code>/", views.guide_view, name="guide"),
]
