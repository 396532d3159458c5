"""The catalogue of shared data resources the platform uses or provides (migration 0004 and
tests that flush the database)."""

from __future__ import annotations

from typing import Any

BASIS = (
    "《社会保险经办条例》（国务院令第765号）第二十六条；《政务信息资源共享管理暂行办法》"
    "（国发〔2016〕51号）。 Decree 765 art. 26; Guofa [2016] 51 on sharing government data."
)

RESOURCES: list[dict[str, Any]] = [
    {
        "code": "civil_affairs.deaths",
        "name": "死亡登记信息",
        "name_en": "Death registrations",
        "provider": "civil_affairs",
        "fields": ["name", "date", "place", "certificate_no"],
    },
    {
        "code": "civil_affairs.marriages",
        "name": "婚姻登记信息",
        "name_en": "Marriage registrations",
        "provider": "civil_affairs",
        "fields": ["spouse_name", "date", "certificate_no"],
    },
    {
        "code": "public_security.household",
        "name": "户籍信息",
        "name_en": "Household registration",
        "provider": "public_security",
        "fields": ["name", "address", "region_code", "household_head", "certificate_no"],
    },
    {
        "code": "public_security.deaths",
        "name": "户籍注销（死亡）信息",
        "name_en": "Registrations cancelled on death",
        "provider": "public_security",
        "fields": ["date", "certificate_no"],
    },
    {
        "code": "public_security.imprisonment",
        "name": "服刑人员信息",
        "name_en": "Imprisonment",
        "provider": "public_security",
        "fields": ["from", "to"],
    },
    {
        "code": "market_regulation.enterprises",
        "name": "企业登记信息",
        "name_en": "Enterprise registry",
        "provider": "market_regulation",
        "fields": ["name", "status", "legal_representative", "deregistered_on"],
    },
    {
        "code": "medical_insurance.settlements",
        "name": "医保结算信息（生存认证）",
        "name_en": "Medical-insurance settlements (signs of life)",
        "provider": "medical_insurance",
        "fields": ["last_date", "hospital"],
    },
    {
        "code": "hrss.proof_of_insurance",
        "name": "参保缴费证明信息",
        "name_en": "Proof of insurance",
        "provider": "hrss",
        "fields": ["insured", "contribution_months", "paid_months", "last_month", "employer"],
        "needs_consent": True,
        "legal_basis": "《社会保险法》第七十四条；本人授权。 SIL art. 74; the person's consent.",
    },
    {
        "code": "hrss.pension_transfer",
        "name": "养老保险关系转移接续（联系函与信息表）",
        "name_en": "Pension relation transfer (contact letter and information form)",
        "provider": "hrss",
        "fields": ["temporary", "account", "pooled", "months", "place", "place_name"],
        "legal_basis": "《社会保险法》第十九条；《城镇企业职工基本养老保险关系转移接续暂行办法》"
        "（国办发〔2009〕66号）。 SIL art. 19; Guobanfa [2009] 66.",
    },
]


#: Purposes of data sharing: the code the parties send, the labels people read.
PURPOSES: list[dict[str, str]] = [
    {"code": "loan", "name": "贷款审核", "name_en": "loan assessment"},
    {
        "code": "pension_transfer",
        "name": "养老保险关系转移接续",
        "name_en": "pension relation transfer",
    },
    {
        "code": "benefit_eligibility",
        "name": "社会保险待遇资格核查",
        "name_en": "checking entitlement to social-insurance benefits",
    },
]

#: Purposes written as free text before they were codes (migration 0009).
LEGACY_PURPOSES = {
    "贷款审核 loan": "loan",
    "养老保险关系转移接续 pension transfer": "pension_transfer",
}


def seed_purposes(purpose_model: Any) -> None:
    for row in PURPOSES:
        purpose_model.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"]}
        )


def seed(resource_model: Any) -> None:
    for row in RESOURCES:
        resource_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row["name_en"],
                "provider": row["provider"],
                "fields": row["fields"],
                "needs_consent": row.get("needs_consent", False),
                "legal_basis": row.get("legal_basis", BASIS),
            },
        )
