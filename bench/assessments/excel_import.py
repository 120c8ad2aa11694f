"""Benchmark: importing a 1,000-question Excel check sheet as a framework (issue 3 §8, target ≤ 2 s).

Run from the project root::

    .venv/bin/python -m bench.assessments.excel_import                  # 1,000 questions, 5 runs, fresh SQLite
    .venv/bin/python -m bench.assessments.excel_import --questions 3000 --repeat 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bench .venv/bin/python -m bench.assessments.excel_import

The check sheet is generated with openpyxl into a temporary directory, shaped like the sheets
Japanese companies exchange: two title lines and a blank line above the header, 50 sections whose
name is only on the first row of each group, IDs such as 「3-07」, Japanese requirement texts (some
with English), answer-choice cells in three styles (empty = yes/no, 「はい/いいえ/該当なし」,
「実施済/一部実施/未実施」), a level column Lv1–Lv3, evidence hints and a few weights.

One import is what the wizard does, without HTTP: read the workbook safely (`excel_reading.read_book`:
zip checks, openpyxl read-only through defusedxml), map the columns and build the spec with every
row checked (`checksheet.check_sheet_spec`), and store it (`framework_services.framework_install`, bulk inserts)
under a new key each run. Timings are medians of `--repeat` runs (time.perf_counter). Peak memory
is measured in a separate, untimed pass with tracemalloc. The wizard also keeps the parsed rows as
JSON between its steps; that round trip is timed on its own (`excel_json_roundtrip_s`).

`run()` returns the figures (the assessments benchmark calls it after setting Django up); run as
a module it sets up a fresh database, prints a table and, as the last line, one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import orjson

TARGET_S = 2.0
QUESTIONS = 1_000
PER_SECTION = 20

SECTIONS = [
    "組織的対策", "人的対策", "物理的対策", "技術的対策", "委託先管理", "インシデント対応", "事業継続", "資産管理",
    "アクセス制御", "暗号化", "運用管理", "ネットワーク", "開発", "教育", "監査",
]  # fmt: skip
TOPICS = [
    ("情報セキュリティの責任者と役割を文書で定め、経営層が承認していますか。", "Are security roles defined in writing and approved by management?"),
    ("取引先から預かった情報の保管場所と取扱者を台帳で管理していますか。", "Do you keep a register of where our information is stored and who handles it?"),
    ("退職者や異動者のアカウントを速やかに無効化していますか。", "Do you disable accounts of leavers and movers promptly?"),
    ("重要なシステムへのアクセスに多要素認証を使っていますか。", "Do you use multi-factor authentication for important systems?"),
    ("バックアップを定期的に取得し、復旧の手順を試験していますか。", "Do you take regular backups and test restoring them?"),
    ("再委託先に対して同等のセキュリティ要求を契約で課していますか。", "Do your contracts impose equivalent security on subcontractors?"),
    ("端末のOSとソフトウェアに最新の修正を適用していますか。", "Do you keep operating systems and software patched?"),
    ("インシデント発生時の連絡体制と報告期限を定めていますか。", "Have you defined incident contacts and reporting deadlines?"),
]
CHOICES = ["", "はい/いいえ/該当なし", "実施済\n一部実施\n未実施", "", "○／△／×"]
EVIDENCE = ["規程、承認記録", "管理台帳", "アカウント棚卸しの記録", "設定画面の写し", "復旧試験の記録"]


def generate(questions: int = QUESTIONS) -> bytes:
    """A realistic check sheet of `questions` rows as .xlsx bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "チェックシート"
    sheet.append(["サプライチェーン・サイバーセキュリティ チェックシート（取引先向け）"])
    sheet.append(["回答企業名", "", "回答日", "2025-04-01"])
    sheet.append([])
    sheet.append(["項番", "分類", "要求事項", "回答選択肢", "レベル", "要求事項（英語）", "証跡の例", "重み", "備考"])
    for i in range(questions):
        section, position = divmod(i, PER_SECTION)
        ja, en = TOPICS[i % len(TOPICS)]
        sheet.append(
            [
                f"{section + 1}-{position + 1:02d}",
                f"{section + 1}. {SECTIONS[section % len(SECTIONS)]}" if position == 0 else None,
                f"{ja}（{section + 1}-{position + 1:02d}：対象範囲を含めてご回答ください。）",
                CHOICES[i % len(CHOICES)],
                f"Lv{1 + i % 3}",
                en if i % 2 == 0 else "",
                EVIDENCE[i % len(EVIDENCE)],
                2 if i % 10 == 0 else None,
                "",
            ]
        )
    sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ensure_django() -> None:
    """A fresh data directory (SQLite unless DATABASE_URL is set), migrated; skipped when the
    calling benchmark has already set Django up."""
    from django.apps import apps

    if apps.ready:
        return
    os.environ.setdefault("RENKEI_DATA_DIR", tempfile.mkdtemp(prefix="renkei-bench-excel-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def _import_once(data: bytes, key: str) -> dict[str, Any]:
    from renkei.assessments.excel import checksheet
    from renkei.assessments.excel import reading as excel_reading
    from renkei.assessments.frameworks import services as framework_services
    from renkei.assessments.models import FrameworkOrigin

    t0 = time.perf_counter()
    book = excel_reading.read_book(data, filename="check-sheet.xlsx", max_bytes=50 * 2**20)
    t1 = time.perf_counter()
    sheet = book.sheets[0]
    header_row = checksheet.guess_header_row(sheet)
    assert header_row == 4, header_row
    guess = checksheet.guess_columns(sheet.row(header_row) or [])
    mapping = checksheet.ColumnMapping.from_dict(guess)
    levels = checksheet.column_levels(sheet, header_row, mapping.level)
    fields = checksheet.FrameworkFields(
        key=key, version="1", name_ja="ベンチマーク用チェックシート", levels_cumulative=checksheet.looks_cumulative(levels)
    )
    result = checksheet.check_sheet_spec(sheet, header_row=header_row, columns=mapping, fields=fields, filename="check-sheet.xlsx")
    assert result.ok and result.spec is not None, result.problems[:5]
    t2 = time.perf_counter()
    framework, _changed = framework_services.framework_install(user=None, spec=result.spec, origin=FrameworkOrigin.EXCEL)
    t3 = time.perf_counter()
    return {
        "read": t1 - t0,
        "spec": t2 - t1,
        "install": t3 - t2,
        "total": t3 - t0,
        "framework": framework,
        "book": book,
        "result": result,
    }


def run(questions: int = QUESTIONS, repeat: int = 5, memory: bool = True) -> dict[str, Any]:
    """Generate the sheet, import it `repeat` times into the database; returns the figures."""
    _ensure_django()
    from renkei.assessments.excel import reading as excel_reading
    from renkei.assessments.models import Question

    with tempfile.TemporaryDirectory(prefix="renkei-excel-") as folder:
        path = Path(folder) / f"check-sheet-{questions}.xlsx"
        t = time.perf_counter()
        path.write_bytes(generate(questions))
        generate_s = time.perf_counter() - t
        data = path.read_bytes()

    stamp = datetime.datetime.now().strftime("%H%M%S")
    runs = [_import_once(data, f"bench-excel-{stamp}-{i}") for i in range(repeat)]
    last = runs[-1]
    framework = last["framework"]
    stored = Question.objects.filter(framework=framework).count()
    assert stored == questions, stored
    assert framework.levels == ["Lv1", "Lv2", "Lv3"] and framework.levels_cumulative
    assert Question.objects.filter(framework=framework, ref="1-01").exists()

    book = last["book"]
    t = time.perf_counter()
    excel_reading.Book.from_json(orjson.loads(orjson.dumps(book.to_json())))
    json_roundtrip_s = time.perf_counter() - t

    figures: dict[str, Any] = {
        "excel_questions": questions,
        "excel_sections": last["result"].section_count,
        "excel_file_kb": round(len(data) / 1024, 1),
        "excel_generate_s": round(generate_s, 3),
        "excel_read_s": round(statistics.median(r["read"] for r in runs), 4),
        "excel_spec_s": round(statistics.median(r["spec"] for r in runs), 4),
        "excel_install_s": round(statistics.median(r["install"] for r in runs), 4),
        "excel_s": round(statistics.median(r["total"] for r in runs), 4),
        "excel_max_s": round(max(r["total"] for r in runs), 4),
        "excel_json_roundtrip_s": round(json_roundtrip_s, 4),
        "excel_repeat": repeat,
        "excel_types": dict(last["result"].types),
    }
    if memory:
        tracemalloc.start()
        try:
            _import_once(data, f"bench-excel-{stamp}-memory")
            figures["excel_peak_memory_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        finally:
            tracemalloc.stop()
    figures["excel_target_s"] = TARGET_S
    figures["excel_target_met"] = figures["excel_s"] <= TARGET_S
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.assessments.excel_import", description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=int, default=QUESTIONS)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    args = ap.parse_args(argv)
    figures = run(questions=args.questions, repeat=args.repeat, memory=not args.no_memory)
    from django.db import connection

    figures.update(
        database=connection.vendor,
        max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        date=datetime.date.today().isoformat(),
    )
    rows = [
        ("check sheet", f"{figures['excel_questions']:,} questions, {figures['excel_sections']} sections, {figures['excel_file_kb']} KB"),
        ("read workbook (read_book)", f"{figures['excel_read_s']:.3f} s"),
        ("map columns + check rows + spec", f"{figures['excel_spec_s']:.3f} s"),
        ("store (framework_install)", f"{figures['excel_install_s']:.3f} s"),
        (f"total, median of {figures['excel_repeat']} (target ≤ {TARGET_S:g} s)", f"{figures['excel_s']:.3f} s"),
        ("slowest run", f"{figures['excel_max_s']:.3f} s"),
        ("wizard JSON round trip of the rows", f"{figures['excel_json_roundtrip_s']:.3f} s"),
        ("peak memory (tracemalloc, one import)", f"{figures.get('excel_peak_memory_mb', '—')} MB"),
        ("database", figures["database"]),
    ]
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"target: {'met' if figures['excel_target_met'] else 'MISSED'}")
    print(orjson.dumps(figures).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
