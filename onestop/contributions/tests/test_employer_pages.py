"""The employer's daily pages (issue 25): the pre-filled template, the grid's month, the
bases raised to the floor or lowered to the cap, shown before the employer confirms."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from conftest import World
from onestop.audit.models import Entry
from onestop.contributions import files, services
from onestop.contributions.models import Bill, Declaration, Employment, LedgerRecord
from onestop.identity.masking import mask_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(world: World) -> World:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    for person, wage in ((world.alice, "6000"), (world.bob, "9000")):
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal(wage),
        )
    return world


def csrf_client(user: Any) -> Client:
    """A browser-like client: CSRF checked, the token taken from the page's cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


# --- 1. the pre-filled template ----------------------------------------------------------


def test_prefilled_csv_lists_the_months_employees_in_full_and_is_journaled(acme: Any) -> None:
    """The legal representative gets every employee of the month with the full resident ID,
    the name and the last declared wage; the download is one journal entry naming them."""
    bob = csrf_client(acme.bob.user)
    services.declaration_submit(
        actor=None,
        employer=acme.acme,
        period=202410,
        rows=[
            services.DeclaredRow(1, acme.alice.resident_id, "6500.50"),
            services.DeclaredRow(2, acme.bob.resident_id, "9000"),
        ],
    )
    response = bob.get(f"/employer/{acme.acme.pk}/declarations/template.csv?period=2026-11")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == files.TEMPLATE_HEADER
    assert sorted(lines[1:]) == sorted(
        [
            [acme.alice.resident_id, acme.alice.name, "6500.50"],  # the last declared wage
            [acme.bob.resident_id, acme.bob.name, "9000.00"],
        ]
    )
    entry = Entry.objects.get(action="contributions.employees.exported")
    assert entry.actor_id == str(acme.bob.user.pk)
    assert entry.target_id == str(acme.acme.pk)
    assert entry.changes["fields"] == ["resident_id", "name", "wage"]
    assert entry.changes["persons"] == sorted([acme.alice.pk, acme.bob.pk])
    assert entry.changes["period"] == 202611


def test_prefilled_xlsx_declares_back_unchanged(acme: Any) -> None:
    """The XLSX keeps IDs as text and wages as numbers: uploaded as is, it is accepted."""
    bob = csrf_client(acme.bob.user)
    response = bob.get(f"/employer/{acme.acme.pk}/declarations/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == files.TEMPLATE_HEADER
    assert sorted(v[0] for v in values[1:]) == sorted(
        [acme.alice.resident_id, acme.bob.resident_id]
    )
    rows = files.parse("back.xlsx", response.content)
    result = services.declaration_submit(actor=None, employer=acme.acme, period=202611, rows=rows)
    assert result.accepted, result.errors
    assert Declaration.objects.get().total_wage == Decimal("15000.00")


def test_prefilled_template_is_refused_to_staff_and_strangers(acme: Any) -> None:
    """A case worker (who reveals one person at a time) and mallory get nothing, and
    nothing is journaled as exported."""
    carol = csrf_client(acme.carol)
    assert carol.get(f"/employer/{acme.acme.pk}/declarations/template.csv").status_code == 403
    mallory = csrf_client(acme.mallory)
    assert mallory.get(f"/employer/{acme.acme.pk}/declarations/template.csv").status_code == 404
    assert not Entry.objects.filter(action="contributions.employees.exported").exists()


def test_blank_template_stays_available(client: Client) -> None:
    """Anyone may still download the blank template (no data in it)."""
    response = client.get("/declarations/template.csv")
    assert response.content.decode("utf-8-sig").strip() == ",".join(files.TEMPLATE_HEADER)


def test_prefilled_template_with_a_bad_month_is_a_clear_400(acme: Any) -> None:
    bob = csrf_client(acme.bob.user)
    response = bob.get(
        f"/employer/{acme.acme.pk}/declarations/template.csv?period=2026-13",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert not Entry.objects.filter(action="contributions.employees.exported").exists()


# --- 2. the grid's month -----------------------------------------------------------------


def test_grid_includes_an_employee_whose_last_month_is_this_month(acme: Any) -> None:
    """bob's employment ends with this month (2026-11): he is still in this month's grid,
    the declaration of the month posts both, and next month's grid has alice alone."""
    bob_job = Employment.objects.get(person=acme.bob)
    services.employment_end(actor=None, employment=bob_job, end_period=202611, reason="合同到期")
    alice_job = Employment.objects.get(person=acme.alice)
    client = csrf_client(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    page = client.get(url).content.decode()
    assert f'name="wage-{bob_job.pk}"' in page and f'name="wage-{alice_job.pk}"' in page
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": token(client, url),
            "grid": "1",
            "period": "2026-11",
            "kind": "regular",
            f"wage-{alice_job.pk}": "6000",
            f"wage-{bob_job.pk}": "9000",
        },
    )
    assert 'id="declaration-accepted"' in response.content.decode()
    assert Declaration.objects.get().rows == 2
    assert 'template.csv"' in page  # this month's pre-filled template
    december = client.get(url + "?period=2026-12").content.decode()
    assert 'template.csv?period=2026-12"' in december  # the month shown
    assert f'name="wage-{alice_job.pk}"' in december
    assert f'name="wage-{bob_job.pk}"' not in december


def test_grid_leaves_out_an_employee_who_starts_later(acme: Any) -> None:
    """dave starts next month: not in this month's grid, in next month's."""
    later = services.employment_start(
        actor=None,
        employer=acme.acme,
        resident_id=acme.dave.resident_id,
        start_period=202612,
        wage=Decimal("5000"),
    )
    client = csrf_client(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    assert f'name="wage-{later.pk}"' not in client.get(url).content.decode()
    assert f'name="wage-{later.pk}"' in client.get(url + "?period=2026-12").content.decode()


def test_the_upload_form_and_the_grid_start_from_the_same_month(acme: Any) -> None:
    """Both forms of the page default to this month (2026-11), or to the month the page was
    opened for: the upload is never left without the month the grid shows."""
    client = csrf_client(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    for query, month in (("", "2026-11"), ("?period=2026-09", "2026-09")):
        page = client.get(url + query).content.decode()
        upload = re.search(r'<input type="month" name="period"[^>]*>', page)
        assert upload is not None and f'value="{month}"' in upload.group(0)
        assert f'<input id="grid-period" type="month" name="period" value="{month}"' in page


def test_api_prefilled_template(acme: Any) -> None:
    """The API answers the same file to the legal representative, journaled; a bad format
    is a clear 400 and journals nothing."""
    client = Client()
    client.force_login(acme.bob.user)
    url = f"/api/v1/employers/{acme.acme.pk}/declarations/template"
    bad = client.get(url + "?format=pdf")
    assert bad.status_code == 400 and bad.json()["code"] == "format"
    assert not Entry.objects.filter(action="contributions.employees.exported").exists()
    response = client.get(url + "?format=csv&period=2026-11")
    assert response.status_code == 200
    assert acme.alice.resident_id in response.content.decode("utf-8-sig")
    assert Entry.objects.filter(action="contributions.employees.exported").count() == 1


# --- 3. bases raised to the floor or lowered to the cap, before the confirmation --------


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def test_grid_says_on_the_row_the_base_was_raised_and_posts_only_once_confirmed(
    acme: Any,
) -> None:
    """alice's wage 1.00: her row says the base is raised to the floor 4770.00, 60% of the
    2026 average wage 7950.00; nothing is posted until the employer confirms, and a second
    click on the confirmation posts nothing more."""
    alice_job = Employment.objects.get(person=acme.alice)
    bob_job = Employment.objects.get(person=acme.bob)
    client = csrf_client(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    form = {
        "csrfmiddlewaretoken": token(client, url),
        "token": hidden(client.get(url).content.decode(), "token"),
        "grid": "1",
        "period": "2026-11",
        "kind": "regular",
        f"wage-{alice_job.pk}": "1.00",
        f"wage-{bob_job.pk}": "9000",
    }
    page = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    note = re.search(rf'id="adjustment-{alice_job.pk}">([^<]+)<', page)
    assert note is not None
    assert note.group(1) == (
        "The wage 1.00 is below the floor: the contribution base is raised to 4770.00, "
        "60% of the provincial average wage 7950.00 used for 2026 (Guobanfa [2019] 13)."
    )
    assert f'id="adjustment-{bob_job.pk}"' not in page
    assert not Declaration.objects.exists()
    confirm = {**form, "confirm": "1", "checked": hidden(page, "checked")}
    page = client.post(url, confirm, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-accepted"' in page
    declaration = Declaration.objects.get()
    assert declaration.reply["adjustment_count"] == 1
    assert declaration.reply["adjustments"][0]["base"] == "4770.00"
    again = client.post(url, confirm, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-accepted"' in again  # the same reply, replayed
    assert Declaration.objects.count() == 1


def test_a_confirmation_holds_for_the_wages_checked_only(acme: Any) -> None:
    """A wage changed after the check is checked again, not posted: the cap is named."""
    alice_job = Employment.objects.get(person=acme.alice)
    bob_job = Employment.objects.get(person=acme.bob)
    client = csrf_client(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    form = {
        "csrfmiddlewaretoken": token(client, url),
        "token": "t-1",
        "grid": "1",
        "period": "2026-11",
        "kind": "regular",
        f"wage-{alice_job.pk}": "1.00",
        f"wage-{bob_job.pk}": "9000",
    }
    page = client.post(url, form).content.decode()
    changed = {**form, f"wage-{bob_job.pk}": "100000", "confirm": "1"}
    changed["checked"] = hidden(page, "checked")
    page = client.post(url, changed).content.decode()
    assert not Declaration.objects.exists()
    note = re.search(rf'id="adjustment-{bob_job.pk}">([^<]+)<', page)
    assert note is not None
    assert "调低至上限23850.00元" in note.group(1) and "7950.00元的300%" in note.group(1)


def test_api_answers_the_adjustments_and_previews(acme: Any) -> None:
    """The API lists the same adjustments: in a preview (200, nothing posted) and in the
    accepted reply (201)."""
    client = Client()
    client.force_login(acme.bob.user)
    url = f"/api/v1/employers/{acme.acme.pk}/declarations"
    body = {
        "period": "2026-11",
        "rows": [
            {"resident_id": acme.alice.resident_id, "wage": "1.00"},
            {"resident_id": acme.bob.resident_id, "wage": "30000"},
        ],
    }
    preview = client.post(url + "?preview=true", body, content_type="application/json")
    assert preview.status_code == 200
    answer = preview.json()
    assert (answer["preview"], answer["accepted"], answer["rows"]) == (True, False, 2)
    assert [(a["line"], a["bound"], a["base"], a["percent"]) for a in answer["adjustments"]] == [
        (1, "floor", "4770.00", "60"),
        (2, "cap", "23850.00", "300"),
    ]
    assert not Declaration.objects.exists()
    posted = client.post(url, body, content_type="application/json")
    assert posted.status_code == 201
    assert posted.json()["adjustments"] == answer["adjustments"]
    assert posted.json()["adjustment_count"] == 2


def test_prefilled_names_never_run_as_formulas() -> None:
    """A registered name starting with a formula character is written as text."""
    text = files.template_csv([("61011319660115002X", "=HYPERLINK(1)", "6000.00")])
    assert text.decode("utf-8-sig").splitlines()[1] == "61011319660115002X,'=HYPERLINK(1),6000.00"
    sheet = load_workbook(
        io.BytesIO(files.template_xlsx([("61011319660115002X", "@SUM(1)", "6000.00")]))
    ).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == ["61011319660115002X", "'@SUM(1)", 6000.0]


# --- empty declarations ------------------------------------------------------------------


def _declared(acme: Any) -> Client:
    """acme's 2024-10 declared (regular, through the API with a session); bob's client."""
    bob = csrf_client(acme.bob.user)
    bob.get("/account/tokens/")
    response = bob.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        {
            "period": "2024-10",
            "rows": [
                {"resident_id": acme.alice.resident_id, "wage": "6000"},
                {"resident_id": acme.bob.resident_id, "wage": "9000"},
            ],
        },
        content_type="application/json",
        HTTP_X_CSRFTOKEN=bob.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content
    return bob


@pytest.mark.parametrize("kind", ["regular", "supplementary"])
def test_a_header_only_file_is_refused_on_the_page_and_the_api(acme: Any, kind: str) -> None:
    """A file with the header and no rows: refused in both languages, nothing created."""
    bob = _declared(acme) if kind == "supplementary" else csrf_client(acme.bob.user)
    period = "2024-10" if kind == "supplementary" else "2024-11"
    before = (Declaration.objects.count(), LedgerRecord.objects.count(), Bill.objects.count())
    header = (",".join(files.TEMPLATE_HEADER) + "\n").encode()
    url = f"/employer/{acme.acme.pk}/declarations/"
    page = bob.post(
        url,
        {
            "csrfmiddlewaretoken": token(bob, url),
            "period": period,
            "kind": kind,
            "file": SimpleUploadedFile("wages.csv", header),
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    text = page.content.decode()
    assert 'id="declaration-rejected"' in text and "The declaration has no rows." in text
    api = bob.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations/file",
        {"period": period, "kind": kind, "file": SimpleUploadedFile("wages.csv", header)},
        HTTP_X_CSRFTOKEN=bob.cookies["csrftoken"].value,
    )
    assert api.status_code == 422
    assert [(e["field"], e["message_zh"], e["message_en"]) for e in api.json()["errors"]] == [
        ("rows", "申报不能为空。", "The declaration has no rows.")
    ]
    json_api = bob.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        {"period": period, "kind": kind, "rows": []},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=bob.cookies["csrftoken"].value,
    )
    assert json_api.status_code == 422 and json_api.json()["error_count"] == 1
    after = (Declaration.objects.count(), LedgerRecord.objects.count(), Bill.objects.count())
    assert after == before


def test_a_supplementary_that_changes_nothing_is_refused(acme: Any) -> None:
    """The month's own wages again as a supplementary (the grid as shown, the API): 422
    in both languages, no declaration, no ledger record, no bill; one changed wage posts."""
    bob = _declared(acme)
    before = (Declaration.objects.count(), LedgerRecord.objects.count(), Bill.objects.count())
    url = f"/employer/{acme.acme.pk}/declarations/?period=2024-10"
    page = bob.get(url).content.decode()
    wages = dict(re.findall(r'name="(wage-\d+)" value="([^"]+)"', page))
    assert sorted(wages.values()) == ["6000.00", "9000.00"]
    grid = bob.post(
        url,
        {
            "csrfmiddlewaretoken": token(bob, url),
            "grid": "1",
            "period": "2024-10",
            "kind": "supplementary",
            "token": "t-1",
            "confirm": "1",
            **wages,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'id="declaration-rejected"' in grid
    assert "The supplementary declaration changes no wage or amount" in grid
    body: dict[str, Any] = {
        "period": "2024-10",
        "kind": "supplementary",
        "rows": [
            {"resident_id": acme.alice.resident_id, "wage": "6000"},
            {"resident_id": acme.bob.resident_id, "wage": "9000.00"},
        ],
    }
    api = bob.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=bob.cookies["csrftoken"].value,
    )
    assert api.status_code == 422
    (error,) = api.json()["errors"]
    assert error["message_zh"].startswith("补充申报与该月已申报的工资和金额相同")
    assert (Declaration.objects.count(), LedgerRecord.objects.count(), Bill.objects.count()) == (
        before
    )
    body["rows"][0]["wage"] = "6500"
    changed = bob.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=bob.cookies["csrftoken"].value,
    )
    assert changed.status_code == 201, changed.content
    assert Declaration.objects.count() == before[0] + 1


def test_a_past_month_is_prefilled_with_its_own_wages_and_a_supplementary_shows_old_to_new(
    acme: Any,
) -> None:
    """2026-09 was declared at 7550 for alice, 2026-10 at 8800: the grid and the pre-filled
    template of 2026-09 carry 7550.00, not the later wage; a supplementary lowering her
    September shows 7550.00 → 7000.00 and posts nothing until confirmed, then posts once."""
    alice_job = Employment.objects.get(person=acme.alice)
    bob_job = Employment.objects.get(person=acme.bob)
    for period, wage in ((202609, "7550"), (202610, "8800")):
        assert services.declaration_submit(
            actor=None,
            employer=acme.acme,
            period=period,
            rows=[
                services.DeclaredRow(1, acme.alice.resident_id, wage),
                services.DeclaredRow(2, acme.bob.resident_id, "9000"),
            ],
        ).accepted
    client = csrf_client(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    page = client.get(url + "?period=2026-09").content.decode()
    assert hidden(page, f"wage-{alice_job.pk}") == "7550.00"
    assert hidden(client.get(url + "?period=2026-11").content.decode(), f"wage-{alice_job.pk}") == (
        "8800.00"  # a month not declared yet: the newest wage before it
    )
    api = client.get(
        f"/api/v1/employers/{acme.acme.pk}/declarations/template?format=csv&period=2026-09"
    )
    assert api.status_code == 200
    assert f"{acme.alice.resident_id},{acme.alice.name},7550.00" in api.content.decode("utf-8-sig")
    form = {
        "csrfmiddlewaretoken": token(client, url),
        "token": hidden(page, "token"),
        "grid": "1",
        "period": "2026-09",
        "kind": "supplementary",
        f"wage-{alice_job.pk}": "7000",
        f"wage-{bob_job.pk}": "9000.00",
    }
    before = Declaration.objects.count()
    shown = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    changes = re.findall(r'<li class="change">([^<]+)</li>', shown)
    assert changes == [f"{mask_name(acme.alice.name)}: 7550.00 → 7000.00"]
    assert Declaration.objects.count() == before
    assert "本次补充申报将变更 2026-09 的 1 条工资" in client.post(url, form).content.decode()
    confirm = {**form, "confirm": "1", "checked": hidden(shown, "checked")}
    done = client.post(url, confirm, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-accepted"' in done
    assert Declaration.objects.count() == before + 1
    page = client.get(url + "?period=2026-09").content.decode()
    assert hidden(page, f"wage-{alice_job.pk}") == "7000.00"


def test_staff_pages_of_a_persons_contributions_mask_the_name_as_the_person_page(
    acme: Any,
) -> None:
    """sam (supervisor, may not reveal) reads alice's statement and individual-payer pages
    with her name masked, as on her person page; carol (case worker, may reveal) in full,
    as on the person page; the resident ID masked for both."""
    masked = mask_name(acme.alice.name)
    for user, name in ((acme.sam, masked), (acme.carol, acme.alice.name)):
        client = csrf_client(user)
        person = client.get(f"/staff/persons/{acme.alice.pk}/").content.decode()
        assert f"<h1>{name}</h1>" in person
        for page in ("contributions", "flexible"):
            response = client.get(f"/staff/persons/{acme.alice.pk}/{page}/")
            assert response.status_code == 200, (user, page)
            html = response.content.decode()
            assert f"<p>{name} · " in html, (user, page)
            assert acme.alice.resident_id not in html
            if name == masked:
                assert acme.alice.name not in html, (user, page)
