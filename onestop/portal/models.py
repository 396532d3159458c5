"""Portal content: news, notices, policy documents and FAQs written by editors, reviewed by a
second person and published (now or at a set time), with attachments; and the search index
over them and the service guides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    NEWS = "news", _("news")
    NOTICE = "notice", _("notice")
    POLICY = "policy", _("policy document")
    FAQ = "faq", _("frequently asked question")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ArticleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text"))  # plain text; paragraphs are blank-line separated
    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    issuer = models.CharField(_("issued by"), max_length=120, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "kind", "publish_at"], name="article_public")]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="content/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)  # SM3 of the bytes
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SearchDocument(models.Model):
    """One searchable page: its title, link, an excerpt source and its tokens (CJK bigrams
    and single characters, Latin words; ``portal.search``). The full-text index over
    ``tokens`` is FTS5 on SQLite and a GIN index on PostgreSQL (migration 0002)."""

    source = models.CharField(max_length=16)  # article kind, or "service"
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=240)
    url = models.CharField(max_length=240)
    text = models.TextField()
    tokens = models.TextField()
    visible_from = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="search_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"
