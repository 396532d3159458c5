"""What the verification page and API state about a genuine certificate: the fields of the
document's own kind (a decision notice its case, service, outcome and date; a proof of
insurance the contribution record), each label and value in both languages. A decision
names the insured person masked: the verifier holds the document, the page confirms it."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from onestop.exchange.templatetags.certificate_text import decision_label, item_shown, local_time
from onestop.identity.masking import mask_name

#: Kinds that record a decided case (the decision notice, and an approved retirement's).
DECISIONS = frozenset({"decision_notice", "retirement_certificate"})


def _dash(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _lines(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` in the active language, in the order the document prints."""
    kind, facts, person = payload.get("kind"), payload.get("facts") or {}, payload.get("person")
    person = person or {}
    name = str(person.get("name") or "")
    lines = [
        ("name", gettext("Name"), mask_name(name) if kind in DECISIONS else _dash(name)),
        ("resident_id", gettext("Resident ID"), _dash(person.get("resident_id"))),
    ]
    case = [
        ("case", gettext("Case"), _dash(facts.get("case"))),
        ("service", gettext("Service"), _dash(item_shown(facts))),
    ]
    if kind in DECISIONS:
        lines += [
            *case,
            ("decision", gettext("Decision"), decision_label(str(facts.get("decision") or ""))),
        ]
        if kind == "retirement_certificate":
            lines += [
                (
                    "retirement_month",
                    gettext("Retirement month"),
                    _dash(facts.get("retirement_month")),
                ),
                ("pension_from", gettext("Pension paid from"), _dash(facts.get("pension_from"))),
            ]
        lines.append(("decided", gettext("Decided"), local_time(facts.get("decided_at"))))
    elif kind in ("acceptance_receipt", "supplement_notice"):
        lines += [*case, ("filed", gettext("Filed"), local_time(facts.get("filed_at")))]
        if facts.get("missing"):
            lines.append(("missing", gettext("Materials"), "；".join(facts["missing"])))
    elif kind == "pension_statement":
        lines += [
            ("monthly", gettext("Monthly pension"), _dash(facts.get("monthly"))),
            ("pension_from", gettext("Pension paid from"), _dash(facts.get("start_month"))),
            ("paid_total", gettext("Paid in total"), _dash(facts.get("paid_total"))),
        ]
    elif kind == "contribution_statement":
        lines += [
            (
                "contribution_months",
                gettext("Contribution months"),
                _dash(facts.get("contribution_months")),
            ),
            ("paid_months", gettext("Months paid"), _dash(facts.get("paid_months"))),
            ("account_balance", gettext("Account balance"), _dash(facts.get("account_balance"))),
        ]
    else:  # proof of insurance
        lines += [
            (
                "contribution_months",
                gettext("Contribution months"),
                _dash(facts.get("contribution_months")),
            ),
            ("paid_months", gettext("Months paid"), _dash(facts.get("paid_months"))),
            ("employer", gettext("Employer"), _dash(facts.get("employer"))),
        ]
    return lines


def verified_lines(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The page's lines of a certificate in the active language: ``(key, label, value)``."""
    return _lines(payload)


def verified_fields(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The same lines in both languages, for the API: key, label_zh, label_en, value_zh,
    value_en."""
    with translation.override("zh-hans"):
        zh = _lines(payload)
    with translation.override("en"):
        en = _lines(payload)
    return [
        {"key": k, "label_zh": lz, "label_en": le, "value_zh": vz, "value_en": ve}
        for (k, lz, vz), (_k, le, ve) in zip(zh, en, strict=True)
    ]
