"""The committed OpenAPI schema (docs/openapi.json) matches the code."""

from __future__ import annotations

import json
from pathlib import Path

from config.api import api

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def current_schema() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def test_committed_schema_is_current() -> None:
    """Run `make openapi` after changing the API, and commit docs/openapi.json."""
    assert SCHEMA.read_text(encoding="utf-8") == current_schema()


def test_docs_page_is_served(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
