from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "onestop.common"
    label = "common"
    verbose_name = "Common"
