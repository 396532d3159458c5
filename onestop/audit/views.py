"""The audit administrator's journal pages: search, export, verify.

Authorization goes through ``user.has_perm`` so this context need not import identity.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onestop.audit.chain import CONTENT_FIELDS
from onestop.audit.models import Entry, Outcome
from onestop.audit.selectors import entry_content, entry_search, journal_verify
from onestop.audit.services import record

SEARCH = "audit.search_journal"
EXPORT = "audit.export_journal"


class SearchForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    target_type = forms.CharField(label=_("Target type"), required=False, max_length=100)
    target_id = forms.CharField(label=_("Target id"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices]
    )
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _filters(form: SearchForm) -> dict[str, Any]:
    if not form.is_valid():
        return {}
    data = dict(form.cleaned_data)
    tz = timezone.get_current_timezone()
    since, until = data.pop("since"), data.pop("until")
    data["since"] = dt.datetime.combine(since, dt.time(), tz) if since else None
    data["until"] = (
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz) if until else None
    )
    return data


def _check(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def journal_view(request: HttpRequest) -> HttpResponse:
    _check(request, SEARCH)
    form = SearchForm(request.GET or None)
    filters = _filters(form)
    page = Paginator(entry_search(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/journal.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def _rows(entries: QuerySet[Entry]) -> Any:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    fields = [*CONTENT_FIELDS, "prev_hash", "hash"]
    yield "\ufeff" + writer.writerow(fields)
    for entry in entries.order_by("seq").iterator(chunk_size=2000):
        content = entry_content(entry)
        yield writer.writerow([content[f] for f in fields])


@login_required
def journal_export_view(request: HttpRequest) -> StreamingHttpResponse:
    """CSV of the matching entries, with hashes, so an export can be re-verified."""
    _check(request, EXPORT)
    filters = _filters(SearchForm(request.GET or None))
    with transaction.atomic():
        record(
            actor=request.user,
            action="audit.journal.exported",
            changes={k: v for k, v in filters.items() if v},
        )
    response = StreamingHttpResponse(_rows(entry_search(**filters)), content_type="text/csv")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    return response


@require_POST
@login_required
def journal_verify_view(request: HttpRequest) -> HttpResponse:
    _check(request, SEARCH)
    checked, broken = journal_verify()
    return render(request, "audit/_verify.html", {"checked": checked, "broken": broken})
