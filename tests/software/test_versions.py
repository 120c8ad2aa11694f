"""Version ordering per ecosystem, from each ecosystem's published rules and test cases."""

from __future__ import annotations

import random

import pytest
from packaging.version import Version

from renkei.software.vulndb.versions import (
    SUPPORTED_ECOSYSTEMS,
    InvalidVersion,
    normalise_ecosystem,
    normalise_package_name,
    version_key,
)


def assert_ascending(ecosystem: str, versions: list[str]) -> None:
    """Every version sorts strictly after all earlier ones, and a shuffled copy sorts back."""
    keys = [version_key(ecosystem, v) for v in versions]
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            assert keys[i] < keys[j], f"{ecosystem}: expected {versions[i]} < {versions[j]}"
            assert not keys[j] < keys[i], f"{ecosystem}: expected not {versions[j]} < {versions[i]}"
    shuffled = versions[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=lambda v: version_key(ecosystem, v)) == versions


def assert_equal(ecosystem: str, *versions: str) -> None:
    keys = [version_key(ecosystem, v) for v in versions]
    for v, k in zip(versions, keys, strict=True):
        assert k == keys[0], f"{ecosystem}: expected {v} == {versions[0]}"
        assert not k < keys[0] and not keys[0] < k


# --- SemVer family -------------------------------------------------------------------------------

# SemVer 2.0.0 §11 (https://semver.org/#spec-item-11).
SEMVER_SPEC = [
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
]


@pytest.mark.parametrize("ecosystem", ["npm", "crates.io", "Go", "SemVer"])
def test_semver_precedence(ecosystem):
    assert_ascending(ecosystem, SEMVER_SPEC)
    # Numeric identifiers sort before alphanumeric ones; build metadata is ignored.
    assert_ascending(ecosystem, ["1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-a", "1.0.0-a.1"])
    assert_equal(ecosystem, "1.0.0", "1.0.0+build.5", "1.0.0+20130313144700", "v1.0.0")


def test_go_pseudo_versions_and_incompatible():
    # Pseudo-version forms from the Go modules reference, each between its neighbours.
    assert_ascending(
        "Go",
        [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.1.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
            "v1.3.0-pre",
            "v1.3.0-pre.0.20191109021931-daa7c04131f5",
            "v1.3.0",
        ],
    )
    assert_equal("Go", "v2.0.0+incompatible", "2.0.0", "v2.0.0")


def test_nuget():
    # NuGet package versioning docs: pre-releases, optional fourth part, case-insensitive labels.
    assert_ascending(
        "NuGet",
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.1",
            "2.0.0-preview1",
            "2.0.0",
        ],
    )
    assert_equal("NuGet", "1.0", "1.0.0", "1.0.0.0")
    assert_equal("NuGet", "1.0.0-Beta", "1.0.0-beta", "1.0.0-BETA+build")


# --- PyPI ----------------------------------------------------------------------------------------


def test_pypi_pep440_summary_order():
    # PEP 440, "Summary of permitted suffixes and relative ordering".
    assert_ascending(
        "PyPI",
        [
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
            "1!0.1",
        ],
    )
    assert_equal("PyPI", "1.0", "1.0.0", "1.0.0.0", "v1.0")
    assert_equal("PyPI", "1.0rc1", "1.0-RC1", "1.0c1", "1.0.rc.1")


def test_pypi_legacy_versions_sort_before_pep440_in_setuptools_order():
    # Non-PEP 440 versions (pip's old LegacyVersion): all before "0.0.1", ordered among themselves
    # by setuptools' historic rules (numbers numerically, "-" before a tag dropped, trailing zeros ignored).
    assert_ascending("PyPI", ["1.0-snapshot", "1.0.x", "2004d", "2004d.7", "0.0.1", "0.1"])
    assert_equal("PyPI", "1.0.x", "1.x")
    with pytest.raises(InvalidVersion):
        version_key("PyPI", "   ")


def test_pypi_keys_order_exactly_like_packaging():
    # The keys are plain tuples built from packaging's parse (plain numbers without it): every
    # pair must compare as packaging's `Version` objects do, equality included.
    versions = [
        "0", "0.0", "00.1", "0.1", "1", "1.0", "1.0.0", "1.0.1", "1.01", "1.1.dev1", "1.1a1", "1.1a1.dev2",
        "1.1b2.post3", "1.1rc1", "1.1c1", "1.1", "1.1.post0", "1.1.post1.dev1", "1.1.post1", "1.1+1",
        "1.1+abc", "1.1+abc.1", "1.1+abc.2", "1.1+1.abc", "1!0.5", "1!1.0.dev0", "v2.0", "2.0.0.0.0",
        "10.0", "2.0-1", "2.0.post1", "2.0_rc_1", "2.0.RC1",
    ]
    rng = random.Random(3)
    rng.shuffle(versions)
    for a in versions:
        for b in versions:
            ka, kb = version_key("PyPI", a), version_key("PyPI", b)
            assert (ka < kb) == (Version(a) < Version(b)), (a, b)
            assert (ka == kb) == (Version(a) == Version(b)), (a, b)


def test_maven_plain_numbers_read_like_the_tokeniser():
    # Plain dotted numbers skip the tokeniser; mixed with qualifiers they must still order.
    assert_equal("Maven", "1", "1.0", "1.0.0", "01.0")
    assert_ascending("Maven", ["0.9", "1-alpha", "1", "1-sp", "1.0.1", "1.1", "1.10", "2"])
    assert_equal("Maven", "0", "0.0")
    assert_equal("Maven", "5.3.1", "5.3.1.RELEASE", "5.3.1.Final", "5.3.1.ga", "5.3.1-final")
    assert_ascending("Maven", ["5.3.1.RC1", "5.3.1.RELEASE", "5.3.1.SP1", "5.3.1.1.Final", "5.3.2.Final"])


# --- Maven ---------------------------------------------------------------------------------------
# Apache Maven's ComparableVersionTest and the POM reference's version order specification.


def test_maven_qualifiers():
    assert_ascending(
        "Maven",
        [
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
        ],
    )


def test_maven_numbers():
    assert_ascending(
        "Maven",
        [
            "2.0",
            "2-1",
            "2.0.a",
            "2.0.0.a",
            "2.0.2",
            "2.0.123",
            "2.1.0",
            "2.1-a",
            "2.1b",
            "2.1-c",
            "2.1-1",
            "2.1.0.1",
            "2.2",
            "2.123",
            "11.a2",
            "11.a11",
            "11.b2",
            "11.b11",
            "11.m2",
            "11.m11",
            "11",
            "11.a",
            "11b",
            "11c",
            "11m",
        ],
    )


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ("1", "2"),
        ("1.5", "2"),
        ("1", "2.5"),
        ("1.0", "1.1"),
        ("1.1", "1.2"),
        ("1.0.0", "1.1"),
        ("1.0.1", "1.1"),
        ("1.1", "1.2.0"),
        ("1.0-alpha-1", "1.0"),
        ("1.0-alpha-1", "1.0-alpha-2"),
        ("1.0-alpha-1", "1.0-beta-1"),
        ("1.0-beta-1", "1.0-SNAPSHOT"),
        ("1.0-SNAPSHOT", "1.0"),
        ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
        ("1.0", "1.0-1"),
        ("1.0-1", "1.0-2"),
        ("1.0.0", "1.0-1"),
        ("2.0-1", "2.0.1"),
        ("2.0.1-klm", "2.0.1-lmn"),
        ("2.0.1", "2.0.1-xyz"),
        ("2.0.1", "2.0.1-123"),
        ("2.0.1-xyz", "2.0.1-123"),
        # MNG-5568, MNG-6572 and a real graphql-java version.
        ("6.1.0rc3", "6.1.0"),
        ("6.1.0rc3", "6.1H.5-beta"),
        ("6.1.0", "6.1H.5-beta"),
        ("20190126.230843", "1234567890.12345"),
        ("1234567890.12345", "123456789012345.1H.5-beta"),
        ("123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta"),
        ("0.0.0-2021-05-17T01-01-51-5ec03a8b", "20.0.0"),
        # Release-style qualifiers used on Maven Central (Hibernate, Spring).
        ("5.4.0.Beta1", "5.4.0.CR1"),
        ("5.4.0.CR1", "5.4.0.Final"),
        ("5.4.0.Final", "5.4.1.Final"),
        ("3.0.0.M1", "3.0.0.RC1"),
        ("3.0.0.RC1", "3.0.0.RELEASE"),
        ("3.0.0.RELEASE", "3.0.0.SP1"),
        # POM reference padding examples.
        ("1-snapshot", "1"),
        ("1", "1-sp"),
        ("1-foo2", "1-foo10"),
        ("1.foo", "1-1"),
        ("1-1", "1.1"),
        ("1-ga", "1-sp"),
        ("1-ga.1", "1-sp.1"),
        ("1-sp-1", "1-ga-1"),
    ],
)
def test_maven_order(low, high):
    assert_ascending("Maven", [low, high])


def test_maven_total_order_where_maven_3_is_not_transitive():
    # Maven 3's ComparableVersion puts 1.0.0.Beta1 below 1.0 and 1.0 below 1.0-1, yet above 1.0-1;
    # a sort key must be transitive, so the remainder's sign against the padding wins (as in Maven 3.9+).
    assert_ascending("Maven", ["1.0.0.Beta1", "1.0", "1.0-1", "1.0.1"])
    assert_ascending("Maven", ["1-alpha-1", "1", "1.sp"])


def test_maven_equal():
    for group in [
        ("1", "1.0", "1.0.0", "1-0", "1.0-0", "1.", "1-", "01", "001"),
        ("1a", "1-a", "1.0-a", "1.0.0-a", "1.0a", "1.0.0a", "1.a", "1A"),
        ("1x", "1-x", "1.0-x", "1.0.0-x", "1.0x", "1.0.0x", "1X"),
        ("1", "1ga", "1release", "1final", "1.ga", "1-ga", "1GA", "1RELeaSE", "1FinaL"),
        ("1cr", "1rc", "1Cr", "1rC"),
        ("1a1", "1-alpha-1", "1alpha1"),
        ("1b2", "1-beta-2", "1beta2"),
        ("1m3", "1-milestone-3", "1Milestone3", "1MILESTONE3"),
        ("1.1", "1.01", "1.001"),
        ("1-1", "1-01", "1-001", "1-ga-1"),
        ("0.0.0", "0.0", "0", "0.0.0-0.0.0", "0-final-ga"),
        ("1-foo", "1.0.0-foo.0.0", "1.foo"),
    ]:
        assert_equal("Maven", *group)


# --- RubyGems ------------------------------------------------------------------------------------
# Gem::Version's documentation and its test suite (test_gem_version.rb, test_spaceship).


def test_rubygems_order():
    assert_ascending("RubyGems", ["1.0.a.2", "1.0.b1", "1.0.pre", "1.0", "1.0.1", "1.1"])
    assert_ascending("RubyGems", ["0.0.0", "1.8.2.a", "1.8.2.a9", "1.8.2.a10", "1.8.2.b", "1.8.2"])
    assert_ascending("RubyGems", ["0.0.beta", "0.0.beta.1"])
    assert_ascending("RubyGems", ["0.0.beta", "0.beta.1"])
    assert_ascending("RubyGems", ["5.a", "5.0.0.rc2", "5.x"])
    assert_ascending("RubyGems", ["1.0.0-rc1", "1.0.0"])


def test_rubygems_equal():
    assert_equal("RubyGems", "1.0", "1.0.0", "1")
    assert_equal("RubyGems", "0.beta.1", "0.0.beta.1")
    assert_equal("RubyGems", "1.0.a", "1.a")
    assert_equal("RubyGems", "1.0.0-rc1", "1.0.0.pre.rc1")


# --- Debian --------------------------------------------------------------------------------------
# Debian Policy §5.6.12 and dpkg's own tests.


def test_debian_tilde_and_letters():
    # Policy §5.6.12: "~~" < "~~a" < "~" < (empty) < "a".
    assert_ascending("Debian", ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+b1", "1.0.1"])
    assert_ascending("Debian", ["1.0~rc1-1", "1.0-1", "1.0-1ubuntu1", "1.0-2", "1.0-10", "1.0.1-1"])


def test_debian_epoch_and_revision():
    assert_ascending("Debian", ["2.30-1", "2.31-1", "1:0.1-1", "1:0.1-2", "2:0.0.1"])
    assert_equal("Debian", "1.0", "0:1.0", "1.00", "1.0-0")
    assert_ascending("Debian", ["7.6p2-4", "7.6p2-4+deb7u1", "7.6p2-5", "1:7.6p2-1"])
    for bad in ["a1.0", "1:", "x:1.0", "1.0-", "1.0 beta"]:
        with pytest.raises(InvalidVersion):
            version_key("Debian", bad)


# --- Alpine --------------------------------------------------------------------------------------
# apk-tools: suffixes _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p, -rN.


def test_alpine_suffixes_and_revisions():
    assert_ascending(
        "Alpine",
        [
            "1.0_alpha",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_beta3",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0-r2",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p1",
            "1.0_p1-r1",
            "1.0a",
            "1.0b",
            "1.0.1_rc1",
            "1.0.1",
            "1.2",
            "1.10",
            "2.0",
        ],
    )
    # Leading zeros compare as strings (Gentoo's rule): 1.01 < 1.010 < 1.1.
    assert_ascending("Alpine", ["1.01", "1.010", "1.1"])
    assert_ascending("Alpine", ["1.2.3_rc1-r0", "1.2.3-r0", "1.2.3-r10", "1.2.3a-r0"])
    assert_equal("Alpine", "1.0-r0", "1.0-r00")
    for bad in ["a1", "1.0_foo", "1.0-1", "1.0.", "1.0_p1.2", "1.0a1", "1.0A"]:
        with pytest.raises(InvalidVersion):
            version_key("Alpine", bad)


# --- Packagist -----------------------------------------------------------------------------------
# Composer: stability dev < alpha < beta < RC < stable < patch; "v" and padding normalised.


def test_packagist_stabilities():
    assert_ascending(
        "Packagist",
        [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta1",
            "1.0.0-beta2-dev",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-patch1",
            "1.0.1",
            "1.1",
            "1.10.0",
            "2.0.x-dev",
        ],
    )
    assert_equal("Packagist", "v1.0.0", "1.0.0", "1.0", "1", "1.0.0.0", "1.0.0-stable", "1.0.0+build5")
    assert_equal("Packagist", "1.0.0-pl1", "1.0.0-p1", "1.0.0-patch1", "1.0.0.patch.1")
    assert_equal("Packagist", "1.0.0-RC1", "1.0.0rc1", "1.0.0-rc.1")
    with pytest.raises(InvalidVersion):
        version_key("Packagist", "dev-main")


# --- API -----------------------------------------------------------------------------------------


def test_invalid_versions_raise():
    for ecosystem, bad in [("npm", "latest"), ("Go", "master"), ("NuGet", "1.0.0.0.0"), ("RubyGems", "1..0")]:
        with pytest.raises(InvalidVersion):
            version_key(ecosystem, bad)
    with pytest.raises(InvalidVersion):
        version_key("Maven", "x" * 300)
    with pytest.raises(ValueError, match="unsupported"):
        version_key("Hex", "1.0.0")


def test_ecosystem_names():
    assert normalise_ecosystem("Debian:12") == "Debian"
    assert normalise_ecosystem("Alpine:v3.18") == "Alpine"
    assert normalise_ecosystem("Maven:https://maven.google.com") == "Maven"
    assert normalise_ecosystem("pypi") == "PyPI"
    assert normalise_ecosystem("Hex") is None
    assert normalise_ecosystem(None) is None
    assert len(SUPPORTED_ECOSYSTEMS) == 10
    # A release suffix keeps the ordering of its base ecosystem.
    assert version_key("Debian:12", "1.0-1") == version_key("Debian", "1.0-1")


def test_package_names():
    assert normalise_package_name("PyPI", "Django_REST.framework") == "django-rest-framework"
    assert normalise_package_name("crates.io", "Serde_JSON") == "serde-json"
    assert normalise_package_name("NuGet", "Newtonsoft.Json") == "newtonsoft.json"
    assert normalise_package_name("Packagist", "Symfony/HTTP-Kernel") == "symfony/http-kernel"
    assert normalise_package_name("npm", "JSONStream") == "JSONStream"
    assert normalise_package_name("Maven", " org.apache:Commons ") == "org.apache:Commons"
    assert normalise_package_name("Hex", "Plug") == "Plug"
