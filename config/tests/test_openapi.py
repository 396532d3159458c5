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


def test_schema_names_are_unique() -> None:
    """Two API schemas of one name share one component: one of them would be documented
    with the other's fields (as /api/v1/regions was with the dashboards' regions)."""
    import importlib
    import inspect
    import pkgutil

    from ninja import Schema

    import onestop

    shapes: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(onestop.__path__):
        try:
            module = importlib.import_module(f"onestop.{info.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                shapes.setdefault(name, set()).add(str(value.model_json_schema()))
    assert {name: found for name, found in shapes.items() if len(found) > 1} == {}


def test_token_scopes_are_documented_in_the_schema_and_the_readme(client) -> None:  # type: ignore[no-untyped-def]
    """The served schema's ``TokenIn.scopes`` lists every valid scope (an enum) with what each
    allows; the README names each too, and that the declaration template needs
    ``persons:reveal``."""
    from onestop.identity.services import TOKEN_SCOPES

    served = client.get("/api/v1/openapi.json").json()
    scopes = served["components"]["schemas"]["TokenIn"]["properties"]["scopes"]
    assert scopes["items"]["enum"] == list(TOKEN_SCOPES)
    for code in TOKEN_SCOPES:
        assert f"`{code}`" in scopes["description"], code
    readme = (SCHEMA.parents[1] / "README.md").read_text(encoding="utf-8")
    for code in TOKEN_SCOPES:
        assert f"`{code}`" in readme, code
    assert "declaration template" in readme and "`persons:reveal`" in readme
