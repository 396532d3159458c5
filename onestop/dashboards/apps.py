from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "onestop.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
