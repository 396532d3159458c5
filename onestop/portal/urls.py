from django.urls import path

from onestop.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("employer/<int:employer_id>/", views.employer_home_view, name="employer_home"),
    path("content/", views.articles_view, name="articles"),
    path("content/<int:pk>/", views.article_view, name="article"),
    path(
        "content/<int:pk>/files/<int:attachment_id>/",
        views.attachment_view,
        name="attachment",
    ),
    path("search/", views.search_view, name="search"),
    path("display/", views.display_view, name="display"),
    path("staff/content/", views.staff_content_view, name="staff_content"),
    path("staff/content/new/", views.staff_article_view, name="staff_article_new"),
    path("staff/content/<int:pk>/", views.staff_article_view, name="staff_article"),
    path(
        "staff/content/<int:pk>/<str:action>/",
        views.staff_article_act_view,
        name="staff_article_act",
    ),
]
