"""Licence policy checks on SPDX licence expressions (pure engine, no Django).

`licence_violations(expression, allowed, denied)` parses the expression with license_expression's
SPDX licensing (deprecated ids resolve to current ones: `GPL-2.0` → `GPL-2.0-only`) and lists the
licences that break the policy. `A OR B` is fine when at least one side is fully acceptable;
`A AND B` needs both; `X WITH exception` is judged by X (or by the whole `X WITH exception` when the
policy names it). Identifiers compare case-insensitively, after the same alias resolution.
"""

from __future__ import annotations

import re
from functools import lru_cache

from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseExpression,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    get_spdx_licensing,
)

# SPDX idstring; anything else (a free-text name with spaces) means the expression is not SPDX.
_IDSTRING = re.compile(r"[A-Za-z0-9.+-]+(?::[A-Za-z0-9.+-]+)?")
_UNKNOWN = frozenset({"", "NOASSERTION", "NONE"})


@lru_cache(maxsize=1)
def _licensing() -> Licensing:
    # Loading the SPDX licence list takes ~0.1 s: once per process.
    return get_spdx_licensing()


@lru_cache(maxsize=4096)
def _parse(expression: str) -> LicenseExpression | str:
    """The parsed expression, or the error message when it cannot be parsed (cached: SBOMs repeat)."""
    try:
        parsed = _licensing().parse(expression)
    except ExpressionError as exc:
        return str(exc)
    if parsed is None:
        return "empty"
    for symbol in _licensing().license_symbols(parsed, decompose=True):
        if not _IDSTRING.fullmatch(symbol.key):
            return f"{symbol.key!r} is not an SPDX identifier"
    return parsed


@lru_cache(maxsize=4096)
def canonical_id(identifier: str) -> str:
    """An identifier as the SPDX licensing spells it (alias resolved), lower-cased for comparison."""
    parsed = _parse(identifier.strip())
    if isinstance(parsed, LicenseExpression):
        return str(parsed).lower()
    return identifier.strip().lower()


def is_unknown(expression: str) -> bool:
    """True when a component declares no licence (empty, NOASSERTION or NONE): shown apart, not a violation."""
    return expression.strip().upper() in _UNKNOWN


def licence_violations(expression: str, allowed: set[str], denied: set[str]) -> list[str]:
    """The licences of `expression` that break the policy, in expression order, without repeats.

    A licence breaks the policy when it is in `denied`, or when `allowed` is non-empty and it is
    not in it. An OR is acceptable when one alternative is fully acceptable (then nothing is
    reported for it); otherwise all of its alternatives' violations are reported. An expression
    that cannot be parsed is one violation: "unparsable licence expression: …". An empty
    expression is no violation (see `is_unknown`).
    """
    if is_unknown(expression):
        return []
    parsed = _parse(expression.strip())
    if isinstance(parsed, str):
        return [f"unparsable licence expression: {expression.strip()} [{parsed}]"]
    allowed_ids = frozenset(canonical_id(i) for i in allowed if i.strip())
    denied_ids = frozenset(canonical_id(i) for i in denied if i.strip())
    violations = _violations(parsed, allowed_ids, denied_ids)
    return list(dict.fromkeys(violations))


def _violations(node: LicenseExpression, allowed: frozenset[str], denied: frozenset[str]) -> list[str]:
    if isinstance(node, LicenseWithExceptionSymbol):
        whole = str(node).lower()
        if whole in denied:
            return [str(node)]
        if whole in allowed:
            return []
        return _violations(node.license_symbol, allowed, denied)
    if isinstance(node, LicenseSymbol):
        key = node.key.lower()
        if key in denied or (allowed and key not in allowed):
            return [node.key]
        return []
    children = [_violations(arg, allowed, denied) for arg in node.args]
    if isinstance(node, OR):
        if any(not child for child in children):
            return []
    elif not isinstance(node, AND):  # pragma: no cover - the SPDX grammar has only AND, OR, WITH
        raise TypeError(f"unexpected licence expression node {node!r}")
    return [v for child in children for v in child]
