from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "onestop.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        from onestop.applications.facts import SERVICES
        from onestop.workflow import engine

        for name, function in SERVICES.items():
            engine.register_service(name, function)
