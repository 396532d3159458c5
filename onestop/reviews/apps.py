from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "onestop.reviews"
    label = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from onestop.applications.services import on_rating_open
        from onestop.reviews import services

        on_rating_open(services.rating_open)
