"""Editing and publishing portal content.

Content editors write drafts (news, notices, policy documents with their document number,
issuer and dates in force, FAQs) and attach files; a draft goes to review; another person who
may publish (a content editor or a supervisor, never the author) publishes it, now or at a
set time, or returns it with a note. A published article can be withdrawn with a reason.
Published articles are visible, and searchable, from their publication time. Every step is
journaled in its transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from onestop.applications.services.materials import checked_file
from onestop.audit.services import record
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.identity import policy
from onestop.portal import search
from onestop.portal.models import Article, ArticleKind, ArticleStatus, Attachment

MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class Draft:
    kind: str
    title: str
    body: str
    summary: str = ""
    document_number: str = ""
    issuer: str = ""
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None


def _may_edit(actor: Any) -> None:
    if not policy.allows(actor, policy.EDIT_CONTENT):
        raise NotPermitted()


def _works_on_content(actor: Any) -> bool:
    """Editors and those who publish see drafts and withdraw published articles."""
    return policy.allows(actor, policy.EDIT_CONTENT) or policy.allows(actor, policy.PUBLISH_CONTENT)


def _may_publish(actor: Any) -> None:
    if not policy.allows(actor, policy.PUBLISH_CONTENT):
        raise NotPermitted()


def _check(draft: Draft) -> None:
    if draft.kind not in ArticleKind.values:
        raise ServiceError("栏目无效。", "Unknown kind of content.", code="kind")
    if not draft.title.strip() or len(draft.title) > 200:
        raise ServiceError(
            "请填写标题（最多200字）。",
            "A title is required (at most 200 characters).",
            code="title",
        )
    if not draft.body.strip() or len(draft.body) > 100_000:
        raise ServiceError(
            "请填写正文（最多10万字）。",
            "A text is required (at most 100,000 characters).",
            code="body",
        )
    if (
        draft.effective_from
        and draft.effective_until
        and draft.effective_until < draft.effective_from
    ):
        raise ServiceError(
            "失效日期早于生效日期。",
            "The end of force is before its start.",
            code="effective",
        )
    if draft.kind != ArticleKind.POLICY and (draft.effective_from or draft.document_number):
        raise ServiceError(
            "文号和生效日期仅适用于政策文件。",
            "Document numbers and dates in force belong to policy documents.",
            code="policy_only",
        )


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _wrong_state() -> ServiceError:
    return ServiceError(
        "该稿件当前不在这一环节。", "The article is not at that step.", code="state"
    )


def article_create(*, actor: Any, draft: Draft) -> Article:
    _may_edit(actor)
    _check(draft)
    with transaction.atomic():
        article = Article.objects.create(author=actor, **draft.__dict__)
        record(actor=actor, action="portal.article.created", target=article)
    return article


def article_update(*, actor: Any, article: Article, draft: Draft) -> Article:
    """Edit a draft (or a returned one); published articles are withdrawn, then edited."""
    _may_edit(actor)
    _check(draft)
    with transaction.atomic():
        article = _locked(article)
        if article.status not in (ArticleStatus.DRAFT, ArticleStatus.WITHDRAWN):
            raise _wrong_state()
        for name, value in draft.__dict__.items():
            setattr(article, name, value)
        article.status = ArticleStatus.DRAFT
        article.save()
        record(actor=actor, action="portal.article.edited", target=article)
    return article


def article_submit(*, actor: Any, article: Article) -> Article:
    _may_edit(actor)
    with transaction.atomic():
        article = _locked(article)
        if article.status != ArticleStatus.DRAFT:
            raise _wrong_state()
        article.status = ArticleStatus.IN_REVIEW
        article.save(update_fields=["status", "updated_at"])
        record(actor=actor, action="portal.article.submitted", target=article)
    return article


def article_publish(
    *, actor: Any, article: Article, at: dt.datetime | None = None, note: str = ""
) -> Article:
    """Publish now, or at ``at`` (a scheduled publication: visible and searchable from then)."""
    _may_publish(actor)
    with transaction.atomic():
        article = _locked(article)
        if article.status != ArticleStatus.IN_REVIEW:
            raise _wrong_state()
        if article.author_id == actor.pk:
            raise NotPermitted(
                "稿件须由作者以外的人员审核发布。",
                "Someone other than the author must review and publish it.",
                code="four_eyes",
            )
        now = timezone.now()
        if at is not None and at < now - dt.timedelta(minutes=1):
            raise ServiceError(
                "定时发布时间不能早于现在。",
                "A scheduled publication cannot be in the past.",
                code="publish_at",
            )
        article.status, article.publish_at = ArticleStatus.PUBLISHED, at or now
        article.reviewer, article.review_note = actor, (note or "")[:1000]
        article.save()
        search.index_article(article)
        record(
            actor=actor,
            action="portal.article.published",
            target=article,
            changes={"publish_at": article.publish_at.isoformat()},
        )
    return article


def article_return(*, actor: Any, article: Article, note: str) -> Article:
    """Send the article back to its author with what to change."""
    _may_publish(actor)
    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise ServiceError(
            "请说明退回原因（最多1000字）。",
            "Say why it is returned (at most 1000 characters).",
            code="note",
        )
    with transaction.atomic():
        article = _locked(article)
        if article.status != ArticleStatus.IN_REVIEW:
            raise _wrong_state()
        article.status, article.reviewer, article.review_note = ArticleStatus.DRAFT, actor, note
        article.save()
        record(actor=actor, action="portal.article.returned", target=article)
    return article


def article_withdraw(*, actor: Any, article: Article, note: str) -> Article:
    if not _works_on_content(actor):
        raise NotPermitted()
    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise ServiceError(
            "请说明撤下原因（最多1000字）。",
            "Say why it is withdrawn (at most 1000 characters).",
            code="note",
        )
    with transaction.atomic():
        article = _locked(article)
        if article.status != ArticleStatus.PUBLISHED:
            raise _wrong_state()
        article.status, article.review_note = ArticleStatus.WITHDRAWN, note
        article.save()
        search.index_article(article)
        record(actor=actor, action="portal.article.withdrawn", target=article)
    return article


def attachment_add(*, actor: Any, article: Article, file_name: str, data: bytes) -> Attachment:
    """A PDF, JPEG or PNG (judged by content), at most 10 MB, on a draft."""
    _may_edit(actor)
    content_type, extension, checksum = checked_file(data)
    with transaction.atomic():
        article = _locked(article)
        if article.status != ArticleStatus.DRAFT:
            raise _wrong_state()
        if article.attachments.count() >= MAX_ATTACHMENTS:
            raise ServiceError(
                f"每篇最多 {MAX_ATTACHMENTS} 个附件。",
                f"An article takes at most {MAX_ATTACHMENTS} attachments.",
                code="too_many",
            )
        attachment = Attachment(
            article=article,
            name=(file_name or "attachment")[-200:],
            content_type=content_type,
            size=len(data),
            checksum=checksum,
            uploaded_at=timezone.now(),
        )
        attachment.file.save(f"{article.pk}-{checksum[:16]}.{extension}", ContentFile(data))
        record(
            actor=actor,
            action="portal.attachment.added",
            target=article,
            changes={"name": attachment.name, "sm3": checksum, "size": len(data)},
        )
    return attachment


# --- reading ---------------------------------------------------------------------------


def published(*, kind: str = "", today: dt.date | None = None) -> QuerySet[Article]:
    """What the public sees: published articles whose publication time has come."""
    found = Article.objects.filter(status=ArticleStatus.PUBLISHED, publish_at__lte=timezone.now())
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-publish_at", "-id")


def article_public(*, pk: int) -> Article:
    article = published().filter(pk=pk).first()
    if article is None:
        raise NotFound()
    return article


def article_for_staff(*, actor: Any, pk: int) -> Article:
    if not _works_on_content(actor):
        raise NotPermitted()
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        raise NotFound()
    return article


def articles_for_staff(*, actor: Any, status: str = "") -> QuerySet[Article]:
    """Editors see every article; reviewers who do not edit see those in review and the
    published ones."""
    if policy.allows(actor, policy.EDIT_CONTENT):
        found = Article.objects.all()
    elif policy.allows(actor, policy.PUBLISH_CONTENT):
        found = Article.objects.filter(
            Q(status=ArticleStatus.IN_REVIEW) | Q(status=ArticleStatus.PUBLISHED)
        )
    else:
        raise NotPermitted()
    if status:
        found = found.filter(status=status)
    return found.select_related("author", "reviewer").order_by("-updated_at", "-id")


def in_force(article: Article, today: dt.date) -> str:
    """A policy document's state on ``today``: in_force, not_yet or expired ("" otherwise)."""
    if article.kind != ArticleKind.POLICY or article.effective_from is None:
        return ""
    if today < article.effective_from:
        return "not_yet"
    if article.effective_until and today > article.effective_until:
        return "expired"
    return "in_force"
