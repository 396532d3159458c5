"""The consent form: whom, which data, what for, how long."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onestop.common.templatetags.one_language import one_language
from onestop.exchange.models import Consumer, Purpose, Resource


class ConsentForm(forms.Form):
    consumer = forms.ChoiceField(label=_("Who may ask"))
    resource = forms.ChoiceField(label=_("Which data"))
    purpose = forms.ChoiceField(label=_("Purpose (as the requester will state it)"))
    days = forms.IntegerField(label=_("For how many days"), min_value=1, max_value=366, initial=90)

    def __init__(
        self,
        *args: Any,
        consumers: list[Consumer],
        resources: list[Resource],
        purposes: list[Purpose],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        consumer = self.fields["consumer"]
        resource = self.fields["resource"]
        assert isinstance(consumer, forms.ChoiceField) and isinstance(resource, forms.ChoiceField)
        english = not (get_language() or "zh").startswith("zh")
        consumer.choices = [(c.code, one_language(c.name)) for c in consumers]
        resource.choices = [
            (r.code, (r.name_en or r.name) if english else r.name) for r in resources
        ]
        purpose = self.fields["purpose"]
        assert isinstance(purpose, forms.ChoiceField)
        purpose.choices = [(p.code, (p.name_en or p.name) if english else p.name) for p in purposes]
