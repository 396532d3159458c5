"""Full-text search over the portal's pages that finds Chinese text.

Neither SQLite's FTS5 nor PostgreSQL's parsers segment Chinese words, so the text is
tokenised here, the same way for both: every CJK character on its own and every pair of
adjacent characters (the bigram method of CJK search engines), Latin words and numbers
lower-cased (NFKC first, so full-width letters and digits match their half-width forms). A
query matches a page holding all of its tokens: a Chinese query of two or more characters
needs all its bigrams, one character its unigram. The tokens go into one column; FTS5 (with
its bm25 rank) or a GIN index over ``to_tsvector('simple', ...)`` (``ts_rank``) does the rest.

Service guides come from the catalogue: the index is brought up to date with it whenever the
catalogue has changed since it was last indexed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from onestop.catalogue import selectors as catalogue
from onestop.catalogue.models import ServiceItem
from onestop.portal.models import Article, ArticleKind, ArticleStatus, SearchDocument

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_QUERY = 100
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _runs(text: str) -> list[str]:
    return _RUNS.findall(unicodedata.normalize("NFKC", text or "").lower())


def document_tokens(text: str) -> str:
    """The tokens stored for a page: unigrams and bigrams of CJK runs, Latin words."""
    out: list[str] = []
    for run in _runs(text):
        if _CJK.match(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return " ".join(out)


def query_tokens(text: str) -> list[str]:
    """The tokens a page must hold to match ``text`` (each once, in order)."""
    out: list[str] = []
    for run in _runs(text[:MAX_QUERY]):
        if _CJK.match(run) and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return list(dict.fromkeys(out))


# --- the index -------------------------------------------------------------------------


def _put(
    *, source: str, key: str, title: str, url: str, text: str, visible_from: dt.datetime
) -> None:
    SearchDocument.objects.update_or_create(
        source=source,
        key=key,
        defaults={
            "title": title[:240],
            "url": url,
            "text": text,
            "tokens": document_tokens(f"{title}\n{text}"),
            "visible_from": visible_from,
        },
    )


def index_article(article: Article) -> None:
    """Index a published article from its publication time; drop any other from the index."""
    SearchDocument.objects.filter(source__in=ArticleKind.values, key=str(article.pk)).exclude(
        source=article.kind
    ).delete()
    if article.status != ArticleStatus.PUBLISHED or article.publish_at is None:
        SearchDocument.objects.filter(source=article.kind, key=str(article.pk)).delete()
        return
    _put(
        source=article.kind,
        key=str(article.pk),
        title=article.title,
        url=reverse("portal:article", args=[article.pk]),
        text="\n".join(
            part
            for part in (article.summary, article.body, article.document_number, article.issuer)
            if part
        ),
        visible_from=article.publish_at,
    )


def _catalogue_mark() -> str:
    """The catalogue's state in one query: its newest row and how many are published."""
    found = ServiceItem.objects.aggregate(m=Max("id"), n=Count("id", filter=Q(published=True)))
    return f"{found['m'] or 0}:{found['n']}"


_indexed_mark: dict[str, str] = {}


def sync_services(*, force: bool = False) -> int:
    """Index the current version of every published service guide, when the catalogue has
    changed since the last time (or ``force``). Returns how many guides were indexed."""
    mark = _catalogue_mark()
    if not force and _indexed_mark.get(connection.alias) == mark:
        stored = SearchDocument.objects.filter(source="service").exists()
        if stored or mark.endswith(":0"):
            return 0
    items = catalogue.items_current()
    with transaction.atomic():
        SearchDocument.objects.filter(source="service").exclude(
            key__in=[i.code for i in items]
        ).delete()
        for item in items:
            materials = " ".join(str(m.get("name", "")) for m in item.materials)
            _put(
                source="service",
                key=item.code,
                title=f"{item.name} {item.name_en}",
                url=reverse("catalogue:guide", args=[item.code]),
                text="\n".join(
                    (
                        item.conditions,
                        item.conditions_en,
                        item.legal_basis,
                        item.legal_basis_en,
                        materials,
                    )
                ),
                visible_from=EPOCH,
            )
    _indexed_mark[connection.alias] = mark
    return len(items)


# --- searching -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    source: str
    title: str
    url: str
    excerpt: str


def _excerpt(text: str, tokens: list[str], width: int = 80) -> str:
    flat = " ".join(unicodedata.normalize("NFKC", text).split())
    lowered = flat.lower()
    at = min((i for i in (lowered.find(t) for t in tokens) if i >= 0), default=0)
    start = max(at - width // 4, 0)
    cut = flat[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(flat) else "")


def search(query: str, *, limit: int = 50, source: str = "") -> list[Hit]:
    """Published pages holding every token of ``query``, best first."""
    tokens = query_tokens(query)
    if not tokens:
        return []
    sync_services()
    now = timezone.now()
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id FROM portal_searchdocument "
            "WHERE to_tsvector('simple', tokens) @@ to_tsquery('simple', %s) "
            "AND visible_from <= %s {source}"
            "ORDER BY ts_rank(to_tsvector('simple', tokens), to_tsquery('simple', %s)) DESC, "
            "id LIMIT %s"
        )
        match = " & ".join("'" + t.replace("'", "") + "'" for t in tokens)
        params: list[Any] = [match, now]
        if source:
            params.append(source)
        params += [match, limit]
    else:
        sql = (
            "SELECT d.id FROM portal_search_fts f "
            "JOIN portal_searchdocument d ON d.id = f.rowid "
            "WHERE portal_search_fts MATCH %s AND d.visible_from <= %s {source}"
            "ORDER BY bm25(portal_search_fts), d.id LIMIT %s"
        )
        match = " AND ".join('"' + t.replace('"', "") + '"' for t in tokens)
        params = [match, now]
        if source:
            params.append(source)
        params.append(limit)
    column = "source" if connection.vendor == "postgresql" else "d.source"
    sql = sql.format(source=f"AND {column} = %s " if source else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    docs = SearchDocument.objects.in_bulk(ids)
    guides = _guides_shown([docs[i].key for i in ids if i in docs and docs[i].source == "service"])
    hits = []
    for i in ids:
        if i not in docs:
            continue
        doc = docs[i]
        title, text = (
            guides.get(doc.key, (doc.title, doc.text))
            if doc.source == "service"
            else (
                doc.title,
                doc.text,
            )
        )
        hits.append(Hit(doc.source, title, doc.url, _excerpt(text, tokens)))
    return hits


def _guides_shown(codes: list[str]) -> dict[str, tuple[str, str]]:
    """A service guide's title and text in the reader's language (its document is indexed
    in both, so that either language's words find it)."""
    if not codes:
        return {}
    from django.utils.translation import get_language

    english = not (get_language() or "zh").startswith("zh")
    shown = {}
    for item in catalogue.items_current():
        if item.code not in codes:
            continue
        if english:
            shown[item.code] = (item.name_en or item.name, item.conditions_en or item.conditions)
        else:
            materials = " ".join(str(m.get("name", "")) for m in item.materials)
            text = "\n".join((item.conditions, item.legal_basis, materials))
            shown[item.code] = (item.name, text)
    return shown
