from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "onestop.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from onestop.applications.facts import SERVICES
        from onestop.workflow import engine

        for name, function in SERVICES.items():
            engine.register_service(name, function)

        from onestop.applications import employers
        from onestop.applications.services import on_approved, on_route, on_submit

        engine.register_service("household_check", employers.household_check)
        on_submit(employers.ENROLMENT, employers.enrolment_check)
        on_route(employers.ENROLMENT, employers.enrolment_route)
        on_approved(employers.ENROLMENT, employers.enrolment_from_case)
        engine.register_service("enterprise_check", employers.enterprise_check)
        on_submit(employers.REGISTRATION, employers.registration_check)
        on_route(employers.REGISTRATION, employers.registration_route)
        on_approved(employers.REGISTRATION, employers.employer_from_case)
        on_submit(employers.CORRECTION, employers.correction_check)
        on_route(employers.CORRECTION, employers.enrolment_route)
        on_approved(employers.CORRECTION, employers.correction_from_case)

        from onestop.applications import flexible

        engine.register_service("flexible_check", flexible.identity_and_employment)
        on_submit(flexible.FLEXIBLE, flexible.flexible_check)
        on_route(flexible.FLEXIBLE, flexible.flexible_route)
        on_approved(flexible.FLEXIBLE, flexible.payer_from_case)

        from onestop.identity.services import on_staff_deactivated

        on_staff_deactivated(_release_claims, _only_one_left)


def _release_claims(user: object, actor: object) -> None:
    """A deactivated staff member's claimed steps go back to their teams' queues."""
    from onestop.applications.services.queue import claims_release_of

    claims_release_of(user=user, actor=actor)  # type: ignore[arg-type]


def _only_one_left(user: object) -> list[str]:
    """Open steps ``user`` is the only active staff member able to act on."""
    from onestop.applications.selectors import steps_only_for

    return steps_only_for(user=user)  # type: ignore[arg-type]
