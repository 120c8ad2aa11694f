"""`renkei sbom scan`: check an SBOM against OSV data offline, for build pipelines.

Needs no server and no database and never imports Django: it parses the SBOM (`parsing.parse_sbom`),
loads the OSV records (`osv.load_advisories`), indexes and matches them (`matching`), and prints
a table or JSON. Exit status: 1 when a finding at or above `--fail-on` exists, 2 on bad input
(unreadable or invalid SBOM or OSV data, message on stderr), otherwise 0.

The JSON report lists the affected components with their advisories, the components that could
not be checked (with the reason) and a summary with counts. Advisories that name each other as
aliases (a PYSEC and its GHSA, say) are reported once per component, with all their IDs, the
severity of any record that has one (`osv.best_rating`, its source named), the versions that fix
it, and per component the upgrade that fixes the most (`remediation.upgrade_advice`).

A finding without any rating ("unknown") fails a `--fail-on` gate of any level by default: nothing
says it is harmless, and a gate must not fail open. `--unknown-as LEVEL` ranks it as that level
instead (`none`: unknown findings never fail the gate).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import orjson

from renkei.software.sbom.document import SbomError
from renkei.software.sbom.parsing import parse_sbom
from renkei.software.vulndb.gate import FAIL_ON_CHOICES, UNKNOWN_AS_CHOICES, gate_fails
from renkei.software.vulndb.matching import AdvisoryIndex, ComponentRef
from renkei.software.vulndb.osv import (
    SEVERITIES,
    Advisory,
    OsvError,
    Rating,
    best_rating,
    headline,
    load_advisories,
)
from renkei.software.vulndb.remediation import fixed_versions, upgrade_advice
from renkei.software.vulndb.versions import normalise_ecosystem, normalise_package_name

PROG = "renkei sbom scan"


@dataclass(slots=True)
class Finding:
    """One vulnerability of one component: an advisory and the advisories that alias it."""

    id: str
    aliases: list[str]
    severity: str
    score: float | None
    summary: str
    rating: Rating | None = None
    fixed: list[str] | None = None
    members: tuple[str, ...] = ()

    @property
    def severity_source(self) -> str:
        """Which record and method gave the severity, e.g. "GHSA-xxxx (CVSS_V3)"; "" if unknown."""
        if self.rating is None:
            return ""
        return f"{self.rating.record} ({self.rating.method})" if self.rating.method else self.rating.record

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "aliases": self.aliases,
            "severity": self.severity,
            "score": self.score,
            "vector": self.rating.vector if self.rating else "",
            "severity_source": self.severity_source,
            "summary": self.summary,
            "fixed_versions": self.fixed or [],
        }


def _collapse_aliases(advisories: list[Advisory]) -> list[Finding]:
    """Merge advisories that share an identifier (ID or alias) into one finding each."""
    parent = list(range(len(advisories)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, advisory in enumerate(advisories):
        for name in (advisory.id, *advisory.aliases):
            if name in owner:
                parent[root(i)] = root(owner[name])
            else:
                owner[name] = i
    groups: dict[int, list[Advisory]] = {}
    for i, advisory in enumerate(advisories):
        groups.setdefault(root(i), []).append(advisory)
    findings = []
    for members in groups.values():
        members.sort(key=lambda a: a.id)
        first = members[0]
        names = {n for a in members for n in (a.id, *a.aliases)} - {first.id}
        rating = best_rating(Rating.of(a) for a in members)
        details = next((a.details for a in members if a.details), "")
        findings.append(
            Finding(
                id=first.id,
                aliases=sorted(names),
                severity=rating.severity if rating else "unknown",
                score=rating.score if rating else None,
                summary=next((a.summary for a in members if a.summary), "") or headline(details),
                rating=rating,
                members=tuple(a.id for a in members),
            )
        )
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.id))
    return findings


def run_scan(
    sbom_path: str | Path,
    osv_paths: Sequence[str | Path],
    fmt: str = "table",
    fail_on: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    unknown_as: str | None = None,
    validate: bool = True,
) -> int:
    """Scan one SBOM file against the OSV records under `osv_paths`; print the report to `out`.

    Returns the exit status: 1 if a finding is at or above `fail_on`, 2 on bad input, else 0.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if (
        fmt not in ("table", "json")
        or (fail_on is not None and fail_on not in FAIL_ON_CHOICES)
        or (unknown_as is not None and unknown_as not in UNKNOWN_AS_CHOICES)
    ):
        print(f"{PROG}: unknown format or severity", file=err)
        return 2
    if not osv_paths:
        print(f"{PROG}: give the OSV data with --osv PATH", file=err)
        return 2
    path = Path(sbom_path)
    try:
        sbom = parse_sbom(path.read_bytes(), filename=path.name, validate=validate)
    except OSError as exc:
        print(f"{PROG}: cannot read {path}: {exc.strerror or exc}", file=err)
        return 2
    except SbomError as exc:
        print(f"{PROG}: {path}: {exc}", file=err)
        return 2
    try:
        index = AdvisoryIndex.build(load_advisories(osv_paths))
    except OsvError as exc:
        print(f"{PROG}: invalid OSV data: {exc}", file=err)
        return 2
    if not index.advisories:
        print(f"{PROG}: no OSV records found in {', '.join(map(str, osv_paths))}", file=err)
        return 2

    components = sbom.components
    result = index.match(
        [
            ComponentRef(key=i, ecosystem=c.ecosystem, name=c.name, version=c.version, purl=c.purl)
            for i, c in enumerate(components)
        ]
    )
    matched: dict[int, list[Advisory]] = {}
    for match in result.matches:
        advisory = index.advisory_by_id(match.advisory_id)
        if advisory is not None:
            matched.setdefault(int(match.key), []).append(advisory)
    findings = {key: _collapse_aliases(advisories) for key, advisories in sorted(matched.items())}
    advice = {key: _remediate(index, components[key], items) for key, items in findings.items()}

    by_severity = dict.fromkeys(SEVERITIES, 0)
    for items in findings.values():
        for finding in items:
            by_severity[finding.severity] += 1
    failed = any(gate_fails(f.severity, fail_on, unknown_as) for items in findings.values() for f in items)
    summary = {
        "components": len(components),
        "affected_components": len(findings),
        "findings": sum(by_severity.values()),
        "by_severity": by_severity,
        "not_checked": len(result.not_checked),
        "advisories": len(index.advisories),
        "fail_on": fail_on,
        "unknown_as": unknown_as,
        "failed": failed,
    }
    not_checked = [(components[int(key)], reason) for key, reason in result.not_checked]
    if fmt == "json":
        document = {
            "components": [
                {
                    "name": components[key].name,
                    "version": components[key].version,
                    "purl": components[key].purl,
                    "ecosystem": components[key].ecosystem,
                    "advisories": [f.as_json() for f in items],
                    "upgrade": (
                        {"version": advice[key].version, "fixes": advice[key].fixes, "findings": advice[key].total}
                        if advice[key] is not None
                        else None
                    ),
                }
                for key, items in findings.items()
            ],
            "not_checked": [
                {"name": c.name, "version": c.version, "purl": c.purl, "reason": reason}
                for c, reason in not_checked
            ],
            "summary": summary,
        }
        out.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        out.write("\n")
    else:
        _print_table(out, components, findings, not_checked, summary, advice)
    return 1 if failed else 0


def _remediate(index: AdvisoryIndex, component: Any, items: list[Finding]) -> Any:
    """Fill in each finding's fixed versions; return the component's upgrade advice (or None)."""
    ecosystem = normalise_ecosystem(component.ecosystem)
    if ecosystem is None:
        return None
    name = normalise_package_name(ecosystem, component.name)
    candidates: list[str] = []
    for finding in items:
        fixed: list[str] = []
        for member in finding.members:
            advisory = index.advisory_by_id(member)
            if advisory is not None:
                fixed += fixed_versions(advisory.affected, ecosystem, name)
        finding.fixed = list(dict.fromkeys(fixed))
        candidates += finding.fixed
    return upgrade_advice(
        index,
        ecosystem=ecosystem,
        name=name,
        version=component.version or "",
        findings={f.id: f.members for f in items},
        candidates=candidates,
    )


def _print_table(
    out: TextIO,
    components: list[Any],
    findings: dict[int, list[Finding]],
    not_checked: list[Any],
    summary: dict[str, Any],
    advice: dict[int, Any],
) -> None:
    rows = [
        (
            components[key].name,
            components[key].version,
            f.id,
            ", ".join(f.aliases),
            f.severity + (f" ({f.score:.1f})" if f.score is not None else ""),
            ", ".join(f.fixed or []) or "-",
        )
        for key, items in findings.items()
        for f in items
    ]
    rows.sort(key=lambda r: (SEVERITIES.index(r[4].split(" ")[0]), r[0].lower(), r[2]))
    header = ("COMPONENT", "VERSION", "ADVISORY", "ALIASES", "SEVERITY", "FIXED IN")
    if rows:
        widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            out.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                + "\n"
            )
    else:
        out.write("No known vulnerabilities found.\n")
    upgrades = [(components[key], a) for key, a in advice.items() if a is not None]
    if upgrades:
        out.write("\nUpgrades:\n")
        for component, a in upgrades:
            out.write(f"  {component.name} {component.version}: upgrade to {a.version} fixes {a.fixes} of {a.total}\n")
    if not_checked:
        out.write(f"\nNot checked ({len(not_checked)}):\n")
        for component, reason in not_checked:
            label = component.purl or f"{component.name} {component.version}".strip()
            out.write(f"  {label}: {reason}\n")
    counts = ", ".join(f"{n} {level}" for level, n in summary["by_severity"].items() if n)
    out.write(
        f"\n{summary['components']} components, {summary['affected_components']} affected, "
        f"{summary['findings']} findings{f' ({counts})' if counts else ''}, {summary['not_checked']} not checked; "
        f"{summary['advisories']} advisories.\n"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `renkei sbom scan`."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check an SBOM (CycloneDX or SPDX) against OSV vulnerability data, offline.",
        epilog=(
            "Exit status: 1 if a finding at or above --fail-on exists, 2 on bad input, else 0. "
            "A finding of unknown severity (no record rates it) fails a --fail-on gate of any level "
            "unless --unknown-as says how to rank it."
        ),
    )
    parser.add_argument(
        "file",
        help="the SBOM: CycloneDX 1.2-1.7 JSON/XML, SPDX 2.2/2.3 JSON/tag-value or SPDX 3.0 JSON-LD",
    )
    parser.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="lenient reading: do not check a CycloneDX document against its official schema "
        "(by default a document that breaks it is refused, exit status 2, naming the JSON path "
        "or XML line and the rule)",
    )
    parser.add_argument(
        "--osv",
        action="append",
        required=True,
        metavar="PATH",
        help="OSV records: a directory, an osv.dev all.zip or a .json/.yaml file (repeatable)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        metavar="SEVERITY",
        help="low, medium, high or critical; findings of unknown severity fail the gate at any level by default",
    )
    parser.add_argument(
        "--unknown-as",
        choices=UNKNOWN_AS_CHOICES,
        metavar="SEVERITY",
        help="rank findings of unknown severity as none (never fail), low, medium, high or critical for --fail-on",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for `renkei sbom scan` (`argv` excludes "sbom scan")."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a usage error, 0 for --help
        return int(exc.code or 0)
    return run_scan(
        args.file, args.osv, fmt=args.format, fail_on=args.fail_on, unknown_as=args.unknown_as, validate=args.validate
    )


if __name__ == "__main__":
    sys.exit(main())
