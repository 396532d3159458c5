"""What a person reads for the codes the data-use log stores: the fields shared and the
outcome of each exchange."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
