"""Transfers of the pension relation (D6): in from another province (the person applies
here; the platform sends the contact letter through the exchange and posts what the old place
sends), out to another province (its signed request through the gateway; the account and 12% of
the bases leave), between the province's own regions, and who pays the pension in the end.

Men from 50 and women from 40 moving away from their household-registration place keep the
relation where it is: the new place opens a temporary account and no funds move.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy

from onestop.applications.prechecks import Note, Precheck
from onestop.applications.services.cases import HRSS_AGENCIES
from onestop.audit.services import record
from onestop.common.divisions import PROVINCES
from onestop.common.errors import NotPermitted, ServiceError, pick_message
from onestop.common.templatetags.one_language import pick
from onestop.contributions import locks as ledger_locks
from onestop.contributions import selectors as contributions
from onestop.contributions import services as ledger
from onestop.exchange import provinces
from onestop.exchange.models import Consumer, ConsumerKind
from onestop.identity import policy
from onestop.identity.models import Person, Region, RegionLevel
from onestop.notifications.services import notify
from onestop.parameters import selectors as parameters
from onestop.pensions.models import Pensioner, Transfer, TransferDirection
from onestop.rules.transfer import (
    MonthlyBase,
    Place,
    account_transfer,
    keeps_relation_at_old_place,
    payer_place,
    pooled_transfer,
)
from onestop.rules.values import RuleError, YearMonth


def own_province() -> str:
    return str(settings.ONESTOP_PROVINCE)


def _number() -> str:
    return f"ZY{timezone.localtime():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _save(transfer: Transfer) -> Transfer:
    for _ in range(5):
        try:
            with transaction.atomic():
                transfer.number = _number()
                transfer.save()
            return transfer
        except IntegrityError:
            continue
    raise ServiceError("系统繁忙，请重试。", "Please try again.", code="busy")


def _age_years(person: Person, today: dt.date) -> int:
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def hukou_place(person: Person) -> tuple[str, str]:
    """The household-registration province and where it was read: the public-security
    household register through the gateway (its division code), else the address code of
    the resident ID (D9, where the number was first issued; people keep it when they move)."""
    from onestop.exchange.licences import RegistryUnavailable, registry_lookup

    try:
        found = registry_lookup(
            party="hrss.transfers",  # exchange.labels.PARTIES
            resource_code="public_security.household",
            subject=person.resident_id,
            purpose="household_registration_place",
        )
    except RegistryUnavailable:
        found = None
    code = str((found or {}).get("region_code", ""))
    if len(code) == 6 and code.isdigit() and code[:2] + "0000" in PROVINCES:
        return code[:2] + "0000", "public_security.household"
    return str(person.resident_id)[:2] + "0000", "resident_id"


def hukou_province(person: Person) -> str:
    return hukou_place(person)[0]


def _period_int(label: str) -> int:
    return int(label[:4]) * 100 + int(label[5:7])


def _own_months(
    person: Person, statement: contributions.Statement | None = None
) -> list[list[str]]:
    """Months contributed here: [YYYY-MM, base, the year's average wage or ""]."""
    wages: dict[int, str] = {}
    rows = []
    for month in (statement or contributions.statement_of(person=person)).months:
        if month.transferred:
            continue  # brought in earlier: it goes back with its own place's record
        year = int(month.period[:4])
        if year not in wages:
            try:
                found = parameters.province_year(province=own_province(), year=year)
                wages[year] = f"{found.average_wage:.2f}"
            except parameters.ParametersMissing:
                wages[year] = ""
        rows.append([month.period, f"{month.base:.2f}", wages[year]])
    return rows


# -- out: another province asks for the relation ------------------------------------------


def transfer_out(person: Person, consumer: Consumer, params: dict[str, Any]) -> dict[str, Any]:
    """The gateway action for ``hrss.pension_transfer``: another province's contact letter.

    ``params``: ``to_hukou_place`` (bool), whether the person moves to their registration
    place. Answers the information form; the account and pooled funds leave the ledger."""
    if consumer.kind != ConsumerKind.PROVINCE or not consumer.code.startswith("province-"):
        raise ServiceError(
            "只有其他省份的养老保险经办系统可以申请转移。",
            "Only another province's pension system can ask for a transfer.",
            code="party",
        )
    to = consumer.code.removeprefix("province-")
    with transaction.atomic():
        # The balance read below is what leaves: no other money path may move it meanwhile.
        ledger_locks.person_lock(person_ids=[person.pk])
        return _transfer_out_locked(person, consumer, to, params)


def _transfer_out_locked(
    person: Person, consumer: Consumer, to: str, params: dict[str, Any]
) -> dict[str, Any]:
    if Pensioner.objects.filter(person=person).exists():
        raise ServiceError(
            "此人已在本省领取养老金，不能转出。",
            "This person draws a pension here and cannot be transferred.",
            code="pensioner",
        )
    statement = contributions.statement_of(person=person)
    if statement.account_balance <= 0 and not statement.months:
        raise ServiceError(
            "此人在本省没有养老保险关系。",
            "This person has no pension relation here.",
            code="no_relation",
        )
    if (
        Transfer.objects.filter(
            person=person, direction=TransferDirection.OUT, temporary=False
        ).exists()
        and statement.account_balance <= 0
    ):
        raise ServiceError(
            "此人的养老保险关系已经转出。",
            "This person's pension relation has already been transferred.",
            code="transferred",
        )
    today = timezone.localdate()
    temporary = keeps_relation_at_old_place(
        male=person.sex == "male",
        age_years=_age_years(person, today),
        moving_to_hukou_place=bool(params.get("to_hukou_place")),
    )
    months = [] if temporary else _own_months(person, statement)
    account = Decimal("0.00") if temporary else account_transfer(balance=statement.account_balance)
    pooled = (
        Decimal("0.00")
        if temporary
        else pooled_transfer([MonthlyBase(YearMonth.parse(p), Decimal(b)) for p, b, _ in months])
    )
    transfer = _save(
        Transfer(
            person=person,
            direction=TransferDirection.OUT,
            counterpart=to,
            counterpart_name=provinces.province_names(to)[0],
            counterpart_name_en=provinces.province_names(to)[1],
            temporary=temporary,
            account_amount=account,
            pooled_amount=pooled,
            months_count=len(months),
            months=months,
            at=timezone.now(),
            by=consumer.code,
        )
    )
    if not temporary:
        ledger.transfer_post(
            person=person,
            transfer_id=transfer.pk,
            incoming=False,
            period=today.year * 100 + today.month,
            months=[],
            account=account,
            pooled=pooled,
        )
    record(
        actor=None,
        action="pensions.transfer.out",
        target=transfer,
        changes={
            "to": to,
            "temporary": temporary,
            "account": f"{account:.2f}",
            "pooled": f"{pooled:.2f}",
            "months": len(months),
        },
    )
    notify(
        recipients=[person.user],
        event="pensions.transferred",
        context={
            "place": lazy(pick_message, str)(*provinces.province_names(to)),
            "account": f"{account:.2f}",
        },
        link="/me/pension/",
    )
    return {
        "temporary": temporary,
        "account": f"{account:.2f}",
        "pooled": f"{pooled:.2f}",
        "months": months,
        "place": own_province(),
        "place_name": provinces.province_name(own_province()),
    }


# -- in: the person applies here ----------------------------------------------------------


def contact_service(data: dict[str, Any]) -> dict[str, Any]:
    """The transfer process's service task: send the contact letter to the old province and
    keep its information form (or why there is none) in the case's facts."""
    applicant_id = data.get("applicant_id")
    person = (
        Person.objects.filter(pk=applicant_id).first() if isinstance(applicant_id, int) else None
    )
    answers = data.get("answers") or {}
    if person is None:
        return {"transfer_error": "无申请人 / No applicant"}
    try:
        info = provinces.request_transfer(
            province=str(answers.get("from_province", "")),
            person=person,
            params={"to_hukou_place": hukou_province(person) == own_province()},
        )
        return {"transfer_info": _checked_info(info)}
    except ServiceError as exc:
        return {"transfer_error": f"{exc.zh} / {exc.en}"}


def transfer_submit_check(person: Person, answers: dict[str, Any]) -> None:
    """Filing a transfer in: refused at once when no channel to the old province is
    configured (no information form could ever come, so no approval)."""
    provinces.channel_check(str(answers.get("from_province", "")))


def transfer_precheck(person: Person, today: dt.date) -> Precheck:
    """The transfer-in form offers only the provinces a channel is configured with; with
    none, filing is blocked and the person told why."""
    offered = sorted(provinces.channelled())
    if offered:
        return Precheck(choices={"from_province": offered})
    return Precheck(
        notes=(
            Note(
                "transfer_unavailable",
                "目前未配置与任何省份的转移接续通道，暂不能在本平台办理转入，"
                "请向原参保地经办机构咨询。",
                "No transfer channel with another province is configured: a transfer in "
                "cannot be arranged on this platform yet; ask the agency where you were "
                "insured.",
                blocks=True,
            ),
        ),
        choices={"from_province": []},
    )


def _error_halves(error: Any) -> tuple[str, str]:
    """A recorded ``transfer_error`` ("中文 / English") as its two halves."""
    zh, _sep, en = str(error or "").partition(" / ")
    return zh, en or zh


def _checked_info(info: dict[str, Any]) -> dict[str, Any]:
    """The information form, refused unless every amount and month is well formed."""
    try:
        account = Decimal(str(info["account"]))
        pooled = Decimal(str(info["pooled"]))
        months = [
            [str(YearMonth.parse(str(p))), f"{Decimal(str(b)):.2f}", str(w or "")]
            for p, b, w in info["months"]
        ]
        if account < 0 or pooled < 0 or any(Decimal(b) < 0 for _, b, _ in months):
            raise ValueError("negative")
        if any(w and Decimal(w) <= 0 for _, _, w in months):
            raise ValueError("wage")
    except (KeyError, TypeError, ValueError, ArithmeticError, RuleError) as exc:
        raise ServiceError(
            "转出地的信息表格式有误。",
            "The other province's information form is not well formed.",
            code="info",
        ) from exc
    return {
        "temporary": bool(info.get("temporary")),
        "account": f"{account:.2f}",
        "pooled": f"{pooled:.2f}",
        "months": months,
        "place": str(info.get("place", "")),
        "place_name": str(info.get("place_name", "")),
    }


def transfer_in_from_case(case: Any, actor: Any) -> Transfer:
    """Approving a transfer-in case: post what the old place sent (or open a temporary
    account when the relation stays there)."""
    info = case.facts.get("transfer_info")
    if not info:
        zh, en = _error_halves(case.facts.get("transfer_error"))
        raise ServiceError(
            "未收到转出地的信息表，不能批准，请以该理由作出不予批准的决定：" + zh,
            "No information form from the other province, so the case cannot be approved; "
            "reject it giving this reason: " + en,
            code="info",
        )
    return record_transfer_in(
        person=case.applicant,
        place=str(case.answers.get("from_province", "")),
        info=info,
        actor=actor,
        case_number=case.number,
    )


def record_transfer_in(
    *, person: Person, place: str, info: dict[str, Any], actor: Any, case_number: str = ""
) -> Transfer:
    """Post an information form received from ``place`` (checked by ``_checked_info``)."""
    info = _checked_info(info)
    today = timezone.localdate()
    temporary = bool(info["temporary"])
    months = [] if temporary else list(info["months"])
    transfer = _save(
        Transfer(
            person=person,
            direction=TransferDirection.IN,
            counterpart=place,
            counterpart_name=provinces.province_names(place)[0],
            counterpart_name_en=provinces.province_names(place)[1],
            temporary=temporary,
            account_amount=Decimal(info["account"]),
            pooled_amount=Decimal(info["pooled"]),
            months_count=len(months),
            months=months,
            case_number=case_number,
            at=timezone.now(),
            by=actor.get_username() if actor is not None else "system",
        )
    )
    if not temporary:
        ledger.transfer_post(
            person=person,
            transfer_id=transfer.pk,
            incoming=True,
            period=today.year * 100 + today.month,
            months=[(_period_int(p), Decimal(b)) for p, b, _ in months],
            account=transfer.account_amount,
            pooled=transfer.pooled_amount,
        )
    record(
        actor=actor,
        action="pensions.transfer.in",
        target=transfer,
        changes={
            "from": place,
            "temporary": temporary,
            "account": info["account"],
            "pooled": info["pooled"],
            "months": len(months),
        },
    )
    return transfer


# -- inside the province --------------------------------------------------------------------


def transfer_internal(*, actor: Any, person: Person, region: Region) -> Transfer:
    """Move a person's relation to another county or city of the province. Pooling is
    provincial: no funds move, the record and the account go along as they are."""
    profile = policy.staff_profile(actor)
    if (
        profile is None
        or profile.role not in ("case_worker", "reviewer")
        or profile.agency.kind not in HRSS_AGENCIES
        or not policy.in_scope(profile, person.region)
    ):
        raise NotPermitted()
    if region.level == RegionLevel.PROVINCE or not region.code.startswith(own_province()[:2]):
        raise ServiceError(
            "请选择本省的市或区县。", "Choose a city or county of this province.", code="region"
        )
    if region.pk == person.region_id:
        raise ServiceError(
            "此人已在该地区参保。", "The person is insured there already.", code="same"
        )
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = locked.region
        statement = contributions.statement_of(person=locked)
        transfer = _save(
            Transfer(
                person=locked,
                direction=TransferDirection.INTERNAL,
                counterpart=region.code,
                counterpart_name=region.name,
                counterpart_name_en=region.name_en,
                account_amount=statement.account_balance,
                months_count=statement.contribution_months,
                at=timezone.now(),
                by=actor.get_username(),
            )
        )
        locked.region = region
        locked.save(update_fields=["region", "updated_at"])
        Pensioner.objects.filter(person=locked).update(region=region)
        record(
            actor=actor,
            action="pensions.transfer.internal",
            target=transfer,
            changes={"from": before.code, "to": region.code},
        )
        notify(
            recipients=[locked.user],
            event="pensions.transferred",
            context={
                "place": lazy(pick, str)(transfer, "counterpart_name"),
                "account": f"{statement.account_balance:.2f}",
            },
            link="/me/pension/",
        )
    return transfer


def transfers_for(*, actor: Any) -> list[Transfer]:
    """Staff: the transfers of people in their region scope, newest first."""
    profile = policy.staff_profile(actor)
    if profile is None or profile.role not in ("case_worker", "reviewer", "supervisor"):
        raise NotPermitted()
    return list(
        Transfer.objects.filter(person__region__code__startswith=profile.region.scope_prefix)
        .select_related("person")
        .order_by("-at", "-pk")[:200]
    )


def transfers_of(*, person: Person) -> list[Transfer]:
    return list(Transfer.objects.filter(person=person).order_by("-at", "-pk"))


# -- who pays ---------------------------------------------------------------------------------


def payer_of(person: Person, statement: contributions.Statement | None = None) -> dict[str, Any]:
    """Which place pays the pension (D6 art. 8), from the places the record shows: each
    province the relation came from (with its months) and this one."""
    hukou, hukou_source = hukou_place(person)
    places = [
        Place(code=t.counterpart, months=t.months_count, is_hukou_place=t.counterpart == hukou)
        for t in Transfer.objects.filter(
            person=person, direction=TransferDirection.IN, temporary=False
        ).order_by("at", "pk")
    ]
    own = statement or contributions.statement_of(person=person)
    own_months = sum(1 for month in own.months if not month.transferred)
    temporary_here = Transfer.objects.filter(
        person=person, direction=TransferDirection.IN, temporary=True
    ).exists()
    places.append(
        Place(
            code=own_province(),
            months=own_months,
            is_hukou_place=own_province() == hukou,
            temporary=temporary_here,
        )
    )
    code, rule = payer_place(places, hukou_place=hukou)
    return {
        "place": code,
        "place_name": provinces.province_name(code),
        "rule": rule,
        "hukou": hukou,
        "hukou_source": hukou_source,
    }
