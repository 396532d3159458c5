from django.apps import AppConfig


class SimulatorsConfig(AppConfig):
    name = "onestop.simulators"
    label = "simulators"
    verbose_name = "Simulators"
