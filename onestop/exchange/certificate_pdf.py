"""An e-certificate as a PDF (a proof of insurance, a decision notice, a retirement
certificate, a pension or contribution statement): the facts, a QR code and the printed
address of the verification page (the same string, from ``links.verify_url``), the signed
payload in the metadata, and the platform's PAdES signature over the whole file
(``pdf_signing``). Names in any CJK ideograph render (``pdf_fonts``)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from onestop.exchange import pdf_fonts, pdf_signing
from onestop.exchange.links import verify_url
from onestop.exchange.models import Certificate

TITLES = {
    "proof_of_insurance": "参保证明 Proof of insurance",
    "decision_notice": "办理结果决定书 Decision notice",
    "retirement_certificate": "退休证明 Retirement certificate",
    "contribution_statement": "参保缴费凭证 Contribution statement",
    "pension_statement": "养老金发放证明 Pension payment statement",
    "acceptance_receipt": "受理回执 Acceptance receipt",
    "supplement_notice": "一次性告知书 One-time notice of missing materials",
}
DECISIONS = {
    "approve": "准予 Approved",
    "reject": "不予准予 Rejected",
    "not_accept": "不予受理 Not accepted",
}


#: Where a receipt sends the applicant to follow the case (its ``follow`` fact): an online
#: filer to their applications, a counter filer to the status query with the slip's code.
FOLLOW = {
    "mine": "登录后在“我的办件”查看进度 Sign in and follow it under My applications: "
    "/me/applications/",
    "status": "凭办件编号和查询码查询进度 Follow it with the case number and query code: /status/",
}


def fact_lines(payload: dict[str, Any]) -> list[str]:
    """The lines a certificate of this kind states."""
    facts = payload["facts"]
    if payload["kind"] == "retirement_certificate":
        return [
            f"办件编号 Case：{facts.get('case')}",
            f"退休月份 Retirement month：{facts.get('retirement_month')}",
            f"养老金起发月份 Pension from：{facts.get('pension_from')}",
            f"核准时间 Approved：{facts.get('decided_at')}",
        ]
    if payload["kind"] == "pension_statement":
        return [
            f"月养老金 Monthly pension：{facts.get('monthly')}　状态 Status："
            # A statement issued before the labels were recorded holds the code alone.
            f"{facts.get('status_zh') or facts.get('status')} {facts.get('status_en') or ''}",
            f"起发月份 Paid from：{facts.get('start_month')}",
            f"近 12 个月发放 Paid in the last 12 months：{facts.get('paid_12_months')}",
            f"累计发放 Paid in total：{facts.get('paid_total')}",
        ]
    if payload["kind"] == "contribution_statement":
        return [
            f"累计缴费月数 Contribution months：{facts.get('contribution_months')}",
            f"已到账月数 Paid months：{facts.get('paid_months')}",
            f"缴费起止 From – to：{facts.get('first_month') or '—'} – "
            f"{facts.get('last_month') or '—'}",
            f"个人账户余额 Account balance：{facts.get('account_balance')}",
        ]
    if payload["kind"] == "acceptance_receipt":
        return [
            f"办件编号 Case：{facts.get('case')}",
            f"事项 Service：{facts.get('item')}（{facts.get('item_code')}）",
            f"申请时间 Filed：{facts.get('filed_at')}　渠道 Channel：{facts.get('channel')}",
            f"当前状态 Status：{facts.get('status')}",
            f"承诺办结时限 Due by：{facts.get('deadline')}",
            f"已收材料 Materials received：{facts.get('materials') or '—'}",
            FOLLOW.get(str(facts.get("follow") or "status"), FOLLOW["status"]),
        ]
    if payload["kind"] == "supplement_notice":
        missing = facts.get("missing") or []
        return [
            f"办件编号 Case：{facts.get('case')}",
            f"事项 Service：{facts.get('item')}（{facts.get('item_code')}）",
            f"申请时间 Filed：{facts.get('filed_at')}　当前状态 Status：{facts.get('status')}",
            "尚缺材料（一次性告知） Materials still missing (all of them, told at once)：",
            *(f"{n}. {name}" for n, name in enumerate(missing, 1)),
            f"补正说明 Note：{facts.get('note') or '—'}",
            "补齐后办理时限继续计算 The time limit runs again once they are supplied.",
        ]
    if payload["kind"] == "decision_notice":
        return [
            f"办件编号 Case：{facts.get('case')}",
            f"事项 Service：{facts.get('item')}（{facts.get('item_code')}）",
            f"办理结果 Decision：{DECISIONS.get(facts.get('decision', ''), facts.get('decision'))}",
            f"理由 Reasons：{facts.get('reasons') or '—'}",
            f"办结时间 Decided：{facts.get('decided_at')}",
        ]
    return [
        f"参保状态 Status：{'正常参保 insured' if facts.get('insured') else '未参保 not insured'}",
        f"累计缴费月数 Contribution months：{facts.get('contribution_months')}",
        f"已到账月数 Paid months：{facts.get('paid_months')}",
        f"最近缴费月份 Last month contributed：{facts.get('last_month') or '—'}",
        f"当前参保单位 Current employer：{facts.get('employer') or '—'}",
    ]


def printed_lines(payload: dict[str, Any]) -> list[str]:
    """Every line a certificate PDF of this payload prints: number, holder and facts. The
    verification of a file finds each of them, from the record in the database, in the
    text of its page."""
    return [
        f"证明编号 Number：{payload['number']}",
        f"姓名 Name：{payload['person']['name']}",
        f"公民身份号码 ID：{payload['person']['resident_id']}",
        *fact_lines(payload),
        f"出具机构 Issuer：{payload['issuer']}",
        f"出具时间 Issued：{payload['issued_at']}　有效期至 Valid until：{payload['valid_until']}",
    ]


def qr_image(link: str) -> Any:
    return qrcode.make(link, box_size=4, border=2).get_image()


def note_text(*, certificate: Certificate, link: str) -> str:
    """The small print under the facts: where to verify (the exact link of the QR code)."""
    return (
        f"扫描二维码或访问 {link} 核验本证明；本文件带有平台的 PAdES 电子签名，"
        f"可在 PDF 阅读器的签名面板中查看。 Scan the code or open the address to verify; the "
        f"file carries the platform's PAdES signature (see your PDF reader's signature panel). "
        f"{certificate.payload.get('algorithm', 'ed25519')} record signature "
        f"(key {certificate.key_id}): {certificate.signature}"
    )


def set_metadata(pdf: canvas.Canvas, *, certificate: Certificate, title: str) -> None:
    """The signed payload and its signature, in the document information (covered by the
    PDF signature too)."""
    pdf.setTitle(f"{title} {certificate.number}")
    pdf.setSubject(json.dumps(certificate.payload, ensure_ascii=False, sort_keys=True))
    pdf.setKeywords(f"signature={certificate.signature}; key_id={certificate.key_id}")


def render(
    *,
    certificate: Certificate,
    code: str,
    absolute: Callable[[str], str],
    rate_url: str = "",
) -> bytes:
    """The certificate as a signed A4 PDF with the verification QR code; a decision notice
    also carries a second one, to rate the service (``rate_url``). ``absolute`` turns a
    path into a full address (``request.build_absolute_uri``)."""
    payload = certificate.payload
    title = TITLES[payload["kind"]]
    link = verify_url(number=certificate.number, code=code, absolute=absolute)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    set_metadata(pdf, certificate=certificate, title=title)
    width, height = A4
    pdf_fonts.draw(pdf, 20 * mm, height - 25 * mm, title, 18)
    y = height - 40 * mm
    for line in printed_lines(payload):
        pdf_fonts.draw(pdf, 20 * mm, y, line, 11)
        y -= 8 * mm
    pdf.drawImage(ImageReader(qr_image(link)), width - 60 * mm, height - 75 * mm, 40 * mm, 40 * mm)
    pdf_fonts.draw(pdf, width - 62 * mm, height - 80 * mm, f"验证码 Code：{code}", 9)
    if rate_url:
        rate = qrcode.make(rate_url, box_size=4, border=2).get_image()
        pdf.drawImage(ImageReader(rate), width - 60 * mm, height - 130 * mm, 40 * mm, 40 * mm)
        pdf_fonts.draw(pdf, width - 62 * mm, height - 135 * mm, "扫码评价 Rate this service", 9)
    style = ParagraphStyle(
        "small", fontName=pdf_fonts.base_font(), fontSize=7.5, leading=10, wordWrap="CJK"
    )
    note = Paragraph(pdf_fonts.markup(note_text(certificate=certificate, link=link)), style)
    _, h = note.wrap(width - 40 * mm, 60 * mm)
    note.drawOn(pdf, 20 * mm, y - h - 5 * mm)
    pdf.showPage()
    pdf.save()
    return pdf_signing.sign(buffer.getvalue(), reason=f"{title} {certificate.number}")


def page_text(data: bytes) -> str:
    """The text of every page of a PDF, without whitespace (line breaks and font changes
    put spaces where the printed line has none)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def shows(data: bytes, payload: dict[str, Any]) -> bool:
    """Whether the pages of ``data`` print every line of ``payload``."""
    text = page_text(data)
    return all(re.sub(r"\s+", "", line) in text for line in printed_lines(payload))


def embedded(data: bytes) -> tuple[dict[str, Any], str] | None:
    """The signed payload and signature a certificate PDF carries in its metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        meta = PdfReader(io.BytesIO(data)).metadata
        subject, keywords = (meta.subject, meta.get("/Keywords")) if meta else (None, None)
        payload = json.loads(subject or "")
    except (PdfReadError, ValueError, TypeError, KeyError, OSError):
        return None
    except Exception:
        return None
    marker = "signature="
    text = str(keywords or "")
    if not isinstance(payload, dict) or marker not in text:
        return None
    return payload, text.split(marker, 1)[1].split(";", 1)[0].strip()
