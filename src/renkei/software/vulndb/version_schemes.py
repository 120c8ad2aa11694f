"""Version keys for Maven, RubyGems, Debian, Alpine and Packagist (see `versions` for the API).

Each function turns a version string into a tuple that sorts like the ecosystem's own tool.
Several schemes compare versions of different lengths by padding the shorter one with a "null"
element (RubyGems pads with 0, dpkg with an empty part, Maven with 0 or ""), so "1.0" == "1"
while "1.0.a" < "1" < "1.0.1". A plain tuple cannot express that: a shorter tuple always sorts
first. `padded_key` solves it by prefixing every element with the sign of the rest of the version
compared with all-null padding and ending the key with a neutral terminator `(0,)`: where one
version runs out, the other's next element then sorts above or below the terminator exactly as
its remainder sorts against the padding.

`univers` has classes for these ecosystems, but its Alpine class follows Gentoo's rules (no
_cvs/_svn/_git/_hg suffixes) and its objects compare in Python, far slower than tuples.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


class InvalidVersion(ValueError):
    """The version string cannot be parsed under the ecosystem's rules."""


def padded_key(elements: Sequence[tuple[Any, ...]], signs: Sequence[int]) -> tuple[tuple[Any, ...], ...]:
    """A tuple key for a sequence compared element by element with null padding.

    `signs[i]` is -1, 0 or +1: how `elements[i]` compares with the padding element (0 = equal).
    Trailing elements equal to the padding are dropped ("1.0.0" == "1").
    """
    n = len(elements)
    while n and not signs[n - 1]:
        n -= 1
    out: list[tuple[Any, ...]] = [()] * n
    rest = 0
    for i in range(n - 1, -1, -1):
        if signs[i]:
            rest = signs[i]
        out[i] = (rest, *elements[i])
    out.append((0,))
    return tuple(out)


# --- Maven ----------------------------------------------------------------------------------------
# The POM reference's "version order specification": tokens split at ".", "-" and digit/letter
# transitions (a transition counts as "-"); trailing nulls trimmed before each "-"; qualifiers
# alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < others (lexical);
# ".qualifier" = "-qualifier" < "-number" < ".number".

_MAVEN_QUALIFIERS = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}
_MAVEN_RELEASE = 5
_MAVEN_ALIASES = {"cr": "rc", "ga": "", "final": "", "release": ""}
_MAVEN_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}
_MAVEN_SEPARATORS = re.compile(r"([-.])")
_MAVEN_RUNS = re.compile(r"\d+|\D+")


def _maven_tokens(version: str) -> list[tuple[str, int | str]]:
    tokens: list[tuple[str, int | str]] = []
    parts = _MAVEN_SEPARATORS.split(version.lower())
    for i in range(0, len(parts), 2):
        prefix = parts[i - 1] if i else "."
        runs = _MAVEN_RUNS.findall(parts[i]) or ["0"]
        for j, run in enumerate(runs):
            sep = prefix if j == 0 else "-"
            if run.isdigit():
                tokens.append((sep, int(run)))
                continue
            # "a1", "b2", "m3" abbreviate alpha-1, beta-2, milestone-3 (only before a number).
            if j + 1 < len(runs):
                run = _MAVEN_SHORT.get(run, run)
            tokens.append((sep, _MAVEN_ALIASES.get(run, run)))
    # Trim trailing nulls (0, ""), then again before each remaining "-", from the end.
    i = len(tokens) - 1
    while i > 0:
        if tokens[i][1] == 0 or tokens[i][1] == "":
            tokens.pop(i)
            i -= 1
            continue
        while i >= 0 and tokens[i][0] != "-":
            i -= 1
        i -= 1
    return tokens


_DIGITS_AND_DOTS = frozenset(".0123456789")
_MAVEN_END = (0,)
_MAVEN_RELEASE_WORDS = frozenset({"release", "final", "ga"})


def maven_key(version: str) -> tuple[Any, ...]:
    """Maven's version order (POM reference; agrees with ComparableVersion's published test cases)."""
    numeric = version
    head, _, last = version.rpartition(".")
    if head and last.lower() in _MAVEN_RELEASE_WORDS:
        # "5.3.1.RELEASE", "6.2.0.Final": the qualifier is the release itself, a trailing null.
        numeric = head
    if _DIGITS_AND_DOTS.issuperset(numeric):
        # Plain numbers ("3.12.0"), the commonest shape, without the tokeniser: each number is a
        # ".number" element followed by a nonzero one, trailing zeros are dropped.
        try:
            numbers = list(map(int, numeric.split(".")))
        except ValueError:  # an empty part ("1..2"): the tokeniser reads it as 0
            pass
        else:
            while numbers and not numbers[-1]:
                numbers.pop()
            return (*[(1, 2, n) for n in numbers], _MAVEN_END)
    if not version.isascii() or not version.isprintable():
        raise InvalidVersion(f"not a Maven version: {version!r}")
    elements: list[tuple[int, Any]] = []
    signs: list[int] = []
    for sep, value in _maven_tokens(version):
        if isinstance(value, int):
            # Element class: "-number" 1 < ".number" 2; qualifiers are class 0 whatever their prefix.
            elements.append((1 if sep == "-" else 2, value))
            signs.append(1 if value else 0)
        else:
            rank = _MAVEN_QUALIFIERS.get(value)
            qualifier = (rank, "") if rank is not None else (len(_MAVEN_QUALIFIERS), value)
            elements.append((0, qualifier))
            signs.append((qualifier[0] > _MAVEN_RELEASE) - (qualifier[0] < _MAVEN_RELEASE))
    return padded_key(elements, signs)


# --- RubyGems -------------------------------------------------------------------------------------
# Gem::Version: "-" means ".pre."; segments are numbers or letter runs; any letter makes a
# pre-release; strings sort before numbers; missing segments count as 0; trailing zeros of the
# numeric part and of the rest are dropped ("1.0.a" == "1.a").

_GEM_VALID = re.compile(r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_GEM_SEGMENTS = re.compile(r"[0-9]+|[a-zA-Z]+")


def _strip_zeros(segments: list[int | str]) -> list[int | str]:
    while segments and segments[-1] == 0:
        segments.pop()
    return segments


def rubygems_key(version: str) -> tuple[Any, ...]:
    """Gem::Version#<=> order."""
    if _GEM_VALID.fullmatch(version) is None:
        raise InvalidVersion(f"not a RubyGems version: {version}")
    segments: list[int | str] = [
        int(s) if s.isdigit() else s for s in _GEM_SEGMENTS.findall(version.replace("-", ".pre."))
    ]
    first_string = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    canonical = _strip_zeros(segments[:first_string]) + _strip_zeros(segments[first_string:])
    elements = [(1, s) if isinstance(s, int) else (0, s) for s in canonical]
    signs = [(1 if s else 0) if isinstance(s, int) else -1 for s in canonical]
    return padded_key(elements, signs)


# --- Debian ---------------------------------------------------------------------------------------
# dpkg: [epoch:]upstream[-revision]; upstream and revision compared by verrevcmp: alternating
# non-digit parts (character by character: "~" < end < letters < other characters) and numbers.


def _dpkg_weight(c: str) -> int:
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _verrev_key(text: str) -> tuple[Any, ...]:
    elements: list[tuple[Any, ...]] = []
    signs: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i
        while j < n and not text[j].isdigit():
            j += 1
        # 0 stands for "end of this part"; no character weighs 0, so the terminator ends the run.
        weights = (*(_dpkg_weight(c) for c in text[i:j]), 0)
        k = j
        while k < n and text[k].isdigit():
            k += 1
        number = int(text[j:k]) if k > j else 0
        elements.append((weights, number))
        signs.append(-1 if weights[0] < 0 else (1 if weights[0] > 0 or number else 0))
        i = k
    return padded_key(elements, signs)


def debian_key(version: str) -> tuple[Any, ...]:
    """dpkg's version order (Debian Policy §5.6.12)."""
    if not version.isascii() or any(c.isspace() for c in version):
        raise InvalidVersion(f"not a Debian version: {version!r}")
    epoch = 0
    rest = version
    if ":" in version:
        head, rest = version.split(":", 1)
        if not head.isdigit():
            raise InvalidVersion(f"epoch is not a number: {version}")
        epoch = int(head)
    upstream, revision = rest.rsplit("-", 1) if "-" in rest else (rest, "")
    if not upstream or ("-" in rest and not revision):
        raise InvalidVersion(f"not a Debian version: {version}")
    if not upstream[0].isdigit():
        raise InvalidVersion(f"upstream version must start with a digit: {version}")
    return (epoch, _verrev_key(upstream), _verrev_key(revision))


# --- Alpine ---------------------------------------------------------------------------------------
# apk-tools: digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]. Tokens are compared pairwise
# while both versions have the same token type; where the types differ, the version with a
# pre-release suffix (_alpha, _beta, _pre, _rc) is older, otherwise the one whose next token type
# comes later in the grammar is older: 1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0a < 1.0.1.

_INITIAL, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _HASH, _REVISION, _END = range(8)
_APK_SUFFIXES = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3, "cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9}
_APK_NONE = 4
_PRE_SUFFIX_RANK = -100
_HEX = frozenset("0123456789abcdefABCDEF")


def _scan(text: str, i: int, allowed: str | frozenset[str]) -> int:
    while i < len(text) and text[i] in allowed:
        i += 1
    return i


def alpine_key(version: str) -> tuple[Any, ...]:
    """apk-tools' version order (apk_version_compare)."""
    digits = "0123456789"
    j = _scan(version, 0, digits)
    if j == 0:
        raise InvalidVersion(f"not an Alpine version: {version}")
    # Each element is (-token type, value): where two versions' token types differ, the later
    # type means the older version; a pre-release suffix is older than anything.
    elements: list[tuple[int, Any]] = [(-_INITIAL, int(version[:j]))]
    token, i, n = _INITIAL, j, len(version)
    while i < n:
        c = version[i]
        if "a" <= c <= "z":
            if token > _DIGIT:
                raise InvalidVersion(f"not an Alpine version: {version}")
            elements.append((-_LETTER, c))
            token, i = _LETTER, i + 1
        elif c == "." or c in digits:
            if c == ".":
                if token > _DIGIT:
                    raise InvalidVersion(f"not an Alpine version: {version}")
                i += 1
            if token in (_INITIAL, _DIGIT):
                token = _DIGIT
            elif token == _SUFFIX:
                token = _SUFFIX_NO
            else:
                raise InvalidVersion(f"not an Alpine version: {version}")
            j = _scan(version, i, digits)
            if j == i:
                raise InvalidVersion(f"not an Alpine version: {version}")
            text = version[i:j]
            if token == _DIGIT:
                # A number with a leading zero compares as a string ("1.02" < "1.1", like Gentoo).
                elements.append((-_DIGIT, (0, text) if text[0] == "0" else (1, int(text))))
            else:
                elements.append((-_SUFFIX_NO, int(text)))
            i = j
        elif c == "_":
            if token > _SUFFIX_NO:
                raise InvalidVersion(f"not an Alpine version: {version}")
            j = _scan(version, i + 1, "abcdefghijklmnopqrstuvwxyz")
            suffix = _APK_SUFFIXES.get(version[i + 1 : j])
            if suffix is None:
                raise InvalidVersion(f"unknown suffix in Alpine version: {version}")
            elements.append((_PRE_SUFFIX_RANK if suffix < _APK_NONE else -_SUFFIX, suffix))
            token, i = _SUFFIX, j
        elif c == "~":
            j = _scan(version, i + 1, _HEX)
            if token >= _HASH or j == i + 1:
                raise InvalidVersion(f"not an Alpine version: {version}")
            elements.append((-_HASH, version[i + 1 : j]))
            token, i = _HASH, j
        elif c == "-":
            j = _scan(version, i + 2, digits)
            if token >= _REVISION or version[i + 1 : i + 2] != "r" or j == i + 2:
                raise InvalidVersion(f"not an Alpine version: {version}")
            elements.append((-_REVISION, int(version[i + 2 : j])))
            token, i = _REVISION, j
        else:
            raise InvalidVersion(f"not an Alpine version: {version}")
    elements.append((-_END, 0))
    return tuple(elements)


# --- Packagist ------------------------------------------------------------------------------------
# Composer normalises a version (drops "v" and build metadata, pads the release to four numbers,
# drops "stable") and compares with PHP's version_compare: parts split at ".", "-", "_", "+" and
# digit/letter transitions; words rank dev < alpha = a < beta = b < RC = rc < (number) < pl = p
# (matched by prefix, so "patch" = "p"); unknown words rank lowest; a missing part sorts above
# words of lower rank and below any number.

_PHP_FORMS = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_PHP_NUMBER = 4
_PHP_UNKNOWN = -6
_PACKAGIST_RELEASE = re.compile(r"(\d+(?:\.\d+)*)(.*)")
_PACKAGIST_PARTS = re.compile(r"\d+|[a-z]+")
_PACKAGIST_REST = re.compile(r"[a-z0-9._+-]*")
# Composer's stand-in for the "x" of a branch alias like "2.1.x-dev".
_BRANCH_NUMBER = 9999999


def _php_rank(word: str) -> int:
    for form, rank in _PHP_FORMS:
        if word.startswith(form):
            return rank
    return _PHP_UNKNOWN


def packagist_key(version: str) -> tuple[Any, ...]:
    """Composer's version order; branch names ("dev-main") raise InvalidVersion."""
    text = version.lower()
    if text.startswith("dev-"):
        raise InvalidVersion(f"a branch, not a version: {version}")
    text = text.split("+", 1)[0].removeprefix("v")
    m = _PACKAGIST_RELEASE.fullmatch(text)
    if m is None or _PACKAGIST_REST.fullmatch(m.group(2)) is None:
        raise InvalidVersion(f"not a Composer version: {version}")
    numbers = [int(x) for x in m.group(1).split(".")]
    rest = m.group(2)
    if rest.startswith((".x", ".*")):
        numbers += [_BRANCH_NUMBER] * max(0, 4 - len(numbers))
        rest = rest[2:]
    numbers += [0] * (4 - len(numbers))
    elements = [(_PHP_NUMBER, n) for n in numbers]
    for part in _PACKAGIST_PARTS.findall(rest):
        if part.isdigit():
            elements.append((_PHP_NUMBER, int(part)))
        elif part != "stable":
            elements.append((_php_rank(part), 0))
    # The terminator: above words ranked below numbers, below every number and "pl"/"p".
    elements.append((_PHP_NUMBER, -1))
    return tuple(elements)
