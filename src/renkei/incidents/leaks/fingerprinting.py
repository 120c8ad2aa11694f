"""Leak attribution engine (M13): normalised rows and keyed fingerprints (matching them against the
ledger is `matching`). Pure functions over plain data and numpy arrays; no ORM.

Normalisation (the same on both sides, so a value matches whatever tool re-saved the file):
  NFKC (full-width letters and digits become half-width, half-width kana full-width), lower-case
  (e-mail addresses and every other value), runs of white space (including the ideographic space)
  collapsed to one space and trimmed. A value that is a date written 1985/4/3, 1985-04-03, 1985.4.3,
  1985年4月3日 or 昭和60年4月3日 becomes 19850403. A value made only of digits and separators (spaces,
  dashes of every kind, dots, slashes, brackets, a leading + or 〒) becomes its digits, +81 turned
  into a leading 0: phone numbers and postal codes compare by their digits alone (090-1234-5678,
  ０９０ー１２３４ー５６７８ and +81 90 1234 5678 are all 09012345678).

Fingerprints: HMAC-SHA256(key, message) truncated to its first 8 bytes, read big-endian as an
unsigned 64-bit integer. The message says what was fingerprinted:
  b"r\\0" + the row's non-empty normalised values, sorted, joined by U+001F, in UTF-8: the whole row,
           whatever the column order (a header row is never fingerprinted);
  b"e\\0" + an e-mail address: every cell that is one (an @ between two runs without white space;
           a loose rule on purpose, the same on both sides);
  b"p\\0" + a phone number: every cell whose digits are a Japanese phone number (10–11 digits
           starting with 0);
  b"m\\0" + a member number; and name + address, name + birth date, postal code + address, each
           the two parts' fingerprints mixed (`identity.key_fingerprints`): the identifying keys, from
           the columns that hold them (told by their header, or by their values when it is renamed).
E-mails and phones are fingerprinted on their own so that a leak with other columns, or a text dump
with no columns at all, can still be matched by them. A delivery list (氏名・〒・住所) is matched by
its keys. A name alone is not unique and is not a key. A row that has all its columns is matched by
the row fingerprint whatever its values.

Storage: a dataset's fingerprints (rows, e-mails and phones together; the message prefix keeps the
kinds apart) are one sorted array of unique uint64, stored as little-endian bytes (8 per value) in
`SharedDataset.fingerprints`. Nothing else of the rows is kept. With 64 bits, a chance match between
10⁸ stored and 10⁷ leaked fingerprints is expected about once in 20,000 traces.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from renkei.incidents.leaks import identity

ROW, EMAIL, PHONE, NAME_ADDRESS, NAME_BIRTH, POSTAL_ADDRESS, MEMBER = range(7)
KIND_NAMES = ("row", "email", "phone", "name_address", "name_birth", "postal_address", "member")
KINDS = tuple(range(len(KIND_NAMES)))
KIND_BITS = {kind: 1 << kind for kind in KINDS}
KIND_OF = {name: kind for kind, name in enumerate(KIND_NAMES)}
_PREFIX = (b"r\x00", b"e\x00", b"p\x00", b"na\x00", b"nb\x00", b"pa\x00", b"m\x00")
STORED_DTYPE = np.dtype("<u8")
KEY_LABEL = b"renkei leak fingerprint key v1"
MEMO_SIZE = 2_000_000  # distinct repeated values remembered per kind (about 200 MB at most)

# --- keys and hashing ---------------------------------------------------------------------------


def derive_key(secret: str | bytes, label: bytes = KEY_LABEL) -> bytes:
    """A 32-byte fingerprint key derived from a secret (the configured leak key or SECRET_KEY)."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.digest(raw, label, "sha256")


def key_id(key: bytes) -> int:
    """A 31-bit identifier of the key, stored with each dataset so a changed key is noticed."""
    return int.from_bytes(hmac.digest(key, b"renkei key id", "sha256")[:4], "big") & 0x7FFFFFFF


class Hasher:
    """HMAC-SHA256 with the key's inner and outer states computed once.

    `hmac.digest` sets the key up again on every call; copying prepared states halves the cost,
    which matters with millions of values. The result is the standard HMAC (tested against hmac).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(64, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
        self._memo: dict[bytes, dict[str, int]] = {}
        self._numbers: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def digests(self, messages: Iterable[bytes], prefix: bytes = b"") -> bytes:
        """Each message's HMAC (32 bytes), concatenated; `prefix` is hashed in front of every message."""
        start = self._inner
        if prefix:
            start = start.copy()
            start.update(prefix)
        inner_copy, outer_copy = start.copy, self._outer.copy
        out: list[bytes] = []
        append = out.append
        for message in messages:
            inner = inner_copy()
            inner.update(message)
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest())
        return b"".join(out)

    def text_fingerprints(self, texts: Sequence[str], prefix: bytes) -> np.ndarray:
        """`fingerprints` of texts (UTF-8), each after `prefix`; encoding one by one inside the loop
        is quicker than encoding them all first."""
        if not texts:
            return np.zeros(0, np.uint64)
        start = self._inner.copy()
        start.update(prefix)
        inner_copy, outer_copy = start.copy, self._outer.copy
        out: list[bytes] = []
        append = out.append
        for text in texts:
            inner = inner_copy()
            inner.update(text.encode())
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest())
        return np.frombuffer(b"".join(out), dtype=">u8")[::4].astype(np.uint64)

    def repeated_fingerprints(self, texts: Sequence[str], prefix: bytes) -> np.ndarray:
        """`text_fingerprints` of values that repeat (names): each distinct value is hashed once and
        remembered for the next chunks of the same sample."""
        memo = self._memo.setdefault(prefix, {})
        distinct = dict.fromkeys(texts)
        missing = [t for t in distinct if t not in memo] if memo else list(distinct)
        if missing:
            if len(memo) + len(missing) > MEMO_SIZE:
                memo.clear()
                missing = list(distinct)
            memo.update(zip(missing, self.text_fingerprints(missing, prefix).tolist(), strict=True))
        return np.fromiter(map(memo.__getitem__, texts), dtype=np.uint64, count=len(texts))

    def digit_fingerprints(self, texts: Sequence[str], width: int, prefix: bytes) -> np.ndarray:
        """`text_fingerprints` of values that are "" or `width` ASCII digits (birth dates, postal
        codes), done on their numbers: each distinct one is hashed once per sample (an empty value
        gets the fingerprint of zeros; callers leave such rows out)."""
        if not texts:
            return np.zeros(0, np.uint64)
        filled = texts if "" not in texts else [t or "0" * width for t in texts]
        digits = np.frombuffer("".join(filled).encode("ascii"), dtype=np.uint8).reshape(-1, width) - np.uint8(48)
        codes = digits.astype(np.int64) @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))
        unique, inverse = np.unique(codes, return_inverse=True)
        known, fps = self._numbers.get(prefix, (np.zeros(0, np.int64), np.zeros(0, np.uint64)))
        position = np.minimum(np.searchsorted(known, unique), max(known.size - 1, 0))
        missing = unique[~(known[position] == unique)] if known.size else unique
        if missing.size:
            if known.size + missing.size > MEMO_SIZE:
                known, fps = np.zeros(0, np.int64), np.zeros(0, np.uint64)
                missing = unique
            added = self.text_fingerprints([f"{c:0{width}d}" for c in missing.tolist()], prefix)
            known, fps = np.concatenate([known, missing]), np.concatenate([fps, added])
            order = np.argsort(known, kind="stable")
            known, fps = known[order], fps[order]
            self._numbers[prefix] = (known, fps)
        return fps[np.searchsorted(known, unique)][inverse.reshape(-1)]

    def fingerprints(self, messages: Sequence[bytes], prefix: bytes = b"") -> np.ndarray:
        """One uint64 fingerprint (the HMAC's first 8 bytes, big-endian) per message, in order."""
        if not messages:
            return np.zeros(0, np.uint64)
        return np.frombuffer(self.digests(messages, prefix), dtype=">u8")[::4].astype(np.uint64)


def message(kind: int, value: str) -> bytes:
    """The fingerprinted bytes for one normalised value (or canonical row) of a kind."""
    return _PREFIX[kind] + value.encode("utf-8", "surrogatepass")


def pack(fingerprints: np.ndarray) -> bytes:
    """Sorted unique fingerprints as stored in SharedDataset.fingerprints."""
    return np.unique(np.asarray(fingerprints, dtype=np.uint64)).astype(STORED_DTYPE).tobytes()


def unpack(data: bytes | memoryview) -> np.ndarray:
    """The stored bytes back as a sorted uint64 array (a view; no copy)."""
    return np.frombuffer(bytes(data) if isinstance(data, memoryview) else data, dtype=STORED_DTYPE).astype(
        np.uint64, copy=False
    )


# --- normalisation ------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_AROUND_SEPARATOR = re.compile(" ?\x00 ?")
# White space that NFKC leaves alone (it turns the ideographic and other spaces into U+0020).
_OTHER_SPACES = ("  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u1680",
                 "\u2028", "\u2029", " \x00", "\x00 ")  # fmt: skip
_DIGIT_STARTS = frozenset("0123456789+(〒")
_FIRST = operator.itemgetter(slice(0, 1))
_FIFTH = operator.itemgetter(slice(4, 5))
_DATE_SEPARATOR_SET = frozenset(("-", "/", "."))
_JOIN_SEPARATOR = "\x1f".join
_LSTRIP_SEPARATOR = operator.methodcaller("lstrip", "\x1f")
_SEPARATOR_CHARS = " -./()+〒‐‑‒–—―−ー"
_DATE_SEPARATORS = ("-", "/", ".")
_NUMERIC_DATE = re.compile(r"(\d{4})[-/.](0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])")
# A value shaped like a date with a one-digit month or day (the usual date column is padded).
_UNPADDED_DATE = re.compile(r"(?<![^\x00])\d{4}[-/.](?:\d[-/.]\d\d?|\d\d[-/.]\d)(?![^\x00])")
_KANJI_DATE = re.compile(r"(?:(\d{4})|(明治|大正|昭和|平成|令和) ?(\d{1,2}|元)) ?年 ?(0?[1-9]|1[0-2]) ?月 ?(0?[1-9]|[12]\d|3[01]) ?日")
_ERA_START = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
# E-mail addresses found in free text (strict, ASCII); every one of them is also an e-mail cell.
EMAIL_IN_TEXT = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+"
)
# A cell is an e-mail address when it is one @ between two runs without white space: loose on purpose
# (it is a rule for what to fingerprint, the same on both sides, not a validation) and quick to check.
_EMAIL_CELL = r"[^\s@\x00]+@[^\s@\x00]+"
_EMAIL = re.compile(_EMAIL_CELL)
_EMAIL_COLUMN = re.compile(f"(?:{_EMAIL_CELL})?(?:\x00(?:{_EMAIL_CELL})?)*")
_PHONE_COLUMN = re.compile(r"0\d{9,10}(?:\x00[0]\d{9,10})*", re.ASCII)


def _date_value(value: str) -> str | None:
    date = _NUMERIC_DATE.fullmatch(value)
    return f"{date[1]}{int(date[2]):02d}{int(date[3]):02d}" if date else None


def _kanji_date(value: str) -> str:
    date = _KANJI_DATE.fullmatch(value)
    if date is None:
        return value
    year = int(date[1]) if date[1] else _ERA_START[date[2]] + (1 if date[3] == "元" else int(date[3])) - 1
    return f"{year:04d}{int(date[4]):02d}{int(date[5]):02d}"


def _normalise_joined(text: str) -> str:
    """NFKC, lower case and white space on one value or on NUL-joined values. Each step first makes
    a cheap check (C string search) so that the usual, already clean column costs little."""
    if "\u3000" in text:
        text = text.replace("\u3000", " ")
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _spaces(text.lower())


def _spaces(text: str) -> str:
    if text[:1] == " " or text[-1:] == " " or any(s in text for s in _OTHER_SPACES):
        text = _AROUND_SEPARATOR.sub("\x00", _SPACES.sub(" ", text)).strip(" ")
    return text


def _normalise_cells(cells: str, width: int) -> list[list[str]]:
    """The columns of rows given as all their cells, row after row, joined by NUL, normalised.

    Lower case and white space are done on the whole string at once. NFKC (slow on Japanese text,
    which is usually normalised already) only on the columns that need it."""
    if "\u3000" in cells:
        cells = cells.replace("\u3000", " ")
    if cells.isascii() or unicodedata.is_normalized("NFKC", cells):
        flat = _spaces(cells.lower()).split("\x00")
        return [flat[i::width] for i in range(width)] if width > 1 else [flat]
    flat = cells.split("\x00")
    return [_normalise_joined("\x00".join(flat[i::width])).split("\x00") for i in range(width)]


def _finish(values: list[str], joined: str) -> tuple[list[str], str | None]:
    """Dates and digit strings. A value can only be one if it starts with a digit, +, ( or 〒 (or an
    era, for a date in kanji); separators are removed from the whole column at once, and the result
    is kept where a value's remainder is all digits. Also returns the values joined by NUL, when known."""
    if "年" in joined:
        values = [_kanji_date(v) if "年" in v else v for v in values]
        joined = "\x00".join(values)
    filled = [v for v in values if v] if "" in values else values
    if not filled:
        return values, joined
    lowest, highest = min(filled), max(filled)
    core = joined
    for separator in _SEPARATOR_CHARS:
        if separator in core:
            core = core.replace(separator, "")
    # The usual phone, postal code or padded date column: every value starts with a digit and is
    # digits and separators only, none a date to pad, so the remainders are the answer.
    if lowest[0] >= "0" and highest[0] <= "9" and core.isascii():
        digits_only = core.split("\x00")
        if (
            core.replace("\x00", "").isdigit()
            and digits_only.count("") == values.count("")  # no value was separators alone
            # 1985/4/3 leaves 6 or 7 digits and has a separator after the year: only then look closer.
            and (
                not {6, 7} & set(map(len, digits_only))
                or not _DATE_SEPARATOR_SET & set(map(_FIFTH, filled))
                or _UNPADDED_DATE.search(joined) is None
            )
        ):
            return digits_only, core
    if not set(map(_FIRST, filled)) & _DIGIT_STARTS:
        return values, joined
    out: list[str] = []
    append = out.append
    starts = _DIGIT_STARTS
    for value, digits in zip(values, core.split("\x00"), strict=True):
        if not value or value[0] not in starts or not digits.isdigit() or not digits.isascii():
            append(value)
        elif len(value) < 10 and value[4:5] in _DATE_SEPARATORS and (date := _date_value(value)):
            # 1985/4/3; a padded 1985/04/03 needs nothing more than its digits.
            append(date)
        elif value[0] == "+" and digits.startswith("81"):
            append("0" + digits[2:])
        else:
            append(digits)
    return out, None


def normalise(value: str) -> str:
    """One value in canonical form (the rules are in the module docstring)."""
    text = _normalise_joined(value.replace("\x00", ""))
    return _finish([text], text)[0][0]


def normalise_column(values: Sequence[str]) -> list[str]:
    """`normalise` applied to every value, done on the joined column so most work runs in C."""
    return _normalise_column(values)[0]


def _normalise_column(values: Sequence[str]) -> tuple[list[str], str]:
    """The normalised values and the same joined by NUL."""
    joined = _normalise_joined("\x00".join(values))
    out = joined.split("\x00")
    if len(out) != len(values):  # a value held a NUL itself
        out = [normalise(v) for v in values]
        return out, "\x00".join(out)
    out, final = _finish(out, joined)
    return out, final if final is not None else "\x00".join(out)


def is_email(value: str) -> bool:
    """A normalised value that is one e-mail address."""
    return "@" in value and _EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    """A normalised value that is a Japanese phone number (10–11 digits starting with 0)."""
    return 10 <= len(value) <= 11 and value[0] == "0" and value.isdigit()


def canonical_row(values: Iterable[str]) -> str:
    """The row as fingerprinted: its non-empty normalised values, sorted, joined by U+001F."""
    return "\x1f".join(sorted(v for v in values if v))


# --- fingerprinting rows ------------------------------------------------------------------------


@dataclass
class Fingerprints:
    """Fingerprints of a table or text, each with the row it came from and its kind."""

    values: np.ndarray  # uint64
    rows: np.ndarray  # int64, index of the row in the sample (0-based)
    kinds: np.ndarray  # uint8: ROW, EMAIL or PHONE

    @classmethod
    def empty(cls) -> Fingerprints:
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.uint8))

    @classmethod
    def concat(cls, parts: Sequence[Fingerprints], offsets: Sequence[int]) -> Fingerprints:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.values for p in parts]),
            np.concatenate([p.rows + off for p, off in zip(parts, offsets, strict=True)]),
            np.concatenate([p.kinds for p in parts]),
        )


@dataclass
class CanaryHit:
    """A canary's e-mail or phone found in a leaked row."""

    row: int
    canary_id: int
    kind: int
    value: str


@dataclass
class TableFingerprints:
    fingerprints: Fingerprints
    canary_hits: list[CanaryHit] = field(default_factory=list)
    # Rows whose whole-row fingerprint was left out (rows="unless_values"): see `find_hits`.
    deferred: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _emails(column: list[str], joined: str) -> list[int] | range:
    """Indices of the cells that are one e-mail address each."""
    if "@" not in joined:
        return []
    if _EMAIL_COLUMN.fullmatch(joined):  # one pass in C for the usual column of e-mails only
        return range(len(column)) if "" not in column else [i for i, v in enumerate(column) if v]
    return [i for i, v in enumerate(column) if "@" in v and _EMAIL.fullmatch(v)]


def _phones(column: list[str], joined: str) -> list[int] | range:
    """Indices of the cells that are a phone number (see `is_phone`, inlined: it runs on every cell)."""
    if not (joined.startswith("0") or "\x000" in joined) or not {10, 11} & set(map(len, column)):
        return []
    if _PHONE_COLUMN.fullmatch(joined):
        return range(len(column))
    return [i for i, v in enumerate(column) if 10 <= len(v) <= 11 and v[0] == "0" and v.isdigit()]


CanaryIndex = Mapping[int, int]  # fingerprint of a canary's e-mail, phone or key → canary id


def fingerprint_table(
    rows: Sequence[Sequence[str]],
    hasher: Hasher,
    *,
    canaries: CanaryIndex | None = None,
    include_rows: bool | str = True,
    include_values: bool = True,
    roles: identity.Roles | None = None,
) -> TableFingerprints:
    """Fingerprint data rows (no header) of raw cell text: one row fingerprint per non-empty row,
    one per e-mail and phone cell and, given the `roles` of the columns, one per identifying key
    (`identity.keys`). `canaries` maps the fingerprints of canaries to their ids."""
    widths = set(map(len, rows))
    width = max(widths, default=0)
    if not width:
        return TableFingerprints(Fingerprints.empty())
    padded = rows if len(widths) == 1 else [list(r) + [""] * (width - len(r)) for r in rows]
    joined = "\x00".join(itertools.chain.from_iterable(padded))
    if joined.count("\x00") != width * len(padded) - 1:  # a cell held a NUL, which normalising drops
        joined = "\x00".join(c.replace("\x00", "") for c in itertools.chain.from_iterable(padded))
    return fingerprint_cells(
        joined, width, hasher, canaries=canaries, include_rows=include_rows, include_values=include_values, roles=roles
    )


def _canary_hits(
    kind: int, index: np.ndarray, fps: np.ndarray, text: Callable[[int], str], canaries: CanaryIndex, known: np.ndarray
) -> list[CanaryHit]:
    """The fingerprints that are canaries'; `known` is the canaries' fingerprints, sorted. A binary
    search: `np.isin` sorts and dedupes both arrays on every call, four times the cost here."""
    position = np.minimum(np.searchsorted(known, fps), known.size - 1)
    found = np.flatnonzero(known[position] == fps)
    return [CanaryHit(int(index[i]), canaries[int(fps[i])], kind, text(int(i))) for i in found]


def fingerprint_cells(
    cells: str,
    width: int,
    hasher: Hasher,
    *,
    canaries: CanaryIndex | None = None,
    include_rows: bool | str = True,
    include_values: bool = True,
    roles: identity.Roles | None = None,
) -> TableFingerprints:
    """`fingerprint_table` for rows given as all their cells, row after row, joined by NUL (`width`
    cells a row; no cell holds a NUL). Normalising the whole lot at once keeps the work in C.

    `include_rows="unless_values"` leaves out the whole-row fingerprint of rows that have an e-mail
    or a phone number and lists them as `deferred` (see `find_hits`). The identifying keys play no
    part in that: the columns of a dataset and of a sample may be told apart differently."""
    columns = _normalise_cells(cells, width)
    # Dates and digit strings (`_finish`) only where a value can be one: a column whose smallest
    # value starts at or below "9" has a value starting with a digit, + or (; 〒 and eras are rare.
    special = "〒" in cells or "年" in cells
    normalised: list[tuple[list[str], str | None]] = []
    for column in columns:
        lowest = min(filter(None, column), default="")
        if special or lowest[:1] and lowest[0] <= "9":
            normalised.append(_finish(column, "\x00".join(column)))
        else:
            normalised.append((column, None))
    columns = [values for values, _joined in normalised]
    values: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    hits: list[CanaryHit] = []
    canary_fps = np.sort(np.fromiter(canaries.keys(), dtype=np.uint64, count=len(canaries))) if canaries else None

    def record(kind: int, index: np.ndarray, fps: np.ndarray, text: Callable[[int], str]) -> None:
        values.append(fps)
        indices.append(index)
        kinds.append(np.full(fps.size, kind, dtype=np.uint8))
        if canaries and canary_fps is not None and kind != ROW:
            hits.extend(_canary_hits(kind, index, fps, text, canaries, canary_fps))

    def add(kind: int, index: list[int] | range, texts: list[str]) -> None:
        rows = np.arange(len(index), dtype=np.int64) if isinstance(index, range) else np.asarray(index, dtype=np.int64)
        record(kind, rows, hasher.text_fingerprints(texts, _PREFIX[kind]), texts.__getitem__)

    for column, known in normalised if include_values else ():
        joined = known if known is not None else "\x00".join(column)
        for kind, found in ((EMAIL, _emails(column, joined)), (PHONE, _phones(column, joined))):
            if found:
                add(kind, found, column if isinstance(found, range) else [column[i] for i in found])
    deferred = np.zeros(0, dtype=np.int64)
    if include_rows and columns:
        count = len(columns[0])
        rows: Iterable[Sequence[str]] = zip(*columns, strict=True)
        selected: list[int] | range = range(count)
        if include_rows == "unless_values" and indices:
            with_values = np.zeros(count, dtype=bool)
            for index in indices:
                with_values[index] = True
            deferred = np.flatnonzero(with_values)
            selected = np.flatnonzero(~with_values).tolist()
            rows = [[column[i] for column in columns] for i in selected]
        # Empty values sort first, so stripping leading separators leaves the non-empty ones joined.
        canonical = list(map(_LSTRIP_SEPARATOR, map(_JOIN_SEPARATOR, map(sorted, rows))))
        if "" in canonical:
            keep = [i for i, c in enumerate(canonical) if c]
            add(ROW, [selected[i] for i in keep], [canonical[i] for i in keep])
        elif canonical:
            add(ROW, selected, canonical)
    if include_values and roles is not None:
        for key in identity.key_fingerprints(columns, roles, hasher):
            record(KIND_OF[key.kind], key.rows, key.values, key.text)
    if not values:
        return TableFingerprints(Fingerprints.empty(), hits, deferred)
    fps = Fingerprints(np.concatenate(values), np.concatenate(indices), np.concatenate(kinds))
    return TableFingerprints(fps, hits, deferred)


def fingerprint_values(
    found: Sequence[tuple[int, int, str]], hasher: Hasher, *, canaries: CanaryIndex | None = None
) -> TableFingerprints:
    """Fingerprint e-mails and phones extracted from text: (row, kind, normalised value) triples."""
    fps = Fingerprints(
        hasher.fingerprints([message(kind, value) for _row, kind, value in found]),
        np.asarray([r for r, _k, _v in found], dtype=np.int64),
        np.asarray([k for _r, k, _v in found], dtype=np.uint8),
    )
    hits = [
        CanaryHit(row=row, canary_id=canaries[int(fp)], kind=kind, value=value)
        for (row, kind, value), fp in zip(found, fps.values, strict=True)
        if canaries and int(fp) in canaries
    ]
    return TableFingerprints(fps, hits)
