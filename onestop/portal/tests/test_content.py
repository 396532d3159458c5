"""Portal content: the editors' workflow, scheduled publication, attachments, the Chinese
full-text search over articles and service guides, pages and API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from onestop.audit.models import Entry
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.portal import content, search
from onestop.portal.content import Draft
from onestop.portal.models import Article, SearchDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

POLICY = Draft(
    kind="policy",
    title="关于调整2026年城镇职工基本养老保险缴费基数的通知",
    summary="2026年缴费基数上下限按全省平均工资的60%和300%确定。",
    body="各市人力资源和社会保障局：\n\n自2026年7月1日起，缴费基数下限为4,520元。",
    document_number="陕人社发〔2026〕12号",
    issuer="陕西省人力资源和社会保障厅",
    effective_from=dt.date(2026, 7, 1),
)
NEWS = Draft(kind="news", title="雁塔区社保大厅延时服务", body="每周六上午开放综合窗口。")


def published(world: Any, draft: Draft, at: dt.datetime | None = None) -> Article:
    article = content.article_create(actor=world.erin, draft=draft)
    content.article_submit(actor=world.erin, article=article)
    return content.article_publish(actor=world.sam, article=article, at=at)


# --- the tokeniser ---------------------------------------------------------------------


def test_tokens_for_chinese_latin_and_full_width_text() -> None:
    assert search.document_tokens("２０２５年 养老保险 Pension！") == (
        "2025 年 养 老 保 险 养老 老保 保险 pension"
    )
    assert search.query_tokens("养老保险 税 PENSION") == ["养老", "老保", "保险", "税", "pension"]
    assert search.query_tokens("！？…") == []


@given(
    st.text(alphabet="养老保险缴费基数退休待遇认证社会人力资源", min_size=1, max_size=40), st.data()
)
def test_any_piece_of_a_text_finds_it(text: str, data: Any) -> None:
    """Every run of characters taken from a text has all its query tokens in the text's."""
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    stored = set(search.document_tokens(text).split())
    assert set(search.query_tokens(text[start:end])) <= stored


# --- the workflow ----------------------------------------------------------------------


def test_draft_review_publish_is_visible_searchable_and_journaled(world: Any) -> None:
    article = content.article_create(actor=world.erin, draft=POLICY)
    assert not content.published().exists()
    content.article_submit(actor=world.erin, article=article)
    with pytest.raises(NotPermitted) as own:
        content.article_publish(actor=world.erin, article=article)
    assert own.value.code == "four_eyes"
    article.refresh_from_db()
    assert article.status == "in_review" and not search.search("缴费基数", source="policy")
    content.article_publish(actor=world.sam, article=article, note="同意发布")
    article.refresh_from_db()
    assert (article.status, article.reviewer) == ("published", world.sam)
    assert list(content.published(kind="policy")) == [article]
    assert [h.title for h in search.search("缴费基数", source="policy")] == [POLICY.title]
    # The guide of the correction service mentions bases too: both, the article first.
    assert [h.source for h in search.search("缴费基数")][:1] == ["policy"]
    assert [h.title for h in search.search("陕人社发")] == [POLICY.title]
    assert content.in_force(article, dt.date(2026, 6, 30)) == "not_yet"
    assert content.in_force(article, dt.date(2026, 7, 1)) == "in_force"
    assert list(
        Entry.objects.filter(target_id=str(article.pk), action__startswith="portal.article")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["portal.article.created", "portal.article.submitted", "portal.article.published"]


def test_scheduled_publication_shows_from_its_time(world: Any) -> None:
    at = timezone.now() + dt.timedelta(hours=2)
    article = published(world, NEWS, at=at)
    assert article.status == "published"
    assert not content.published().exists()
    assert search.search("延时服务") == []
    with pytest.raises(NotFound):
        content.article_public(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now())
    SearchDocument.objects.filter(key=str(article.pk)).update(visible_from=timezone.now())
    assert content.article_public(pk=article.pk) == article
    assert [h.title for h in search.search("延时服务")] == [NEWS.title]


def test_a_past_publication_time_is_refused(world: Any) -> None:
    article = content.article_create(actor=world.erin, draft=NEWS)
    content.article_submit(actor=world.erin, article=article)
    with pytest.raises(ServiceError) as refused:
        content.article_publish(
            actor=world.sam, article=article, at=timezone.now() - dt.timedelta(days=1)
        )
    assert refused.value.code == "publish_at"
    article.refresh_from_db()
    assert article.status == "in_review"


def test_return_edit_and_withdraw(world: Any) -> None:
    article = content.article_create(actor=world.erin, draft=NEWS)
    content.article_submit(actor=world.erin, article=article)
    with pytest.raises(ServiceError):
        content.article_return(actor=world.sam, article=article, note=" ")
    content.article_return(actor=world.sam, article=article, note="请补充开放时间")
    article.refresh_from_db()
    assert (article.status, article.review_note) == ("draft", "请补充开放时间")
    content.article_update(
        actor=world.erin,
        article=article,
        draft=Draft(kind="news", title=NEWS.title, body="每周六上午9:00至12:00开放综合窗口。"),
    )
    content.article_submit(actor=world.erin, article=article)
    content.article_publish(actor=world.sam, article=article)
    assert search.search("综合窗口")
    content.article_withdraw(actor=world.erin, article=article, note="时间调整")
    assert search.search("综合窗口") == []
    assert not content.published().exists()
    with pytest.raises(ServiceError) as again:
        content.article_withdraw(actor=world.erin, article=article, note="again")
    assert again.value.code == "state"


@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (Draft(kind="blog", title="x", body="y"), "kind"),
        (Draft(kind="news", title=" ", body="y"), "title"),
        (Draft(kind="news", title="x", body=""), "body"),
        (Draft(kind="news", title="x", body="y", document_number="陕发〔2026〕1号"), "policy_only"),
        (
            Draft(
                kind="policy",
                title="x",
                body="y",
                effective_from=dt.date(2026, 7, 1),
                effective_until=dt.date(2026, 6, 30),
            ),
            "effective",
        ),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_stored(world: Any, draft: Draft, code: str) -> None:
    with pytest.raises(ServiceError) as refused:
        content.article_create(actor=world.erin, draft=draft)
    assert refused.value.code == code
    assert not Article.objects.exists()


@pytest.mark.parametrize("who", ["carol", "rita", "adam", "mallory"])
def test_only_editors_write_and_only_publishers_publish(world: Any, who: str) -> None:
    actor = getattr(world, who)
    with pytest.raises(NotPermitted):
        content.article_create(actor=actor, draft=NEWS)
    article = content.article_create(actor=world.erin, draft=NEWS)
    content.article_submit(actor=world.erin, article=article)
    with pytest.raises(NotPermitted):
        content.article_publish(actor=actor, article=article)
    article.refresh_from_db()
    assert article.status == "in_review" and Article.objects.count() == 1


def test_attachments_are_checked_by_content(world: Any) -> None:
    article = content.article_create(actor=world.erin, draft=POLICY)
    with pytest.raises(ServiceError) as refused:
        content.attachment_add(
            actor=world.erin, article=article, file_name="x.pdf", data=b"MZ\x90\x00"
        )
    assert refused.value.code == "file_type"
    attached = content.attachment_add(
        actor=world.erin, article=article, file_name="缴费基数表.pdf", data=PDF
    )
    assert (attached.content_type, attached.size) == ("application/pdf", len(PDF))
    content.article_submit(actor=world.erin, article=article)
    with pytest.raises(ServiceError):  # not on an article in review
        content.attachment_add(actor=world.erin, article=article, file_name="y.pdf", data=PDF)
    assert article.attachments.count() == 1


# --- search over the service guides -----------------------------------------------------


def test_service_guides_are_found_in_chinese_and_english(world: Any) -> None:
    hits = search.search("退休")
    assert any(h.url == "/services/SX-SI-006/" for h in hits)
    assert any(h.source == "service" for h in search.search("pension"))
    assert search.search("退休", source="news") == []
    assert search.search("不存在的词语组合") == []
    assert search.search("\"'&|!:*()") == []


# --- pages and API ---------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_public_pages_show_published_articles_only(world: Any) -> None:
    article = published(world, POLICY)
    draft = content.article_create(actor=world.erin, draft=NEWS)
    anonymous = Client()
    page = anonymous.get("/content/?kind=policy").content.decode()
    assert POLICY.title in page and NEWS.title not in page
    detail = anonymous.get(f"/content/{article.pk}/").content.decode()
    assert "陕人社发〔2026〕12号" in detail and "4,520元" in detail
    assert anonymous.get(f"/content/{draft.pk}/").status_code == 404
    assert signed_in(world.alice.user).get(f"/content/{draft.pk}/").status_code == 404
    assert signed_in(world.erin).get(f"/content/{draft.pk}/").status_code == 200
    found = anonymous.get("/search/", {"q": "养老保险"}).content.decode()
    assert POLICY.title in found
    home = anonymous.get("/").content.decode()
    assert 'id="home-search"' in home


def test_editor_pages_create_submit_attach_and_publish(world: Any) -> None:
    erin = signed_in(world.erin)
    created = erin.post(
        "/staff/content/new/",
        {"kind": "news", "title": NEWS.title, "body": NEWS.body, "summary": ""},
    )
    assert created.status_code == 302
    article = Article.objects.get()
    upload = SimpleUploadedFile("通知.pdf", PDF, content_type="application/pdf")
    erin.post(f"/staff/content/{article.pk}/attach/", {"file": upload})
    assert article.attachments.count() == 1
    erin.post(f"/staff/content/{article.pk}/submit/")
    refused = erin.post(f"/staff/content/{article.pk}/publish/", {"publish_at": ""})
    assert refused.status_code == 403
    article.refresh_from_db()
    assert article.status == "in_review"
    sam = signed_in(world.sam)
    assert sam.post(f"/staff/content/{article.pk}/publish/", {"publish_at": ""}).status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    attachment = article.attachments.get()
    download = Client().get(f"/content/{article.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert signed_in(world.carol).get("/staff/content/").status_code == 403
    assert Client().get("/staff/content/").status_code == 302


def test_api_lists_reads_and_searches(world: Any) -> None:
    article = published(world, POLICY)
    draft = content.article_create(actor=world.erin, draft=NEWS)
    client = Client()
    listed = client.get("/api/v1/portal/articles", {"kind": "policy"}).json()
    assert [(a["id"], a["in_force"]) for a in listed] == [
        (article.pk, content.in_force(article, timezone.localdate()))
    ]
    full = client.get(f"/api/v1/portal/articles/{article.pk}").json()
    assert full["document_number"] == "陕人社发〔2026〕12号" and "4,520元" in full["body"]
    assert client.get(f"/api/v1/portal/articles/{draft.pk}").status_code == 404
    hits = client.get("/api/v1/portal/search", {"q": "缴费基数", "source": "policy"})
    assert [h["url"] for h in hits.json()] == [f"/content/{article.pk}/"], hits.content


def test_the_display_mode_is_a_cookie_and_redirects_only_inside_the_site(world: Any) -> None:
    client = Client()
    switched = client.post("/display/", {"mode": "elderly", "next": "/content/"})
    assert (switched.status_code, switched["Location"]) == (302, "/content/")
    assert 'class="elderly"' in client.get("/").content.decode()
    away = client.post("/display/", {"mode": "standard", "next": "https://evil.example/"})
    assert away["Location"] == "/"
    assert 'class="elderly"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_page_has_an_icon_and_favicon_ico_is_found() -> None:
    """Pages link the site's icon, a static file that exists; ``/favicon.ico``, which
    browsers ask for anyway (the admin's pages link none), leads to it instead of a 404."""
    from django.contrib.staticfiles import finders

    page = Client().get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("favicon.svg") is not None
    answer = Client().get("/favicon.ico")
    assert (answer.status_code, answer["Location"]) == (301, "/static/favicon.svg")


@pytest.mark.parametrize(
    ("language", "scheduled", "now"),
    [
        ("zh-hans", "定时发布（{at} 发布）", "已发布"),
        ("en", "scheduled (publishes at {at})", "published"),
    ],
)
def test_the_staff_list_shows_a_scheduled_notice_as_scheduled(
    world: Any, language: str, scheduled: str, now: str
) -> None:
    """erin's content list and the article page show a notice sam scheduled for tomorrow
    as scheduled, with its time in Beijing time; one published now as published."""
    at = timezone.now() + dt.timedelta(days=1)
    later = published(world, NEWS, at=at)
    published(world, POLICY)
    erin = Client(enforce_csrf_checks=True)
    erin.force_login(world.erin)
    shown = scheduled.format(at=f"{timezone.localtime(at):%Y-%m-%d %H:%M}")
    page = erin.get("/staff/content/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in page.split("<tr>")[1:]}
    assert f"<td>{shown}</td>" in rows[NEWS.title]
    assert f"<td>{now}</td>" in rows[POLICY.title]
    article = erin.get(f"/staff/content/{later.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert f"<strong>{shown}</strong>" in article.content.decode()
