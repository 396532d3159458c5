"""The raw baseline of ``onestop bench reads``: a bare WSGI app, one psycopg query per
request reading the rows a platform page reads, rendered as JSON.

No Django, no session, no permission check, no template: the fastest honest way to serve the
same rows from the same database, run by the same gunicorn with the same workers. It knows
only ``DATABASE_URL`` (PostgreSQL). Routes: ``/<name>/<key>``, one per endpoint of the bench.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

#: One query per endpoint: the rows the platform's page or API reads for it.
QUERIES: dict[str, str] = {
    # The statement (page and API): the person's pension ledger, one row per month, employer,
    # kind and source, with the bases, and the bills behind the declarations.
    "statement": (
        "SELECT l.period, e.name, l.kind, l.source_type, l.source_id, l.account, "
        "sum(l.amount)::text, max(l.base)::text FROM contributions_ledgerentry l "
        "LEFT JOIN identity_employer e ON e.id = l.employer_id "
        "WHERE l.person_id = %s AND l.insurance = 'pension' "
        "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1"
    ),
    # The person's cases, newest first.
    "cases": (
        "SELECT number, item_name, status, submitted_at::text, deadline::text "
        "FROM applications_application WHERE applicant_id = %s ORDER BY submitted_at DESC"
    ),
    # A case worker's queue: the first page of open cases in the worker's region scope.
    "queue": (
        "SELECT a.number, a.item_name, a.status, a.deadline::text, p.name "
        "FROM applications_application a JOIN identity_person p ON p.id = a.applicant_id "
        "JOIN identity_region r ON r.id = a.region_id "
        "WHERE r.code LIKE %s || '%%' "
        "AND a.status NOT IN ('approved', 'rejected', 'not_accepted', 'withdrawn') "
        "AND EXISTS (SELECT 1 FROM applications_openstep o WHERE o.application_id = a.id) "
        "ORDER BY a.deadline, a.id LIMIT 25"
    ),
    # An employer's bills with what was paid on each.
    "bills": (
        "SELECT b.id, b.period, b.insurance, b.amount_due::text, b.due_date::text, "
        "coalesce(sum(p.amount), 0)::text FROM contributions_bill b "
        "LEFT JOIN contributions_payment p ON p.bill_id = b.id WHERE b.employer_id = %s "
        "GROUP BY b.id ORDER BY b.period DESC, b.id"
    ),
    # The person's e-licences (by the blind key of their resident ID).
    "licences": (
        "SELECT licence_type, number, title, valid_from, valid_until, obtained_at::text "
        "FROM exchange_elicence WHERE subject = %s ORDER BY licence_type, obtained_at DESC"
    ),
    # A catalogue item: its current published version.
    "item": (
        "SELECT code, version, name, name_en, materials::text, legal_limit_days, "
        "promised_limit_days, channels::text FROM catalogue_serviceitem "
        "WHERE code = %s AND published ORDER BY version DESC LIMIT 1"
    ),
    # A case's public status: the case and its steps.
    "status": (
        "SELECT a.number, a.status, a.item_name, s.at::text, s.action, s.role "
        "FROM applications_application a LEFT JOIN applications_step s "
        "ON s.application_id = a.id WHERE a.number = %s ORDER BY s.at"
    ),
}

_connection: psycopg.Connection[Any] | None = None


def _cursor() -> psycopg.Cursor[Any]:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection.cursor()


def app(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    """``GET /<name>/<key>``: the rows of query ``name`` for ``key``, as JSON."""
    parts = environ.get("PATH_INFO", "").strip("/").split("/", 1)
    query = QUERIES.get(parts[0])
    if query is None or len(parts) != 2:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    with _cursor() as cursor:
        cursor.execute(query, (parts[1],))
        rows = cursor.fetchall()
    body = json.dumps(rows, ensure_ascii=False, default=str).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
