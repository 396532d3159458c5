"""A signed certificate's stored codes and times as read on the verification page."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: The decision codes a decision notice signs, as read.
DECISIONS = {
    "approve": _("approved"),
    "reject": _("rejected"),
    "not_accept": _("not accepted"),
}


@register.filter
def decision_label(code: str) -> str:
    """A decision notice's signed decision (``approve``) in the reader's language."""
    return str(DECISIONS.get(str(code or ""), "—"))


@register.filter
def local_time(value: str | dt.datetime | None) -> str:
    """A signed ISO time (any offset) as read in the platform's time zone (Asia/Shanghai):
    ``2026-12-01 09:30``; a dash for none, the text itself when it is not a time."""
    if not value:
        return "—"
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@register.filter
def item_shown(facts: dict[str, object]) -> str:
    """The service a certificate names, in the reader's language: the catalogue's name of
    its signed item code (``SX-SI-009 v1``), else the signed name."""
    from onestop.catalogue import selectors as catalogue

    signed = str(facts.get("item") or "")
    code = str(facts.get("item_code") or "").split(" ")[0]
    if not code:
        return signed
    shown = catalogue.item_name(code=code)
    return signed if shown == code else shown


@register.filter
def licence_source(source: str) -> str:
    """Where an e-licence came from: the platform's library, the gateway or a department's
    event (the stored text names the resource or the department's system; never shown)."""
    source = str(source or "")
    if source == "platform":
        return gettext("the platform's licence library")
    if source.endswith(" via gateway"):
        return gettext("obtained through the data-sharing gateway")
    if source.endswith(" event"):
        return gettext("reported by the issuing department")
    return source
