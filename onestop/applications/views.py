"""Case pages: apply online or at a counter, the case and its timeline, the work queue, and
the public status query."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.applications import bulk, employers, labels, prechecks, selectors, services
from onestop.applications.forms import (
    ActForm,
    BulkAssignForm,
    CaseSearchForm,
    CommentForm,
    CounterForm,
    EnrolmentFileForm,
    EscalateForm,
    HandoverForm,
    MaterialForm,
    QueueFilterForm,
    SchemaForm,
)
from onestop.applications.models import FINAL, Channel, Status
from onestop.applications.services.cases import staff_warnings
from onestop.applications.services.materials import material_supply, materials_to_upload
from onestop.applications.services.results import PROOF_ITEM
from onestop.catalogue import selectors as catalogue
from onestop.catalogue.selectors import field_titles
from onestop.common import answers
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.common.templatetags.one_language import pick
from onestop.common.throttles import throttle_page
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.models import StaffRole

CODE_KEY = "onestop_new_case_code"


def _message(error: ServiceError) -> str:
    if isinstance(error, NotPermitted):
        raise error
    return error.zh if (get_language() or "").startswith("zh") else error.en


def _notes(found: prechecks.Precheck) -> list[dict[str, Any]]:
    """The pre-check's notes in the page's language."""
    zh = (get_language() or "").startswith("zh")
    return [{"code": n.code, "text": n.zh if zh else n.en, "blocks": n.blocks} for n in found.notes]


def _label(spec: dict[str, Any], name: str) -> str:
    zh, en = field_titles(spec, name)
    return zh if (get_language() or "").startswith("zh") else en


def _filed(request: HttpRequest, filed: services.Filed) -> HttpResponse:
    request.session[CODE_KEY] = {"number": filed.application.number, "code": filed.code}
    return redirect("applications:case", number=filed.application.number)


def _page_of(value: str, pages: int) -> int | None:
    """``?page=N`` (0-based) or None for the check-your-answers page."""
    if value == "review":
        return None
    return int(value) if value.isdigit() and int(value) < pages else 0


@require_http_methods(["GET", "POST"])
@login_required
def apply_view(request: HttpRequest, code: str) -> HttpResponse:
    """File online, one question group per page, then check the answers and submit. The
    answers are kept in a draft after each page, so the person can leave and come back."""
    item = catalogue.item_get(code=code)
    if getattr(request.user, "person", None) is None:
        raise NotPermitted("仅参保人本人可在线申请。", "Only the person can apply online.")
    groups = services.form_groups(item.form_schema)
    # Reading the form writes nothing: the draft is kept once a page is saved.
    draft = services.draft_peek(actor=request.user, item=item)
    had_draft = draft.pk is not None
    found = prechecks.precheck(
        person=request.user.person,  # type: ignore[union-attr]
        item_code=item.code,
        today=timezone.localdate(),
    )
    notes = _notes(found)
    here = request.path
    action = request.POST.get("action", "next")
    if request.method == "POST" and action == "discard":
        services.draft_discard(actor=request.user, item_code=item.code)
        messages.success(request, _("The draft has been discarded."))
        return redirect("applications:mine")
    if request.method == "POST" and action == "submit":
        if not had_draft:
            # Submitted already (a double click, another tab): a fresh pre-fill that the
            # person never checked is not filed.
            messages.info(request, _("This application was already filed; it is not filed twice."))
            return redirect("applications:mine")
        try:
            return _filed(request, services.draft_submit(actor=request.user, item=item))
        except ServiceError as exc:
            messages.error(request, _message(exc))
            return redirect(f"{here}?page=review")
    default = "review" if draft.page >= len(groups) else str(draft.page)
    page = _page_of(request.POST.get("page") or request.GET.get("page", default), len(groups))
    if page is None:
        return render(
            request,
            "applications/apply_review.html",
            {
                "item": item,
                "groups": [
                    (
                        i,
                        title,
                        [
                            (
                                {"label": _label(item.form_schema["properties"][f], f)},
                                _answer_shown(
                                    item.form_schema["properties"][f], draft.answers.get(f), f
                                ),
                            )
                            for f in fields
                        ],
                    )
                    for i, (title, fields) in enumerate(groups)
                ],
                "notes": notes,
                "eligible": found.eligible,
            },
        )
    title, fields = groups[page]
    # A link may name a field's value (the employer's page links to the enrolment with its
    # credit code): it stands in the form, still for the person to check.
    linked = {k: v for k, v in request.GET.items() if k in fields and k not in ("page",)}
    form = SchemaForm(
        request.POST if request.method == "POST" else None,
        schema=item.form_schema,
        fields=fields,
        choices=found.choices,
        initial={
            **{
                k: v
                for k, v in draft.answers.items()
                if k not in found.choices or str(v) in found.choices[k]
            },
            **linked,
        },
    )
    # What stands in this page's fields from the record: only a page not yet saved holds
    # the pre-fill untouched (a saved page holds what the person gave).
    prefilled = [
        _label(item.form_schema["properties"][f], f)
        for f in fields
        if draft.page <= page
        and draft.answers.get(f) not in ("", None)
        and f not in linked
        and (f not in found.choices or str(draft.answers[f]) in found.choices[f])
    ]
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_save(actor=request.user, item=item, page=page, answers=form.answers())
            if action == "save":
                messages.success(request, _("Saved. Continue any time from My applications."))
                return redirect("applications:mine")
            following = "review" if page + 1 >= len(groups) else str(page + 1)
            return redirect(f"{here}?page={following}")
        except ServiceError as exc:
            form.add_error(None, _message(exc))
    return render(
        request,
        "applications/apply.html",
        {
            "item": item,
            "form": form,
            "page": page,
            "pages": len(groups),
            "group_title": title,
            "previous": page - 1 if page > 0 else None,
            "notes": notes,
            "eligible": found.eligible,
            "prefilled": prefilled,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def counter_apply_view(request: HttpRequest, code: str) -> HttpResponse:
    """A case worker files at the counter on the applicant's behalf, with consent."""
    profile = policy.staff_profile(request.user)
    if profile is None or profile.role != "case_worker":
        raise NotPermitted()
    item = catalogue.item_get(code=code)
    form = CounterForm(request.POST or None, schema=item.form_schema)
    if request.method == "POST" and form.is_valid():
        found = identity.person_list_for(
            actor=request.user, query=form.cleaned_data["resident_id"]
        ).first()
        if found is None:
            form.add_error("resident_id", _("No such person in your region."))
        else:
            answers = {
                k: v for k, v in form.answers().items() if k not in ("resident_id", "consent")
            }
            try:
                return _filed(
                    request,
                    services.application_submit(
                        actor=request.user,
                        item_code=item.code,
                        applicant=found,
                        answers=answers,
                        channel=Channel.COUNTER,
                        consent=form.cleaned_data["consent"],
                    ),
                )
            except ServiceError as exc:
                form.add_error(None, _message(exc))
    return render(
        request,
        "applications/apply.html",
        {"item": item, "form": form, "counter": True, "page": 0, "pages": 1},
    )


@login_required
def my_applications_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "applications/mine.html",
        {
            "cases": selectors.applications_of(actor=request.user),
            "drafts": selectors.drafts_of(actor=request.user),
        },
    )


def _material_status(materials: list[dict[str, Any]], case: Any) -> list[dict[str, Any]]:
    """Each material of the item: obtained by the platform (an e-licence, shared data),
    uploaded, or still to upload, as the service guide says."""
    used = {row["material"]: row for row in case.licences}
    uploaded = {m.name for m in case.materials.all()}
    return [
        {
            "name": m.get("name", ""),
            "name_en": m.get("name_en", ""),
            "required": m.get("required", True),
            "licence": used.get(m.get("name", "")),
            "supply": material_supply(case, m, uploaded),
            "uploaded": m.get("name", "") in uploaded,
            # The step whose department supplies it (``obtained_at``), by its name.
            "step": labels.task_label(m["obtained_at"]) if m.get("obtained_at") else "",
        }
        for m in materials
    ]


def _open_steps(request: HttpRequest, case: Any, reassigns: bool) -> list[dict[str, Any]]:
    """Each open staff step with its holder and what the user may do on it: act (unclaimed
    or theirs), claim, release, transfer or (a supervisor) reassign."""
    user = request.user
    rows = []
    for step in case.open_steps.all():
        acts = services.may_act(user, case, step.lane)
        free_or_mine = step.assignee_id in (None, user.pk)
        hands = (acts and free_or_mine) or reassigns
        candidates = (
            [
                u
                for u in selectors.handover_candidates(case=case, lane=step.lane)
                if u.pk not in (step.assignee_id, user.pk)
            ]
            if hands
            else []
        )
        rows.append(
            {
                "step": step,
                "form": ActForm(
                    task=step.name, prefix=step.name, establish=services.to_establish(case)
                )
                if acts and free_or_mine
                else None,
                "can_claim": acts and step.assignee_id is None,
                "can_release": step.assignee_id is not None
                and (step.assignee_id == user.pk or reassigns),
                "handover_form": HandoverForm(candidates=candidates, prefix=f"handover-{step.name}")
                if candidates
                else None,
            }
        )
    return rows


def _answer_shown(spec: dict[str, Any], value: Any, key: str = "") -> Any:
    """One answer as read: an option's label in the current language, yes/no for a
    boolean, a bank account masked; anything else (text typed, nothing yet) as it is."""
    if labels.is_masked(key, spec):
        return labels.masked(key, value, spec)
    option = catalogue.option_label(spec, value)
    if option:
        return option
    if isinstance(value, bool):
        return labels.value_shown(value)
    return value


def _timeline(case: Any, viewer: Any) -> list[Any]:
    """The case's steps as ``viewer`` may read them (``selectors.timeline_for``), each with
    ``actor_shown``: who acted, as the page names them. A person's user name is a pseudonym
    of no use to a reader: the applicant shows as "Applicant", another person by the masked
    name, the platform as such. Staff see a colleague's login; anyone else sees the role and
    office that acted ("case worker · Yanta social insurance agency"), never a login."""
    steps: list[Any] = selectors.timeline_for(actor=viewer, case=case)
    staff = policy.is_staff_member(viewer)
    people = {s.actor_label for s in steps if s.role in ("citizen", "anonymous")}
    names = identity.person_names_of_users(usernames=people) if people else {}
    colleagues = {s.actor_label for s in steps if s.role not in ("citizen", "anonymous", "system")}
    offices = (
        identity.staff_offices_of_users(usernames=colleagues) if colleagues and not staff else {}
    )
    applicant = case.applicant.user.get_username() if case.applicant.user_id else None
    for step in steps:
        if step.role == "system":
            step.actor_shown = _("the platform")
        elif step.role not in ("citizen", "anonymous"):
            step.actor_shown = step.actor_label if staff else _office_shown(step, offices)
        elif step.actor_label == applicant:
            step.actor_shown = _("Applicant")
        else:
            step.actor_shown = (
                mask_name(names[step.actor_label]) if step.actor_label in names else "—"
            )
    return steps


def _office_shown(step: Any, offices: dict[str, Any]) -> str:
    """A staff step as the applicant reads it: the role, then the agency that acted."""
    role = str(dict(StaffRole.choices).get(step.role, _("staff")))
    office = offices.get(step.actor_label)
    return f"{role} · {pick(office, 'name')}" if office is not None else role


def _answers_shown(schema: dict[str, Any], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The form's answers as read: each field's title and each option's label in the current
    language (the schema records both), never the key or the stored code."""
    properties = schema.get("properties", {})
    # In the form's declared order (a stored answer's keys come back in the store's order),
    # then anything the form no longer asks, by name.
    order = {name: n for n, name in enumerate(catalogue.form_fields(schema))}
    shown = []
    for key, value in sorted(answers.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        spec = properties.get(key, {})
        label = (
            catalogue.field_title(spec, key)
            if spec.get("title") or spec.get("x-title-en")
            else labels.fact_label(key)
        )
        if labels.is_masked(key, spec):
            shown.append((label, labels.value_shown(labels.masked(key, value, spec))))
            continue
        option = catalogue.option_label(spec, value)
        shown.append((label, option or labels.value_shown(labels.text_shown(key, value, spec))))
    return shown


def _deceased_page(viewer: Any, case: Any) -> str | None:
    """For staff who may see the deceased of a survivors' claim: the person page, where the
    full resident ID is revealed on request and the reveal journaled (the case shows it
    masked to everyone)."""
    typed = case.answers.get("deceased_resident_id")
    if not typed or not policy.is_staff_member(viewer):
        return None
    deceased = identity.person_by_resident_id(str(typed))
    if deceased is None or not policy.allows(viewer, policy.VIEW_PERSON, deceased):
        return None
    return reverse("identity:person_detail", args=[deceased.pk])


def _materials_named(uploaded: Any, listed: list[dict[str, Any]]) -> list[Any]:
    """The uploaded files, each with ``shown_name``: the item's material name in the
    current language (a file keeps the Chinese name it was uploaded under)."""
    from django.utils.translation import get_language

    english = not (get_language() or "zh").startswith("zh")
    names = {m["name"]: m.get("name_en") or m["name"] for m in listed}
    files = list(uploaded)
    for f in files:
        f.shown_name = names.get(f.name, f.name) if english else f.name
    return files


def _case_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    user = request.user
    actions = [
        {
            "task": task,
            "title": labels.step_title(title),
            "form": ActForm(task=task, prefix=task, applicant=True),
        }
        for task, lane, _, title in case.ready
        if lane == "applicant" and services.may_act(user, case, lane)
    ]
    new_code = request.session.pop(CODE_KEY, None)
    works = services.may_work_on(user, case)
    reassigns = services.may_reassign(user, case)
    item = catalogue.item_get(code=case.item_code, version=case.item_version)
    steps = _open_steps(request, case, reassigns)
    to_upload = materials_to_upload(case, item.materials)
    outstanding = services.materials_outstanding(case) if case.status not in FINAL else []
    held_by_other = any(
        r["step"].assignee_id not in (None, user.pk)
        and services.may_act(user, case, r["step"].lane)
        for r in steps
    )
    today = timezone.localdate()
    return {
        "case": case,
        "actions": actions,
        "open_steps": steps,
        "reassigns": reassigns,
        "clock": services.clock_of(case, today),
        "shows_time_left": policy.is_staff_member(user),
        # Instructions to staff (what to establish, how) are for staff; others see a status.
        "is_staff": policy.is_staff_member(user),
        "staff_warnings": staff_warnings(case)
        if policy.is_staff_member(user) and case.status not in FINAL
        else [],
        "escalate_form": EscalateForm() if works and not held_by_other else None,
        "comments": selectors.comments_for(actor=user, case=case),
        "comment_form": CommentForm() if policy.is_staff_member(user) else None,
        "materials": _materials_named(selectors.materials_of(case=case), item.materials or []),
        "material_status": _material_status(item.materials, case),
        "notice_printable": bool(outstanding) or case.status == "supplement",
        "material_form": MaterialForm(materials=to_upload)
        if to_upload and services.may_upload(user, case)
        else None,
        "item": item,
        "result_is_proof": case.item_code == PROOF_ITEM and case.status == "approved",
        "facts": [
            (labels.fact_label(k), labels.fact_value(k, v))
            for k, v in case.facts.items()
            if k not in ("award", "survivor", "establish", "unemployment")
        ],
        "to_establish": services.to_establish(case),
        "answers": _answers_shown(item.form_schema, case.answers),
        "deceased_page": _deceased_page(user, case),
        "award": case.facts.get("award"),
        "survivor": case.facts.get("survivor"),
        "unemployment": labels.unemployment_shown(case.facts),
        "steps": _timeline(case, user),
        "applicant": mask_name(case.applicant.name),
        "applicant_id": mask_resident_id(case.applicant.resident_id),
        "overdue": services.overdue(case, today),
        "new_code": new_code["code"] if new_code and new_code["number"] == case.number else None,
        "can_tablet": policy.role_of(user) == "case_worker"
        and policy.allows(user, policy.VIEW_PERSON, case.region),
        "is_applicant": getattr(request.user, "person", None) is not None
        and request.user.person.pk == case.applicant_id,  # type: ignore[union-attr]
        "rating_open": services.rating_open(case),
    }


@login_required
def case_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    return render(request, "applications/case.html", _case_context(request, case))


@require_POST
@login_required
def case_act_view(request: HttpRequest, number: str, task: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    if task not in {t for t, *_ in case.ready}:
        raise NotFound()
    establish = services.to_establish(case)
    form = ActForm(request.POST, task=task, prefix=task, establish=establish)
    if form.is_valid():
        try:
            services.application_act(
                actor=request.user,
                application=case,
                task=task,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                established={k: form.cleaned_data[k] for k in establish if k in form.fields},
            )
            messages.success(request, _("Recorded."))
        except ServiceError as exc:
            messages.error(request, _message(exc))
    return redirect("applications:case", number=case.number)


def _done(request: HttpRequest, case: Any, call: Any, success: str) -> HttpResponse:
    try:
        call()
        messages.success(request, success)
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("applications:case", number=case.number)


def _task_of(request: HttpRequest) -> str | None:
    """The step a queue action names (``task`` in the form); None: the first that fits."""
    task = (request.POST.get("task") or "").strip()[:64]
    return task or None


@require_POST
@login_required
def claim_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    task = _task_of(request)
    return _done(
        request,
        case,
        lambda: services.application_claim(actor=request.user, application=case, task=task),
        _("You hold this step now."),
    )


@require_POST
@login_required
def release_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    task = _task_of(request)
    return _done(
        request,
        case,
        lambda: services.application_release(actor=request.user, application=case, task=task),
        _("The step is back in the team's queue."),
    )


@require_POST
@login_required
def handover_view(request: HttpRequest, number: str) -> HttpResponse:
    """Transfer (the holder, or anyone eligible while unclaimed) or, for a supervisor,
    reassign the open step to an eligible colleague."""
    case = selectors.application_for(actor=request.user, number=number)
    task = _task_of(request)
    lane = next((r[1] for r in case.ready if r[0] == task), None) if task else None
    form = HandoverForm(
        request.POST,
        candidates=selectors.handover_candidates(case=case, lane=lane),
        prefix=f"handover-{task}" if task else "handover",
    )
    if not form.is_valid():
        if not services.may_work_on(request.user, case) and not services.may_reassign(
            request.user, case
        ):
            raise NotPermitted()
        messages.error(request, _("Choose a colleague who may act on this step."))
        return redirect("applications:case", number=case.number)
    to, note = form.cleaned_data["to"], form.cleaned_data["note"]
    operation = (
        services.application_reassign
        if services.may_reassign(request.user, case)
        else services.application_transfer
    )
    return _done(
        request,
        case,
        lambda: operation(actor=request.user, application=case, to=to, note=note, task=task),
        _("Handed over."),
    )


@require_POST
@login_required
def comment_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    form = CommentForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return _done(
        request,
        case,
        lambda: services.application_comment(actor=request.user, application=case, body=body),
        _("Comment added."),
    )


@require_POST
@login_required
def escalate_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    form = EscalateForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _done(
        request,
        case,
        lambda: services.application_escalate(actor=request.user, application=case, note=note),
        _("Escalated to the next level."),
    )


@require_POST
@login_required
def material_upload_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > services.MAX_BYTES:
        if not services.may_upload(request.user, case):
            raise NotPermitted()
        messages.error(request, _("Choose a PDF, JPEG or PNG file of at most 10 MB."))
        return redirect("applications:case", number=case.number)
    data = upload.read()
    return _done(
        request,
        case,
        lambda: services.material_upload(
            actor=request.user,
            application=case,
            name=request.POST.get("name", ""),
            file_name=upload.name or "",
            data=data,
        ),
        _("File uploaded."),
    )


@require_GET
@login_required
def material_view(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    material = selectors.material_for(actor=request.user, number=number, material_id=material_id)
    response = HttpResponse(
        services.material_read(material=material), content_type=material.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{material.download_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def result_view(request: HttpRequest, number: str) -> HttpResponse:
    """The decision notice: a signed e-document with a QR code to the public verification."""
    case = selectors.application_for(actor=request.user, number=number)
    pdf = services.decision_notice_pdf(
        actor=request.user, case=case, absolute=request.build_absolute_uri
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{case.number}.pdf"'
    return response


@require_GET
@login_required
def receipt_view(request: HttpRequest, number: str) -> HttpResponse:
    """The acceptance receipt (受理回执): a signed e-document with a QR code, printable at
    the counter."""
    case = selectors.application_for(actor=request.user, number=number)
    pdf = services.acceptance_receipt_pdf(
        actor=request.user, case=case, absolute=request.build_absolute_uri
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{case.number}.pdf"'
    return response


@require_GET
@login_required
def notice_view(request: HttpRequest, number: str) -> HttpResponse:
    """The one-time notice of missing materials (一次性告知书): a signed e-document listing
    every material the case still lacks, printable at the counter."""
    case = selectors.application_for(actor=request.user, number=number)
    pdf = services.supplement_notice_pdf(
        actor=request.user, case=case, absolute=request.build_absolute_uri
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{case.number}.pdf"'
    return response


@require_POST
@login_required
def withdraw_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.application_for(actor=request.user, number=number)
    try:
        services.application_withdraw(actor=request.user, application=case)
        messages.success(request, _("The application has been withdrawn."))
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("applications:case", number=case.number)


#: Queue rows a page (the oldest deadline first).
QUEUE_PAGE = 50


def _queue_filters(form: QueueFilterForm) -> selectors.QueueFilter:
    data = form.cleaned_data
    return selectors.QueueFilter(
        item=data.get("item") or "",
        status=data.get("status") or "",
        colour=data.get("colour") or "",
        channel=data.get("channel") or "",
        age=data.get("age"),
        mine=data.get("view") == "mine",
    )


def _queue_selects(filters: selectors.QueueFilter) -> str:
    """The queue filter's four lists (item, status, colour, channel) as HTML. With nothing
    chosen (every first visit of the queue) they are the same for every user of a language:
    kept by the process while the catalogue's generation stands (the item names)."""

    def build() -> str:
        return render_to_string(
            "applications/_queue_selects.html",
            {
                "items": catalogue.processed_item_choices(),
                "statuses": [(v, label) for v, label in Status.choices if v not in FINAL],
                "colours": [
                    ("green", _("on time")),
                    ("yellow", _("yellow: due soon")),
                    ("red", _("red: overdue")),
                ],
                "channels": Channel.choices,
                "filters": filters,
            },
        )

    if filters.item or filters.status or filters.colour or filters.channel:
        return build()
    return answers.kept(
        key=f"applications.queue_selects:{get_language()}",
        generation_of=catalogue.GENERATION,
        seconds=catalogue.KEPT_SECONDS,
        compute=build,
    )


@require_GET
@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    """The work queue (the team's, or ``?view=mine``), with the staff member's counts (to
    do, due soon, overdue, supplements waiting), filters by item, status, colour, channel
    and age, and bulk claim (or, for a supervisor, bulk assignment: every open step in
    scope)."""
    if not policy.is_staff_member(request.user):
        raise NotPermitted()
    today = timezone.localdate()
    form = QueueFilterForm(request.GET)
    valid = form.is_valid()
    filters = _queue_filters(form) if valid else selectors.QueueFilter()
    supervising = policy.allows(request.user, policy.REASSIGN_CASES)
    shown = (
        selectors.queue_for(actor=request.user, supervising=supervising, filters=filters)
        if valid
        else []
    )
    # The counts first: over the whole queue (the page's own when it is that), their one
    # query also gives the paginator its count.
    counts = selectors.work_counts(
        actor=request.user,
        queue=shown if valid and not supervising and filters == selectors.QueueFilter() else None,
    )
    page = Paginator(shown, QUEUE_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": c,
            "steps": c.my_steps,  # type: ignore[attr-defined]
            "applicant": mask_name(c.applicant.name),
            "overdue": services.overdue(c, today),
            "clock": c.clock,  # type: ignore[attr-defined]
        }
        for c in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    response = render(
        request,
        "applications/queue.html",
        {
            "mine": filters.mine,
            "cases": rows,
            "page": page,
            "query": params.urlencode(),
            "counts": counts,
            "form": form,
            "selects": _queue_selects(filters),
            "filters": filters,
            "age": request.GET.get("age", "")[:5] if valid else "",
            "supervising": supervising,
            "assign_form": BulkAssignForm(candidates=selectors.assignable_staff(actor=request.user))
            if supervising
            else None,
        },
    )
    if not valid:
        response.status_code = 400
    return response


@throttle_page("lookup")
def status_view(request: HttpRequest) -> HttpResponse:
    """Anyone with the case number and its code sees where the case stands."""
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    context: dict[str, Any] = {"number": number, "code": code}
    if number or code:
        try:
            case = selectors.status_public(number=number, code=code)
            context.update(case=case, steps=selectors.timeline_for(actor=None, case=case))
        except NotFound as exc:
            context["not_found"] = exc
    return render(request, "applications/status.html", context)


@require_GET
@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """Staff search cases in their region scope (number, applicant, item, status, dates;
    ``?person=`` lists one person's cases from their record), 25 a page."""
    if not policy.may_search_cases(request.user):
        raise NotPermitted()
    english = not (get_language() or "zh").startswith("zh")
    items = [
        (i.code, f"{i.code} {(i.name_en or i.name) if english else i.name}")
        for i in catalogue.items_current()
    ]
    form = CaseSearchForm(request.GET or None, items=items)
    page = None
    query = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = selectors.cases_search(
            actor=request.user,
            number=data["number"],
            applicant=data["applicant"],
            person_id=data["person"],
            item_code=data["item"],
            status=data["status"],
            channel=data["channel"],
            since=data["since"],
            until=data["until"],
        )
        page = Paginator(found, 25).get_page(request.GET.get("page"))
        today = timezone.localdate()
        page.rows = [  # type: ignore[attr-defined]
            {
                "case": c,
                "applicant": mask_name(c.applicant.name),
                "clock": services.clock_of(c, today),
            }
            for c in page.object_list
        ]
        params = request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    return render(
        request,
        "applications/search.html",
        {"form": form, "page": page, "searched": page is not None, "query": query},
    )


def _bulk_refused(request: HttpRequest, exc: bulk.BulkRefused) -> None:
    english = not (get_language() or "zh").startswith("zh")
    messages.error(request, _message(exc))
    for row in exc.refused:
        reason = row["message_en"] if english else row["message_zh"]
        messages.error(request, f"{row['number']}: {reason}")


@require_POST
@login_required
def bulk_claim_view(request: HttpRequest) -> HttpResponse:
    """Claim the selected cases (each one's first open step the user may act on): all or
    nothing; when one is refused none is claimed, and each refusal is named with its
    reason."""
    if not policy.is_staff_member(request.user):
        raise NotPermitted()
    try:
        claimed = bulk.cases_claim(actor=request.user, numbers=request.POST.getlist("number"))
        if claimed.held:
            messages.success(
                request,
                _("Newly claimed: %(n)s; already yours: %(held)s.")
                % {"n": len(claimed.new), "held": len(claimed.held)},
            )
        else:
            messages.success(request, _("Claimed: %(n)s.") % {"n": len(claimed.new)})
    except bulk.BulkRefused as exc:
        _bulk_refused(request, exc)
    except ServiceError as exc:  # nothing selected, too many (NotPermitted is raised)
        messages.error(request, _message(exc))
    return redirect("applications:queue")


@require_POST
@login_required
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    """A supervisor assigns the selected cases to a colleague: all or nothing, each refusal
    named with its reason."""
    if not policy.allows(request.user, policy.REASSIGN_CASES):
        raise NotPermitted()
    form = BulkAssignForm(request.POST, candidates=selectors.assignable_staff(actor=request.user))
    if not form.is_valid():
        messages.error(request, _("Choose the colleague to assign the cases to."))
        return redirect("applications:queue")
    try:
        done = bulk.cases_assign(
            actor=request.user,
            numbers=request.POST.getlist("number"),
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("Assigned to %(name)s: %(n)s.") % {"name": form.cleaned_data["to"], "n": len(done)},
        )
    except bulk.BulkRefused as exc:
        _bulk_refused(request, exc)
    except ServiceError as exc:  # nothing selected, too many (NotPermitted is raised)
        messages.error(request, _message(exc))
    return redirect("applications:queue")


@require_http_methods(["GET", "POST"])
@login_required
def enrol_file_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """An employer enrols several employees at once from a CSV file: one SX-SI-002 case each,
    all or none."""
    employer = identity.employer_get_for(actor=request.user, employer_id=employer_id)
    form = EnrolmentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = employers.enrolment_file(
                actor=request.user, employer=employer, data=form.cleaned_data["file"].read()
            )
            messages.success(
                request,
                _("%(n)d employees enrolled and added.") % {"n": len(filed)},
            )
            return redirect("contributions:employees", employer_id=employer.pk)
        except ServiceError as exc:
            form.add_error(None, _message(exc))
    return render(
        request,
        "applications/enrol_file.html",
        {
            "employer": employer,
            "form": form,
            "columns": employers.FILE_COLUMNS
            if get_language() == "zh-hans"
            else employers.FILE_COLUMNS_EN,
        },
    )
