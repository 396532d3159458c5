from django.apps import AppConfig


class UnemploymentConfig(AppConfig):
    name = "onestop.unemployment"
    label = "unemployment"
    verbose_name = "Unemployment"
