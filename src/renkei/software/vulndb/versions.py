"""Version ordering per package ecosystem, as the OSV schema's ecosystems define it.

A pure engine (no Django). `version_key(ecosystem, version)` returns a key that sorts like the
ecosystem's own tools sort versions; keys of one ecosystem compare with each other and with
nothing else. Keys are plain tuples, compared in C, so cheap to sort and compare (PyPI's are built
from the parts of a `packaging.version.Version`, not the object, whose comparisons run Python
code). Parsing is cached: a 10,000-component SBOM asks for the same versions again and again.

The schemes:
- PyPI: PEP 440 via `packaging`; versions PEP 440 cannot parse ("2004d", "1.0-beta-final") sort
  before every PEP 440 version, ordered as pip's old `LegacyVersion` ordered them.
- npm, crates.io, Go: SemVer 2.0 (pre-releases before the release, build metadata ignored); a
  leading "v" is accepted, so Go's "v1.2.3", pseudo-versions and "+incompatible" order correctly.
- NuGet: SemVer 2.0 with an optional fourth number; pre-release labels compare case-insensitively.
- Maven, RubyGems, Debian, Alpine, Packagist: see `version_schemes`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

from renkei.software.vulndb import version_schemes
from renkei.software.vulndb.version_schemes import InvalidVersion

__all__ = [
    "CASE_SENSITIVE_ECOSYSTEMS",
    "SUPPORTED_ECOSYSTEMS",
    "InvalidVersion",
    "normalise_ecosystem",
    "normalise_package_name",
    "parse_version_key",
    "version_key",
]

SUPPORTED_ECOSYSTEMS: frozenset[str] = frozenset(
    {"PyPI", "npm", "Go", "crates.io", "Maven", "RubyGems", "NuGet", "Debian", "Alpine", "Packagist"}
)
_BY_LOWER = {name.lower(): name for name in SUPPORTED_ECOSYSTEMS}
# Supported ecosystems whose package names compare as written (see `normalise_package_name`).
CASE_SENSITIVE_ECOSYSTEMS: frozenset[str] = frozenset({"npm", "Go", "Maven", "RubyGems"})

# OSV's SEMVER range type: SemVer 2.0 whatever the package's ecosystem.
SEMVER = "SemVer"

# Longer than any real version; a cap so hostile input cannot make parsing expensive.
MAX_VERSION_LENGTH = 256


@lru_cache(maxsize=1024)
def normalise_ecosystem(name: str | None) -> str | None:
    """The canonical OSV name of a supported ecosystem, or None when it is not supported.

    Accepts any letter case and drops a release or repository suffix: "Debian:12" → "Debian",
    "Alpine:v3.18" → "Alpine", "Maven:https://maven.google.com" → "Maven", "pypi" → "PyPI".
    """
    if not name:
        return None
    return _BY_LOWER.get(name.split(":", 1)[0].strip().lower())


def ecosystem_base(name: str) -> str:
    """The ecosystem name without its release suffix, canonical when supported ("Debian:12" → "Debian")."""
    return normalise_ecosystem(name) or name.split(":", 1)[0].strip()


_PEP503 = re.compile(r"[-_.]+")


@lru_cache(maxsize=65536)
def normalise_package_name(ecosystem: str, name: str) -> str:
    """The package name as the ecosystem compares names, so advisories and SBOMs meet.

    PyPI: PEP 503 (lower case, runs of "-", "_", "." → "-"). crates.io: lower case with "_" → "-"
    (crates.io treats them as one name). NuGet, Packagist, Debian, Alpine: lower case (their
    registries are case-insensitive or lower case only). npm, Go, Maven, RubyGems and unknown
    ecosystems: unchanged apart from surrounding white space (their names are case-sensitive).
    """
    name = name.strip()
    eco = normalise_ecosystem(ecosystem)
    if eco in CASE_SENSITIVE_ECOSYSTEMS:
        return name
    if eco == "PyPI":
        return _PEP503.sub("-", name).lower()
    if eco == "crates.io":
        return name.lower().replace("_", "-")
    if eco in ("NuGet", "Packagist", "Debian", "Alpine"):
        return name.lower()
    return name


def version_key(ecosystem: str, version: str) -> Any:
    """A totally ordered key for `version` in `ecosystem` (an OSV ecosystem name, or "SemVer").

    Raises `InvalidVersion` when the version cannot be parsed under the ecosystem's rules, and
    `ValueError` for an unsupported ecosystem. Cached.
    """
    return _cached_key(ecosystem, version)


def parse_version_key(ecosystem: str, version: str) -> Any:
    """`version_key` without its cache, for a caller that keeps its own (the advisory index
    memoises per index: the cache's bookkeeping would only add to every first parse)."""
    parse = _PARSERS.get(ecosystem)
    if parse is None:
        canonical = normalise_ecosystem(ecosystem)
        if canonical is None:
            if ecosystem == SEMVER:
                parse = semver_key
            else:
                raise ValueError(f"unsupported ecosystem: {ecosystem}")
        else:
            parse = _PARSERS[canonical]
    version = version.strip()
    if not version:
        raise InvalidVersion("empty version")
    if len(version) > MAX_VERSION_LENGTH:
        raise InvalidVersion("version too long")
    return parse(version)


_cached_key = lru_cache(maxsize=262144)(parse_version_key)


# --- PyPI -----------------------------------------------------------------------------------------


# PEP 440 suffix ranks, as packaging orders them: a dev-only release (1.0.dev1) sorts before every
# pre-release, a release without pre-release tag after them; no post < post; dev < no dev.
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_PRE_DEV_ONLY = -1
_PRE_NONE = 3
_DIGITS_AND_DOTS = frozenset(".0123456789")


def pypi_key(version: str) -> tuple[Any, ...]:
    """PEP 440 order; non-PEP 440 versions first, in pip's old LegacyVersion order.

    A PEP 440 version becomes a plain tuple (1, epoch, release without trailing zeros, pre rank,
    pre number, post rank, post number, dev rank, dev number, local parts), not the `Version`
    object: tuples compare in C, whereas `Version` comparisons run Python code, and matching
    compares thousands of keys. The order is packaging's own (tests check both agree).
    """
    if _DIGITS_AND_DOTS.issuperset(version):
        # Most versions are plain numbers ("2.31.0"); "1..2" and the like go the long way.
        try:
            release = tuple(map(int, version.split(".")))
        except ValueError:
            pass
        else:
            end = len(release)
            while end and release[end - 1] == 0:
                end -= 1
            return (1, 0, release[:end], _PRE_NONE, 0, 0, 0, 1, 0, ())
    try:
        parsed = Version(version)
    except PackagingInvalidVersion:
        return (0, _legacy_key(version))
    release = parsed.release
    end = len(release)
    while end and release[end - 1] == 0:
        end -= 1
    pre, post, dev, local = parsed.pre, parsed.post, parsed.dev, parsed.local
    if pre is not None:
        pre_rank, pre_number = _PRE_RANK[pre[0]], pre[1]
    elif post is None and dev is not None:
        pre_rank, pre_number = _PRE_DEV_ONLY, 0
    else:
        pre_rank, pre_number = _PRE_NONE, 0
    # A local label sorts after the same version without one; its parts compare numbers
    # numerically and after words, words alphabetically (PEP 440, "Local version identifiers").
    local_parts = (
        ()
        if local is None
        else tuple((int(part), "") if part.isdigit() else (-1, part) for part in local.split("."))
    )
    return (
        1,
        parsed.epoch,
        release[:end],
        pre_rank,
        pre_number,
        0 if post is None else 1,
        post or 0,
        1 if dev is None else 0,
        dev or 0,
        local_parts,
    )


_LEGACY_COMPONENT = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACE = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _legacy_parts(version: str) -> list[str]:
    parts = []
    for part in _LEGACY_COMPONENT.split(version):
        part = _LEGACY_REPLACE.get(part, part)
        if not part or part == ".":
            continue
        # Numbers are zero-padded so that string comparison orders them numerically.
        parts.append(part.zfill(8) if part[:1] in "0123456789" else "*" + part)
    parts.append("*final")
    return parts


def _legacy_key(version: str) -> tuple[str, ...]:
    """setuptools' historic ordering, as `packaging.version.LegacyVersion` had it (packaging < 22)."""
    parts: list[str] = []
    for part in _legacy_parts(version.lower()):
        if part.startswith("*"):
            # A "-" before a pre-release tag does not count.
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            # Trailing zeros of each numeric series do not count ("1.0" == "1").
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    return tuple(parts)


# --- SemVer family --------------------------------------------------------------------------------

_SEMVER = re.compile(r"[vV=]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
_NUGET = re.compile(
    r"[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?"
)


def _prerelease_key(label: str | None, *, fold_case: bool = False) -> tuple[Any, ...]:
    # SemVer §11: a release sorts after its pre-releases; identifiers compare numerically when
    # numeric, numbers before words, and a longer list wins when all shared identifiers are equal.
    if label is None:
        return (1,)
    if fold_case:
        label = label.lower()
    identifiers = []
    for ident in label.split("."):
        if not ident:
            raise InvalidVersion("empty pre-release identifier")
        identifiers.append((0, int(ident), "") if ident.isdigit() else (1, 0, ident))
    return (0, tuple(identifiers))


def semver_key(version: str) -> tuple[Any, ...]:
    """SemVer 2.0 precedence (npm, crates.io, Go, OSV's SEMVER ranges). Missing minor/patch count as 0."""
    m = _SEMVER.fullmatch(version)
    if m is None:
        raise InvalidVersion(f"not a semantic version: {version}")
    major, minor, patch, pre = m.groups()
    return (int(major), int(minor or 0), int(patch or 0), _prerelease_key(pre))


def nuget_key(version: str) -> tuple[Any, ...]:
    """NuGet: SemVer 2.0 with an optional fourth number and case-insensitive pre-release labels."""
    m = _NUGET.fullmatch(version)
    if m is None:
        raise InvalidVersion(f"not a NuGet version: {version}")
    a, b, c, d, pre = m.groups()
    return (int(a), int(b or 0), int(c or 0), int(d or 0), _prerelease_key(pre, fold_case=True))


_PARSERS = {
    "PyPI": pypi_key,
    "npm": semver_key,
    "crates.io": semver_key,
    "Go": semver_key,
    SEMVER: semver_key,
    "NuGet": nuget_key,
    "Maven": version_schemes.maven_key,
    "RubyGems": version_schemes.rubygems_key,
    "Debian": version_schemes.debian_key,
    "Alpine": version_schemes.alpine_key,
    "Packagist": version_schemes.packagist_key,
}
