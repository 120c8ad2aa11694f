"""Licence policy: SPDX expressions against allow and deny lists."""

from __future__ import annotations

import pytest

from renkei.software.licences.expressions import canonical_id, is_unknown, licence_violations

DENY_COPYLEFT = {"GPL-3.0-only", "AGPL-3.0-only"}
ALLOW_PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause"}


@pytest.mark.parametrize(
    ("expression", "allowed", "denied", "expected"),
    [
        # No policy: nothing is a violation.
        ("GPL-3.0-only", set(), set(), []),
        # Deny list only.
        ("MIT", set(), DENY_COPYLEFT, []),
        ("GPL-3.0-only", set(), DENY_COPYLEFT, ["GPL-3.0-only"]),
        ("MIT AND GPL-3.0-only", set(), DENY_COPYLEFT, ["GPL-3.0-only"]),
        # OR: one fully acceptable alternative suffices.
        ("MIT OR GPL-3.0-only", set(), DENY_COPYLEFT, []),
        ("GPL-3.0-only OR AGPL-3.0-only", set(), DENY_COPYLEFT, ["GPL-3.0-only", "AGPL-3.0-only"]),
        ("(GPL-3.0-only OR AGPL-3.0-only) AND MIT", set(), DENY_COPYLEFT, ["GPL-3.0-only", "AGPL-3.0-only"]),
        (
            "(GPL-3.0-only AND MIT) OR (AGPL-3.0-only AND MIT)",
            set(),
            DENY_COPYLEFT,
            ["GPL-3.0-only", "AGPL-3.0-only"],
        ),
        ("(GPL-3.0-only AND MIT) OR Apache-2.0", set(), DENY_COPYLEFT, []),
        # Allow list: anything not on it is a violation.
        ("MIT", ALLOW_PERMISSIVE, set(), []),
        ("LGPL-2.1-only", ALLOW_PERMISSIVE, set(), ["LGPL-2.1-only"]),
        ("MIT AND LGPL-2.1-only AND Zlib", ALLOW_PERMISSIVE, set(), ["LGPL-2.1-only", "Zlib"]),
        ("LGPL-2.1-only OR Apache-2.0", ALLOW_PERMISSIVE, set(), []),
        # Denied wins over allowed.
        ("MIT", {"MIT"}, {"MIT"}, ["MIT"]),
        # Case-insensitive, deprecated ids resolve to current ones on both sides.
        ("mit", {"MIT"}, set(), []),
        ("GPL-3.0", set(), {"gpl-3.0-only"}, ["GPL-3.0-only"]),
        ("GPL-2.0+", set(), {"GPL-2.0-or-later"}, ["GPL-2.0-or-later"]),
        ("GPL-2.0-or-later", set(), {"GPL-2.0+"}, ["GPL-2.0-or-later"]),
        # WITH: judged by the licence, unless the policy names the whole expression.
        ("GPL-2.0-only WITH Classpath-exception-2.0", set(), {"GPL-2.0-only"}, ["GPL-2.0-only"]),
        (
            "GPL-2.0-only WITH Classpath-exception-2.0",
            {"GPL-2.0-only WITH Classpath-exception-2.0"},
            set(),
            [],
        ),
        (
            "GPL-2.0-only WITH Classpath-exception-2.0",
            {"GPL-2.0-only"},
            {"GPL-2.0-only WITH Classpath-exception-2.0"},
            ["GPL-2.0-only WITH Classpath-exception-2.0"],
        ),
        # Custom references are ordinary identifiers.
        ("LicenseRef-Custom-Licence-1.0", ALLOW_PERMISSIVE, set(), ["LicenseRef-Custom-Licence-1.0"]),
        ("LicenseRef-Custom-Licence-1.0", {"licenseref-custom-licence-1.0"}, set(), []),
        ("MIT AND LicenseRef-Proprietary", set(), {"LicenseRef-Proprietary"}, ["LicenseRef-Proprietary"]),
        # Repeats reported once.
        (
            "GPL-3.0-only AND (GPL-3.0-only OR AGPL-3.0-only)",
            set(),
            DENY_COPYLEFT,
            ["GPL-3.0-only", "AGPL-3.0-only"],
        ),
        # Empty and no-assertion: not a violation (see is_unknown).
        ("", ALLOW_PERMISSIVE, DENY_COPYLEFT, []),
        ("NOASSERTION", ALLOW_PERMISSIVE, set(), []),
        ("  ", ALLOW_PERMISSIVE, set(), []),
    ],
)
def test_licence_violations(expression, allowed, denied, expected):
    assert licence_violations(expression, allowed, denied) == expected


@pytest.mark.parametrize(
    "expression",
    ["MIT AND (", "MIT OR OR Apache-2.0", "MIT License", "Apache License 2.0", "(MIT", "WITH MIT"],
)
def test_unparsable_expression_is_one_violation(expression):
    (violation,) = licence_violations(expression, set(), set())
    assert violation.startswith(f"unparsable licence expression: {expression}")


def test_policy_entries_that_do_not_parse_are_compared_as_written():
    assert licence_violations("MIT", {"MIT", "not a licence"}, set()) == []
    assert canonical_id(" Not A Licence ") == "not a licence"


@pytest.mark.parametrize(
    ("expression", "unknown"),
    [("", True), ("   ", True), ("NOASSERTION", True), ("noassertion", True), ("NONE", True), ("MIT", False)],
)
def test_is_unknown(expression, unknown):
    assert is_unknown(expression) is unknown


def test_many_distinct_expressions_load_the_licence_list_once_and_parse_each_once(monkeypatch):
    """2,000 distinct expressions: the SPDX list (~0.1 s to load) is loaded once, each expression is
    parsed once, and asking again parses nothing. Its time is in `python -m bench.software`."""
    from renkei.software.licences import expressions

    loads, parses = [], []
    real_get = expressions.get_spdx_licensing

    def counted_get():  # type: ignore[no-untyped-def]
        licensing = real_get()
        real_parse = licensing.parse

        def counted_parse(expression, *args, **kwargs):  # type: ignore[no-untyped-def]
            if isinstance(expression, str):  # license_symbols() re-enters with the parsed object
                parses.append(expression)
            return real_parse(expression, *args, **kwargs)

        licensing.parse = counted_parse
        loads.append(licensing)
        return licensing

    def clear_caches() -> None:
        for cached in (expressions._licensing, expressions._parse, expressions.canonical_id):
            cached.cache_clear()

    clear_caches()
    monkeypatch.setattr(expressions, "get_spdx_licensing", counted_get)
    try:
        distinct = [f"MIT OR LicenseRef-x{i}" for i in range(2000)]
        assert all(licence_violations(e, ALLOW_PERMISSIVE, DENY_COPYLEFT) == [] for e in distinct)
        assert licence_violations("LicenseRef-x1 AND GPL-3.0-only", ALLOW_PERMISSIVE, DENY_COPYLEFT) == [
            "LicenseRef-x1",
            "GPL-3.0-only",
        ]
        assert len(loads) == 1
        # Each expression once, plus each policy identifier once (canonical_id).
        policy_ids = len(ALLOW_PERMISSIVE) + len(DENY_COPYLEFT)
        assert len(parses) == len(distinct) + 1 + policy_ids
        assert len(set(parses)) == len(parses)
        before = len(parses)
        assert all(licence_violations(e, ALLOW_PERMISSIVE, DENY_COPYLEFT) == [] for e in distinct)
        assert len(parses) == before
    finally:
        clear_caches()
