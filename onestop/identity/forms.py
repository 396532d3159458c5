"""HTML forms of the identity pages. Validation of business rules stays in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onestop.identity.models import Agency, Region, StaffRole
from onestop.identity.services import MAX_TOKEN_DAYS, TOKEN_SCOPES, token_scopes_for


class RegionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A region picked by its name in the current language, its code as a hint."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.picker_label)


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Resident ID, mobile number or user name"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Resident ID or name"), max_length=32, required=False)


class TokenForm(forms.Form):
    """A new token; the scopes offered are those the user's role can use."""

    name = forms.CharField(label=_("Name of the client"), max_length=64)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        # Own profile and records: all a person needs to read their own statement.
        initial=["profile:read"],
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, initial=90
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            # The identifier is what an API client sends: a code, not a word ("zxx").
            (code, format_html('{} <code lang="zxx">{}</code>', TOKEN_SCOPES[code], code))
            for code in token_scopes_for(user=user)
        ]


class StaffCreateForm(forms.Form):
    """The security administrator's form; choices are limited to their region scope."""

    username = forms.RegexField(
        label=_("User name"),
        regex=r"^[a-z][a-z0-9_.-]{2,29}$",
        help_text=_("3 to 30 lower-case letters, digits, . _ -"),
    )
    display_name = forms.CharField(label=_("Name"), max_length=64)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
    region = RegionChoiceField(label=_("Region scope"), queryset=Region.objects.none())
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Give it to the person in a sealed envelope; they set up their "
            "authenticator at the first sign-in."
        ),
    )

    def __init__(self, *args: object, scope_prefix: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            region__code__startswith=scope_prefix
        ).select_related("region")
        self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            code__startswith=scope_prefix
        )


class StaffChangeForm(forms.Form):
    """Role, agency and region scope of one staff account, within the administrator's scope."""

    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    region = RegionChoiceField(label=_("Region scope"), queryset=Region.objects.none())

    def __init__(self, *args: object, scope_prefix: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            region__code__startswith=scope_prefix
        ).select_related("region")
        self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            code__startswith=scope_prefix
        )


class EmployerUserForm(forms.Form):
    resident_id = forms.CharField(label=_("Resident ID of the person to add"), max_length=64)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            ("agent", _("agent (handles social insurance)")),
            ("administrator", _("administrator (manages the employer's users)")),
        ],
    )
