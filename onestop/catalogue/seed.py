"""The default catalogue: standard HRSS items of the urban employees' pension insurance.

Legal bases cite the Social Insurance Law (SIL) and the regulations named; time limits and
visits are the demo province's commitments (data an administrator edits by publishing a new
version). Used by migration 0002 and by tests that flush the database.
"""

from __future__ import annotations

from typing import Any

from onestop.common.divisions import PROVINCES

ALL_CHANNELS = ["online", "counter", "mobile", "kiosk"]
ONLINE_COUNTER = ["online", "counter", "mobile"]


#: The kinship proof comes from civil affairs: it confirms the family from its own
#: registrations (marriage, household) at its step of the joint review, so the survivors are
#: never asked for it, and the benefits are decided only after that confirmation.
KINSHIP_OBTAINED_AT = "civil_affairs_review"


def m(
    name: str,
    name_en: str,
    *,
    required: bool = True,
    replaceable_by: str = "",
    licence_type: str = "",
    copies: int = 1,
    needed_at: list[str] | None = None,
    obtained_at: str = "",
) -> dict[str, Any]:
    """One material of an item; ``needed_at`` names the process steps (BPMN task ids) whose
    positive decision it must be there for (uploaded, or obtained from shared data);
    ``obtained_at`` the step whose department supplies it from its own records (shared
    data: never asked of the applicant)."""
    found: dict[str, Any] = {
        "name": name,
        "name_en": name_en,
        "required": required,
        "copies": copies,
        "replaceable_by": replaceable_by,
        "licence_type": licence_type,
    }
    if needed_at:
        found["needed_at"] = list(needed_at)
    if obtained_at:
        found["obtained_at"] = obtained_at
    return found


#: Transfer in (SX-SI-007): the province the relation comes from; the platform asks it.
TRANSFER_FORM = {
    "type": "object",
    "required": ["from_province"],
    "x-one-open-case": ["applicant"],
    "properties": {
        "from_province": {
            "type": "string",
            "enum": [code for code in PROVINCES if code != "610000"],
            "x-enum-labels": {code: zh for code, (zh, _en) in PROVINCES.items()},
            "x-enum-labels-en": {code: en for code, (_zh, en) in PROVINCES.items()},
            "title": "转出地（原参保省份）",
            "x-title-en": "Province the relation comes from",
        },
        "note": {"type": "string", "maxLength": 500, "title": "备注", "x-title-en": "Note"},
    },
}

#: Proof of insurance (SX-SI-004): decided at once; the purpose is printed nowhere, it only
#: helps the person find the case again.
PROOF_FORM = {
    "type": "object",
    "properties": {
        "purpose": {
            "type": "string",
            "maxLength": 100,
            "title": "用途（选填）",
            "x-title-en": "Purpose (optional)",
        },
    },
}

#: Unemployment registration (SX-EMP-001): the record gives the last employment; the person
#: says they are seeking work (D10 art. 14 (3)).
UNEMPLOYMENT_REGISTRATION_FORM: dict[str, Any] = {
    "type": "object",
    "x-one-open-case": ["applicant"],
    "required": ["seeking_work"],
    "properties": {
        "seeking_work": {
            "type": "boolean",
            "const": True,
            "title": "本人有劳动能力并有求职要求",
            "x-title-en": "I am able to work and seeking work",
        },
        "note": {"type": "string", "maxLength": 500, "title": "备注", "x-title-en": "Note"},
    },
}

#: Unemployment benefit (SX-SI-009): the bank account it is paid into; a contest of how the
#: employer says the employment ended.
UNEMPLOYMENT_BENEFIT_FORM: dict[str, Any] = {
    "type": "object",
    "x-one-open-case": ["applicant"],
    "required": ["bank_account"],
    "properties": {
        "bank_account": {
            "type": "string",
            "pattern": "^[0-9]{12,19}$",
            "x-mask": "bank_account",
            "title": "失业保险金发放银行账号",
            "x-title-en": "Bank account for the benefit",
        },
        # The employer's removal reason says the person left of their own will, and the
        # person says otherwise: a case worker determines it, on the evidence uploaded.
        "contest_separation": {
            "type": "string",
            "maxLength": 500,
            "title": "对用人单位填报的离职原因有异议的，请说明（并上传证据材料）",
            "x-title-en": (
                "If you contest how the employer says your employment ended, explain (and upload "
                "your evidence)"
            ),
        },
        "note": {"type": "string", "maxLength": 500, "title": "备注", "x-title-en": "Note"},
    },
}

#: What a survivor is to the deceased (SX-SI-008), as each option reads in each language.
SURVIVOR_RELATIONS: dict[str, str] = {"spouse": "配偶", "child": "子女", "parent": "父母"}
SURVIVOR_RELATIONS_EN: dict[str, str] = {"spouse": "Spouse", "child": "Child", "parent": "Parent"}

#: Employer registration (SX-SI-001): the credit code; the registry gives the rest.
REGISTRATION_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["credit_code", "filer_role"],
    # One open registration per company, whoever files it.
    "x-one-open-case": ["credit_code"],
    "properties": {
        "credit_code": {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "title": "统一社会信用代码",
            "x-title-en": "Unified social credit code",
        },
        "filer_role": {
            "type": "string",
            "enum": ["legal_representative", "agent"],
            "x-enum-labels": {
                "legal_representative": "本人是法定代表人",
                "agent": "受委托的经办人",
            },
            "x-enum-labels-en": {
                "legal_representative": "I am the legal representative",
                "agent": "An agent with a power of attorney",
            },
            "title": "申请人身份",
            "x-title-en": "You file as",
        },
        "contact_phone": {
            "type": "string",
            "maxLength": 20,
            # Digits and the signs a phone number is written with: never a formula.
            "pattern": "^[0-9][0-9 ()+-]{4,19}$",
            "x-hint": {
                "zh": "应为电话号码（数字，可含空格、括号、加号和连字符）",
                "en": "write a phone number (digits, optionally spaces, brackets, + and -)",
            },
            "title": "联系电话",
            "x-title-en": "Contact phone",
        },
        "address": {
            "type": "string",
            "maxLength": 200,
            "title": "办公地址",
            "x-title-en": "Address",
        },
    },
}

#: Contribution correction (SX-SI-003): which employer, the corrected lines, why.
CORRECTION_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["employer_credit_code", "corrections", "reason"],
    "properties": {
        "employer_credit_code": {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "title": "用人单位统一社会信用代码",
            "x-title-en": "Employer's credit code",
        },
        "corrections": {
            "type": "string",
            "minLength": 1,
            "maxLength": 8000,
            "title": "更正内容：每行“年月, 公民身份号码, 更正后工资”",
            "x-title-en": "Corrections: one line each, month, resident ID, corrected wage",
            "x-prefill": False,
        },
        "reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": 500,
            "title": "更正原因",
            "x-title-en": "Reason for the correction",
            "x-prefill": False,
        },
    },
}

#: The enrolment form: which employer, who, from when, at what wage; one employee a case.
ENROLMENT_FORM: dict[str, Any] = {
    "type": "object",
    "x-one-open-case": ["employer_credit_code", "employee_resident_id"],
    "required": [
        "employer_credit_code",
        "employee_name",
        "employee_resident_id",
        "start_month",
        "wage",
    ],
    "properties": {
        "employer_credit_code": {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "title": "用人单位统一社会信用代码",
            "x-title-en": "Employer's credit code",
        },
        "employee_name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "title": "职工姓名",
            "x-title-en": "Employee's name",
            "x-prefill": False,
        },
        "employee_resident_id": {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "title": "职工公民身份号码",
            "x-title-en": "Employee's resident ID",
            "x-prefill": False,
        },
        "start_month": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}$",
            "title": "参保起始月份",
            "x-title-en": "First month insured (YYYY-MM)",
            "x-prefill": False,
        },
        "wage": {
            "type": "string",
            "pattern": "^[0-9]{1,8}(\\.[0-9]{1,2})?$",
            "title": "月工资（元）",
            "x-title-en": "Monthly wage (yuan)",
            "x-prefill": False,
        },
        "post_category": {
            "type": "string",
            "enum": ["general", "cadre", "worker"],
            "x-enum-labels": {
                "general": "一般岗位",
                "cadre": "管理或专业技术岗位",
                "worker": "生产操作岗位",
            },
            "x-enum-labels-en": {
                "general": "General",
                "cadre": "Management or technical",
                "worker": "Production or operating",
            },
            "title": "岗位类别",
            "x-title-en": "Post",
        },
        "concurrent_confirmed": {
            "type": "boolean",
            "title": "如其仍在其他单位在职：确认兼职用工（养老保险只由一个单位缴纳）",
            "x-title-en": (
                "If still employed elsewhere: I confirm a concurrent employment (the pension is p"
                "aid by one employer only)"
            ),
            "x-prefill": False,
        },
    },
}


#: Flexible-employment enrolment (SX-SI-005): the base within the year's bounds and the
#: payment frequency; decided at once by the process's service task.
FLEXIBLE_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["base", "frequency", "start_month"],
    "x-one-open-case": ["applicant"],
    "properties": {
        "base": {
            "type": "string",
            "pattern": "^[0-9]{1,7}(\\.[0-9]{1,2})?$",
            "title": "月缴费基数（元，上年平均工资的60%至300%）",
            "x-title-en": "Monthly base (yuan, 60% to 300% of the average wage)",
            "x-prefill": False,
        },
        "frequency": {
            "type": "string",
            "enum": ["monthly", "quarterly", "half_yearly", "yearly"],
            "x-enum-labels": {
                "monthly": "按月",
                "quarterly": "按季",
                "half_yearly": "按半年",
                "yearly": "按年",
            },
            "x-enum-labels-en": {
                "monthly": "Monthly",
                "quarterly": "Quarterly",
                "half_yearly": "Half-yearly",
                "yearly": "Yearly",
            },
            "title": "缴费方式",
            "x-title-en": "Payment frequency",
        },
        "start_month": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}$",
            "title": "参保起始月份",
            "x-title-en": "First month (YYYY-MM)",
            "x-prefill": False,
        },
    },
}


ID_CARD = m(
    "居民身份证", "Resident identity card", replaceable_by="elicence", licence_type="resident_id"
)
ITEMS: list[dict[str, Any]] = [
    {
        "code": "SX-SI-001",
        "name": "单位参保登记",
        "name_en": "Employer insurance registration",
        "kind": "administrative_confirmation",
        "level": "county",
        "legal_basis": (
            "《中华人民共和国社会保险法》第五十七条：用人单位应当自成立之日起三十日内申请办理社会"
            "保险登记。"
        ),
        "legal_basis_en": "SIL art. 57.",
        "conditions": "依法设立的企业、个体经济组织等用人单位。",
        "conditions_en": "An employer lawfully established.",
        "materials": [
            m(
                "营业执照（企业登记信息）",
                "Business licence (enterprise registry)",
                replaceable_by="shared_data",
            ),
            m(
                "法定代表人身份证明",
                "Legal representative's identity",
                replaceable_by="shared_data",
            ),
            m(
                "授权委托书（经办人办理时）",
                "Power of attorney (when an agent files)",
                required=False,
            ),
        ],
        "legal_limit_days": 15,
        "promised_limit_days": 1,
        "visits_required": 0,
        "channels": ONLINE_COUNTER,
        "process": "employer_registration.bpmn",
        "form_schema": REGISTRATION_FORM,
    },
    {
        "code": "SX-SI-002",
        "name": "职工参保登记（增员、减员）",
        "name_en": "Employee registration (add or remove employees)",
        "kind": "administrative_confirmation",
        "level": "county",
        "legal_basis": (
            "《社会保险法》第五十八条：用人单位应当自用工之日起三十日内为其职工申请办理社会保险登"
            "记。"
        ),
        "legal_basis_en": "SIL art. 58.",
        "conditions": "已办理参保登记的用人单位为其职工办理。",
        "conditions_en": "A registered employer, for its employees.",
        "materials": [
            m("劳动合同或用工证明", "Labour contract or proof of employment", required=False),
            m(
                "职工身份信息（户籍核验）",
                "Employee's identity (household register)",
                replaceable_by="shared_data",
            ),
        ],
        "legal_limit_days": 15,
        "promised_limit_days": 0,
        "visits_required": 0,
        "channels": ALL_CHANNELS,
        "process": "enrolment.bpmn",
        "form_schema": ENROLMENT_FORM,
    },
    {
        "code": "SX-SI-003",
        "name": "缴费信息更正",
        "name_en": "Contribution record correction",
        "kind": "administrative_confirmation",
        "level": "county",
        "legal_basis": "《社会保险法》第六十条；《社会保险经办条例》第十五条。",
        "legal_basis_en": "SIL art. 60; Handling Regulations art. 15.",
        "conditions": "缴费基数、缴费月份等记录有误，需更正。",
        "conditions_en": "A base or a month was recorded wrongly.",
        "materials": [
            m("工资发放记录", "Payroll records", needed_at=["review"]),
            m("更正情况说明", "Statement of the correction", needed_at=["review"]),
        ],
        "legal_limit_days": 20,
        "promised_limit_days": 10,
        "visits_required": 0,
        "channels": ONLINE_COUNTER,
        "process": "contribution_correction.bpmn",
        "form_schema": CORRECTION_FORM,
    },
    {
        "code": "SX-SI-004",
        "name": "个人权益记录查询打印（参保缴费证明）",
        "name_en": "Personal contribution record and proof of insurance",
        "kind": "public_service",
        "level": "county",
        "legal_basis": (
            "《社会保险法》第七十四条：社会保险经办机构应当及时、完整、准确地记录个人权益记录。"
        ),
        "legal_basis_en": "SIL art. 74.",
        "conditions": "参保人员本人或经授权的单位、机构。",
        "conditions_en": "The insured person, or someone they authorise.",
        "materials": [ID_CARD],
        "legal_limit_days": 1,
        "promised_limit_days": 0,
        "visits_required": 0,
        "channels": ALL_CHANNELS,
        "process": "proof_of_insurance.bpmn",
        "form_schema": PROOF_FORM,
    },
    {
        "code": "SX-SI-005",
        "name": "灵活就业人员参保登记",
        "name_en": "Flexible-employment enrolment",
        "kind": "administrative_confirmation",
        "level": "county",
        "legal_basis": (
            "《社会保险法》第十条第二款：无雇工的个体工商户、未在用人单位参加基本养老保险的非全日"
            "制从业人员以及其他灵活就业人员可以参加基本养老保险。"
        ),
        "legal_basis_en": "SIL art. 10.",
        "conditions": "在本省就业的灵活就业人员，未在用人单位参加基本养老保险。",
        "conditions_en": "Flexibly employed in the province and not insured through an employer.",
        "materials": [ID_CARD],
        "legal_limit_days": 15,
        "promised_limit_days": 1,
        "visits_required": 0,
        "channels": ALL_CHANNELS,
        "process": "flexible_enrolment.bpmn",
        "form_schema": FLEXIBLE_FORM,
    },
    {
        "code": "SX-SI-006",
        "name": "基本养老金申领（退休）",
        "name_en": "Retirement pension application",
        "kind": "administrative_payment",
        "level": "city",
        "legal_basis": (
            "《社会保险法》第十六条；《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的"
            "决定》（2024）。"
        ),
        "legal_basis_en": "SIL art. 16; NPCSC decision of 2024-09-13.",
        "conditions": "达到法定退休年龄（或经批准弹性退休），累计缴费达到最低缴费年限。",
        "conditions_en": "Statutory (or approved flexible) retirement age reached and the minimum "
        "contribution period met.",
        "materials": [
            ID_CARD,
            m(
                "本人社会保障卡或银行账户",
                "Social security card or bank account",
                replaceable_by="shared_data",
            ),
            m("人事档案（视同缴费年限认定）", "Personnel file (deemed years)", required=False),
        ],
        "legal_limit_days": 20,
        "promised_limit_days": 10,
        "visits_required": 0,
        "channels": ONLINE_COUNTER,
        "process": "retirement.bpmn",
        "form_schema": {
            "type": "object",
            "required": ["retirement_month", "bank_account"],
            "x-one-open-case": ["applicant"],
            "properties": {
                "retirement_month": {
                    "type": "string",
                    "pattern": "^[0-9]{4}-[0-9]{2}$",
                    "title": "退休月份",
                    "x-title-en": "Retirement month (YYYY-MM)",
                },
                "bank_account": {
                    "type": "string",
                    "pattern": "^[0-9]{12,19}$",
                    "x-mask": "bank_account",
                    "title": "养老金发放银行账号",
                    "x-title-en": "Bank account for the pension",
                },
                "note": {"type": "string", "maxLength": 500, "title": "备注", "x-title-en": "Note"},
            },
        },
    },
    {
        "code": "SX-SI-007",
        "name": "基本养老保险关系转移接续",
        "name_en": "Pension insurance transfer between provinces",
        "kind": "public_service",
        "level": "county",
        "legal_basis": (
            "《社会保险法》第十九条；《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔20"
            "09〕66号）。"
        ),
        "legal_basis_en": "SIL art. 19; Guobanfa [2009] 66.",
        "conditions": "跨省流动就业并在新就业地参保。",
        "conditions_en": "Moved to work in another province and insured there.",
        "materials": [
            ID_CARD,
            m("参保缴费凭证", "Proof of contributions", replaceable_by="shared_data"),
        ],
        "legal_limit_days": 45,
        "promised_limit_days": 15,
        "visits_required": 0,
        "channels": ONLINE_COUNTER,
        "process": "transfer.bpmn",
        "form_schema": TRANSFER_FORM,
    },
    {
        "code": "SX-SI-008",
        "name": "丧葬补助金、抚恤金申领",
        "name_en": "Funeral grant and survivor benefits",
        "kind": "administrative_payment",
        "level": "county",
        "legal_basis": (
            "《社会保险法》第十七条：参加基本养老保险的个人，因病或者非因工死亡的，其遗属可以领取"
            "丧葬补助金和抚恤金。"
        ),
        "legal_basis_en": "SIL art. 17.",
        "conditions": "参保人员因病或非因工死亡，遗属申领。",
        "conditions_en": "The insured person died of illness or not at work; survivors apply.",
        "materials": [
            m(
                "死亡证明",
                "Death certificate",
                replaceable_by="shared_data",
                licence_type="death_certificate",
            ),
            m(
                "申领人身份证",
                "Applicant's identity card",
                replaceable_by="elicence",
                licence_type="resident_id",
            ),
            m(
                "亲属关系证明",
                "Proof of family relation",
                replaceable_by="shared_data",
                obtained_at=KINSHIP_OBTAINED_AT,
            ),
        ],
        "legal_limit_days": 20,
        "promised_limit_days": 10,
        "visits_required": 0,
        "channels": ONLINE_COUNTER,
        "process": "death_benefits.bpmn",
        "form_schema": {
            "type": "object",
            "required": ["deceased_resident_id", "relation"],
            "properties": {
                "deceased_resident_id": {
                    "type": "string",
                    "pattern": "^[0-9]{17}[0-9Xx]$",
                    "title": "逝者公民身份号码",
                    "x-title-en": "Resident ID of the deceased",
                },
                "relation": {
                    "type": "string",
                    "enum": ["spouse", "child", "parent"],
                    "x-enum-labels": SURVIVOR_RELATIONS,
                    "x-enum-labels-en": SURVIVOR_RELATIONS_EN,
                    "title": "与逝者关系",
                    "x-title-en": "Relation to the deceased",
                },
            },
        },
    },
    {
        "code": "SX-SI-009",
        "name": "失业保险金申领",
        "name_en": "Unemployment insurance benefit",
        "kind": "administrative_payment",
        "level": "county",
        "legal_basis": "《社会保险法》第四十五条；《失业保险条例》第十四条。",
        "legal_basis_en": "SIL art. 45; Unemployment Insurance Regulations art. 14.",
        "conditions": "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，"
        "已办理失业登记并有求职要求。",
        "conditions_en": "Contributed a year or more, lost work involuntarily, registered as "
        "unemployed and seeking work.",
        "materials": [
            ID_CARD,
            m("解除或终止劳动关系证明", "Proof the employment ended", replaceable_by="shared_data"),
            m(
                "离职原因异议的证据材料",
                "Evidence contesting how the employment ended",
                required=False,
            ),
        ],
        "legal_limit_days": 15,
        "promised_limit_days": 5,
        "visits_required": 0,
        "channels": ONLINE_COUNTER,
        "process": "unemployment_benefit.bpmn",
        "form_schema": UNEMPLOYMENT_BENEFIT_FORM,
    },
    {
        "code": "SX-EMP-001",
        "name": "就业失业登记",
        "name_en": "Employment and unemployment registration",
        "kind": "public_service",
        "level": "county",
        "agency_kind": "hrss_bureau",
        "legal_basis": "《就业服务与就业管理规定》第六十一条至第六十六条。",
        "legal_basis_en": "Employment Services and Management Provisions, arts. 61-66.",
        "conditions": "法定劳动年龄内、有劳动能力和就业要求的人员。",
        "conditions_en": "Of working age, able and willing to work.",
        "materials": [ID_CARD],
        "legal_limit_days": 5,
        "promised_limit_days": 0,
        "visits_required": 0,
        "channels": ALL_CHANNELS,
        "process": "unemployment_registration.bpmn",
        "form_schema": UNEMPLOYMENT_REGISTRATION_FORM,
    },
]
# Each form lists its fields in the order declared above (``x-order``): the order every page
# asks and shows them in, whatever order the database keeps the keys of ``properties`` in
# (PostgreSQL's jsonb sorts them).
for _item in ITEMS:
    _schema = _item.get("form_schema")
    if _schema and isinstance(_schema.get("properties"), dict):
        _schema.setdefault("x-order", list(_schema["properties"]))


BUNDLES = [
    {
        "code": "BUNDLE-RETIRE",
        "name": "退休一件事",
        "name_en": "Retiring, handled once",
        "description": "一张表单、一套材料：养老金申领、参保缴费证明、医保退休人员待遇。",
        "description_en": "One form and one set of materials for the pension application and "
        "the proof of insurance.",
        "item_codes": ["SX-SI-006", "SX-SI-004"],
    },
    {
        "code": "BUNDLE-DEATH",
        "name": "身后一件事",
        "name_en": "After a death, handled once",
        "description": "遗属一次申请：丧葬补助金和抚恤金、养老保险关系终止、个人账户余额继承。",
        "description_en": "Survivors apply once: funeral grant and survivor benefits, ending the "
        "pension relation, inheriting the account balance.",
        "item_codes": ["SX-SI-008", "SX-SI-004"],
    },
]


def seed(item_model: Any, bundle_model: Any) -> None:
    """Create what is missing; existing versions are left alone (versions are never changed)."""
    # The fields the model has at this migration (a field added later, e.g. an English
    # text, is filled by the migration that adds it).
    known = {f.name for f in item_model._meta.fields}
    for item in ITEMS:
        if not item_model.objects.filter(code=item["code"]).exists():
            item_model.objects.create(
                version=1,
                created_by="system",
                note="default catalogue",
                **{k: v for k, v in item.items() if k in known},
            )
    for bundle in BUNDLES:
        if not bundle_model.objects.filter(code=bundle["code"]).exists():
            bundle_model.objects.create(**bundle)


#: What a new version carries over from the one before it (everything an administrator edits).
_NOT_CARRIED = {"id", "version", "note", "created_by", "created_at"}


def publish_form_rule(item_model: Any, codes: list[str], key: str, note: str) -> None:
    """Publish version n+1 of each item in ``codes`` whose latest form lacks ``ITEMS``'s
    value of the form key ``key`` (an ``x-`` rule): the latest version as an administrator
    left it, with that one key set."""
    wanted = {item["code"]: item for item in ITEMS if item["code"] in codes}
    for code, item in wanted.items():
        latest = item_model.objects.filter(code=code).order_by("-version").first()
        value = item.get("form_schema", {}).get(key)
        if latest is None or value is None or (latest.form_schema or {}).get(key) == value:
            continue
        values = {
            f.name: getattr(latest, f.name)
            for f in latest._meta.fields
            if f.name not in _NOT_CARRIED
        }
        values["form_schema"] = {**(latest.form_schema or {}), key: value}
        item_model.objects.create(
            **values, version=latest.version + 1, created_by="system", note=note
        )


def publish_processes(item_model: Any, codes: list[str], note: str) -> None:
    """For a database seeded before these items had a process: publish version n+1 of each
    item in ``codes`` with its process, form and materials from ``ITEMS`` (the version a
    fresh database starts with). Items already naming that process are left alone."""
    wanted = {item["code"]: item for item in ITEMS if item["code"] in codes}
    for code, item in wanted.items():
        latest = item_model.objects.filter(code=code).order_by("-version").first()
        if latest is None or latest.process == item["process"]:
            continue
        values = {
            f.name: getattr(latest, f.name)
            for f in latest._meta.fields
            if f.name not in _NOT_CARRIED
        }
        for key in ("process", "form_schema", "materials", "step_limits"):
            if key in item:
                values[key] = item[key]
        item_model.objects.create(
            **values, version=latest.version + 1, created_by="system", note=note
        )
