"""Catalogue API (public): service items with their guide data, and bundles."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.renderers import JSONRenderer

from onestop.catalogue import selectors
from onestop.catalogue.models import ServiceItem
from onestop.common import answers
from onestop.common.pagination import bounded

router = Router(tags=["catalogue"], auth=None)


class ItemMaterialOut(Schema):
    name: str
    name_en: str = ""
    required: bool = True
    copies: int = 1
    replaceable_by: str = ""
    licence_type: str = ""


class ItemOut(Schema):
    code: str
    version: int
    name: str
    name_en: str
    kind: str
    level: str
    agency_kind: str
    legal_basis: str
    legal_basis_en: str
    conditions: str
    conditions_en: str
    materials: list[ItemMaterialOut]
    legal_limit_days: int
    promised_limit_days: int
    visits_required: int
    channels: list[str]
    fee: str
    fee_en: str
    process: str


class GuideOut(ItemOut):
    deadline_if_filed_today: str
    deadline_provisional: bool
    compression_percent: int


class BundleOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    description_en: str
    items: list[ItemOut]


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


def item_out(item: ServiceItem) -> dict[str, Any]:
    return {f: getattr(item, f) for f in ItemOut.model_fields}


@router.get("/catalogue/items", response=list[ItemOut])
@bounded
def items(request: HttpRequest, q: str = "", channel: str = "") -> list[dict[str, Any]]:
    """Current published service items; ``q`` searches code and names."""
    return [item_out(i) for i in selectors.items_current(query=q[:60], channel=channel)]


#: How long one item's answer is kept at most (see ``onestop.common.answers``): a publish
#: retires it at once through the catalogue's generation; this bounds what another process's
#: per-process cache (the embedded default) or a data migration leaves behind.
ITEM_ANSWER_SECONDS = 60
_JSON = JSONRenderer()  # the API's renderer (Django Ninja's default)


@router.get("/catalogue/items/{code}", response={200: GuideOut, 404: ErrorOut})
def item(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    """One item (the current version, or ``version``) with its guide figures."""
    today = timezone.localdate()

    def build() -> bytes:
        guide = selectors.guide_of(item=selectors.item_get(code=code, version=version), today=today)
        data = GuideOut.model_validate(
            {
                **item_out(guide.item),
                "deadline_if_filed_today": guide.deadline_if_filed_today.date.isoformat(),
                "deadline_provisional": guide.deadline_if_filed_today.provisional,
                "compression_percent": guide.compression,
            }
        ).model_dump()
        return str(_JSON.render(request, data, response_status=200)).encode()

    # The same for every caller and language on a given day (the deadline counts from today).
    body = answers.shared(
        key=f"catalogue.item:{code}:{version}:{today.isoformat()}",
        generation=selectors.GENERATION,
        seconds=ITEM_ANSWER_SECONDS,
        build=build,
    )
    return HttpResponse(body, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


@router.get("/catalogue/bundles", response=list[BundleOut])
def bundles(request: HttpRequest) -> list[dict[str, Any]]:
    """ "One thing handled once": bundles and their items."""
    result = []
    for bundle in selectors.bundles():
        _, members = selectors.bundle_get(code=bundle.code)
        result.append(
            {
                "code": bundle.code,
                "name": bundle.name,
                "name_en": bundle.name_en,
                "description": bundle.description,
                "description_en": bundle.description_en,
                "items": [item_out(i) for i in members],
            }
        )
    return result
