"""Cases: filing on any channel, acting on the process's tasks, withdrawing; the clock.

Who may act on a ready task is decided by its BPMN lane: ``applicant`` (the applicant),
``case_worker``/``reviewer`` (staff of that role whose region scope covers the case), or a
department (``civil_affairs``, ``medical_insurance``: staff of such an agency in scope).
A case escalated a level up is handled only by staff whose scope covers the higher region.

The clock: the case deadline is the promised limit in working days from filing. While only
the applicant's steps (or steps the item excludes from the limit) are open, the clock is
paused and the deadline moves by the working days spent. Each staff step has its own
deadline: its limit from the item (``step_limits``), never past the case deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy

from onestop.applications import prechecks
from onestop.applications.models import FINAL, Application, Channel, OpenStep, Status, Step
from onestop.audit.services import record
from onestop.catalogue import selectors as catalogue
from onestop.catalogue.models import ServiceItem
from onestop.catalogue.selectors import field_titles
from onestop.common.accounts import (
    bank_account_normalized,
    bank_account_repeated,
    bank_card_check_digit_wrong,
)
from onestop.common.digests import code_hash, new_code
from onestop.common.errors import (
    NotPermitted,
    ServiceError,
    both_languages,
    languages_of,
    pick_message,
)
from onestop.common.workdays import add_working_days, working_days_between
from onestop.exchange.labels import case_party, case_purpose
from onestop.exchange.licences import licences_for_case
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.crypto import blind_index
from onestop.identity.models import Person, Region, User
from onestop.notifications.services import notify
from onestop.rules.amounts import parse_amount
from onestop.rules.identifiers import check_resident_id, normalize_typed
from onestop.rules.unemployment import SEPARATION_LABELS, Separation
from onestop.rules.values import RuleError
from onestop.workflow import engine

DECISIONS = {
    "accept": {"accept", "supplement", "not_accept"},
    "review": {"approve", "reject"},
    "decide": {"approve", "reject"},
    # The joint review's branches: each department confirms or refuses on its own; the
    # process (death_benefits.bpmn) routes a refusal to ``reject_refused`` after the join.
    "hrss_review": {"confirm", "refuse"},
    "civil_affairs_review": {"confirm", "refuse"},
    "medical_insurance_review": {"confirm", "refuse"},
    "reject_refused": {"reject"},
}
#: Decisions that need written reasons.
NEEDS_REASONS = {"supplement", "not_accept", "reject", "refuse"}
#: Decisions that go ahead with the case: the materials the step needs must be there.
POSITIVE = {"accept", "approve", "confirm", "done"}
STAFF_ROLES = ["case_worker", "reviewer"]
HRSS_AGENCIES = {"si_agency", "hrss_bureau"}
#: Facts a decider may have to establish, the filing could not know them (a woman's post,
#: which decides her retirement category, D1), with the values each may take. An item's
#: service task lists them in the fact ``establish``; an approval needs every one.
ESTABLISHABLE: dict[str, tuple[str, ...]] = {
    "post_category": ("cadre", "worker"),
    # How an employment ended when the employer's removal reason names no case of D12
    # art. 4, or the person contests it: the case worker determines it (SX-SI-009).
    "separation_determined": tuple(s.value for s in Separation),
}
#: Each value's Chinese name, for refusals that list the codes to a Chinese reader.
ESTABLISHABLE_ZH: dict[str, dict[str, str]] = {
    "post_category": {"cadre": "管理或专业技术岗位", "worker": "工人岗位"},
    "separation_determined": {s.value: zh for s, (zh, _) in SEPARATION_LABELS.items()},
}
#: Their names in refusals (zh, en).
ESTABLISHABLE_NAMES = {
    "post_category": ("岗位类别", "post category"),
    "separation_determined": ("离职原因", "how the last employment ended"),
}


def to_establish(case: Application) -> list[str]:
    """The facts the case's decider must still establish (``ESTABLISHABLE``), in order."""
    asked = case.facts.get("establish") or []
    return [k for k in ESTABLISHABLE if k in asked and not case.facts.get(k)]


def _established(case: Application, decision: str, given: dict[str, str] | None) -> dict[str, str]:
    """The facts this decision establishes, checked: only those the case asks for, each one
    of its values; an approval needs them all."""
    asked = to_establish(case)
    found: dict[str, str] = {}
    for key, value in (given or {}).items():
        value = str(value or "").strip()
        if not value:
            continue
        if key not in asked:
            raise ServiceError(
                f"本办件无需确定“{key}”。",
                f"This case does not ask for {key} to be established.",
                code="establish",
            )
        if value not in ESTABLISHABLE[key]:
            zh, en = ESTABLISHABLE_NAMES[key]
            named = "、".join(
                f"{ESTABLISHABLE_ZH[key][v]}（{v}）" if v in ESTABLISHABLE_ZH.get(key, {}) else v
                for v in ESTABLISHABLE[key]
            )
            raise ServiceError(
                f"{zh}应为：{named}。",
                f"{en[:1].upper()}{en[1:]}: use one of {', '.join(ESTABLISHABLE[key])}.",
                code="establish",
            )
        found[key] = value
    missing = [k for k in asked if k not in found]
    if decision == "approve" and missing:
        names = [ESTABLISHABLE_NAMES[k] for k in missing]
        raise ServiceError(
            f"批准前须确定：{'、'.join(zh for zh, _ in names)}（申请时记录中没有）。",
            f"Establish before approving: {', '.join(en for _, en in names)} (not on record "
            "when filed).",
            code="establish",
        )
    return found


@dataclass(frozen=True)
class Filed:
    application: Application
    code: str  # the verification code for the public status query, shown once


#: Process data that the platform puts in itself, not facts gathered for the case.
START_KEYS = {"item_code", "applicant_id", "channel", "decision", "answers"}
#: Suffix of the process variable each task's decision is also kept under (``<task>_decision``),
#: so parallel branches' outcomes survive the join side by side.
DECISION_SUFFIX = "_decision"


def _ready(instance: engine.Instance) -> list[list[str]]:
    return [[t.name, t.lane, t.id, t.title] for t in instance.ready]


def _facts_of(instance: engine.Instance) -> dict[str, Any]:
    return {
        k: v
        for k, v in instance.data.items()
        if k not in START_KEYS and not k.endswith(DECISION_SUFFIX)
    }


def steps_sync(case: Application) -> None:
    """Make the case's ``OpenStep`` rows follow its ready staff steps: rows of completed steps
    go (with their claims), new steps open unclaimed, steps still open keep their holder."""
    staff = {r[2]: r for r in case.ready if r[1] != "applicant"} if case.status not in FINAL else {}
    OpenStep.objects.filter(application=case).exclude(task_id__in=list(staff)).delete()
    have = set(OpenStep.objects.filter(application=case).values_list("task_id", flat=True))
    now = timezone.now()
    OpenStep.objects.bulk_create(
        [
            OpenStep(
                application=case,
                task_id=task_id,
                name=name,
                lane=lane,
                title=(title or name)[:200],
                opened_at=now,
            )
            for task_id, (name, lane, _, title) in staff.items()
            if task_id not in have
        ]
    )


def step_add(
    application: Application,
    actor: Any,
    action: str,
    task: str = "",
    note: str | Mapping[str, str] = "",
) -> None:
    """One line on the case's timeline (``actor`` None: the platform itself). ``note`` is
    what a person wrote, kept as written, or the platform's own note in both languages
    (``both_languages``), each kept apart and shown in the reader's language."""
    zh, en = languages_of(note) if isinstance(note, Mapping) else (str(note), "")
    Step.objects.create(
        application=application,
        at=timezone.now(),
        actor_label=actor.get_username() if actor is not None else "system",
        role=policy.role_of(actor) if actor is not None else "system",
        action=action,
        task=task,
        note=zh[:NOTE_LIMIT],
        note_en=en[:NOTE_LIMIT],
    )


#: The longest timeline note kept (in each language).
NOTE_LIMIT = 2000


#: What a pattern in a form schema asks for, in plain words (a pattern is never shown).
PATTERN_HINTS: dict[str, tuple[str, str]] = {
    "^[0-9]{4}-[0-9]{2}$": ("应写成“年-月”，例如2027-03", "write it as year-month, e.g. 2027-03"),
    "^[0-9]{12,19}$": ("应为12至19位数字", "it should be 12 to 19 digits"),
    "^[0-9]{17}[0-9Xx]$": (
        "应为18位公民身份号码（最后一位可为X）",
        "it should be an 18-character resident ID (the last may be X)",
    ),
}


def plain_error(schema: dict[str, Any], error: jsonschema.ValidationError) -> tuple[str, str]:
    """One schema violation in plain words in both languages: which field, and what it
    should be; never the validator's own message or a pattern."""
    properties = schema.get("properties", {})
    if error.validator == "required":
        missing = next((n for n in error.validator_value if n not in (error.instance or {})), "")
        zh, en = field_titles(properties.get(missing, {}), missing)
        return f"请填写“{zh}”。", f"Please fill in “{en}”."
    name = str(error.absolute_path[0]) if error.absolute_path else ""
    spec = properties.get(name, {})
    zh, en = field_titles(spec, name) if name else ("表单", "the form")
    hint = spec.get("x-hint") or {}
    if error.validator == "pattern":
        hz, he = PATTERN_HINTS.get(str(error.validator_value), ("", ""))
        hz, he = hint.get("zh", hz), hint.get("en", he)
        if hz:
            return f"“{zh}”填写有误：{hz}。", f"“{en}” is not valid: {he}."
        return f"“{zh}”的格式不正确。", f"“{en}” is not in the expected form."
    if error.validator == "enum":
        return f"请从列表中选择“{zh}”。", f"Choose “{en}” from the list."
    if error.validator == "maxLength":
        n = error.validator_value
        return f"“{zh}”最多{n}个字。", f"“{en}” is at most {n} characters."
    if error.validator == "minLength":
        n = error.validator_value
        return f"“{zh}”至少{n}个字。", f"“{en}” needs at least {n} characters."
    if error.validator == "type":
        return f"“{zh}”的填写方式不对。", f"“{en}” is not given in the right way."
    return f"“{zh}”填写有误。", f"“{en}” is not valid."


def _bank_fields(schema: dict[str, Any]) -> list[str]:
    """The form's bank account fields (``"x-mask": "bank_account"``)."""
    return [
        name
        for name, spec in (schema.get("properties") or {}).items()
        if isinstance(spec, dict) and spec.get("x-mask") == "bank_account"
    ]


def resident_id_fields(schema: dict[str, Any]) -> list[str]:
    """The form's resident ID fields (``"x-mask": "resident_id"``, or named ``*resident_id``)."""
    return [
        name
        for name, spec in (schema.get("properties") or {}).items()
        if isinstance(spec, dict)
        and (spec.get("x-mask") == "resident_id" or name.endswith("resident_id"))
    ]


def identifier_fields(schema: dict[str, Any]) -> list[str]:
    """Fields holding an identifier people type with spaces or hyphens (resident IDs, credit
    codes, bank accounts): the form must not cut them before they are normalised."""
    credit = [n for n in (schema.get("properties") or {}) if n.endswith("credit_code")]
    return [*resident_id_fields(schema), *credit, *_bank_fields(schema)]


def answers_normalized(schema: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as every check, the blind index and the record read them: a bank account
    typed as printed ("6222 0202 0011 2233 445", dashes, full-width digits) as its digits; a
    resident ID or credit code ("610113 20020409 9274") as the standard writes it."""
    if not isinstance(answers, dict):
        return answers  # the schema refuses it
    fixed = dict(answers)
    for name in _bank_fields(schema):
        if isinstance(fixed.get(name), str):
            fixed[name] = bank_account_normalized(fixed[name])
    credit = [n for n in (schema.get("properties") or {}) if n.endswith("credit_code")]
    for name in [*resident_id_fields(schema), *credit]:
        if isinstance(fixed.get(name), str):
            fixed[name] = normalize_typed(fixed[name])
    for name in amount_fields(schema):
        value = fixed.get(name)
        if not isinstance(value, str) or not value.strip() or _PLAIN_AMOUNT.match(value):
            continue
        # The one money grammar ("6,000", full-width digits), as the XLSX declaration reads it.
        try:
            fixed[name] = f"{parse_amount(value):.2f}"
        except RuleError as exc:
            zh, en = field_titles(schema["properties"][name], name)
            raise ServiceError(
                f"“{zh}”填写有误：{exc.zh}", f"“{en}” is not valid: {exc.en}", code="form"
            ) from exc
    return fixed


#: An amount already written as the form's schema stores it (digits, at most two decimals).
_PLAIN_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")
#: Form fields that hold an amount of money (``"x-amount": true``, or these names).
AMOUNT_NAMES = frozenset({"wage", "base"})


def amount_fields(schema: dict[str, Any]) -> list[str]:
    """The form's amount fields: typed in the money grammar (``parse_amount``)."""
    return [
        name
        for name, spec in (schema.get("properties") or {}).items()
        if isinstance(spec, dict)
        and spec.get("type") == "string"
        and (spec.get("x-amount") is True or name in AMOUNT_NAMES)
    ]


def validate_answers(schema: dict[str, Any], answers: dict[str, Any]) -> None:
    """Check answers against a form's JSON Schema; every problem, in plain words, in both
    languages. A bank account of one repeated digit ("000000000000") is no account; a bank
    card number's Luhn check digit must be right (``bank_card_check_digit_wrong``)."""
    validator = jsonschema.Draft202012Validator(schema)
    # Problems in the form's declared order (``x-order``), a missing field first.
    order = {name: n for n, name in enumerate(catalogue.form_fields(schema))}
    errors = sorted(
        validator.iter_errors(answers),
        key=lambda e: (
            order.get(str(e.absolute_path[0]), len(order)) if e.absolute_path else -1,
            [str(p) for p in e.absolute_path],
        ),
    )
    found = list(dict.fromkeys(plain_error(schema, e) for e in errors))
    for name in _bank_fields(schema):
        value = answers.get(name)
        if isinstance(value, str) and bank_account_repeated(value):
            zh, en = field_titles(schema["properties"][name], name)
            found.append(
                (
                    f"“{zh}”填写有误：不能全部是同一个数字。",
                    f"“{en}” is not valid: an account is not one digit repeated.",
                )
            )
        elif isinstance(value, str) and bank_card_check_digit_wrong(value):
            zh, en = field_titles(schema["properties"][name], name)
            found.append(
                (
                    f"“{zh}”填写有误：银行卡号的校验位不正确，请逐位核对卡号。",
                    f"“{en}” is not valid: the card number's check digit is wrong; "
                    "check each digit.",
                )
            )
    for name in resident_id_fields(schema):
        value = answers.get(name)
        if not isinstance(value, str) or not value:
            continue
        # The length and characters the schema checks; the check digit and birth date are
        # GB 11643-1999's (python-stdnum's cn.ric digit), as the person pages read them.
        check = check_resident_id(value, today=timezone.localdate(), with_place=False)
        reason = check.reason
        if not check.valid and reason is not None and reason.code not in ("length", "format"):
            zh, en = field_titles(schema["properties"][name], name)
            found.append((f"“{zh}”填写有误：{reason.zh}", f"“{en}” is not valid: {reason.en}"))
    if found:
        raise ServiceError(
            "".join(zh for zh, _ in found), " ".join(en for _, en in found), code="form"
        )


def case_link(case: Application) -> str:
    return reverse("applications:case", args=[case.number])


def _lazy_text(function: Callable[..., str]) -> Callable[..., str]:
    return lazy(function, str)


def case_facts(case: Application, **extra: Any) -> dict[str, Any]:
    """A notification's facts about ``case``. The item's name and a step's name are lazy:
    each language's message reads them in its own language."""
    from onestop.applications import labels

    facts = {"number": case.number, "item": _lazy_text(catalogue.item_name)(code=case.item_code)}
    if isinstance(extra.get("task"), str):
        extra["task"] = _lazy_text(labels.step_title)(extra["task"])
    return {**facts, **extra}


def eligible_staff(case: Application, lane: str) -> list[User]:
    """Staff who may act on a step of ``lane``, nearest level first."""
    if lane == "applicant":
        return []
    routed = case.escalated_to or case.region
    profiles = identity.staff_in_scope_of(region=routed, roles=STAFF_ROLES)
    return [p.user for p in profiles if may_act(p.user, case, lane)]


def nearest_staff(users: list[User]) -> list[User]:
    """Of eligible staff (nearest first), those at the nearest level only."""
    if not users:
        return []
    prefix = len(users[0].staff_profile.region.scope_prefix)
    return [u for u in users if len(u.staff_profile.region.scope_prefix) == prefix]


def _announce_new_tasks(case: Application, previous: set[str]) -> None:
    """Tell the staff at the nearest level about each staff step that just opened."""
    for name, lane, task_id, title in case.ready:
        if task_id in previous or lane == "applicant":
            continue
        notify(
            recipients=nearest_staff(eligible_staff(case, lane)),
            event="applications.task",
            context=case_facts(case, task=title or name, due=case.step_deadline or case.deadline),
            link=case_link(case),
        )


def clock_update(case: Application, item: ServiceItem, today: dt.date, previous: set[str]) -> None:
    """Pause, resume and restart the clocks after the ready steps changed."""
    excluded = set(item.clock_excluded_steps or [])
    staff_ready = [r for r in case.ready if r[1] != "applicant" and r[0] not in excluded]
    waiting = bool(case.ready) and not staff_ready
    if waiting and case.paused_since is None:
        case.paused_since = today
    elif not waiting and case.paused_since is not None:
        moved = add_working_days(case.deadline, working_days_between(case.paused_since, today))
        case.deadline, case.paused_since = moved.date, None
        case.deadline_provisional = case.deadline_provisional or moved.provisional
    if not staff_ready:
        case.step_started = case.step_deadline = None
    elif not {r[2] for r in staff_ready} <= previous or case.step_started is None:
        limits = item.step_limits or {}
        dues = [
            add_working_days(today, int(limits[name])).date if name in limits else case.deadline
            for name, *_ in staff_ready
        ]
        case.step_started, case.step_deadline = today, min([*dues, case.deadline])


class DuplicateCase(ServiceError):
    status = 409
    code = "open_case"


#: The statuses of a case still being handled (what the one-open-case rule counts).
OPEN = [Status.SUBMITTED, Status.SUPPLEMENT, Status.IN_REVIEW]


def open_case_key(item: ServiceItem, applicant: Person, answers: dict[str, Any]) -> str | None:
    """The key that makes a second open case of ``item`` a duplicate, from the item's
    ``x-one-open-case`` (a list of answer fields, ``"applicant"`` for the applicant
    itself; absent: no limit). An HMAC, since the values may be identifiers."""
    fields = item.form_schema.get("x-one-open-case") if item.form_schema else None
    if not isinstance(fields, list):
        return None
    values = [
        str(applicant.pk) if f == "applicant" else str(answers.get(f, "")).strip().upper()
        for f in fields
    ]
    return blind_index(json.dumps([item.code, *values]), purpose="open_case")


def _refuse_duplicate(key: str, applicant: Person) -> None:
    """DuplicateCase (409) when a case with ``key`` is open; its number only to its own
    applicant (another filer's case is not theirs to know)."""
    found = Application.objects.filter(open_key=key, status__in=OPEN).first()
    if found is None:
        return
    if found.applicant_id == applicant.pk:
        raise DuplicateCase(
            f"您已有一件办理中的同类申请（办件编号{found.number}），请勿重复提交；"
            "可在“我的办件”中查看进度。",
            f"You already have this application in progress (case {found.number}); it is "
            "not filed twice. Follow it under My cases.",
        )
    raise DuplicateCase(
        "该事项已有一件办理中的申请，不能重复提交；如有疑问请联系经办机构。",
        "An application for this is already in progress; it cannot be filed twice. Ask "
        "the agency if in doubt.",
    )


def application_submit(
    *,
    actor: Any,
    item_code: str,
    applicant: Person,
    answers: dict[str, Any],
    channel: str = Channel.ONLINE,
    consent: bool = False,
) -> Filed:
    """File a case for ``applicant``: by themselves online or through the API, or by a case
    worker at a counter with the applicant's recorded consent."""
    # The competent place: the applicant's, unless the item routes elsewhere (survivors
    # claim where the deceased was insured).
    region = next(
        (r for r in (route(applicant, answers) for route in ROUTES.get(item_code, [])) if r),
        applicant.region,
    )
    if channel in (Channel.ONLINE, Channel.API):
        if getattr(actor, "person", None) is None or actor.person.pk != applicant.pk:
            raise NotPermitted()
    elif channel == Channel.COUNTER:
        profile = policy.staff_profile(actor)
        if profile is None or profile.role != "case_worker" or not policy.in_scope(profile, region):
            raise NotPermitted()
        if not consent:
            raise ServiceError(
                "柜台代办须记录申请人的同意。",
                "Filing at a counter needs the applicant's consent recorded.",
                code="consent",
            )
    else:
        raise ServiceError("未知的办理渠道。", "Unknown channel.", code="channel")
    item = catalogue.item_get(code=item_code)
    if not engine.has_process(item.process) or channel not in [*item.channels, "api"]:
        raise ServiceError(
            "该事项暂不支持此渠道在线办理。",
            "This service cannot be filed on this channel yet.",
            code="channel",
        )
    if item.form_schema:
        answers = answers_normalized(item.form_schema, answers)
        validate_answers(item.form_schema, answers)
    open_key = open_case_key(item, applicant, answers)
    if open_key is not None:
        _refuse_duplicate(open_key, applicant)
    for check in SUBMIT_CHECKS.get(item.code, []):
        check(applicant, answers)
    for standing in STANDING_CHECKS.get(item.code, []):
        standing(applicant, answers, channel)
    # What the item lets this person choose at all (the same offer the form made).
    prechecks.enforce(
        found=prechecks.precheck(person=applicant, item_code=item.code, today=timezone.localdate()),
        answers=answers,
    )
    # Certificate-free: what the e-licence library or a registry can stand in for.
    # A registry is asked about someone other than the applicant only at a counter (the case
    # worker has the papers in hand); online, only what the library already holds.
    licences = licences_for_case(
        applicant=applicant,
        answers=answers,
        materials=item.materials,
        party=case_party(item.code),
        purpose=case_purpose(item.code),
        ask_about_others=channel == Channel.COUNTER,
    )
    code = new_code()
    now = timezone.now()
    today = timezone.localdate()
    deadline = add_working_days(today, item.promised_limit_days)
    instance = engine.start(
        process=item.process,
        data={
            "item_code": item.code,
            "applicant_id": applicant.pk,
            "channel": channel,
            "answers": answers,
        },
    )
    for _ in range(5):
        number = f"SX{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                application = Application(
                    number=number,
                    code_hash=code_hash(code),
                    item_code=item.code,
                    item_version=item.version,
                    item_name=item.name,
                    applicant=applicant,
                    region=region,
                    channel=channel,
                    filed_by=actor,
                    consent_at=now if channel == Channel.COUNTER else None,
                    answers=answers,
                    workflow_state=instance.state,
                    ready=_ready(instance),
                    submitted_at=now,
                    deadline=deadline.date,
                    deadline_provisional=deadline.provisional,
                    process_version=instance.version,
                    facts=_facts_of(instance),
                    licences=licences,
                    open_key=open_key,
                )
                clock_update(application, item, today, set())
                application.save()
                for hook in FILED_HOOKS.get(item.code, []):
                    hook(application)
                steps_sync(application)
                step_add(application, actor, "submitted", note=channel)
                record(
                    actor=actor,
                    action="applications.submitted",
                    target=application,
                    changes={"item": f"{item.code} v{item.version}", "channel": channel},
                )
                notify(
                    recipients=[applicant.user],
                    event="applications.submitted",
                    context=case_facts(application, deadline=application.deadline),
                    link=case_link(application),
                )
                if instance.completed:
                    _decided_at_once(application, instance, actor)
                else:
                    _announce_new_tasks(application, set())
            return Filed(application, code)
        except IntegrityError:
            if open_key is not None:
                _refuse_duplicate(open_key, applicant)  # filed at the same moment
            continue  # the random number was taken; draw another
    raise ServiceError("系统繁忙，请重试。", "Please try again.", code="busy")


#: Process data a service task sets when it refuses a case by itself: the reasons in each
#: language (``both_languages``; a case filed before kept one text "中文 English", still
#: read), shown on the timeline, the decision notice and the applicant's message.
REFUSAL_KEY = "refusal"


def _decided_at_once(case: Application, instance: engine.Instance, actor: Any) -> None:
    """A process that ended without a human step (service tasks only, e.g. the proof of
    insurance): the case is decided as its end event says, in the filing's transaction.
    An approval runs the item's hooks there too, so a hook's refusal files nothing."""
    approved = "approved" in instance.ended
    case.status = Status.APPROVED if approved else Status.REJECTED
    case.completed_at = timezone.now()
    case.save(update_fields=["status", "completed_at"])
    steps_sync(case)
    if approved:
        for hook in APPROVAL_HOOKS.get(case.item_code, []):
            hook(case, actor)
    decision = "approve" if approved else "reject"
    refusal = None if approved else instance.data.get(REFUSAL_KEY)
    zh, en = languages_of(refusal) if refusal else ("", "")
    step_add(case, None, decision, task="decide", note=both_languages(zh, en))
    record(
        actor=None,
        action=f"applications.decide.{decision}",
        target=case,
        changes={"status": case.status, "by": "service_task", "ended": list(instance.ended)},
    )
    event = _outcome_event(decision)
    if event is not None:
        notify(
            recipients=[case.applicant.user],
            event=event,
            # The service task's reasons are recorded in both languages: each language's
            # message carries its own (the template adds the full stop).
            context=case_facts(case, note=lazy(_reasons_in_language, str)(zh, en)),
            link=case_link(case),
        )


def _reasons_in_language(zh: str, en: str = "") -> str:
    """The reasons in the active language (``en`` empty: a person's, as written), without
    their closing stop, any resident ID written in them masked (a message is read on
    screens and phones)."""
    from onestop.identity.masking import mask_resident_ids_in

    return mask_resident_ids_in(pick_message(zh, en or zh).rstrip("。.． "))


#: Checks other contexts make before a case of an item is filed (an exception refuses it,
#: nothing is saved). Registered by those contexts when they load.
SUBMIT_CHECKS: dict[str, list[Callable[[Person, dict[str, Any]], None]]] = {}

#: Where a case of an item is handled when not at the applicant's region: ``(applicant,
#: answers) -> Region | None``. Registered by the contexts that know.
ROUTES: dict[str, list[Callable[[Person, dict[str, Any]], Region | None]]] = {}


def on_route(item_code: str, route: Callable[[Person, dict[str, Any]], Region | None]) -> None:
    ROUTES.setdefault(item_code, []).append(route)


def on_submit(item_code: str, check: Callable[[Person, dict[str, Any]], None]) -> None:
    SUBMIT_CHECKS.setdefault(item_code, []).append(check)


#: Who may file a case of an item on a channel (``(applicant, answers, channel)``; an
#: exception refuses it, nothing is saved). Registered by the contexts that know.
STANDING_CHECKS: dict[str, list[Callable[[Person, dict[str, Any], str], None]]] = {}


def on_standing(item_code: str, check: Callable[[Person, dict[str, Any], str], None]) -> None:
    STANDING_CHECKS.setdefault(item_code, []).append(check)


#: What other contexts record when a case of an item is filed (in the filing's transaction,
#: after the case is saved). Registered by those contexts when they load.
FILED_HOOKS: dict[str, list[Callable[[Application], None]]] = {}


def on_filed(item_code: str, hook: Callable[[Application], None]) -> None:
    FILED_HOOKS.setdefault(item_code, []).append(hook)


#: Warnings other contexts give the staff on a case's page: ``case -> [(Chinese,
#: English)]``. Registered by those contexts when they load.
Warn = Callable[[Application], list[tuple[str, str]]]
STAFF_WARNINGS: dict[str, list[Warn]] = {}


def on_staff_warning(item_code: str, warn: Warn) -> None:
    STAFF_WARNINGS.setdefault(item_code, []).append(warn)


def staff_warnings(case: Application) -> list[str]:
    """What the contexts warn the staff of on ``case``'s page, in the active language."""
    return [
        pick_message(zh, en)
        for warn in STAFF_WARNINGS.get(case.item_code, [])
        for zh, en in warn(case)
    ]


#: What other contexts do when a case of an item is approved (in the approval's transaction;
#: an exception refuses the approval). Registered by those contexts when they load.
APPROVAL_HOOKS: dict[str, list[Callable[[Application, Any], Any]]] = {}


def on_approved(item_code: str, hook: Callable[[Application, Any], Any]) -> None:
    APPROVAL_HOOKS.setdefault(item_code, []).append(hook)


#: Whether a rating of a case would be accepted now, as the reviews context knows it
#: (registered when it loads); the case page links to the rating form only then.
RATING_OPEN: list[Callable[[Application], bool]] = []


def on_rating_open(hook: Callable[[Application], bool]) -> None:
    RATING_OPEN.append(hook)


def rating_open(case: Application) -> bool:
    """Whether the case may be rated now: completed, and every registered check agrees."""
    return case.completed_at is not None and all(hook(case) for hook in RATING_OPEN)


def may_act(actor: Any, application: Application, lane: str) -> bool:
    if lane == "applicant":
        person = getattr(actor, "person", None) if actor.is_authenticated else None
        return person is not None and person.pk == application.applicant_id
    profile = policy.staff_profile(actor)
    if profile is None or not policy.in_scope(profile, application.region):
        return False
    if lane in ("case_worker", "reviewer"):
        if profile.agency.kind not in HRSS_AGENCIES or profile.role not in STAFF_ROLES:
            return False  # another department's staff are not of the HRSS side's lanes
        escalated = application.escalated_to
        if escalated is None:
            return bool(profile.role == lane)
        # Escalated (提级办理): the higher level's HRSS case workers and reviewers handle the
        # case's HRSS steps; staff below that level no longer do.
        return policy.in_scope(profile, escalated) and len(profile.region.scope_prefix) <= len(
            escalated.scope_prefix
        )
    # Another department's branch (joint review): its own staff, wherever the case went.
    return bool(profile.agency.kind == lane and profile.role in STAFF_ROLES)


def locked(application: Application) -> Application:
    """The case re-read under a row lock, for a write in the current transaction."""
    return Application.objects.select_for_update().select_related("region").get(pk=application.pk)


def _outcome_event(decision: str) -> str | None:
    return {
        "accept": "applications.accepted",
        "supplement": "applications.supplement",
        "not_accept": "applications.not_accepted",
        "approve": "applications.approved",
        "reject": "applications.rejected",
    }.get(decision)


def application_act(
    *,
    actor: Any,
    application: Application,
    task: str,
    decision: str = "done",
    note: str = "",
    established: dict[str, str] | None = None,
) -> Application:
    """Complete a ready task of the case. A supplement request must list what is missing.
    ``established``: facts the decider establishes (``to_establish``); an approval needs
    each one the case asks for.

    A step claimed by another staff member is theirs until released or reassigned.
    """
    with transaction.atomic():
        case = locked(application)
        entry = next((r for r in case.ready if r[0] == task), None)
        if entry is None or case.status in FINAL:
            raise ServiceError(
                "该环节当前不可办理。", "That step is not open now.", code="not_ready"
            )
        if not may_act(actor, case, entry[1]):
            raise NotPermitted()
        if entry[1] != "applicant":
            holder = (
                OpenStep.objects.filter(application=case, task_id=entry[2])
                .values_list("assignee_id", flat=True)
                .first()
            )
            if holder not in (None, actor.pk):
                raise ServiceError(
                    "该环节已由其他工作人员认领。",
                    "Another staff member has claimed this step.",
                    code="claimed",
                )
        allowed = DECISIONS.get(task, {"done"})
        if decision not in allowed:
            raise ServiceError(
                f"办理结果应为：{', '.join(sorted(allowed))}。",
                f"The decision must be one of: {', '.join(sorted(allowed))}.",
                code="decision",
            )
        if decision in NEEDS_REASONS and not note.strip():
            raise ServiceError(
                "请写明原因（补正须一次性列明全部所需材料）。",
                "Give the reasons (a supplement request lists everything missing at once).",
                code="note",
            )
        settled = _established(case, decision, established)
        item = catalogue.item_get(code=case.item_code, version=case.item_version)
        if decision in POSITIVE:
            missing = materials_missing(case, item, task)
            if missing:
                raise ServiceError(
                    f"缺少本环节所需材料：{'、'.join(m['name'] for m in missing)}。",
                    "Materials this step needs are missing: "
                    f"{', '.join(m.get('name_en') or m['name'] for m in missing)}.",
                    code="materials",
                )
        instance = engine.complete(
            state=case.workflow_state,
            task_id=entry[2],
            data={"decision": decision, f"{task}{DECISION_SUFFIX}": decision},
        )
        today = timezone.localdate()
        previous = {r[2] for r in case.ready}
        if task == "supplement":
            case.status = Status.SUBMITTED
        elif decision == "supplement":
            case.status = Status.SUPPLEMENT
        elif decision == "accept":
            case.status = Status.IN_REVIEW
        elif decision in ("not_accept", "approve", "reject"):
            case.status = {
                "not_accept": Status.NOT_ACCEPTED,
                "approve": Status.APPROVED,
                "reject": Status.REJECTED,
            }[decision]
            case.completed_at = timezone.now()
        if instance.completed and case.status not in FINAL:
            # The process ended on its own (no deciding task at the end): its end event says.
            case.status = Status.APPROVED if "approved" in instance.ended else Status.REJECTED
            case.completed_at = timezone.now()
        case.workflow_state, case.ready = instance.state, _ready(instance)
        case.facts = {**case.facts, **_facts_of(instance), **settled}
        clock_update(case, item, today, previous)
        case.save()
        steps_sync(case)
        if case.status == Status.APPROVED:
            for hook in APPROVAL_HOOKS.get(case.item_code, []):
                hook(case, actor)
        step_add(case, actor, decision if decision != "done" else "completed", task=task, note=note)
        record(
            actor=actor,
            action=f"applications.{task}.{decision}",
            target=case,
            changes={
                "status": case.status,
                "deadline": case.deadline,
                **({"established": settled} if settled else {}),
            },
        )
        event = _outcome_event(decision)
        if event is not None:
            notify(
                recipients=[case.applicant.user],
                event=event,
                # A person's reasons reach the applicant as written (the timeline's too).
                context=case_facts(case, note=lazy(_reasons_in_language, str)(note.strip())),
                link=case_link(case),
            )
        if case.status not in FINAL:
            _announce_new_tasks(case, previous)
    return case


def application_withdraw(*, actor: Any, application: Application, note: str = "") -> None:
    if not may_act(actor, application, "applicant"):
        raise NotPermitted()
    with transaction.atomic():
        case = locked(application)
        if case.status in FINAL:
            raise ServiceError("该办件已办结。", "This case is already closed.", code="closed")
        holders = [s.assignee for s in case.open_steps.select_related("assignee") if s.assignee]
        case.status, case.ready, case.completed_at = Status.WITHDRAWN, [], timezone.now()
        case.step_started, case.step_deadline = None, None
        case.save(
            update_fields=["status", "ready", "completed_at", "step_started", "step_deadline"]
        )
        steps_sync(case)
        step_add(case, actor, "withdrawn", note=note)
        record(actor=actor, action="applications.withdrawn", target=case)
        notify(
            recipients=[case.applicant.user, *holders],
            event="applications.withdrawn",
            context=case_facts(case),
            link=case_link(case),
        )


def materials_missing(case: Application, item: ServiceItem, task: str) -> list[dict[str, Any]]:
    """The item's required materials that step ``task`` needs (the material's ``needed_at``
    names the steps) and that the case has neither uploaded nor obtained from an e-licence
    or shared data. Each is the item's material entry ({"name", "name_en", ...})."""
    needed = [
        m
        for m in item.materials or []
        if m.get("required", True) and task in (m.get("needed_at") or [])
    ]
    if not needed:
        return []
    uploaded = set(case.materials.values_list("name", flat=True))
    obtained = {row.get("material") for row in case.licences if row.get("status") == "found"}
    return [m for m in needed if m.get("name") not in uploaded | obtained]


@dataclass(frozen=True)
class Clock:
    """Where a case's running clock stands: ``colour`` "red" (past due), "yellow" (the
    yellow share of the working days gone, or due today), "green", or "" (not running:
    closed or waiting for the applicant); ``days_left`` working days to ``due`` (negative:
    working days overdue)."""

    colour: str
    due: dt.date | None
    days_left: int | None

    @property
    def days_over(self) -> int:
        """Working days past due (0 when not overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def clock_level(*, started: dt.date, due: dt.date, today: dt.date, share: float) -> str | None:
    """Red once ``due`` has passed; yellow once ``share`` of the working days from ``started``
    to ``due`` have gone by (or on the due date itself); else None."""
    if today > due:
        return "red"
    total = working_days_between(started, due)
    if total == 0 or working_days_between(started, today) >= share * total:
        return "yellow"
    return None


def yellow_share() -> float:
    """ONESTOP_YELLOW_SHARE (default 0.75): the share of a step's working days after which
    its warning turns yellow."""
    from django.conf import settings

    return float(getattr(settings, "ONESTOP_YELLOW_SHARE", 0.75))


def clock_of(case: Application, today: dt.date) -> Clock:
    """The colour and time left of the case's current staff step (or of the case)."""
    running = (
        case.status not in FINAL
        and case.paused_since is None
        and any(r[1] != "applicant" for r in case.ready)
    )
    if not running:
        return Clock("", None, None)
    due = case.step_deadline or case.deadline
    started = case.step_started or timezone.localtime(case.submitted_at).date()
    level = clock_level(started=started, due=due, today=today, share=yellow_share())
    left = -working_days_between(due, today) if today > due else working_days_between(today, due)
    return Clock(level or "green", due, left)


def overdue(application: Application, today: dt.date) -> bool:
    return (
        application.status not in FINAL
        and application.paused_since is None
        and application.deadline < today
    )
