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
    "from": _("from"),
    "to": _("to"),
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
}


def outcome_label(outcome: str) -> str:
    if outcome == "refused:consent":
        return str(_("refused: no consent"))
    if outcome.startswith("refused"):
        return str(_("refused"))
    return str(OUTCOMES.get(outcome, outcome))
