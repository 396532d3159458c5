"""API shapes several contexts answer with."""

from __future__ import annotations

from ninja import Schema

from onestop.rules.award import Line


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
