from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionsConfig(AppConfig):
    name = "onestop.pensions"
    label = "pensions"
    verbose_name = _("Pensions")

    def ready(self) -> None:
        from django.utils import timezone

        from onestop.applications.prechecks import on_precheck
        from onestop.applications.prefill import on_prefill
        from onestop.applications.services import on_approved, on_route, on_standing, on_submit
        from onestop.exchange.gateway import register_action, register_event_handler
        from onestop.pensions import eligibility, services, survivors, transfers
        from onestop.workflow import engine

        engine.register_service("pension_award", services.award_service)
        on_submit(
            "SX-SI-006",
            lambda person, answers: eligibility.retirement_check(
                person=person, answers=answers, today=timezone.localdate()
            ),
        )
        on_precheck("SX-SI-006", eligibility.retirement_precheck)
        on_approved("SX-SI-006", services.pensioner_from_case)
        register_event_handler("death_registered", services.death_event)
        engine.register_service("transfer_contact", transfers.contact_service)
        on_approved("SX-SI-007", transfers.transfer_in_from_case)
        on_submit("SX-SI-007", transfers.transfer_submit_check)
        on_precheck("SX-SI-007", transfers.transfer_precheck)
        register_action("hrss.pension_transfer", transfers.transfer_out)
        engine.register_service("survivor_benefits", survivors.claim_service)
        on_approved(survivors.ITEM, survivors.claim_from_case)
        on_prefill(survivors.ITEM, survivors.prefill)
        on_route(survivors.ITEM, survivors.route)
        on_standing(survivors.ITEM, survivors.claim_standing)
