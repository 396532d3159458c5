"""One language at a time, everywhere (issue #24).

The crawler signs in as every demo persona through the real sign-in pages (staff with their
authenticator code), visits every page reachable from their home page (same-origin links,
GET only) and the demo's objects (cases in each state, statements, certificates, dashboards,
admin pages), in Simplified Chinese and in English, through the real middleware. It fails on
any 5xx, on a Latin word in Chinese mode and on a run of Chinese characters in English mode,
outside an allow-list of data (names, addresses, codes, units) and of elements that declare
another language themselves (``lang``), and on a record shown by a raw code (a region's code
before its name, a person by a database id). It prints the slowest pages.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

#: Pages per (persona, language) at most, and instances of one URL shape (ids and query
#: strings stripped) at most: the crawl covers every kind of page, not every row.
MAX_PAGES = 100
PER_SHAPE = 1

#: Links that change state or leave the session even when followed with GET, or that are
#: files rather than pages (their text is checked by their own tests). A revocation is not
#: among them: its GET is the page that asks first (or a refusal, for one only POSTed).
SKIP = re.compile(
    r"/logout/|/i18n/|/display/|/reveal/|/claim/|/release/|/withdraw/|/escalate/"
    r"|/read-all/|/read/|/confirm/|/handover/|/sync/|/delete/|/admin/logout/|/history/"
    r"|\.(pdf|csv|xlsx|json|png|jpg|svg|zip)$|/materials/\d+/|/files/\d+/|/static/|/api/"
)

#: Latin words a Chinese page may show: file formats, standards and product names that have
#: no Chinese form in use (the same words appear on the ministry's own pages).
LATIN_ALLOWED = {
    "onestop",
    "pdf",
    "xlsx",
    "csv",
    "json",
    "api",
    "id",
    "qr",
    "sms",
    "ca",
    "sm2",
    "sm3",
    "sm4",
    "ed25519",
    "kb",
    "mb",
    "totp",
    "url",
    "http",
    "https",
    "utc",
    "gb",
    "t",
    "english",
    "jpeg",
    "png",
    "pades",
    "ecdsa",
    "rsa",
    "bpmn",
}

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\U00020000-\U0003134f]+")
CJK_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")
#: A token of Latin script: a word, a snake_case key, a dotted code, an identifier.
TOKEN = re.compile(r"[A-Za-z0-9_.'@/:+-]*[A-Za-z][A-Za-z0-9_.'@/:+-]*")
#: A masked name on screen: its first character, then asterisks (the rest is data).
MASKED = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]\*+")


class Page(HTMLParser):
    """Visible text (with the attributes a person reads or hears) and links of one page."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    HIDDEN = {"script", "style", "template", "noscript", "textarea"}
    SPOKEN = ("title", "alt", "placeholder", "aria-label")

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []
        self.links: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        lang = values.get("lang", "").lower()
        other_language = bool(lang) and not lang.startswith(self.language[:2]) and tag != "html"
        skipped = self._skipped() or tag in self.HIDDEN or other_language or "hidden" in values
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if not skipped:
            self.texts.extend(values[name] for name in self.SPOKEN if values.get(name))
            button = tag == "input" and values.get("type") in {"submit", "button"}
            if button and values.get("value"):
                self.texts.append(values["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipped() and data.strip():
            self.texts.append(data.strip())


def data_allow_list() -> re.Pattern[str]:
    """The demo's data, which stays in the language it was recorded in: names of persons,
    employers, staff and contacts, addresses, authored articles. Longest first."""
    from onestop.identity.models import Agency, Employer, Person, Region, User
    from onestop.portal.models import Article
    from onestop.reviews.models import Visit

    values: set[str] = set()
    for person in Person.objects.all():
        values |= {person.name, getattr(person, "address", "") or ""}
    for employer in Employer.objects.all():
        values |= {employer.name, employer.legal_representative, employer.contact_name}
        values.add(getattr(employer, "address", "") or "")
    values |= {u.display_name for u in User.objects.all()}
    # Staff logins are identifiers, the same in every language.
    values |= {f"{u.username}" for u in User.objects.exclude(username="")}
    # Regions and agencies without an English name are shown by their Chinese one.
    values |= set(Region.objects.filter(name_en="").values_list("name", flat=True))
    values |= set(Agency.objects.filter(name_en="").values_list("name", flat=True))
    for article in Article.objects.all():
        values.add(article.title)
    # What a counter visit was about, as the case worker typed it.
    values |= {visit.topic for visit in Visit.objects.all()}
    # What the staff wrote on a case's timeline, as they typed it (a person's note is shown
    # as written; the platform's own notes are kept, and shown, in each language).
    from onestop.applications.models import Step

    values |= {s.note for s in Step.objects.exclude(role="system") if s.note and not s.note_en}
    return data_pattern(sorted((v for v in values if v and len(v) >= 2), key=len, reverse=True))


def raw_codes() -> re.Pattern[str]:
    """Records shown by their codes instead of what they are: a region's GB/T 2260 code
    before its name ("610100 西安市": the name alone reads), a person, pensioner or employer
    by a bare database id ("参保人 218")."""
    from onestop.identity.models import Region

    named = [
        rf"(?<!\d){r.code} (?:{re.escape(r.name)}|{re.escape(r.name_en)})"
        for r in Region.objects.all()
        if r.name_en
    ] + [rf"(?<!\d){r.code} {re.escape(r.name)}" for r in Region.objects.filter(name_en="")]
    kinds = r"(?:参保人|离退休人员|参保单位|person|pensioner|employer) \d+(?![\d-])"
    return re.compile("|".join([*named, kinds]))


def latin_word(token: str) -> bool:
    """Whether a token is a word (or a raw key or code) of Latin script rather than data: codes
    with digits (SX-SI-006, SM3, 2026-11), addresses and file names pass; snake_case keys and
    dotted codes without digits do not."""
    token = token.strip(".'-:/")
    if not token or any(ch.isdigit() for ch in token) or "@" in token or "/" in token:
        return False
    words = [w for w in re.split(r"[.'+-]", token) if w]
    return any(w.lower() not in LATIN_ALLOWED for w in words) and len(token) > 1


def data_pattern(values: list[str]) -> re.Pattern[str]:
    """One pattern for the allow-list, longest first; Latin values only as whole words."""
    return re.compile(
        "|".join(
            rf"(?<![A-Za-z]){re.escape(v)}(?![A-Za-z])" if v.isascii() else re.escape(v)
            for v in values
        )
    )


def offences(
    texts: list[str], language: str, allowed: re.Pattern[str], raw: re.Pattern[str] | None = None
) -> list[str]:
    """The mixed-language runs of a page's texts, and the records shown by a raw code."""
    found = []
    for text in texts:
        if raw is not None:
            found += [f"raw code {code!r}" for code in raw.findall(text)]
        text = allowed.sub(" ", text)
        text = MASKED.sub(" ", text)
        if language == "en":
            found += [run for run in CJK.findall(text) if CJK_IDEOGRAPH.search(run)]
        else:
            found += [token for token in TOKEN.findall(text) if latin_word(token)]
    return found


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def sign_in(client: Client, login: str, secret: str | None) -> None:
    from onestop.identity.demo import DEMO_PASSWORD
    from onestop.identity.models import User

    page = client.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/login/",
        {"csrfmiddlewaretoken": token.group(1), "identifier": login, "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 302, f"{login}: sign-in answered {answer.status_code}"
    if secret:
        User.objects.filter(username=login).update(totp_last_step=0)
        page = client.get("/login/mfa/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        answer = client.post(
            "/login/mfa/",
            {"csrfmiddlewaretoken": token.group(1), "code": pyotp.TOTP(secret).now()},
        )
        assert answer.status_code == 302, f"{login}: second factor answered {answer.status_code}"


def demo_objects(role: str) -> list[str]:
    """Pages of the demo's objects that a home page may not link, for a persona of ``role``
    ("anonymous", "citizen" or "staff"): a case in each state and of each item, the
    statements, certificates, dashboards and the admin's pages, each item's form."""
    from onestop.applications.models import Application
    from onestop.catalogue import selectors as catalogue
    from onestop.identity.models import Employer, Person

    urls = ["/", "/services/", "/calculators/retirement/", "/calculators/pension/", "/status/"]
    if role == "anonymous":
        return [*urls, "/verify/", "/content/"]
    # A case in each state, and one of each item (its facts: award, survivors' lines, ...).
    seen: set[str] = set()
    for number, status, code in Application.objects.order_by("pk").values_list(
        "number", "status", "item_code"
    ):
        if status not in seen or code not in seen:
            seen |= {status, code}
            urls.append(f"/applications/{number}/")
    if role == "citizen":
        # Every item's form, whose choices are the item's own data (one per shape otherwise).
        forms = [f"/services/{item.code}/apply/" for item in catalogue.items_current()]
        return (
            urls
            + forms
            + [
                "/me/contributions/",
                "/me/pension/",
                "/me/data-use/",
                "/me/consents/",
                "/me/licences/",
                "/me/inbox/",
                "/me/applications/",
                "/me/unemployment/",
            ]
            + [f"/employer/{e.pk}/" for e in Employer.objects.order_by("pk")[:2]]
        )
    for person in Person.objects.order_by("pk")[:2]:
        urls += [
            f"/staff/persons/{person.pk}/",
            f"/staff/persons/{person.pk}/contributions/",
            f"/staff/persons/{person.pk}/certificates/",
        ]
    for employer in Employer.objects.order_by("pk")[:1]:
        urls += [
            f"/employer/{employer.pk}/",
            f"/employer/{employer.pk}/employees/",
            f"/employer/{employer.pk}/declarations/",
            f"/employer/{employer.pk}/bills/",
        ]
    return [
        *urls,
        "/me/inbox/",
        "/dashboards/",
        "/staff/queue/",
        "/staff/cases/",
        "/staff/payroll/",
        "/staff/adjustments/",
        "/staff/transfers/",
        "/staff/survivors/",
        "/staff/unemployment/",
        "/staff/unemployment/payroll/",
        "/admin/",
        "/audit/",
    ]


def crawl(
    client: Client,
    language: str,
    starts: list[str],
    allowed: re.Pattern[str],
    checked: set[tuple[str, str]],
    raw: re.Pattern[str] | None = None,
) -> tuple[dict[str, list[str]], list[str], list[tuple[float, str]]]:
    """Visit the pages reachable from ``starts``: the mixed runs per page, the 5xx answers,
    and each page's load time. A page found by following links that an earlier persona
    already had checked in this language (``checked``) is not fetched again: the starts are
    fetched by everyone."""
    client.cookies["onestop_language"] = language
    queue = list(starts)
    seen: set[str] = set()
    shapes: dict[str, int] = defaultdict(int)
    mixed: dict[str, list[str]] = {}
    errors: list[str] = []
    times: list[tuple[float, str]] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or SKIP.search(urlsplit(url).path):
            continue
        if url not in starts and (shapes[shape(url)] >= PER_SHAPE or (language, url) in checked):
            continue
        checked.add((language, url))
        seen.add(url)
        shapes[shape(url)] += 1
        started = time.perf_counter()
        response = client.get(url, headers={"accept-language": language})
        times.append((time.perf_counter() - started, url))
        if response.status_code >= 500:
            errors.append(f"{url} answered {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = Page(language)
        page.feed(response.content.decode())
        # The configuration screens show codes on purpose: the code is what is configured.
        configuring = url.startswith(("/admin/", "/security/"))
        found = offences(page.texts, language, allowed, None if configuring else raw)
        if found:
            mixed[url] = sorted(set(found))
        for href in page.links:
            target = urljoin(url, href.split("#", 1)[0])
            parts = urlsplit(target)
            if parts.scheme in {"http", "https"} and parts.netloc not in {"", "testserver"}:
                continue
            if parts.scheme not in {"", "http", "https"} or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                queue.append(link)
    return mixed, errors, times


def personas() -> list[tuple[str, str | None]]:
    """Every demo login: the anonymous visitor, alice and bob by phone, each staff persona
    with their authenticator secret."""
    from onestop.identity.demo import DEMO_TOTP

    return [("anonymous", None), ("13800000001", None), ("13800000002", None), *DEMO_TOTP.items()]


@pytest.mark.slow
def test_every_persona_sees_one_language_at_a_time(settings: Any, tmp_path: Path) -> None:
    """In zh-Hans no Latin word outside the allow-list, in English no Chinese run outside
    the demo's data, and no page answers 5xx, for every persona and every page they reach."""
    settings.VAR_DIR = tmp_path
    call_command("demo", "--no-serve", "--persons", "20", stdout=StringIO())
    allowed = data_allow_list()
    raw = raw_codes()
    problems: list[str] = []
    times: list[tuple[float, str, str, str]] = []
    pages = 0
    checked: set[tuple[str, str]] = set()
    for login, secret in personas():
        client = Client(enforce_csrf_checks=True)
        if login != "anonymous":
            sign_in(client, login, secret)
        role = "citizen" if login.startswith("138") else "staff"
        starts = demo_objects("anonymous" if login == "anonymous" else role)
        for language in ("zh-hans", "en"):
            mixed, errors, timed = crawl(client, language, starts, allowed, checked, raw)
            pages += len(timed)
            problems += [f"{login} {language}: {e}" for e in errors]
            for url, runs in mixed.items():
                problems.append(f"{login} {language} {url}: {', '.join(runs)}")
            times += [(seconds, login, language, url) for seconds, url in timed]
    times.sort(reverse=True)
    print(f"\n{pages} pages; the slowest:")
    print(f"{'seconds':>8}  {'persona':<12} {'lang':<8} page")
    for seconds, login, language, url in times[:15]:
        print(f"{seconds:8.3f}  {login:<12} {language:<8} {url}")
    print(f"\n{len(problems)} problems:")
    print("\n".join(problems))
    assert problems == []
