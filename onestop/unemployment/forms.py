"""The form of the unemployment benefit calculator page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.rules.unemployment import MAX_BENEFIT_MONTHS, MAX_CONTRIBUTION_MONTHS


class BenefitForm(forms.Form):
    province = forms.ChoiceField(label=_("Province"))
    contribution_months = forms.IntegerField(
        label=_("Months of unemployment insurance paid by your employers and you, in all"),
        min_value=0,
        max_value=MAX_CONTRIBUTION_MONTHS,
        initial=36,
        help_text=_("Count every month paid, at any employer: 12 months are one year."),
    )
    separation = forms.ChoiceField(
        label=_("How your last employment ended"), widget=forms.RadioSelect
    )
    registered_unemployed = forms.BooleanField(
        label=_("I have registered as unemployed and am looking for work"),
        required=False,
        initial=True,
    )
    months_since_last_benefit = forms.IntegerField(
        label=_("If you drew unemployment benefit before: months paid since it ended"),
        min_value=0,
        max_value=MAX_CONTRIBUTION_MONTHS,
        required=False,
        help_text=_("Leave empty if you never drew it: then all your months count."),
    )
    carried_months = forms.IntegerField(
        label=_("Months of that earlier benefit you did not draw"),
        min_value=0,
        max_value=MAX_BENEFIT_MONTHS,
        required=False,
        initial=0,
    )

    def __init__(
        self,
        *args: object,
        provinces: list[tuple[str, str]],
        separations: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["province"].choices = provinces  # type: ignore[attr-defined]
        self.fields["separation"].choices = separations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since = data.get("months_since_last_benefit")
        total = data.get("contribution_months")
        if isinstance(since, int) and isinstance(total, int) and since > total:
            self.add_error(
                "months_since_last_benefit",
                _("This cannot be more than the months paid in all."),
            )
        if data.get("carried_months") and since is None:
            self.add_error(
                "months_since_last_benefit",
                _("Give the months paid since the earlier benefit ended."),
            )
        return data
