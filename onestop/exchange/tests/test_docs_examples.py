"""docs/exchange.md's examples, run as written against a platform set up as the demo sets it
up (the demo bank, its grant for ``loan``, alice's consent, the key file in var/)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

from onestop.exchange import demo as exchange_demo
from onestop.exchange.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

DOC = Path(__file__).resolve().parents[3] / "docs" / "exchange.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_doc_has_its_examples() -> None:
    assert len(examples()) == 2


def test_the_docs_examples_run_against_the_demo(
    world: Any, live_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signed query answers with the platform's valid signature; the same body again is
    a replay and the purpose ``marketing`` has no grant."""
    shared = exchange_demo.load(
        state_file=tmp_path / "registries.json", alice=world.alice, deceased=world.dave
    )
    written = exchange_demo.bank_credentials_write(
        var_dir=tmp_path,
        private_key=shared["bank_key"],
        public_key=shared["bank_public_key"],
        subject=shared["subject"],
    )
    assert written.stat().st_mode & 0o077 == 0  # the owner's only
    monkeypatch.setenv("ONESTOP_URL", live_server.url)
    monkeypatch.setenv("ONESTOP_VAR_DIR", str(tmp_path))
    printed = []
    for code in examples():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), {"__name__": "__main__"})  # noqa: S102
        printed.append(out.getvalue())
    assert printed[0] == (
        'answer: {"insured": false, "contribution_months": 0}\nthe platform\'s signature: valid\n'
    )
    assert printed[1] == "(200, 'answered') (409, 'replay')\n(403, 'grant')\n"
    assert list(
        Message.objects.filter(party__startswith="西安某银行")
        .order_by("pk")
        .values_list("purpose", "outcome")
    ) == [
        ("loan", "answered"),  # the demo's own query
        ("loan", "answered"),
        ("loan", "answered"),
        ("loan", "refused:replay"),
        ("marketing", "refused:grant"),
    ]
