"""The Japanese catalogue is complete: every translatable string of the code has a Japanese text."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "renkei"
PO_FILE = PACKAGE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def _extracted_msgids(tmp_path: Path) -> set[str]:
    """Run makemessages on a copy of the package, so the committed catalogue is left untouched."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "renkei"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "migrations"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "renkei.settings"},
    )
    extracted = polib.pofile(str(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    return {e.msgid for e in extracted if e.msgid}


def test_every_string_has_a_japanese_translation(tmp_path: Path) -> None:
    catalogue = polib.pofile(str(PO_FILE))
    translated = {e.msgid for e in catalogue if e.msgstr or any(e.msgstr_plural.values())}
    fuzzy = sorted(e.msgid for e in catalogue if "fuzzy" in e.flags)
    missing = sorted(_extracted_msgids(tmp_path) - translated)
    assert not fuzzy, f"fuzzy entries in the Japanese catalogue: {fuzzy[:20]}"
    assert not missing, f"{len(missing)} strings without Japanese text, e.g. {missing[:20]}"


def test_compiled_catalogue_matches_the_source() -> None:
    catalogue = polib.pofile(str(PO_FILE))
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        e.msgid
        for e in catalogue
        if e.msgid and e.msgstr and not e.msgid_plural and not e.msgctxt and compiled.gettext(e.msgid) != e.msgstr
    ]
    assert not stale, f"django.mo is out of date (run `renkei manage compilemessages`): {stale[:10]}"


def test_pages_speak_japanese_by_default(client, db) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert "ログイン" in body
