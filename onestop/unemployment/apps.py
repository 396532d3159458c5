from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnemploymentConfig(AppConfig):
    name = "onestop.unemployment"
    label = "unemployment"
    verbose_name = _("Unemployment")

    def ready(self) -> None:
        from onestop.applications.prechecks import on_precheck
        from onestop.applications.services import (
            on_approved,
            on_filed,
            on_staff_warning,
            on_submit,
        )
        from onestop.unemployment import benefits, filing
        from onestop.workflow import engine

        engine.register_service("unemployment_registration_record", filing.registration_record)
        on_approved(filing.ITEM, filing.registration_from_case)
        engine.register_service("unemployment_benefit_assessment", benefits.assessment_service)
        on_approved(benefits.ITEM, benefits.benefit_from_case)
        on_precheck(benefits.ITEM, benefits.benefit_precheck)
        on_submit(benefits.ITEM, benefits.bank_account_check)
        on_filed(benefits.ITEM, benefits.claim_account_record)
        on_staff_warning(benefits.ITEM, benefits.claim_account_warnings)
