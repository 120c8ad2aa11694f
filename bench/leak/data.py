"""Deterministic synthetic ledger and leaked file for the leak benchmark.

A customer base of invented persons (person ``i``'s name, reading, e-mail, phone, birth date and
address follow from ``i`` alone) is shared with every recipient: each gets a random subset, in one of
three column layouts (full, delivery, marketing), with 20 canary rows made by the application's own
generator. Persons overlap between recipients, as customers of one company do, so an e-mail address
alone points at about ``recipients × rows / population`` recipients; the whole-row fingerprint and the
counts tell them apart. Each dataset also holds the identifying keys its columns allow (name + address,
name + birth date, postal code + address). Names, towns and block numbers come from short lists, so
some invented outsiders share a key with a customer: the generator counts exactly which (from its own
per-person fingerprints) and the benchmark expects those rows to be matched.

The leaked file mixes three sources, shuffled: 80 % of one recipient's rows (the culprit, full
layout) with 12 of its canaries, 5 % of another's rows, and invented persons who were never ours. Its
columns are in another order and it writes values differently from the ledger (hyphenated and
full-width phone numbers, 1985/04/03 for 1985-04-03), so normalisation is exercised on every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renkei.incidents.leaks import fingerprinting, matching
from renkei.incidents.leaks.canaries import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    PLACES,
    TOWNS,
    canary_fingerprints,
    canary_index,
    classify_columns,
    column_roles,
    make_canary,
)
from renkei.incidents.leaks.identity import Roles
from renkei.incidents.leaks.tracing import CanaryOwner

FULL = ["氏名", "フリガナ", "メールアドレス", "電話番号", "生年月日", "郵便番号", "住所"]
LAYOUTS = {
    "full": FULL,
    "delivery": ["氏名", "電話番号", "郵便番号", "住所"],
    "marketing": ["氏名", "フリガナ", "メールアドレス", "生年月日"],
}
LAYOUT_ORDER = ("full", "delivery", "marketing")  # recipient r uses LAYOUT_ORDER[r % 3]
LEAK_COLUMNS = ["メールアドレス", "氏名", "フリガナ", "電話番号", "生年月日", "住所", "郵便番号"]
DOMAINS = ("example.jp", "example.co.jp", "example.ne.jp", "mail.example.com")
CANARIES_PER_DATASET = 20
CANARIES_LEAKED = 12
CULPRIT_SHARE, SECOND_SHARE = 0.8, 0.05
PHONE_A, PHONE_B = 48271, 12345  # suffix = (A·i + B) mod 10⁸: distinct for every person
CHUNK = 50_000
_GIVEN = GIVEN_NAMES["male"] + GIVEN_NAMES["female"]


def _mix(index: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of (index, salt): a well-spread pseudo-random number per person and attribute."""
    with np.errstate(over="ignore"):
        z = index.astype(np.uint64) * np.uint64(16) + np.uint64(salt) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def persons(index: np.ndarray, *, variant: bool = False) -> dict[str, list[str]]:
    """Column values of persons by index. `variant` writes them as the leak does (other formats)."""
    fam = (_mix(index, 1) % np.uint64(len(FAMILY_NAMES))).tolist()
    giv = (_mix(index, 2) % np.uint64(len(_GIVEN))).tolist()
    days = (_mix(index, 3) % np.uint64(20_000)).tolist()
    place = (_mix(index, 4) % np.uint64(len(PLACES))).tolist()
    town = (_mix(index, 5) % np.uint64(len(TOWNS))).tolist()
    block = _mix(index, 6).tolist()
    dom = (_mix(index, 7) % np.uint64(len(DOMAINS))).tolist()
    prefix = (_mix(index, 8) % np.uint64(3)).tolist()
    style = (_mix(index, 9) % np.uint64(10)).tolist()
    ids = index.tolist()
    base = dt.date(1950, 1, 1)
    out: dict[str, list[str]] = {c: [] for c in FULL}
    for n, i in enumerate(ids):
        f_kanji, f_kana, f_roman = FAMILY_NAMES[fam[n]]
        g_kanji, g_kana, g_roman = _GIVEN[giv[n]]
        pref, city, postal3 = PLACES[place[n]]
        b = block[n]
        phone = ("070", "080", "090")[prefix[n]] + f"{(PHONE_A * i + PHONE_B) % 10**8:08d}"
        birth = base + dt.timedelta(days=days[n])
        postal = f"{postal3}-{b % 10000:04d}"
        if variant and style[n] < 5:
            phone = f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        elif variant and style[n] < 7:
            phone = f"{phone[:3]}-{phone[3:7]}-{phone[7:]}".translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
        out["氏名"].append(f"{f_kanji}\u3000{g_kanji}")
        out["フリガナ"].append(f"{f_kana}\u3000{g_kana}")
        out["メールアドレス"].append(f"{g_roman}.{f_roman}{i}@{DOMAINS[dom[n]]}")
        out["電話番号"].append(phone)
        out["生年月日"].append(birth.strftime("%Y/%m/%d" if variant else "%Y-%m-%d"))
        out["郵便番号"].append(postal)
        out["住所"].append(f"{pref}{city}{TOWNS[town[n]]}{b % 5 + 1}-{b // 5 % 30 + 1}-{b // 150 % 20 + 1}")
    return out


def rows_of(index: np.ndarray, columns: list[str], *, variant: bool = False) -> list[list[str]]:
    values = persons(index, variant=variant)
    return [list(r) for r in zip(*(values[c] for c in columns), strict=True)]


# --- fingerprints of the customer base, per layout (in parallel processes) ------------------------

_KEY: dict[str, bytes] = {}
_LAYOUTS: dict[str, tuple[str, ...]] = {"names": tuple(LAYOUTS)}
KEY_KINDS = ("name_address", "name_birth", "postal_address")


def layout_roles(layout: str) -> Roles:
    columns = LAYOUTS[layout]
    return column_roles(classify_columns(columns, rows_of(np.arange(50), columns)))


def _population_chunk(bounds: tuple[int, int]) -> dict[str, np.ndarray]:
    hasher = fingerprinting.Hasher(_KEY["key"])
    index = np.arange(*bounds)
    out: dict[str, np.ndarray] = {}
    for layout in _LAYOUTS["names"]:
        columns = LAYOUTS[layout]
        fps = fingerprinting.fingerprint_table(rows_of(index, columns), hasher, roles=layout_roles(layout)).fingerprints
        for kind in fingerprinting.KINDS:
            name = layout if kind == fingerprinting.ROW else fingerprinting.KIND_NAMES[kind]
            mask = fps.kinds == kind
            if name not in out and mask.any():
                # One fingerprint of this kind per person, in order: the arrays index by person.
                assert np.array_equal(fps.rows[mask], np.arange(index.size))
                out[name] = fps.values[mask]
    return out


def population_fingerprints(
    start: int, stop: int, key: bytes, workers: int, layouts: tuple[str, ...] = tuple(LAYOUTS)
) -> dict[str, np.ndarray]:
    """Per person (start ≤ index < stop): the row fingerprint in each layout, and the fingerprint of
    each other kind."""
    bounds = [(s, min(s + CHUNK, stop)) for s in range(start, stop, CHUNK)]
    _KEY["key"] = key
    _LAYOUTS["names"] = layouts
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_population_chunk, bounds))
    else:
        parts = [_population_chunk(b) for b in bounds]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


# --- the whole data set -------------------------------------------------------------------------


@dataclass
class LeakBenchData:
    key: bytes
    ledger: list[matching.LedgerEntry]
    canaries: dict[int, int]
    canary_owners: dict[int, CanaryOwner]
    leak: bytes
    culprit: int
    second: int
    expected: dict[str, int] = field(default_factory=dict)
    ledger_rows: int = 0

    @property
    def ledger_fingerprints(self) -> int:
        return sum(int(e.fingerprints.size) for e in self.ledger)


def _canaries(
    recipient: int, layout: str, key: bytes, rng: random.Random, start_id: int, taken: int, hasher: fingerprinting.Hasher,
    taken_keys: np.ndarray,
) -> tuple[list[tuple[int, np.ndarray]], list[list[str]], np.ndarray]:
    columns = LAYOUTS[layout]
    styles = classify_columns(columns, rows_of(np.arange(50), columns))
    roles = layout_roles(layout)
    made: list[tuple[int, np.ndarray]] = []
    rows: list[list[str]] = []
    inverse = pow(PHONE_A, -1, 10**8)
    while len(made) < CANARIES_PER_DATASET:
        canary = make_canary(
            styles, key=key, recipient_id=recipient, domain="canary.renkei.example", rng=rng, today=dt.date(2026, 11, 22)
        )
        # Skip a canary whose phone number is some invented person's (the service does the same
        # check against the dataset it is mixed into).
        if (int(canary.phone[3:]) - PHONE_B) * inverse % 10**8 < taken:
            continue
        # Likewise a canary with some invented person's name and address, name and birth date, or
        # postal code and address (the service checks the rows sent and every earlier canary).
        fps = canary_fingerprints(canary.row, roles, hasher)
        if _isin(fps, taken_keys).any():
            continue
        made.append((start_id + len(made), fps))
        rows.append(canary.row)
    return made, rows, fingerprinting.fingerprint_table(rows, hasher, roles=roles).fingerprints.values


def generate(
    recipients: int, rows_per_recipient: int, leak_rows: int, *, population: int | None = None, seed: int = 42,
    workers: int = 1,
) -> LeakBenchData:  # fmt: skip
    """Ledger (fingerprints of every dataset) and the leaked file's bytes."""
    population = population or max(2 * rows_per_recipient, recipients * rows_per_recipient // 20)
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    key = fingerprinting.derive_key(f"benchmark key {seed}")
    hasher = fingerprinting.Hasher(key)
    noise = leak_rows  # upper bound of invented non-customers in the leak
    base = population_fingerprints(0, population, key, workers)
    # The keys of the invented non-customers (names, addresses and birth dates come from small
    # lists, so some of them are a customer's too: those rows are rightly matched; counted below).
    outsiders = population_fingerprints(population, population + noise, key, workers, layouts=("full",))
    taken_keys = np.unique(np.concatenate([a[k] for a in (base, outsiders) for k in KEY_KINDS]))

    ledger: list[matching.LedgerEntry] = []
    chosen: dict[int, np.ndarray] = {}
    lookup: list[tuple[int, np.ndarray]] = []
    owners: dict[int, CanaryOwner] = {}
    canary_rows: dict[int, list[list[str]]] = {}
    for r in range(recipients):
        layout = LAYOUT_ORDER[r % 3]
        picked = rng.choice(population, size=rows_per_recipient, replace=False)
        chosen[r] = picked
        made, rows, canary_fps = _canaries(r, layout, key, prng, len(lookup) + 1, population + noise, hasher, taken_keys)
        lookup.extend(made)
        owners.update({cid: CanaryOwner(dataset_id=r, recipient_id=r) for cid, _fps in made})
        canary_rows[r] = rows
        parts = [base[layout][picked], canary_fps]
        parts += [base[name][picked] for name in sorted(_kinds(layout))]
        ledger.append(matching.LedgerEntry(dataset_id=r, recipient_id=r, fingerprints=np.unique(np.concatenate(parts))))

    full = [r for r in range(recipients) if LAYOUT_ORDER[r % 3] == "full"]
    culprit, second = full[len(full) // 2], full[len(full) // 4]
    n_culprit = int(rows_per_recipient * CULPRIT_SHARE)
    culprit_persons = chosen[culprit][:n_culprit]
    others = np.setdiff1d(chosen[second], chosen[culprit])
    second_persons = others[: int(rows_per_recipient * SECOND_SHARE)]
    n_noise = leak_rows - culprit_persons.size - second_persons.size - CANARIES_LEAKED
    noise_persons = np.arange(population, population + n_noise)
    # Which outsiders share a key with something we shared, and with the culprit's copy.
    shared = np.unique(np.concatenate([e.fingerprints for e in ledger]))
    outsider_keys = [outsiders[k][:n_noise] for k in KEY_KINDS]
    matched = np.logical_or.reduce([_isin(k, shared) for k in outsider_keys])
    with_culprit = np.logical_or.reduce([_isin(k, ledger[culprit].fingerprints) for k in outsider_keys])
    # Persons of the second recipient were not sent to the culprit, but some have a culprit
    # customer's name and birth date, or address: those rows are rightly the culprit's too.
    second_with_culprit = np.logical_or.reduce(
        [_isin(base[k][second_persons], ledger[culprit].fingerprints) for k in KEY_KINDS]
    )
    del shared

    leaked = rows_of(np.concatenate([culprit_persons, second_persons, noise_persons]), LEAK_COLUMNS, variant=True)
    order = [FULL.index(c) for c in LEAK_COLUMNS]
    leaked += [[row[i] for i in order] for row in canary_rows[culprit][:CANARIES_LEAKED]]
    prng.shuffle(leaked)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LEAK_COLUMNS)
    writer.writerows(leaked)
    data = b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    return LeakBenchData(
        key=key,
        ledger=ledger,
        canaries=canary_index((cid, fps.tolist()) for cid, fps in lookup),
        canary_owners=owners,
        leak=data,
        culprit=culprit,
        second=second,
        expected={
            "culprit_rows": int(culprit_persons.size) + CANARIES_LEAKED + int(with_culprit.sum())
            + int(second_with_culprit.sum()),
            "culprit_whole_rows": int(culprit_persons.size) + CANARIES_LEAKED,
            "outsiders_matched": int(matched.sum()),
            "unmatched_rows": int(n_noise - matched.sum()),
            "leak_rows": leak_rows,
            "second_rows": int(second_persons.size),
            "noise_rows": int(n_noise),
            "canaries": CANARIES_LEAKED,
            "population": population,
        },
        ledger_rows=recipients * (rows_per_recipient + CANARIES_PER_DATASET),
    )


def _isin(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    position = np.minimum(np.searchsorted(sorted_unique, values), max(sorted_unique.size - 1, 0))
    return sorted_unique[position] == values if sorted_unique.size else np.zeros(values.size, dtype=bool)


def _kinds(layout: str) -> set[str]:
    """The kinds other than the whole row that a layout's rows have fingerprints of."""
    columns = LAYOUTS[layout]
    roles = layout_roles(layout)
    kinds = {name for name, col in (("email", "メールアドレス"), ("phone", "電話番号")) if col in columns}
    if roles.name and roles.address:
        kinds.add("name_address")
    if roles.name and roles.birth is not None:
        kinds.add("name_birth")
    if roles.address and roles.postal is not None:
        kinds.add("postal_address")
    return kinds


def write(data: LeakBenchData, folder: Path) -> Path:
    path = folder / "leak.csv"
    path.write_bytes(data.leak)
    return path
