from django.apps import AppConfig


class PensionsConfig(AppConfig):
    name = "onestop.pensions"
    label = "pensions"
    verbose_name = "Pensions"
