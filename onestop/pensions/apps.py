from django.apps import AppConfig


class PensionsConfig(AppConfig):
    name = "onestop.pensions"
    label = "pensions"
    verbose_name = "Pensions"

    def ready(self) -> None:
        from onestop.applications.services import on_approved
        from onestop.exchange.gateway import register_event_handler
        from onestop.pensions import services
        from onestop.workflow import engine

        engine.register_service("pension_award", services.award_service)
        on_approved("SX-SI-006", services.pensioner_from_case)
        register_event_handler("death_registered", services.death_event)
