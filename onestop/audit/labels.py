"""What a person reads for the codes the journal stores: actions, target types, roles and
channels. One mapping per kind; a code without a label is shown as a code (``lang="zxx"``),
never as a word of either language."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: Journal actions, by code.
ACTIONS = {
    "access.refusals.alerted": _("Repeated refusals reported to security"),
    "access.refused": _("Access refused"),
    "access.refused.capped": _("Further refusals counted only"),
    "applications.claimed": _("Case step claimed"),
    "applications.commented": _("Case comment added"),
    "applications.escalated": _("Case escalated"),
    "applications.material.uploaded": _("Case material uploaded"),
    "applications.released": _("Case step released"),
    "applications.searched": _("Cases searched"),
    "applications.submitted": _("Application filed"),
    "applications.withdrawn": _("Application withdrawn"),
    "applications.reassigned": _("Case step reassigned"),
    "applications.transferred": _("Case transferred"),
    "audit.checkpoint.issued": _("Journal checkpoint issued"),
    "audit.journal.exported": _("Journal exported"),
    "catalogue.item.published": _("Service item published"),
    "contributions.credit.changed": _("Payment credit changed"),
    "contributions.individual_bill.issued": _("Individual payer's bill issued"),
    "contributions.individual_bill.posted": _("Individual payer's bill posted to the ledger"),
    "contributions.individual_payer.base_changed": _("Individual payer's base changed"),
    "contributions.individual_payer.base_reset": _("Individual payer's base reset"),
    "contributions.individual_payer.ended": _("Paying as an individual ended"),
    "contributions.individual_payer.frequency_changed": _("Individual payer's frequency changed"),
    "contributions.individual_payer.registered": _("Registered as an individual payer"),
    "contributions.individual_payer.resumed": _("Individual payments resumed"),
    "contributions.individual_payer.suspended": _("Individual payments suspended"),
    "contributions.individual_payment.recorded": _("Individual payer's payment recorded"),
    "contributions.individual_refund.found": _("Month paid twice: individual payment to refund"),
    "contributions.individual_refund.excess": _("Individual payment above the bill to refund"),
    "contributions.individual_bill.cancelled": _("Individual payer's bill cancelled"),
    "contributions.individual_bill.reduced": _("Individual payer's bill reduced"),
    "unemployment.benefit_granted": _("Unemployment benefit granted"),
    "unemployment.benefit_stopped": _("Unemployment benefit stopped"),
    "unemployment.payroll.run": _("Unemployment benefit payroll run"),
    "unemployment.medical.batched": _("Medical insurance paid for benefit recipients sent"),
    "contributions.declaration.accepted": _("Wage declaration accepted"),
    "contributions.declaration.confirmed": _("Wage declaration confirmed"),
    "contributions.declaration.rejected": _("Wage declaration rejected"),
    "contributions.declaration.generated": _("Synthetic wage declarations generated"),
    "contributions.declaration.uploaded": _("Wage declaration uploaded"),
    "contributions.employees.exported": _("Employee list exported"),
    "contributions.employment.ended": _("Employment ended"),
    "contributions.employment.started": _("Employment started"),
    "contributions.insurance.registered": _("Insurance registered"),
    "contributions.interest.credited": _("Account interest credited"),
    "contributions.payment.recorded": _("Payment recorded"),
    "contributions.payment.unmatched": _("Payment not matched"),
    "dashboards.rollup": _("Dashboard figures computed"),
    "exchange.certificate.issued": _("E-certificate issued"),
    "exchange.certificate.revoked": _("E-certificate revoked"),
    "exchange.consent.granted": _("Data-sharing consent granted"),
    "exchange.consent.revoked": _("Data-sharing consent revoked"),
    "exchange.event.received": _("Event received from a department"),
    "exchange.outbox.delivered": _("Message delivered to a department"),
    "exchange.outbox.failed": _("Message to a department not delivered"),
    "exchange.grant.approved": _("Data-sharing grant approved"),
    "identity.account.unlocked": _("Account unlocked"),
    "identity.bootstrap": _("First administrators created"),
    "identity.data_key.rotated": _("Personal-data key rotated"),
    "identity.demo.loaded": _("Demo data loaded"),
    "identity.employer.registered": _("Employer registered"),
    "identity.employer_role.changed": _("Employer role changed"),
    "identity.employer_role.granted": _("Employer role granted"),
    "identity.employer_role.revoked": _("Employer role revoked"),
    "identity.login.failed": _("Sign-in failed"),
    "identity.login.refused_locked": _("Sign-in refused: account locked"),
    "identity.mfa.enrolled": _("Authenticator enrolled"),
    "identity.mfa.failed": _("Second factor failed"),
    "identity.mfa.reset": _("Authenticator reset"),
    "identity.password.changed": _("Password changed"),
    "identity.person.corrected": _("Personal record corrected"),
    "identity.person.listed": _("Persons listed"),
    "identity.person.registered": _("Person registered"),
    "identity.person.revealed": _("Identifier shown in full"),
    "identity.person.viewed": _("Personal record viewed"),
    "identity.sessions.ended": _("Sessions ended"),
    "identity.staff.changed": _("Staff account changed"),
    "identity.staff.created": _("Staff account created"),
    "identity.staff.deactivated": _("Staff account deactivated"),
    "identity.staff.reactivated": _("Staff account reactivated"),
    "identity.token.created": _("API token created"),
    "identity.token.revoked": _("API token revoked"),
    "parameters.book_rate.published": _("Book rate published"),
    "parameters.province.published": _("Province parameters published"),
    "pensions.adjustment.applied": _("Pension adjustment applied"),
    "pensions.adjustment.prepared": _("Pension adjustment prepared"),
    "pensions.adjustment.reversed": _("Pension adjustment reversed"),
    "pensions.awarded": _("Pension awarded"),
    "pensions.confirmed": _("Pension entitlement confirmed"),
    "pensions.imprisonment": _("Pension held: imprisonment reported"),
    "pensions.payroll.run": _("Pension payroll run"),
    "pensions.stopped": _("Pension stopped"),
    "pensions.survivors_claimed": _("Survivors' benefits claimed"),
    "pensions.survivors_opened": _("Survivors' benefits opened"),
    "pensions.suspended": _("Pension suspended"),
    "pensions.transfer.in": _("Pension insurance transferred in"),
    "pensions.transfer.internal": _("Pension insurance transferred within the province"),
    "pensions.transfer.out": _("Pension insurance transferred out"),
    "portal.article.created": _("Article created"),
    "portal.article.edited": _("Article edited"),
    "portal.article.published": _("Article published"),
    "portal.article.returned": _("Article returned to its author"),
    "portal.article.submitted": _("Article sent to review"),
    "portal.article.withdrawn": _("Article withdrawn"),
    "portal.attachment.added": _("Article attachment added"),
    "quality.finding.resolved": _("Data-quality finding resolved"),
    "quality.scan": _("Data-quality scan"),
    "reviews.rectification.appeal_decided": _("Rectification appeal decided"),
    "reviews.rectification.appealed": _("Rectification appealed"),
    "reviews.rectification.called_back": _("Dissatisfied applicant called back"),
    "reviews.rectification.closed": _("Rectification closed"),
    "reviews.rectification.opened": _("Rectification opened"),
    "reviews.rectification.rectified": _("Rectification done"),
    "reviews.submitted": _("Service rated"),
    "reviews.visit.ended": _("Counter visit ended"),
    "supervision.stranded": _("Nobody can act on a step"),
    "supervision.warning.yellow": _("Yellow warning raised"),
    "supervision.warning.red": _("Red warning raised"),
    "unemployment.registered": _("Registered as unemployed"),
    "unemployment.registration_ended": _("Unemployment registration ended"),
    "unemployment.separation_determined": _("How an employment ended determined"),
    "workflow.process.loaded": _("Process version loaded"),
}

#: A case step's decision (``applications.<step>.<decision>``).
DECISIONS = {
    "accept": _("accepted"),
    "supplement": _("supplement requested"),
    "not_accept": _("not accepted"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "confirm": _("confirmed"),
    "refuse": _("refused"),
    "done": _("completed"),
    "completed": _("completed"),
}

#: What the administrator did to a configuration record (``<app>.<model>.<verb>``).
ADMIN_VERBS = {
    "added": _("added in the admin"),
    "changed": _("changed in the admin"),
    "deleted": _("deleted in the admin"),
}

#: Pages named in refusals (the route a refused request asked for), by route name.
ROUTES = {
    "applications:apply": _("application form"),
    "applications:case": _("case page"),
    "applications:search": _("case search"),
    "applications:queue": _("work queue"),
    "audit:journal": _("audit journal"),
    "audit:export": _("journal export"),
    "contributions:bills": _("employer's bills"),
    "contributions:declare": _("wage declaration"),
    "contributions:employees": _("employer's employees"),
    "contributions:statement": _("contribution statement"),
    "dashboards:page": _("dashboards"),
    "exchange:person_certificates": _("a person's certificates"),
    "identity:person_detail": _("a person's record"),
    "pensions:adjustments": _("pension adjustments"),
    "pensions:payroll": _("pension payroll"),
    "pensions:survivors": _("survivors' benefits"),
    "pensions:transfers": _("pension transfers"),
    "portal:employer_home": _("employer's home page"),
}

#: Journal targets whose model carries no translated name of its own, by model label.
TARGETS = {
    "identity.employerrole": _("employer role"),
    "contributions.insuranceregistration": _("insurance registration"),
    "contributions.employment": _("employment"),
    "contributions.declaration": _("wage declaration"),
    "contributions.bill": _("bill"),
    "contributions.payment": _("payment"),
    "contributions.monthcredit": _("month credit"),
    "contributions.individualrefund": _("individual payer's refund"),
    "contributions.accountyear": _("individual account year"),
    "contributions.declarationupload": _("declaration upload"),
    "applications.step": _("case step"),
    "applications.comment": _("case comment"),
    "applications.material": _("case material"),
    "reviews.visit": _("counter visit"),
    "reviews.review": _("service rating"),
    "reviews.rectification": _("rectification"),
    "dashboards.figure": _("dashboard figure"),
    "quality.finding": _("data-quality finding"),
    "quality.scan": _("data-quality scan"),
    "exchange.consent": _("data-sharing consent"),
    "exchange.inboxevent": _("event from a department"),
    "exchange.outboundmessage": _("message to a department"),
    "pensions.payrollrun": _("payroll run"),
    "pensions.payment": _("pension payment"),
    "pensions.entitlementcheck": _("entitlement check"),
    "pensions.retirementnotice": _("retirement notice"),
    "pensions.adjustment": _("pension adjustment"),
    "pensions.transfer": _("pension transfer"),
    "unemployment.unemploymentregistration": _("unemployment registration"),
    "portal.article": _("article"),
    "portal.attachment": _("attachment"),
}

#: Who acted, by role code (staff roles, and the platform's own kinds of actor).
ROLES = {
    "case_worker": _("case worker"),
    "reviewer": _("reviewer"),
    "supervisor": _("supervisor"),
    "content_editor": _("content editor"),
    "system_admin": _("system administrator"),
    "security_admin": _("security administrator"),
    "audit_admin": _("audit administrator"),
    "citizen": _("insured person or employer"),
    "anonymous": _("not signed in"),
    "system": _("the platform"),
}

#: Where the request came from.
CHANNELS = {
    "web": _("web"),
    "api": _("API"),
    "system": _("the platform"),
    "counter": _("counter"),
}


def action_label(code: str) -> str:
    """The action ``code`` as read; "" when it has none (the code is then shown as a code)."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    parts = code.split(".")
    if parts[0] == "applications" and len(parts) == 3 and parts[2] in DECISIONS:
        return gettext("Case step decided: %(decision)s") % {"decision": DECISIONS[parts[2]]}
    if len(parts) == 3 and parts[2] in ADMIN_VERBS:
        noun = target_label(f"{parts[0]}.{parts[1]}")
        if noun:
            return gettext("%(record)s: %(change)s") % {
                "record": noun,
                "change": ADMIN_VERBS[parts[2]],
            }
    return ""


def target_label(kind: str) -> str:
    """A target type as read: a model's name, or the page a route shows; "" when unknown."""
    if kind in ROUTES:
        return str(ROUTES[kind])
    if kind in TARGETS:
        return str(TARGETS[kind])
    if kind.count(".") == 1:
        try:
            model = apps.get_model(kind)
        except (LookupError, ValueError):
            return ""
        return str(model._meta.verbose_name)
    if kind.count(":") == 1:
        # A page without a name of its own: the part of the platform it belongs to.
        namespace = kind.split(":")[0]
        try:
            app = apps.get_app_config(namespace)
        except LookupError:
            return ""
        return gettext("a page of %(part)s") % {"part": app.verbose_name}
    return ""


def role_label(code: str) -> str:
    return str(ROLES[code]) if code in ROLES else ""


def channel_label(code: str) -> str:
    return str(CHANNELS[code]) if code in CHANNELS else ""
