"""The employer's items as cases: employer registration (SX-SI-001), employee enrolment
(SX-SI-002), contribution correction (SX-SI-003).

SX-SI-003 corrects wages already declared: the employer files lines ``YYYY-MM, resident ID,
corrected wage`` with its evidence (payroll records, a statement); every line is checked when
filed (all problems at once); a case worker reviews the evidence, and approval posts one
supplementary declaration per month through ``contributions.declaration_submit`` (its
employer-month lock, and an idempotency key per case and month, so a retried approval posts
nothing twice). A month the ledger refuses refuses the approval whole.

SX-SI-001 registers an employer: the filer (its legal representative or an agent, signed in
as a citizen) gives the credit code; the process asks the enterprise registry (market
regulation) through the gateway for the name, the legal representative and the status; an
unknown or deregistered company, or a filer claiming to be the legal representative whom the
registry does not name, is refused at once; otherwise a case worker reviews it, and approval
registers the employer (pension insurance from this month) and makes the filer its legal
representative or administrator on the platform, who then adds and removes its other users.

SX-SI-002 enrols an employee, also one never insured before: the filer acts for the employer
(its legal representative or agent, signed in as a citizen, or a case worker at the counter
for them); the process checks the name and resident ID against the public-security household
register through the gateway (the record matches and no death is registered), and its
approval registers the person when new, then starts the employment, in the filing's
transaction. Someone still employed elsewhere is refused until the filer confirms a
concurrent employment (the rule: ``contributions.services.CONCURRENT_RULE_*``), and the
confirmation is journaled with the other employers.

Registered with the applications and workflow machinery in ``apps.py``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from onestop.applications.models import Application, Channel, Status
from onestop.common.amounts import to_amount
from onestop.common.errors import NotPermitted, ServiceError, both_languages, languages_of
from onestop.contributions import services as contributions
from onestop.contributions.models import DeclarationKind, PostCategory
from onestop.contributions.periods import current_period, parse_period
from onestop.exchange.licences import registry_lookup
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity import services as identity_services
from onestop.identity.models import Employer, EmployerRoleKind, Person, Region
from onestop.rules.amounts import parse_amount
from onestop.rules.identifiers import check_credit_code, check_resident_id
from onestop.rules.values import RuleError

REGISTRATION = "SX-SI-001"
ENROLMENT = "SX-SI-002"
CORRECTION = "SX-SI-003"
#: At most this many corrected lines a case (a bigger correction is a file declaration).
MAX_CORRECTION_LINES = 200
PARTY = "hrss.case:SX-SI-002"  # exchange.labels.case_party
PURPOSE = "employee_enrolment"  # exchange.labels.PURPOSES
REGISTRATION_PARTY = "hrss.case:SX-SI-001"
REGISTRATION_PURPOSE = "employer_registration"
#: Registry statuses of a company that no longer exists (or may no longer trade).
GONE = {"注销", "吊销", "deregistered", "revoked"}


def _employer(answers: dict[str, Any]) -> Employer | None:
    code = str(answers.get("employer_credit_code", "")).strip().upper()
    return Employer.objects.select_related("region").filter(credit_code=code).first()


def _wage(answers: dict[str, Any]) -> Decimal:
    try:
        return to_amount(answers.get("wage") or "0")  # the money grammar, as every wage
    except RuleError:
        return Decimal("-1")


def enrolment_check(applicant: Person, answers: dict[str, Any]) -> None:
    """Before an enrolment is filed: the filer acts for the employer, the month and the
    resident ID are valid, the person is not already employed there, and an employment
    elsewhere has been confirmed as concurrent. Nothing is filed when one fails."""
    employer = _employer(answers)
    user = applicant.user
    if employer is None or user is None or not policy.allows(user, policy.DECLARE, employer):
        raise ServiceError(
            "未找到您可代为办理的该用人单位（请核对统一社会信用代码）。",
            "No employer with this credit code that you act for (check the code).",
            code="employer",
        )
    try:
        parse_period(str(answers.get("start_month", "")))
    except RuleError as exc:
        raise ServiceError(
            "参保起始月份应为有效的年月，例如 2026-11。",
            "The first month must be a real month, e.g. 2026-11.",
            code="start_month",
        ) from exc
    if _wage(answers) < 0:
        raise ServiceError("月工资金额无效。", "The wage is not valid.", code="wage")
    check = check_resident_id(
        str(answers.get("employee_resident_id", "")), today=timezone.localdate()
    )
    if not check.valid or check.reason is not None:
        reason = check.reason
        raise ServiceError(
            f"职工公民身份号码无效：{reason.zh if reason else ''}",
            f"The employee's resident ID is not valid: {reason.en if reason else ''}",
            code="resident_id",
        )
    assert check.birth_date is not None  # a valid ID states it
    # Never before 16 nor beyond next month; how far back is checked at approval, where
    # the channel is known (a counter may take a back payment).
    contributions.start_month_check(
        birth_date=check.birth_date,
        start_period=parse_period(str(answers["start_month"])),
        today=timezone.localdate(),
        at_counter=True,
    )
    person = identity.person_by_resident_id(check.normalized)
    if person is None:
        return
    if contributions.open_employment_at(person=person, employer=employer):
        raise ServiceError(
            "该人员在本单位已有在职记录。",
            "This person is already employed here.",
            code="already_employed",
        )
    others = contributions.employers_elsewhere(person=person, employer=employer)
    if others and answers.get("concurrent_confirmed") is not True:
        raise contributions.concurrent_refusal(others)


def enrolment_route(applicant: Person, answers: dict[str, Any]) -> Region | None:
    """The employer's region handles its enrolments."""
    employer = _employer(answers)
    return employer.region if employer is not None else None


#: Refusals of the household check (zh, en): the case keeps both in one text.
NOT_MATCHED = (
    "姓名与公民身份号码在户籍登记中不一致（或无此户籍）。",
    "The name and resident ID do not match the household register (or it has no such record).",
)
DEAD = ("户籍登记显示该人员已死亡。", "The household register records this person's death.")


def household_check(data: dict[str, Any]) -> dict[str, Any]:
    """Service task: the employee's name and resident ID against the public-security
    household register (through the gateway, logged), and no death registered. A person the
    platform already knows is checked against its own record."""
    answers = data.get("answers") or {}
    name = str(answers.get("employee_name", "")).strip()
    resident_id = str(answers.get("employee_resident_id", "")).strip().upper()
    known = identity.person_by_resident_id(resident_id)
    if known is not None:
        matched, source, alive = known.name == name, "platform", True
    else:
        record = registry_lookup(
            party=PARTY,
            resource_code="public_security.household",
            subject=resident_id,
            purpose=PURPOSE,
        )
        matched = record is not None and str(record.get("name", "")).strip() == name
        source = "public_security.household via gateway"
        alive = (
            registry_lookup(
                party=PARTY,
                resource_code="public_security.deaths",
                subject=resident_id,
                purpose=PURPOSE,
            )
            is None
        )
    found: dict[str, Any] = {
        "identity_source": source,
        "identity_matched": matched,
        "alive": alive,
        "newly_insured": known is None,
    }
    if not matched:
        found["refusal"] = both_languages(*NOT_MATCHED)
    elif not alive:
        found["refusal"] = both_languages(*DEAD)
    return found


def enrolment_from_case(case: Application, actor: Any) -> None:
    """Approval of an enrolment: the person registered when new (in the employer's region),
    then the employment from the month filed, in the approval's transaction."""
    answers = case.answers
    employer = _employer(answers)
    if employer is None:
        raise ServiceError("未找到该用人单位。", "No such employer.", code="employer")
    resident_id = str(answers["employee_resident_id"]).strip().upper()
    if identity.person_by_resident_id(resident_id) is None:
        identity_services.person_register(
            actor=actor,
            name=str(answers["employee_name"]).strip(),
            resident_id=resident_id,
            region=employer.region,
        )
    contributions.employment_start(
        actor=actor,
        employer=employer,
        resident_id=resident_id,
        start_period=parse_period(str(answers["start_month"])),
        wage=_wage(answers),
        post_category=str(answers.get("post_category") or PostCategory.GENERAL),
        concurrent_confirmed=bool(answers.get("concurrent_confirmed")),
        today=timezone.localdate(),
        # A month further back is a back payment the case worker checks at the counter.
        at_counter=case.channel == Channel.COUNTER,
    )


def _credit_code(answers: dict[str, Any]) -> str:
    return str(answers.get("credit_code", "")).strip().upper()


def _division(code: str) -> Region | None:
    return Region.objects.filter(code=code[2:8]).first() if len(code) == 18 else None


def registration_check(applicant: Person, answers: dict[str, Any]) -> None:
    """Before a registration is filed: a valid credit code, registered in this province,
    and not on the platform already."""
    check = check_credit_code(_credit_code(answers))
    if not check.valid or check.reason is not None:
        reason = check.reason
        raise ServiceError(
            f"统一社会信用代码无效：{reason.zh if reason else ''}",
            f"Invalid unified social credit code: {reason.en if reason else ''}",
            code="credit_code",
        )
    if _division(check.normalized) is None:
        raise ServiceError(
            "该单位的登记机关不在本省，请向其登记地的社会保险经办机构申请。",
            "The company is registered outside this province: apply where it is registered.",
            code="region",
        )
    if Employer.objects.filter(credit_code=check.normalized).exists():
        raise ServiceError(
            "该单位已办理参保登记；请由其法定代表人或管理员在“单位用户”中添加您。",
            "This employer is registered already: its legal representative or administrator "
            "adds you under Employer users.",
            code="duplicate",
        )


def registration_route(applicant: Person, answers: dict[str, Any]) -> Region | None:
    """Handled where the company is registered (the division in its credit code)."""
    return _division(_credit_code(answers))


def enterprise_check(data: dict[str, Any]) -> dict[str, Any]:
    """Service task: the company in the enterprise registry through the gateway (logged):
    name, legal representative, status. ``enterprise_ok`` when it exists, is not
    deregistered, and (for a filer who says they are its legal representative) names the
    filer."""
    answers = data.get("answers") or {}
    applicant_id = data.get("applicant_id")
    applicant = (
        Person.objects.filter(pk=applicant_id).first() if isinstance(applicant_id, int) else None
    )
    record = registry_lookup(
        party=REGISTRATION_PARTY,
        resource_code="market_regulation.enterprises",
        subject=_credit_code(answers),
        purpose=REGISTRATION_PURPOSE,
    )
    if record is None:
        return {
            "enterprise_found": False,
            "enterprise_ok": False,
            "refusal": both_languages(
                "企业登记信息中没有该统一社会信用代码。",
                "The enterprise registry has no company with this credit code.",
            ),
        }
    status = str(record.get("status", "")).strip()
    gone = status in GONE or bool(record.get("deregistered_on"))
    representative = str(record.get("legal_representative", "")).strip()
    claims = answers.get("filer_role") == "legal_representative"
    matched = applicant is not None and representative == applicant.name
    found: dict[str, Any] = {
        "enterprise_found": True,
        "enterprise_name": str(record.get("name", "")).strip(),
        "enterprise_status": status,
        "legal_representative": representative,
        "representative_matched": matched,
        "enterprise_ok": not gone and (matched or not claims) and bool(record.get("name")),
    }
    if gone:
        found["refusal"] = both_languages(
            f"该企业在企业登记信息中的状态为“{status or '注销'}”，不能办理参保登记。",
            "The enterprise registry has this company deregistered.",
        )
    elif claims and not matched:
        found["refusal"] = both_languages(
            "企业登记信息中的法定代表人与申请人不一致；经办人请选择“经办人”并上传授权委托书。",
            "The enterprise registry names another legal representative; an agent files as "
            "an agent, with the power of attorney.",
        )
    return found


def employer_from_case(case: Application, actor: Any) -> None:
    """Approval of a registration: the employer (pension insurance from this month), and the
    filer as its legal representative or administrator, in the approval's transaction."""
    facts, answers = case.facts, case.answers
    employer = identity_services.employer_register(
        actor=actor,
        name=str(facts.get("enterprise_name", "")),
        credit_code=_credit_code(answers),
        region=case.region,
        legal_representative=str(facts.get("legal_representative", "")),
        contact_name=case.applicant.name,
        contact_phone=str(answers.get("contact_phone", "")),
        address=str(answers.get("address", "")),
    )
    contributions.insurance_register(
        actor=None,
        employer=employer,
        insurances=["pension"],
        since_period=current_period(timezone.localdate()),
    )
    role = (
        EmployerRoleKind.LEGAL_REPRESENTATIVE
        if answers.get("filer_role") == "legal_representative"
        and facts.get("representative_matched")
        else EmployerRoleKind.ADMINISTRATOR
    )
    identity_services.employer_role_grant(
        actor=None, employer=employer, person=case.applicant, role=role
    )


def correction_lines(text: str, *, today: Any) -> tuple[list[tuple[int, int, str, str]], list[str]]:
    """The correction's lines as ``(line, period, resident ID, wage)``, and every problem
    found (``"第 n 行 / line n: ..."``, both languages): a past month, a valid resident ID,
    a valid amount, no line twice."""
    rows: list[tuple[int, int, str, str]] = []
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    this_month = current_period(today)
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        problems.append("没有更正内容。 No correction lines.")
    if len(lines) > MAX_CORRECTION_LINES:
        problems.append(
            f"一次最多更正 {MAX_CORRECTION_LINES} 行。 At most {MAX_CORRECTION_LINES} lines a case."
        )
        return rows, problems
    for number, line in lines:
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        where = f"第 {number} 行 / line {number}: "
        if len(parts) != 3:
            problems.append(
                where + "应为“年月, 公民身份号码, 更正后工资”。 "
                "Write: month, resident ID, corrected wage."
            )
            continue
        month, resident_id, wage = parts
        try:
            period = parse_period(month)
        except RuleError:
            problems.append(where + "月份应为 YYYY-MM。 The month is YYYY-MM.")
            continue
        if period >= this_month:
            problems.append(where + "只能更正以前月份。 Only past months can be corrected.")
            continue
        check = check_resident_id(resident_id, today=today)
        if not check.valid or check.reason is not None:
            problems.append(where + "公民身份号码无效。 The resident ID is not valid.")
            continue
        try:
            amount = parse_amount(wage)
        except RuleError:
            problems.append(where + "工资金额无效。 The wage is not a valid amount.")
            continue
        if (period, check.normalized) in seen:
            problems.append(where + "与前面的行重复。 The same person and month twice.")
            continue
        seen.add((period, check.normalized))
        rows.append((number, period, check.normalized, f"{amount:.2f}"))
    return rows, problems


def correction_check(applicant: Person, answers: dict[str, Any]) -> None:
    """Before a correction is filed: the filer acts for the employer, and every line is good
    (all problems listed at once)."""
    employer = _employer(answers)
    user = applicant.user
    if employer is None or user is None or not policy.allows(user, policy.DECLARE, employer):
        raise ServiceError(
            "未找到您可代为办理的该用人单位（请核对统一社会信用代码）。",
            "No employer with this credit code that you act for (check the code).",
            code="employer",
        )
    rows, problems = correction_lines(
        str(answers.get("corrections", "")), today=timezone.localdate()
    )
    problems_zh, problems_en = list(problems), list(problems)
    if not problems:
        # What the approval will post, checked now (employment that month, the wage, every
        # declaration rule), so that no case is filed that can never be approved.
        by_period: dict[int, list[contributions.DeclaredRow]] = {}
        for line, period, resident_id, wage in rows:
            by_period.setdefault(period, []).append(
                contributions.DeclaredRow(line, resident_id, wage)
            )
        for period, declared in sorted(by_period.items()):
            checked = contributions.declaration_submit(
                actor=user,
                employer=employer,
                period=period,
                rows=declared,
                kind=DeclarationKind.SUPPLEMENTARY,
                preview=True,
            )
            month = f"{period // 100}-{period % 100:02d}"
            # Line 0: the month as a whole (e.g. before the employer's registration).
            problems_zh += [
                f"第 {e.line} 行（{month}）：{e.zh}" if e.line else f"{month}：{e.zh}"
                for e in checked.errors
            ]
            problems_en += [
                f"line {e.line} ({month}): {e.en}" if e.line else f"{month}: {e.en}"
                for e in checked.errors
            ]
    if problems_zh:
        raise ServiceError(
            f"更正内容有误：{'；'.join(problems_zh)}",
            f"The correction lines have problems: {'; '.join(problems_en)}",
            code="corrections",
        )


def correction_from_case(case: Application, actor: Any) -> None:
    """Approval of a correction: one supplementary declaration per month, in the approval's
    transaction; a month refused refuses the approval."""
    employer = _employer(case.answers)
    if employer is None:
        raise ServiceError("未找到该用人单位。", "No such employer.", code="employer")
    rows, problems = correction_lines(
        str(case.answers.get("corrections", "")), today=timezone.localdate()
    )
    if problems:
        raise ServiceError(
            "更正内容有误。", "The correction lines have problems.", code="corrections"
        )
    by_period: dict[int, list[contributions.DeclaredRow]] = {}
    for line, period, resident_id, wage in rows:
        by_period.setdefault(period, []).append(contributions.DeclaredRow(line, resident_id, wage))
    for period, declared in sorted(by_period.items()):
        result = contributions.declaration_submit(
            actor=actor,
            employer=employer,
            period=period,
            rows=declared,
            kind=DeclarationKind.SUPPLEMENTARY,
            idempotency_key=f"{case.number}-{period}",
        )
        if not result.accepted:
            month = f"{period // 100}-{period % 100:02d}"
            raise ServiceError(
                f"{month} 的补充申报被拒绝：{'；'.join(e.zh for e in result.errors)}",
                f"The supplementary declaration of {month} was refused: "
                f"{'; '.join(e.en for e in result.errors)}",
                code="declaration",
            )


#: At most this many employees in one enrolment file.
MAX_FILE_ROWS = 200
#: At most this many bytes in one enrolment file (the page's form says the same).
MAX_FILE_BYTES = 1024 * 1024


def check_file_size(size: int | None) -> None:
    """Refuse an enrolment file above :data:`MAX_FILE_BYTES` before reading it."""
    if size is None or size > MAX_FILE_BYTES:
        raise ServiceError("文件大于 1 MB。", "The file is larger than 1 MB.", code="file_size")


#: The enrolment file's columns: (Chinese name, English name), either accepted in the header
#: row, in any order; the last two may be left out.
FILE_COLUMN_NAMES = (
    ("姓名", "name"),
    ("公民身份号码", "resident_id"),
    ("参保起始月份", "start_month"),
    ("月工资", "wage"),
    ("岗位类别", "post_category"),
    ("确认兼职", "concurrent_confirmed"),
)
FILE_COLUMNS = tuple(zh for zh, _ in FILE_COLUMN_NAMES)
FILE_COLUMNS_EN = tuple(en for _, en in FILE_COLUMN_NAMES)
_ENGLISH_TO_CHINESE = {en: zh for zh, en in FILE_COLUMN_NAMES}
#: What confirms a concurrent employment in the last column.
YES = ("是", "yes", "y", "1", "true")


def enrolment_rows(data: bytes) -> list[dict[str, Any]]:
    """The enrolment file (CSV, UTF-8) as the form's answers, one dict a row; a malformed
    file is refused whole."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            "文件须为 UTF-8 编码的 CSV。", "The file must be a UTF-8 CSV.", code="file"
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [
        _ENGLISH_TO_CHINESE.get(name.strip().lower(), name.strip())
        for name in (reader.fieldnames or [])
    ]
    missing = [c for c in FILE_COLUMN_NAMES[:4] if c[0] not in reader.fieldnames]
    if missing:
        raise ServiceError(
            f"缺少列：{'、'.join(zh for zh, _ in missing)}。",
            f"Missing columns: {', '.join(en for _, en in missing)}.",
            code="file",
        )
    rows: list[dict[str, Any]] = []
    for row in reader:
        if len(rows) >= MAX_FILE_ROWS:
            raise ServiceError(
                f"一个文件最多 {MAX_FILE_ROWS} 人。",
                f"At most {MAX_FILE_ROWS} people a file.",
                code="file",
            )
        rows.append(
            {
                "employee_name": (row.get("姓名") or "").strip(),
                "employee_resident_id": (row.get("公民身份号码") or "").strip(),
                "start_month": (row.get("参保起始月份") or "").strip(),
                "wage": (row.get("月工资") or "").strip(),
                "post_category": (row.get("岗位类别") or "").strip() or "general",
                "concurrent_confirmed": (row.get("确认兼职") or "").strip().lower() in YES,
            }
        )
    if not rows:
        raise ServiceError("文件中没有人员。", "The file lists nobody.", code="file")
    return rows


class EnrolmentRefused(ServiceError):
    """A file with refused rows: nothing enrolled. ``rows`` holds each row's reason,
    ``{"line", "field", "message_zh", "message_en"}`` (line 2 is the first after the header)."""

    status = 422
    code = "rows"

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        listed_zh = "；".join(f"第 {r['line']} 行：{r['message_zh']}" for r in rows)
        listed_en = "; ".join(f"line {r['line']}: {r['message_en']}" for r in rows)
        super().__init__(
            f"文件未办理，请更正后重新上传：{listed_zh}",
            f"Nothing was enrolled; correct the file and upload it again: {listed_en}",
        )
        self.rows = rows

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "accepted": False, "errors": self.rows}


def enrolment_file(*, actor: Any, employer: Employer, data: bytes) -> list[Application]:
    """Enrol everyone in the file, one SX-SI-002 case each, or no one: a row refused (its
    check, or the household register) refuses the whole file with every row's reason
    (``EnrolmentRefused``)."""
    from onestop.applications.services.cases import application_submit

    person = getattr(actor, "person", None)
    if person is None or not policy.allows(actor, policy.DECLARE, employer):
        raise NotPermitted()
    rows = enrolment_rows(data)
    problems: list[dict[str, Any]] = []
    filed: list[Application] = []
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            answers = {"employer_credit_code": employer.credit_code, **row}
            try:
                case = application_submit(
                    actor=actor, item_code=ENROLMENT, applicant=person, answers=answers
                ).application
            except NotPermitted:
                raise
            except ServiceError as exc:
                problems.append(
                    {"line": line, "field": exc.code, "message_zh": exc.zh, "message_en": exc.en}
                )
                continue
            if case.status != Status.APPROVED:
                zh, en = languages_of(case.facts.get("refusal", ""))
                problems.append(
                    {"line": line, "field": "identity", "message_zh": zh, "message_en": en}
                )
            filed.append(case)
        if problems:
            # Raised inside the transaction: nothing of the file stays (no case, person or
            # employment).
            raise EnrolmentRefused(problems)
    return filed
