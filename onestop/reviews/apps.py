from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "onestop.reviews"
    label = "reviews"
    verbose_name = "Reviews"
