"""Data-quality rules, the scan's merge, the work list's actions and their authorization."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import services as contributions
from onestop.contributions.services import DeclaredRow
from onestop.exchange.models import Message
from onestop.identity import demo
from onestop.identity.models import Person
from onestop.identity.selectors import resident_id_key
from onestop.identity.services import employer_register
from onestop.pensions.models import Pensioner
from onestop.quality import checks, selectors, services
from onestop.quality.models import Finding, FindingStatus, Scan, Tally

TODAY = dt.date(2026, 11, 23)


def legacy_person(world: Any, name: str, resident_id: str, birth: dt.date, sex: str) -> Person:
    """A record as migrated from a legacy system: stored as it was, not re-validated."""
    return Person.objects.create(
        name=name,
        resident_id=resident_id,
        resident_id_index=resident_id_key(resident_id),
        birth_date=birth,
        sex=sex,
        region=world.regions["610113"],
    )


def employ(
    world: Any, employer: Any, person: Person, months: list[int], wage: str = "6000"
) -> None:
    contributions.insurance_register(
        actor=None, employer=employer, insurances=["pension"], since_period=months[0]
    )
    contributions.employment_start(
        actor=None,
        employer=employer,
        resident_id=person.resident_id,
        start_period=months[0],
        wage=Decimal(wage),
    )
    for period in months:
        result = contributions.declaration_submit(
            actor=None,
            employer=employer,
            period=period,
            rows=[DeclaredRow(2, person.resident_id, wage)],
            today=TODAY,
        )
        assert result.accepted, result.reply


def second_employer(world: Any) -> Any:
    return employer_register(
        actor=None,
        name="西安雁塔某物业服务有限公司",
        credit_code=demo.credit_code(random.Random(77), "610113"),
        region=world.regions["610113"],
        legal_representative="王某",
    )


def codes(hits: list[checks.Hit]) -> list[tuple[str, str]]:
    return [(h.subject_type, h.key) for h in hits]


# --- the rules -------------------------------------------------------------------------


def test_duplicate_persons_are_one_finding_on_the_first_record(world: Any) -> None:
    other_id = demo.resident_id(random.Random(9), "610113", dt.date(1966, 1, 15), male=False)
    twin = legacy_person(world, world.alice.name, other_id, dt.date(1966, 1, 15), "female")
    hits = checks.duplicate_persons()
    assert [(h.key, h.detail) for h in hits] == [
        (str(world.alice.pk), {"persons": [world.alice.pk, twin.pk]})
    ]
    assert checks.duplicate_persons(twin.pk) == hits
    assert checks.duplicate_persons(world.bob.pk) == []


def test_invalid_and_inconsistent_resident_ids(world: Any) -> None:
    good = demo.resident_id(random.Random(5), "610113", dt.date(1980, 2, 29), male=True)
    broken = good[:-1] + ("0" if good[-1] != "0" else "1")
    bad = legacy_person(world, "甲", broken, dt.date(1980, 2, 29), "male")
    wrong = legacy_person(world, "乙", good, dt.date(1980, 3, 1), "female")
    assert [(h.key, h.detail) for h in checks.invalid_resident_ids()] == [
        (str(bad.pk), {"reason": "checksum"})
    ]
    assert [(h.key, h.detail) for h in checks.inconsistent_resident_ids()] == [
        (
            str(wrong.pk),
            {
                "recorded_vs_id": {
                    "birth_date": ["1980-03-01", "1980-02-29"],
                    "sex": ["female", "male"],
                }
            },
        )
    ]
    # The detail never carries the identifier itself.
    assert good not in json.dumps([h.detail for h in checks.inconsistent_resident_ids()])


def test_invalid_credit_code(world: Any) -> None:
    code = world.acme.credit_code
    type(world.acme).objects.filter(pk=world.acme.pk).update(
        credit_code=code[:-1] + ("0" if code[-1] != "0" else "1")
    )
    assert codes(checks.invalid_credit_codes()) == [("employer", str(world.acme.pk))]


def test_concurrent_contributions_count_net_months(world: Any) -> None:
    """Records that came from before the platform refused a second pension payer (a
    legacy migration): the data-quality rule finds the month two employers paid."""
    from onestop.contributions.models import PensionMonth

    employ(world, world.acme, world.alice, [202401, 202402, 202403])
    PensionMonth.objects.filter(person=world.alice, period=202403).delete()  # legacy data
    employ(world, second_employer(world), world.alice, [202403, 202404, 202405])
    hits = checks.concurrent_contributions()
    assert [(h.key, h.detail) for h in hits] == [
        (str(world.alice.pk), {"months": 1, "first": 202403})
    ]


def test_contributions_before_working_age(world: Any) -> None:
    young_id = demo.resident_id(random.Random(6), "610113", dt.date(2008, 6, 10), male=True)
    young = legacy_person(world, "丙", young_id, dt.date(2008, 6, 10), "male")
    employ(world, world.acme, young, [202405, 202406, 202407, 202408])
    hits = checks.contributions_before_working_age()
    # 16 in June 2024: May 2024 is the one month before working age.
    assert [(h.key, h.detail) for h in hits] == [(str(young.pk), {"months": 1, "first": 202405})]


def test_pensioner_still_contributing_from_the_first_month_paid(world: Any) -> None:
    employ(world, world.acme, world.alice, [202411, 202412, 202501, 202502])
    pensioner = Pensioner.objects.create(
        person=world.alice,
        case_number="T-1",
        region=world.alice.region,
        retirement_month="2025-01",
        start_index=2025 * 12 + 0,
        monthly_amount=Decimal("3000.00"),
        award={},
    )
    hits = checks.pensioners_contributing()
    assert [(h.key, h.detail) for h in hits] == [
        (str(pensioner.pk), {"months": 2, "first": 202501})
    ]
    Pensioner.objects.filter(pk=pensioner.pk).update(status="stopped")
    assert checks.pensioners_contributing() == []


# --- the scan --------------------------------------------------------------------------


def test_scan_opens_keeps_and_clears_findings_and_tallies_records(world: Any) -> None:
    other_id = demo.resident_id(random.Random(9), "610113", dt.date(1966, 1, 15), male=False)
    twin = legacy_person(world, world.alice.name, other_id, dt.date(1966, 1, 15), "female")
    first = services.scan(registries=False)
    assert (first.scan.found, first.scan.opened, first.scan.cleared) == (1, 1, 0)
    assert first.scan.registries == "off"
    finding = Finding.objects.get()
    assert (finding.rule, finding.status, finding.region.code) == (
        "duplicate_person",
        "open",
        "610113",
    )
    tallies = {(t.region.code, t.table): t.records for t in Tally.objects.filter(scan=first.scan)}
    assert tallies[("610113", "persons")] == 2
    assert tallies[("610103", "persons")] == 1
    assert tallies[("610113", "employers")] == 1

    again = services.scan(registries=False)
    assert (again.scan.found, again.scan.opened, again.scan.cleared) == (1, 0, 0)
    assert Finding.objects.count() == 1

    twin.name = "李爱莉"
    twin.save()
    cleared = services.scan(registries=False)
    assert (cleared.scan.found, cleared.scan.opened, cleared.scan.cleared) == (0, 0, 1)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLEARED
    assert Entry.objects.filter(action="quality.scan").count() == 3


def test_a_dismissed_finding_stays_dismissed_and_a_resolved_one_reopens(world: Any) -> None:
    other_id = demo.resident_id(random.Random(9), "610113", dt.date(1966, 1, 15), male=False)
    twin = legacy_person(world, world.alice.name, other_id, dt.date(1966, 1, 15), "female")
    services.scan(registries=False)
    finding = Finding.objects.get()
    services.finding_dismiss(actor=world.carol, finding=finding, note="两人不同：已核对户籍。")
    services.scan(registries=False)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED

    Finding.objects.filter(pk=finding.pk).update(status=FindingStatus.RESOLVED)
    report = services.scan(registries=False)
    finding.refresh_from_db()
    assert (finding.status, report.scan.opened) == (FindingStatus.OPEN, 1)
    assert twin.pk in finding.detail["persons"]


# --- working a finding -----------------------------------------------------------------


@pytest.fixture
def wrong(world: Any) -> tuple[Person, Finding]:
    good = demo.resident_id(random.Random(5), "610113", dt.date(1980, 2, 29), male=True)
    person = legacy_person(world, "乙", good, dt.date(1980, 3, 1), "male")
    services.scan(registries=False)
    return person, Finding.objects.get(rule="inconsistent_resident_id")


def test_resolve_refuses_while_the_rule_still_finds_it(world: Any, wrong: Any) -> None:
    person, finding = wrong
    with pytest.raises(ServiceError) as refused:
        services.finding_resolve(actor=world.carol, finding=finding, note="已更正")
    assert refused.value.code == "still_found"
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1980, 2, 29))
    services.finding_resolve(actor=world.carol, finding=finding, note="按户籍更正出生日期。")
    finding.refresh_from_db()
    assert (finding.status, finding.resolved_by) == (FindingStatus.RESOLVED, "carol")
    assert Entry.objects.filter(action="quality.finding.resolved").count() == 1


def test_correct_takes_birth_date_and_sex_from_the_id_and_journals_both(
    world: Any, wrong: Any
) -> None:
    person, finding = wrong
    services.finding_correct(actor=world.carol, finding=finding, note="以身份证为准。")
    person.refresh_from_db()
    finding.refresh_from_db()
    assert (person.birth_date, person.sex) == (dt.date(1980, 2, 29), "male")
    assert finding.status == FindingStatus.RESOLVED
    entry = Entry.objects.get(action="identity.person.corrected")
    assert entry.changes["before"] == {"birth_date": "1980-03-01", "sex": "male"}
    assert entry.changes["after"] == {"birth_date": "1980-02-29", "sex": "male"}
    with pytest.raises(ServiceError) as again:
        services.finding_correct(actor=world.carol, finding=finding, note="again")
    assert again.value.code == "state"


def test_correct_is_refused_for_a_rule_without_a_correction(world: Any) -> None:
    other_id = demo.resident_id(random.Random(9), "610113", dt.date(1966, 1, 15), male=False)
    legacy_person(world, world.alice.name, other_id, dt.date(1966, 1, 15), "female")
    services.scan(registries=False)
    finding = Finding.objects.get()
    with pytest.raises(ServiceError) as refused:
        services.finding_correct(actor=world.carol, finding=finding, note="x")
    assert refused.value.code == "not_correctable"


@pytest.mark.parametrize("note", ["", "   ", "x" * 1001])
def test_a_note_is_required(world: Any, wrong: Any, note: str) -> None:
    _person, finding = wrong
    with pytest.raises(ServiceError):
        services.finding_dismiss(actor=world.carol, finding=finding, note=note)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


@pytest.mark.parametrize("who", ["mallory", "erin", "cheng", "adam"])
def test_out_of_scope_or_other_roles_may_not_work_a_finding(
    world: Any, wrong: Any, who: str
) -> None:
    person, finding = wrong
    actor = getattr(world, who)
    with pytest.raises(NotPermitted):
        services.finding_correct(actor=actor, finding=finding, note="x")
    person.refresh_from_db()
    finding.refresh_from_db()
    assert person.birth_date == dt.date(1980, 3, 1)
    assert finding.status == FindingStatus.OPEN
    assert not Entry.objects.filter(action__startswith="quality.finding").exists()


def test_scores_per_county_and_table(world: Any, wrong: Any) -> None:
    scores = {(s.region_code, s.table): s for s in selectors.scores_for(actor=world.sam)}
    yanta = scores[("610113", "persons")]
    assert (yanta.records, yanta.findings, yanta.score) == (2, 1, Decimal("50.0"))
    assert scores[("610103", "persons")].score == Decimal("100.0")
    # carol sees Yanta only.
    assert {s.region_code for s in selectors.scores_for(actor=world.carol)} == {"610113"}
    with pytest.raises(NotPermitted):
        selectors.scores_for(actor=world.alice.user)


# --- pages and API ---------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_worklist_page_and_actions(world: Any, wrong: Any) -> None:
    person, finding = wrong
    client = signed_in(world.carol)
    page = client.get(reverse("quality:worklist"))
    assert page.status_code == 200
    assert f'id="finding-{finding.pk}"' in page.content.decode()
    # The identifier is not on the page; the record is shown by its masked name and ID,
    # never by its database id.
    assert person.resident_id not in page.content.decode()
    from onestop.identity.masking import mask_name, mask_resident_id

    masked = f"{mask_name(person.name)} · {mask_resident_id(person.resident_id)}"
    assert f">参保人 {masked}</a>" in page.content.decode()
    assert f"参保人 {person.pk}<" not in page.content.decode()
    english = client.get(reverse("quality:worklist"), HTTP_ACCEPT_LANGUAGE="en")
    assert f">person {masked}</a>" in english.content.decode()
    done = client.post(
        reverse("quality:act", args=[finding.pk, "correct"]), {"note": "以身份证为准。"}
    )
    assert done.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED


def test_worklist_refuses_others_and_hides_out_of_scope_findings(world: Any, wrong: Any) -> None:
    _person, finding = wrong
    assert signed_in(world.alice.user).get(reverse("quality:worklist")).status_code == 403
    answer = signed_in(world.mallory).post(
        reverse("quality:act", args=[finding.pk, "dismiss"]), {"note": "x"}
    )
    assert answer.status_code == 404
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    # Only supervisors run a scan on demand.
    scans = Scan.objects.count()
    assert signed_in(world.carol).post(reverse("quality:scan")).status_code == 403
    assert Scan.objects.count() == scans
    assert signed_in(world.sam).post(reverse("quality:scan")).status_code == 302
    assert Scan.objects.count() == scans + 1


def test_api_lists_scores_and_acts(world: Any, wrong: Any) -> None:
    _person, finding = wrong
    client = signed_in(world.carol)
    listed = client.get("/api/v1/quality/findings").json()
    assert [f["id"] for f in listed] == [finding.pk]
    assert listed[0]["rule"] == "inconsistent_resident_id"
    scores = client.get("/api/v1/quality/scores").json()
    assert {"region": "610113", "table": "persons", "records": 2, "findings": 1} in [
        {k: s[k] for k in ("region", "table", "records", "findings")} for s in scores
    ]
    refused = client.post(
        f"/api/v1/quality/findings/{finding.pk}/resolve",
        data={"note": "done"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "still_found"
    hidden = signed_in(world.mallory).get("/api/v1/quality/findings").json()
    assert hidden == []


# --- registries ------------------------------------------------------------------------


def test_registry_rules_through_the_gateway(world: Any, registry: Any) -> None:
    employ(world, world.acme, world.alice, [202601, 202602, 202603])
    registry.put(
        "market_regulation",
        "enterprises",
        world.acme.credit_code,
        {"name": world.acme.name, "status": "注销", "deregistered_on": "2026-02-10"},
    )
    pensioner = Pensioner.objects.create(
        person=world.bob,
        case_number="T-2",
        region=world.bob.region,
        retirement_month="2025-01",
        start_index=2025 * 12,
        monthly_amount=Decimal("3000.00"),
        award={},
    )
    registry.put("public_security", "household", world.bob.resident_id, {"name": "白博闻"})
    report = services.scan()
    assert report.scan.registries == "checked"
    assert report.by_rule["employer_deregistered"] == 1
    assert report.by_rule["household_name_differs"] == 1
    deregistered = Finding.objects.get(rule="employer_deregistered")
    assert deregistered.detail == {"deregistered_on": "2026-02-10", "last_declared": 202603}
    assert Finding.objects.get(rule="household_name_differs").subject_id == pensioner.pk
    # Each look-up is in the exchange's message log, with its purpose.
    assert Message.objects.filter(purpose=checks.PURPOSE, direction="out").count() == 2


def test_unreachable_registries_wait_and_the_other_rules_still_run(
    world: Any, settings: Any
) -> None:
    settings.ONESTOP_REGISTRY_URL = "http://127.0.0.1:9"
    employ(world, world.acme, world.alice, [202601])
    other_id = demo.resident_id(random.Random(9), "610113", dt.date(1966, 1, 15), male=False)
    legacy_person(world, world.alice.name, other_id, dt.date(1966, 1, 15), "female")
    report = services.scan()
    assert report.scan.registries == "unavailable"
    assert report.by_rule == {
        "duplicate_person": 1,
        "invalid_resident_id": 0,
        "inconsistent_resident_id": 0,
        "invalid_credit_code": 0,
        "before_working_age": 0,
        "concurrent_contributions": 0,
        "pensioner_contributing": 0,
        "household_name_differs": 0,  # no pensioner: nothing to ask
    }
