from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "onestop.quality"
    label = "quality"
    verbose_name = "Data quality"
