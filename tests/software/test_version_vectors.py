"""Version ordering checked against each ecosystem's reference rules, vector by vector.

Every vector is a fact stated by the ecosystem's own specification or its reference
implementation's documentation and tests (restated here as facts, no code copied):

- PyPI: PEP 440 ("Summary of permitted suffixes and relative ordering", normalisation rules).
- npm / crates.io / SemVer: SemVer 2.0.0 §10–11 and node-semver's comparison fixtures.
- Go: the Go modules reference (pseudo-versions, `+incompatible`) and golang.org/x/mod/semver.
- Maven: the POM reference's version order specification and ComparableVersionTest.
- Debian: Debian Policy §5.6.12 and dpkg's version comparison tests.
- Alpine: apk-tools' version rules (suffix order, `-rN` revisions).
- RubyGems: Gem::Version's documentation and test_gem_version.rb (`<=>`).
- NuGet: NuGet's "Package versioning" documentation (precedence, normalisation).
- Packagist: composer/semver (normalisation, stabilities) and PHP's version_compare.

`python -m tests.software.test_version_vectors` prints how many vectors pass per ecosystem.
"""

from __future__ import annotations

import pytest

from renkei.software.vulndb.versions import version_key

# (lower-or-equal side, "<" or "=", other side)
Vector = tuple[str, str, str]


def ascending(*versions: str) -> list[Vector]:
    """A published ascending list, as the vectors between neighbours."""
    return [(a, "<", b) for a, b in zip(versions, versions[1:], strict=False)]


VECTORS: dict[str, list[Vector]] = {
    "PyPI": [
        *ascending(
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ),
        ("1.0", "=", "1.0.0"),
        ("1.0rc1", "=", "1.0c1"),
        ("1.0a1", "=", "1.0alpha1"),
        ("1.0b1", "=", "1.0beta1"),
        ("1.0rc1", "=", "1.0pre1"),
        ("1.0.post1", "=", "1.0-1"),
        ("1.0.post1", "=", "1.0.r1"),
        ("1.0.post1", "=", "1.0rev1"),
        ("1.0.dev0", "=", "1.0dev"),
        ("1.0a0", "=", "1.0a"),
        ("1.0", "=", "v1.0"),
        ("1.0+ubuntu-1", "=", "1.0+ubuntu.1"),
        ("1.0", "<", "1.0.post0"),
        ("2.0", "<", "1!1.0"),
        ("1.9", "<", "1.10"),
        ("1.0+abc", "<", "1.0+1"),
    ],
    "SemVer": [
        *ascending(
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ),
        ("1.0.0", "=", "1.0.0+20130313144700"),
        ("1.0.0-alpha", "=", "1.0.0-alpha+001"),
        ("1.0.0-beta", "=", "1.0.0-beta+exp.sha.5114f85"),
        ("0.0.0-foo", "<", "0.0.0"),
        ("0.9.9", "<", "1.0.0"),
        ("0.9.0", "<", "0.10.0"),
        ("0.10.0", "<", "0.99.0"),
        ("1.2.3-asdf", "<", "1.2.3"),
        ("1.2.3-4", "<", "1.2.3"),
        ("1.2.3-4-foo", "<", "1.2.3"),
        ("1.2.3-5", "<", "1.2.3-5-foo"),
        ("1.2.3-4", "<", "1.2.3-5"),
        ("1.2.3-5-Foo", "<", "1.2.3-5-foo"),
        ("2.7.2+asdf", "<", "3.0.0"),
        ("1.2.3-a.5", "<", "1.2.3-a.10"),
        ("1.2.3-a.5", "<", "1.2.3-a.b"),
        ("1.2.3-a", "<", "1.2.3-a.b"),
        ("1.2.3-a.b.c.5.d.100", "<", "1.2.3-a.b.c.10.d.5"),
        ("1.2.3-r100", "<", "1.2.3-r2"),
        ("1.2.3-R2", "<", "1.2.3-r100"),
        ("1.2.3", "=", "v1.2.3"),
        ("1.2.3-beta+build", "=", "1.2.3-beta+otherbuild"),
    ],
    "Go": [
        ("v0.0.0-20191109021931-daa7c04131f5", "<", "v0.1.0"),
        ("v1.2.3", "<", "v1.2.4-0.20191109021931-daa7c04131f5"),
        ("v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4"),
        ("v1.3.0-pre", "<", "v1.3.0-pre.0.20191109021931-daa7c04131f5"),
        ("v1.3.0-pre.0.20191109021931-daa7c04131f5", "<", "v1.3.0"),
        ("v0.0.0-20191109021931-daa7c04131f5", "<", "v0.0.0-20200101000000-000000000000"),
        ("v2.0.0+incompatible", "=", "v2.0.0"),
        ("v2.0.0+incompatible", "<", "v2.0.1+incompatible"),
        ("v1.9.9", "<", "v2.0.0+incompatible"),
        ("v1.0.0-rc.1", "<", "v1.0.0"),
        ("v1.0.0-alpha", "<", "v1.0.0-beta"),
        ("v1.2.3", "<", "v1.10.0"),
        ("v1.0.0+meta", "=", "v1.0.0"),
    ],
    "Maven": [
        *ascending(
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ),
        ("1", "=", "1.0"),
        ("1", "=", "1.0.0"),
        ("1", "=", "1-ga"),
        ("1", "=", "1-final"),
        ("1", "=", "1.release"),
        ("1cr", "=", "1rc"),
        ("1a1", "=", "1-alpha-1"),
        ("1b2", "=", "1-beta-2"),
        ("1m3", "=", "1-milestone-3"),
        ("1X", "=", "1.0.0-x"),
        ("1.0-alpha-1", "<", "1.0"),
        ("1.0-SNAPSHOT", "<", "1.0"),
        ("1.0", "<", "1.0-1"),
        ("2.0-1", "<", "2.0.1"),
        ("2.0.1", "<", "2.0.1-123"),
        ("2.0.1-xyz", "<", "2.0.1-123"),
        ("1.foo", "<", "1-1"),
        ("1-1", "<", "1.1"),
        ("1-foo2", "<", "1-foo10"),
        ("6.1.0rc3", "<", "6.1.0"),
        ("5.4.0.CR1", "<", "5.4.0.Final"),
        # MNG-6964: a qualifier after a zero still counts as a pre-release of the release.
        ("1-0.alpha", "<", "1"),
        ("1-0.beta", "<", "1"),
        ("1-0.alpha", "<", "1-0.beta"),
        # The POM reference's parsing example: "-" between a letter and a digit is implied.
        ("1-1.foo-bar1baz-.1", "=", "1-1.foo-bar-1-baz-0.1"),
    ],
    "Debian": [
        ("1.0~rc1", "<", "1.0"),
        ("1.0~~", "<", "1.0~~a"),
        ("1.0~~a", "<", "1.0~"),
        ("1.0~", "<", "1.0"),
        ("1.0", "<", "1.0a"),
        ("1.0a", "<", "1.0+"),
        ("1.0+", "<", "1.0."),
        ("1.0", "<", "1.0+b1"),
        ("1.0", "<", "1.0.0"),
        ("1.0", "=", "1.00"),
        ("1.0", "=", "0:1.0"),
        ("1.0-1", "=", "1.0-01"),
        ("1.2.3", "<", "1.2.10"),
        ("2.0", "<", "1:1.0"),
        ("1:1.0", "<", "2:0.1"),
        ("1.0-1", "<", "1.0-2"),
        ("1.0-2", "<", "1.0-10"),
        ("1.0-1~bpo1", "<", "1.0-1"),
        ("1.0-1", "<", "1.0-1+b1"),
        ("1.0-1", "<", "1.0-1ubuntu1"),
        ("1.0-1", "<", "1.0-1.1"),
        ("7.6p2-4", "<", "7.6p2-4+deb7u1"),
        ("2.30-1", "<", "2.31-1"),
    ],
    "Alpine": [
        ("1.0_alpha", "<", "1.0_beta"),
        ("1.0_beta", "<", "1.0_pre"),
        ("1.0_pre", "<", "1.0_rc"),
        ("1.0_rc", "<", "1.0"),
        ("1.0", "<", "1.0_p1"),
        ("1.0_alpha1", "<", "1.0_alpha2"),
        ("1.0_alpha9", "<", "1.0_alpha10"),
        ("1.0_rc1", "<", "1.0_rc2"),
        ("1.0_p1", "<", "1.0_p2"),
        ("1.0-r1", "<", "1.0-r2"),
        ("1.0-r2", "<", "1.0-r10"),
        ("1.0", "<", "1.0a"),
        ("1.0a", "<", "1.0b"),
        ("1.0b", "<", "1.0.1"),
        ("1.0", "<", "1.0_git20200101"),
        ("1.9", "<", "1.10"),
        ("1.2.3_rc1-r0", "<", "1.2.3-r0"),
        ("1.0-r0", "=", "1.0-r00"),
    ],
    "RubyGems": [
        ("1.0", "=", "1.0.0"),
        ("1.0.a", "<", "1.0"),
        ("0.0.0", "<", "1.8.2"),
        ("1.8.2.a", "<", "1.8.2"),
        ("1.8.2.a", "<", "1.8.2.b"),
        ("1.8.2.a9", "<", "1.8.2.a10"),
        ("0.beta.1", "=", "0.0.beta.1"),
        ("0.0.beta", "<", "0.0.beta.1"),
        ("0.0.beta", "<", "0.beta.1"),
        ("5.a", "<", "5.0.0.rc2"),
        ("5.0.0.rc2", "<", "5.x"),
        ("1.0.0-rc1", "=", "1.0.0.pre.rc1"),
        ("1.0.0-rc1", "<", "1.0.0"),
        ("1.9.3", "<", "1.10.0"),
        ("1.0.0", "<", "1.0.0.1"),
        ("1.0.a", "=", "1.a"),
        ("1.0.0.a1", "=", "1.0.0.a.1"),
    ],
    "NuGet": [
        ("1.0.0-alpha", "<", "1.0.0-alpha.1"),
        ("1.0.0-alpha", "<", "1.0.0-alpha.0"),
        ("1.0.0-alpha.1", "<", "1.0.0-alpha.beta"),
        ("1.0.0-beta.2", "<", "1.0.0-beta.11"),
        ("1.0.0-rc.1", "<", "1.0.0"),
        ("1.0.0-beta", "=", "1.0.0-BETA"),
        ("1.0.0", "=", "1.0.0.0"),
        ("1.0", "=", "1.0.0"),
        ("1.0.0", "<", "1.0.0.1"),
        ("1.0.0.1", "<", "1.0.1"),
        ("1.0.0+meta", "=", "1.0.0"),
        ("1.0.0-2", "<", "1.0.0-a"),
        ("1.0.0-beta10", "<", "1.0.0-beta9"),
        ("1.0.0-alpha", "<", "1.0.0-beta"),
        ("2.0.0-preview1", "<", "2.0.0"),
    ],
    "Packagist": [
        ("1.0.0-dev", "<", "1.0.0-alpha1"),
        ("1.0.0-alpha1", "<", "1.0.0-beta1"),
        ("1.0.0-beta1", "<", "1.0.0-beta2"),
        ("1.0.0-beta2", "<", "1.0.0-RC1"),
        ("1.0.0-RC1", "<", "1.0.0"),
        ("1.0.0", "<", "1.0.0-patch1"),
        ("1.0.0-patch1", "<", "1.0.1"),
        ("1.24.0", "<", "1.25.0"),
        ("1.25", "=", "1.25.0"),
        ("v2.0.0", "=", "2.0.0"),
        ("1.0.0", "=", "1.0.0.0"),
        ("1.0.0-beta.2", "<", "1.0.0-beta.11"),
        ("1.0.0-rc1", "=", "1.0.0-RC1"),
        ("1.0.0-alpha", "=", "1.0.0-a"),
        ("1.0.0-beta", "=", "1.0.0-b"),
        ("1.0.0-pl1", "=", "1.0.0-p1"),
        ("1.0.0+build5", "=", "1.0.0"),
        ("2.0.0", "<", "2.0.x-dev"),
        ("1.0.0-alpha.1", "=", "1.0.0-alpha1"),
        ("1.0.0-beta", "<", "1.0.0-beta1"),
    ],
}
# npm and crates.io use SemVer 2.0 itself.
VECTORS["npm"] = VECTORS["SemVer"]
VECTORS["crates.io"] = VECTORS["SemVer"]


def holds(ecosystem: str, vector: Vector) -> bool:
    low, relation, high = vector
    a, b = version_key(ecosystem, low), version_key(ecosystem, high)
    if relation == "=":
        return a == b and not a < b and not b < a
    return a < b and not b < a and a != b


def tally() -> dict[str, tuple[int, int]]:
    """(passing, total) vectors per ecosystem."""
    return {eco: (sum(holds(eco, v) for v in vectors), len(vectors)) for eco, vectors in VECTORS.items()}


@pytest.mark.parametrize(
    ("ecosystem", "vector"),
    [(eco, v) for eco, vectors in VECTORS.items() for v in vectors],
    ids=lambda x: " ".join(x) if isinstance(x, tuple) else x,
)
def test_vector(ecosystem, vector):
    assert holds(ecosystem, vector), f"{ecosystem}: expected {vector[0]} {vector[1]} {vector[2]}"


if __name__ == "__main__":
    for ecosystem, (passing, total) in tally().items():
        print(f"{ecosystem}: {passing}/{total}")
