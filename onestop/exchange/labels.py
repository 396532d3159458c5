"""What a person reads for the codes the data-use log stores: the fields shared and the
outcome of each exchange."""

from __future__ import annotations

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

#: Who asked, when the platform itself asked (a consumer or registry is logged by its name):
#: the log keeps the code, each reader reads it in their language.
PARTIES = {
    "hrss": _("HRSS data-quality checks"),
    "hrss.entitlement": _("HRSS entitlement check"),
    "hrss.survivors": _("HRSS survivors' benefits"),
    "hrss.transfers": _("HRSS pension transfers"),
    "hrss.unemployment_check": _("HRSS unemployment benefit check"),
    "public_verification": _("public verification"),
}
#: A case's own lookups: the prefix, then the service item's code (``hrss.case:SX-SI-002``).
CASE_PARTY = "hrss.case:"
#: Another province's social insurance (a transfer): the prefix, then its code.
PROVINCE_PARTY = "province:"


#: Why the platform itself asked (a consumer's purposes are ``Purpose`` rows): the log keeps
#: the code.
PURPOSES = {
    "verify_certificate": _("verify a certificate"),
    "verify_certificate_file": _("verify a certificate file"),
    "pension_entitlement_check": _("pension entitlement check"),
    "survivors_death_check": _("confirming a death for survivors' benefits"),
    "household_registration_place": _("household-registration place"),
    "unemployment_medical_contribution": _("medical insurance paid by the unemployment fund"),
    "unemployment_entitlement_check": _("unemployment benefit entitlement check"),
    "data_quality_check": _("data-quality check"),
    "employee_enrolment": _("employee enrolment"),
    "employer_registration": _("employer registration"),
    "flexible_enrolment": _("flexible-employment enrolment"),
}
#: A case's own lookups: the prefix, then the service item's code.
CASE_PURPOSE = "case:"


def case_purpose(item_code: str) -> str:
    return f"{CASE_PURPOSE}{item_code}"


def purpose_label(purpose: str, consumers: dict[str, str] | None = None) -> str:
    """Why, in the reader's language: a consumer's purpose code by its ``Purpose`` name
    (``consumers``: code -> shown name), the platform's own by its label, anything else as
    logged."""
    if consumers and purpose in consumers:
        return consumers[purpose]
    if purpose in PURPOSES:
        return str(PURPOSES[purpose])
    if purpose.startswith(CASE_PURPOSE):
        from onestop.catalogue.selectors import item_name

        item = item_name(code=purpose[len(CASE_PURPOSE) :])
        return gettext("handling an application: %(item)s") % {"item": item}
    return purpose


def case_party(item_code: str) -> str:
    return f"{CASE_PARTY}{item_code}"


def province_party(province: str) -> str:
    return f"{PROVINCE_PARTY}{province}"


def party_label(party: str, consumers: dict[str, str] | None = None) -> str:
    """Who asked, in the reader's language: a party code by its label, a consumer by its
    name in the reader's language (``consumers``: logged name -> shown name), anything
    else as logged."""
    from onestop.common.divisions import PROVINCES

    if party in PARTIES:
        return str(PARTIES[party])
    if party.startswith(CASE_PARTY):
        return gettext("HRSS case handling (%(item)s)") % {"item": party[len(CASE_PARTY) :]}
    if party.startswith(PROVINCE_PARTY):
        code = party[len(PROVINCE_PARTY) :]
        zh, en = PROVINCES.get(code, (code, code))
        return zh if (get_language() or "zh").startswith("zh") else en
    return (consumers or {}).get(party, party)


FIELDS = {
    "name": _("name"),
    "date": _("date"),
    "place": _("place"),
    "certificate_no": _("certificate number"),
    "spouse_name": _("spouse's name"),
    "address": _("address"),
    "region_code": _("region code"),
    "household_head": _("head of household"),
    "from": _("start date"),
    "to": _("end date"),
    "status": _("status"),
    "legal_representative": _("legal representative"),
    "deregistered_on": _("deregistered on"),
    "last_date": _("last date"),
    "hospital": _("hospital"),
    "insured": _("insured or not"),
    "contribution_months": _("contribution months"),
    "paid_months": _("paid months"),
    "last_month": _("last month"),
    "employer": _("employer"),
    "temporary": _("temporary account"),
    "account": _("account"),
    "pooled": _("pooled funds"),
    "months": _("months"),
    "place_name": _("place name"),
}

OUTCOMES = {
    "answered": _("answered"),
    "accepted": _("accepted"),
    "duplicate": _("already received"),
    "found": _("found"),
    "unavailable": _("unavailable"),
    "valid": _("valid"),
    "not_found": _("nothing on record"),
    "confirmed": _("confirmed"),
}


def outcome_label(outcome: str) -> str:
    if outcome == "refused:consent":
        return str(_("refused: no consent"))
    if outcome.startswith("refused"):
        return str(_("refused"))
    if outcome.startswith("invalid"):
        return str(_("not valid"))
    return str(OUTCOMES.get(outcome, outcome))
