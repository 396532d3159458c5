"""Reading parameters: the latest version unless a version is asked for."""

from __future__ import annotations

from decimal import Decimal

from onestop.common import answers
from onestop.common.errors import ServiceError
from onestop.parameters.contracts import ProvinceYear, Rate
from onestop.parameters.models import BookRate, ProvinceParameters
from onestop.rules.adjustment import AdjustmentRule
from onestop.rules.award import CoefficientTransitional, DivisorPolicy
from onestop.rules.contributions import Rates
from onestop.rules.interest import Method
from onestop.rules.survivor import SurvivorPolicy
from onestop.rules.values import echoed


class ParametersMissing(ServiceError):
    status = 422
    code = "parameters_missing"


def to_contract(row: ProvinceParameters) -> ProvinceYear:
    rates = Rates(
        pension_employer=row.pension_employer_rate,
        pension_individual=row.pension_individual_rate,
        flexible_total=row.flexible_rate,
        flexible_to_account=row.flexible_account_rate,
        unemployment_employer=row.unemployment_employer_rate,
        unemployment_individual=row.unemployment_individual_rate,
        work_injury_by_class=tuple(Decimal(str(r)) for r in row.work_injury_rates),
        base_floor_ratio=row.base_floor_ratio,
        base_ceiling_ratio=row.base_ceiling_ratio,
        late_daily_rate=row.late_daily_rate,
    )
    transitional = (
        CoefficientTransitional(
            row.transitional_coefficient,
            source=f"{row.province}/{row.year}/v{row.version}: provincial coefficient",
        )
        if row.transitional_coefficient is not None
        else None
    )
    adjustment = (
        AdjustmentRule(
            row.year,
            row.adjustment_percentage,
            row.adjustment_fixed or Decimal(0),
            source=f"{row.province}/{row.year}/v{row.version}",
        )
        if row.adjustment_percentage is not None
        else None
    )
    return ProvinceYear(
        province=row.province,
        year=row.year,
        version=row.version,
        average_wage=row.average_wage,
        benefit_base=row.benefit_base,
        rates=rates,
        interest_method=Method(row.interest_method),
        divisor_policy=DivisorPolicy(row.divisor_policy),
        transitional=transitional,
        adjustment=adjustment,
        sources=row.sources,
        residents_monthly_income=row.residents_monthly_income,
        survivor=SurvivorPolicy(
            funeral_multiple=row.funeral_grant_multiple,
            months_min=row.survivor_months_min,
            months_per_year=row.survivor_months_per_year,
            months_max=row.survivor_months_max,
        ),
        minimum_wage=row.minimum_wage,
        unemployment_benefit_share=row.unemployment_benefit_share,
        unemployment_medical_contribution=row.unemployment_medical_contribution,
    )


def province_year(*, province: str, year: int, version: int | None = None) -> ProvinceYear:
    """The parameters of a province and year (latest version, or the one asked for)."""
    qs = ProvinceParameters.objects.filter(province=province, year=year)
    if version is not None:
        qs = qs.filter(version=version)
    row = qs.order_by("-version").first()
    if row is None:
        raise ParametersMissing(
            f"省份代码{province}没有{year}年的政策参数。",
            f"There are no policy parameters for province {province} in {year}.",
        )
    return to_contract(row)


class UnknownProvince(ServiceError):
    status = 422
    code = "province"


def known_province(code: str) -> str:
    """``code`` stripped, when the province has parameters; else UnknownProvince (422)."""
    code = (code or "").strip()
    if code not in provinces():
        raise UnknownProvince(
            f"未知的省份代码{echoed(code)}，或该省没有政策参数。",
            f"Unknown province code {echoed(code)}, or it has no parameters.",
        )
    return code


def province_year_or_latest(*, province: str, year: int) -> tuple[ProvinceYear, bool]:
    """The parameters of ``year``, or of the latest earlier published year when ``year`` has
    none (``True`` then: the caller says which year stood in). ParametersMissing when no
    year up to ``year`` is published."""
    try:
        return province_year(province=province, year=year), False
    except ParametersMissing:
        latest = latest_year(province=province)
        if latest is None or latest > year:
            raise
        return province_year(province=province, year=latest), True


def provinces() -> list[str]:
    return sorted(set(ProvinceParameters.objects.values_list("province", flat=True)))


def latest_year(*, province: str) -> int | None:
    row = ProvinceParameters.objects.filter(province=province).order_by("-year").first()
    return row.year if row else None


def book_rate(*, year: int, provisional: Decimal | None = None) -> Rate:
    """The latest published rate of ``year``, an explicit provisional one, or an error."""
    row = BookRate.objects.filter(year=year).order_by("-version").first()
    if row is not None and not (row.provisional and provisional is not None):
        return Rate(row.year, row.rate, row.provisional, row.version, row.source)
    if provisional is not None:
        return provisional_rate(year=year, rate=provisional)
    raise ParametersMissing(
        f"{year}年记账利率尚未公布，请提供临时利率。",
        f"No book rate is published for {year}; give a provisional rate.",
        code="rate_missing",
    )


def provisional_rate(*, year: int, rate: Decimal) -> Rate:
    """A provisional rate for a year without a published one, given by the caller."""
    return Rate(year, rate, True, 0, "provisional rate given by the caller")


def book_rates() -> dict[int, Rate]:
    """The latest published version of every year's book rate, by year, in one query (a
    statement credits several years; ``book_rate`` reads one)."""
    rates: dict[int, Rate] = {}
    for row in BookRate.objects.order_by("year", "version"):
        rates[row.year] = Rate(row.year, row.rate, row.provisional, row.version, row.source)
    return rates


def interest_methods(*, province: str) -> dict[int, str]:
    """The crediting method of every year the province has parameters for (latest version),
    by year, in one query."""
    methods: dict[int, str] = {}
    for year, method in (
        ProvinceParameters.objects.filter(province=province)
        .order_by("year", "version")
        .values_list("year", "interest_method")
    ):
        methods[year] = method
    return methods


def book_rate_table() -> tuple[dict[int, Rate], Rate | None]:
    """``book_rates()`` and ``latest_book_rate()`` from one query (the table holds a row a
    year and version): what a statement's accrued interest needs, read once."""
    rates: dict[int, Rate] = {}
    latest: Rate | None = None
    for row in BookRate.objects.order_by("year", "version"):
        rate = Rate(row.year, row.rate, row.provisional, row.version, row.source)
        rates[row.year] = rate
        if not row.provisional:
            latest = rate  # the last published row in (year, version) order
    return rates, latest


#: The generation of the parameters (``onestop.common.answers``): publishing a province's
#: parameters or a book rate bumps it.
GENERATION = "parameters"
#: How long this process keeps the interest table at most: a publish retires it at once
#: through the generation; this bounds what a per-process cache (the embedded default, no
#: ``REDIS_URL``) or a data migration leaves behind.
TABLE_SECONDS = 60


def interest_table(*, province: str) -> tuple[dict[int, Rate], Rate | None, dict[int, str]]:
    """``book_rate_table()`` and ``interest_methods(province=...)``, kept by this process
    while the parameters' generation stands (one cache read instead of two queries; both
    tables are append-only and change a few times a year), at most ``TABLE_SECONDS``."""

    def read() -> tuple[dict[int, Rate], Rate | None, dict[int, str]]:
        rates, latest = book_rate_table()
        return rates, latest, interest_methods(province=province)

    rates, latest, methods = answers.kept(
        key=f"parameters.interest_table:{province}",
        generation_of=GENERATION,
        seconds=TABLE_SECONDS,
        compute=read,
    )
    return dict(rates), latest, dict(methods)  # copies: a caller cannot change the kept one


def month_rates(*, province: str, period: int) -> Rates:
    """The rates ``province`` published for the month ``period`` (YYYYMM): its year's latest
    version, or before that year is published the latest earlier year's. The one source of
    every bill's rates and late surcharge (an employer's, an individual payer's), never the
    rules' defaults; kept by this process while the parameters' generation stands, at most
    ``TABLE_SECONDS``. ParametersMissing when no year up to it is published."""
    year = period // 100
    return answers.kept(
        key=f"parameters.month_rates:{province}:{year}",
        generation_of=GENERATION,
        seconds=TABLE_SECONDS,
        compute=lambda: province_year_or_latest(province=province, year=year)[0].rates,
    )


def latest_book_rate() -> Rate | None:
    row = BookRate.objects.filter(provisional=False).order_by("-year", "-version").first()
    return Rate(row.year, row.rate, row.provisional, row.version, row.source) if row else None
