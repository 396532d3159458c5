from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "onestop.exchange"
    label = "exchange"
    verbose_name = _("Exchange")

    def ready(self) -> None:
        from onestop.exchange.gateway import register_event_handler
        from onestop.exchange.licences import death_registered

        register_event_handler("death_registered", death_registered)
