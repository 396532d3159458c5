"""Survivors' benefits opened by a death (D7 arts. 14 and 17; MOHRSS [2021] 18).

When a death is confirmed (a registry's pushed event, the entitlement comparison, a case),
the platform opens the survivors' benefits itself: the funeral grant, the survivor benefit
and what is left of the individual account are computed from the record, the person who
registered the death is told (when they use the platform) and finds the claim form filled
in, and the county agency sees it in its list. The survivors claim once (SX-SI-008); the
reviewer sees the same amounts, and approval posts the inherited account to the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from onestop.applications.services.cases import HRSS_AGENCIES
from onestop.audit.services import record
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import selectors as contributions
from onestop.contributions import services as ledger
from onestop.contributions.interest import accrued_to
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.models import Person, Region
from onestop.notifications.services import notify
from onestop.parameters import selectors as parameters
from onestop.pensions.models import Pensioner, SurvivorBenefit, SurvivorStatus
from onestop.rules.survivor import inheritable_balance, survivor_benefits
from onestop.rules.values import RuleError, YearMonth

ITEM = "SX-SI-008"


def _province(person: Person) -> str:
    return person.region.province_code


def benefits_facts(*, person: Person, died_on: dt.date) -> dict[str, Any]:
    """The amounts and their explanation. Raises ServiceError (or a rule error) when the
    province has not published the income of the year before the death."""
    province = _province(person)
    year = died_on.year - 1
    found = parameters.province_year(province=province, year=year)
    income = found.residents_monthly_income
    if income is None or found.survivor is None:
        raise ServiceError(
            f"{year}年城镇居民月人均可支配收入尚未公布，暂不能计算遗属待遇。",
            f"The residents' monthly income of {year} is not published: the survivors' "
            "benefits cannot be computed yet.",
            code="parameters",
        )
    pensioner = Pensioner.objects.filter(person=person).first()
    lines: list[list[str]] = []
    if pensioner is not None:
        # What the account pension has not used yet: paid from the start month up to the
        # month of the death.
        months = int(pensioner.award.get("contribution_months", 0))
        paid_months = max(0, died_on.year * 12 + died_on.month - pensioner.start_index)
        at_retirement = Decimal(str(pensioner.award.get("account_balance", "0")))
        monthly_account = Decimal(str(pensioner.award.get("account", "0")))
        account = inheritable_balance(
            account_balance=at_retirement, account_pension=monthly_account, months_paid=paid_months
        )
        lines.append(
            [
                "个人账户余额（可依法继承）",
                "Account balance the heirs inherit",
                f"{at_retirement:.2f} - {monthly_account:.2f} x {paid_months}",
                f"{account:.2f}",
                "D7 art. 14",
            ]
        )
    else:
        statement = contributions.statement_of(person=person)
        months = statement.paid_months  # the law counts months actually paid
        after = YearMonth(died_on.year, died_on.month).plus(1)
        account = accrued_to(person_id=person.pk, month=after, province=province).balance
        lines.append(
            [
                "个人账户余额（计息至死亡当月，可依法继承）",
                "Account balance with interest to the month of death, inherited",
                "ledger",
                f"{account:.2f}",
                "D7 art. 14; D5",
            ]
        )
    benefits = survivor_benefits(
        monthly_income=income, contribution_months=months, policy=found.survivor
    )
    lines += [
        [
            "丧葬补助金",
            "Funeral grant",
            f"{income:.2f} x {found.survivor.funeral_multiple}",
            f"{benefits.funeral_grant:.2f}",
            f"D14; {found.reference}",
        ],
        [
            "抚恤金",
            "Survivor benefit",
            f"{income:.2f} x {benefits.survivor_months} "
            f"({months // 12} years, {found.survivor.months_min}-{found.survivor.months_max})",
            f"{benefits.survivor_benefit:.2f}",
            f"D14; {found.reference}",
        ],
    ]
    return {
        "died_on": died_on.isoformat(),
        "contribution_months": months,
        "income": f"{income:.2f}",
        "income_year": year,
        "funeral_grant": f"{benefits.funeral_grant:.2f}",
        "survivor_months": benefits.survivor_months,
        "survivor_benefit": f"{benefits.survivor_benefit:.2f}",
        "account": f"{account:.2f}",
        "total": f"{benefits.total + account:.2f}",
        "explanation": lines,
    }


def open_for_death(
    *, person: Person, died_on: dt.date, source: str, declarant_id: str = ""
) -> SurvivorBenefit | None:
    """Open the survivors' benefits of an insured person or pensioner who died, once. Someone
    the platform has never insured has none. The amounts are kept with the opening; when they
    cannot be computed yet the reason is kept and the claim computes them again."""
    insured = (
        Pensioner.objects.filter(person=person).exists()
        or contributions.statement_of(person=person).contribution_months > 0
    )
    if not insured:
        return None
    try:
        facts = benefits_facts(person=person, died_on=died_on)
    except (ServiceError, RuleError, parameters.ParametersMissing) as exc:
        facts = {"died_on": died_on.isoformat(), "error": f"{exc.zh} / {exc.en}"}
    declarant = identity.person_by_resident_id(declarant_id) if declarant_id else None
    with transaction.atomic():
        benefit, created = SurvivorBenefit.objects.get_or_create(
            person=person,
            defaults={
                "region": person.region,
                "died_on": died_on,
                "source": source[:64],
                "opened_at": timezone.now(),
                "facts": facts,
                "declarant": declarant if declarant and declarant.pk != person.pk else None,
            },
        )
        if not created:
            return benefit
        record(
            actor=None,
            action="pensions.survivors_opened",
            target=benefit,
            changes={"died_on": died_on, "source": source, "total": facts.get("total")},
        )
    staff = identity.staff_in_scope_of(region=person.region, roles=["case_worker"])
    notify(
        recipients=[p.user for p in staff],
        event="pensions.survivors_opened",
        context={"name": person.name, "date": died_on.isoformat()},
        link="/staff/survivors/",
    )
    if benefit.declarant is not None:
        notify(
            recipients=[benefit.declarant.user],
            event="pensions.survivors_invited",
            context={
                "name": person.name,
                "total": facts.get("total", "-"),
                "funeral": facts.get("funeral_grant", "-"),
                "survivor": facts.get("survivor_benefit", "-"),
                "account": facts.get("account", "-"),
            },
            link=f"/services/{ITEM}/apply/",
        )
    return benefit


def prefill(person: Person) -> dict[str, Any]:
    """The claim form of someone who registered a death: the deceased's number."""
    open_one = (
        SurvivorBenefit.objects.filter(declarant=person, status=SurvivorStatus.OPEN)
        .select_related("person")
        .order_by("-opened_at")
        .first()
    )
    return {"deceased_resident_id": open_one.person.resident_id} if open_one else {}


def route(applicant: Person, answers: dict[str, Any]) -> Region | None:
    """A claim is handled where the deceased was insured, wherever the survivor lives."""
    deceased = identity.person_by_resident_id(str(answers.get("deceased_resident_id", "")))
    return deceased.region if deceased is not None else None


#: Open claims one person may have at once (each for a different deceased).
OPEN_CLAIMS_MAX = 3


def claim_standing(applicant: Person, answers: dict[str, Any], channel: str) -> None:
    """Who may claim (SX-SI-008 is for the survivors): online, the relative who registered
    the death (told by the platform, the form filled in); anyone else at a counter, where the
    case worker sees the proof of the relation (civil affairs confirms it at review). The
    refusal reads the same whether the number is of a dead person, a living one or nobody:
    the form is no register of deaths. One open claim per deceased per claimant, and a few in
    all."""
    from onestop.applications.models import Application, Channel
    from onestop.applications.services.cases import OPEN, DuplicateCase

    key = identity.resident_id_key(str(answers.get("deceased_resident_id", "")))
    if key and key == identity.resident_id_key(applicant.resident_id):
        raise ServiceError(
            "不能为本人申领遗属待遇。",
            "You cannot claim survivors' benefits for yourself.",
            code="standing",
        )
    open_claims = Application.objects.filter(item_code=ITEM, applicant=applicant, status__in=OPEN)
    for case in open_claims.only("pk", "number", "answers"):
        other = identity.resident_id_key(str(case.answers.get("deceased_resident_id", "")))
        if key and other == key:
            raise DuplicateCase(
                f"您已有一件为该逝者办理中的申领（办件编号{case.number}），请勿重复提交。",
                f"You already have a claim in progress for this person (case {case.number}); "
                "it is not filed twice.",
            )
    if open_claims.count() >= OPEN_CLAIMS_MAX:
        raise DuplicateCase(
            f"您已有{OPEN_CLAIMS_MAX}件办理中的遗属待遇申领，请待其办结后再申请。",
            f"You already have {OPEN_CLAIMS_MAX} survivors' claims in progress; file another "
            "when one is decided.",
        )
    if channel == Channel.COUNTER:
        return
    declared = (
        bool(key)
        and SurvivorBenefit.objects.filter(
            person__resident_id_index=key, declarant=applicant
        ).exists()
    )
    if key and not declared:  # the certificate civil affairs pushed names its declarant
        from onestop.exchange.models import ELicence

        mine = identity.resident_id_key(applicant.resident_id)
        declared = any(
            identity.resident_id_key(str((c or {}).get("declarant_resident_id", ""))) == mine
            for c in ELicence.objects.filter(
                subject=key, licence_type="death_certificate"
            ).values_list("content", flat=True)[:5]
        )
    if not declared:
        raise NotPermitted(
            "在线申领限于办理死亡登记的亲属（平台已通知其申领）。其他亲属请携带本人身份证和"
            "亲属关系证明到经办机构窗口申请，由经办人员核对后受理。",
            "Online, the claim is open to the relative who registered the death (the "
            "platform told them to claim). Other relatives file at an agency counter with "
            "their identity card and proof of the relation, which the case worker checks.",
        )


def claim_service(data: dict[str, Any]) -> dict[str, Any]:
    """The SX-SI-008 process's service task: the amounts the reviewer decides on. A death the
    platform has not heard of is looked up in the civil-affairs registrations now."""
    answers = data.get("answers") or {}
    deceased = identity.person_by_resident_id(str(answers.get("deceased_resident_id", "")))
    if deceased is None:
        return {"survivor_error": "逝者未在本省参保 / The deceased was not insured here."}
    benefit = SurvivorBenefit.objects.filter(person=deceased).first()
    if benefit is None:
        benefit = _open_from_registry(deceased)
    if benefit is None:
        return {
            "survivor_error": "未查到死亡登记或参保记录 / No death registration or insurance "
            "record found."
        }
    if benefit.status == SurvivorStatus.CLAIMED:
        return {
            "survivor_error": f"已由 {benefit.case_number} 领取 / Claimed by {benefit.case_number}."
        }
    facts = benefit.facts
    if "error" in facts:
        try:
            facts = benefits_facts(person=deceased, died_on=benefit.died_on)
        except (ServiceError, RuleError, parameters.ParametersMissing) as exc:
            return {"survivor_error": f"{exc.zh} / {exc.en}"}
        SurvivorBenefit.objects.filter(pk=benefit.pk).update(facts=facts)
    return {"survivor": facts}


def _open_from_registry(person: Person) -> SurvivorBenefit | None:
    from onestop.exchange.licences import RegistryUnavailable, registry_lookup

    try:
        found = registry_lookup(
            party="hrss.survivors",  # exchange.labels.PARTIES
            resource_code="civil_affairs.deaths",
            subject=person.resident_id,
            purpose="survivors_death_check",
        )
    except RegistryUnavailable:
        return None
    try:
        died_on = dt.date.fromisoformat(str((found or {}).get("date", "")))
    except ValueError:
        return None
    return open_for_death(person=person, died_on=died_on, source="civil_affairs.deaths")


def claim_from_case(case: Any, actor: Any) -> SurvivorBenefit:
    """Approving SX-SI-008: the benefits are claimed by the applicant, once; what is left of
    the account leaves the ledger to the heirs."""
    deceased = identity.person_by_resident_id(str(case.answers.get("deceased_resident_id", "")))
    benefit = (
        SurvivorBenefit.objects.select_for_update().filter(person=deceased).first()
        if deceased
        else None
    )
    facts = (case.facts or {}).get("survivor")
    if benefit is None or not facts:
        raise ServiceError(
            "遗属待遇尚未核定，不能批准。",
            "The survivors' benefits are not computed: the case cannot be approved.",
            code="survivor",
        )
    if benefit.status == SurvivorStatus.CLAIMED:
        raise ServiceError(
            f"遗属待遇已由 {benefit.case_number} 领取。",
            f"The survivors' benefits were already claimed by {benefit.case_number}.",
            code="claimed",
        )
    benefit.status, benefit.case_number = SurvivorStatus.CLAIMED, case.number
    benefit.claimant_id, benefit.claimed_at = case.applicant_id, timezone.now()
    benefit.facts = facts
    benefit.save(update_fields=["status", "case_number", "claimant", "claimed_at", "facts"])
    died = benefit.died_on
    ledger.inheritance_post(
        person=benefit.person,
        period=died.year * 100 + died.month,
        amount=Decimal(facts["account"]),
        source_id=benefit.pk,
    )
    record(
        actor=actor,
        action="pensions.survivors_claimed",
        target=benefit,
        changes={"case": case.number, "total": facts.get("total")},
    )
    return benefit


def survivors_for(*, actor: Any) -> list[SurvivorBenefit]:
    """HRSS staff: the survivors' benefits of people in their region scope, newest first."""
    profile = policy.staff_profile(actor)
    if (
        profile is None
        or profile.role not in ("case_worker", "reviewer", "supervisor")
        or profile.agency.kind not in HRSS_AGENCIES
    ):
        raise NotPermitted()
    return list(
        SurvivorBenefit.objects.filter(region__code__startswith=profile.region.scope_prefix)
        .select_related("person", "claimant")
        .order_by("-opened_at", "-pk")[:200]
    )
