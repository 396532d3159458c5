"""The declaration grid's wages, as the hostile tester posted them: each read by the money
grammar before anything is computed or shown from it, only by whoever may declare, and a
supplementary's old -> new confirmation holding for the old wages it showed only."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from conftest import World
from onestop.contributions import services
from onestop.contributions.models import Declaration, Employment
from onestop.contributions.selectors import ledger_verify
from onestop.contributions.tests.test_employer_pages import acme, csrf_client, hidden, token
from onestop.identity.masking import mask_name

pytestmark = pytest.mark.django_db

__all__ = ["acme"]  # the fixture, used by name

URL = "/employer/{}/declarations/"


def _declare_september(world: World) -> None:
    assert services.declaration_submit(
        actor=None,
        employer=world.acme,
        period=202609,
        rows=[
            services.DeclaredRow(1, world.alice.resident_id, "7550"),
            services.DeclaredRow(2, world.bob.resident_id, "9000"),
        ],
    ).accepted


def _form(
    client: Client, world: World, kind: str, alice: str, bob: str = "9000.00"
) -> dict[str, str]:
    url = URL.format(world.acme.pk)
    page = client.get(url + "?period=2026-09").content.decode()
    return {
        "csrfmiddlewaretoken": token(client, url),
        "token": hidden(page, "token"),
        "grid": "1",
        "period": "2026-09",
        "kind": kind,
        f"wage-{Employment.objects.get(person=world.alice).pk}": alice,
        f"wage-{Employment.objects.get(person=world.bob).pk}": bob,
    }


@pytest.mark.parametrize("kind", ["regular", "supplementary"])
@pytest.mark.parametrize(
    ("wage", "zh", "en"),
    [
        ("1e999999999", "不能使用科学计数法", "it must not use an exponent"),
        ("1e9999999", "不能使用科学计数法", "it must not use an exponent"),
        ("sNaN", "应为数字", "write digits"),
        ("NaN", "应为数字", "write digits"),
        ("-Infinity", "不能带正负号", "it must not carry a sign"),
    ],
)
def test_a_wage_outside_the_money_grammar_is_a_clear_error_and_posts_nothing(
    acme: World, kind: str, wage: str, zh: str, en: str
) -> None:
    """A grid wage the grammar refuses (exponent, NaN, infinity) gets the grammar's reason
    on the page, in Chinese and in English, as a 200 page with nothing posted: never a 500,
    never a huge page, never an "old -> new" line made of it."""
    if kind == "supplementary":
        _declare_september(acme)
    before = Declaration.objects.count()
    client = csrf_client(acme.bob.user)
    form = _form(client, acme, kind, wage)
    url = URL.format(acme.acme.pk)
    for language, reason in (("zh-hans", zh), ("en", en)):
        response = client.post(url, form, HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        assert response.status_code == 200
        assert reason in page
        assert 'class="change"' not in page
        assert len(page) < 200_000
    assert Declaration.objects.count() == before


def test_a_staff_member_who_may_only_look_cannot_post_the_grid(acme: World) -> None:
    """sam sees acme's declaration page but posting its grid, even a wage that would cost
    the server dearly to format, is refused (403) before the wage is read."""
    _declare_september(acme)
    sam = csrf_client(acme.sam)
    url = URL.format(acme.acme.pk)
    assert sam.get(url).status_code == 200
    form = _form(csrf_client(acme.bob.user), acme, "supplementary", "1e999999999")
    form["csrfmiddlewaretoken"] = token(sam, url)
    assert sam.post(url, form).status_code == 403
    form[next(k for k in form if k.startswith("wage-"))] = "7000"
    assert sam.post(url, {**form, "kind": "regular", "period": "2026-11"}).status_code == 403
    assert Declaration.objects.count() == 1


def test_a_grouped_wage_is_listed_old_to_new_before_a_supplementary_posts(acme: World) -> None:
    """ "12,345.00" is an amount for the posting, so it is one for the confirmation: the
    change is listed (7550.00 → 12345.00) and nothing posts until it is confirmed."""
    _declare_september(acme)
    client = csrf_client(acme.bob.user)
    url = URL.format(acme.acme.pk)
    form = _form(client, acme, "supplementary", "12,345.00")
    shown = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    changes = re.findall(r'<li class="change">([^<]+)</li>', shown)
    assert changes == [f"{mask_name(acme.alice.name)}: 7550.00 → 12345.00"]
    assert Declaration.objects.count() == 1
    confirm = {**form, "confirm": "1", "checked": hidden(shown, "checked")}
    done = client.post(url, confirm, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-accepted"' in done
    assert Declaration.objects.count() == 2


def test_a_confirmation_of_old_wages_since_changed_lists_them_again(acme: World) -> None:
    """Two supplementaries of September shown at once (7550.00 → 9001.00 and → 9002.00):
    the first confirmed posts; the second, confirmed as "7550.00 → 9002.00" while the
    record is by then 9001.00, is not posted but shown again as 9001.00 → 9002.00."""
    _declare_september(acme)
    client = csrf_client(acme.bob.user)
    url = URL.format(acme.acme.pk)
    first = _form(client, acme, "supplementary", "9001")
    second = _form(client, acme, "supplementary", "9002")
    shown = [
        client.post(url, f, HTTP_ACCEPT_LANGUAGE="en").content.decode() for f in (first, second)
    ]
    for form, page in zip((first, second), shown, strict=True):
        form.update(confirm="1", checked=hidden(page, "checked"))
    assert 'id="declaration-accepted"' in client.post(url, first).content.decode()
    again = client.post(url, second, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.findall(r'<li class="change">([^<]+)</li>', again) == [
        f"{mask_name(acme.alice.name)}: 9001.00 → 9002.00"
    ]
    assert Declaration.objects.count() == 2


def test_the_service_refuses_a_confirmation_of_an_older_version(acme: World) -> None:
    """Confirmed against the month's first declaration after a second was accepted: 409,
    in both languages, asking to review again; nothing posted."""
    _declare_september(acme)
    version = services.declaration_version(employer=acme.acme, period=202609)
    rows = [
        services.DeclaredRow(1, acme.alice.resident_id, "9001"),
        services.DeclaredRow(2, acme.bob.resident_id, "9000"),
    ]
    assert services.declaration_submit(
        actor=None, employer=acme.acme, period=202609, rows=rows, kind="supplementary"
    ).accepted
    with pytest.raises(services.StaleConfirmation) as refused:
        services.declaration_submit(
            actor=None,
            employer=acme.acme,
            period=202609,
            rows=[services.DeclaredRow(1, acme.alice.resident_id, "9002"), rows[1]],
            kind="supplementary",
            expected_version=version,
        )
    assert refused.value.status == 409
    assert "请重新核对" in refused.value.zh and "review the changes again" in refused.value.en
    assert Declaration.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_supplementaries_confirmed_at_once_post_one(acme: World) -> None:
    """PostgreSQL, two threads: two different supplementaries of one month, each shown
    "7550.00 → new" and confirmed at the same instant. One posts; the other, whose old
    wage is no longer the record's, is refused and asks to review again."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    world = acme
    _declare_september(world)
    client = csrf_client(world.bob.user)
    url = URL.format(world.acme.pk)
    forms = [_form(client, world, "supplementary", wage) for wage in ("9001", "9002")]
    for form in forms:
        page = client.post(url, form).content.decode()
        form.update(confirm="1", checked=hidden(page, "checked"))
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    barrier = threading.Barrier(2)
    pages: list[str] = []
    failures: list[BaseException] = []

    def post(form: dict[str, str]) -> None:
        try:
            mine = Client(enforce_csrf_checks=True)
            for name, value in cookies.items():
                mine.cookies[name] = value
            barrier.wait()
            pages.append(mine.post(url, form, HTTP_ACCEPT_LANGUAGE="en").content.decode())
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(f,)) for f in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures and len(pages) == 2
    accepted = [p for p in pages if 'id="declaration-accepted"' in p]
    assert len(accepted) == 1
    (other,) = [p for p in pages if p not in accepted]
    assert (
        "review the changes again" in other
        or "9001.00 → 9002.00" in other
        or ("9002.00 → 9001.00" in other)
    )
    assert Declaration.objects.filter(period=202609).count() == 2
    assert ledger_verify() == []
