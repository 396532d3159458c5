"""Forms of the calculator pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.common.amounts import AmountField

CATEGORIES = [
    ("male", _("Man (original age 60)")),
    ("female_55", _("Woman in a cadre post (original age 55)")),
    ("female_50", _("Woman in a worker post (original age 50)")),
]


class RetirementForm(forms.Form):
    birth_month = forms.CharField(
        label=_("Month of birth"),
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "1966-01"}),
        help_text=_("Year and month, for example 1966-01."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=CATEGORIES, widget=forms.RadioSelect, initial="male"
    )


class EstimateForm(RetirementForm):
    province = forms.ChoiceField(label=_("Province"))
    contribution_months = forms.IntegerField(
        label=_("Months contributed so far (deemed months go below)"),
        min_value=0,
        max_value=720,
        initial=120,
    )
    deemed_months = forms.IntegerField(
        label=_("Deemed contribution months before 1998"),
        min_value=0,
        max_value=600,
        initial=0,
        required=False,
    )
    account_balance = AmountField(
        label=_("Individual account balance now (yuan)"),
        max_value=Decimal(100_000_000),
        initial=Decimal("50000"),
    )
    monthly_wage = AmountField(
        label=_("Monthly wage now (yuan)"),
        max_value=Decimal(10_000_000),
        initial=Decimal("6000"),
    )
    average_index = forms.DecimalField(
        label=_("Average contribution index so far"),
        min_value=Decimal(0),
        max_value=Decimal(3),
        decimal_places=4,
        initial=Decimal("1.0"),
        help_text=_("Your base divided by the average wage, averaged over your months: 0.6 to 3."),
    )

    def __init__(self, *args: object, provinces: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["province"].choices = provinces  # type: ignore[attr-defined]


FREQUENCIES = [
    ("monthly", _("Monthly")),
    ("quarterly", _("Quarterly")),
    ("half_yearly", _("Half-yearly")),
    ("yearly", _("Yearly")),
]


class FlexibleForm(forms.Form):
    province = forms.ChoiceField(label=_("Province"))
    base = AmountField(
        label=_("Monthly contribution base you choose (yuan)"),
        max_value=Decimal(10_000_000),
        help_text=_("Within 60% to 300% of the province's average wage of the year."),
    )
    frequency = forms.ChoiceField(
        label=_("How often you pay"), choices=FREQUENCIES, widget=forms.RadioSelect
    )
    month = forms.CharField(
        label=_("A month of the period to pay"),
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-04"}),
        help_text=_("Year and month, for example 2026-04; the year's figures apply."),
    )
    days_late = forms.IntegerField(
        label=_("Days paid late (for the surcharge)"),
        min_value=0,
        max_value=3650,
        required=False,
        initial=0,
    )

    def __init__(self, *args: object, provinces: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["province"].choices = provinces  # type: ignore[attr-defined]
