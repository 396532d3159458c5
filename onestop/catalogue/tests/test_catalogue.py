"""The catalogue: seeded items, versioning that never rewrites, guides, API and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.audit.models import Entry
from onestop.catalogue import selectors, services
from onestop.catalogue.models import ServiceItem
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.common.models import AppendOnlyError

pytestmark = pytest.mark.django_db


def test_default_catalogue_has_the_standard_items() -> None:
    codes = {i.code for i in selectors.items_current()}
    assert len(codes) == 10
    retirement = selectors.item_get(code="SX-SI-006")
    assert (
        retirement.legal_limit_days,
        retirement.promised_limit_days,
        retirement.visits_required,
    ) == (20, 10, 0)
    assert "第十六条" in retirement.legal_basis
    for item in selectors.items_current():
        assert item.promised_limit_days <= item.legal_limit_days
        assert item.materials and item.channels


def test_guide_splits_materials_and_counts_working_days() -> None:
    guide = selectors.guide_of(
        item=selectors.item_get(code="SX-SI-008"), today=dt.date(2026, 9, 28)
    )
    assert guide.to_upload == []  # death certificate, ID and relation all come from data
    assert [m["replaceable_by"] for m in guide.replaced] == [
        "shared_data",
        "elicence",
        "shared_data",
    ]
    # 10 working days from Monday 2026-09-28 skip the National Day holiday (the official
    # calendar's 2026 data, adjusted working days included): 2026-10-16, where counting
    # Monday to Friday alone would give 2026-10-12.
    assert guide.deadline_if_filed_today.date == dt.date(2026, 10, 16)
    assert guide.compression == 50


def test_publishing_a_version_keeps_the_old_one(world: Any) -> None:
    n = selectors.item_get(code="SX-SI-006").version  # the migrations' latest
    new = services.item_publish(
        actor=world.adam, code="SX-SI-006", values={"promised_limit_days": 5}, note="faster"
    )
    assert (new.version, new.promised_limit_days, new.legal_limit_days) == (n + 1, 5, 20)
    assert selectors.item_get(code="SX-SI-006").version == n + 1
    assert selectors.item_get(code="SX-SI-006", version=n).promised_limit_days == 10
    old = ServiceItem.objects.get(code="SX-SI-006", version=1)
    old.name = "changed"
    with pytest.raises(AppendOnlyError):
        old.save()
    assert Entry.objects.get(action="catalogue.item.published").actor_label == "adam"


@pytest.mark.parametrize(
    "values", [{"promised_limit_days": 30}, {"channels": ["fax"]}, {"visits_required": 9}]
)
def test_bad_versions_are_refused(world: Any, values: dict[str, Any]) -> None:
    before = ServiceItem.objects.count()
    with pytest.raises(ServiceError):
        services.item_publish(actor=world.adam, code="SX-SI-006", values=values)
    assert ServiceItem.objects.count() == before


@pytest.mark.parametrize("actor", ["sean", "audrey", "carol", "erin"])
def test_only_the_system_administrator_publishes(world: Any, actor: str) -> None:
    before = ServiceItem.objects.count()
    with pytest.raises(NotPermitted):
        services.item_publish(actor=getattr(world, actor), code="SX-SI-006", values={})
    assert ServiceItem.objects.count() == before


def test_search_and_channels() -> None:
    assert [i.code for i in selectors.items_current(query="失业")] == ["SX-EMP-001", "SX-SI-009"]
    assert [i.code for i in selectors.items_current(query="transfer")] == ["SX-SI-007"]
    kiosk = {i.code for i in selectors.items_current(channel="kiosk")}
    assert kiosk == {"SX-SI-002", "SX-SI-004", "SX-SI-005", "SX-EMP-001"}
    with pytest.raises(NotFound):
        selectors.item_get(code="NOPE")


def test_api_and_pages(client: Client) -> None:
    body = client.get("/api/v1/catalogue/items/SX-SI-004").json()
    assert (body["promised_limit_days"], body["visits_required"]) == (0, 0)
    assert body["materials"][0]["replaceable_by"] == "elicence"
    bundles = client.get("/api/v1/catalogue/bundles").json()
    assert [b["code"] for b in bundles] == ["BUNDLE-DEATH", "BUNDLE-RETIRE"]
    assert [i["code"] for i in bundles[1]["items"]] == ["SX-SI-006", "SX-SI-004"]
    page = client.get("/services/SX-SI-008/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing: the platform obtains everything itself." in page
    assert client.get("/services/?q=%E9%80%80%E4%BC%91").status_code == 200
    assert client.get("/services/bundles/NOPE/").status_code == 404


def test_staff_are_offered_the_counter_not_the_citizens_form(world: Any) -> None:
    """A case worker's guide and list offer filing at the counter; the citizen's online form
    (which answers 403 to staff) is not offered to staff; a citizen gets it."""
    from django.test import Client

    carol, alice = Client(), Client()
    carol.force_login(world.carol)
    alice.force_login(world.alice.user)
    for url in ("/services/SX-SI-004/", "/services/"):
        staff_page = carol.get(url).content.decode()
        assert "/services/SX-SI-004/apply/" not in staff_page
        assert "/counter/SX-SI-004/apply/" in staff_page
        assert "/services/SX-SI-004/apply/" in alice.get(url).content.decode()


def test_the_item_answer_is_kept_until_a_version_is_published(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The second request for an item is answered from the cache without a query, byte for
    byte the first answer; once a new version's publishing commits, the next request shows
    it; a version asked for by number and an unknown item answer as before."""
    client = Client(enforce_csrf_checks=True)
    first = client.get("/api/v1/catalogue/items/SX-SI-006")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/v1/catalogue/items/SX-SI-006")
    assert (second.status_code, second.content, len(queries)) == (200, first.content, 0)
    assert second["Content-Type"] == "application/json; charset=utf-8"
    with django_capture_on_commit_callbacks(execute=True):
        services.item_publish(
            actor=world.adam, code="SX-SI-006", values={"promised_limit_days": 5}, note="faster"
        )
    now = client.get("/api/v1/catalogue/items/SX-SI-006").json()
    n = first.json()["version"]
    assert (now["version"], now["promised_limit_days"]) == (n + 1, 5)
    old = client.get(f"/api/v1/catalogue/items/SX-SI-006?version={n}").json()
    assert (old["version"], old["promised_limit_days"]) == (n, 10)
    for _ in range(2):
        missing = client.get("/api/v1/catalogue/items/NOPE")
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_a_publish_that_rolls_back_keeps_the_answer(world: Any) -> None:
    """A refused publish (nothing committed) leaves the kept answer in place, and it is
    still the published version."""
    client = Client()
    first = client.get("/api/v1/catalogue/items/SX-SI-006").content
    with pytest.raises(ServiceError):
        services.item_publish(actor=world.adam, code="SX-SI-006", values={"visits_required": 9})
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/catalogue/items/SX-SI-006").content == first
    assert len(queries) == 0


def test_item_names_and_choices_are_kept_until_a_version_is_published(world: Any) -> None:
    """Item names and the queue filter's choices are read once, then kept by the process (no
    query); publishing a version shows its name at once, even before the commit."""
    assert selectors.item_name(code="SX-SI-006") == selectors.item_get(code="SX-SI-006").name
    choices = selectors.processed_item_choices()
    with CaptureQueriesContext(connection) as queries:
        selectors.item_name(code="SX-SI-006")
        assert selectors.processed_item_choices() == choices
    assert len(queries) == 0
    choices.clear()  # the caller's copy: the kept list stays as it was
    assert selectors.processed_item_choices() != []
    services.item_publish(actor=world.adam, code="SX-SI-006", values={"name": "新名称"})
    assert selectors.item_name(code="SX-SI-006") == "新名称"
    assert ("SX-SI-006", "新名称") in selectors.processed_item_choices()


def test_a_request_that_publishes_then_reads_names_sees_the_new_one(world: Any) -> None:
    """Inside one request (its context bound), a name read before a publish is not what the
    same request reads after it."""
    from onestop.common import context

    with context.bind(context.RequestContext(request_id="r1")):
        assert selectors.item_name(code="SX-SI-006") != "新名称"
        services.item_publish(actor=world.adam, code="SX-SI-006", values={"name": "新名称"})
        assert selectors.item_name(code="SX-SI-006") == "新名称"


def test_every_choice_of_every_form_has_a_label_in_each_language() -> None:
    """No option of any current item's form reads as its stored code (``spouse``)."""
    for item in selectors.items_current():
        assert services.form_problems(item.form_schema) == [], item.code


def test_a_form_whose_options_are_bare_codes_is_refused(world: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"relation": {"type": "string", "enum": ["spouse", "child"]}},
    }
    before = ServiceItem.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.item_publish(actor=world.adam, code="SX-SI-008", values={"form_schema": schema})
    assert "x-enum-labels.spouse" in refused.value.en
    assert ServiceItem.objects.count() == before


def test_the_migration_labels_the_relation_of_a_database_seeded_before() -> None:
    """A database whose latest SX-SI-008 offers bare relation codes gets version n+1 with
    the labels, the administrator's other edits kept; run again, it publishes nothing."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "onestop.catalogue.migrations.0017_survivor_relation_labels"
    )
    latest = ServiceItem.objects.filter(code="SX-SI-008").order_by("-version").first()
    assert latest is not None
    schema = dict(latest.form_schema)
    relation = {k: v for k, v in schema["properties"]["relation"].items() if k != "x-enum-labels"}
    bare = {**schema, "properties": {**schema["properties"], "relation": relation}}
    ServiceItem.objects.create(
        **{
            f.name: getattr(latest, f.name)
            for f in latest._meta.fields
            if f.name not in {"id", "version", "created_at", "form_schema", "promised_limit_days"}
        },
        version=latest.version + 1,
        form_schema=bare,
        promised_limit_days=8,
    )
    migration.forwards(apps, None)
    newest = selectors.item_get(code="SX-SI-008")
    assert newest.version == latest.version + 2 and newest.promised_limit_days == 8
    labels = newest.form_schema["properties"]["relation"]["x-enum-labels"]
    assert labels["spouse"] == "配偶"
    migration.forwards(apps, None)
    assert selectors.item_get(code="SX-SI-008").version == latest.version + 2


def test_the_migration_keeps_each_catalogue_text_in_its_language() -> None:
    """A latest version holding one text "中文 English" (fee, legal basis, a field's title,
    a choice's labels), as databases kept them before: version n+1 with each language in
    its own field, the administrator's other edits kept; run again, it publishes nothing."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "onestop.catalogue.migrations.0020_each_text_in_its_language"
    )
    latest = ServiceItem.objects.filter(code="SX-SI-008").order_by("-version").first()
    assert latest is not None
    schema = dict(latest.form_schema)
    relation = dict(schema["properties"]["relation"])
    relation["title"] = "与逝者关系（自拟） Relation to the deceased (own words)"
    relation["x-enum-labels"] = {"spouse": "配偶（自拟） Spouse (own)", "child": "子女 Child"}
    relation.pop("x-enum-labels-en", None)
    relation.pop("x-title-en", None)
    old = {**schema, "properties": {**schema["properties"], "relation": relation}}
    ServiceItem.objects.create(
        **{
            f.name: getattr(latest, f.name)
            for f in latest._meta.fields
            if f.name
            not in {"id", "version", "created_at", "form_schema", "fee", "fee_en", "legal_basis_en"}
        },
        version=latest.version + 1,
        form_schema=old,
        fee="按规定收取工本费 A fee for the card",
        fee_en="",
        legal_basis_en="",
    )
    migration.forwards(apps, None)
    newest = selectors.item_get(code="SX-SI-008")
    assert newest.version == latest.version + 2
    assert (newest.fee, newest.fee_en) == ("按规定收取工本费", "A fee for the card")
    assert newest.legal_basis_en and not services.CJK.search(newest.legal_basis_en)
    field = newest.form_schema["properties"]["relation"]
    assert (field["title"], field["x-title-en"]) == (
        "与逝者关系（自拟）",
        "Relation to the deceased (own words)",
    )
    assert field["x-enum-labels"]["spouse"] == "配偶（自拟）"
    assert field["x-enum-labels-en"] == {"spouse": "Spouse (own)", "child": "Child"}
    migration.forwards(apps, None)
    assert selectors.item_get(code="SX-SI-008").version == latest.version + 2


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("zh-hans", ("不收费", "社会保险法"), ("Free of charge", "SIL art.")),
        ("en", ("Free of charge", "SIL art."), ("不收费", "社会保险法")),
    ],
)
def test_the_guide_shows_the_fee_and_legal_basis_in_one_language(
    client: Any, language: str, shown: tuple[str, str], hidden: tuple[str, str]
) -> None:
    page = client.get("/services/SX-SI-006/", headers={"Accept-Language": language})
    assert page.status_code == 200
    text = page.content.decode()
    fee = text[text.index("<dt>") :]
    for word in shown:
        assert word in fee, word
    for word in hidden:
        assert word not in fee, word
