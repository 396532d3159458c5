"""`onestop demo --no-serve` on a var folder that does not exist yet (the database elsewhere,
as with PostgreSQL): it makes the folder, writes the simulators' state and the demo bank's key
there and says where."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from onestop.exchange import algorithms

pytestmark = pytest.mark.django_db


def test_the_demo_makes_its_var_folder_and_writes_the_bank_key(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path / "fresh" / "var"
    out = StringIO()
    # Fewer persons than employers: an employer without staff declares nothing.
    call_command("demo", "--no-serve", "--persons", "5", stdout=out)
    key_file = settings.VAR_DIR / "demo-bank-xian.json"
    assert (settings.VAR_DIR / "registries.json").exists()
    assert f"Demo bank's signing key (bank-xian, Ed25519): {key_file}" in out.getvalue()
    assert key_file.stat().st_mode & 0o777 == 0o600
    bank = json.loads(key_file.read_text(encoding="utf-8"))
    assert (bank["consumer"], bank["purpose"], bank["algorithm"]) == (
        "bank-xian",
        "loan",
        "ed25519",
    )
    assert algorithms.public_of("ed25519", bank["private_key"]) == bank["public_key"]
    again = StringIO()
    call_command("demo", "--no-serve", stdout=again)  # reused: it says where the key is
    assert f"Demo bank's signing key (bank-xian, Ed25519): {key_file}" in again.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_demo_server_answers_thirty_requests_at_once(settings: Any) -> None:
    """waitress, one process, several threads: 30 concurrent API and page requests all
    answered (Django's development server dropped some), static files served."""
    import concurrent.futures
    import threading
    import urllib.request

    from onestop.portal.management.commands.demo import web_server

    server = web_server(addr="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"

    def get(path: str) -> int:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            response.read()
            return int(response.status)

    paths = ["/api/v1/gateway/resources", "/services/", "/static/css/site.css"] * 10
    try:
        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            assert list(pool.map(get, paths)) == [200] * 30
    finally:
        server.close()
