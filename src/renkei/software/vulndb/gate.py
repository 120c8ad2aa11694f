"""The `--fail-on` rule, shared by `renkei sbom scan`, the API and the findings pages (pure).

A finding fails a gate of level L when its severity ranks at or above L. A finding of unknown
severity (no record rates it) fails a gate of any level by default: nothing says it is harmless,
and a gate must not fail open. `unknown_as` ranks unknown as a level instead; "none" means unknown
findings never fail the gate.
"""

from __future__ import annotations

FAIL_ON_CHOICES = ("low", "medium", "high", "critical")
UNKNOWN_AS_CHOICES = ("none", "low", "medium", "high", "critical")
_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "none": 0}


def gate_fails(severity: str, fail_on: str | None, unknown_as: str | None = None) -> bool:
    """Whether a finding of `severity` fails a `fail_on` gate (None: no gate)."""
    if fail_on is None:
        return False
    if severity == "unknown":
        if unknown_as is None:
            return True
        return unknown_as != "none" and _RANK[unknown_as] >= _RANK[fail_on]
    return _RANK.get(severity, 0) >= _RANK[fail_on]
