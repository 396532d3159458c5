"""The platform as a province runs it: PostgreSQL, Redis, a Celery worker and beat, two
gunicorn app servers sharing them, and the tax collection simulator.

One app server takes a supplementary declaration from bob's session (CSRF and all); beat sends
the bill to the collecting authority through the worker; the authority is paid; the worker
posts the payment; the other app server shows the bill paid. Beat runs the time-limit clock
and the dashboards' rollup. Then the worker is killed (SIGKILL) in the middle of a payment
sync that waits on a lock: the task, acknowledged late, is given back by the broker, run by
the next worker and applied once; `ledger verify` and `audit verify` pass and
`check-production` is green.

Runs in the PostgreSQL pass (DATABASE_URL=postgres://...) with Redis on 127.0.0.1:6379;
skips elsewhere unless ONESTOP_REQUIRE_SERVICES=1, as in CI, where a missing service fails.
Its processes run at the real time (the frozen test clock does not cross processes), so it
works on whatever month the demo data ends.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.production

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS = ("127.0.0.1", 6379)
QUEUES = "posting,payroll,notifications,exchange,periodic"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require_services() -> None:
    missing = []
    if not DATABASE_URL.startswith("postgres"):
        missing.append("DATABASE_URL=postgres://...")
    if not _reachable(*REDIS):
        missing.append("Redis on 127.0.0.1:6379")
    if missing:
        reason = "production-mode test needs " + " and ".join(missing)
        if os.environ.get("ONESTOP_REQUIRE_SERVICES") == "1" and DATABASE_URL.startswith(
            "postgres"
        ):
            pytest.fail(reason)
        pytest.skip(reason)


def wait_for(what: str, check: Callable[[], Any], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def count(db: Any, table: str) -> int:
    row = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(row[0])


class Session:
    """A browser-like HTTP session over the proxy's TLS header: cookies, CSRF, Referer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",  # the reverse proxy terminated TLS
            "Accept-Language": "en",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            sent |= {"Origin": self.origin, "Referer": self.origin + path}
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        data = response.read()
        connection.close()
        return response.status, data

    def json(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self.request(
            method, path, body, {"Content-Type": "application/json"} if body else None
        )
        return status, json.loads(data) if data else None

    def sign_in(self, identifier: str, password: str) -> None:
        status, page = self.request("GET", "/login/")
        assert status == 200, page[:300]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "identifier": identifier,
                "password": password,
            }
        ).encode()
        status, _ = self.request(
            "POST",
            "/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, f"sign-in answered {status}"


class Deployment:
    """Processes of one deployment, started and stopped by the test."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "onestop.cli", *args],
            env=self.env,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=600,
            check=False,
        )
        out = done.stdout.decode() + done.stderr.decode()
        if check and done.returncode != 0:
            raise AssertionError(f"onestop {' '.join(args)} exited {done.returncode}:\n{out}")
        return out

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.root / f"{name}.log"
        self.logs[name] = log
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            env=self.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    _require_services()
    import psycopg

    name = f"onestop_prod_{secrets.token_hex(4)}"
    url = urllib.parse.urlsplit(DATABASE_URL)
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis_db = 8 + secrets.randbelow(7)
    tax_port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ONESTOP_TEST", "PYTEST", "DJANGO"))
    }
    env |= {
        "ONESTOP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url._replace(path=f"/{name}").geturl(),
        "ONESTOP_DATA_KEYS": f"1:{secrets.token_hex(16)}",
        "ONESTOP_INDEX_KEY": secrets.token_hex(16),
        "ONESTOP_SIGNING_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{redis_db + 1}",
        "CELERY_VISIBILITY_TIMEOUT": "8",
        "ONESTOP_BEAT_EVERY": "3",
        "ONESTOP_TAX_URL": f"http://127.0.0.1:{tax_port}",
        "ONESTOP_TAX_KEY": "tax-secret",
        "ONESTOP_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env["TAX_PORT"] = str(tax_port)
    import redis

    for db in (redis_db, redis_db + 1):
        redis.Redis(host=REDIS[0], port=REDIS[1], db=db).flushdb()
    deployment = Deployment(tmp_path, env)
    try:
        yield deployment
    finally:
        deployment.stop_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker(deployment: Deployment, name: str) -> subprocess.Popen[bytes]:
    # One process that runs the task itself (solo pool): killing it kills the task mid-way.
    return deployment.start(
        name,
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        QUEUES,
        "-P",
        "solo",
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
    )


def test_a_month_through_two_app_servers_a_worker_and_beat(deployment: Deployment) -> None:
    import psycopg

    env = deployment.env
    deployment.run("migrate", "--no-input", "-v", "0")
    deployment.run("collectstatic", "--no-input", "-v", "0")
    deployment.run("demo", "--no-serve", "--persons", "40")
    out = deployment.run("check-production")
    assert "Ready for production." in out, out
    # The first staff account of a deployment, without code.
    out = deployment.run(
        "create-staff",
        "sean2",
        "--role",
        "security_admin",
        "--agency",
        "610000-hrss",
        "--password-stdin",
        stdin="Another-horse-2026\n",
    )
    assert "Created sean2" in out

    deployment.start(
        "tax",
        "onestop.cli",
        "simulate",
        "tax",
        "--port",
        env["TAX_PORT"],
        "--key",
        env["ONESTOP_TAX_KEY"],
    )
    ports = [_free_port(), _free_port()]
    for number, port in enumerate(ports):
        deployment.start(
            f"web{number}",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--threads",
            "4",
        )
    for port in [*ports, int(env["TAX_PORT"])]:
        wait_for(f"port {port}", functools.partial(_reachable, "127.0.0.1", port))
    _worker(deployment, "worker1")
    deployment.start("beat", "celery", "-A", "config", "beat", "-s", str(deployment.root / "beat"))

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        acme, period = db.execute(  # type: ignore[misc]
            "SELECT e.id, MAX(d.period) FROM identity_employer e JOIN "
            "contributions_declaration d ON d.employer_id = e.id WHERE e.name = %s GROUP BY e.id",
            ["西安艾克美软件科技有限公司"],
        ).fetchone()
        bills_before = count(db, "contributions_bill")

        # bob declares through app server 0, with his browser session.
        bob = Session(ports[0])
        bob.sign_in("13800000002", "Onestop2026demo")
        status, employments = bob.json("GET", f"/api/v1/employers/{acme}/employments")
        assert status == 200, employments
        month = f"{period // 100}-{period % 100:02d}"
        # Everyone employed in the month, as the grid lists them (one who leaves this month
        # included).
        current = [e for e in employments if e["end"] is None or e["end"] >= month]
        # The wages edited in the declaration page, the first employee's raised by 1000.00.
        status, page = bob.request("GET", f"/employer/{acme}/declarations/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token is not None
        once = re.search(rb'name="token" value="([^"]+)"', page)  # the page's one-time token
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "grid": "1",
            "period": month,
            "kind": "supplementary",
            "token": once.group(1).decode() if once else "",
        }
        for number, employment in enumerate(current):
            raise_by = 1000 if number == 0 else 0
            form[f"wage-{employment['id']}"] = f"{float(employment['wage']) + raise_by:.2f}"
        status, page = bob.request(
            "POST",
            f"/employer/{acme}/declarations/",
            urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if b'id="grid-preview"' in page or b'id="grid-changes"' in page:
            # A wage below the floor or above the cap, or a supplementary's changed wages
            # (old -> new): bob confirms what he was shown.
            found = re.search(rb'name="checked" value="([^"]+)"', page)
            assert found is not None
            form["checked"] = found.group(1).decode()
            form["confirm"] = "1"
            status, page = bob.request(
                "POST",
                f"/employer/{acme}/declarations/",
                urllib.parse.urlencode(form).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
        assert status == 200 and b"Declaration accepted." in page, page[-2000:]

        new_bills = wait_for(
            "the new bills to be sent to the collecting authority by the worker",
            lambda: db.execute(
                "SELECT id, amount_due FROM contributions_bill WHERE id > "
                "(SELECT COALESCE(MAX(id), 0) FROM contributions_bill) - %s "
                "AND sent_at IS NOT NULL AND amount_due > 0 ORDER BY id",
                [count(db, "contributions_bill") - bills_before],
            ).fetchall(),
        )
        assert "contributions.collection_sync" in deployment.log("worker1")

        # The authority is paid; the worker posts it; app server 1 shows it paid.
        tax = http.client.HTTPConnection("127.0.0.1", int(env["TAX_PORT"]), timeout=10)
        bill_id, amount = new_bills[0]
        tax.request(
            "POST",
            f"/bills/{bill_id}/pay",
            body=json.dumps({"amount": f"{amount:.2f}", "paid_on": ""}),
            headers={"Content-Type": "application/json", "X-Api-Key": env["ONESTOP_TAX_KEY"]},
        )
        assert tax.getresponse().status == 201
        reader = Session(ports[1])
        reader.sign_in("13800000002", "Onestop2026demo")

        def paid() -> bool:
            status, bills = reader.json("GET", f"/api/v1/employers/{acme}/bills")
            assert status == 200, bills
            return any(b["id"] == bill_id and b["arrears"] == "0.00" for b in bills)

        wait_for("the payment to show on the other app server", paid)

        # Beat runs the clock and the rollup on the worker.
        wait_for(
            "the clock and the rollup",
            lambda: (
                "supervision.clock" in deployment.log("worker1")
                and "dashboards.rollup" in deployment.log("worker1")
            ),
        )
        assert count(db, "dashboards_figure") > 0

        # A worker killed in the middle of a payment sync: the task comes back and runs once.
        deployment.stop("beat")
        time.sleep(1)
        tax.request(
            "POST",
            f"/bills/{new_bills[-1][0]}/pay",
            body=json.dumps({"amount": "1.00", "paid_on": ""}),
            headers={"Content-Type": "application/json", "X-Api-Key": env["ONESTOP_TAX_KEY"]},
        )
        assert tax.getresponse().status == 201
        payments = count(db, "contributions_payment")
        with psycopg.connect(env["DATABASE_URL"]) as blocker:
            blocker.execute("LOCK TABLE contributions_payment IN ACCESS EXCLUSIVE MODE")
            from celery import Celery

            # Not the current app: the tests that run after this one in the same process use
            # the platform's (its tasks registered).
            sender = Celery(broker=env["CELERY_BROKER_URL"], set_as_current=False)
            task_id = sender.send_task(
                "contributions.collection_sync", queue="exchange"
            ).id  # as beat would send it
            wait_for(
                "the worker to wait on the payment table",
                lambda: db.execute(  # type: ignore[index]
                    "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'contributions_payment' AND NOT l.granted"
                ).fetchone()[0],
            )
            assert f"[{task_id}] received" in deployment.log("worker1")
            deployment.stop("worker1", signal.SIGKILL)
            blocker.rollback()
        assert count(db, "contributions_payment") == payments

        _worker(deployment, "worker2")
        wait_for(
            "the killed task to be redelivered and succeed",
            lambda: re.search(
                rf"Task contributions.collection_sync\[{task_id}\] succeeded",
                deployment.log("worker2"),
            ),
            timeout=120,
        )
        assert count(db, "contributions_payment") == payments + 1
        time.sleep(2)  # a late duplicate delivery would post again here
        assert count(db, "contributions_payment") == payments + 1

    assert "hold" in deployment.run("ledger", "verify")
    assert "intact" in deployment.run("audit", "verify")
    assert "Ready for production." in deployment.run("check-production")

    # A backup restored into a fresh database verifies (docs/deployment.md, Backups).
    dump = deployment.root / "onestop.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", env["DATABASE_URL"]],
        check=True,
        timeout=300,
    )
    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    restored = url._replace(path=url.path + "_restored").geturl()
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{url.path[1:]}_restored"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={restored}", str(dump)],
            check=True,
            timeout=300,
        )
        deployment.env = env | {"DATABASE_URL": restored}
        assert "hold" in deployment.run("ledger", "verify")
        assert "intact" in deployment.run("audit", "verify")
    finally:
        deployment.env = env
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.path[1:]}_restored" WITH (FORCE)')
