"""The money grammar (onestop.rules.amounts) at the API and form boundaries.

``Amount`` is the type of every amount of money an API schema takes: a string in the grammar
(``"6,500.30"``) or a JSON number, which is taken as the two-decimal value it is within 1e-6
of. ``AmountField`` is the form field of every amount a person types.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django import forms
from django.utils.translation import get_language
from pydantic import BeforeValidator, WithJsonSchema

from onestop.rules.amounts import amount_from_number, parse_amount
from onestop.rules.values import RuleError

#: The grammar as a JSON-schema pattern (ASCII digits, groups of three, two decimals).
PATTERN = r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$"


def to_amount(value: Any) -> Decimal:
    """Text in the grammar or a JSON number; anything else raises RuleError (a ValueError)."""
    if isinstance(value, str):
        return parse_amount(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return amount_from_number(value)
    raise RuleError(
        "金额应为数字或文本。", "An amount is a number or a text.", code="amount_format"
    )


Amount = Annotated[
    Decimal,
    BeforeValidator(to_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": PATTERN, "examples": ["6,500.30"]},
                {"type": "number", "minimum": 0},
            ]
        }
    ),
]


class AmountField(forms.CharField):
    """An amount typed in a form: the grammar's value or its bilingual reason."""

    def __init__(
        self,
        *,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value
        # The grammar bounds the length (and refuses longer text with its reason).
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "32"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            amount = parse_amount(str(text))
        except RuleError as exc:
            chinese = (get_language() or "").startswith("zh")
            raise forms.ValidationError(exc.zh if chinese else exc.en, code=exc.code) from exc
        if self.max_value is not None and amount > self.max_value:
            raise forms.ValidationError(
                f"金额不能超过{self.max_value}。"
                if (get_language() or "").startswith("zh")
                else f"The amount must be at most {self.max_value}.",
                code="max_value",
            )
        if self.min_value is not None and amount < self.min_value:
            raise forms.ValidationError(
                f"金额不能低于{self.min_value}。"
                if (get_language() or "").startswith("zh")
                else f"The amount must be at least {self.min_value}.",
                code="min_value",
            )
        return amount
