"""What a person reads for the codes a case stores: form answers, gathered facts, timeline
actions, workflow steps and lanes. No key, code or boolean is shown raw."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: Facts the process gathered or computed, by key.
FACTS = {
    "post_category": _("Post category (established by the reviewer)"),
    "record_found": _("Insurance record found"),
    "contribution_months": _("Contribution months"),
    "paid_months": _("Paid months"),
    "last_contribution_month": _("Last contribution month"),
    "retirement_month": _("Retirement month"),
    "pension_from": _("Pension paid from"),
    "bank_account": _("Bank account for the pension"),
    "died_on": _("Date of death"),
    "deceased_resident_id": _("Resident ID of the deceased"),
    "error": _("Could not be computed"),
    "survivor_error": _("Survivors' benefits could not be computed"),
    "note": _("Note"),
    "decision": _("Decision"),
    "eligible": _("Eligible"),
    "registrable": _("May register as unemployed"),
    "last_employment_end": _("Last employment ended"),
    "separation": _("How the last employment ended"),
    "separation_determined": _("How the last employment ended, determined by the case worker"),
    "employer_reason": _("The employer's removal reason"),
    "separation_contested": _("The person contests how the employment ended"),
    "alive": _("Alive according to the household register"),
    "identity_matched": _("Name and resident ID match the household register"),
    "identity_source": _("Identity checked with"),
    "newly_insured": _("Insured for the first time"),
    "employed_with_pension": _("Employed with pension insurance"),
    "refusal": _("Reason for refusal"),
    "transfer_error": _("Why the other province sent no information form"),
    "transfer_info": _("Information form from the other province"),
    "enterprise_found": _("Company found in the enterprise registry"),
    "enterprise_ok": _("Company in good standing"),
    "enterprise_name": _("Company name"),
    "enterprise_status": _("Company status in the registry"),
    "legal_representative": _("Legal representative"),
    "representative_matched": _("The filer is the legal representative"),
    # The proof of insurance (exchange.facts.insurance_facts).
    "insured": _("Insured in this province"),
    "last_month": _("Last contribution month"),
    "employer": _("Employer"),
}

#: Facts recorded in each language (a service task's refusal, ``both_languages``): shown in
#: the reader's.
BILINGUAL_FACTS = {"refusal"}

#: Timeline actions, by code.
ACTIONS = {
    "submitted": _("submitted"),
    "withdrawn": _("withdrawn"),
    "claimed": _("claimed"),
    "released": _("released"),
    "escalated": _("escalated"),
    "reassigned": _("reassigned"),
    "transferred": _("transferred"),
    "accept": _("accepted"),
    "supplement": _("supplement requested"),
    "not_accept": _("not accepted"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "completed": _("completed"),
    "done": _("completed"),
    "confirm": _("confirmed"),
    "refuse": _("refused"),
}

#: Who acts on a step (the BPMN lanes).
LANES = {
    "applicant": _("applicant"),
    "case_worker": _("case worker"),
    "reviewer": _("reviewer"),
    "civil_affairs": _("civil affairs"),
    "medical_insurance": _("medical insurance"),
}

#: The BPMN user tasks' names, marked for translation (the process files keep English).
STEPS = {
    "Accept the application": _("Accept the application"),
    "Confirm the death and the family": _("Confirm the death and the family"),
    "Decide the benefits": _("Decide the benefits"),
    "Check the pension record": _("Check the pension record"),
    "Close medical insurance": _("Close medical insurance"),
    "Reject: a department refused": _("Reject: a department refused"),
    "Check the information form and decide": _("Check the information form and decide"),
    "Review and decide": _("Review and decide"),
    "Review the evidence and decide": _("Review the evidence and decide"),
    "Review the registration and decide": _("Review the registration and decide"),
    "Supply the missing materials": _("Supply the missing materials"),
}


#: The BPMN user tasks by id, as a timeline line names the step it was taken on.
TASKS = {
    "accept": STEPS["Accept the application"],
    "supplement": STEPS["Supply the missing materials"],
    "civil_affairs_review": STEPS["Confirm the death and the family"],
    "hrss_review": STEPS["Check the pension record"],
    "medical_insurance_review": STEPS["Close medical insurance"],
    "decide": STEPS["Decide the benefits"],
    "reject_refused": STEPS["Reject: a department refused"],
}


def task_label(task: str, process: str = "") -> str:
    """A workflow task's id as its step's name: in the case's ``process`` (its BPMN file), the
    name of that process's own user task, and ``decide`` where the process has no such task
    as the decision the platform took when the case was filed; without the process, a review
    step (named by each process its own way) reads as a review."""
    if process:
        from onestop.workflow.engine import user_task_names

        names = user_task_names(process)
        if task in names:
            return step_title(names[task])
        if task == "decide":
            return str(_("decided by the platform when filed"))
    if task == "review":
        return str(_("review"))
    return str(TASKS[task]) if task in TASKS else task


def step_title(title: str) -> str:
    """A workflow step's name in the current language."""
    return str(STEPS[title]) if title in STEPS else gettext(title) if title else ""


def value_shown(value: Any) -> str:
    """A stored value as read: yes/no for booleans, a dash for nothing."""
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if value is None or value == "":
        return "—"
    return str(value)


#: Answers and facts shown masked on every screen, by key, with the kind of mask: a bank
#: account keeps its last four digits, a resident ID (the deceased's on a survivors' claim)
#: its first and last four, as the person pages show it; the full number only through the
#: person page's audited reveal. A form schema marks such a field ``"x-mask": "<kind>"``; the
#: keys are masked too, for item versions stored before the mark existed.
MASKED_KEYS = {
    "bank_account": "bank_account",
    "deceased_resident_id": "resident_id",
    "employee_resident_id": "resident_id",
}
MASK_KINDS = frozenset(MASKED_KEYS.values())


def _mask_kind(key: str, spec: dict[str, Any] | None = None) -> str | None:
    marked = (spec or {}).get("x-mask")
    if marked in MASK_KINDS:
        return str(marked)
    # Any answer naming a resident ID (the new employee's, the deceased's, ...) is one.
    return MASKED_KEYS.get(key) or ("resident_id" if key.endswith("resident_id") else None)


def text_shown(key: str, value: Any, spec: dict[str, Any] | None = None) -> Any:
    """An answer, fact or note as a screen or document shows it: masked by its kind
    (``masked``); free text with every resident ID written in it masked (a correction line
    naming an employee, a note). The full number only through the person page's reveal."""
    if is_masked(key, spec):
        return masked(key, value, spec)
    if isinstance(value, str) and "credit_code" not in key:
        from onestop.identity.masking import mask_resident_ids_in

        return mask_resident_ids_in(value)
    return value


def is_masked(key: str, spec: dict[str, Any] | None = None) -> bool:
    """Whether an answer (or fact) named ``key`` is shown masked (see ``MASKED_KEYS``)."""
    return _mask_kind(key, spec) is not None


def masked(key: str, value: Any, spec: dict[str, Any] | None = None) -> Any:
    """``value`` masked as its kind says (``MASKED_KEYS``); anything else as is."""
    kind = _mask_kind(key, spec)
    if kind is None or not isinstance(value, str) or not value:
        return value
    from onestop.identity.masking import mask_bank_account, mask_resident_id

    return mask_bank_account(value) if kind == "bank_account" else mask_resident_id(value)


def fact_label(key: str) -> str:
    return str(FACTS.get(key, key))


#: Stored codes of a fact, as read.
FACT_VALUES = {
    "post_category": {
        "cadre": _("management or technical post (original retirement age 55)"),
        "worker": _("production or operating post (original retirement age 50)"),
    },
    "separation_determined": {
        "contract_expired": _("contract expired"),
        "ended_by_employer": _("contract ended by the employer"),
        "dismissed": _("dismissed by the employer"),
        "employer_breach": _("ended for the employer's breach"),
        "other_by_law": _("another case set by law"),
        "resigned": _("resigned"),
        "other": _("another reason of the person's own will"),
    },
}
#: A company's status as the market-regulation registry writes it (GB/T 20091-style terms).
FACT_VALUES["enterprise_status"] = {
    "存续": _("in existence (active)"),
    "在业": _("in business (active)"),
    "开业": _("open for business"),
    "迁入": _("moved in"),
    "迁出": _("moved out"),
    "停业": _("business suspended"),
    "清算": _("in liquidation"),
    "撤销": _("registration cancelled"),
    "吊销": _("business licence revoked"),
    "注销": _("deregistered"),
}

#: How the last employment ended as the employer recorded it ("" when no reason of D12
#: art. 4 can be read from it).
FACT_VALUES["separation"] = {
    **FACT_VALUES["separation_determined"],
    "": _("to be determined"),
}


def fact_value(key: str, value: Any) -> str:
    """A fact's value as read: its code's label where the fact has codes; a bilingual text
    in the reader's language."""
    if key in BILINGUAL_FACTS:
        from onestop.common.errors import in_language

        return in_language(value)
    if key == "transfer_info" and isinstance(value, dict):
        if value.get("temporary"):
            return gettext("the relation stays there: a temporary account is opened")
        return gettext("account %(account)s, pooled funds %(pooled)s, %(months)s months") % {
            "account": value.get("account", ""),
            "pooled": value.get("pooled", ""),
            "months": len(value.get("months") or []),
        }
    if key == "transfer_error" and isinstance(value, str) and " / " in value:
        # Recorded "中文 / English" (pensions.transfers.contact_service): one half.
        from django.utils.translation import get_language

        zh, _sep, en = value.partition(" / ")
        return zh if (get_language() or "zh").startswith("zh") else en
    if is_masked(key) and isinstance(value, str) and value:
        return str(masked(key, value))
    if key == "identity_source" and isinstance(value, str):
        return gettext("the household register (public security), through the gateway")
    codes = FACT_VALUES.get(key, {})
    if isinstance(value, str) and value in codes:
        return str(codes[value])
    if codes and isinstance(value, str) and " / " in value:
        # Cases filed before the code was stored recorded "中文 / English": one half.
        from django.utils.translation import get_language

        zh, _sep, en = value.partition(" / ")
        return zh if (get_language() or "zh").startswith("zh") else en
    return value_shown(text_shown(key, value))


#: The formula an undetermined separation's line carries until the case worker decides.
UNDETERMINED = "TO BE DETERMINED"


def unemployment_shown(facts: dict[str, Any]) -> dict[str, Any] | None:
    """The unemployment assessment of a case as read: once the case worker has determined
    how the employment ended (``separation_determined``), the undetermined line shows the
    decided separation (its code never shown raw)."""
    from onestop.rules.unemployment import INVOLUNTARY, SEPARATION_LABELS, Separation

    found = facts.get("unemployment")
    if not isinstance(found, dict):
        return None
    try:
        decided = Separation(str(facts.get("separation_determined") or "-"))
    except ValueError:
        return found
    zh, en = SEPARATION_LABELS[decided]
    formula = "INVOLUNTARY" if decided in INVOLUNTARY else "VOLUNTARY"
    return {
        **found,
        "explanation": [
            [line[0], line[1], formula, f"{zh} / {en}", line[4]]
            if line[2] == UNDETERMINED
            else line
            for line in found.get("explanation", [])
        ],
    }
