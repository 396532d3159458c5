"""``{% kept "name" key ... %}...{% endkept %}``: a fragment rendered once per process, name
and keys (under ``DEBUG`` always rendered, so an edited template shows at once).

For what every page repeats and only the code, the translations and the key decide (the base
template's navigation per language, role and permissions). Kept in the process's memory, not
a shared cache: no round trip, and a deployment (new code, new translations) starts afresh.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.base import Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

#: At most this many fragments a process (keys come from a handful of roles and languages);
#: past it, a fragment is rendered and not kept.
LIMIT = 256
_kept: dict[tuple[Any, ...], SafeString] = {}


class KeptNode(Node):
    def __init__(self, nodelist: NodeList, keys: list[Any]) -> None:
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context: Context) -> str:
        if settings.DEBUG:
            return str(self.nodelist.render(context))
        key = tuple(k.resolve(context) for k in self.keys)
        found = _kept.get(key)
        if found is None:
            found = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template
            if len(_kept) < LIMIT:
                _kept[key] = found
        return found


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if len(keys) < 2:
        raise template.TemplateSyntaxError('{% kept "name" key ... %} needs a name and a key')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, keys)
