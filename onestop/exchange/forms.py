"""The consent form: whom, which data, what for, how long."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.exchange.services import ConsentOffer


class ConsentForm(forms.Form):
    """Choose one of the requesters' stated purposes (nothing typed that must match)."""

    offer = forms.ChoiceField(
        label=_("Who may ask, which data, what for (as the requester stated)"),
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(label=_("For how many days"), min_value=1, max_value=366, initial=90)

    def __init__(self, *args: Any, offers: list[ConsentOffer], zh: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer = self.fields["offer"]
        assert isinstance(offer, forms.ChoiceField)
        offer.choices = [
            (
                o.key,
                f"{o.consumer_name if zh else o.consumer_name_en or o.consumer_name} · "
                f"{o.resource_name if zh else o.resource_name_en} · "
                f"{o.purpose_name if zh else o.purpose_name_en}",
            )
            for o in offers
        ]
        self.offers = {o.key: o for o in offers}
