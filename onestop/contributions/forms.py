"""Forms of the employer and statement pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.common.amounts import AmountField
from onestop.contributions.models import DeclarationKind, Insurance, PostCategory


class MonthField(forms.CharField):
    widget = forms.DateInput(attrs={"type": "month", "placeholder": "2024-10"})


class RegistrationForm(forms.Form):
    insurances = forms.MultipleChoiceField(
        label=_("Insurances"),
        choices=Insurance.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Insurance.PENSION],
    )
    since = MonthField(label=_("Registered from (month)"))
    risk_class = forms.IntegerField(
        label=_("Industry risk class (work injury)"), min_value=1, max_value=8, required=False
    )


class EmploymentForm(forms.Form):
    resident_id = forms.CharField(label=_("Resident ID"), max_length=64)
    start = MonthField(label=_("From month"))
    wage = AmountField(label=_("Monthly wage (yuan)"), max_value=Decimal(10_000_000))
    post_category = forms.ChoiceField(label=_("Post"), choices=PostCategory.choices)
    concurrent = forms.BooleanField(
        label=_(
            "If this person is still employed elsewhere: I confirm a concurrent employment "
            "(the pension is paid by one employer only)"
        ),
        required=False,
    )


class EmploymentEndForm(forms.Form):
    end = MonthField(label=_("Last month employed"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DeclarationUploadForm(forms.Form):
    period = MonthField(label=_("Month declared"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DeclarationKind.choices)
    file = forms.FileField(label=_("File (CSV or XLSX, from the template)"))
