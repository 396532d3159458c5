"""The demo province: Shaanxi's real region codes, its agencies, personas and a synthetic
population with valid resident IDs and credit codes. Reproducible: a fixed random seed."""

from __future__ import annotations

import base64
import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from stdnum.cn import ric, uscc

from onestop.audit.services import record
from onestop.identity import services
from onestop.identity.auth import phone_index, resident_id_index
from onestop.identity.models import (
    Agency,
    AgencyKind,
    Employer,
    EmployerRoleKind,
    Person,
    Region,
    RegionLevel,
    StaffRole,
    User,
)

PROVINCE = ("610000", "陕西省", "Shaanxi")
CITIES = {
    ("610100", "西安市", "Xi'an"): [
        ("610102", "新城区", "Xincheng"),
        ("610103", "碑林区", "Beilin"),
        ("610104", "莲湖区", "Lianhu"),
        ("610113", "雁塔区", "Yanta"),
        ("610116", "长安区", "Chang'an"),
    ],
    ("610300", "宝鸡市", "Baoji"): [
        ("610302", "渭滨区", "Weibin"),
        ("610303", "金台区", "Jintai"),
        ("610304", "陈仓区", "Chencang"),
    ],
    ("610400", "咸阳市", "Xianyang"): [
        ("610402", "秦都区", "Qindu"),
        ("610404", "渭城区", "Weicheng"),
        ("610422", "三原县", "Sanyuan"),
    ],
    ("610600", "延安市", "Yan'an"): [("610602", "宝塔区", "Baota")],
}

PROVINCE_DEPARTMENTS = [
    (AgencyKind.CIVIL_AFFAIRS, "陕西省民政厅", "Shaanxi Department of Civil Affairs"),
    (AgencyKind.PUBLIC_SECURITY, "陕西省公安厅", "Shaanxi Department of Public Security"),
    (AgencyKind.TAX, "国家税务总局陕西省税务局", "Shaanxi Provincial Tax Service"),
    (
        AgencyKind.MARKET_REGULATION,
        "陕西省市场监督管理局",
        "Shaanxi Administration for Market Regulation",
    ),
    (AgencyKind.MEDICAL_INSURANCE, "陕西省医疗保障局", "Shaanxi Healthcare Security Bureau"),
]

DEMO_PASSWORD = "Onestop2026demo"  # noqa: S105 - printed by `onestop demo`, demo data only

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕晓东丹玉兰"
    "婷宇浩然子涵欣怡梓轩思远佳琪俊杰雨萱晨阳文博诗涵"
)
FIRMS = [
    "秦川",
    "长安",
    "丝路",
    "华岳",
    "渭水",
    "大雁",
    "汉唐",
    "终南",
    "骊山",
    "延河",
    "宝塔",
    "金台",
]
TRADES = [
    "精密机械",
    "软件科技",
    "建筑工程",
    "商贸",
    "食品",
    "物流",
    "电子",
    "医药",
    "文化传媒",
    "新能源",
    "纺织",
    "餐饮管理",
]


ZHOU_LABEL = "周建国 Zhou, born 1965-12, past his retirement month (or phone 13800000003)"


@dataclass(frozen=True)
class Persona:
    login: str
    role: str
    description: str
    totp_secret: str = ""


def resident_id(rng: random.Random, region: str, birth: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and their check character."""
    body = "".join(str(rng.randrange(10)) for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, region: str) -> str:
    body = f"91{region}{_org_code(rng)}"
    return body + uscc.calc_check_digit(body + "0")


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "186", "187", "133", "177"]) + "".join(
        str(rng.randrange(10)) for _ in range(8)
    )


def is_loaded() -> bool:
    return Region.objects.filter(code=PROVINCE[0]).exists()


def create_regions() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    province = Region.objects.create(
        code=PROVINCE[0], name=PROVINCE[1], name_en=PROVINCE[2], level=RegionLevel.PROVINCE
    )
    regions[province.code] = province
    for (code, name, name_en), counties in CITIES.items():
        city = Region.objects.create(
            code=code, name=name, name_en=name_en, level=RegionLevel.CITY, parent=province
        )
        regions[code] = city
        for ccode, cname, cname_en in counties:
            regions[ccode] = Region.objects.create(
                code=ccode, name=cname, name_en=cname_en, level=RegionLevel.COUNTY, parent=city
            )
    return regions


def create_agencies(regions: dict[str, Region]) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}

    def add(
        code: str, name: str, name_en: str, kind: str, region: Region, parent: Agency | None = None
    ) -> Agency:
        agencies[code] = Agency.objects.create(
            code=code, name=name, name_en=name_en, kind=kind, region=region, parent=parent
        )
        return agencies[code]

    for region in regions.values():
        place, place_en = region.name, region.name_en
        suffix = "厅" if region.level == RegionLevel.PROVINCE else "局"
        bureau = add(
            f"{region.code}-hrss",
            f"{place}人力资源和社会保障{suffix}",
            f"{place_en} HRSS",
            AgencyKind.HRSS_BUREAU,
            region,
        )
        add(
            f"{region.code}-si",
            f"{place}社会保险经办中心",
            f"{place_en} Social Insurance Centre",
            AgencyKind.SI_AGENCY,
            region,
            bureau,
        )
    province = regions[PROVINCE[0]]
    for kind, name, name_en in PROVINCE_DEPARTMENTS:
        add(f"610000-{kind}", name, name_en, kind, province)
    return agencies


#: The employers the personas act for (acme first).
PERSONA_EMPLOYERS = ("西安艾克美软件科技有限公司", "宝鸡秦川精密机械有限公司")

STAFF = [
    # login, display name, role, agency, region scope, description
    (
        "carol",
        "陈卡罗",
        StaffRole.CASE_WORKER,
        "610113-si",
        "610113",
        "case worker, Yanta district (sees Yanta only)",
    ),
    (
        "rita",
        "任丽塔",
        StaffRole.REVIEWER,
        "610100-si",
        "610100",
        "reviewer, Xi'an city (sees Xi'an's districts)",
    ),
    (
        "sam",
        "孙山姆",
        StaffRole.SUPERVISOR,
        "610000-si",
        "610000",
        "supervisor, province (sees all, identifiers masked)",
    ),
    ("erin", "叶艾琳", StaffRole.CONTENT_EDITOR, "610000-hrss", "610000", "content editor"),
    (
        "adam",
        "安亚当",
        StaffRole.SYSTEM_ADMIN,
        "610000-hrss",
        "610000",
        "system administrator (configuration only)",
    ),
    (
        "sean",
        "沈肖恩",
        StaffRole.SECURITY_ADMIN,
        "610000-hrss",
        "610000",
        "security administrator (staff accounts only)",
    ),
    (
        "audrey",
        "欧奥黛",
        StaffRole.AUDIT_ADMIN,
        "610000-hrss",
        "610000",
        "audit administrator (journal only)",
    ),
    (
        "mallory",
        "马洛里",
        StaffRole.CASE_WORKER,
        "610602-si",
        "610602",
        "case worker, Baota district, Yan'an (must see nothing of Xi'an)",
    ),
    (
        "cheng",
        "程民政",
        StaffRole.CASE_WORKER,
        "610000-civil_affairs",
        "610000",
        "civil affairs officer (joint review of death cases)",
    ),
    (
        "mei",
        "梅医保",
        StaffRole.CASE_WORKER,
        "610000-medical_insurance",
        "610000",
        "medical insurance officer (joint review of death cases)",
    ),
]

#: Fixed demo TOTP secrets so that `onestop totp NAME` can print a code for any demo login.
DEMO_TOTP = {
    login: base64.b32encode(f"onestop-demo-{login}".encode().ljust(20, b"-")[:20]).decode()
    for login, *_ in STAFF
}


def create_staff(
    regions: dict[str, Region], agencies: dict[str, Agency], *, password: str
) -> dict[str, User]:
    """The staff personas of ``STAFF``, one account each, by login."""
    return {
        login: services.staff_create(
            actor=None,
            username=login,
            display_name=display,
            password=password,
            agency=agencies[agency],
            role=role,
            region=regions[scope],
        )
        for login, display, role, agency, scope, _ in STAFF
    }


@transaction.atomic
def load(*, persons: int = 200, seed: int = 20261123) -> list[Persona]:
    """Create the demo province; returns the personas with their logins."""
    rng = random.Random(seed)
    regions = create_regions()
    agencies = create_agencies(regions)
    personas: list[Persona] = []
    staff = create_staff(regions, agencies, password=DEMO_PASSWORD)
    for login, _, role, _, _, description in STAFF:
        user = staff[login]
        user.totp_secret = DEMO_TOTP[login]
        user.totp_confirmed_at = dt.datetime.now(dt.UTC)
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        personas.append(Persona(login, str(role), description, DEMO_TOTP[login]))

    alice = services.person_register(
        actor=None,
        name="李爱丽",
        resident_id=resident_id(rng, "610113", dt.date(1974, 5, 15), male=False),
        region=regions["610113"],
        phone="13800000001",
        password=DEMO_PASSWORD,
    )
    bob = services.person_register(
        actor=None,
        name="白博文",
        resident_id=resident_id(rng, "610103", dt.date(1975, 3, 8), male=True),
        region=regions["610103"],
        phone="13800000002",
        password=DEMO_PASSWORD,
    )
    acme = services.employer_register(
        actor=None,
        name="西安艾克美软件科技有限公司",
        credit_code=credit_code(rng, "610113"),
        region=regions["610113"],
        legal_representative=bob.name,
        contact_name="白博文",
        contact_phone="13800000002",
        address="西安市雁塔区科技路1号",
    )
    globex = services.employer_register(
        actor=None,
        name="宝鸡秦川精密机械有限公司",
        credit_code=credit_code(rng, "610302"),
        region=regions["610302"],
        legal_representative="赵国强",
        contact_name="白博文",
        contact_phone="13800000002",
        address="宝鸡市渭滨区清姜路8号",
    )
    services.employer_role_grant(
        actor=None, employer=acme, person=bob, role=EmployerRoleKind.LEGAL_REPRESENTATIVE
    )
    services.employer_role_grant(
        actor=None, employer=globex, person=bob, role=EmployerRoleKind.AGENT
    )
    personas.append(
        Persona(
            alice.resident_id, "citizen", "alice, insured person in Yanta (or phone 13800000001)"
        )
    )
    personas.append(
        Persona(
            bob.resident_id,
            "citizen",
            "bob, legal representative of acme, agent of a Baoji employer (or phone 13800000002)",
        )
    )

    counties = [r for r in regions.values() if r.level == RegionLevel.COUNTY]
    _population(rng, counties, persons)
    for i in range(max(2, persons // 20)):
        county = counties[i % len(counties)]
        city = county.parent.name if county.parent else ""
        Employer.objects.create(
            name=f"{city}{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司{i + 1:03d}",
            credit_code=credit_code(rng, county.code),
            region=county,
            legal_representative=_name(rng),
            contact_name=_name(rng),
            contact_phone=_phone(rng),
        )
    record(
        actor=None,
        action="identity.demo.loaded",
        changes={"persons": persons, "regions": len(regions), "agencies": len(agencies)},
    )
    return personas


def _population(rng: random.Random, counties: list[Region], count: int) -> None:
    seen: set[str] = set(Person.objects.values_list("resident_id_index", flat=True))
    batch: list[Person] = []
    while len(batch) < count:
        county = rng.choice(counties)
        male = rng.random() < 0.52
        birth = dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(0, 46 * 365))
        number = resident_id(rng, county.code, birth, male)
        index = resident_id_index(number)
        if index in seen:
            continue
        seen.add(index)
        phone = _phone(rng)
        batch.append(
            Person(
                name=_name(rng),
                resident_id=number,
                resident_id_index=index,
                phone=phone,
                phone_index=phone_index(phone),
                sex="male" if male else "female",
                birth_date=birth,
                region=county,
            )
        )
    Person.objects.bulk_create(batch, batch_size=1000)


def personas() -> list[Persona]:
    """The personas of an already loaded demo (for printing logins on a second run)."""
    result = [
        Persona(login, str(role), description, DEMO_TOTP[login])
        for login, _, role, _, _, description in STAFF
        if User.objects.filter(username=login).exists()
    ]
    for phone, label in (
        ("13800000001", "alice, insured person in Yanta"),
        ("13800000002", "bob, legal representative of acme"),
        ("13800000003", ZHOU_LABEL.removesuffix(" (or phone 13800000003)")),
        ("13800000015", "方灵活 Fang, flexibly employed, pays quarterly"),
        ("13800000023", "孙立业 Sun, removed by acme, drawing the unemployment benefit"),
    ):
        person = Person.objects.filter(phone_index=phone_index(phone)).first()
        if person is not None:
            result.append(Persona(person.resident_id, "citizen", f"{label} (or phone {phone})"))
    return result
