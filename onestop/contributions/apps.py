from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "onestop.contributions"
    label = "contributions"
    verbose_name = "Contributions"
