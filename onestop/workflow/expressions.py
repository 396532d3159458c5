"""Gateway conditions without free-form code: a tiny, safe expression language.

A condition may use names from the task data, string/number/boolean constants, comparisons
(``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``), ``and``, ``or``, ``not``
and a sign on numbers.
Anything else (calls, attributes, subscripts, lambdas...) is refused before evaluation.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class ExpressionRefused(ValueError):
    """The expression uses something the safe language does not allow."""


def evaluate(expression: str, data: Mapping[str, Any]) -> Any:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionRefused(f"Not an expression: {expression!r}") from exc
    return _eval(tree.body, data)


def _eval(node: ast.AST, data: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(
        node.value, str | int | float | bool | type(None)
    ):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in data:
            raise ExpressionRefused(f"Unknown name {node.id!r}")
        return data[node.id]
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_eval(e, data) for e in node.elts)
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, data) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _eval(node.operand, data)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand, data)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ExpressionRefused("A sign applies to numbers only.")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, data)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, data)
            if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise ExpressionRefused(f"Not allowed in a condition: {type(node).__name__}")
