"""Forms of the editors' pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.portal.content import Draft
from onestop.portal.models import ArticleKind


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Section"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text; leave a blank line between paragraphs."),
    )
    document_number = forms.CharField(
        label=_("Document number (policy documents)"), max_length=80, required=False
    )
    issuer = forms.CharField(label=_("Issued by"), max_length=120, required=False)
    effective_from = forms.DateField(
        label=_("In force from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_until = forms.DateField(
        label=_("In force until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            kind=data["kind"],
            title=data["title"].strip(),
            body=data["body"],
            summary=data["summary"].strip(),
            document_number=data["document_number"].strip(),
            issuer=data["issuer"].strip(),
            effective_from=data["effective_from"],
            effective_until=data["effective_until"],
        )


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Review note"), max_length=1000, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment (PDF, JPEG or PNG, at most 10 MB)"))
