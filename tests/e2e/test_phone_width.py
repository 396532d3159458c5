"""Phones (375 x 812 CSS pixels): no page scrolls sideways as a whole. Wide tables scroll in
their own box (static/css/site.css); each persona's pages are crawled from their home page:
the links of the header, the home page and the pages it leads to, two clicks deep."""

from __future__ import annotations

import random
from collections import deque
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from onestop.contributions import demo as contributions_demo
from tests.e2e.test_applications import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 375, 812
#: Pages the issue measured too wide, each must be among those crawled.
MEASURED = ("/me/contributions/", "/employer/{acme}/declarations/", "/employer/{acme}/bills/",
            "/employer/{acme}/employees/")  # fmt: skip
SKIP = ("/logout", "/api/", "/admin/", "/i18n/", "/static/", "/media/")
FILES = (".pdf", ".csv", ".xlsx", ".json", ".zip")
PAGES_PER_PERSONA = 40


def too_wide(page: Any) -> int | None:
    width = page.evaluate("document.documentElement.scrollWidth")
    return int(width) if width > WIDTH else None


def links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], main a[href], nav a[href]", "els => els.map(e => e.href)"
    )
    found = []
    for href in hrefs:
        url = urlparse(href)
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.netloc and url.netloc != urlparse(page.url).netloc:
            continue
        if any(path.startswith(s) for s in SKIP) or url.path.lower().endswith(FILES):
            continue
        found.append(path)
    return found


def crawl(page: Any, must: list[str], at_least: int) -> dict[str, int]:
    """Visit the home page, what it links to and one step further (and ``must``): at least
    ``at_least`` pages. The pages wider than the phone, with their width."""
    wide: dict[str, int] = {}
    seen: set[str] = set()
    queue: deque[tuple[str, int]] = deque([("/", 0), *((m, 1) for m in must)])
    while queue and len(seen) < PAGES_PER_PERSONA + len(must):
        path, depth = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            response = page.goto(path)
        except PlaywrightError as exc:  # a link that downloads a file is no page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status >= 400:
            continue
        width = too_wide(page)
        if width is not None:
            wide[path] = width
        if depth < 2:
            queue.extend((link, depth + 1) for link in links(page) if link not in seen)
    assert set(must) <= seen and len(seen) >= at_least, sorted(seen)
    return wide


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return page


@pytest.mark.slow
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="a check of the rendering; the SQLite pass runs it on the same pages and rows",
)
def test_no_page_of_any_persona_scrolls_sideways_on_a_phone(world: Any, phone: Any) -> None:
    """No page any persona reaches is wider than the phone. A check of the rendering alone
    (widths; a page that fails is skipped by the crawl): the rows are the same on either
    database, so it runs on SQLite only and spares the PostgreSQL pass its page loads."""
    contributions_demo.load(
        employers=[world.acme], staff_persons=[world.alice, world.bob], rng=random.Random(7)
    )
    measured = [m.format(acme=world.acme.pk) for m in MEASURED]
    wide: dict[str, dict[str, int]] = {}
    personas: list[tuple[str, Any, list[str]]] = [
        ("13800000001", None, measured[:1]),  # alice
        ("13800000002", None, measured[1:]),  # bob, acme's legal representative
        ("carol", world.carol, []),
        ("sam", world.sam, []),
        ("erin", world.erin, []),
    ]
    for login, user, must in personas:
        phone.context.clear_cookies()
        sign_in(phone, login, user)
        found = crawl(phone, must, at_least=10)
        if found:
            wide[login] = found
    phone.context.clear_cookies()
    public = crawl(phone, [], at_least=10)
    if public:
        wide["public"] = public
    assert wide == {}


def test_a_table_that_scrolls_on_a_phone_can_be_reached_by_keyboard(world: Any, phone: Any) -> None:
    """WCAG 2.1.1: a scrolling table is a region the keyboard can reach (axe's
    scrollable-region-focusable and the other WCAG 2.1 AA rules find nothing)."""
    from tests.e2e.test_accessibility import violations

    contributions_demo.load(
        employers=[world.acme], staff_persons=[world.alice, world.bob], rng=random.Random(7)
    )
    sign_in(phone, "13800000002")
    phone.goto(f"/employer/{world.acme.pk}/bills/")
    assert phone.evaluate(
        "[...document.querySelectorAll('main table')].some(t => t.scrollWidth > t.clientWidth)"
    )
    assert violations(phone) == []


def test_long_english_labels_stay_within_a_phone(world: Any, phone: Any, live_server: Any) -> None:
    """In English the label/value lists (a tester found 441 px on the statement, 416 px on the
    employer's page) wrap inside the screen."""
    contributions_demo.load(
        employers=[world.acme], staff_persons=[world.alice, world.bob], rng=random.Random(7)
    )
    for login, path in (
        ("13800000001", "/me/contributions/"),
        ("13800000002", f"/employer/{world.acme.pk}/"),
    ):
        phone.context.clear_cookies()
        sign_in(phone, login)
        phone.context.add_cookies(
            [{"name": "onestop_language", "value": "en", "url": live_server.url}]
        )
        phone.goto(path)
        assert too_wide(phone) is None, (path, too_wide(phone))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_header_folds_its_navigation_behind_a_menu_button_on_a_phone(
    world: Any, phone: Any, language: str
) -> None:
    """On a phone the header is the brand and a menu button (no taller than 120 px); the
    button unfolds the navigation and the tools, and folds them again. A wide screen shows
    the navigation without a button."""
    menu = "菜单" if language == "zh-hans" else "Menu"
    phone.goto("/")
    phone.context.add_cookies([{"name": "onestop_language", "value": language, "url": phone.url}])
    phone.goto("/")
    header = phone.locator("header.site-header")
    nav = phone.locator("header nav")
    assert header.bounding_box()["height"] <= 120
    assert not nav.is_visible() and not phone.locator("#language-select").is_visible()
    phone.get_by_text(menu, exact=True).click()
    assert nav.is_visible() and phone.locator("#language-select").is_visible()
    phone.get_by_text(menu, exact=True).click()
    assert not nav.is_visible()
    phone.set_viewport_size({"width": 1280, "height": 800})
    assert nav.is_visible() and not phone.get_by_text(menu, exact=True).is_visible()
