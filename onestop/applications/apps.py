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

        from onestop.identity.services import on_staff_deactivated

        on_staff_deactivated(_release_claims)


def _release_claims(user: object, actor: object) -> None:
    """A deactivated staff member's claimed steps go back to their teams' queues."""
    from onestop.applications.services.queue import claims_release_of

    claims_release_of(user=user, actor=actor)  # type: ignore[arg-type]
