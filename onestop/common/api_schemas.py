"""API shapes several contexts answer with."""

from __future__ import annotations

from ninja import Schema
from pydantic import BaseModel, ConfigDict

from onestop.rules.award import Line


class Plain(BaseModel):
    """An answer's row that the view builds as a dict of plain values: validated by pydantic
    alone. Django Ninja's ``Schema`` wraps every value it validates in a ``DjangoGetter``
    (attribute access, callables, managers), a Python call per field and row: a hundred bills
    cost ten times their own query. Same OpenAPI schema, same checks of each field."""

    model_config = ConfigDict(from_attributes=False)


class LineOut(Schema):
    """One step of a calculation: its label in both languages, the formula, the value
    (a decimal string) and the rule or parameter it comes from."""

    label_zh: str
    label_en: str
    formula: str
    value: str
    source: str


def line_out(line: Line) -> dict[str, str]:
    """A rules ``Line`` as the API's ``LineOut``."""
    return {
        "label_zh": line.label_zh,
        "label_en": line.label_en,
        "formula": line.formula,
        "value": line.value,
        "source": line.source,
    }
