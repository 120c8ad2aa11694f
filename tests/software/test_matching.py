"""Matching components against hand-made advisories, following the OSV evaluation rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from renkei.software.vulndb.matching import (
    REASON_BAD_VERSION,
    REASON_NO_ECOSYSTEM,
    REASON_NO_VERSION,
    REASON_UNSUPPORTED,
    AdvisoryIndex,
    ComponentRef,
)
from renkei.software.vulndb.osv import Advisory, AffectedSpec
from renkei.software.vulndb.ranges import REASON_BAD_RANGE, REASON_GIT_ONLY, range_intervals
from renkei.software.vulndb.versions import normalise_package_name, version_key

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def affected(
    ecosystem: str, name: str, *ranges: list[dict], versions=(), kind: str = "ECOSYSTEM"
) -> AffectedSpec:
    return AffectedSpec(
        ecosystem=ecosystem.split(":")[0],
        name=normalise_package_name(ecosystem, name),
        ranges=[{"type": kind, "events": events} for events in ranges],
        versions=list(versions),
    )


def advisory(advisory_id: str, *entries: AffectedSpec, withdrawn: datetime | None = None) -> Advisory:
    return Advisory(
        id=advisory_id,
        aliases=[],
        modified=NOW,
        published=None,
        withdrawn=withdrawn,
        summary="",
        details="",
        severity="unknown",
        cvss_score=None,
        cvss_vector="",
        affected=list(entries),
        references=[],
    )


def ids(index: AdvisoryIndex, ecosystem: str, name: str, version: str) -> list[str]:
    return index.match_one(ecosystem, name, version)


def test_introduced_fixed_last_affected():
    index = AdvisoryIndex.build(
        [
            advisory("FIXED", affected("PyPI", "pkg", [{"introduced": "1.0"}, {"fixed": "1.5"}])),
            advisory("LAST", affected("PyPI", "pkg", [{"introduced": "1.2"}, {"last_affected": "1.5"}])),
            advisory("ZERO", affected("PyPI", "pkg", [{"introduced": "0"}, {"fixed": "1.1"}])),
            advisory("OPEN", affected("PyPI", "pkg", [{"introduced": "2.0"}])),
        ]
    )
    assert ids(index, "PyPI", "pkg", "0.0.1") == ["ZERO"]
    assert ids(index, "PyPI", "pkg", "1.0") == ["FIXED", "ZERO"]
    assert ids(index, "PyPI", "pkg", "1.0.0") == ["FIXED", "ZERO"]  # equal to "1.0" under PEP 440
    assert ids(index, "PyPI", "pkg", "1.1") == ["FIXED"]
    assert ids(index, "PyPI", "pkg", "1.4.9") == ["FIXED", "LAST"]
    assert ids(index, "PyPI", "pkg", "1.5rc1") == ["FIXED", "LAST"]
    assert ids(index, "PyPI", "pkg", "1.5") == ["LAST"]  # fixed is exclusive, last_affected inclusive
    assert ids(index, "PyPI", "pkg", "1.5.post1") == []
    assert ids(index, "PyPI", "pkg", "1.9") == []
    assert ids(index, "PyPI", "pkg", "2.0") == ["OPEN"]
    assert ids(index, "PyPI", "pkg", "99") == ["OPEN"]


def test_several_ranges_events_and_affected_entries():
    index = AdvisoryIndex.build(
        [
            # Two intervals in one events list, written out of order (the schema sorts them).
            advisory(
                "MULTI",
                affected(
                    "npm",
                    "lib",
                    [{"fixed": "2.3.1"}, {"introduced": "2.0.0"}, {"fixed": "1.2.0"}, {"introduced": "0"}],
                ),
            ),
            # Two ranges and two packages in one advisory.
            advisory(
                "TWO",
                affected(
                    "npm",
                    "lib",
                    [{"introduced": "3.0.0"}, {"fixed": "3.0.2"}],
                    [{"introduced": "4.0.0-beta.1"}, {"fixed": "4.0.0"}],
                ),
                affected("npm", "@scope/other", [{"introduced": "0"}, {"fixed": "1.0.0"}]),
            ),
        ]
    )
    assert ids(index, "npm", "lib", "1.1.9") == ["MULTI"]
    assert ids(index, "npm", "lib", "1.2.0") == []
    assert ids(index, "npm", "lib", "2.3.0") == ["MULTI"]
    assert ids(index, "npm", "lib", "2.3.1") == []
    assert ids(index, "npm", "lib", "3.0.1") == ["TWO"]
    assert ids(index, "npm", "lib", "4.0.0-beta.2") == ["TWO"]
    assert ids(index, "npm", "lib", "4.0.0-alpha") == []
    assert ids(index, "npm", "lib", "4.0.0") == []
    assert ids(index, "npm", "@scope/other", "0.9.0") == ["TWO"]


def test_limit_events():
    # Versions at or above the highest limit are outside the range; "*" means no limit.
    limited = [{"introduced": "1.0.0"}, {"limit": "1.5.0"}]
    assert range_intervals("npm", limited) == [
        (version_key("npm", "1.0.0"), version_key("npm", "1.5.0"), False)
    ]
    index = AdvisoryIndex.build(
        [
            advisory("LIMIT", affected("crates.io", "c", limited)),
            advisory("STAR", affected("crates.io", "d", [{"introduced": "1.0.0"}, {"limit": "*"}])),
            advisory(
                "BOTH",
                affected(
                    "crates.io",
                    "e",
                    [{"introduced": "1.0.0"}, {"last_affected": "3.0.0"}, {"limit": "2.0.0"}],
                ),
            ),
        ]
    )
    assert ids(index, "crates.io", "c", "1.4.9") == ["LIMIT"]
    assert ids(index, "crates.io", "c", "1.5.0") == []
    assert ids(index, "crates.io", "d", "9.0.0") == ["STAR"]
    assert ids(index, "crates.io", "e", "1.9.0") == ["BOTH"]
    assert ids(index, "crates.io", "e", "2.0.0") == []


def spec_is_affected(version: str, events: list[dict[str, str]]) -> bool:
    """The OSV schema's evaluation pseudo-code, transcribed literally (one SemVer range)."""
    key = lambda text: version_key("npm", text)  # noqa: E731
    v = key(version)
    limits = [e["limit"] for e in events if "limit" in e]
    if limits and not any(limit == "*" or v < key(limit) for limit in limits):
        return False
    ordered = sorted(
        (e for e in events if "limit" not in e),
        key=lambda e: (0,) if e.get("introduced") == "0" else (1, key(next(iter(e.values())))),
    )
    vulnerable = False
    for e in ordered:
        if "introduced" in e and (e["introduced"] == "0" or v >= key(e["introduced"])):
            vulnerable = True
        elif "fixed" in e and v >= key(e["fixed"]):  # noqa: SIM114 - mirrors the pseudo-code
            vulnerable = False
        elif "last_affected" in e and v > key(e["last_affected"]):
            vulnerable = False
    return vulnerable


def test_random_ranges_agree_with_the_schema_pseudo_code():
    # Events in any order, with ties, repeated introduced/fixed, last_affected and limits.
    rng = random.Random(7)
    space = [f"{a}.{b}.{c}" for a in range(3) for b in range(3) for c in range(3)] + ["1.1.1-rc.1"]
    cases = []
    for _ in range(1500):
        events = []
        for _ in range(rng.randint(1, 6)):
            kind = rng.choice(["introduced", "introduced", "fixed", "last_affected", "limit"])
            value = rng.choice(space + (["0"] if kind == "introduced" else ["*"] if kind == "limit" else []))
            events.append({kind: value})
        cases.append(events)
    index = AdvisoryIndex.build(
        advisory(f"CASE-{n}", affected("npm", f"p{n}", events)) for n, events in enumerate(cases)
    )
    components = [
        ComponentRef(key=f"{n} {v}", ecosystem="npm", name=f"p{n}", version=v)
        for n in range(len(cases))
        for v in space
    ]
    matched = {m.key for m in index.match(components).matches}
    wrong = [
        (cases[int(c.key.split()[0])], c.version)
        for c in components
        if (c.key in matched) != spec_is_affected(c.version, cases[int(c.key.split()[0])])
    ]
    assert not wrong, wrong[:5]


def test_versions_list_matches_exactly_and_git_ranges_are_ignored():
    git = {
        "type": "GIT",
        "repo": "https://example.org/r",
        "events": [{"introduced": "0"}, {"fixed": "abc123"}],
    }
    entry = affected("PyPI", "pkg", versions=["0.9", "2.0b1"])
    entry.ranges.append(git)
    index = AdvisoryIndex.build([advisory("LISTED", entry)])
    assert ids(index, "PyPI", "pkg", "0.9") == ["LISTED"]
    assert ids(index, "PyPI", "pkg", "2.0b1") == ["LISTED"]
    assert ids(index, "PyPI", "pkg", "1.0") == []
    # Listed versions also match when spelled differently but equal under the ecosystem's rules.
    assert ids(index, "PyPI", "pkg", "0.9.0") == ["LISTED"]
    assert ids(index, "PyPI", "pkg", "2.0.0-beta.1") == ["LISTED"]
    result = index.match(
        [
            ComponentRef(key=1, ecosystem="PyPI", name="pkg", version="1.0"),
            ComponentRef(key=2, ecosystem="PyPI", name="pkg", version=" "),
        ]
    )
    assert result.matches == []
    assert result.not_checked == [(2, REASON_NO_VERSION)]


def test_withdrawn_advisories_are_excluded():
    index = AdvisoryIndex.build(
        [
            advisory("GONE", affected("PyPI", "pkg", [{"introduced": "0"}]), withdrawn=NOW),
            advisory("LIVE", affected("PyPI", "pkg", [{"introduced": "0"}])),
        ]
    )
    assert ids(index, "PyPI", "pkg", "1.0") == ["LIVE"]
    assert index.advisory_by_id("GONE") is None
    assert index.advisory_by_id("LIVE").id == "LIVE"
    assert [a.id for a in index.advisories] == ["LIVE"]


def test_names_and_ecosystems_are_normalised():
    index = AdvisoryIndex.build(
        [
            advisory("PY", affected("PyPI", "Django_REST.framework", [{"introduced": "0"}])),
            advisory(
                "DEB", affected("Debian:12", "openssl", [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}])
            ),
            advisory(
                "GO",
                affected("Go", "golang.org/x/net", [{"introduced": "0"}, {"fixed": "0.17.0"}], kind="SEMVER"),
            ),
            advisory(
                "MVN", affected("Maven", "org.example:lib", [{"introduced": "0"}, {"fixed": "2.0.0.Final"}])
            ),
            advisory("GEM", affected("RubyGems", "rack", [{"introduced": "0"}, {"fixed": "2.2.6.3"}])),
            advisory(
                "APK", affected("Alpine:v3.18", "busybox", [{"introduced": "0"}, {"fixed": "1.36.1-r2"}])
            ),
            advisory(
                "NUGET", affected("NuGet", "Newtonsoft.Json", [{"introduced": "0"}, {"fixed": "13.0.1"}])
            ),
            advisory(
                "PHP",
                affected("Packagist", "symfony/http-kernel", [{"introduced": "5.0.0"}, {"fixed": "5.4.20"}]),
            ),
        ]
    )
    assert ids(index, "PyPI", "django-rest-framework", "3.0") == ["PY"]
    assert ids(index, "pypi", "DJANGO_rest_Framework", "3.0") == ["PY"]
    assert ids(index, "Debian", "openssl", "3.0.11-1~deb12u1") == ["DEB"]
    assert ids(index, "Debian", "openssl", "3.0.11-1~deb12u2") == []
    assert ids(index, "Go", "golang.org/x/net", "v0.0.0-20220722155237-a158d28d115b") == ["GO"]
    assert ids(index, "Go", "golang.org/x/net", "v0.17.0") == []
    assert ids(index, "Maven", "org.example:lib", "2.0.0.CR1") == ["MVN"]
    assert ids(index, "Maven", "org.example:lib", "2.0.0") == []
    assert ids(index, "RubyGems", "rack", "2.2.6.3.pre") == ["GEM"]
    assert ids(index, "Alpine", "busybox", "1.36.1-r1") == ["APK"]
    assert ids(index, "Alpine", "busybox", "1.36.1-r2") == []
    assert ids(index, "NuGet", "newtonsoft.json", "13.0.1-beta1") == ["NUGET"]
    assert ids(index, "Packagist", "Symfony/HTTP-Kernel", "v5.4.19") == ["PHP"]
    assert ids(index, "Packagist", "symfony/http-kernel", "5.4.20") == []


def test_semver_range_on_a_non_semver_ecosystem():
    index = AdvisoryIndex.build(
        [advisory("S", affected("PyPI", "pkg", [{"introduced": "1.0.0"}, {"fixed": "1.2.0"}], kind="SEMVER"))]
    )
    assert ids(index, "PyPI", "pkg", "1.1.0") == ["S"]
    result = index.match([ComponentRef(key="x", ecosystem="PyPI", name="pkg", version="1.1.0.post1")])
    assert result.matches == [] and result.not_checked == [("x", REASON_BAD_VERSION)]


def test_not_checked_is_never_not_affected():
    index = AdvisoryIndex.build(
        [
            advisory("NPM", affected("npm", "lib", [{"introduced": "0"}, {"fixed": "2.0.0"}])),
            advisory(
                "HEX", affected("Hex", "plug", [{"introduced": "0"}, {"fixed": "1.0.0"}], versions=["0.9.0"])
            ),
            advisory(
                "GITONLY",
                AffectedSpec(
                    ecosystem="npm",
                    name="gitlib",
                    ranges=[{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}],
                    versions=[],
                ),
            ),
            advisory("BADRANGE", affected("npm", "mixed", [{"introduced": "not-a-version"}])),
            advisory("GOOD", affected("npm", "mixed", [{"introduced": "0"}, {"fixed": "1.0.0"}])),
        ]
    )
    components = [
        ComponentRef(key=1, ecosystem="npm", name="lib", version="latest"),
        ComponentRef(key=2, ecosystem="npm", name="lib", version=""),
        ComponentRef(key=3, ecosystem="Hex", name="plug", version="0.9.0", purl="pkg:hex/plug@0.9.0"),
        ComponentRef(key=4, ecosystem=None, name="plug", version="0.9.0", purl="pkg:hex/plug@0.9.0"),
        ComponentRef(key=5, ecosystem=None, name="readme", version=""),
        ComponentRef(key=6, ecosystem="npm", name="gitlib", version="1.0.0"),
        ComponentRef(key=7, ecosystem="npm", name="mixed", version="0.5.0"),
        ComponentRef(key=8, ecosystem="npm", name="mixed", version="2.0.0"),
        ComponentRef(key=9, ecosystem="npm", name="unknown-package", version="whatever"),
    ]
    result = index.match(components)
    assert [(m.key, m.advisory_id) for m in result.matches] == [(3, "HEX"), (7, "GOOD")]
    assert result.not_checked == [
        (1, REASON_BAD_VERSION),
        (2, REASON_NO_VERSION),
        (3, REASON_UNSUPPORTED),  # listed versions of an unsupported ecosystem still match
        (4, REASON_UNSUPPORTED),
        (5, REASON_NO_ECOSYSTEM),
        (6, REASON_GIT_ONLY),
        (7, REASON_BAD_RANGE),  # GOOD matched, but BADRANGE could not be evaluated
        (8, REASON_BAD_RANGE),
    ]


def test_a_large_sbom_is_matched_with_each_package_and_version_worked_out_once(monkeypatch):
    """2,000 packages with five advisories each; 10,000 components, 2,000 × 5 versions.

    The work is bounded, whatever the machine: one grouping pass over the entries, one set of tables
    per package, one answer per (package, version), nothing again on a second match. Its time
    (target 0.2 s) is in `python -m bench.software` and `python -m bench.sbom` (bench/RESULTS.md)."""
    from renkei.software.vulndb import matching

    advisories = [
        advisory(
            f"ADV-{p}-{a}",
            affected(
                "npm",
                f"pkg{p}",
                [{"introduced": f"{a}.0.0"}, {"fixed": f"{a}.5.0"}],
                [{"introduced": f"{a + 10}.0.0-rc.1"}, {"last_affected": f"{a + 10}.2.0"}],
            ),
        )
        for p in range(2000)
        for a in range(5)
    ]
    index = AdvisoryIndex.build(advisories)
    components = [
        ComponentRef(key=i, ecosystem="npm", name=f"pkg{i % 2000}", version=f"{i % 7}.{i % 11}.{i % 3}")
        for i in range(10_000)
    ]
    calls = {"group": 0, "tables": 0, "answer": 0}

    def counted(name, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(AdvisoryIndex, "_group", counted("group", AdvisoryIndex._group))
    monkeypatch.setattr(AdvisoryIndex, "_answer", counted("answer", AdvisoryIndex._answer))
    monkeypatch.setattr(matching, "prepare_tables", counted("tables", matching.prepare_tables))
    result = index.match(components)
    # Version M.m.p is affected by ADV-pkg-M when M < 5 and m < 5 (the [M.0.0, M.5.0) range); the
    # second ranges (10.0.0-rc.1 and up) affect no component.
    expected = {
        (c.key, f"ADV-{c.key % 2000}-{c.key % 7}") for c in components if c.key % 7 < 5 and c.key % 11 < 5
    }
    assert set(result.matches) == expected and len(result.matches) == len(expected) > 3000
    assert result.not_checked == []
    pairs = {(c.name, c.version) for c in components}
    assert calls == {"group": 1, "tables": 2000, "answer": len(pairs)}
    again = index.match(components)
    assert set(again.matches) == expected
    assert calls == {"group": 1, "tables": 2000, "answer": len(pairs)}


@pytest.mark.parametrize("version", ["1.0.0", "1.2.3"])
def test_match_one_convenience(version):
    index = AdvisoryIndex.build([advisory("A", affected("npm", "x", [{"introduced": "0"}]))])
    assert index.match_one("npm", "x", version) == ["A"]
    assert index.match_one("npm", "y", version) == []


def test_first_version_answer_agrees_with_the_tables():
    # The first version of a package is answered from its entries, later ones from its tables:
    # both must give the same matches and the same not-checked reasons, whatever the entries hold.
    rng = random.Random(11)
    space = [f"{a}.{b}.{c}" for a in range(3) for b in range(3) for c in range(3)] + ["1.1.1-rc.1", "1.1"]
    queried = [*space, "latest", "1.1.1.1"]

    def random_range() -> dict:
        events = []
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice(["introduced", "introduced", "fixed", "last_affected", "limit"])
            value = rng.choice(space + (["0"] if kind == "introduced" else ["*"] if kind == "limit" else []))
            events.append({kind: value})
        if rng.random() < 0.05:
            events.append({"fixed": "not-a-version"})
        kind = rng.choice(["ECOSYSTEM"] * 5 + ["SEMVER"] * 2 + ["GIT", "UNKNOWN"])
        return {"type": kind, "events": events}

    advisories = []
    for n in range(600):
        entries = []
        for _ in range(rng.choice([1, 1, 1, 2])):
            ecosystem = rng.choice(["npm", "npm", "PyPI", "Maven"])
            entries.append(
                AffectedSpec(
                    ecosystem=ecosystem,
                    name=f"p{rng.randrange(60)}",
                    ranges=[random_range() for _ in range(rng.choice([0, 1, 1, 2, 2]))],
                    versions=rng.sample(queried, rng.choice([0, 0, 1, 3])),
                )
            )
        advisories.append(advisory(f"ADV-{n}", *entries))

    def components(version: str) -> list[ComponentRef]:
        return [
            ComponentRef(key=f"{ecosystem} p{p}", ecosystem=ecosystem, name=f"p{p}", version=version)
            for ecosystem in ("npm", "PyPI", "Maven")
            for p in range(60)
        ]

    with_tables = AdvisoryIndex.build(advisories)
    with_tables.match(components("9.9.9-first"))  # each package's first version: later ones use tables
    for version in queried:
        first = AdvisoryIndex.build(advisories).match(components(version))
        later = with_tables.match(components(version))
        assert first.matches == later.matches, version
        assert first.not_checked == later.not_checked, version


def test_version_unparsable_in_one_order_is_not_checked_even_when_listed():
    # Listed, so affected; but the entry's SEMVER range cannot place "1.1.1.1". The same answer
    # whether the version is the first one met (answered from the entries) or a later one (tables).
    entry = affected("PyPI", "q", [{"introduced": "0"}], versions=["1.1.1.1"])
    entry.ranges.append({"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]})

    def check(index: AdvisoryIndex, version: str) -> None:
        result = index.match([ComponentRef(key=version, ecosystem="PyPI", name="q", version=version)])
        assert [m.advisory_id for m in result.matches] == ["Q"]
        assert result.not_checked == ([(version, REASON_BAD_VERSION)] if version == "1.1.1.1" else [])

    check(AdvisoryIndex.build([advisory("Q", entry)]), "1.1.1.1")
    index = AdvisoryIndex.build([advisory("Q", entry)])
    check(index, "1.0.0")
    check(index, "1.1.1.1")
