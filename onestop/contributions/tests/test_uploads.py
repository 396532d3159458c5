"""Declaration files through the page: a large one by a background job with its progress,
accepted or refused as one, posted once whatever is clicked twice (issue 25)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from conftest import World
from onestop.audit.models import Entry
from onestop.common import jobs
from onestop.contributions import services, uploads
from onestop.contributions.models import (
    Declaration,
    DeclarationUpload,
    LedgerEntry,
    UploadStatus,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(world: World) -> World:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    for person in (world.alice, world.bob):
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal("6000"),
        )
    return world


@pytest.fixture
def background(settings: Any) -> None:
    """Every file goes to the background job (a thread here, as in the embedded default)."""
    settings.ONESTOP_DECLARATION_SYNC_BYTES = 0


def csv_file(rows: list[tuple[str, str]]) -> bytes:
    lines = ["公民身份号码,姓名,月工资"] + [f"{rid},,{wage}" for rid, wage in rows]
    return ("\n".join(lines) + "\n").encode()


def form_of(client: Client, url: str) -> dict[str, str]:
    page = client.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert csrf is not None and token is not None
    return {"csrfmiddlewaretoken": csrf.group(1), "token": token.group(1)}


def upload(client: Client, url: str, form: dict[str, str], content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        url,
        {
            **form,
            "period": "2026-11",
            "kind": "regular",
            "file": SimpleUploadedFile("wages.csv", content),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_large_file_runs_in_the_background_and_shows_its_result(
    acme: Any, background: None
) -> None:
    """The upload answers at once with the upload's page; the job posts the file; the
    progress fragment then tells htmx to show the whole result."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    response = upload(
        client,
        url,
        form_of(client, url),
        csv_file([(acme.alice.resident_id, "6000"), (acme.bob.resident_id, "9000")]),
    )
    assert response.status_code == 302
    stored = DeclarationUpload.objects.get()
    assert response["Location"] == f"{url}uploads/{stored.pk}/"
    assert stored.background
    assert jobs.wait(60)
    stored.refresh_from_db()
    assert stored.status == UploadStatus.ACCEPTED
    assert stored.declaration == Declaration.objects.get()
    fragment = client.get(response["Location"] + "?part=progress", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 204 and fragment["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert 'id="declaration-accepted"' in page and 'id="upload-progress"' not in page
    assert Entry.objects.filter(action="contributions.declaration.uploaded").count() == 1


def test_a_double_submit_posts_once(acme: Any, background: None) -> None:
    """The same form sent twice (one token) is one upload and one declaration."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    form = form_of(client, url)
    content = csv_file([(acme.alice.resident_id, "6000"), (acme.bob.resident_id, "9000")])
    first = upload(client, url, form, content)
    if connection.vendor == "sqlite":
        # One shared in-memory database in the tests: a request reading while the job
        # writes gets "table is locked" at once (a file database waits its busy timeout).
        # There the second submit comes after the job; on PostgreSQL it races it.
        assert jobs.wait(60)
    second = upload(client, url, form, content)
    assert first["Location"] == second["Location"]
    assert jobs.wait(60)
    assert DeclarationUpload.objects.count() == 1
    assert Declaration.objects.count() == 1
    # A job run again (a worker that died before acknowledging) posts nothing more.
    stored = DeclarationUpload.objects.get()
    DeclarationUpload.objects.filter(pk=stored.pk).update(status=UploadStatus.QUEUED)
    uploads.upload_run(upload_id=stored.pk)
    assert Declaration.objects.count() == 1
    stored.refresh_from_db()
    assert stored.status == UploadStatus.ACCEPTED


def test_one_bad_row_refuses_the_whole_file_in_the_background(acme: Any, background: None) -> None:
    """Row 3's wage is refused: nothing is posted, the reasons are on the page in the
    page's language and in the report in both."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    response = upload(
        client,
        url,
        form_of(client, url),
        csv_file([(acme.alice.resident_id, "6000"), (acme.bob.resident_id, "-5")]),
    )
    assert jobs.wait(60)
    stored = DeclarationUpload.objects.get()
    assert stored.status == UploadStatus.REFUSED
    assert not Declaration.objects.exists() and not LedgerEntry.objects.exists()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-rejected"' in page
    report = client.get(
        response["Location"] + "errors.csv", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode("utf-8-sig")
    line = [row for row in report.splitlines() if row.startswith("3,")]
    assert len(line) == 1 and "monthly wage" in line[0]


def test_adjusted_bases_wait_for_the_confirmation_then_post_once(
    acme: Any, background: None
) -> None:
    """alice's 1.00: the job stops at the confirmation; confirming twice posts once."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    response = upload(
        client,
        url,
        form_of(client, url),
        csv_file([(acme.alice.resident_id, "1.00"), (acme.bob.resident_id, "9000")]),
    )
    assert jobs.wait(60)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-preview"' in page
    assert "raised to 4770.00, 60% of the provincial average wage 7950.00" in page
    assert not Declaration.objects.exists()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    confirm = response["Location"] + "confirm/"
    client.post(confirm, {"csrfmiddlewaretoken": csrf.group(1)})
    if connection.vendor == "sqlite":
        # The tests' SQLite is one shared in-memory database: a request touching the upload
        # while the job's transaction writes it gets "table is locked" at once, where a file
        # database (the embedded default) waits its busy timeout. There the second
        # confirmation comes after the job; on PostgreSQL it races the job, as a user would.
        assert jobs.wait(60)
    client.post(confirm, {"csrfmiddlewaretoken": csrf.group(1)})
    assert jobs.wait(60)
    assert Declaration.objects.count() == 1
    assert Entry.objects.filter(action="contributions.declaration.confirmed").count() == 1
    assert DeclarationUpload.objects.get().status == UploadStatus.ACCEPTED


def test_the_job_reports_its_progress(acme: Any, monkeypatch: Any) -> None:
    """A file of 12,000 rows reports rows read, then rows checked, then saving, each with
    a growing share of the bar; it ends refused (unknown people), nothing posted."""
    seen: list[tuple[str, int, int, int]] = []
    real = uploads._Reporter.__call__

    def spy(self: Any, phase: str, done: int, total: int) -> None:
        real(self, phase, done, total)
        row = DeclarationUpload.objects.get(pk=self.upload_id)
        seen.append((row.phase, row.done, row.total, uploads.percent(row)))

    monkeypatch.setattr(uploads, "PROGRESS_INTERVAL", 0)
    monkeypatch.setattr(uploads._Reporter, "__call__", spy)
    from stdnum.cn import ric

    from onestop.contributions.models import DeclarationKind

    ids = []
    for n in range(12_000):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=n // 900)
        body = f"110101{born:%Y%m%d}{n % 900 + 100:03d}"
        ids.append(body + ric.calc_check_digit(body + "0"))
    rows = [(acme.alice.resident_id, "6000")]
    content = csv_file(rows[:1] + [(i, "6000") for i in ids])
    received, _ = uploads.upload_receive(
        actor=acme.bob.user,
        employer=acme.acme,
        period=202611,
        kind=DeclarationKind.REGULAR,
        name="big.csv",
        content=content,
        token="big",
    )
    DeclarationUpload.objects.filter(pk=received.pk).update(background=True)
    uploads.upload_run(upload_id=received.pk)
    phases = [s[0] for s in seen]
    assert phases.index("reading") < phases.index("checking") < phases.index("saving")
    assert ("reading", 10_000, 12_002, 37) in seen  # the estimate counts the line breaks
    percents = [s[3] for s in seen]
    assert percents == sorted(percents)
    final = DeclarationUpload.objects.get(pk=received.pk)
    assert final.status == UploadStatus.REFUSED and not Declaration.objects.exists()


def test_a_job_lost_in_a_restart_is_resumed_by_its_page(acme: Any) -> None:
    """Without a broker the job is a thread: after a restart the upload is still marked as
    running with no thread; opening its page runs it again, once."""
    client = Client()
    client.force_login(acme.bob.user)
    upload, _ = uploads.upload_receive(
        actor=acme.bob.user,
        employer=acme.acme,
        period=202611,
        kind="regular",
        name="wages.csv",
        content=csv_file([(acme.alice.resident_id, "6000"), (acme.bob.resident_id, "9000")]),
        token="lost",
    )
    DeclarationUpload.objects.filter(pk=upload.pk).update(
        background=True, status=UploadStatus.RUNNING, phase="checking"
    )
    url = f"/employer/{acme.acme.pk}/declarations/uploads/{upload.pk}/"
    assert 'id="upload-progress"' in client.get(url).content.decode()
    assert jobs.wait(60)
    assert 'id="declaration-accepted"' in client.get(url).content.decode()
    assert Declaration.objects.count() == 1


def test_percent_per_phase() -> None:
    """The bar: reading 0-45, checking 45-75, saving 75-99; a finished upload is 100."""
    upload = DeclarationUpload(status=UploadStatus.RUNNING, phase="reading", done=50, total=100)
    assert uploads.percent(upload) == 22
    upload.phase, upload.done = "checking", 100
    assert uploads.percent(upload) == 75
    upload.phase, upload.total = "saving", 0
    assert uploads.percent(upload) == 75
    upload.status = UploadStatus.ACCEPTED
    assert uploads.percent(upload) == 100
