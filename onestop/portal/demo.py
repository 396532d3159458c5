"""Demo portal content: news, notices, policy documents and FAQs written by erin and published
by sam (one with an attachment, one scheduled for tomorrow), and one notice waiting in
review, so the portal, its search and the editors' pages have something to show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onestop.identity.models import User
from onestop.portal import content
from onestop.portal.content import Draft

#: A one-page PDF (the attachment of the contribution-base notice).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

ARTICLES = [
    Draft(
        kind="policy",
        title="关于实施渐进式延迟法定退休年龄的决定（解读）",
        summary="自2025年1月1日起，用十五年时间逐步将男职工的法定退休年龄延迟至63周岁，"
        "女职工分别延迟至55周岁、58周岁。",
        body=(
            "从2025年1月1日起，男职工和原法定退休年龄为55周岁的女职工，法定退休年龄每四个月"
            "延迟一个月；原法定退休年龄为50周岁的女职工，每二个月延迟一个月。\n\n"
            "职工达到法定退休年龄时，累计缴费不足最低缴费年限的，可以按照规定通过延长缴费"
            "或者一次性缴费的办法达到最低缴费年限。\n\n"
            "本平台的“退休年龄”计算器按出生年月和人员类别给出法定退休年龄和弹性退休的区间。"
        ),
        document_number="全国人大常委会决定（2024年9月13日）",
        issuer="全国人民代表大会常务委员会",
        effective_from=dt.date(2025, 1, 1),
    ),
    Draft(
        kind="policy",
        title="关于公布2026年度城镇职工基本养老保险缴费基数上下限的通知",
        summary="2026年度缴费基数上下限按全省全口径城镇单位就业人员平均工资的60%和300%确定。",
        body=(
            "各市（区）人力资源和社会保障局：\n\n"
            "2026年7月1日起，职工基本养老保险个人缴费基数低于下限的按下限确定，"
            "高于上限的按上限确定。单位缴费比例16%，个人缴费比例8%。\n\n"
            "附件：2026年度缴费基数上下限表。"
        ),
        document_number="陕人社发〔2026〕12号",
        issuer="陕西省人力资源和社会保障厅",
        effective_from=dt.date(2026, 7, 1),
        effective_until=dt.date(2027, 6, 30),
    ),
    Draft(
        kind="news",
        title="雁塔区社保服务大厅推出周六延时服务",
        summary="每周六上午9:00至12:00开放综合窗口，办理参保登记和待遇申领。",
        body="为方便上班族办事，雁塔区社会保险经办中心自本月起每周六上午开放综合窗口。",
    ),
    Draft(
        kind="news",
        title="“一件事一次办”：退休一件事全程网办",
        body="退休申请、待遇核定和领取资格确认合并为一件事，申请人在网上提交一次即可。",
    ),
    Draft(
        kind="notice",
        title="关于开展2026年度养老保险待遇领取资格认证的提醒",
        body=(
            "领取养老保险待遇的人员每年完成一次资格认证。平台已与民政、公安、医保数据共享，"
            "多数人员无需本人操作；收到认证提醒的人员可在“我的养老金”页面自助确认。"
        ),
    ),
    Draft(
        kind="faq",
        title="达到退休年龄但缴费不满最低年限怎么办？",
        body="可以选择继续缴费至满足最低缴费年限，或者一次性补足差额。平台在“我的养老金”页面给出两种方式的金额。",
    ),
    Draft(
        kind="faq",
        title="跨省工作过，养老保险关系怎么转移？",
        body="在新参保地网上申请转入即可，平台通过数据共享向原参保地发送联系函，无需本人往返两地。",
    ),
    Draft(
        kind="faq",
        title="养老金领取资格认证多久一次？",
        body="每年一次。平台通过部门数据比对自动认证，12个月内未获认证的会收到自助认证提醒。",
    ),
]


def load() -> dict[str, int]:
    erin = User.objects.get(username="erin")
    sam = User.objects.get(username="sam")
    published = 0
    for draft in ARTICLES:
        article = content.article_create(actor=erin, draft=draft)
        if draft.document_number.startswith("陕人社发"):
            content.attachment_add(
                actor=erin, article=article, file_name="2026年度缴费基数上下限表.pdf", data=PDF
            )
        content.article_submit(actor=erin, article=article)
        content.article_publish(actor=sam, article=article, note="同意发布")
        published += 1
    scheduled = content.article_create(
        actor=erin,
        draft=Draft(
            kind="notice",
            title="关于元旦假期社保服务安排的通知",
            body="元旦假期期间网上服务照常，窗口服务暂停。",
        ),
    )
    content.article_submit(actor=erin, article=scheduled)
    content.article_publish(actor=sam, article=scheduled, at=timezone.now() + dt.timedelta(days=1))
    waiting = content.article_create(
        actor=erin,
        draft=Draft(
            kind="notice",
            title="关于调整灵活就业人员缴费档次的通知（征求意见稿）",
            body="灵活就业人员可在缴费基数上下限之间自主选择缴费档次。",
        ),
    )
    content.article_submit(actor=erin, article=waiting)
    return {"published": published, "scheduled": 1, "in_review": 1}
