"""Benchmark: refusing hostile uploads (zip bombs, XML with a DTD), the timings the unit tests no
longer assert (they now count the work done instead: bytes unpacked, elements parsed).

Run from the project root::

    .venv/bin/python -m bench.uploads
    .venv/bin/python -m bench.uploads --repeat 50

- tabular_bomb_40mb / tabular_bomb_200mb: `core.files.tabular.read_workbook` of a workbook-shaped
  zip (< 1 MB) whose one sheet unpacks to 40 MB or 200 MB of zeros (ratio about 1000:1); refused
  from the zip's directory. Old unit-test bound: < 1 s (tests/core/test_files_tabular.py).
- checksheet_bomb_200mb: `assessments.excel.reading.read_book` of the check-sheet bomb of
  tests/assessments/excel/samples.py (200 MB). Old unit-test bound: < 1 s
  (tests/assessments/excel/test_checksheet.py).
- xml_<case>: `software.sbom.parsing.parse_sbom` of each XML attack of tests/software/test_sbom.py
  (DOCTYPE, external entity, billion laughs, external DTD, parameter entity); refused by defusedxml
  at the declaration. Old unit-test bound: < 0.5 s each.

Each figure is the median of `--repeat` runs (time.perf_counter; the bombs are built once, untimed).
No database is used. Prints one line per figure, then, as the last line, one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[2]
TARGETS_S = {"tabular_bomb_40mb": 1.0, "tabular_bomb_200mb": 1.0, "checksheet_bomb_200mb": 1.0}
XML_TARGET_S = 0.5


def setup_django() -> None:
    """Settings only (messages go through gettext); no database is touched."""
    os.environ.setdefault("RENKEI_DATA_DIR", tempfile.mkdtemp(prefix="renkei-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bomb(member_bytes: int) -> bytes:
    """A workbook-shaped zip whose one sheet unpacks to `member_bytes` of zeros (as the tests build it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(member_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def refused(fn: Callable[[], Any], error: type[Exception], repeat: int) -> float:
    """Median seconds until `fn` raises `error` (anything else fails the benchmark)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        try:
            fn()
        except error:
            times.append(time.perf_counter() - t)
        else:
            raise SystemExit(f"{fn} was not refused")
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.uploads", description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    setup_django()
    from tests.software.test_sbom import XML_ATTACKS

    from renkei.assessments.excel import reading as excel_reading
    from renkei.core.errors import RenkeiError
    from renkei.core.files.tabular import read_workbook
    from renkei.software.sbom.document import SbomError
    from renkei.software.sbom.parsing import parse_sbom

    results: dict[str, Any] = {"repeat": args.repeat}
    for megabytes in (40, 200):
        data = bomb(megabytes * 1024 * 1024)
        results[f"tabular_bomb_{megabytes}mb_kb"] = round(len(data) / 1024, 1)
        results[f"tabular_bomb_{megabytes}mb_s"] = refused(lambda d=data: read_workbook(d), RenkeiError, args.repeat)
    data = bomb(200 * 1024 * 1024)
    results["checksheet_bomb_200mb_s"] = refused(
        lambda: excel_reading.read_book(data, filename="bomb.xlsx"), RenkeiError, args.repeat
    )
    for case, document in sorted(XML_ATTACKS.items()):
        key = "xml_" + case.replace(" ", "_")
        results[f"{key}_s"] = refused(lambda d=document: parse_sbom(d), SbomError, args.repeat)
    met = [results[f"{name}_s"] < target for name, target in TARGETS_S.items()]
    met += [v < XML_TARGET_S for k, v in results.items() if k.startswith("xml_")]
    for key, value in results.items():
        if key.endswith("_s"):
            print(f"{key[:-2]}: {value * 1000:.3f} ms")
            results[key] = round(value, 6)
    results.update(
        targets_met=all(met),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        load_average=round(os.getloadavg()[0], 2),
        date=datetime.date.today().isoformat(),
    )
    print(orjson.dumps(results).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
