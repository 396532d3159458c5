"""Data quality in the browser: a case worker works the findings of the nightly scan (one
corrected from the resident ID, one refused while the rule still finds it, then dismissed
with its reason), and a supervisor runs a scan and reads the scores."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from playwright.sync_api import expect

from onestop.identity.demo import resident_id
from onestop.identity.models import Person
from onestop.identity.services import person_register
from onestop.quality import demo as quality_demo
from onestop.quality.models import Finding
from tests.e2e.test_applications import sign_in, sign_out


def test_a_case_worker_works_the_findings_and_a_supervisor_scans(world: Any, page: Any) -> None:
    person_register(
        actor=None,
        name="王建华",
        resident_id=resident_id(random.Random(8), "610113", dt.date(1968, 4, 2), male=True),
        region=world.regions["610113"],
    )
    quality_demo.load()  # a legacy twin of 王建华, and a legacy record keyed wrong
    keyed = Finding.objects.get(rule="inconsistent_resident_id")
    twin = Finding.objects.get(rule="duplicate_person")

    sign_in(page, "carol", world.carol)
    page.get_by_role("link", name="数据质量").click()
    assert "最近一次检查" in page.locator("#last-scan").inner_text()
    row = page.locator(f"#finding-{keyed.pk}")
    assert "出生日期或性别与身份证号码不符" in row.inner_text()
    assert "1971-08-09" in row.inner_text() and "1971-08-19" in row.inner_text()
    row.get_by_label("处理说明").fill("以身份证号码为准更正出生日期")
    row.get_by_role("button", name="按身份证号码更正").click()
    assert "已办理" in page.locator(".messages").inner_text()
    assert Person.objects.get(pk=keyed.subject_id).birth_date == dt.date(1971, 8, 19)

    page.get_by_label("状态").select_option("resolved")
    page.get_by_role("button", name="筛选").click()
    assert "以身份证号码为准" in page.locator(f"#finding-{keyed.pk}").inner_text()
    page.get_by_label("状态").select_option("open")
    page.get_by_role("button", name="筛选").click()

    row = page.locator(f"#finding-{twin.pk}")
    row.get_by_label("处理说明").fill("已合并")
    row.get_by_role("button", name="已解决").click()
    assert "规则仍能发现该问题" in page.locator(".messages").inner_text()
    row = page.locator(f"#finding-{twin.pk}")
    row.get_by_label("处理说明").fill("经核对户籍，两人系同名同日生的不同人员")
    row.get_by_role("button", name="非错误").click()
    assert page.locator("#findings").inner_text().count("疑似重复人员") == 0
    twin.refresh_from_db()
    assert (twin.status, twin.resolved_by) == ("dismissed", "carol")
    expect(page.locator("#scan-now")).to_have_count(0)  # scans on demand are the supervisor's
    sign_out(page)

    sign_in(page, "sam", world.sam)
    page.get_by_role("link", name="数据质量").click()
    page.locator("#scan-now").click()
    assert "检查完成" in page.locator(".messages").inner_text()
    scores = page.locator("#scores").inner_text()
    assert "雁塔区" in scores and "100.0" in scores
    assert Finding.objects.filter(status="open").count() == 0
