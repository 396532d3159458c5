"""Schemathesis against the served OpenAPI document (/api/v1/openapi.json).

Every operation gets a bounded number of generated requests (``ONESTOP_FUZZ_EXAMPLES``,
default 8) as an anonymous caller, as a citizen with a token (alice) and as an employer's
user with a token (bob). Checks: no 5xx, every status, header, content type and body as
documented. Not checked: that every schema-valid request is accepted (``positive_data_
acceptance``): the rules refuse valid-looking data the schema cannot express (a retirement
month before birth, a signature that does not verify), with a documented 4xx.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onestop.identity import services as identity

EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "8"))
pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


@pytest.fixture
def app() -> Iterator[Any]:
    """Django's WSGI app in this thread and transaction (as the test client runs it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _summary(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None) or [exc]
    return " | ".join(str(e).splitlines()[0] + " " + " ".join(str(e).split())[:300] for e in inner)


def _fuzz(
    operation: Any, headers: dict[str, str], tried: Counter[str], failures: list[str]
) -> None:
    """Up to EXAMPLES generated requests to one operation; failures are collected."""
    label = operation.label

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        tried[label] += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response, headers=headers, excluded_checks=[positive_data_acceptance]
            )
        except (AssertionError, BaseExceptionGroup) as exc:  # every operation reported
            failures.append(f"{label}: {_summary(exc)}")

    with contextlib.suppress(Unsatisfiable):
        run()


@pytest.mark.parametrize("persona", ["anonymous", "alice", "bob"])
def test_api_conforms_to_its_schema(world: Any, app: Any, persona: str, settings: Any) -> None:
    settings.ONESTOP_THROTTLE_RATES = {}  # the fuzzer is one client sending many requests
    headers: dict[str, str] = {}
    if persona != "anonymous":
        user = world.user(persona)
        issued = identity.token_create(
            actor=user, name="fuzz", scopes=identity.token_scopes_for(user=user), days=1
        )
        headers["Authorization"] = f"Bearer {issued.secret}"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tried: Counter[str] = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        # An operation the schema cannot describe is itself a failure.
        assert isinstance(result, Ok), result.err()
        _fuzz(result.ok(), headers, tried, failures)

    print(f"\nschemathesis {persona}: {operations} operations, {sum(tried.values())} requests")
    for failure in sorted(set(failures)):
        print("FAILURE", failure)
    assert operations >= 80
    assert sorted(set(failures)) == []
