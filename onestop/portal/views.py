"""The front door: a public home page and a home page per role."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.applications import selectors as applications
from onestop.applications.services.materials import MAX_BYTES
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.identity import policy, selectors
from onestop.identity.masking import mask_phone, mask_resident_id
from onestop.portal import content, search
from onestop.portal.context_processors import DISPLAY_COOKIE
from onestop.portal.forms import ArticleForm, AttachmentForm, PublishForm
from onestop.portal.models import Article, ArticleKind, ArticleStatus


def home_view(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the public page; signed-in users their role's home."""
    user = request.user
    if not user.is_authenticated:
        return render(
            request,
            "portal/public_home.html",
            {
                "news": content.published(kind=ArticleKind.NEWS)[:5],
                "notices": content.published(kind=ArticleKind.NOTICE)[:5],
            },
        )
    role = policy.role_of(user)
    if role == "citizen":
        person = getattr(user, "person", None)
        return render(
            request,
            "portal/citizen_home.html",
            {
                "person": person,
                "masked_id": mask_resident_id(person.resident_id) if person else "",
                "masked_phone": mask_phone(person.phone) if person and person.phone else "",
                "employer_roles": selectors.employer_roles_of(user=user),
            },
        )
    profile = policy.staff_profile(user)
    counts = (
        applications.work_counts(actor=user, supervising=role == "supervisor")
        if role in ("case_worker", "reviewer", "supervisor")
        else None
    )
    return render(
        request,
        "portal/staff_home.html",
        {"profile": profile, "role": role, "counts": counts},
    )


@login_required
def employer_home_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """An employer user's page for one employer they act for (staff use the staff pages)."""
    if policy.is_staff_member(request.user):
        raise NotPermitted()
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id)
    return render(
        request,
        "portal/employer_home.html",
        {
            "employer": employer,
            "contact_phone": mask_phone(employer.contact_phone) if employer.contact_phone else "",
        },
    )


# --- public content ---------------------------------------------------------------------

KIND_TITLES = dict(ArticleKind.choices)


@require_GET
def articles_view(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ArticleKind.values:
        kind = ""
    page = Paginator(content.published(kind=kind), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/articles.html",
        {"page": page, "kind": kind, "kinds": ArticleKind.choices, "today": timezone.localdate()},
    )


def _readable(request: HttpRequest, pk: int) -> Article:
    """A published article, or, for editors and reviewers, one that is not (yet) public."""
    try:
        return content.article_public(pk=pk)
    except NotFound:
        if not policy.is_staff_member(request.user):
            raise
        return content.article_for_staff(actor=request.user, pk=pk)


@require_GET
def article_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = _readable(request, pk)
    return render(
        request,
        "portal/article.html",
        {
            "article": article,
            "state": content.in_force(article, timezone.localdate()),
            "attachments": list(article.attachments.all()),
        },
    )


@require_GET
def attachment_view(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    article = _readable(request, pk)
    attachment = article.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    with attachment.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, attachment.name) or "attachment"
    )
    return response


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[: search.MAX_QUERY]
    source = request.GET.get("source", "")
    if source not in (*ArticleKind.values, "service"):
        source = ""
    hits = search.search(query, source=source) if query else []
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "source": source,
            "hits": hits,
            "sources": [*ArticleKind.choices, ("service", _("service guide"))],
            "labels": {**KIND_TITLES, "service": _("service guide")},
        },
    )


# --- editors ----------------------------------------------------------------------------


def status_shown(article: Article) -> str:
    """An article's status as staff read it: one published for a time still to come is
    scheduled (not yet visible to the public), with when it publishes."""
    publish_at = article.publish_at
    if article.status == ArticleStatus.PUBLISHED and publish_at and publish_at > timezone.now():
        at = f"{timezone.localtime(publish_at):%Y-%m-%d %H:%M}"
        return _("scheduled (publishes at %(at)s)") % {"at": at}
    return str(article.get_status_display())


@require_GET
@login_required
def staff_content_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ArticleStatus.values:
        status = ""
    articles = list(content.articles_for_staff(actor=request.user, status=status)[:200])
    for article in articles:
        article.status_shown = status_shown(article)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/staff_content.html",
        {
            "articles": articles,
            "status": status,
            "statuses": ArticleStatus.choices,
            "editor": policy.allows(request.user, policy.EDIT_CONTENT),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def staff_article_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a new article or edit a draft; the same page reviews and publishes."""
    article = content.article_for_staff(actor=request.user, pk=pk) if pk else None
    if article is None and not policy.allows(request.user, policy.EDIT_CONTENT):
        raise NotPermitted()
    initial = {
        name: getattr(article, name)
        for name in ArticleForm.base_fields
        if article is not None and hasattr(article, name)
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if article is None:
                article = content.article_create(actor=request.user, draft=form.draft())
            else:
                article = content.article_update(
                    actor=request.user, article=article, draft=form.draft()
                )
        except NotPermitted:
            raise
        except ServiceError as exc:
            form.add_error(None, exc.message())
        else:
            messages.success(request, _("Saved."))
            return redirect("portal:staff_article", pk=article.pk)
    return render(
        request,
        "portal/staff_article.html",
        {
            "article": article,
            "status_shown": status_shown(article) if article else "",
            "form": form,
            "publish_form": PublishForm(),
            "attachment_form": AttachmentForm(),
            "attachments": list(article.attachments.all()) if article else [],
            "editor": policy.allows(request.user, policy.EDIT_CONTENT),
            "publisher": policy.allows(request.user, policy.PUBLISH_CONTENT),
        },
    )


@require_POST
@login_required
def staff_article_act_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = content.article_for_staff(actor=request.user, pk=pk)
    try:
        if action == "submit":
            content.article_submit(actor=request.user, article=article)
        elif action == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                raise ServiceError(
                    "发布时间格式不正确。", "The publication time is not valid.", code="publish_at"
                )
            at = form.cleaned_data["publish_at"]
            content.article_publish(
                actor=request.user, article=article, at=at, note=form.cleaned_data["note"]
            )
        elif action == "return":
            content.article_return(
                actor=request.user, article=article, note=request.POST.get("note", "")
            )
        elif action == "withdraw":
            content.article_withdraw(
                actor=request.user, article=article, note=request.POST.get("note", "")
            )
        elif action == "attach":
            upload = AttachmentForm(request.POST, request.FILES)
            if not upload.is_valid():
                raise ServiceError("请选择文件。", "Choose a file.", code="file")
            file = upload.cleaned_data["file"]
            if file.size > MAX_BYTES:
                raise ServiceError(
                    "文件超过 10 MB。", "The file is larger than 10 MB.", code="too_large"
                )
            content.attachment_add(
                actor=request.user, article=article, file_name=file.name, data=file.read()
            )
        else:
            raise NotFound()
        messages.success(request, _("Recorded."))
    except (NotPermitted, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message())
    return redirect("portal:staff_article", pk=article.pk)


@require_POST
def display_view(request: HttpRequest) -> HttpResponse:
    """Switch between the standard and the elderly-friendly display (a cookie, no sign-in)."""
    mode = request.POST.get("mode", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if mode == "elderly":
        response.set_cookie(
            DISPLAY_COOKIE, "elderly", max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(DISPLAY_COOKIE, samesite="Lax")
    return response
