"""Correctness on real data: the ranges of the shared PyPI advisories against their own `versions`.

osv.dev enumerates each advisory's affected PyPI releases into `versions`. With the lists removed,
matching by ranges alone must give back exactly those lists: every listed version matches, and no
other released version does ("released" = listed by any advisory of the same package, the best
offline record of PyPI's releases we have).

Where the source data contradicts itself, the advisory is listed in KNOWN_DATA_ERRORS with the
versions concerned and the reason; anything else fails, and so does an entry that no longer
explains a mismatch.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

from renkei.software.vulndb.matching import AdvisoryIndex, ComponentRef
from renkei.software.vulndb.osv import Advisory, load_advisories

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osv" / "PyPI"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared OSV data not found at {DATA}")

EXTRA = "matched by its ranges but missing from its versions list"
MISSING = "in its versions list but not matched by its ranges"


@dataclasses.dataclass(frozen=True)
class Known:
    kind: str
    applies: Callable[[str], bool]
    why: str


def exactly(*versions: str) -> Callable[[str], bool]:
    return lambda v: v in versions


def from_version(first: str) -> Callable[[str], bool]:
    return lambda v: Version(v) >= Version(first)


def prereleases_before(limit: str) -> Callable[[str], bool]:
    return lambda v: Version(v).is_prerelease and Version(v) < Version(limit)


def anything(_: str) -> bool:
    return True


TENSORFLOW_NOV_2021 = [
    f"PYSEC-2021-{n}" for n in (*range(389, 403), *range(404, 412), *range(413, 421), 842, 843)
]

KNOWN_DATA_ERRORS: dict[str, Known] = {
    # TensorFlow advisories modified in November 2021: the lists omit every pre-release before
    # 2.2.0 (0.12.0rc0 … 2.1.0rc2) although the ranges start at "0" and the lists of the other
    # TensorFlow advisories contain those pre-releases.
    **{
        aid: Known(EXTRA, prereleases_before("2.2.0"), "list omits TensorFlow pre-releases before 2.2.0")
        for aid in TENSORFLOW_NOV_2021
    },
    # Releases published after the list was enumerated; the range has no fix (or a fix on a newer
    # branch only), so the ranges rightly include them.
    "PYSEC-2020-215": Known(
        EXTRA, exactly("5.7.14a0", "5.7.14", "5.7.15"), "notebook 5.7.14+ released later"
    ),
    "PYSEC-2022-180": Known(
        EXTRA, exactly("5.7.14a0", "5.7.14", "5.7.15"), "notebook 5.7.14+ released later"
    ),
    "PYSEC-2020-220": Known(EXTRA, from_version("6.7.0"), "ansible 6.7.0+ released after the list"),
    "PYSEC-2020-221": Known(EXTRA, from_version("8.2.0"), "ansible 8.2.0+ released after the list"),
    "PYSEC-2022-159": Known(EXTRA, exactly("1.8.3"), "scrapy 1.8.3 (old branch) released later"),
    "PYSEC-2022-257": Known(EXTRA, exactly("2.0.19"), "nvflare 2.0.19 (old branch) released later"),
    "PYSEC-2023-101": Known(EXTRA, exactly("4.13.0"), "selenium 4.13.0 released after the list"),
    "PYSEC-2023-142": Known(EXTRA, from_version("0.3.10rc1"), "vyper 0.3.10 series released later"),
    "PYSEC-2023-150": Known(EXTRA, from_version("0.15.0"), "exiv2 0.15.0+ released after the list"),
    "PYSEC-2023-8": Known(EXTRA, from_version("1.1.2"), "apache-iotdb 1.1.2+ released after the list"),
    # Lists that skip some pre-releases inside the range.
    "PYSEC-2022-43063": Known(EXTRA, exactly("2.0.0rc0", "2.0.0rc1"), "paddlepaddle 2.0.0 RCs not listed"),
    "PYSEC-2024-16": Known(EXTRA, lambda v: Version(v).is_prerelease, "nautobot pre-releases not listed"),
    # Empty lists: osv.dev did not enumerate these packages at all.
    **{
        aid: Known(EXTRA, anything, "rdiffweb: versions list is empty")
        for aid in ("PYSEC-2022-296", "PYSEC-2022-297", "PYSEC-2022-298", "PYSEC-2022-299", "PYSEC-2022-302")
    },
    "PYSEC-2022-42975": Known(EXTRA, anything, "octoprint: versions list is empty"),
    # Lists that contradict their own ranges.
    "PYSEC-2021-114": Known(
        MISSING,
        exactly("2.11.6"),
        "wagtail: the events mix two ranges ([0, 2.11.6) and [2.11, 2.11.7)); evaluated in version "
        "order as the schema prescribes, fixed 2.11.6 closes the range before 2.11.7",
    ),
    "PYSEC-2023-177": Known(
        MISSING,
        exactly("23.9.0", "23.9.0.post1"),
        "gevent: lists the fixed version 23.9.0 and its post-release",
    ),
    "PYSEC-2023-61": Known(
        MISSING,
        exactly("3.2a1", "3.2b1", "3.2rc1", "4.2a1", "4.2b1", "4.2rc1"),
        "django: lists pre-releases of 3.2 and 4.2, which PEP 440 puts before introduced 3.2 / 4.2",
    ),
    "PYSEC-2024-1": Known(MISSING, exactly("0.5"), "gratient: has no ranges, only a versions list"),
}


@pytest.fixture(scope="module")
def advisories() -> list[Advisory]:
    return list(load_advisories([DATA]))


def test_ranges_reproduce_enumerated_versions(advisories):
    released: dict[str, set[str]] = defaultdict(set)
    listed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for advisory in advisories:
        for affected in advisory.affected:
            released[affected.name].update(affected.versions)
            for version in affected.versions:
                listed[(affected.name, version)].add(advisory.id)
    # Ranges only: no versions lists, and withdrawn advisories too (their data must agree as well).
    ranges_only = [
        dataclasses.replace(
            a, withdrawn=None, affected=[dataclasses.replace(x, versions=[]) for x in a.affected]
        )
        for a in advisories
    ]
    index = AdvisoryIndex.build(ranges_only)
    components = [
        ComponentRef(key=f"{name} {version}", ecosystem="PyPI", name=name, version=version)
        for name, versions in sorted(released.items())
        for version in sorted(versions)
    ]
    result = index.match(components)
    assert result.not_checked == []
    matched: dict[str, set[str]] = defaultdict(set)
    for match in result.matches:
        matched[str(match.key)].add(match.advisory_id)

    mismatches: list[tuple[str, str, str, str]] = []
    for component in components:
        expected = listed[(component.name, component.version)]
        got = matched[str(component.key)]
        mismatches += [(aid, component.name, component.version, MISSING) for aid in expected - got]
        mismatches += [(aid, component.name, component.version, EXTRA) for aid in got - expected]

    unexplained = [
        m
        for m in mismatches
        if (known := KNOWN_DATA_ERRORS.get(m[0])) is None or known.kind != m[3] or not known.applies(m[2])
    ]
    assert not unexplained, "\n".join(
        [f"{len(unexplained)} versions disagree with their advisory's ranges:"]
        + [f"  {aid} {name} {version}: {kind}" for aid, name, version, kind in sorted(unexplained)[:40]]
    )
    stale = sorted(set(KNOWN_DATA_ERRORS) - {m[0] for m in mismatches})
    assert not stale, f"known data errors that no longer occur (remove them): {stale}"
    # The check is meaningful: tens of thousands of listed versions were compared.
    assert len(components) > 30_000
    assert sum(len(ids) for ids in listed.values()) > 100_000
