"""The raw baselines of ``onestop bench reads``: a WSGI app without Django, one psycopg
query per request reading the rows a platform page reads, rendered as JSON.

Two variants, served by the same app:

* **authorized** (``/auth/<name>[/<key>]``, the baseline the ratio is taken against): what a
  province would write by hand instead of the platform, under the same constraints. It knows
  who asks and shows only what they may see:

  - pages take the platform's session cookie and read the session from the same store the
    platform's login writes (one Redis GET with ``REDIS_URL``, as in production; the
    ``django_session`` row otherwise). A server-side session, not a signed cookie, because
    the platform ends sessions on the server (sign-out, lockout, ``sessions_end``), which a
    signed cookie cannot express. The session's user hash (the platform's HMAC of the
    password hash and the session generation with ``SECRET_KEY``) is checked, so a password,
    role or scope change ends it; a staff session idle longer than
    ``STAFF_IDLE_TIMEOUT_SECONDS`` is refused;
  - API calls take ``Authorization: Bearer ost_<prefix>_<secret>``: the token found by its
    prefix, its SM3 hash compared in constant time, revoked or expired refused, the scope
    required;
  - the user must be active, and the rows are restricted in the same query that reads
    them: the session's or token's own person (statement, cases, licences), an employer
    the user holds a live role for (bills), the staff member's region scope (queue); the
    public status page needs the case's query code. Refused: 401, nothing read.

  Not done (the platform does them): rate limits, the staff last-seen and token last-used
  writes (once a minute each), the CSRF cookie, language and templates.
* **bare** (``/<name>/<key>``): no session, no token, no authorization: any person's rows to
  anyone, the lower bound of serving the same rows.

One connection per thread (as Django keeps), run by the same gunicorn with the same workers
as the platform. It knows ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL``, ``SECRET_KEY`` and
``STAFF_IDLE_TIMEOUT_SECONDS``.
"""

# Every query below is built from this module's own constants; values go as parameters.
# ruff: noqa: S608, S105

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pickle
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import psycopg
import redis
from cryptography.hazmat.primitives import hashes

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
    # Who am I (the API's cheapest signed-in read: the floor of a token's request).
    "me": (
        "SELECT u.username, p.id FROM identity_person p JOIN identity_user u "
        "ON u.id = p.user_id WHERE p.id = %s"
    ),
    # A case's public status: the case and its steps.
    "status": (
        "SELECT a.number, a.status, a.item_name, s.at::text, s.action, s.role "
        "FROM applications_application a LEFT JOIN applications_step s "
        "ON s.application_id = a.id WHERE a.number = %s ORDER BY s.at"
    ),
}

#: The authorized queries. Each reads the caller first (its first column is what proves the
#: caller: the password hash for a session, the token's hash for a bearer) and the rows through
#: a lateral join restricted to what that caller may see: no row at all is a refusal.
_PERSON_OF_SESSION = (
    "FROM identity_user u JOIN identity_person p ON p.user_id = u.id "
    "LEFT JOIN LATERAL ({rows}) x ON true WHERE u.id = %(user)s AND u.is_active"
)
_PERSON_OF_TOKEN = (
    "FROM identity_apitoken t JOIN identity_user u ON u.id = t.user_id AND u.is_active "
    "JOIN identity_person p ON p.user_id = u.id {extra}"
    "LEFT JOIN LATERAL ({rows}) x ON true "
    "WHERE t.prefix = %(prefix)s AND t.revoked_at IS NULL AND t.expires_at > now() "
    "AND ({scope})"
)
_STATEMENT_ROWS = (
    "SELECT l.period, e.name, l.kind, l.source_type, l.source_id, l.account, "
    "sum(l.amount)::text AS amount, max(l.base)::text AS base "
    "FROM contributions_ledgerentry l LEFT JOIN identity_employer e ON e.id = l.employer_id "
    "WHERE l.person_id = p.id AND l.insurance = 'pension' GROUP BY 1, 2, 3, 4, 5, 6"
)
#: What a session's hash is computed from: the password hash and the session generation,
#: raised by the platform whenever trust ends (password, role, scope, lockout, deactivation).
_TRUST = "SELECT u.password || '|' || u.session_generation, "
_SCOPE_PREFIX = (
    "CASE sr.level WHEN 'province' THEN left(sr.code, 2) WHEN 'city' THEN left(sr.code, 4) "
    "ELSE sr.code END"
)

#: name -> (who may ask: session, staff session, token or public; the query).
AUTHORIZED: dict[str, tuple[str, str]] = {
    # The statement page: the signed-in person's own ledger.
    "statement": (
        "session",
        _TRUST + "x.* " + _PERSON_OF_SESSION.format(rows=_STATEMENT_ROWS) + " ORDER BY x.period",
    ),
    # The statement API: the person of the path, only when it is the token's own person.
    "statement-api": (
        "token",
        "SELECT t.secret_hash, x.* "
        + _PERSON_OF_TOKEN.format(
            extra="AND p.id = %(key)s ",
            rows=_STATEMENT_ROWS,
            scope="t.scopes ? 'contributions:read' OR t.scopes ? 'profile:read'",
        )
        + " ORDER BY x.period",
    ),
    "cases": (
        "session",
        _TRUST
        + "x.* "
        + _PERSON_OF_SESSION.format(
            rows="SELECT number, item_name, status, submitted_at::text, deadline::text "
            "FROM applications_application WHERE applicant_id = p.id "
            "ORDER BY submitted_at DESC"
        ),
    ),
    "licences": (
        "session",
        _TRUST
        + "x.* "
        + _PERSON_OF_SESSION.format(
            rows="SELECT licence_type, number, title, valid_from, valid_until, "
            "obtained_at::text FROM exchange_elicence WHERE subject = p.resident_id_index "
            "ORDER BY licence_type, obtained_at DESC"
        ),
    ),
    # The queue: a staff member's, within the region scope of their profile.
    "queue": (
        "staff",
        _TRUST + "x.* FROM identity_user u "
        "JOIN identity_staffprofile sp ON sp.user_id = u.id "
        "JOIN identity_region sr ON sr.id = sp.region_id "
        "LEFT JOIN LATERAL (SELECT a.number, a.item_name, a.status, a.deadline::text, p.name "
        "FROM applications_application a JOIN identity_person p ON p.id = a.applicant_id "
        "JOIN identity_region r ON r.id = a.region_id "
        f"WHERE r.code LIKE {_SCOPE_PREFIX} || '%%' "
        "AND a.status NOT IN ('approved', 'rejected', 'not_accepted', 'withdrawn') "
        "AND EXISTS (SELECT 1 FROM applications_openstep o WHERE o.application_id = a.id) "
        "ORDER BY a.deadline, a.id LIMIT 25) x ON true "
        "WHERE u.id = %(user)s AND u.is_active",
    ),
    # An employer's bills: only for a user holding a live role for that employer.
    "bills": (
        "token",
        "SELECT t.secret_hash, x.* "
        + _PERSON_OF_TOKEN.format(
            extra="JOIN identity_employerrole er ON er.person_id = p.id "
            "AND er.employer_id = %(key)s AND er.revoked_at IS NULL ",
            rows="SELECT b.id, b.period, b.insurance, b.amount_due::text, b.due_date::text, "
            "coalesce(sum(pm.amount), 0)::text FROM contributions_bill b "
            "LEFT JOIN contributions_payment pm ON pm.bill_id = b.id "
            "WHERE b.employer_id = er.employer_id GROUP BY b.id ORDER BY b.period DESC, b.id",
            scope="t.scopes ? 'contributions:read'",
        ),
    ),
    # Who am I: the token's own user and person, nothing else read (the floor).
    "me": (
        "token",
        "SELECT t.secret_hash, u.username, p.id FROM identity_apitoken t "
        "JOIN identity_user u ON u.id = t.user_id AND u.is_active "
        "JOIN identity_person p ON p.user_id = u.id WHERE t.prefix = %(prefix)s "
        "AND t.revoked_at IS NULL AND t.expires_at > now() AND t.scopes ? 'profile:read'",
    ),
    # Public: the catalogue as the bare one; the status page needs the case's query code.
    "item": (
        "public",
        "SELECT true, x.* FROM (" + QUERIES["item"].replace("%s", "%(key)s") + ") x",
    ),
    "status": (
        "public",
        "SELECT true, a.number, a.status, a.item_name, s.at::text, s.action, s.role "
        "FROM applications_application a LEFT JOIN applications_step s "
        "ON s.application_id = a.id WHERE a.number = %(key)s AND a.code_hash = %(code)s "
        "ORDER BY s.at",
    ),
}

_local = threading.local()


def _cursor() -> psycopg.Cursor[Any]:
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        connection = _local.connection = psycopg.connect(
            os.environ["DATABASE_URL"], autocommit=True
        )
    return connection.cursor()


_redis: redis.Redis | None = None


def _session(key: str) -> dict[str, Any] | None:
    """The platform's session ``key``: from the Redis cache its login writes to (Django's
    cache backend: key ``:1:django.contrib.sessions.cache<key>``, the dict pickled), or from
    ``django_session`` (the embedded default: signed, maybe compressed JSON; read by the
    session key, the random secret, so the blob's own signature is not checked again)."""
    global _redis
    url = os.environ.get("REDIS_URL", "")
    if url:
        if _redis is None:
            _redis = redis.Redis.from_url(url)
        value = _redis.get(f":1:django.contrib.sessions.cache{key}")
        if not isinstance(value, bytes):
            return None
        return dict(pickle.loads(value))  # noqa: S301 - our own store
    with _cursor() as cursor:
        cursor.execute(
            "SELECT session_data FROM django_session WHERE session_key = %s "
            "AND expire_date > now()",
            (key,),
        )
        row = cursor.fetchone()
    if row is None:
        return None
    payload = row[0].rsplit(":", 2)[0]
    compressed = payload.startswith(".")
    payload = payload.lstrip(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return dict(json.loads(zlib.decompress(data) if compressed else data))


_HASH_SALT = "onestop.identity.User.session_auth_hash"


def _session_hash(trust: str) -> str:
    """The platform's session auth hash (``identity.models.User._get_session_auth_hash``,
    Django's ``salted_hmac`` with SHA-256) of ``password|session_generation``."""
    key = hashlib.sha256((_HASH_SALT + os.environ.get("SECRET_KEY", "")).encode()).digest()
    return hmac.new(key, trust.encode(), hashlib.sha256).hexdigest()


def _sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _refuse(start_response: Callable[[str, list[tuple[str, str]]], Any]) -> list[bytes]:
    start_response("401 Unauthorized", [("Content-Type", "text/plain")])
    return [b"unauthorized"]


def _authorized(
    name: str,
    key: str,
    environ: dict[str, Any],
    start_response: Callable[[str, list[tuple[str, str]]], Any],
) -> Iterable[bytes]:
    who, query = AUTHORIZED[name]
    params: dict[str, Any] = {"key": key}
    proof = ""
    if who in ("session", "staff"):
        try:
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        except CookieError:
            return _refuse(start_response)
        morsel = cookie.get(os.environ.get("SESSION_COOKIE_NAME", "sessionid"))
        session = _session(morsel.value) if morsel is not None else None
        if not session or "_auth_user_id" not in session:
            return _refuse(start_response)
        last_seen = session.get("onestop_last_seen")
        idle = float(os.environ.get("STAFF_IDLE_TIMEOUT_SECONDS", "1800"))
        if who == "staff" and last_seen is not None and time.time() - float(last_seen) > idle:
            return _refuse(start_response)
        params["user"] = int(session["_auth_user_id"])
        proof = str(session.get("_auth_user_hash", ""))
    elif who == "token":
        kind, _, secret = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        parts = secret.strip().split("_")
        if kind.lower() != "bearer" or len(parts) < 3 or parts[0] != "ost":
            return _refuse(start_response)
        params["prefix"] = parts[1]
        proof = _sm3_hex(secret.strip().encode("ascii", "replace"))
    elif name == "status":
        code = parse_qs(environ.get("QUERY_STRING", "")).get("code", [""])[0]
        params["code"] = _sm3_hex(code.strip().upper().encode())
    with _cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if who != "public":
        if not rows:
            return _refuse(start_response)
        expected = _session_hash(rows[0][0]) if who in ("session", "staff") else rows[0][0]
        if not hmac.compare_digest(expected, proof):
            return _refuse(start_response)
    data = [row[1:] for row in rows if any(v is not None for v in row[1:])]
    if name == "status" and not data:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    return _json(data, start_response)


def _json(
    rows: Any, start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    body = json.dumps(rows, ensure_ascii=False, default=str).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def app(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    """``GET /auth/<name>[/<key>]``: the rows of authorized query ``name`` the caller may
    see; ``GET /<name>/<key>``: the rows of bare query ``name`` for ``key``; as JSON."""
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if parts[0] == "auth" and len(parts) in (2, 3) and parts[1] in AUTHORIZED:
        return _authorized(parts[1], parts[2] if len(parts) == 3 else "", environ, start_response)
    query = QUERIES.get(parts[0])
    if query is None or len(parts) != 2:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    with _cursor() as cursor:
        cursor.execute(query, (parts[1],))
        rows = cursor.fetchall()
    return _json(rows, start_response)
