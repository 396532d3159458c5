"""The seed data of a new database: national book rates (D5) and the demo province's
parameters. Used by migration 0002 and by tests that flush the database.

The Shaanxi wage figures are illustrative demo values, not the published figures: an
administrator replaces them by publishing a new version with the official figure and source.
"""

from decimal import Decimal
from typing import Any

BOOK_RATES = {
    2016: "0.0831",
    2017: "0.0712",
    2018: "0.0829",
    2019: "0.0761",
    2020: "0.0604",
    2021: "0.0669",
    2022: "0.0612",
    2023: "0.0397",
    2024: "0.0262",
}
RATE_SOURCE = "D5 MOHRSS [2017] 31 and the yearly MOHRSS/MOF notice of the national book rate"

#: year: (average monthly wage for bases, benefit base) -- illustrative demo values.
SHAANXI = {
    2019: ("5900.00", "5900.00"),
    2020: ("6200.00", "6200.00"),
    2021: ("6600.00", "6600.00"),
    2022: ("6900.00", "6900.00"),
    2023: ("7200.00", "7200.00"),
    2024: ("7450.00", "7450.00"),
    2025: ("7700.00", "7700.00"),
    2026: ("7950.00", "7950.00"),
}
#: year: urban residents' monthly disposable income per person -- illustrative demo values.
SHAANXI_INCOME = {
    2019: "2990.00",
    2020: "3100.00",
    2021: "3330.00",
    2022: "3450.00",
    2023: "3620.00",
    2024: "3760.00",
    2025: "3900.00",
    2026: "4040.00",
}
#: year: monthly minimum wage of Shaanxi's first-tier areas -- illustrative demo values.
SHAANXI_MINIMUM_WAGE = {
    2019: "1800.00",
    2020: "1800.00",
    2021: "1950.00",
    2022: "1950.00",
    2023: "2160.00",
    2024: "2160.00",
    2025: "2160.00",
    2026: "2160.00",
}
#: year: the basic medical insurance contribution the unemployment fund pays each month for
#: a benefit recipient -- illustrative demo values.
SHAANXI_MEDICAL_ON_BEHALF = {
    2019: "190.00",
    2020: "200.00",
    2021: "210.00",
    2022: "220.00",
    2023: "230.00",
    2024: "240.00",
    2025: "250.00",
    2026: "260.00",
}
MEDICAL_ON_BEHALF_SOURCES = (
    " Medical insurance paid for unemployment benefit recipients: D10 Unemployment Insurance "
    "Regulations art. 19 and D11 Social Insurance Law art. 48 (the unemployment fund pays "
    "the recipient's basic medical insurance contribution); the monthly amounts are "
    "ILLUSTRATIVE, not checked against the Shaanxi medical security bureau's notice."
)
UNEMPLOYMENT_SOURCES = (
    " Unemployment benefit: D10 Unemployment Insurance Regulations art. 18 (set by the "
    "province below the minimum wage) and MOHRSS [2017] 71 (raise it to 90% of the minimum "
    "wage): share 90%; the first-tier minimum wage figures are ILLUSTRATIVE, not checked "
    "against the Shaanxi government's notice; region tiers are not modelled."
)
SOURCES = (
    "Rates: D4 Guobanfa [2019] 13 (employer 16%, bases 60%-300%), D3 Guofa [2005] 38 "
    "(individual 8%), Social Insurance Law art. 86 (0.05% a day). Wages and benefit base: "
    "ILLUSTRATIVE DEMO VALUES, not the figures published by the Shaanxi HRSS department; "
    "publish a new version with the official figure. Transitional coefficient k = 1.2%: "
    "illustrative, inside the 1.0%-1.4% range of provincial formulas. Survivors: MOHRSS "
    "[2021] 18 (funeral grant twice the urban residents' monthly disposable income); the "
    "income figures and the survivor months schedule (6 to 24, one a year) are ILLUSTRATIVE."
)


def seed(book_rate_model: Any, parameters_model: Any) -> None:
    """Create what is missing; existing rows are left alone (rows are never updated)."""
    for year, rate in BOOK_RATES.items():
        if not book_rate_model.objects.filter(year=year).exists():
            book_rate_model.objects.create(
                year=year,
                version=1,
                rate=Decimal(rate),
                provisional=False,
                source=RATE_SOURCE,
                created_by="system",
            )
    for year, (wage, base) in SHAANXI.items():
        if parameters_model.objects.filter(province="610000", year=year).exists():
            continue
        parameters_model.objects.create(
            province="610000",
            year=year,
            version=1,
            average_wage=Decimal(wage),
            benefit_base=Decimal(base),
            transitional_coefficient=Decimal("0.012"),
            adjustment_percentage=Decimal("0.02") if year == 2025 else None,
            adjustment_fixed=Decimal("0") if year == 2025 else None,
            **income_of(parameters_model, year),
            **minimum_wage_of(parameters_model, year),
            **medical_on_behalf_of(parameters_model, year),
            sources=SOURCES
            + UNEMPLOYMENT_SOURCES * bool(minimum_wage_of(parameters_model, year))
            + MEDICAL_ON_BEHALF_SOURCES * bool(medical_on_behalf_of(parameters_model, year)),
            note="initial demo data",
            created_by="system",
        )


def income_of(parameters_model: Any, year: int) -> dict[str, Decimal]:
    """The demo income for a model that has the field (migrations before 0004 do not)."""
    names = {f.name for f in parameters_model._meta.fields}
    if "residents_monthly_income" not in names or year not in SHAANXI_INCOME:
        return {}
    return {"residents_monthly_income": Decimal(SHAANXI_INCOME[year])}


def minimum_wage_of(parameters_model: Any, year: int) -> dict[str, Decimal]:
    """The demo minimum wage for a model that has the field (migrations before 0005 do not)."""
    names = {f.name for f in parameters_model._meta.fields}
    if "minimum_wage" not in names or year not in SHAANXI_MINIMUM_WAGE:
        return {}
    return {"minimum_wage": Decimal(SHAANXI_MINIMUM_WAGE[year])}


def medical_on_behalf_of(parameters_model: Any, year: int) -> dict[str, Decimal]:
    """The demo medical contribution paid for a benefit recipient, for a model that has the
    field (migrations before 0007 do not)."""
    names = {f.name for f in parameters_model._meta.fields}
    if "unemployment_medical_contribution" not in names or year not in SHAANXI_MEDICAL_ON_BEHALF:
        return {}
    return {"unemployment_medical_contribution": Decimal(SHAANXI_MEDICAL_ON_BEHALF[year])}
