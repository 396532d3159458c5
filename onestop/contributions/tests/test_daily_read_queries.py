"""Every daily read of ``onestop bench reads`` costs a fixed number of queries, however
many months, cases or persons there are: the counts are pinned here (counts, not timings).

A request after the first one of a session (the session already loaded and its last-seen
time fresh) is what a person or case worker sends all day; that one is counted."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import reads
from onestop.applications import services as applications

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}

#: Queries of one request, per endpoint of the bench. The statement page: session, user
#: with profile and person, the ledger, its unpaid declarations, the credited years (16
#: before the interest was computed from the statement's rows; 7 before the book rates and
#: crediting methods were kept by the process, ``parameters.selectors.interest_table``).
#: The queue page: session, user with profile, region and agency, the counts over the queue
#: (one query over its eligible steps, which also counts the pages), the page's cases, their
#: steps, supplements waiting (13 before it was paged in SQL, and one more a case; 8 before
#: the items of the filter and their names were kept by the process, ``answers.kept``, which
#: also spared the my-cases and status pages their item names). The catalogue item API
#: answers its second request from the cache (``onestop.common.answers``; one query before).
#: The bills API reads the payments' dates in one query more (the surcharge each payment
#: earned, ``rules.contributions.late_fee_accrued``; 4 before). The statement (page and API)
#: and the bills are kept under a fingerprint of their inputs (``contributions.kept``): one
#: query replaces the ledger, its unpaid declarations and the credited years (5 before), the
#: bills and their payments (5 before).
EXPECTED = {
    "statement page": 3,
    "statement API": 2,  # the token and its user, the fingerprint (one's own person: no read)
    "who am I API": 2,
    "my cases page": 4,
    "e-licences page": 3,
    "queue page": 6,
    "bills API": 4,
    "catalogue item API": 0,
    "status page": 2,
}


@pytest.mark.django_db
def test_each_daily_read_runs_a_fixed_number_of_queries(world: Any) -> None:
    """The second request of each endpoint's first sampled caller: the pinned count, and
    200."""
    for _ in range(3):
        applications.application_submit(
            actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
        )
    reads.prepare(persons=30, rng=random.Random(1), write=lambda _: None)
    endpoints = reads.sign_in(rng=random.Random(2))
    counts = {}
    for endpoint in endpoints:
        path, headers = endpoint.requests[0]
        client = Client()
        assert client.get(path, headers=headers).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, endpoint.name
        counts[endpoint.name] = len(queries)
    assert counts == EXPECTED
