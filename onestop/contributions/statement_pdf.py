"""The person's contribution statement as a PDF, signed like every certificate.

It prints the signed certificate's lines (``certificate_pdf.printed_lines``: what the
verification of the file finds on the page), its QR code and link, then every month.
Text uses the embedded fonts of ``exchange.pdf_fonts``, so every name renders.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onestop.contributions.selectors import Statement
from onestop.exchange import certificate_pdf, pdf_fonts, pdf_signing
from onestop.exchange.links import verify_url
from onestop.exchange.models import Certificate

TITLE = "参保缴费明细 Contribution statement"


def render(
    *,
    statement: Statement,
    certificate: Certificate,
    code: str,
    absolute: Callable[[str], str],
    generated: datetime,
) -> bytes:
    """The statement as a signed A4 PDF: the certificate's lines (holder from its signed
    payload), the QR code and printed link to verify it, every month and every year."""
    font = pdf_fonts.base_font()
    link = verify_url(number=certificate.number, code=code, absolute=absolute)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{TITLE} {certificate.number}",
        subject=json.dumps(certificate.payload, ensure_ascii=False, sort_keys=True),
        keywords=f"signature={certificate.signature}; key_id={certificate.key_id}",
    )
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    qr = io.BytesIO()
    certificate_pdf.qr_image(link).save(qr, format="PNG")
    qr.seek(0)
    story = [
        Paragraph("城镇职工基本养老保险个人缴费明细 / Contribution statement", title),
        Spacer(1, 4 * mm),
        *(
            Paragraph(pdf_fonts.markup(line), body)
            for line in certificate_pdf.printed_lines(certificate.payload)
        ),
        Paragraph(
            pdf_fonts.markup(
                f"已到账月数 Paid months：{statement.paid_months}　　"
                f"个人账户余额（已到账）Account balance (paid)：{statement.account_balance:.2f}　　"
                f"欠缴未记账 Owed, not credited：{statement.owed:.2f}"
            ),
            body,
        ),
        Paragraph(f"生成时间 Generated：{generated:%Y-%m-%d %H:%M}", body),
        Spacer(1, 4 * mm),
        Image(qr, width=28 * mm, height=28 * mm, hAlign="LEFT"),
        Paragraph(pdf_fonts.markup(f"验证码 Code：{code}"), body),
        Paragraph(
            pdf_fonts.markup(certificate_pdf.note_text(certificate=certificate, link=link)),
            ParagraphStyle("small", parent=body, fontSize=7.5, leading=10),
        ),
        Spacer(1, 4 * mm),
    ]
    data: list[list[Any]] = [
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
            Paragraph(pdf_fonts.markup(m.label[:18]), cell),
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
                ("FONTNAME", (0, 0), (-1, -1), font),
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
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(year_table)
    doc.build(story)
    return pdf_signing.sign(buffer.getvalue(), reason=f"{TITLE} {certificate.number}")
