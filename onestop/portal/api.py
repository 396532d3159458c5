"""Portal API: the published articles and the site search (public, no sign-in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from onestop.portal import content, search
from onestop.portal.models import Article, ArticleKind

router = Router(tags=["portal"], auth=None)


class AttachmentOut(Schema):
    name: str
    url: str
    size: int
    content_type: str


class ArticleOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    published_at: dt.datetime
    url: str
    document_number: str
    issuer: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    in_force: str


class ArticleFull(ArticleOut):
    body: str
    attachments: list[AttachmentOut]


class HitOut(Schema):
    source: str
    title: str
    url: str
    excerpt: str


def _out(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "kind": article.kind,
        "title": article.title,
        "summary": article.summary,
        "published_at": article.publish_at,
        "url": f"/content/{article.pk}/",
        "document_number": article.document_number,
        "issuer": article.issuer,
        "effective_from": article.effective_from,
        "effective_until": article.effective_until,
        "in_force": content.in_force(article, timezone.localdate()),
    }


@router.get("/portal/articles", response=list[ArticleOut])
def articles(request: HttpRequest, kind: str = "") -> list[dict[str, Any]]:
    """Published news, notices, policy documents or FAQs, newest first (at most 100)."""
    return [
        _out(a) for a in content.published(kind=kind if kind in ArticleKind.values else "")[:100]
    ]


@router.get("/portal/articles/{article_id}", response=ArticleFull)
def article(request: HttpRequest, article_id: int) -> dict[str, Any]:
    found = content.article_public(pk=article_id)
    return {
        **_out(found),
        "body": found.body,
        "attachments": [
            {
                "name": a.name,
                "url": f"/content/{found.pk}/files/{a.pk}/",
                "size": a.size,
                "content_type": a.content_type,
            }
            for a in found.attachments.all()
        ],
    }


@router.get("/portal/search", response=list[HitOut])
def site_search(request: HttpRequest, q: str, source: str = "") -> list[dict[str, Any]]:
    """Full-text search (Chinese included) over the published pages and service guides."""
    return [hit.__dict__ for hit in search.search(q, source=source)]
