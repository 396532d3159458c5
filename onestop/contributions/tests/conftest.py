"""Fixtures shared by the contributions tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from onestop.simulators.tax import TaxSimulator


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def tax_authority() -> Iterator[tuple[TaxSimulator, str]]:
    """The collecting authority's simulator over real HTTP, in a thread; (app, base URL)."""
    app = TaxSimulator(api_key="secret")
    server = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
