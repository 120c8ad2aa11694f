"""Deterministic benchmark data: a CycloneDX 1.5 JSON SBOM and OSV records (real PyPI + generated).

Advisories: the real PyPI records under ``../shared/data/osv/PyPI`` (read in place, never copied)
plus generated npm and Maven records up to the requested total, written as osv.dev-style
``npm/all.zip`` and ``Maven/all.zip`` into a caller-given directory. Generated packages have a
release history (SemVer for npm, with some pre-releases; Maven in several house styles: plain,
``.Final``/``.Beta1``/``.CR1``, ``.RELEASE``, ``-M1``/``-RC1``); their advisories use realistic
range shapes: ``introduced: 0`` + ``fixed``, ``introduced`` + ``fixed``, ``last_affected``, open
ranges, and several branches (as several introduced/fixed pairs in one range or as several
``affected`` entries). A minority enumerate ``versions`` as osv.dev does. The number of advisories
per package is heavy-tailed (most packages have one or two, a few have around a hundred).

SBOM: real PyPI names and versions (80 % drawn from the advisories' ``versions`` lists, so mostly
affected; 20 % the ``fixed`` versions of their ranges), generated npm and Maven components (half
from packages with advisories, versions drawn from their release history, half from packages no
advisory names), and 1 % ``pkg:generic`` components that no OSV ecosystem covers. Every
component has a licence and a SHA-256 hash; the dependency graph is a random tree.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from packaging.utils import canonicalize_name

SHARED_PYPI = Path(__file__).resolve().parents[2] / "../shared/data/osv/PyPI"

SHARES = {"PyPI": 0.40, "npm": 0.35, "Maven": 0.24}  # the rest: pkg:generic
GENERATED_SHARES = {"npm": 0.6, "Maven": 0.4}

_WORD_TEXT = (
    "acorn alpha amber anchor apex arrow atlas aurora axis badger beacon birch blaze bloom bolt "
    "breeze bridge brook cactus canyon cedar cherry cinder circuit cliff cloud cobalt comet coral "
    "crane crest crystal cypress dawn delta desert dune eagle echo ember falcon fern field flint "
    "forge fox frost galaxy garnet glacier glade granite grove harbor hawk hazel helix heron hollow "
    "horizon indigo iris island ivory jade jasper juniper kernel kestrel lagoon lantern lark lava "
    "ledger lemon lotus lunar lynx maple marble marsh meadow mesa meteor mint mist moss nebula "
    "nectar nimbus noble north oak oasis onyx opal orbit orchid otter pebble pepper pine pixel "
    "plasma polar prism pulse quartz quill radiant raven reef ridge river robin rocket ruby sage "
    "sail sapphire scarlet shadow shell sierra silver slate solar sparrow spruce star stone storm "
    "summit swift tango thistle thunder tide timber topaz torch tulip tundra valley vapor velvet "
    "violet vortex walnut wave willow wind wolf yarrow zenith zephyr"
)
_WORDS = _WORD_TEXT.split()
_SUFFIX_TEXT = (
    "parser utils core client server cli loader router stream cache config logger schema query "
    "crypto auth http json yaml xml template render compiler bundler plugin adapter driver sdk "
    "runtime validator formatter serializer sanitizer proxy gateway worker queue scheduler"
)
_SUFFIXES = _SUFFIX_TEXT.split()
_MAVEN_GROUP_ROOTS = ("org", "com", "io", "net")
_LICENCES = (
    "MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "BSD-2-Clause", "GPL-2.0-only", "LGPL-2.1-or-later",
    "MPL-2.0", "EPL-2.0", "GPL-3.0-or-later",
)  # fmt: skip
_EXPRESSIONS = ("MIT OR Apache-2.0", "Apache-2.0 AND BSD-3-Clause", "EPL-2.0 OR GPL-2.0-only")
_CVSS3 = [
    f"CVSS:3.1/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}"
    for av, ac, pr, ui, s, c, i, a in [
        ("N", "L", "N", "N", "U", "H", "H", "H"),
        ("N", "L", "N", "N", "U", "H", "N", "N"),
        ("N", "L", "N", "N", "U", "N", "N", "H"),
        ("N", "H", "N", "N", "U", "H", "N", "N"),
        ("N", "L", "N", "R", "C", "L", "L", "N"),
        ("N", "L", "L", "N", "U", "H", "H", "H"),
        ("L", "L", "L", "N", "U", "H", "H", "H"),
        ("N", "L", "N", "N", "U", "L", "N", "N"),
        ("N", "H", "N", "R", "U", "L", "N", "N"),
        ("N", "L", "N", "N", "C", "H", "H", "H"),
        ("L", "H", "L", "N", "U", "H", "N", "N"),
        ("N", "L", "N", "N", "U", "N", "N", "L"),
    ]
]
_CVSS4 = [
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
    "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
]
_DB_RATINGS = ("CRITICAL", "HIGH", "MODERATE", "LOW")
_GHSA_CHARS = "23456789cfghjmpqrvwx"


@dataclass
class BenchData:
    """Where the generated files are, and what they hold."""

    sbom_path: Path
    osv_paths: list[Path]
    components: dict[str, int] = field(default_factory=dict)  # per ecosystem (+ "generic")
    advisories: dict[str, int] = field(default_factory=dict)  # per ecosystem
    packages_with_advisories: dict[str, int] = field(default_factory=dict)


# --- release histories ----------------------------------------------------------------------------


def _npm_history(rng: random.Random) -> list[str]:
    """SemVer releases in ascending order; some majors are preceded by beta/rc pre-releases."""
    n = int(4 + 76 * rng.random() ** 2)
    major, minor, patch = rng.choice((0, 1, 1, 2, 3)), rng.randint(0, 5), 0
    out = [f"{major}.{minor}.{patch}"]
    while len(out) < n:
        r = rng.random()
        if r < 0.55:
            patch += 1
        elif r < 0.87:
            minor, patch = minor + 1, 0
        else:
            major, minor, patch = major + 1, 0, 0
            if rng.random() < 0.35:
                out += [f"{major}.0.0-beta.1", f"{major}.0.0-beta.2", f"{major}.0.0-rc.1"]
        out.append(f"{major}.{minor}.{patch}")
    return out


def _maven_history(rng: random.Random) -> list[str]:
    """Maven releases in ascending order, in one of the common house styles."""
    style = rng.choices(("plain", "final", "release", "milestones", "two"), (55, 12, 10, 13, 10))[0]
    n = int(4 + 56 * rng.random() ** 2)
    major, minor, patch = rng.choice((1, 1, 2, 3, 4, 5)), rng.randint(0, 9), 0
    out: list[str] = []
    while len(out) < n:
        if style == "two":
            out.append(f"{major}.{minor}")
        elif style == "final":
            out.append(f"{major}.{minor}.{patch}.Final")
        elif style == "release":
            out.append(f"{major}.{minor}.{patch}.RELEASE")
        else:
            out.append(f"{major}.{minor}.{patch}")
        r = rng.random()
        if r < 0.55 and style != "two":
            patch += 1
        elif r < 0.88:
            minor, patch = minor + 1, 0
        else:
            major, minor, patch = major + 1, 0, 0
            if style == "final" and rng.random() < 0.5:
                out += [f"{major}.0.0.Beta1", f"{major}.0.0.CR1"]
            elif style == "milestones" and rng.random() < 0.6:
                out += [f"{major}.0.0-M1", f"{major}.0.0-M2", f"{major}.0.0-RC1"]
    return out


# --- names ----------------------------------------------------------------------------------------


def _npm_names(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        base = f"{rng.choice(_WORDS)}-{rng.choice(_SUFFIXES)}"
        if rng.random() < 0.4:
            base = f"{rng.choice(_WORDS)}-{base}"
        if rng.random() < 0.15:
            base = f"@{rng.choice(_WORDS)}/{base}"
        names.add(base)
    return sorted(names)


def _maven_names(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        group = f"{rng.choice(_MAVEN_GROUP_ROOTS)}.{rng.choice(_WORDS)}"
        if rng.random() < 0.5:
            group += f".{rng.choice(_WORDS)}"
        names.add(f"{group}:{rng.choice(_WORDS)}-{rng.choice(_SUFFIXES)}")
    return sorted(names)


# --- advisories -----------------------------------------------------------------------------------


def _events(rng: random.Random, history: list[str]) -> list[list[dict[str, str]]]:
    """One or more OSV event lists (one per range) over `history`."""
    n = len(history)
    shape = rng.choices(("zero-fixed", "intro-fixed", "last", "open", "branches"), (25, 35, 10, 8, 22))[0]
    if shape == "zero-fixed":
        return [[{"introduced": "0"}, {"fixed": history[rng.randrange(1, n)]}]]
    if shape == "intro-fixed":
        i = rng.randrange(0, n - 1)
        return [[{"introduced": history[i]}, {"fixed": history[rng.randrange(i + 1, n)]}]]
    if shape == "last":
        i = rng.randrange(0, n)
        start = "0" if rng.random() < 0.4 else history[i]
        return [[{"introduced": start}, {"last_affected": history[rng.randrange(i, n)]}]]
    if shape == "open":
        return [[{"introduced": history[rng.randrange(n // 2, n)]}]]
    # Maintained branches: 2-3 disjoint intervals.
    cuts = sorted(rng.sample(range(n), min(n, 2 * rng.randint(2, 3))))
    pairs = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]
    events = [[{"introduced": history[a]}, {"fixed": history[b]}] for a, b in pairs]
    if rng.random() < 0.5:
        return [[event for pair in events for event in pair]]  # one range, several pairs
    return events  # one range per branch (GHSA's style: one affected entry each)


def _affected_versions(history: list[str], events: list[dict[str, str]]) -> list[str]:
    """The releases a range covers (history is ascending, events pairwise in history order)."""
    index = {v: i for i, v in enumerate(history)}
    out: list[str] = []
    start: int | None = None
    for event in events:
        ((kind, value),) = event.items()
        if kind == "introduced":
            start = 0 if value == "0" else index[value]
        elif start is not None:
            end = index[value] + (1 if kind == "last_affected" else 0)
            out += history[start:end]
            start = None
    if start is not None:
        out += history[start:]
    return out


def _ghsa_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        parts = ["".join(rng.choice(_GHSA_CHARS) for _ in range(4)) for _ in range(3)]
        advisory_id = "GHSA-" + "-".join(parts)
        if advisory_id not in taken:
            taken.add(advisory_id)
            return advisory_id


def _advisory(
    rng: random.Random, advisory_id: str, ecosystem: str, name: str, history: list[str]
) -> dict[str, Any]:
    ranges = _events(rng, history)
    enumerate_versions = rng.random() < 0.35
    affected = []
    for events in ranges:
        entry: dict[str, Any] = {
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
        }
        if enumerate_versions:
            entry["versions"] = _affected_versions(history, events)
        affected.append(entry)
    year = rng.randint(2016, 2025)
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": advisory_id,
        "modified": f"{year + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
        "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:30:00Z",
        "aliases": [f"CVE-{year}-{rng.randint(1000, 99999)}"] if rng.random() < 0.8 else [],
        "summary": f"{rng.choice(('Denial of service', 'Prototype pollution', 'Path traversal', 'XXE', 'Remote code execution', 'Cross-site scripting', 'Regular expression DoS', 'Deserialisation of untrusted data'))} in {name}",
        "details": "Generated advisory for the renkei SBOM benchmark. " * rng.randint(1, 6),
        "affected": affected,
        "references": [{"type": "ADVISORY", "url": f"https://github.com/advisories/{advisory_id}"}],
    }
    r = rng.random()
    if r < 0.65:
        record["severity"] = [{"type": "CVSS_V3", "score": rng.choice(_CVSS3)}]
    elif r < 0.72:
        record["severity"] = [{"type": "CVSS_V4", "score": rng.choice(_CVSS4)}]
    if r >= 0.65 or rng.random() < 0.5:
        record["database_specific"] = {"severity": rng.choice(_DB_RATINGS)}
    return record


def _package_counts(rng: random.Random, n_advisories: int, n_packages: int) -> list[int]:
    """Advisories per package, heavy-tailed; every package has at least one."""
    counts = [1] * n_packages
    for _ in range(n_advisories - n_packages):
        counts[int(n_packages * rng.random() ** 1.6)] += 1
    return counts


# --- real PyPI data -------------------------------------------------------------------------------


def _pypi_pairs(root: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], int]:
    """(name, version) from the real advisories' `versions` lists and from their `fixed` events."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    listed: set[tuple[str, str]] = set()
    fixed: set[tuple[str, str]] = set()
    count = 0
    for path in sorted(root.rglob("*.yaml")):
        doc = yaml.load(path.read_bytes(), Loader=loader)  # noqa: S506 - a safe loader
        count += 1
        for entry in doc.get("affected") or []:
            name = canonicalize_name(str(entry["package"]["name"]))
            listed.update((name, str(v)) for v in entry.get("versions") or [])
            for spec in entry.get("ranges") or []:
                if spec.get("type") == "ECOSYSTEM":
                    fixed.update((name, str(e["fixed"])) for e in spec["events"] if "fixed" in e)
    return sorted(listed), sorted(fixed - listed), count


# --- writing --------------------------------------------------------------------------------------


def _purl(ecosystem: str, name: str, version: str) -> tuple[str, str, str]:
    """(purl, CycloneDX group, CycloneDX name)."""
    if ecosystem == "PyPI":
        return f"pkg:pypi/{name}@{version}", "", name
    if ecosystem == "npm":
        if name.startswith("@"):
            scope, _, base = name.partition("/")
            return f"pkg:npm/%40{scope[1:]}/{base}@{version}", scope, base
        return f"pkg:npm/{name}@{version}", "", name
    if ecosystem == "Maven":
        group, _, artifact = name.partition(":")
        return f"pkg:maven/{group}/{artifact}@{version}", group, artifact
    return f"pkg:generic/{name}@{version}", "", name


def _component(rng: random.Random, ecosystem: str, name: str, version: str) -> dict[str, Any]:
    purl, group, base = _purl(ecosystem, name, version)
    component: dict[str, Any] = {"type": "library", "bom-ref": purl}
    if group:
        component["group"] = group
    component.update(name=base, version=version, purl=purl)
    if rng.random() < 0.1:
        component["licenses"] = [{"expression": rng.choice(_EXPRESSIONS)}]
    else:
        component["licenses"] = [{"license": {"id": rng.choice(_LICENCES)}}]
    component["hashes"] = [{"alg": "SHA-256", "content": rng.randbytes(32).hex()}]
    return component


def _write_zip(path: Path, records: Iterator[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", orjson.dumps(record))


def generate(
    out_dir: Path,
    *,
    n_components: int = 10_000,
    n_advisories: int = 100_000,
    seed: int = 42,
    pypi_root: Path = SHARED_PYPI,
) -> BenchData:
    """Write ``sbom.cdx.json``, ``npm/all.zip`` and ``Maven/all.zip`` into ``out_dir``."""
    if not pypi_root.is_dir():
        raise SystemExit(f"the shared OSV data is missing: {pypi_root.resolve()}")
    rng = random.Random(seed)
    listed, fixed, n_real = _pypi_pairs(pypi_root)
    n_generated = max(n_advisories - n_real, 0)
    data = BenchData(sbom_path=out_dir / "sbom.cdx.json", osv_paths=[pypi_root.resolve()])
    data.advisories["PyPI"] = n_real

    # Generated packages: advisory-bearing ones first, then as many that no advisory names.
    taken: set[str] = set()
    packages: dict[str, list[tuple[str, list[str]]]] = {}
    clean: dict[str, list[tuple[str, list[str]]]] = {}
    for ecosystem, share in GENERATED_SHARES.items():
        n_adv = round(n_generated * share) if ecosystem == "npm" else n_generated - data.advisories["npm"]
        n_pkg = max(n_adv // 4, 1) if n_adv else 0
        make_names = _npm_names if ecosystem == "npm" else _maven_names
        make_history = _npm_history if ecosystem == "npm" else _maven_history
        n_clean = max(round(n_components * SHARES[ecosystem] / 2), 1)
        names = make_names(rng, n_pkg + n_clean)
        rng.shuffle(names)
        with_hist = [(name, make_history(rng)) for name in names]
        packages[ecosystem], clean[ecosystem] = with_hist[:n_pkg], with_hist[n_pkg:]
        counts = _package_counts(rng, n_adv, n_pkg) if n_pkg else []

        def records(
            eco: str = ecosystem,
            pkgs: list[tuple[str, list[str]]] = packages[ecosystem],
            cnt: list[int] = counts,
        ) -> Iterator[dict[str, Any]]:
            for (name, history), k in zip(pkgs, cnt, strict=True):
                for _ in range(k):
                    yield _advisory(rng, _ghsa_id(rng, taken), eco, name, history)

        if n_adv:
            _write_zip(out_dir / ecosystem / "all.zip", records())
            data.osv_paths.append(out_dir / ecosystem / "all.zip")
        data.advisories[ecosystem] = n_adv
        data.packages_with_advisories[ecosystem] = n_pkg

    # SBOM components.
    chosen: list[tuple[str, str, str]] = []
    n_pypi = round(n_components * SHARES["PyPI"])
    n_fixed = min(n_pypi // 5, len(fixed))
    chosen += [("PyPI", n, v) for n, v in rng.sample(listed, n_pypi - n_fixed)]
    chosen += [("PyPI", n, v) for n, v in rng.sample(fixed, n_fixed)]
    for ecosystem in GENERATED_SHARES:
        n_eco = round(n_components * SHARES[ecosystem])
        seen: set[tuple[str, str]] = set()
        pools = [packages[ecosystem], clean[ecosystem]]
        while len(seen) < n_eco:
            pool = pools[len(seen) % 2] or pools[0]
            name, history = rng.choice(pool)
            seen.add((name, rng.choice(history)))
        chosen += [(ecosystem, n, v) for n, v in sorted(seen)]
    n_generic = n_components - len(chosen)
    chosen += [
        ("generic", f"vendor-{rng.choice(_WORDS)}-{i}", f"{rng.randint(1, 9)}.{i % 10}")
        for i in range(n_generic)
    ]
    rng.shuffle(chosen)
    for eco, _, _ in chosen:
        data.components[eco] = data.components.get(eco, 0) + 1

    components = [_component(rng, *c) for c in chosen]
    # A random tree: every component is a dependency of one earlier component (or the application).
    depends: dict[str, list[str]] = {"app": []}
    for i, comp in enumerate(components):
        parent = "app" if i < 20 else components[rng.randrange(0, i)]["bom-ref"]
        depends.setdefault(parent, []).append(comp["bom-ref"])
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-22T00:00:00Z",
            "tools": {"components": [{"type": "application", "name": "renkei-bench", "version": "1"}]},
            "component": {"type": "application", "bom-ref": "app", "name": "bench-app", "version": "1.0.0"},
        },
        "components": components,
        "dependencies": [
            {"ref": ref, "dependsOn": depends.get(ref, [])}
            for ref in ["app", *(c["bom-ref"] for c in components)]
        ],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    data.sbom_path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return data
