"""Authorization matrix: every route against every persona, object-level cases included.

Each cell is the expected status. For a refused write, the test also checks that nothing
changed: the journal, the target account and the tokens are as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from conftest import Prepared, build_world, prepared_once
from onestop.applications import services as applications
from onestop.applications.models import Application, Comment, Material, OpenStep, Step
from onestop.audit.models import Entry
from onestop.contributions import services as contributions
from onestop.contributions.models import (
    Declaration,
    Employment,
    InsuranceRegistration,
    LedgerEntry,
)
from onestop.exchange import services as exchange
from onestop.exchange.models import Certificate, Consent, Consumer, Message
from onestop.identity.models import ApiToken, Person, User
from onestop.notifications.models import Notification
from onestop.pensions.models import Adjustment, PayrollRun, Transfer
from onestop.portal import content as portal
from onestop.quality.models import Finding
from onestop.reviews import services as reviews
from onestop.reviews.models import DIMENSIONS, Rectification, Review
from onestop.workflow.models import ProcessVersion

PERSONAS = [
    "anonymous",
    "alice",
    "bob",
    "carol",
    "rita",
    "sam",
    "erin",
    "adam",
    "sean",
    "audrey",
    "mallory",
]
STAFF = PERSONAS[3:]
CITIZENS = ["alice", "bob"]


def _fixed(path: str) -> Callable[[Any], str]:
    """A route's URL that does not depend on the world."""
    return lambda w: path


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: Callable[[Any], str]
    expect: dict[str, int]
    default: int
    writes: bool = False
    body: dict[str, Any] | None = None
    body_for: Callable[[Any], dict[str, Any]] | None = None
    form: Callable[[Any], dict[str, Any]] | None = None

    def status_for(self, persona: str) -> int:
        return self.expect.get(persona, self.default)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


LOGIN = 302  # anonymous users are sent to the login page
#: Recording a stop of alice's unemployment benefit: the Yanta case worker; those who see her
#: and may not, 403; those who do not see her are told nothing (404).
UNEMPLOYMENT_STOP = {
    "anonymous": LOGIN,
    "carol": 302,
    **dict.fromkeys(["alice", "rita", "sam"], 403),
}
RATING_FORM = {"level": "4", "comment": "", **{f"score_{d}": "4" for d in DIMENSIONS}}
API_ANON = 401

VIEWERS = {"anonymous": LOGIN, "bob": 200, "carol": 200, "rita": 200, "sam": 200}
# Reviewers and supervisors see an employer's contributions but do not declare for it.
DECLARERS_WEB = {"anonymous": LOGIN, "bob": 302, "carol": 302, "rita": 403, "sam": 403}
STATEMENT_READERS = {"anonymous": LOGIN, "alice": 200, "carol": 200, "rita": 200, "sam": 200}
API_VIEWERS = {"anonymous": API_ANON, "bob": 200, "carol": 200, "rita": 200, "sam": 200}
API_DECLARERS_201 = {"anonymous": API_ANON, "bob": 201, "carol": 201, "rita": 403, "sam": 403}


def upload(w: Any) -> dict[str, Any]:
    content = f"公民身份号码,姓名,月工资\n{w.alice.resident_id},李爱丽,5000\n".encode()
    return {
        "period": "2024-10",
        "kind": "regular",
        "file": SimpleUploadedFile("wages.csv", content, content_type="text/csv"),
    }


# alice's post is not on record (the reviewer establishes it); bob (a man born 1975-03,
# statutory month 2037-10) has no month he may file before 2036's parameters are published.
#: alice is still employed by acme (``world.employment``): her retirement month comes after
#: this month (2026-11 on the suite's clock), when acme will have removed her.
RETIREMENT_FORM = {"retirement_month": "2026-12", "bank_account": "6222020200112233446"}
CASE_READERS = {"anonymous": LOGIN, "alice": 200, "carol": 200, "rita": 200, "sam": 200}
API_CASE_READERS = {**CASE_READERS, "anonymous": API_ANON}
# Only carol (the Yanta case worker) works on the open acceptance step; sam supervises.
CASE_WORK = {**CASE_READERS, "carol": 302, "alice": 403, "rita": 403, "sam": 403}
API_CASE_WORK = {**CASE_WORK, "anonymous": API_ANON, "carol": 200}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def material_form(w: Any) -> dict[str, Any]:
    return {
        "name": "人事档案（视同缴费年限认定）",
        "file": SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf"),
    }


ROUTES = [
    # cases (alice has filed a retirement application in Yanta)
    Route(
        "apply page",
        "get",
        lambda w: "/services/SX-SI-006/apply/",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        403,
    ),
    Route(
        "apply",
        "post",
        lambda w: "/services/SX-SI-006/apply/",
        # bob may choose no month yet (see RETIREMENT_FORM): the form is shown again.
        {"anonymous": LOGIN, "alice": 302, "bob": 200},
        403,
        writes=True,
        form=lambda w: dict(RETIREMENT_FORM),
    ),
    Route(
        "counter apply page",
        "get",
        lambda w: "/counter/SX-SI-006/apply/",
        {"anonymous": LOGIN, "carol": 200, "mallory": 200},
        403,
    ),
    # mallory finds nobody of that ID in her region: the form says so and nothing is filed.
    Route(
        "counter apply",
        "post",
        lambda w: "/counter/SX-SI-006/apply/",
        {"anonymous": LOGIN, "carol": 302, "mallory": 200},
        403,
        writes=True,
        form=lambda w: {**RETIREMENT_FORM, "resident_id": w.alice.resident_id, "consent": "on"},
    ),
    Route("my applications", "get", lambda w: "/me/applications/", {"anonymous": LOGIN}, 200),
    Route("case page", "get", lambda w: f"/applications/{w.case.number}/", CASE_READERS, 404),
    Route(
        "case receipt",
        "get",
        lambda w: f"/applications/{w.case.number}/receipt.pdf",
        CASE_READERS,
        404,
    ),
    # Nothing is missing from the matrix's case: its readers are told so (400), others 404.
    Route(
        "case notice",
        "get",
        lambda w: f"/applications/{w.case.number}/notice.pdf",
        {**CASE_READERS, "alice": 400, "carol": 400, "rita": 400, "sam": 400},
        404,
    ),
    Route(
        "case act",
        "post",
        lambda w: f"/applications/{w.case.number}/tasks/accept/",
        {**CASE_READERS, "carol": 302, "alice": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
        form=lambda w: {"accept-decision": "accept", "accept-note": ""},
    ),
    Route(
        "case withdraw",
        "post",
        lambda w: f"/applications/{w.case.number}/withdraw/",
        {**CASE_READERS, "alice": 302, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
    ),
    Route(
        "case claim",
        "post",
        lambda w: f"/applications/{w.case.number}/claim/",
        CASE_WORK,
        404,
        writes=True,
    ),
    # Nobody holds the case: only a supervisor may release (and is told it is free).
    Route(
        "case release",
        "post",
        lambda w: f"/applications/{w.case.number}/release/",
        {**CASE_WORK, "carol": 403, "sam": 302},
        404,
        writes=True,
    ),
    # Handing the step to carol: carol cannot hand it to herself (told so); sam reassigns.
    Route(
        "case handover",
        "post",
        lambda w: f"/applications/{w.case.number}/handover/",
        {**CASE_WORK, "sam": 302},
        404,
        writes=True,
        form=lambda w: {"handover-to": str(w.carol.pk), "handover-note": ""},
    ),
    Route(
        "case comment",
        "post",
        lambda w: f"/applications/{w.case.number}/comments/",
        {**CASE_WORK, "rita": 302, "sam": 302},
        404,
        writes=True,
        form=lambda w: {"comment-body": "已电话核实 called"},
    ),
    Route(
        "case escalate",
        "post",
        lambda w: f"/applications/{w.case.number}/escalate/",
        CASE_WORK,
        404,
        writes=True,
        form=lambda w: {"escalate-note": "疑难 complex"},
    ),
    Route(
        "case upload material",
        "post",
        lambda w: f"/applications/{w.case.number}/materials/",
        {**CASE_WORK, "alice": 302},
        404,
        writes=True,
        form=material_form,
    ),
    Route(
        "case material",
        "get",
        lambda w: f"/applications/{w.case.number}/materials/{w.material.pk}/",
        CASE_READERS,
        404,
    ),
    Route(
        "case decision notice",
        "get",
        lambda w: f"/applications/{w.decided.number}/result.pdf",
        CASE_READERS,
        404,
    ),
    Route(
        "api case decision notice",
        "get",
        lambda w: f"/api/v1/applications/{w.decided.number}/result",
        API_CASE_READERS,
        404,
    ),
    Route("data-use log", "get", lambda w: "/me/data-use/", {"anonymous": LOGIN}, 200),
    Route(
        "consents page",
        "get",
        lambda w: "/me/consents/",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        403,
    ),
    Route(
        "consent grant",
        "post",
        lambda w: "/me/consents/",
        {"anonymous": LOGIN, "alice": 302, "bob": 302},
        403,
        writes=True,
        form=lambda w: {"offer": "bank-xian/hrss.proof_of_insurance/loan", "days": "30"},
    ),
    Route(
        "consent revoke page",
        "get",
        lambda w: f"/me/consents/{w.consent.pk}/revoke/",
        {"anonymous": LOGIN, "alice": 200},
        404,
    ),
    Route(
        "consent revoke",
        "post",
        lambda w: f"/me/consents/{w.consent.pk}/revoke/",
        {"anonymous": LOGIN, "alice": 302},
        404,
        writes=True,
    ),
    Route(
        "e-licences page",
        "get",
        lambda w: "/me/licences/",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        403,
    ),
    # Without a file the page says what to choose; nothing is written.
    Route("verify certificate file", "post", lambda w: "/verify/", {}, 200, writes=True),
    Route(
        "person certificates",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/certificates/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    # Only staff who may see alice's record revoke; a missing reason is told, not applied.
    Route(
        "certificate revoke",
        "post",
        lambda w: f"/staff/certificates/{w.proof.number}/revoke/",
        {"anonymous": LOGIN, "carol": 302, "rita": 302, "sam": 302},
        404,
        writes=True,
        form=lambda w: {"reason": ""},
    ),
    Route(
        "api certificate revoke",
        "post",
        lambda w: f"/api/v1/certificates/{w.proof.number}/revoke",
        {"anonymous": API_ANON, "carol": 400, "rita": 400, "sam": 400},
        404,
        writes=True,
        body={"reason": " "},
    ),
    Route("api gateway resources", "get", lambda w: "/api/v1/gateway/resources", {}, 200),
    # Unsigned and malformed: refused for everyone alike, sessions and tokens do not count.
    Route(
        "api gateway query",
        "post",
        lambda w: "/api/v1/gateway/query",
        {},
        400,
        writes=True,
        body={},
    ),
    Route(
        "api gateway events",
        "post",
        lambda w: "/api/v1/gateway/events",
        {},
        400,
        writes=True,
        body={},
    ),
    Route(
        "api verify certificate file",
        "post",
        lambda w: "/api/v1/certificates/verify-file",
        {},
        422,
        form=lambda w: {"file": SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")},
    ),
    Route("api data-use log", "get", lambda w: "/api/v1/me/data-use", {"anonymous": API_ANON}, 200),
    Route("api consents", "get", lambda w: "/api/v1/me/consents", {"anonymous": API_ANON}, 200),
    Route(
        "api consent offers",
        "get",
        lambda w: "/api/v1/me/consents/offers",
        {"anonymous": API_ANON},
        200,
    ),
    Route(
        "api consent grant",
        "post",
        lambda w: "/api/v1/me/consents",
        {"anonymous": API_ANON, "alice": 201, "bob": 201},
        403,
        writes=True,
        body={"consumer": "bank-xian", "purpose": "loan", "days": 30},
    ),
    Route(
        "api consent revoke",
        "post",
        lambda w: f"/api/v1/me/consents/{w.consent.pk}/revoke",
        {"anonymous": API_ANON, "alice": 200},
        404,
        writes=True,
    ),
    Route("api e-licences", "get", lambda w: "/api/v1/me/licences", {"anonymous": API_ANON}, 200),
    Route("my pension", "get", lambda w: "/me/pension/", {"anonymous": LOGIN}, 200),
    # Nobody in the matrix draws a pension yet: not found for everyone signed in.
    Route(
        "my pension statement",
        "get",
        lambda w: "/me/pension/statement.pdf",
        {"anonymous": LOGIN},
        404,
    ),
    Route(
        "payroll page", "get", lambda w: "/staff/payroll/", {"anonymous": LOGIN, "rita": 200}, 403
    ),
    Route(
        "run payroll",
        "post",
        lambda w: "/staff/payroll/",
        {"anonymous": LOGIN, "rita": 302},
        403,
        writes=True,
        form=lambda w: {"period": "2026-11"},
    ),
    Route(
        "adjustments page",
        "get",
        lambda w: "/staff/adjustments/",
        {"anonymous": LOGIN, "rita": 200},
        403,
    ),
    Route(
        "prepare adjustment",
        "post",
        lambda w: "/staff/adjustments/",
        {"anonymous": LOGIN, "rita": 302},
        403,
        writes=True,
        form=lambda w: {
            "action": "prepare",
            "year": "2027",
            "percentage": "2",
            "fixed_amount": "30",
        },
    ),
    Route(
        "api prepare adjustment",
        "post",
        lambda w: "/api/v1/adjustments",
        {"anonymous": API_ANON, "rita": 201},
        403,
        writes=True,
        body={"year": 2027, "percentage": "0.02", "fixed_amount": "30"},
    ),
    Route(
        "api apply adjustment",
        "post",
        lambda w: "/api/v1/adjustments/2027/apply",
        {"anonymous": API_ANON, "rita": 404},
        403,
        writes=True,
    ),
    Route("api my pension", "get", lambda w: "/api/v1/me/pension", {"anonymous": API_ANON}, 200),
    Route(
        "api payroll runs",
        "get",
        lambda w: "/api/v1/payroll/runs",
        {"anonymous": API_ANON, "rita": 200},
        403,
    ),
    Route(
        "api run payroll",
        "post",
        lambda w: "/api/v1/payroll/runs",
        {"anonymous": API_ANON, "rita": 201},
        403,
        writes=True,
        body={"period": "2026-11"},
    ),
    Route(
        "transfers page",
        "get",
        lambda w: "/staff/transfers/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "move a relation",
        "post",
        lambda w: "/staff/transfers/",
        # sam and mallory are told the person is unknown to them (nothing moves).
        {"anonymous": LOGIN, "carol": 302, "rita": 302, "sam": 302, "mallory": 302},
        403,
        writes=True,
        form=lambda w: {"resident_id": w.alice.resident_id, "region": "610103"},
    ),
    Route(
        "survivors page",
        "get",
        lambda w: "/staff/survivors/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "api survivors",
        "get",
        lambda w: "/api/v1/survivors",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "rate a case",
        "get",
        lambda w: f"/applications/{w.decided.number}/review/",
        {"anonymous": LOGIN, "alice": 200, "carol": 200, "rita": 403, "sam": 403},
        404,
    ),
    Route(
        "rate a case, submit",
        "post",
        lambda w: f"/applications/{w.decided.number}/review/",
        {"anonymous": LOGIN, "alice": 302, "carol": 302, "rita": 403, "sam": 403},
        404,
        writes=True,
        form=lambda w: RATING_FORM,
    ),
    Route("rate by QR code", "get", lambda w: f"/rate/{w.decided.number}/", {}, 200),
    # A wrong query code rates nothing, whoever tries.
    Route(
        "rate by QR code, wrong code",
        "post",
        lambda w: f"/rate/{w.decided.number}/",
        {},
        404,  # a wrong code is not told apart from an unknown case
        form=lambda w: {**RATING_FORM, "code": "WRONG"},
    ),
    Route("public ratings", "get", lambda w: "/ratings/", {}, 200),
    Route(
        "rectifications page",
        "get",
        lambda w: "/staff/rectifications/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "rectification call back",
        "post",
        lambda w: f"/staff/rectifications/{w.rectification.pk}/callback/",
        {"anonymous": LOGIN, "carol": 302, "rita": 302, "mallory": 404},
        403,
        writes=True,
        form=lambda w: {"note": "已回访"},
    ),
    Route(
        "api may a case be rated",
        "get",
        lambda w: f"/api/v1/applications/{w.decided.number}/review",
        # The applicant, and staff who may see the case (Yanta's); others do not learn of it.
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route(
        "api pre-check before filing",
        "get",
        lambda w: "/api/v1/applications/precheck?item_code=SX-SI-006",
        # A citizen's own eligibility; a login without a person record has none.
        {"anonymous": API_ANON, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "api rate a case",
        "post",
        lambda w: f"/api/v1/applications/{w.decided.number}/review",
        {"anonymous": API_ANON, "alice": 201, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
        body={"level": 4, "scores": dict.fromkeys(DIMENSIONS, 4), "comment": ""},
    ),
    Route(
        "api rectifications",
        "get",
        lambda w: "/api/v1/rectifications",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "api rectification call back",
        "post",
        lambda w: f"/api/v1/rectifications/{w.rectification.pk}/callback",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "mallory": 404},
        403,
        writes=True,
        body={"note": "已回访"},
    ),
    Route(
        "counter visits",
        "get",
        lambda w: "/staff/visits/",
        {"anonymous": LOGIN, "carol": 200, "mallory": 200},
        403,
    ),
    Route(
        "end a counter visit",
        "post",
        lambda w: "/staff/visits/",
        {"anonymous": LOGIN, "carol": 302, "mallory": 302},
        403,
        writes=True,
        form=lambda w: {"topic": "咨询退休年龄", "item_code": "", "phone": ""},
    ),
    Route(
        "visit slip",
        "get",
        lambda w: f"/staff/visits/{w.visit.number}/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 404},
        403,
    ),
    Route("rate a visit by its slip", "get", lambda w: f"/rate/visit/{w.visit.number}/", {}, 200),
    Route(
        "api end a counter visit",
        "post",
        lambda w: "/api/v1/visits",
        {"anonymous": API_ANON, "carol": 201, "mallory": 201},
        403,
        writes=True,
        body={"topic": "咨询退休年龄"},
    ),
    Route(
        "api rate a visit with a wrong code",
        "post",
        lambda w: f"/api/v1/visits/{w.visit.number}/review",
        {},
        404,
        writes=True,
        body={"code": "x", "level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": ""},
    ),
    Route("api public ratings", "get", lambda w: "/api/v1/ratings", {}, 200),
    Route(
        "api my retirement",
        "get",
        lambda w: "/api/v1/me/retirement",
        {"anonymous": API_ANON, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "api transfers",
        "get",
        lambda w: "/api/v1/transfers",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "api move a relation",
        "post",
        lambda w: "/api/v1/transfers/internal",
        {"anonymous": API_ANON, "carol": 201, "rita": 201, "mallory": 404},
        403,
        writes=True,
        body_for=lambda w: {"resident_id": w.alice.resident_id, "region": "610103"},
    ),
    Route("inbox", "get", lambda w: "/me/inbox/", {"anonymous": LOGIN}, 200),
    Route("inbox read all", "post", lambda w: "/me/inbox/read-all/", {"anonymous": LOGIN}, 302),
    Route(
        "inbox read",
        "post",
        lambda w: f"/me/inbox/{w.notification.pk}/read/",
        {"anonymous": LOGIN, "alice": 302},
        404,
        writes=True,
    ),
    Route("supervision", "get", lambda w: "/supervision/", {"anonymous": LOGIN, "sam": 200}, 403),
    Route(
        "indicators",
        "get",
        lambda w: "/supervision/indicators/?region=610113",
        {"anonymous": LOGIN, "sam": 200},
        403,
    ),
    Route("public indicators", "get", lambda w: "/indicators/", {}, 200),
    Route("dashboards", "get", lambda w: "/dashboards/", {"anonymous": LOGIN, "sam": 200}, 403),
    Route(
        "dashboards export",
        "get",
        lambda w: "/dashboards/export.csv?table=regions",
        {"anonymous": LOGIN, "sam": 200},
        403,
    ),
    Route(
        "data quality",
        "get",
        lambda w: "/staff/quality/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "data quality dismiss",
        "post",
        lambda w: f"/staff/quality/{w.finding.pk}/dismiss/",
        {"anonymous": LOGIN, "carol": 302, "rita": 302, "sam": 302, "mallory": 404},
        403,
        writes=True,
        form=lambda w: {"note": "两人不同 different people"},
    ),
    Route(
        "data quality scan",
        "post",
        lambda w: "/staff/quality/scan/",
        {"anonymous": LOGIN, "sam": 302},
        403,
        writes=True,
    ),
    Route(
        "api quality findings",
        "get",
        lambda w: "/api/v1/quality/findings",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "api quality scores",
        "get",
        lambda w: "/api/v1/quality/scores",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "api quality dismiss",
        "post",
        lambda w: f"/api/v1/quality/findings/{w.finding.pk}/dismiss",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 404},
        403,
        writes=True,
        body={"note": "两人不同 different people"},
    ),
    Route("articles", "get", lambda w: "/content/?kind=policy", {}, 200),
    Route("article", "get", lambda w: f"/content/{w.article.pk}/", {}, 200),
    Route(
        "article attachment",
        "get",
        lambda w: f"/content/{w.article.pk}/files/{w.attachment.pk}/",
        {},
        200,
    ),
    Route(
        "draft preview",
        "get",
        lambda w: f"/content/{w.draft_article.pk}/",
        {"anonymous": 404, "alice": 404, "bob": 404, "erin": 200, "sam": 200},
        403,
    ),
    Route("site search", "get", lambda w: "/search/?q=养老保险", {}, 200),
    Route(
        "elderly mode",
        "post",
        lambda w: "/display/",
        {},
        302,
        form=lambda w: {"mode": "elderly", "next": "/content/"},
    ),
    Route(
        "portal content",
        "get",
        lambda w: "/staff/content/",
        {"anonymous": LOGIN, "erin": 200, "sam": 200},
        403,
    ),
    Route(
        "new article",
        "get",
        lambda w: "/staff/content/new/",
        {"anonymous": LOGIN, "erin": 200},
        403,
    ),
    Route(
        "edit article",
        "get",
        lambda w: f"/staff/content/{w.draft_article.pk}/",
        {"anonymous": LOGIN, "erin": 200, "sam": 200},
        403,
    ),
    Route(
        "send article to review",
        "post",
        lambda w: f"/staff/content/{w.draft_article.pk}/submit/",
        {"anonymous": LOGIN, "erin": 302},
        403,
        writes=True,
    ),
    Route(
        "publish article",
        "post",
        lambda w: f"/staff/content/{w.review_article.pk}/publish/",
        {"anonymous": LOGIN, "sam": 302},
        403,
        writes=True,
        form=lambda w: {"publish_at": "", "note": ""},
    ),
    Route("api articles", "get", lambda w: "/api/v1/portal/articles", {}, 200),
    Route("api article", "get", lambda w: f"/api/v1/portal/articles/{w.article.pk}", {}, 200),
    Route(
        "api draft article",
        "get",
        lambda w: f"/api/v1/portal/articles/{w.draft_article.pk}",
        {},
        404,
    ),
    Route("api site search", "get", lambda w: "/api/v1/portal/search?q=退休", {}, 200),
    Route(
        "api dashboards",
        "get",
        lambda w: "/api/v1/dashboards?since=2026-01",
        {"anonymous": API_ANON, "sam": 200},
        403,
    ),
    Route(
        "api indicators",
        "get",
        lambda w: "/api/v1/supervision/indicators",
        {"anonymous": API_ANON, "sam": 200},
        403,
    ),
    Route("api public indicators", "get", lambda w: "/api/v1/indicators", {}, 200),
    Route(
        "api case claim",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/claim",
        API_CASE_WORK,
        404,
        writes=True,
    ),
    Route(
        "api case release",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/release",
        {**API_CASE_WORK, "carol": 403, "sam": 400},
        404,
        writes=True,
    ),
    Route(
        "api case handover",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/handover",
        {**API_CASE_WORK, "carol": 400, "sam": 200},
        404,
        writes=True,
        body={"to": "carol"},
    ),
    Route(
        "api case escalate",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/escalate",
        API_CASE_WORK,
        404,
        writes=True,
        body={"note": "疑难 complex"},
    ),
    Route(
        "api case comment",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/comments",
        {**API_CASE_WORK, "carol": 201, "rita": 201, "sam": 201},
        404,
        writes=True,
        body={"body": "已电话核实 called"},
    ),
    Route(
        "api case upload material",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/materials",
        {**API_CASE_WORK, "alice": 200},
        404,
        writes=True,
        form=material_form,
    ),
    Route(
        "api case material",
        "get",
        lambda w: f"/api/v1/applications/{w.case.number}/materials/{w.material.pk}",
        API_CASE_READERS,
        404,
    ),
    Route(
        "api case receipt",
        "get",
        lambda w: f"/api/v1/applications/{w.case.number}/receipt",
        API_CASE_READERS,
        404,
    ),
    Route(
        "api case notice",
        "get",
        lambda w: f"/api/v1/applications/{w.case.number}/notice",
        {**API_CASE_READERS, "alice": 400, "carol": 400, "rita": 400, "sam": 400},
        404,
    ),
    Route("api inbox", "get", lambda w: "/api/v1/inbox", {"anonymous": API_ANON}, 200),
    Route(
        "api inbox read",
        "post",
        lambda w: f"/api/v1/inbox/{w.notification.pk}/read",
        {"anonymous": API_ANON, "alice": 200},
        404,
        writes=True,
    ),
    Route(
        "api supervision warnings",
        "get",
        lambda w: "/api/v1/supervision/warnings",
        {"anonymous": API_ANON, "sam": 200},
        403,
    ),
    Route(
        "api supervision rates",
        "get",
        lambda w: "/api/v1/supervision/rates",
        {"anonymous": API_ANON, "sam": 200},
        403,
    ),
    Route(
        "admin process versions",
        "get",
        lambda w: "/admin/workflow/processversion/",
        {"adam": 200},
        302,
    ),
    Route(
        "work queue",
        "get",
        lambda w: "/staff/queue/",
        {"anonymous": LOGIN, "alice": 403, "bob": 403},
        200,
    ),
    Route(
        "bulk claim",
        "post",
        lambda w: "/staff/queue/claim/",
        {"anonymous": LOGIN, "alice": 403, "bob": 403},
        302,
        writes=True,
        form=lambda w: {"number": [w.case.number]},
    ),
    # sam assigns the case to carol, who may act on it; nobody else may assign.
    Route(
        "bulk assign",
        "post",
        lambda w: "/staff/queue/assign/",
        {"anonymous": LOGIN, "sam": 302},
        403,
        writes=True,
        form=lambda w: {"number": [w.case.number], "to": str(w.carol.pk)},
    ),
    Route(
        "case search",
        "get",
        lambda w: "/staff/cases/?status=submitted",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route("case status page", "get", lambda w: "/status/", {}, 200),
    Route(
        "api apply",
        "post",
        lambda w: "/api/v1/applications",
        {"anonymous": API_ANON, "alice": 201, "bob": 400},
        404,
        writes=True,
        body={"item_code": "SX-SI-006", "answers": RETIREMENT_FORM},
    ),
    Route(
        "api case status", "get", lambda w: "/api/v1/applications/status?number=SX0&code=X", {}, 404
    ),
    Route(
        "api case",
        "get",
        lambda w: f"/api/v1/applications/{w.case.number}",
        {**CASE_READERS, "anonymous": API_ANON},
        404,
    ),
    Route(
        "api case act",
        "post",
        lambda w: f"/api/v1/applications/{w.case.number}/tasks/accept",
        {"anonymous": API_ANON, "carol": 200, "alice": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
        body={"decision": "accept"},
    ),
    Route("api queue", "get", lambda w: "/api/v1/queue", {"anonymous": API_ANON}, 200),
    # All or nothing: staff who may not claim the case get 400 with its reason; citizens 403.
    Route(
        "api queue claim",
        "post",
        lambda w: "/api/v1/queue/claim",
        {"anonymous": API_ANON, "alice": 403, "bob": 403, "carol": 200},
        400,
        writes=True,
        body_for=lambda w: {"numbers": [w.case.number]},
    ),
    Route(
        "api queue assign",
        "post",
        lambda w: "/api/v1/queue/assign",
        {"anonymous": API_ANON, "sam": 200},
        403,
        writes=True,
        body_for=lambda w: {"numbers": [w.case.number], "to": "carol"},
    ),
    Route(
        "api case search",
        "get",
        lambda w: "/api/v1/cases?status=submitted",
        {"anonymous": API_ANON, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route("verify certificate page", "get", lambda w: "/verify/", {}, 200),
    Route(
        "own proof of insurance",
        "get",
        lambda w: "/me/proof-of-insurance.pdf",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "person proof of insurance",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/proof-of-insurance.pdf",
        STATEMENT_READERS,
        404,
    ),
    Route("api certificate keys", "get", lambda w: "/api/v1/certificates/keys", {}, 200),
    Route("api pdf chain", "get", lambda w: "/api/v1/certificates/pdf-chain", {}, 200),
    Route("api pdf root", "get", lambda w: "/api/v1/certificates/pdf-root", {}, 200),
    Route(
        "api verify certificate",
        "get",
        lambda w: "/api/v1/certificates/verify?number=PI0&code=X",
        {},
        404,
    ),
    Route(
        "api issue proof",
        "post",
        lambda w: f"/api/v1/persons/{w.alice.pk}/proof-of-insurance",
        {"anonymous": API_ANON, "alice": 201, "carol": 201, "rita": 201, "sam": 201},
        404,
        writes=True,
    ),
    Route("service catalogue", "get", lambda w: "/services/", {}, 200),
    Route("service guide", "get", lambda w: "/services/SX-SI-006/", {}, 200),
    Route("bundle", "get", lambda w: "/services/bundles/BUNDLE-RETIRE/", {}, 200),
    Route("api catalogue items", "get", lambda w: "/api/v1/catalogue/items", {}, 200),
    Route("api catalogue item", "get", lambda w: "/api/v1/catalogue/items/SX-SI-006", {}, 200),
    Route("api bundles", "get", lambda w: "/api/v1/catalogue/bundles", {}, 200),
    Route(
        "admin service items", "get", lambda w: "/admin/catalogue/serviceitem/", {"adam": 200}, 302
    ),
    # Without a configured authority the sync reports it and redirects (302) for declarers.
    Route(
        "check payments",
        "post",
        lambda w: f"/employer/{w.acme.pk}/bills/sync/",
        DECLARERS_WEB,
        404,
        writes=True,
    ),
    # contributions: employer pages (acme is in Yanta; bob acts for it)
    Route("employees page", "get", lambda w: f"/employer/{w.acme.pk}/employees/", VIEWERS, 404),
    Route(
        "add employee",
        "post",
        lambda w: f"/employer/{w.acme.pk}/employees/",
        DECLARERS_WEB,
        404,
        writes=True,
        form=lambda w: {
            "add": "1",
            "resident_id": w.dave.resident_id,
            "start": "2026-11",
            "wage": "5000",
            "post_category": "general",
        },
    ),
    Route(
        "end employment",
        "post",
        lambda w: f"/employer/{w.acme.pk}/employees/{w.employment.pk}/end/",
        DECLARERS_WEB,
        404,
        writes=True,
        form=lambda w: {"end": "2024-06", "reason": "resigned"},
    ),
    Route("employer users", "get", lambda w: f"/employer/{w.acme.pk}/users/", VIEWERS, 404),
    Route(
        "add employer user",
        "post",
        lambda w: f"/employer/{w.acme.pk}/users/",
        # Staff see the employer's users; only its legal representative manages them.
        {"anonymous": LOGIN, "bob": 302, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
        form=lambda w: {"add": "1", "resident_id": w.alice.resident_id, "role": "agent"},
    ),
    Route("enrol from a file page", "get", lambda w: f"/employer/{w.acme.pk}/enrol/", VIEWERS, 404),
    Route(
        "enrol from a file",
        "post",
        lambda w: f"/employer/{w.acme.pk}/enrol/",
        # bob's file is checked and refused whole (alice works there already): 200, nothing
        # changed; staff do not file for an employer online.
        {"anonymous": LOGIN, "bob": 200, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
        form=lambda w: {
            "file": SimpleUploadedFile(
                "enrol.csv",
                f"姓名,公民身份号码,参保起始月份,月工资\n{w.alice.name},{w.alice.resident_id},"
                "2024-03,5000\n".encode(),
                content_type="text/csv",
            )
        },
    ),
    Route(
        "api enrol from a file",
        "post",
        lambda w: f"/api/v1/employers/{w.acme.pk}/enrolments/file",
        # bob's file is refused whole (alice works there already): 422, nothing changed;
        # staff do not file for an employer online.
        {"anonymous": API_ANON, "bob": 422, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
        form=lambda w: {
            "file": SimpleUploadedFile(
                "enrol.csv",
                f"姓名,公民身份号码,参保起始月份,月工资\n{w.alice.name},{w.alice.resident_id},"
                "2024-03,5000\n".encode(),
                content_type="text/csv",
            )
        },
    ),
    Route("declare page", "get", lambda w: f"/employer/{w.acme.pk}/declarations/", VIEWERS, 404),
    Route(
        "declare upload",
        "post",
        lambda w: f"/employer/{w.acme.pk}/declarations/",
        DECLARERS_WEB,  # received: on to the upload's page
        404,
        writes=True,
        form=upload,
    ),
    Route(
        "upload page",
        "get",
        lambda w: f"/employer/{w.acme.pk}/declarations/uploads/{w.upload.pk}/",
        VIEWERS,
        404,
    ),
    Route(
        "upload confirm",
        "post",
        lambda w: f"/employer/{w.acme.pk}/declarations/uploads/{w.upload.pk}/confirm/",
        DECLARERS_WEB,
        404,
        writes=True,
    ),
    Route(
        "upload error report",
        "get",
        lambda w: f"/employer/{w.acme.pk}/declarations/uploads/{w.upload.pk}/errors.csv",
        VIEWERS,
        404,
    ),
    Route(
        "pre-filled template",
        "get",
        lambda w: f"/employer/{w.acme.pk}/declarations/template.csv",
        # Full IDs: the employer's own users only; staff reveal one person at a time.
        {"anonymous": LOGIN, "bob": 200, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
    ),
    Route(
        "error report",
        "get",
        lambda w: f"/employer/{w.acme.pk}/declarations/errors.csv",
        {"anonymous": LOGIN},
        404,
    ),
    Route("declaration template", "get", lambda w: "/declarations/template.xlsx", {}, 200),
    Route("bills page", "get", lambda w: f"/employer/{w.acme.pk}/bills/", VIEWERS, 404),
    Route(
        "own statement",
        "get",
        lambda w: "/me/contributions/",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "own statement pdf",
        "get",
        lambda w: "/me/contributions/statement.pdf",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "person statement",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/contributions/",
        STATEMENT_READERS,
        404,
    ),
    Route(
        "person statement pdf",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/contributions/statement.pdf",
        STATEMENT_READERS,
        404,
    ),
    # Individual payers (flexible employment): a citizen's own page and actions (alice and
    # bob are not registered: an action is refused with a message, nothing changes); staff
    # who may see the person read it.
    Route(
        "own flexible page",
        "get",
        lambda w: "/me/flexible/",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        404,
    ),
    *[
        Route(
            f"own flexible {action}",
            "post",
            _fixed(f"/me/flexible/{action}/"),
            {"anonymous": LOGIN, "alice": 302, "bob": 302},
            404,
            writes=True,
            form=lambda w: {"base": "6000", "frequency": "monthly"},
        )
        for action in ("base", "suspend", "resume", "frequency")
    ],
    Route(
        "own flexible sync",
        "post",
        lambda w: "/me/flexible/sync/",
        {"anonymous": LOGIN},
        404,  # only a registered individual payer asks for payments
        writes=True,
    ),
    Route(
        "person flexible page",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/flexible/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route(
        "api my flexible",
        "get",
        lambda w: "/api/v1/me/flexible",
        {"anonymous": API_ANON, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "api person flexible",
        "get",
        lambda w: f"/api/v1/persons/{w.alice.pk}/flexible",
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    *[
        Route(
            f"api my flexible {action}",
            "post",
            _fixed(f"/api/v1/me/flexible/{action}"),
            {"anonymous": API_ANON, "alice": 400, "bob": 400},
            404,
            writes=True,
            body={"base": "6000", "frequency": "monthly"},
        )
        for action in ("base", "suspend", "resume", "frequency")
    ],
    Route(
        "api registrations",
        "get",
        lambda w: f"/api/v1/employers/{w.acme.pk}/registrations",
        API_VIEWERS,
        404,
    ),
    Route(
        "api register",
        "post",
        lambda w: f"/api/v1/employers/{w.acme.pk}/registrations",
        API_DECLARERS_201,
        404,
        writes=True,
        body={"insurances": ["unemployment"], "since": "2024-01"},
    ),
    Route(
        "api employments",
        "get",
        lambda w: f"/api/v1/employers/{w.acme.pk}/employments",
        API_VIEWERS,
        404,
    ),
    Route(
        "api add employee",
        "post",
        lambda w: f"/api/v1/employers/{w.acme.pk}/employments",
        API_DECLARERS_201,
        404,
        writes=True,
        body_for=lambda w: {"resident_id": w.dave.resident_id, "start": "2026-11", "wage": "5000"},
    ),
    Route(
        "api end employment",
        "post",
        lambda w: f"/api/v1/employments/{w.employment.pk}/end",
        {**API_DECLARERS_201, "bob": 200, "carol": 200},
        404,
        writes=True,
        body={"end": "2024-06", "reason": "resigned"},
    ),
    Route(
        "api declare",
        "post",
        lambda w: f"/api/v1/employers/{w.acme.pk}/declarations",
        API_DECLARERS_201,
        404,
        writes=True,
        body_for=lambda w: {
            "period": "2024-10",
            "rows": [{"resident_id": w.alice.resident_id, "wage": "5000"}],
        },
    ),
    Route(
        "api declare file",
        "post",
        lambda w: f"/api/v1/employers/{w.acme.pk}/declarations/file",
        API_DECLARERS_201,
        404,
        writes=True,
        form=upload,
    ),
    Route("api declaration template", "get", lambda w: "/api/v1/declarations/template", {}, 200),
    Route(
        "api pre-filled template",
        "get",
        lambda w: f"/api/v1/employers/{w.acme.pk}/declarations/template?format=csv",
        {"anonymous": API_ANON, "bob": 200, "carol": 403, "rita": 403, "sam": 403},
        404,
        writes=True,
    ),
    Route("api bills", "get", lambda w: f"/api/v1/employers/{w.acme.pk}/bills", API_VIEWERS, 404),
    Route(
        "api credits", "get", lambda w: f"/api/v1/employers/{w.acme.pk}/credits", API_VIEWERS, 404
    ),
    Route(
        "api statement",
        "get",
        lambda w: f"/api/v1/persons/{w.alice.pk}/statement",
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route("home", "get", lambda w: "/", everyone(200), 200),
    Route("site icon", "get", lambda w: "/favicon.ico", everyone(301), 301),
    Route("login page", "get", lambda w: "/login/", everyone(200), 200),
    Route(
        "person list",
        "get",
        lambda w: "/staff/persons/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "person detail in scope",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 404},
        403,
    ),
    Route(
        "person detail out of city",
        "get",
        lambda w: f"/staff/persons/{w.dave.pk}/",
        {"anonymous": LOGIN, "carol": 404, "rita": 404, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "person reveal",
        "post",
        lambda w: f"/staff/persons/{w.alice.pk}/reveal/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "mallory": 404},
        403,
        writes=True,
    ),
    Route(
        "staff accounts",
        "get",
        lambda w: "/security/staff/",
        {"anonymous": LOGIN, "sean": 200},
        403,
    ),
    Route(
        "unlock staff",
        "post",
        lambda w: f"/security/staff/{w.carol.pk}/unlock/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
    ),
    Route(
        "reset staff mfa",
        "post",
        lambda w: f"/security/staff/{w.rita.pk}/reset-mfa/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
    ),
    Route(
        "deactivate staff",
        "post",
        lambda w: f"/security/staff/{w.rita.pk}/deactivate/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
    ),
    Route(
        "staff role page",
        "get",
        lambda w: f"/security/staff/{w.rita.pk}/change/",
        {"anonymous": LOGIN, "sean": 200},
        403,
    ),
    Route(
        "change staff role",
        "post",
        lambda w: f"/security/staff/{w.rita.pk}/change/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
        form=lambda w: {
            "role": "case_worker",
            "agency": w.agencies["610113-si"].pk,
            "region": w.regions["610113"].pk,
        },
    ),
    Route("journal", "get", lambda w: "/audit/", {"anonymous": LOGIN, "audrey": 200}, 403),
    Route(
        "journal export",
        "get",
        lambda w: "/audit/export.csv",
        {"anonymous": LOGIN, "audrey": 200},
        403,
    ),
    Route(
        "journal verify",
        "post",
        lambda w: "/audit/verify/",
        {"anonymous": LOGIN, "audrey": 200},
        403,
    ),
    Route("own tokens", "get", lambda w: "/account/tokens/", {"anonymous": LOGIN}, 200),
    Route("password change page", "get", lambda w: "/account/password/", {"anonymous": LOGIN}, 200),
    Route(
        "create staff",
        "post",
        lambda w: "/security/staff/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
        form=lambda w: {
            "username": "newbie",
            "display_name": "n",
            "agency": w.agencies["610113-si"].pk,
            "role": "case_worker",
            "region": w.regions["610113"].pk,
            "password": "Horse-battery-7",
        },
    ),
    Route(
        "revoke carol's token",
        "post",
        lambda w: f"/account/tokens/{w.token.pk}/revoke/",
        {"anonymous": LOGIN, "carol": 302},
        404,
        writes=True,
    ),
    Route("admin index", "get", lambda w: "/admin/", {"adam": 200}, 302),
    Route("admin regions", "get", lambda w: "/admin/identity/region/", {"adam": 200}, 302),
    Route(
        "employer home",
        "get",
        lambda w: f"/employer/{w.acme.pk}/",
        {"anonymous": LOGIN, "bob": 200, "alice": 404},
        403,
    ),
    Route("api regions", "get", lambda w: "/api/v1/regions", everyone(200), 200),
    Route("api me", "get", lambda w: "/api/v1/me", {"anonymous": API_ANON}, 200),
    Route(
        "api persons",
        "get",
        lambda w: "/api/v1/persons",
        {
            "anonymous": API_ANON,
            "alice": 200,
            "bob": 200,
            "carol": 200,
            "rita": 200,
            "sam": 200,
            "mallory": 200,
        },
        403,
    ),
    Route(
        "api person in scope",
        "get",
        lambda w: f"/api/v1/persons/{w.alice.pk}",
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route(
        "api person reveal",
        "post",
        lambda w: f"/api/v1/persons/{w.alice.pk}/reveal",
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 403},
        404,
        writes=True,
    ),
    Route(
        "api employer",
        "get",
        lambda w: f"/api/v1/employers/{w.acme.pk}",
        {"anonymous": API_ANON, "bob": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route(
        "api journal",
        "get",
        lambda w: "/api/v1/audit/entries",
        {"anonymous": API_ANON, "audrey": 200},
        403,
    ),
    Route(
        "api journal verify",
        "get",
        lambda w: "/api/v1/audit/verify",
        {"anonymous": API_ANON, "audrey": 200},
        403,
    ),
    Route("api tokens", "get", lambda w: "/api/v1/tokens", {"anonymous": API_ANON}, 200),
    Route(
        "retirement calculator page",
        "get",
        lambda w: "/calculators/retirement/?birth_month=1966-01&category=male",
        {},
        200,
    ),
    Route("pension estimator page", "get", lambda w: "/calculators/pension/", {}, 200),
    Route(
        "api retirement",
        "get",
        lambda w: "/api/v1/calculators/retirement?birth_month=1966-01&category=male",
        {},
        200,
    ),
    Route(
        "api pension",
        "post",
        lambda w: "/api/v1/calculators/pension",
        {},
        200,
        body={
            "province": "610000",
            "retirement_month": "2026-05",
            "age": {"years": 60, "months": 4},
            "contribution_months": 300,
            "average_contribution_index": "1.0",
            "account_balance": "100000",
        },
    ),
    Route(
        "api account interest",
        "post",
        lambda w: "/api/v1/calculators/account-interest",
        {},
        200,
        body={"year": 2024, "opening_balance": "1000", "contributions": "100"},
    ),
    Route(
        "api contribution",
        "post",
        lambda w: "/api/v1/calculators/contribution",
        {},
        200,
        body={"province": "610000", "year": 2024, "wage": "5000"},
    ),
    Route(
        "flexible contribution calculator page",
        "get",
        lambda w: (
            "/calculators/flexible-contribution/?province=610000&base=6000"
            "&frequency=quarterly&month=2026-04"
        ),
        {},
        200,
    ),
    Route(
        "api flexible contribution",
        "post",
        lambda w: "/api/v1/calculators/flexible-contribution",
        {},
        200,
        body={"province": "610000", "year": 2026, "base": "6000", "frequency": "quarterly"},
    ),
    Route(
        "unemployment benefit calculator page",
        "get",
        lambda w: (
            "/calculators/unemployment-benefit/?province=610000&contribution_months=84"
            "&separation=ended_by_employer&registered_unemployed=on"
        ),
        {},
        200,
    ),
    Route(
        "api unemployment benefit",
        "post",
        lambda w: "/api/v1/calculators/unemployment-benefit",
        {},
        200,
        body={"province": "610000", "contribution_months": 84, "separation": "ended_by_employer"},
    ),
    Route(
        "my unemployment page",
        "get",
        lambda w: "/me/unemployment/",
        {"anonymous": LOGIN, "alice": 200, "bob": 200},
        404,
    ),
    Route(
        "api my unemployment",
        "get",
        lambda w: "/api/v1/me/unemployment",
        {"anonymous": API_ANON},
        200,
    ),
    Route(
        "unemployment benefits page",
        "get",
        lambda w: "/staff/unemployment/",
        {"anonymous": LOGIN, "alice": 403, "bob": 403},
        200,
    ),
    Route(
        "record an unemployment benefit stop",
        "post",
        lambda w: f"/staff/unemployment/{w.unemployment_benefit.pk}/stop/",
        UNEMPLOYMENT_STOP,
        404,
        writes=True,
        form=lambda w: {"reason": "refused_job", "month": "2026-11"},
    ),
    Route(
        "api record an unemployment benefit stop",
        "post",
        lambda w: f"/api/v1/unemployment/benefits/{w.unemployment_benefit.pk}/stop",
        {**UNEMPLOYMENT_STOP, "anonymous": API_ANON, "carol": 200},
        404,
        writes=True,
        body={"reason": "refused_job", "month": "2026-11"},
    ),
    Route(
        "unemployment payroll page",
        "get",
        lambda w: "/staff/unemployment/payroll/",
        {"anonymous": LOGIN, "rita": 200},
        403,
    ),
    Route(
        "run unemployment payroll",
        "post",
        lambda w: "/staff/unemployment/payroll/",
        {"anonymous": LOGIN, "rita": 302},
        403,
        writes=True,
        form=lambda w: {"period": "2026-11"},
    ),
    Route(
        "unemployment payroll run page",
        "get",
        lambda w: "/staff/unemployment/payroll/2026-10/",
        {"anonymous": LOGIN, "rita": 200},
        403,
    ),
    Route(
        "api unemployment payroll run medical lines",
        "get",
        lambda w: "/api/v1/unemployment/payroll/runs/2026-10/medical",
        {"anonymous": API_ANON, "rita": 200},
        403,
    ),
    Route(
        "api unemployment payroll runs",
        "get",
        lambda w: "/api/v1/unemployment/payroll/runs",
        {"anonymous": API_ANON, "rita": 200},
        403,
    ),
    Route(
        "api run unemployment payroll",
        "post",
        lambda w: "/api/v1/unemployment/payroll/runs",
        {"anonymous": API_ANON, "rita": 201},
        403,
        writes=True,
        body={"period": "2026-11"},
    ),
    Route(
        "api validate resident id",
        "get",
        lambda w: "/api/v1/validate/resident-id?value=11010519491231002X",
        {},
        200,
    ),
    Route(
        "api validate credit code",
        "get",
        lambda w: "/api/v1/validate/credit-code?value=91110000600037341L",
        {},
        200,
    ),
    Route(
        "api revoke carol's token",
        "delete",
        lambda w: f"/api/v1/tokens/{w.token.pk}",
        {"anonymous": API_ANON, "carol": 204},
        404,
        writes=True,
    ),
]


def state(world: Any) -> tuple[Any, ...]:
    """What a refused write must leave untouched (journal, accounts, tokens)."""
    carol = User.objects.get(pk=world.carol.pk)
    rita = User.objects.get(pk=world.rita.pk)
    return (
        # Refusals themselves are journaled (access.refused); nothing else may be.
        list(Entry.objects.exclude(action__startswith="access.refus").values_list("seq", "action")),
        (carol.failed_logins, carol.locked_until),
        (rita.totp_confirmed_at, rita.totp_secret),
        list(ApiToken.objects.values_list("pk", "revoked_at")),
        list(
            User.objects.order_by("pk").values_list(
                "username",
                "is_active",
                "session_generation",
                "staff_profile__role",
                "staff_profile__region_id",
            )
        ),
        list(Employment.objects.order_by("pk").values_list("pk", "end_period")),
        list(InsuranceRegistration.objects.order_by("pk").values_list("pk", flat=True)),
        list(Declaration.objects.values_list("pk", flat=True)),
        LedgerEntry.objects.count(),
        list(Application.objects.order_by("pk").values_list("number", "status", "escalated_to")),
        list(OpenStep.objects.order_by("pk").values_list("application_id", "name", "assignee")),
        Step.objects.count(),
        Comment.objects.count(),
        Material.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        ProcessVersion.objects.count(),
        list(Consent.objects.order_by("pk").values_list("pk", "revoked_at")),
        Message.objects.count(),
        list(Certificate.objects.order_by("pk").values_list("number", "revoked_at")),
        list(PayrollRun.objects.values_list("period", flat=True)),
        list(Adjustment.objects.values_list("year", "status")),
        list(Transfer.objects.values_list("number", flat=True)),
        list(Person.objects.order_by("pk").values_list("pk", "region_id")),
        list(Review.objects.order_by("pk").values_list("pk", "level")),
        list(Rectification.objects.order_by("pk").values_list("pk", "status")),
    )


@pytest.fixture(scope="module")
def _matrix_rows(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Prepared]:
    """The matrix's world, built once per module (and xdist worker): each of its thousands of
    tests is rolled back to exactly these rows (see conftest.prepared_once)."""
    with prepared_once(
        lambda: _build_matrix_world(build_world()),
        django_db_blocker=django_db_blocker,
        folder=tmp_path_factory.mktemp("matrix"),
    ) as prepared:
        yield prepared


@pytest.fixture
def matrix_world(db: None, _matrix_rows: Prepared, settings: Any, _fixed_clock: Any) -> Any:
    """The world with a case, a decided case, a rectification, articles, a finding, a visit,
    a material, a certificate, a consent, an employment, a refused upload and a benefit."""
    return _matrix_rows.copy_for(settings=settings, clock=_fixed_clock)


def _build_matrix_world(world: Any) -> Any:
    from onestop.identity import services

    world.token = services.token_create(
        actor=world.carol, name="kiosk", scopes=["persons:read"], days=30
    ).token
    User.objects.filter(pk=world.carol.pk).update(
        failed_logins=5, locked_until=timezone.now() + dt.timedelta(minutes=20)
    )
    User.objects.filter(pk=world.rita.pk).update(totp_confirmed_at=timezone.now())
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    world.case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=dict(RETIREMENT_FORM),
    ).application
    world.decided = applications.application_act(
        actor=world.carol,
        application=applications.application_submit(
            actor=world.alice.user,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers=dict(RETIREMENT_FORM),
        ).application,
        task="accept",
        decision="not_accept",
        note="不符合条件 not eligible",
    )
    rated = applications.application_act(
        actor=world.carol,
        application=applications.application_submit(
            actor=world.alice.user,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers=dict(RETIREMENT_FORM),
        ).application,
        task="accept",
        decision="not_accept",
        note="不符合条件 not eligible",
    )
    world.rectification = reviews.review_submit(
        actor=world.alice.user,
        case=rated,
        rating=reviews.Rating(1, dict.fromkeys(DIMENSIONS, 1), "差"),
        channel="web",
    ).rectification
    draft = portal.Draft(kind="policy", title="养老保险缴费基数通知", body="缴费基数下限4520元。")
    world.article = portal.article_create(actor=world.erin, draft=draft)
    world.attachment = portal.attachment_add(
        actor=world.erin, article=world.article, file_name="表.pdf", data=PDF
    )
    portal.article_submit(actor=world.erin, article=world.article)
    portal.article_publish(actor=world.sam, article=world.article)
    world.draft_article = portal.article_create(actor=world.erin, draft=draft)
    world.review_article = portal.article_submit(
        actor=world.erin, article=portal.article_create(actor=world.erin, draft=draft)
    )
    now = timezone.now()
    world.finding = Finding.objects.create(
        rule="duplicate_person",
        table="persons",
        key=str(world.alice.pk),
        region=world.alice.region,
        subject_type="person",
        subject_id=world.alice.pk,
        first_seen=now,
        last_seen=now,
    )
    world.visit = reviews.visit_end(actor=world.carol, topic="咨询灵活就业参保")
    world.material = applications.material_upload(
        actor=world.alice.user,
        application=world.case,
        name="人事档案（视同缴费年限认定）",
        file_name="id.pdf",
        data=PDF,
    )
    world.notification = Notification.objects.filter(recipient=world.alice.user).first()
    world.proof = exchange.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts={"insured": False}
    ).certificate
    bank = Consumer.objects.create(
        code="bank-xian", name="bank", kind="third_party", algorithm="ed25519", public_key="00"
    )
    from onestop.exchange import gateway
    from onestop.exchange.models import Resource

    gateway.grant_approve(
        actor=None,
        consumer=bank,
        resource=Resource.objects.get(code="hrss.proof_of_insurance"),
        purpose="loan",
        valid_until=None,
    )
    world.consent = exchange.consent_grant(
        actor=world.alice.user,
        consumer_code=bank.code,
        resource_code="hrss.proof_of_insurance",
        purpose="loan",
        days=30,
    )
    world.employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("5000"),
    )
    from onestop.contributions import uploads

    # A refused upload: its page and its error report.
    world.upload, _ = uploads.upload_receive(
        actor=world.bob.user,
        employer=world.acme,
        period=202410,
        kind="regular",
        name="bad.csv",
        content=f"公民身份号码,姓名,月工资\n{world.alice.resident_id},,abc\n".encode(),
        token="matrix",
    )
    uploads.upload_run(upload_id=world.upload.pk)
    world.unemployment_benefit = _unemployment_benefit(world)
    return world


def _unemployment_benefit(world: Any) -> Any:
    """A benefit of alice's in payment (straight in the tables: only its routes are tested)."""
    from onestop.unemployment.models import (
        BenefitPayrollRun,
        UnemploymentBenefit,
        UnemploymentRegistration,
    )

    # A month's run, for the pages and operations that read one.
    BenefitPayrollRun.objects.create(period=202610, created_at=timezone.now(), created_by="matrix")
    registration = UnemploymentRegistration.objects.create(
        person=world.alice, period=202611, channel="online", created_by="matrix"
    )
    return UnemploymentBenefit.objects.create(
        person=world.alice,
        registration=registration,
        case_number="SXMATRIX0001",
        region=world.alice.region,
        start_period=202611,
        months=12,
        end_period=202710,
        monthly_amount=Decimal("1944.00"),
    )


def _request(client: Client, route: Route, world: Any, **headers: str) -> Any:
    url = route.url(world)
    body = route.body_for(world) if route.body_for else route.body
    if body is not None:
        return getattr(client, route.method)(
            url, body, content_type="application/json", headers=headers
        )
    if route.form is not None:
        return getattr(client, route.method)(url, route.form(world), headers=headers)
    return getattr(client, route.method)(url, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_matrix(matrix_world: Any, persona: str, route: Route) -> None:
    """Each persona's browser, CSRF enforced and its token sent, gets the cell's status."""
    client = Client(enforce_csrf_checks=True)
    user = matrix_world.user(persona)
    if user is not None:
        client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    before = state(matrix_world)
    response = _request(
        client, route, matrix_world, **{"X-CSRFToken": client.cookies["csrftoken"].value}
    )
    expected = route.status_for(persona)
    assert response.status_code == expected, (persona, route.name, response.status_code)
    if (route.writes and expected >= 400) or (expected == LOGIN and persona == "anonymous"):
        assert state(matrix_world) == before
    if expected == 403:
        refused = Entry.objects.filter(action="access.refused", outcome="denied").last()
        assert refused is not None
        assert refused.changes["path"] == route.url(matrix_world).split("?")[0]


#: Staff of other departments (civil affairs, medical insurance; case workers in province
#: scope) run no part of the unemployment benefit: its staff page, the stop, the payroll and
#: its medical lines are all refused to them (403), nothing changes.
OTHER_DEPARTMENTS = ["cheng", "mei"]
UNEMPLOYMENT_STAFF_ROUTES = [
    r
    for r in ROUTES
    if r.name
    in {
        "unemployment benefits page",
        "record an unemployment benefit stop",
        "api record an unemployment benefit stop",
        "unemployment payroll page",
        "run unemployment payroll",
        "unemployment payroll run page",
        "api unemployment payroll run medical lines",
        "api unemployment payroll runs",
        "api run unemployment payroll",
    }
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHER_DEPARTMENTS)
@pytest.mark.parametrize(
    "route", UNEMPLOYMENT_STAFF_ROUTES, ids=[r.name for r in UNEMPLOYMENT_STAFF_ROUTES]
)
def test_other_departments_run_no_unemployment_benefit(
    matrix_world: Any, persona: str, route: Route
) -> None:
    """cheng (civil affairs) and mei (medical insurance) get 403 on every unemployment staff
    route (404 on one person's benefit: the person is not theirs to see), the denial
    journaled and nothing changed."""
    assert len(UNEMPLOYMENT_STAFF_ROUTES) == 9
    _refused_to_other_department(matrix_world, persona, route)


#: Routes of one person's record or benefit: to another department's officer the person is
#: not found, as to staff out of scope. The other routes (lists, pages) are refused (403).
OTHER_DEPARTMENT_NOT_FOUND = {
    "record an unemployment benefit stop",
    "api record an unemployment benefit stop",
    "person certificates",
    "person proof of insurance",
    "api issue proof",
    "person statement",
    "person statement pdf",
    "person flexible page",
    "api person flexible",
    "api statement",
    "api person in scope",
    "api person reveal",
}


def _refused_to_other_department(matrix_world: Any, persona: str, route: Route) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(matrix_world.user(persona))
    client.cookies["csrftoken"] = _get_new_csrf_string()
    before = state(matrix_world)
    response = _request(
        client, route, matrix_world, **{"X-CSRFToken": client.cookies["csrftoken"].value}
    )
    expected = 404 if route.name in OTHER_DEPARTMENT_NOT_FOUND else 403
    assert response.status_code == expected, (persona, route.name, response.status_code)
    assert state(matrix_world) == before
    assert str(matrix_world.alice.resident_id) not in response.content.decode(errors="replace")
    if expected == 403:
        refused = Entry.objects.filter(action="access.refused", outcome="denied").last()
        assert refused is not None and refused.changes["path"] == route.url(matrix_world)


def _token_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of the API operations a bearer token may call."""
    from config.api import api

    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if any("TokenAuth" in s for s in operation.get("security", []))
    }


def _template(url: str) -> str:
    """/api/v1/applications/SX1/claim -> the operation's path template."""
    from django.urls import resolve

    match = resolve(url.split("?")[0])
    return "/api/v1/" + str(match.route).removeprefix("api/v1/").replace("<int:", "{").replace(
        "<", "{"
    ).replace(">", "}")


API_WRITES = [r for r in ROUTES if r.writes and r.name.startswith("api ")]

#: Browser-session-only operations: a valid token is refused with 403 ``session_only``.
SESSION_ONLY = {
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
}


def _acting_persona(route: Route) -> str:
    """The first persona whose browser may do the write, else the first signed-in one."""
    allowed = [p for p in PERSONAS[1:] if route.status_for(p) < 400]
    return allowed[0] if allowed else PERSONAS[1]


#: Writes a persona's browser may make but a token of theirs may not: the scope is one their
#: role cannot hold in a token (alice reveals her own identifiers on the page only).
TOKEN_BEYOND_ROLE = {("alice", "api person reveal"): "persons:reveal"}


@pytest.mark.django_db
@pytest.mark.parametrize("route", API_WRITES, ids=[r.name for r in API_WRITES])
def test_api_write_with_a_token(matrix_world: Any, route: Route) -> None:
    """A machine with a token (no cookie, CSRF enforced) gets the browser's answer; a token
    without the operation's scope is refused and changes nothing."""
    from onestop.identity import services

    persona = _acting_persona(route)
    user = matrix_world.user(persona)
    every = services.token_scopes_for(user=user)  # all the scopes the persona's role can use
    full = services.token_create(actor=user, name="all", scopes=every, days=30)
    beyond_role = TOKEN_BEYOND_ROLE.get((persona, route.name))
    if beyond_role is not None:  # the browser may; no token of this role can carry the scope
        assert beyond_role not in every
    narrow = services.token_create(actor=user, name="me", scopes=["profile:read"], days=30)
    client = Client(enforce_csrf_checks=True)
    url = route.url(matrix_world)
    path = _template(url)
    if route.status_for("anonymous") != API_ANON:
        pytest.skip("a public operation: no credential involved")
    token_may_act = (route.method.upper(), path) in _token_operations()
    session_only = (route.method.upper(), path) in SESSION_ONLY

    before = state(matrix_world)
    refused = _request(client, route, matrix_world, Authorization=f"Bearer {narrow.secret}")
    assert refused.status_code in ({403} if token_may_act or session_only else {401}), (
        route.name,
        refused.status_code,
    )
    assert state(matrix_world) == before

    response = _request(client, route, matrix_world, Authorization=f"Bearer {full.secret}")
    expected = route.status_for(persona) if token_may_act else 403 if session_only else 401
    if beyond_role is not None:
        expected = 403
    assert response.status_code == expected, (persona, route.name, response.status_code)
    if expected >= 400:
        assert state(matrix_world) == before


def test_every_url_is_in_the_matrix() -> None:
    """A new route must be added to the matrix above."""
    from django.urls import get_resolver

    covered = {
        "",
        "login/",
        "staff/persons/",
        "staff/persons/<int:person_id>/",
        "staff/persons/<int:person_id>/reveal/",
        "security/staff/",
        "security/staff/<int:user_id>/<slug:action>/",
        "security/staff/<int:user_id>/change/",
        "audit/",
        "audit/export.csv",
        "audit/verify/",
        "account/password/",
        "account/tokens/",
        "account/tokens/<int:token_id>/revoke/",
        "employer/<int:employer_id>/",
        "verify/",
        "me/proof-of-insurance.pdf",
        "staff/persons/<int:person_id>/proof-of-insurance.pdf",
        "services/<str:code>/apply/",
        "counter/<str:code>/apply/",
        "me/applications/",
        "applications/<str:number>/",
        "applications/<str:number>/tasks/<str:task>/",
        "applications/<str:number>/withdraw/",
        "staff/queue/",
        "staff/cases/",
        "staff/queue/claim/",
        "staff/queue/assign/",
        "status/",
        "applications/<str:number>/claim/",
        "applications/<str:number>/result.pdf",
        "applications/<str:number>/receipt.pdf",
        "applications/<str:number>/notice.pdf",
        "applications/<str:number>/release/",
        "applications/<str:number>/handover/",
        "applications/<str:number>/comments/",
        "applications/<str:number>/escalate/",
        "applications/<str:number>/materials/",
        "applications/<str:number>/materials/<int:material_id>/",
        "me/inbox/",
        "me/pension/",
        "me/pension/statement.pdf",
        "me/pension/confirm/",
        "staff/payroll/",
        "staff/adjustments/",
        "staff/transfers/",
        "staff/survivors/",
        "applications/<str:number>/review/",
        "rate/<str:number>/",
        "ratings/",
        "rate/visit/<str:number>/",
        "staff/visits/",
        "staff/visits/<str:number>/",
        "staff/rectifications/",
        "staff/rectifications/<int:pk>/<str:action>/",
        "supervision/indicators/",
        "indicators/",
        "dashboards/",
        "dashboards/export.<str:fmt>",
        "staff/quality/",
        "staff/quality/scan/",
        "staff/quality/<int:pk>/<str:action>/",
        "content/",
        "content/<int:pk>/",
        "content/<int:pk>/files/<int:attachment_id>/",
        "search/",
        "display/",
        "staff/content/",
        "staff/content/new/",
        "staff/content/<int:pk>/",
        "staff/content/<int:pk>/<str:action>/",
        "me/data-use/",
        "me/consents/",
        "me/consents/<int:consent_id>/revoke/",
        "me/licences/",
        "staff/persons/<int:person_id>/certificates/",
        "staff/certificates/<str:number>/revoke/",
        "me/inbox/read-all/",
        "me/inbox/<int:notification_id>/read/",
        "supervision/",
        "services/",
        "services/bundles/<str:code>/",
        "services/<str:code>/",
        "employer/<int:employer_id>/employees/",
        "employer/<int:employer_id>/employees/<int:employment_id>/end/",
        "employer/<int:employer_id>/users/",
        "employer/<int:employer_id>/enrol/",
        "employer/<int:employer_id>/declarations/",
        "employer/<int:employer_id>/declarations/errors.csv",
        "employer/<int:employer_id>/declarations/template.<str:fmt>",
        "employer/<int:employer_id>/declarations/uploads/<int:upload_id>/",
        "employer/<int:employer_id>/declarations/uploads/<int:upload_id>/confirm/",
        "employer/<int:employer_id>/declarations/uploads/<int:upload_id>/errors.csv",
        "declarations/template.<str:fmt>",
        "employer/<int:employer_id>/bills/",
        "employer/<int:employer_id>/bills/sync/",
        "me/contributions/",
        "me/flexible/",
        "me/flexible/base/",
        "me/flexible/suspend/",
        "me/flexible/frequency/",
        "me/flexible/resume/",
        "me/flexible/sync/",
        "staff/persons/<int:person_id>/flexible/",
        "me/contributions/statement.pdf",
        "staff/persons/<int:person_id>/contributions/",
        "staff/persons/<int:person_id>/contributions/statement.pdf",
        "calculators/retirement/",
        "calculators/pension/",
        "calculators/unemployment-benefit/",
        "calculators/flexible-contribution/",
        "me/unemployment/",
        "staff/unemployment/",
        "staff/unemployment/<int:benefit_id>/stop/",
        "staff/unemployment/payroll/",
        "staff/unemployment/payroll/<str:month>/",
        # Sign-in steps, tested in test_auth; language switch, tested in the browser tests.
        "login/mfa/",
        "login/mfa/enrol/",
        "logout/",
        "i18n/setlang/",
        "favicon.ico",
    }
    found: set[str] = set()

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            else:
                found.add(route)

    walk(get_resolver().url_patterns, "")
    assert found == covered


def test_every_api_operation_is_in_the_matrix() -> None:
    from config.api import api

    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    covered = {
        ("GET", "/api/v1/regions"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/persons"),
        ("GET", "/api/v1/persons/{person_id}"),
        ("POST", "/api/v1/persons/{person_id}/reveal"),
        ("GET", "/api/v1/employers/{employer_id}"),
        ("GET", "/api/v1/audit/entries"),
        ("GET", "/api/v1/audit/verify"),
        ("GET", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/{token_id}"),
        # Creating a token is tested in test_api (it needs a body).
        ("POST", "/api/v1/tokens"),
        ("GET", "/api/v1/calculators/retirement"),
        ("POST", "/api/v1/calculators/pension"),
        ("POST", "/api/v1/calculators/account-interest"),
        ("POST", "/api/v1/calculators/contribution"),
        ("POST", "/api/v1/calculators/unemployment-benefit"),
        ("POST", "/api/v1/calculators/flexible-contribution"),
        ("GET", "/api/v1/employers/{employer_id}/registrations"),
        ("POST", "/api/v1/employers/{employer_id}/registrations"),
        ("GET", "/api/v1/employers/{employer_id}/employments"),
        ("POST", "/api/v1/employers/{employer_id}/employments"),
        ("POST", "/api/v1/employments/{employment_id}/end"),
        ("POST", "/api/v1/employers/{employer_id}/declarations"),
        ("POST", "/api/v1/employers/{employer_id}/declarations/file"),
        ("POST", "/api/v1/employers/{employer_id}/enrolments/file"),
        ("GET", "/api/v1/declarations/template"),
        ("GET", "/api/v1/employers/{employer_id}/declarations/template"),
        ("GET", "/api/v1/employers/{employer_id}/bills"),
        ("GET", "/api/v1/employers/{employer_id}/credits"),
        ("GET", "/api/v1/persons/{person_id}/statement"),
        ("GET", "/api/v1/me/flexible"),
        ("GET", "/api/v1/persons/{person_id}/flexible"),
        ("POST", "/api/v1/me/flexible/base"),
        ("POST", "/api/v1/me/flexible/suspend"),
        ("POST", "/api/v1/me/flexible/frequency"),
        ("POST", "/api/v1/me/flexible/resume"),
        ("POST", "/api/v1/applications"),
        ("GET", "/api/v1/applications/status"),
        ("GET", "/api/v1/applications/precheck"),
        ("GET", "/api/v1/applications/{number}/review"),
        ("GET", "/api/v1/applications/{number}"),
        ("POST", "/api/v1/applications/{number}/tasks/{task}"),
        ("GET", "/api/v1/queue"),
        ("POST", "/api/v1/queue/claim"),
        ("POST", "/api/v1/queue/assign"),
        ("GET", "/api/v1/cases"),
        ("POST", "/api/v1/applications/{number}/claim"),
        ("GET", "/api/v1/applications/{number}/result"),
        ("GET", "/api/v1/applications/{number}/receipt"),
        ("GET", "/api/v1/applications/{number}/notice"),
        ("POST", "/api/v1/applications/{number}/release"),
        ("POST", "/api/v1/applications/{number}/handover"),
        ("POST", "/api/v1/applications/{number}/escalate"),
        ("POST", "/api/v1/applications/{number}/comments"),
        ("POST", "/api/v1/applications/{number}/materials"),
        ("GET", "/api/v1/applications/{number}/materials/{material_id}"),
        ("GET", "/api/v1/inbox"),
        ("GET", "/api/v1/me/pension"),
        ("GET", "/api/v1/payroll/runs"),
        ("POST", "/api/v1/payroll/runs"),
        ("GET", "/api/v1/me/unemployment"),
        ("GET", "/api/v1/unemployment/payroll/runs"),
        ("POST", "/api/v1/unemployment/payroll/runs"),
        ("GET", "/api/v1/unemployment/payroll/runs/{month}/medical"),
        ("POST", "/api/v1/unemployment/benefits/{benefit_id}/stop"),
        ("POST", "/api/v1/adjustments"),
        ("POST", "/api/v1/adjustments/{year}/{action}"),
        ("GET", "/api/v1/me/retirement"),
        ("GET", "/api/v1/transfers"),
        ("POST", "/api/v1/transfers/internal"),
        ("GET", "/api/v1/survivors"),
        ("POST", "/api/v1/applications/{number}/review"),
        ("GET", "/api/v1/rectifications"),
        ("POST", "/api/v1/rectifications/{rect_id}/{action}"),
        ("GET", "/api/v1/ratings"),
        ("POST", "/api/v1/certificates/verify-file"),
        ("POST", "/api/v1/certificates/{number}/revoke"),
        ("GET", "/api/v1/gateway/resources"),
        ("POST", "/api/v1/gateway/query"),
        ("POST", "/api/v1/gateway/events"),
        ("GET", "/api/v1/me/data-use"),
        ("GET", "/api/v1/me/consents"),
        ("GET", "/api/v1/me/consents/offers"),
        ("POST", "/api/v1/me/consents"),
        ("POST", "/api/v1/me/consents/{consent_id}/revoke"),
        ("GET", "/api/v1/me/licences"),
        ("POST", "/api/v1/inbox/{notification_id}/read"),
        ("GET", "/api/v1/supervision/warnings"),
        ("GET", "/api/v1/supervision/rates"),
        ("GET", "/api/v1/supervision/indicators"),
        ("GET", "/api/v1/indicators"),
        ("GET", "/api/v1/quality/findings"),
        ("GET", "/api/v1/quality/scores"),
        ("POST", "/api/v1/quality/findings/{finding_id}/{action}"),
        ("GET", "/api/v1/portal/articles"),
        ("GET", "/api/v1/portal/articles/{article_id}"),
        ("GET", "/api/v1/portal/search"),
        ("POST", "/api/v1/visits"),
        ("GET", "/api/v1/dashboards"),
        ("POST", "/api/v1/visits/{number}/review"),
        ("GET", "/api/v1/certificates/keys"),
        ("GET", "/api/v1/certificates/pdf-chain"),
        ("GET", "/api/v1/certificates/pdf-root"),
        ("GET", "/api/v1/certificates/verify"),
        ("POST", "/api/v1/persons/{person_id}/proof-of-insurance"),
        ("GET", "/api/v1/catalogue/items"),
        ("GET", "/api/v1/catalogue/items/{code}"),
        ("GET", "/api/v1/catalogue/bundles"),
        ("GET", "/api/v1/validate/resident-id"),
        ("GET", "/api/v1/validate/credit-code"),
    }
    assert operations == covered


class _AnyObject:
    """Stands for the matrix world when a route's URL is read at collection time."""

    pk = 1
    number = "SX0"

    def __getattr__(self, name: str) -> _AnyObject:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _AnyObject:
        return self


def _person_route(route: Route) -> bool:
    url = route.url(_AnyObject())
    return url.startswith(("/staff/persons/", "/api/v1/persons"))


#: Every route of an insured person's record (list, detail, reveal, money, statements,
#: certificates, proofs), page and API.
PERSON_ROUTES = [r for r in ROUTES if _person_route(r)]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OTHER_DEPARTMENTS)
@pytest.mark.parametrize("route", PERSON_ROUTES, ids=[r.name for r in PERSON_ROUTES])
def test_other_departments_read_no_person_record(
    matrix_world: Any, persona: str, route: Route
) -> None:
    """cheng (civil affairs) and mei (medical insurance), case workers in province scope, get
    403 on every person route (404 on one person's: records, money and reveal are the HRSS
    staff's), nothing changed, no resident ID shown, a 403 journaled."""
    assert {"person list", "person reveal", "person flexible page", "api person flexible"} <= {
        r.name for r in PERSON_ROUTES
    }
    _refused_to_other_department(matrix_world, persona, route)
