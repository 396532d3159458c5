from django.urls import path

from onestop.reviews import views

app_name = "reviews"

urlpatterns = [
    path("applications/<str:number>/review/", views.review_view, name="review"),
    path("rate/<str:number>/", views.public_review_view, name="public"),
    path("ratings/", views.ratings_view, name="ratings"),
    path("rate/visit/<str:number>/", views.public_visit_review_view, name="visit_public"),
    path("staff/visits/", views.visits_view, name="visits"),
    path("staff/visits/<str:number>/", views.visit_view, name="visit"),
    path("staff/rectifications/", views.rectifications_view, name="rectifications"),
    path(
        "staff/rectifications/<int:pk>/<str:action>/",
        views.rectification_act_view,
        name="act",
    ),
]
