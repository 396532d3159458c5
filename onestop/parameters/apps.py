from django.apps import AppConfig


class ParametersConfig(AppConfig):
    name = "onestop.parameters"
    label = "parameters"
    verbose_name = "Policy parameters"
