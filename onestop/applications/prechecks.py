"""Eligibility before filing: what an item lets the person choose, and what stands in the way.

An item declares its pre-checks (``on_precheck``, registered by the context that knows the
rule, e.g. pensions for the retirement item). A pre-check looks at the person's record only,
before any answer is given: the form shows its notes and offers only the values it allows,
the API answers it (``GET /api/v1/applications/precheck``), and filing on any channel is
refused when a note blocks or an answer is not among the allowed values. Checks that depend
on the answers themselves (the reason a chosen month is refused) stay ``on_submit`` checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from onestop.common.errors import ServiceError
from onestop.identity.models import Person


@dataclass(frozen=True)
class Note:
    """One thing the person should know before filing; ``blocks``: filing is refused."""

    code: str
    zh: str
    en: str
    blocks: bool = False


@dataclass(frozen=True)
class Precheck:
    notes: tuple[Note, ...] = ()
    #: Answers a field may take (a field not named here is free within the form's schema).
    choices: dict[str, list[str]] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return not any(n.blocks for n in self.notes)

    def refusal(self) -> ServiceError | None:
        blocking = [n for n in self.notes if n.blocks]
        if not blocking:
            return None
        return ServiceError(
            "".join(n.zh for n in blocking),
            " ".join(n.en for n in blocking),
            code=blocking[0].code,
        )


PrecheckHook = Callable[[Person, dt.date], Precheck]
PRECHECKS: dict[str, list[PrecheckHook]] = {}


def on_precheck(item_code: str, hook: PrecheckHook) -> None:
    PRECHECKS.setdefault(item_code, []).append(hook)


def precheck(*, person: Person, item_code: str, today: dt.date) -> Precheck:
    """Every pre-check the item declares, merged (the allowed values of a field are those
    every check allows)."""
    notes: list[Note] = []
    choices: dict[str, list[str]] = {}
    for hook in PRECHECKS.get(item_code, []):
        found = hook(person, today)
        notes.extend(found.notes)
        for name, values in found.choices.items():
            choices[name] = (
                [v for v in choices[name] if v in values] if name in choices else list(values)
            )
    return Precheck(tuple(notes), choices)


def enforce(*, found: Precheck, answers: dict[str, Any]) -> None:
    """Refuse filing when a note blocks, or an answer is not one the pre-check allows."""
    refusal = found.refusal()
    if refusal is not None:
        raise refusal
    for name, values in found.choices.items():
        value = answers.get(name)
        if value not in (None, "") and str(value) not in values:
            raise ServiceError(
                f"“{value}”不在可选范围内。",
                f"“{value}” is not one of the values you may choose.",
                code="choice",
            )
