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


def test_many_distinct_expressions_stay_fast():
    import time

    start = time.perf_counter()
    for i in range(2000):
        licence_violations(f"MIT OR LicenseRef-x{i}", ALLOW_PERMISSIVE, DENY_COPYLEFT)
    assert time.perf_counter() - start < 5
