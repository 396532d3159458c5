"""Every journal code has a label in both languages (issue #24): the actions the code records,
the roles, the pages a refusal names; the journal page shows labels, with the code beside it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from onestop.audit import labels

ROOT = Path(__file__).resolve().parents[2]
#: ``action="..."`` in the platform's code (tests, the management commands' argparse and
#: dynamic codes aside: those are built from parts that have labels of their own).
RECORDED = re.compile(r'action="([a-z_]+(?:\.[a-z_]+)+)"')


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_label_in_both_languages() -> None:
    actions = recorded_actions()
    assert len(actions) > 80
    for language, script in (("zh-hans", re.compile(r"[\u4e00-\u9fff]")), ("en", None)):
        with translation.override(language):
            for code in sorted(actions):
                label = labels.action_label(code)
                assert label, code
                if script is not None:
                    assert script.search(label), (code, label)
                else:
                    assert label.isascii(), (code, label)


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("applications.accept.supplement", "办件环节办理：要求补正", "Case step decided: "),
        ("identity.region.changed", "行政区划：在管理后台修改", "region: changed in the admin"),
        ("supervision.warning.red", "发出红牌警告", "Red warning raised"),
    ],
)
def test_composed_codes_are_read_from_their_parts(code: str, zh: str, en: str) -> None:
    with translation.override("zh-hans"):
        assert labels.action_label(code).startswith(zh[:6])
    with translation.override("en"):
        assert labels.action_label(code).startswith(en)
    assert labels.action_label("nobody.knows.this") == ""


def test_the_journal_page_shows_labels_with_the_codes_beside(world: Any) -> None:
    audrey = Client()
    audrey.force_login(world.audrey)
    page = audrey.get("/audit/", {"action": "identity.staff"}).content.decode()
    assert "创建工作人员账号" in page
    assert '<code class="muted" lang="zxx">identity.staff.created</code>' in page
    english = audrey.get(
        "/audit/", {"action": "identity.staff"}, headers={"accept-language": "en"}
    ).content.decode()
    assert "Staff account created" in english and "创建工作人员账号" not in english
