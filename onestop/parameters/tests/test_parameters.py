"""Parameters are versioned data: never rewritten, published by the system administrator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.parameters import selectors, services
from onestop.parameters.models import BookRate, ProvinceParameters

pytestmark = pytest.mark.django_db


def test_seeded_data() -> None:
    assert set(BookRate.objects.values_list("year", flat=True)) == set(range(2016, 2025))
    data = selectors.province_year(province="610000", year=2025)
    assert (data.version, data.average_wage, data.rates.pension_employer) == (
        1,
        Decimal("7700.00"),
        Decimal("0.16"),
    )
    assert "ILLUSTRATIVE" in data.sources
    assert selectors.latest_book_rate().year == 2024  # type: ignore[union-attr]


def test_rows_are_never_updated_or_deleted() -> None:
    row = ProvinceParameters.objects.get(province="610000", year=2025)
    row.average_wage = Decimal("1")
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()


def test_publish_carries_over_and_journals(world: Any) -> None:
    row = services.province_parameters_publish(
        actor=world.adam,
        province="610000",
        year=2025,
        values={"benefit_base": Decimal("7800.00")},
        sources="official notice",
        note="fix",
    )
    assert (row.version, row.benefit_base, row.average_wage) == (
        2,
        Decimal("7800.00"),
        Decimal("7700.00"),
    )
    assert row.created_by == "adam"
    assert selectors.province_year(province="610000", year=2025).benefit_base == 7800
    assert selectors.province_year(province="610000", year=2025, version=1).benefit_base == 7700
    entry = Entry.objects.get(action="parameters.province.published")
    assert (entry.actor_label, entry.changes["version"]) == ("adam", 2)


@pytest.mark.parametrize("actor", ["sean", "audrey", "carol", "sam"])
def test_only_the_system_administrator_publishes(world: Any, actor: str) -> None:
    before = ProvinceParameters.objects.count(), BookRate.objects.count(), Entry.objects.count()
    with pytest.raises(NotPermitted):
        services.province_parameters_publish(
            actor=getattr(world, actor), province="610000", year=2025, values={}, sources="x"
        )
    with pytest.raises(NotPermitted):
        services.book_rate_publish(
            actor=getattr(world, actor),
            year=2025,
            rate=Decimal("0.02"),
            provisional=True,
            source="x",
        )
    assert (
        ProvinceParameters.objects.count(),
        BookRate.objects.count(),
        Entry.objects.count(),
    ) == before


def test_bad_values_are_refused_whole(world: Any) -> None:
    before = ProvinceParameters.objects.count()
    with pytest.raises(ServiceError) as error:
        services.province_parameters_publish(
            actor=world.adam,
            province="610000",
            year=2025,
            values={
                "pension_employer_rate": Decimal("1.5"),
                "transitional_coefficient": Decimal("0.05"),
            },
            sources="x",
        )
    assert "pension_employer_rate" in error.value.en
    assert "transitional_coefficient" in error.value.en
    assert ProvinceParameters.objects.count() == before


def test_provisional_then_published_book_rate(world: Any) -> None:
    services.book_rate_publish(
        actor=world.adam,
        year=2025,
        rate=Decimal("0.0200"),
        provisional=True,
        source="provisional for year-end",
    )
    rate = selectors.book_rate(year=2025)
    assert (rate.rate, rate.provisional) == (Decimal("0.0200"), True)
    services.book_rate_publish(
        actor=world.adam,
        year=2025,
        rate=Decimal("0.0230"),
        provisional=False,
        source="official notice",
    )
    rate = selectors.book_rate(year=2025)
    assert (rate.rate, rate.provisional, rate.version) == (Decimal("0.0230"), False, 2)
    with pytest.raises(ServiceError):
        selectors.book_rate(year=2030)


def test_admin_publishes_a_new_version(world: Any) -> None:
    client = Client()
    client.force_login(world.adam)
    row = ProvinceParameters.objects.get(province="610000", year=2025)
    form = client.get(f"/admin/parameters/provinceparameters/add/?copy={row.pk}")
    assert form.status_code == 200
    assert 'value="7700.00"' in form.content.decode()
    data = {
        f.name: getattr(row, f.name)
        for f in ProvinceParameters._meta.fields
        if f.editable and f.name != "id"
    }
    data.update(
        {
            "work_injury_rates": '["0.002", "0.004", "0.007", "0.009", "0.011", '
            '"0.013", "0.015", "0.019"]',
            "benefit_base": "7900.00",
            "note": "official figure",
            "transitional_coefficient": "0.012",
            "adjustment_percentage": "",
            "adjustment_fixed": "",
        }
    )
    response = client.post(
        "/admin/parameters/provinceparameters/add/",
        {k: "" if v is None else v for k, v in data.items()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = selectors.province_year(province="610000", year=2025)
    assert (latest.version, latest.benefit_base) == (2, Decimal("7900.00"))
    change = client.get(f"/admin/parameters/provinceparameters/{row.pk}/change/")
    assert change.status_code == 200
    assert 'name="benefit_base"' not in change.content.decode()  # read-only


def test_seeded_unemployment_benefit_parameters() -> None:
    """Every seeded year states the (illustrative) minimum wage, the 90% share and the source."""
    data = selectors.province_year(province="610000", year=2026)
    assert (data.minimum_wage, data.unemployment_benefit_share) == (
        Decimal("2160.00"),
        Decimal("0.900"),
    )
    assert "MOHRSS [2017] 71" in data.sources and "ILLUSTRATIVE" in data.sources
    assert not ProvinceParameters.objects.filter(province="610000", minimum_wage__isnull=True)


def test_publishing_a_share_above_the_minimum_wage_is_refused(world: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        services.province_parameters_publish(
            actor=world.adam,
            province="610000",
            year=2026,
            values={"unemployment_benefit_share": Decimal("1.1")},
            sources="x",
        )
    assert "unemployment_benefit_share" in caught.value.en
    assert ProvinceParameters.objects.filter(province="610000", year=2026).count() == 1


def test_the_interest_table_is_kept_until_parameters_are_published(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The book rates and crediting methods are read once and then kept by the process (no
    query); publishing a book rate, or a province's parameters, retires the kept table, both
    inside the publishing transaction and after its commit."""
    province = "610000"  # the seeded province (Shaanxi)
    year = max(selectors.interest_methods(province=province))
    with CaptureQueriesContext(connection) as first:
        rates, _, methods = selectors.interest_table(province=province)
    with CaptureQueriesContext(connection) as second:
        assert selectors.interest_table(province=province) == (rates, _, methods)
    assert (len(first), len(second)) == (2, 0)
    rates[2099] = rates[max(rates)]  # the caller's copy: the kept table stays as it was
    assert 2099 not in selectors.interest_table(province=province)[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.book_rate_publish(
            actor=world.adam, year=2031, rate=Decimal("0.0150"), provisional=False, source="n"
        )
    rates, latest, _ = selectors.interest_table(province=province)
    assert (rates[2031].rate, latest) == (Decimal("0.0150"), rates[2031])
    other = "month_product" if methods[year] == "annual" else "annual"
    services.province_parameters_publish(  # no commit here: the bump in the transaction
        actor=world.adam,
        province=province,
        year=year,
        values={"interest_method": other},
        sources="test",
    )
    assert selectors.interest_table(province=province)[2][year] == other


def test_a_book_rate_written_outside_the_services_retires_the_kept_table(world: Any) -> None:
    """The admin or a data fix writes the model directly: the kept table follows at once."""
    province = "610000"
    rates, _, _ = selectors.interest_table(province=province)
    assert 2098 not in rates
    BookRate.objects.create(
        year=2098, version=1, rate=Decimal("0.0170"), provisional=False, source="fix"
    )
    assert selectors.interest_table(province=province)[0][2098].rate == Decimal("0.0170")
    BookRate.objects.filter(year=2098).delete()
    assert 2098 not in selectors.interest_table(province=province)[0]
