"""The person's contribution statement as a PDF.

Chinese text uses reportlab's STSong-Light, one of the standard CJK fonts PDF readers supply,
so nothing has to be embedded or installed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onestop.contributions.selectors import Statement

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class Signed:
    """The signed certificate behind this statement: printed with its QR code."""

    number: str
    code: str
    verify_url: str
    key_id: str


def render(
    *,
    statement: Statement,
    name: str,
    masked_id: str,
    generated: datetime,
    signed: Signed | None = None,
) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="参保缴费明细 Contribution statement",
    )
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15)
    story = [
        Paragraph("城镇职工基本养老保险个人缴费明细 / Contribution statement", title),
        Spacer(1, 4 * mm),
        Paragraph(f"姓名 Name：{name}　　公民身份号码 ID：{masked_id}", body),
        Paragraph(
            f"累计缴费月数 Contribution months：{statement.contribution_months}　　"
            f"已到账月数 Paid months：{statement.paid_months}　　"
            f"个人账户余额（已到账）Account balance (paid)：{statement.account_balance:.2f}　　"
            f"欠缴未记账 Owed, not credited：{statement.owed:.2f}",
            body,
        ),
        Paragraph(f"生成时间 Generated：{generated:%Y-%m-%d %H:%M}", body),
        Spacer(1, 4 * mm),
    ]
    if signed is not None:
        qr = io.BytesIO()
        qrcode.make(signed.verify_url, box_size=3, border=1).get_image().save(qr, format="PNG")
        qr.seek(0)
        story += [
            Image(qr, width=28 * mm, height=28 * mm, hAlign="LEFT"),
            Paragraph(
                f"凭证编号 Number：{signed.number}　验证码 Code：{signed.code}　"
                f"（扫码或在 /verify/ 核验 Scan or verify at /verify/; key {signed.key_id}）",
                body,
            ),
            Spacer(1, 4 * mm),
        ]
    data = [
        [
            "月份 Month",
            "单位 Employer",
            "缴费基数 Base",
            "单位 Employer part",
            "个人 Individual",
            "到账 Paid",
        ]
    ]
    data += [
        [
            m.period,
            m.employer[:18],
            f"{m.base:.2f}",
            f"{m.employer_amount:.2f}",
            f"{m.individual_amount:.2f}",
            "是 yes" if m.paid else "否 no",
        ]
        for m in statement.months
    ]
    table = Table(
        data, repeatRows=1, colWidths=[22 * mm, 52 * mm, 26 * mm, 30 * mm, 26 * mm, 18 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3")),
                ("ALIGN", (2, 1), (4, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    if statement.years:
        story += [Spacer(1, 5 * mm), Paragraph("个人账户年度记账 Account by year", body)]
        years = [
            [
                "年度 Year",
                "到账/申报月数 Paid/declared",
                "当年记账 Credited",
                "欠缴 Owed",
                "利息 Interest",
                "期末 Closing",
                "利率 Rate",
            ]
        ]
        years += [
            [
                str(y.year),
                f"{y.paid_months}/{y.months}",
                f"{y.credited:.2f}",
                f"{y.owed:.2f}",
                f"{y.interest:.2f}",
                f"{y.account_year.closing:.2f}" if y.account_year else "未结息 not yet",
                f"{y.account_year.rate}" if y.account_year else "",
            ]
            for y in statement.years
        ]
        year_table = Table(years)
        year_table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(year_table)
    doc.build(story)
    return buffer.getvalue()
