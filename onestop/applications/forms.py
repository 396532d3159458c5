"""A form built from a service item's JSON Schema (strings, enums, booleans), checked again
server-side by the schema itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from onestop.applications.services import DECISIONS
from onestop.applications.services.cases import identifier_fields
from onestop.catalogue.selectors import field_titles, form_fields, option_label
from onestop.identity.models import User

#: Characters an identifier's box takes as typed (spaces, hyphens, full-width digits).
TYPED_MAX = 64


class SchemaForm(forms.Form):
    def __init__(
        self,
        *args: Any,
        schema: dict[str, Any],
        fields: list[str] | None = None,
        choices: dict[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        required = set(schema.get("required", []))
        zh = (get_language() or "").startswith("zh")
        properties = schema.get("properties", {})
        identifiers = set(identifier_fields(schema))
        # The declared order (``x-order``), or the page's order when the page lists its fields.
        for name in form_fields(schema) if fields is None else fields:
            if name not in properties:
                continue
            spec = properties[name]
            label = field_titles(spec, name)[0 if zh else 1]
            if choices and name in choices:
                # Only what the item's pre-check allows this person (e.g. the months inside
                # the lawful retirement window).
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=name in required,
                    choices=[("", "—"), *[(v, option_label(spec, v) or v) for v in choices[name]]],
                )
            elif "enum" in spec:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=name in required,
                    choices=[
                        ("", "—"),
                        # What each value reads as in this language, if not itself.
                        *[(v, option_label(spec, v) or v) for v in spec["enum"]],
                    ],
                )
            elif spec.get("type") == "boolean":
                self.fields[name] = forms.BooleanField(label=label, required=name in required)
            else:
                # An identifier is typed with spaces or hyphens: the schema checks its length
                # once normalised (services.answers_normalized); the box must not cut it.
                typed = name in identifiers
                self.fields[name] = forms.CharField(
                    label=label,
                    required=name in required,
                    max_length=TYPED_MAX if typed else spec.get("maxLength", 200),
                    widget=forms.Textarea(attrs={"rows": 3})
                    if spec.get("maxLength", 0) > 200
                    else forms.TextInput(),
                )

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class CounterForm(SchemaForm):
    resident_id = forms.CharField(label=_("Applicant's resident ID"), max_length=TYPED_MAX)
    consent = forms.BooleanField(
        label=_("The applicant has shown their ID and agrees to this filing on their behalf")
    )


class ActForm(forms.Form):
    note = forms.CharField(
        label=_("Reasons or note (a supplement lists everything missing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(
        self,
        *args: Any,
        task: str,
        establish: list[str] | None = None,
        applicant: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if applicant:
            # The applicant's own step (a supplement): no staff wording, one way on.
            self.fields["decision"] = forms.ChoiceField(
                label=_("Your answer"),
                choices=[("done", _("I have supplied what was asked for"))],
                widget=forms.RadioSelect,
                initial="done",
            )
            note = self.fields["note"]
            note.label = _("Message to the case worker (optional)")
            self.order_fields(["decision", "note"])
            return
        labels = {
            "accept": _("accept"),
            "supplement": _("request a supplement"),
            "not_accept": _("do not accept"),
            "approve": _("approve"),
            "reject": _("reject"),
            "done": _("done"),
            "confirm": _("confirm"),
            "refuse": _("refuse"),
        }
        choices = sorted(DECISIONS.get(task, {"done"}))
        self.fields["decision"] = forms.ChoiceField(
            label=_("Decision"), choices=[(c, labels[c]) for c in choices]
        )
        if "post_category" in (establish or []):
            # A woman's post was not on record when she filed: the reviewer establishes it;
            # the approval needs it (services.application_act).
            self.fields["post_category"] = forms.ChoiceField(
                label=_("Post category, established by the reviewer (needed to approve)"),
                required=False,
                choices=[
                    ("", "—"),
                    ("cadre", _("management or technical post (original retirement age 55)")),
                    ("worker", _("production or operating post (original retirement age 50)")),
                ],
            )
        if "separation_determined" in (establish or []):
            # The employer's removal reason named no case of D12 art. 4, or the person
            # contests it: the case worker determines it; the approval needs it.
            from onestop.rules.unemployment import INVOLUNTARY, SEPARATION_LABELS

            zh = (get_language() or "").startswith("zh")
            self.fields["separation_determined"] = forms.ChoiceField(
                label=_("How the last employment ended, determined by the case worker"),
                required=False,
                choices=[("", "—")]
                + [
                    (
                        code.value,
                        f"{labels[0] if zh else labels[1]} · "
                        + (gettext("involuntary") if code in INVOLUNTARY else gettext("voluntary")),
                    )
                    for code, labels in SEPARATION_LABELS.items()
                ],
            )
        self.order_fields(["decision", "post_category", "separation_determined", "note"])


class ColleagueField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A colleague by name, role and agency (in the reader's language): two people of one
    name, or a reviewer and a case worker, are told apart."""

    def label_from_instance(self, obj: Any) -> str:
        profile = getattr(obj, "staff_profile", None)
        if profile is None:
            return str(obj)
        return f"{obj} · {profile.get_role_display()} · {profile.agency}"


class HandoverForm(forms.Form):
    prefix = "handover"
    to = ColleagueField(label=_("Colleague"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(pk__in=[u.pk for u in candidates])
            .select_related("staff_profile__agency")
            .order_by("username")
        )


class CommentForm(forms.Form):
    prefix = "comment"
    body = forms.CharField(
        label=_("Internal comment (staff only)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EscalateForm(forms.Form):
    prefix = "escalate"
    note = forms.CharField(label=_("Reason to escalate"), max_length=500)


class MaterialForm(forms.Form):
    name = forms.ChoiceField(label=_("Material"))
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, materials: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["name"]
        assert isinstance(field, forms.ChoiceField)
        english = not (get_language() or "zh").startswith("zh")
        field.choices = [
            (m["name"], (m.get("name_en") or m["name"]) if english else m["name"])
            for m in materials
            if m.get("name")
        ]


class CaseSearchForm(forms.Form):
    """The staff case search: every field optional, each a narrowing."""

    number = forms.CharField(label=_("Case number"), required=False, max_length=40)
    applicant = forms.CharField(
        label=_("Applicant (resident ID or name)"), required=False, max_length=40
    )
    item = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    since = forms.DateField(
        label=_("Filed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Filed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Bounded by the database's integer (BigAutoField): a larger number is the form's
    # error, not the query's overflow (hostile pass H4).
    person = forms.IntegerField(
        label=_("Person"),
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        from onestop.applications.models import Channel, Status

        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        status = self.fields["status"]
        assert isinstance(item, forms.ChoiceField) and isinstance(status, forms.ChoiceField)
        item.choices = [("", _("all")), *items]
        status.choices = [("", _("all")), *Status.choices]
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [("", _("all")), *Channel.choices]


class EnrolmentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Enrolment file (CSV, UTF-8)"),
        max_length=200,
        help_text=_("At most 200 people and 1 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


class QueueFilterForm(forms.Form):
    """The work queue's filters: each optional, each a narrowing; ``view`` "mine" keeps the
    steps claimed by the user."""

    view = forms.ChoiceField(required=False, choices=[("team", "team"), ("mine", "mine")])
    item = forms.CharField(label=_("Service"), required=False, max_length=40)
    status = forms.ChoiceField(label=_("Status"), required=False)
    colour = forms.ChoiceField(
        label=_("Time limit"),
        required=False,
        choices=[("", ""), ("green", "green"), ("yellow", "yellow"), ("red", "red")],
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    age = forms.IntegerField(
        label=_("Filed at least this many days ago"), required=False, min_value=0, max_value=3650
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from onestop.applications.models import Channel, Status

        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        channel = self.fields["channel"]
        assert isinstance(status, forms.ChoiceField) and isinstance(channel, forms.ChoiceField)
        status.choices = [("", _("all")), *Status.choices]
        channel.choices = [("", _("all")), *Channel.choices]


class BulkAssignForm(forms.Form):
    """A supervisor assigns the selected cases to a colleague."""

    to = ColleagueField(label=_("Assign to"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(pk__in=[u.pk for u in candidates])
            .select_related("staff_profile__agency")
            .order_by("username")
        )
