from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from onestop.reviews.models import DIMENSIONS, Level
from onestop.reviews.services import MAX_COMMENT, Rating

LEVELS = [(str(value), label) for value, label in Level.choices]

#: The standard's overall satisfaction is the overall level itself: asked once, not twice.
OVERALL = "satisfaction"
ASKED = {name: label for name, label in DIMENSIONS.items() if name != OVERALL}


class RatingForm(forms.Form):
    """Five levels overall and on each standard dimension, and a comment."""

    level = forms.TypedChoiceField(
        label=_("Overall"), choices=LEVELS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, with_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in ASKED.items():
            self.fields[f"score_{name}"] = forms.TypedChoiceField(
                label=capfirst(label), choices=LEVELS, coerce=int, widget=forms.RadioSelect
            )
        self.order_fields(["level", *(f"score_{n}" for n in ASKED), "comment"])
        if with_code:
            self.fields["code"] = forms.CharField(
                label=_("Query code (on the receipt)"), max_length=16
            )
            if self.initial.get("code"):  # checked at the first step: carried, not asked
                self.fields["code"].widget = forms.HiddenInput()

    def rating(self) -> Rating:
        data = self.cleaned_data
        return Rating(
            level=int(data["level"]),
            scores={
                **{name: int(data[f"score_{name}"]) for name in ASKED},
                OVERALL: int(data["level"]),
            },
            comment=data.get("comment", ""),
        )


class CodeForm(forms.Form):
    """The first step of rating by the QR code: the case's query code, so that the rating
    form is shown only for a case that can be rated."""

    code = forms.CharField(label=_("Query code (on the receipt)"), max_length=16)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VisitForm(forms.Form):
    topic = forms.CharField(label=_("What the visit was about"), max_length=200)
    item_code = forms.CharField(label=_("Service code (if any)"), max_length=40, required=False)
    phone = forms.CharField(
        label=_("Visitor's mobile number, for a call back (optional)"),
        max_length=11,
        required=False,
    )
