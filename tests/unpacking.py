"""Work an untrusted-workbook check does, counted instead of timed (no tests here).

`count_unpacking()` wraps the zip reader and openpyxl for the block: `unpacked_bytes` is every byte
read out of a zip member (decompressed; a read that `peek` or `readline` make through `read` may be
counted twice, so it is an upper bound), and `workbook_opened` says whether openpyxl was asked to open
the file. A zip bomb refused "without unpacking" is one refused with a few kilobytes read at most
and openpyxl never called, whatever the machine's speed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest


@dataclass
class Unpacking:
    unpacked_bytes: int = 0
    workbook_opened: bool = False


@contextmanager
def count_unpacking() -> Iterator[Unpacking]:
    seen = Unpacking()
    read, read1, load_workbook = zipfile.ZipExtFile.read, zipfile.ZipExtFile.read1, openpyxl.load_workbook

    def counted_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = read(self, n)
        seen.unpacked_bytes += len(data)
        return data

    def counted_read1(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = read1(self, n)
        seen.unpacked_bytes += len(data)
        return data

    def counted_load_workbook(*args: Any, **kwargs: Any) -> Any:
        seen.workbook_opened = True
        return load_workbook(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zipfile.ZipExtFile, "read", counted_read)
        patch.setattr(zipfile.ZipExtFile, "read1", counted_read1)
        patch.setattr(openpyxl, "load_workbook", counted_load_workbook)
        yield seen
