"""Bulk actions from the work queue: claim several cases at once, or (a supervisor) assign
them to a colleague. All or nothing: every case is tried in one transaction, and when one is
refused none is claimed or assigned and the answer gives each refused case its reason. Each
claim or assignment that would have been made is journaled by the single-case operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from onestop.applications import selectors, services
from onestop.applications.models import Application
from onestop.common.errors import NotPermitted, ServiceError
from onestop.identity import policy
from onestop.identity.models import User

#: At most this many cases in one bulk action.
BULK_MAX = 50
NUMBER_MAX = 24


class BulkRefused(ServiceError):
    """At least one case of a bulk action was refused; nothing was done. ``refused`` lists
    each refused case's number and reason (code, Chinese, English); the message also says
    how many of them a colleague holds (code ``claimed``)."""

    code = "bulk_refused"

    def __init__(self, refused: list[dict[str, str]]) -> None:
        numbers = "、".join(r["number"] for r in refused)
        taken = sum(1 for r in refused if r["code"] == "claimed")
        super().__init__(
            f"未作任何改动：{len(refused)} 件不能办理（{numbers}）"
            + (f"，其中 {taken} 件已由其他工作人员认领。" if taken else "。"),
            f"Nothing was changed: {len(refused)} of the cases were refused "
            f"({', '.join(r['number'] for r in refused)})"
            + (f", {taken} of them claimed by another staff member." if taken else "."),
        )
        self.refused = refused

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "refused": self.refused}


def _numbers(numbers: list[str]) -> list[str]:
    picked = list(dict.fromkeys(str(n).strip()[:NUMBER_MAX] for n in numbers if str(n).strip()))
    if not picked:
        raise ServiceError("请选择办件。", "Select the cases.", code="none_selected")
    if len(picked) > BULK_MAX:
        raise ServiceError(
            f"一次最多办理 {BULK_MAX} 件。",
            f"At most {BULK_MAX} cases at once.",
            code="too_many",
        )
    return picked


def _each(actor: Any, numbers: list[str], operation: Any) -> list[Application]:
    """Run ``operation(case)`` on every case in one transaction; any refusal undoes them all
    (``BulkRefused`` with each case's reason). A case the actor may not see is refused as
    not found, exactly as if it did not exist."""
    done: list[Application] = []
    refused: list[dict[str, str]] = []
    with transaction.atomic():
        for number in _numbers(numbers):
            try:
                with transaction.atomic():
                    case = selectors.application_for(actor=actor, number=number)
                    done.append(operation(case))
            except ServiceError as exc:  # NotFound and NotPermitted included
                refused.append(
                    {
                        "number": number,
                        "code": exc.code,
                        "message_zh": exc.zh,
                        "message_en": exc.en,
                    }
                )
        if refused:
            raise BulkRefused(refused)
    return done


@dataclass(frozen=True)
class Claimed:
    """What a bulk claim did: the cases newly claimed, and those ``actor`` already held
    (nothing written for them)."""

    new: list[Application]
    held: list[Application]

    @property
    def done(self) -> list[Application]:
        return self.new + self.held


def cases_claim(*, actor: Any, numbers: list[str]) -> Claimed:
    """Claim, for ``actor``, the first open step they may act on of each case; all or
    nothing (a case a colleague holds is refused, ``claimed``)."""
    if not policy.is_staff_member(actor):
        raise NotPermitted()
    held: set[int] = set()

    def claim(case: Application) -> Application:
        claimed, new = services.application_claim_new(actor=actor, application=case)
        if not new:
            held.add(claimed.pk)
        return claimed

    done = _each(actor, numbers, claim)
    return Claimed(
        new=[c for c in done if c.pk not in held], held=[c for c in done if c.pk in held]
    )


def cases_assign(*, actor: Any, numbers: list[str], to: User, note: str = "") -> list[Application]:
    """A supervisor gives each case's first open step ``to`` may act on to ``to`` (whoever
    holds it now); all or nothing. Refused per case where ``to`` may not act on any open
    step or the case is outside the supervisor's scope."""
    if not policy.is_staff_member(actor) or not policy.allows(actor, policy.REASSIGN_CASES):
        raise NotPermitted()

    def assign(case: Application) -> Application:
        if any(
            s.assignee_id == to.pk and services.may_act(to, case, s.lane)
            for s in case.open_steps.all()
        ):
            return case  # already theirs: nothing to do
        return services.application_reassign(actor=actor, application=case, to=to, note=note)

    return _each(actor, numbers, assign)
