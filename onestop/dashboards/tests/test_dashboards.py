"""Dashboards: the rollup's exact figures from real records, idempotence, region scope, the
page with its tables, CSV and XLSX export, and the benchmark command at a small size."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from onestop.applications import services as applications
from onestop.contributions import services as contributions
from onestop.contributions.models import Bill
from onestop.contributions.services import DeclaredRow
from onestop.dashboards import selectors
from onestop.dashboards.models import Figure
from onestop.dashboards.rollup import month_of, rollup
from onestop.reviews import services as reviews
from onestop.reviews.models import DIMENSIONS

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


@pytest.fixture
def activity(world: Any) -> Any:
    """acme (Yanta) declares alice at 7450.00 for 2024-10 and 2024-11 and pays October's
    pension bill, then removes her after 2024-11; alice files two retirement cases online
    this month (for 2026-05, after her covered employment), one decided and rated 5, one
    not."""
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202410
    )
    employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202410,
        wage=Decimal("7450"),
    )
    for period in (202410, 202411):
        result = contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=period,
            rows=[DeclaredRow(2, world.alice.resident_id, "7450")],
            today=dt.date(2026, 11, 23),
        )
        assert result.accepted
    october = Bill.objects.get(period=202410)
    contributions.payment_record(
        actor=None,
        external_id="T1",
        bill=october,
        amount=october.amount_due,
        paid_on=dt.date(2024, 11, 10),
    )
    contributions.employment_end(
        actor=None, employment=employment, end_period=202411, reason="退休 retirement"
    )
    for decide in (True, False):
        case = applications.application_submit(
            actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
        ).application
        if decide:
            case = applications.application_act(
                actor=world.carol,
                application=case,
                task="accept",
                decision="not_accept",
                note="不符合条件",
            )
            reviews.review_submit(
                actor=world.alice.user,
                case=case,
                rating=reviews.Rating(5, dict.fromkeys(DIMENSIONS, 5)),
                channel="web",
            )
    return world


def figures(period: int) -> dict[str, Decimal]:
    return dict(Figure.objects.filter(period=period).values_list("metric", "value"))


def test_the_rollup_counts_the_records_exactly_and_twice_changes_nothing(
    activity: Any,
) -> None:
    this_month = month_of(dt.date.today())
    count = rollup(since=202401, until=this_month)
    # 7450.00: employer 16% 1192.00, individual 8% 596.00 -> 1788.00 posted and due a month.
    assert figures(202410) == {
        "insured": Decimal("1.00"),
        "contributions_posted": Decimal("1788.00"),
        "employers": Decimal("1.00"),
        "due": Decimal("1788.00"),
        "paid": Decimal("1788.00"),
    }
    assert figures(202411)["due"] == Decimal("1788.00")
    assert "paid" not in figures(202411)
    assert figures(this_month) == {
        "cases_online": Decimal("2.00"),
        "decided": Decimal("1.00"),
        "decided_on_time": Decimal("1.00"),
        "reviews": Decimal("1.00"),
        "reviews_satisfied": Decimal("1.00"),
    }
    assert {f.region for f in Figure.objects.all()} == {activity.alice.region}
    before = list(Figure.objects.order_by("period", "metric").values_list("metric", "value"))
    assert rollup(since=202401, until=this_month) == count
    after = list(Figure.objects.order_by("period", "metric").values_list("metric", "value"))
    assert after == before


def test_the_dashboard_derives_arrears_and_shares_in_scope(activity: Any) -> None:
    rollup(since=202401, until=month_of(dt.date.today()))
    board = selectors.dashboard(prefix="61", since=202410, until=202411)
    (october, november) = [values for _, values in board.months]
    assert (october["arrears"], november["arrears"]) == (Decimal("0"), Decimal("1788.00"))
    assert november["contributors_per_pensioner"] is None  # no pensioner
    assert selectors.dashboard(prefix="6106", since=202410, until=202411).months == []
    this_month = month_of(dt.date.today())
    now = selectors.dashboard(prefix="6101", since=this_month, until=this_month)
    assert now.months[0][1]["on_time_share"] == Decimal("1.000")


def test_the_page_exports_and_scope(activity: Any) -> None:
    rollup(since=202401, until=month_of(dt.date.today()))
    sam = Client()
    sam.force_login(activity.sam)
    page = sam.get("/dashboards/?since=2024-10&until=2024-11").content.decode()
    assert 'id="chart-collection"' in page and "1788.00" in page and "<svg" in page
    assert "雁塔区" in page  # the county table of the last month
    exported = sam.get("/dashboards/export.csv?since=2024-10&until=2024-11").content.decode()
    table = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    # Headers in the reader's language (Chinese by default), as on the page.
    assert table[0][:3] == ["月份", "参保人数", "参保单位数"]
    assert table[2][0] == "2024-11" and table[2][table[0].index("欠费")] == "1788.00"
    english = sam.get(
        "/dashboards/export.csv?since=2024-10&until=2024-11", headers={"accept-language": "en"}
    )
    header = next(csv.reader(io.StringIO(english.content.decode().lstrip("\ufeff"))))
    assert header[:3] == ["Month", "Insured persons", "Employers"]
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in cell) for cell in header)
    xlsx = sam.get("/dashboards/export.xlsx?since=2024-10&until=2024-11&table=regions")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("行政区划代码", "行政区划", "参保人数") and rows[1][0] == "610113"
    assert (sheet.title, rows[1][1]) == ("按地区", "雁塔区")
    assert sam.get("/dashboards/export.pdf").status_code == 404
    carol = Client()
    carol.force_login(activity.carol)
    assert carol.get("/dashboards/").status_code == 403
    assert carol.get("/dashboards/export.csv").status_code == 403
    # Bad months fall back to the default range instead of failing.
    assert sam.get("/dashboards/?since=2024-13&until=x").status_code == 200


def test_the_api_gives_the_same_figures_in_scope(activity: Any) -> None:
    rollup(since=202401, until=month_of(dt.date.today()))
    sam = Client()
    sam.force_login(activity.sam)
    board = sam.get("/api/v1/dashboards", {"since": "2024-11", "until": "2024-10"}).json()
    assert (board["since"], board["until"]) == ("2024-10", "2024-11")  # turned round
    months = {m["month"]: m["figures"] for m in board["months"]}
    assert Decimal(months["2024-11"]["arrears"]) == Decimal("1788.00")
    assert [r["code"] for r in board["regions"]] == ["610113"]
    carol = Client()
    carol.force_login(activity.carol)
    refused = carol.get("/api/v1/dashboards")
    assert refused.status_code == 403


def test_month_range_defaults_and_bad_input() -> None:
    this_month = month_of(dt.date.today())
    year_ago = (this_month // 100 - 1) * 100 + this_month % 100
    assert selectors.month_range("", "") == (year_ago, this_month)
    assert selectors.month_range("2024-13", "nonsense") == (year_ago, this_month)
    assert selectors.month_range("2025-03", "2024-12") == (202412, 202503)


def test_the_benchmark_command_runs_small() -> None:
    out = StringIO()
    call_command("bench", "dashboards", "--rows", "480", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["ledger_rows"] == 480 and result["figures"] > 0
    assert result["dashboard_p95_ms"] > 0 and result["ratio"] > 0


def test_one_scale_per_unit_with_axes_legend_and_table(world: Any) -> None:
    """27 insured persons and 2 employers share one scale (both are counts): the employers'
    bar is 2/27 of the persons' height; yuan and shares get their own axes, each axis names
    its unit, the legend names each series with its unit, and the table is the chart's
    text alternative."""
    import re

    from django.utils import timezone

    region = world.regions["610113"]
    now = timezone.now()
    for metric, value in (("insured", 27), ("employers", 2), ("pensioners", 4)):
        Figure.objects.create(
            region=region, period=202410, metric=metric, value=Decimal(value), updated_at=now
        )
    sam = Client()
    sam.force_login(world.sam)
    page = sam.get(
        "/dashboards/?since=2024-10&until=2024-10", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    chart = re.search(r'<section class="chart" id="chart-insured">(.*?)</section>', page, re.S)
    assert chart is not None
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', chart.group(1))]
    assert heights[1] == pytest.approx(heights[0] * 2 / 27, abs=0.1)
    assert chart.group(1).count('class="axis"') == 1  # one unit, one axis
    assert ">number</text>" in chart.group(1)
    assert 'aria-describedby="table-insured"' in chart.group(1)
    assert '<table id="table-insured">' in chart.group(1)
    assert "Insured persons (number)" in chart.group(1)
    # Pensioners (a count) and contributors per pensioner (a ratio): two axes, two units.
    mixed = re.search(r'id="chart-pensioners">(.*?)</section>', page, re.S)
    assert mixed is not None and mixed.group(1).count('class="axis"') == 2
    assert "right-hand axis" in mixed.group(1)


def test_the_month_in_progress_is_marked_and_the_counties_show_a_closed_month(
    activity: Any,
) -> None:
    """The month in progress states no contributors-per-pensioner ratio, is marked as not
    closed in every table and the note says so; the county table shows the latest closed
    month."""
    this_month = month_of(dt.date.today())
    rollup(since=202401, until=this_month)
    board = selectors.dashboard(prefix="61", since=202410, until=this_month)
    assert board.open_month == this_month and board.months[-1][0] == this_month
    assert board.months[-1][1]["contributors_per_pensioner"] is None
    assert board.month is not None and board.month < this_month
    sam = Client(enforce_csrf_checks=True)
    sam.force_login(activity.sam)
    label = f"{this_month // 100}-{this_month % 100:02d}"
    page = sam.get("/dashboards/?since=2024-10", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<td>{label} (in progress, not closed)</td>" in page
    assert 'id="open-month"' in page and f"{label} is in progress and not closed" in page
    closed = f"{board.month // 100}-{board.month % 100:02d}"
    assert f"By county, {closed}" in page


def test_the_month_in_progress_shows_declared_and_collected_apart(activity: Any) -> None:
    """After the daily rollup, acme declares bob for the month in progress and nothing is
    paid yet: the dashboard (page in both languages, API with a token) shows the month's
    declaration at once as declared (billed) 1788.00 and collected 0.00, labelled as in
    progress, with no arrears stated (it falls due next month); then a payment shows as
    collected."""
    from onestop.identity.services import token_create

    this_month = month_of(dt.date.today())
    rollup(since=202401, until=this_month)
    contributions.employment_start(
        actor=None,
        employer=activity.acme,
        resident_id=activity.bob.resident_id,
        start_period=this_month,
        wage=Decimal("7450"),
    )
    result = contributions.declaration_submit(
        actor=None,
        employer=activity.acme,
        period=this_month,
        rows=[DeclaredRow(2, activity.bob.resident_id, "7450")],
    )
    assert result.accepted, result.reply
    board = selectors.dashboard(prefix="61", since=202410, until=this_month)
    assert board.open_collection is not None
    assert (board.open_collection.declared, board.open_collection.collected) == (
        Decimal("1788.00"),
        Decimal("0.00"),
    )
    period, values = board.months[-1]
    assert period == this_month
    assert (values["due"], values["paid"], values["arrears"]) == (
        Decimal("1788.00"),
        Decimal("0.00"),
        None,
    )
    label = f"{this_month // 100}-{this_month % 100:02d}"
    sam = Client(enforce_csrf_checks=True)
    sam.force_login(activity.sam)
    english = sam.get("/dashboards/?since=2024-10", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Contributions of {label} so far (in progress)" in english
    assert "Declared (billed) so far, paid or not" in english
    assert '<dd id="open-declared">1788.00</dd>' in english
    assert '<dd id="open-collected">0.00</dd>' in english
    assert f"<td>{label} (in progress, not closed)</td><td>1788.00</td><td>0.00</td><td>—</td>" in (
        english
    )
    chinese = sam.get("/dashboards/?since=2024-10", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "截至目前已申报（已开账单）金额，含未缴" in chinese and "截至目前已征收金额" in chinese
    assert "不计欠费" in chinese
    token = token_create(actor=activity.sam, name="bi", scopes=["dashboards:read"], days=30)
    api = Client().get(
        "/api/v1/dashboards", {"since": "2024-10"}, HTTP_AUTHORIZATION=f"Bearer {token.secret}"
    )
    assert api.status_code == 200
    body = api.json()
    assert body["open_month"] == {"month": label, "declared": "1788.00", "collected": "0.00"}
    assert body["months"][-1]["figures"]["arrears"] is None
    bill = Bill.objects.get(period=this_month)
    contributions.payment_record(
        actor=None,
        external_id="NOW-1",
        bill=bill,
        amount=Decimal("1000.00"),
        paid_on=dt.date.today(),
    )
    later = selectors.dashboard(prefix="61", since=202410, until=this_month)
    assert later.open_collection is not None
    assert later.open_collection.collected == Decimal("1000.00")
    assert later.months[-1][1]["paid"] == Decimal("1000.00")
