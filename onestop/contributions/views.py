"""Employer pages (employees, declarations, bills) and the person's statement."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop.common.digests import sm3_hex
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.contributions import files, kept, selectors, services, statement_pdf, uploads
from onestop.contributions.collection import collection_sync
from onestop.contributions.forms import (
    DeclarationUploadForm,
    EmploymentEndForm,
    EmploymentForm,
    RegistrationForm,
)
from onestop.contributions.interest import accrued_from
from onestop.contributions.models import DeclarationUpload, Employment, UploadStatus
from onestop.contributions.periods import current_period, month_of, parse_period
from onestop.exchange import services as certificates
from onestop.exchange.facts import statement_facts
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.selectors import name_shown
from onestop.rules.amounts import parse_amount
from onestop.rules.values import RuleError, YearMonth

ERRORS_KEY = "onestop_declaration_errors"
MAX_ERRORS_KEPT = 10_000


def _message(error: ServiceError | RuleError) -> str:
    """The error in the page's language; a refusal of permission is re-raised (403)."""
    if isinstance(error, NotPermitted):
        raise error
    return error.zh if (get_language() or "").startswith("zh") else error.en


@require_http_methods(["GET", "POST"])
@login_required
def employees_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Insurance registration and employees: add (增员) and remove (减员)."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    add_form = EmploymentForm(request.POST if "add" in request.POST else None)
    registration_form = RegistrationForm(request.POST if "register" in request.POST else None)
    try:
        if "add" in request.POST and add_form.is_valid():
            data = add_form.cleaned_data
            services.employment_start(
                actor=request.user,
                employer=employer,
                resident_id=data["resident_id"],
                start_period=parse_period(data["start"]),
                wage=data["wage"],
                post_category=data["post_category"],
                concurrent_confirmed=data["concurrent"],
                today=timezone.localdate(),
            )
            messages.success(request, _("Employee added."))
            return redirect("contributions:employees", employer_id=employer.pk)
        if "register" in request.POST and registration_form.is_valid():
            data = registration_form.cleaned_data
            services.insurance_register(
                actor=request.user,
                employer=employer,
                insurances=data["insurances"],
                since_period=parse_period(data["since"]),
                risk_class=data["risk_class"],
            )
            messages.success(request, _("Insurance registration saved."))
            return redirect("contributions:employees", employer_id=employer.pk)
    except (ServiceError, RuleError) as exc:
        form = add_form if "add" in request.POST else registration_form
        form.add_error(None, _message(exc))
    rows = [
        {
            "employment": e,
            "name": mask_name(e.person.name),
            "resident_id": mask_resident_id(e.person.resident_id),
            "start": month_of(e.start_period),
            "end": month_of(e.end_period) if e.end_period else None,
        }
        for e in selectors.employments_of(employer=employer)
    ]
    return render(
        request,
        "contributions/employees.html",
        {
            "employer": employer,
            "rows": rows,
            "add_form": add_form,
            "registration_form": registration_form,
            "end_form": EmploymentEndForm(),
            "registrations": selectors.registrations_of(employer=employer),
            # Staff in scope see the employees; only the employer's people change them.
            "may_declare": request.user.has_perm(services.DECLARE, employer),
        },
    )


@require_POST
@login_required
def employment_end_view(request: HttpRequest, employer_id: int, employment_id: int) -> HttpResponse:
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    employment = Employment.objects.filter(pk=employment_id, employer=employer).first()
    if employment is None:
        raise NotFound()
    form = EmploymentEndForm(request.POST)
    if form.is_valid():
        try:
            services.employment_end(
                actor=request.user,
                employment=employment,
                end_period=parse_period(form.cleaned_data["end"]),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Employee removed."))
        except (ServiceError, RuleError) as exc:
            messages.error(request, _message(exc))
    else:
        messages.error(request, _("Give the last month and a reason."))
    return redirect("contributions:employees", employer_id=employer.pk)


def _grid_period(request: HttpRequest, grid_mode: bool) -> tuple[int, str]:
    """The month the page's grid is for: the posted one, ``?period=``, else this month."""
    text = request.POST.get("period", "") if grid_mode else request.GET.get("period", "")
    try:
        return parse_period(text), text
    except RuleError:
        today = current_period(timezone.localdate())
        return today, "" if grid_mode else str(month_of(today))


@require_http_methods(["GET", "POST"])
@login_required
def declare_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Upload a month's wages; show the bills, or every row-level reason at once."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    if request.method == "POST" and not request.user.has_perm(services.DECLARE, employer):
        # Before anything posted is read: staff who may look at the page declare nothing.
        raise NotPermitted()
    grid_mode = request.method == "POST" and "grid" in request.POST
    period, period_text = _grid_period(request, grid_mode)
    form = DeclarationUploadForm(
        None if grid_mode else (request.POST or None),
        None if grid_mode else (request.FILES or None),
        # The same month as the grid below: this one, or the one the page was opened for.
        initial={"period": str(month_of(period))},
    )
    # The month's newest declaration, read before its wages: a confirmation of "old -> new"
    # holds for this version only (checked again under the month's lock when it posts).
    version = services.declaration_version(employer=employer, period=period) if grid_mode else 0
    # Everyone employed in the grid's month, including whoever's last month it is, but not
    # whose pension that month another employer pays (listed apart: a row would be refused).
    # Each pre-filled with the wage that counts for that month, not a later month's.
    employed = list(
        selectors.with_last_wage(
            selectors.employments_to_declare(employer=employer, period=period), period=period
        )
    )
    context: dict[str, Any] = {
        "employer": employer,
        "form": form,
        "grid": [
            {
                "employment": e,
                "name": mask_name(e.person.name),
                "resident_id": mask_resident_id(e.person.resident_id),
                "declared": f"{e.last_wage:.2f}",  # type: ignore[attr-defined]
                "wage": request.POST.get(f"wage-{e.pk}", f"{e.last_wage:.2f}"),  # type: ignore[attr-defined]
                "last_month": e.end_period == period,
            }
            for e in employed
        ],
        "elsewhere": [
            {"name": mask_name(e.person.name), "employer": other}
            for e, other in selectors.employments_declared_elsewhere(
                employer=employer, period=period
            )
        ],
        "grid_period": period_text or str(month_of(period)),
        "can_export": request.user.has_perm(services.EXPORT_EMPLOYEES, employer),
        # The month only when it is not this one: a link ending in .csv is a file to crawlers.
        "export_query": ""
        if period == current_period(timezone.localdate())
        else f"?period={month_of(period)}",
    }
    if grid_mode:
        # Wages edited in the page: one row per employee of the month, same checks as a file.
        rows = [
            services.DeclaredRow(i + 1, e.person.resident_id, request.POST.get(f"wage-{e.pk}", ""))
            for i, e in enumerate(employed)
        ]
        # What the employer saw checked: a confirmation holds for those wages only.
        checked = sm3_hex(
            json.dumps(
                [request.POST.get("period", ""), request.POST.get("kind", ""), version]
                + [[e.pk, request.POST.get(f"wage-{e.pk}", "")] for e in employed]
            ).encode()
        )
        confirmed = "confirm" in request.POST and request.POST.get("checked") == checked
        changes = _wage_changes(context["grid"])
        supplementary = request.POST.get("kind") == "supplementary"
        if supplementary and changes and not confirmed:
            # A supplementary rewrites the month: each changed wage, old -> new, is shown and
            # nothing is posted until the employer confirms these very wages.
            context.update(
                changes=changes,
                grid_kind="supplementary",
                checked=checked,
                token=request.POST.get("token", ""),
            )
            return render(request, "contributions/declare.html", context)
        try:
            result = services.declaration_submit(
                actor=request.user,
                employer=employer,
                period=parse_period(request.POST.get("period", "")),
                rows=rows,
                kind=request.POST.get("kind", "regular"),
                # The page's one-time token: a double click posts once.
                idempotency_key=request.POST.get("token") or None,
                confirm_adjustments=confirmed,
                # A supplementary whose wages could not be listed as old -> new posts nothing
                # unconfirmed: the check names the rows that are not amounts.
                preview=changes is None and supplementary and not confirmed,
                # A supplementary confirmed as "old -> new": refused if the month moved since.
                expected_version=version if confirmed and supplementary else None,
            )
        except (ServiceError, RuleError) as exc:
            context["grid_error"] = _message(exc)
        else:
            _show_result(request, employer, result, context)
            notes = {a.line: a for a in result.adjustments}
            for line, row in enumerate(context["grid"], start=1):
                row["adjustment"] = notes.get(line)
            if result.to_confirm:
                context["grid_kind"] = request.POST.get("kind", "regular")
                context["token"] = request.POST.get("token", "")  # the confirmation posts it
                context["checked"] = checked
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            files.check_size(upload.size)
            received, new = uploads.upload_receive(
                actor=request.user,
                employer=employer,
                period=parse_period(form.cleaned_data["period"]),
                kind=form.cleaned_data["kind"],
                name=upload.name,
                content=upload.read(),
                token=request.POST.get("token", ""),
            )
        except (ServiceError, RuleError) as exc:
            form.add_error(None, _message(exc))
        else:
            if new:
                uploads.upload_start(upload=received)
            return redirect("contributions:upload", employer_id=employer.pk, upload_id=received.pk)
    context.setdefault("token", secrets.token_hex(16))
    return render(request, "contributions/declare.html", context)


def _wage_changes(grid: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The grid's rows whose posted wage differs from the wage that counts for the month,
    each wage read by the money grammar the posting uses; None when one is not an amount
    (the posting refuses the declaration, naming every such row)."""
    changes = []
    for row in grid:
        try:
            new = parse_amount(str(row["wage"]))
        except RuleError:
            return None
        if new != Decimal(row["declared"]):
            changes.append({"name": row["name"], "old": row["declared"], "new": f"{new:.2f}"})
    return changes


def _upload_of(request: HttpRequest, employer_id: int, upload_id: int) -> DeclarationUpload:
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    upload = (
        DeclarationUpload.objects.select_related("employer")
        .filter(pk=upload_id, employer=employer)
        .first()
    )
    if upload is None:
        raise NotFound()
    return upload


def _errors_of(upload: DeclarationUpload) -> list[services.RowError]:
    return [
        services.RowError(e["line"], e["field"], e["message_zh"], e["message_en"])
        for e in upload.errors
    ]


@login_required
def upload_view(request: HttpRequest, employer_id: int, upload_id: int) -> HttpResponse:
    """An uploaded declaration: its progress while a job checks it (polled by htmx), then
    the bills, the refusal with every reason, or the adjusted bases to confirm."""
    upload = _upload_of(request, employer_id, upload_id)
    busy = upload.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)
    if busy:
        uploads.upload_resume(upload=upload)  # its thread lost in a restart: run it again
    context: dict[str, Any] = {
        "employer": upload.employer,
        "upload": upload,
        "period": month_of(upload.period),
        "busy": busy,
        "percent": uploads.percent(upload),
        "reply": upload.reply if upload.status == UploadStatus.ACCEPTED else None,
        "preview": upload.reply if upload.status == UploadStatus.TO_CONFIRM else None,
        "failed": upload.reply if upload.status == UploadStatus.FAILED else None,
    }
    if upload.status == UploadStatus.REFUSED:
        context["errors"] = _errors_of(upload)[:200]
        context["error_count"] = upload.reply.get("error_count", len(upload.errors))
        context["error_report"] = reverse(
            "contributions:upload_errors", args=[upload.employer_id, upload.pk]
        )
    if request.headers.get("HX-Request") and request.GET.get("part") == "progress":
        if not busy:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # done: the whole page shows the result
            return response
        return render(request, "contributions/_upload_progress.html", context)
    return render(request, "contributions/upload.html", context)


@require_POST
@login_required
def upload_confirm_view(request: HttpRequest, employer_id: int, upload_id: int) -> HttpResponse:
    """The employer confirms the bases raised to the floor or lowered to the cap."""
    upload = _upload_of(request, employer_id, upload_id)
    uploads.upload_confirm(actor=request.user, upload=upload)
    return redirect("contributions:upload", employer_id=employer_id, upload_id=upload.pk)


@login_required
def upload_errors_view(request: HttpRequest, employer_id: int, upload_id: int) -> HttpResponse:
    """A refused upload's reasons as CSV."""
    upload = _upload_of(request, employer_id, upload_id)
    if upload.status != UploadStatus.REFUSED:
        raise NotFound()
    total = (upload.reply or {}).get("error_count")
    response = HttpResponse(
        files.error_report(
            _errors_of(upload), zh=_chinese(), total=total if isinstance(total, int) else None
        ),
        content_type="text/csv",
    )
    response["Content-Disposition"] = 'attachment; filename="declaration-errors.csv"'
    return response


def _show_result(
    request: HttpRequest, employer: Any, result: services.DeclarationResult, context: dict[str, Any]
) -> None:
    if result.accepted:
        messages.success(request, _("Declaration accepted."))
        context["reply"] = result.reply
        return
    if result.to_confirm:
        context["preview"] = result.reply
        return
    kept = [e.as_dict() for e in result.errors[:MAX_ERRORS_KEPT]]
    request.session[ERRORS_KEY] = {
        "employer": employer.pk,
        "errors": kept,
        "total": len(result.errors),
    }
    context["error_report"] = reverse("contributions:error_report", args=[employer.pk])
    context["errors"] = result.errors[:200]
    context["error_count"] = len(result.errors)


@login_required
def error_report_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """The last rejected upload's reasons as CSV."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    stored = request.session.get(ERRORS_KEY)
    if not stored or stored.get("employer") != employer.pk:
        raise NotFound()
    errors = [
        services.RowError(e["line"], e["field"], e["message_zh"], e["message_en"])
        for e in stored["errors"]
    ]
    response = HttpResponse(
        files.error_report(errors, zh=_chinese(), total=stored.get("total")),
        content_type="text/csv",
    )
    response["Content-Disposition"] = 'attachment; filename="declaration-errors.csv"'
    return response


def template_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise NotFound()
    if fmt == "csv":
        response = HttpResponse(files.template_csv(), content_type="text/csv")
    else:
        response = HttpResponse(
            files.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="declaration-template.{fmt}"'
    return response


def _template_response(content: bytes, fmt: str, name: str) -> HttpResponse:
    kind = (
        "text/csv"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"  # full resident IDs: never kept by a cache
    return response


@login_required
def employer_template_view(request: HttpRequest, employer_id: int, fmt: str) -> HttpResponse:
    """The template pre-filled with the month's employees (full resident ID, name, last
    wage), for the employer's own users; journaled as a full view of their data."""
    if fmt not in {"csv", "xlsx"}:
        raise NotFound()
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    try:
        period = (
            parse_period(request.GET.get("period") or "")
            if request.GET.get("period")
            else (current_period(timezone.localdate()))
        )
    except RuleError as exc:
        return HttpResponse(_message(exc), status=400, content_type="text/plain; charset=utf-8")
    rows = services.employees_template(actor=request.user, employer=employer, period=period)
    table = [(r.resident_id, r.name, f"{r.wage:.2f}") for r in rows]
    content = files.template_csv(table) if fmt == "csv" else files.template_xlsx(table)
    return _template_response(content, fmt, f"declaration-{employer.pk}-{period}")


@login_required
def bills_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    rows = selectors.bills_of(employer=employer, today=timezone.localdate())
    # As the API's ``arrears_only``: a bill owing principal or its kept late surcharge.
    arrears_only = request.GET.get("arrears_only") == "1"
    shown = [r for r in rows if r.in_arrears] if arrears_only else rows
    credits = selectors.credits_of(employer=employer)
    return render(
        request,
        "contributions/bills.html",
        {
            "employer": employer,
            "rows": shown,
            "arrears_only": arrears_only,
            # Arrears are what is unpaid after the due date; a bill not yet due is owed.
            "arrears": sum((r.overdue for r in rows), Decimal(0)),
            "not_yet_due": sum((r.arrears - r.overdue for r in rows), Decimal(0)),
            "surcharge": sum((r.surcharge for r in rows), Decimal(0)),
            "late_fee_owed": sum((r.late_fee_owed for r in rows), Decimal(0)),
            "credits": credits,
            "credit": sum((c.amount for c in credits), Decimal(0)),
        },
    )


def _statement_person(request: HttpRequest, person_id: int | None) -> Any:
    if person_id is None:
        return selectors.person_own(actor=request.user)
    return selectors.person_checked(actor=request.user, person_id=person_id)


@login_required
def statement_view(request: HttpRequest, person_id: int | None = None) -> HttpResponse:
    """A person's contribution statement: their own, or one a staff member may see."""
    person = _statement_person(request, person_id)
    # The statement, and its two tables rendered in the reader's language, are kept per
    # person while the statement's fingerprint stands (``kept.py``); who asks, the person's
    # name and the interest accrued to this month are read or computed on every request.
    name = f"tables:{get_language()}"
    kept_statement = kept.statement(person.pk, derived=(name,))
    statement = kept_statement.base(lambda: selectors.statement_of(person=person))
    tables = kept_statement.derived(
        name,
        lambda: render_to_string(
            "contributions/_statement_tables.html", {"statement": statement}, request=None
        ),
    )
    return render(
        request,
        "contributions/statement.html",
        {
            "person": person,
            # As the person page shows it: masked (张*) for a role that may not reveal.
            "name": person.name
            if person_id is None
            else name_shown(actor=request.user, person=person),
            "masked_id": mask_resident_id(person.resident_id),
            "statement": statement,
            "tables": mark_safe(tables),  # noqa: S308 - rendered (escaped) by the template
            "interest_accrued": interest_accrued(person, statement),
        },
    )


def interest_accrued(person: Any, statement: selectors.Statement) -> Decimal | None:
    """Interest on the paid account for the years not credited yet, up to this month (at a
    provisional rate until the year's is published), from the entries the statement has
    read; None when it cannot be computed."""
    today = timezone.localdate()
    try:
        accrued = accrued_from(
            entries=statement.credited_entries,
            credited_year=statement.credited_year,
            month=YearMonth(today.year, today.month).plus(1),
            province=person.region.province_code,
        )
    except ServiceError:
        return None
    return accrued.balance - statement.account_balance


@login_required
def statement_pdf_view(request: HttpRequest, person_id: int | None = None) -> HttpResponse:
    person = _statement_person(request, person_id)
    issued = certificates.contribution_statement_issue(
        actor=request.user, person=person, facts=statement_facts(person)
    )
    pdf = statement_pdf.render(
        statement=selectors.statement_of(person=person),
        certificate=issued.certificate,
        code=issued.code,
        absolute=request.build_absolute_uri,
        generated=timezone.localtime(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="contribution-statement.pdf"'
    return response


@require_POST
@login_required
def bills_sync_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Ask the collecting authority for new payments now (it is also done periodically)."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    if not request.user.has_perm(services.DECLARE, employer):
        raise NotPermitted()
    try:
        result = collection_sync()
    except ServiceError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            _("%(sent)s bills sent, %(new)s new payments received.")
            % {"sent": result.bills_sent, "new": result.payments_new},
        )
    return redirect("contributions:bills", employer_id=employer.pk)


def _chinese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("zh")
