from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "onestop.exchange"
    label = "exchange"
    verbose_name = "Exchange"
