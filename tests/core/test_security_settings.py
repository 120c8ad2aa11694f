"""The documented production settings pass Django's deployment checks, and a fresh data directory,
its secret key, its SQLite database and uploaded files are owner-only."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def documented_production_env() -> dict[str, str]:
    """The `export` lines of the "Production settings" block of docs/operations.md."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("## Production settings", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    values = dict(re.findall(r'^export (\w+)="?(.*?)"?$', block, flags=re.M))
    # The placeholder of the secret key is replaced by a real random key, as the text says.
    values["RENKEI_SECRET_KEY"] = secrets.token_urlsafe(50)
    return values


def renkei(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Not the test process's own settings, nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (set in
    # this worker when it also ran them): a production server has neither.
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_") and k not in skip}
    command = [sys.executable, "-m", "renkei.cli", "manage", *args]
    return subprocess.run(command, env={**base, **env}, capture_output=True, text=True, timeout=300, check=False)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    env = {**documented_production_env(), "RENKEI_DATA_DIR": str(tmp_path / "data")}
    assert env["RENKEI_SECURE_COOKIES"] == "true"
    done = renkei("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr
    shown = renkei(
        "shell", "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)",
        env=env,
    )
    assert shown.stdout.splitlines()[-1].split() == ["31536000", "True", "True"], shown.stderr


def test_the_development_defaults_are_flagged_by_check_deploy(tmp_path):
    # Without the production block the same check names what is missing (so the test above means something).
    done = renkei("check", "--deploy", "--fail-level", "WARNING", env={"RENKEI_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr + done.stdout


def test_a_new_data_directory_and_its_files_are_owner_only(tmp_path):
    data = tmp_path / "data"
    old_umask = os.umask(0o022)  # a usual umask, which alone would leave them readable by everyone
    try:
        done = renkei("migrate", "--noinput", env={"RENKEI_DATA_DIR": str(data)})
    finally:
        os.umask(old_umask)
    assert done.returncode == 0, done.stderr[-2000:]
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "renkei.sqlite3") == 0o600
    # While the database is open in WAL mode, SQLite's journal files take the database file's mode.
    old_umask = os.umask(0o022)
    connection = sqlite3.connect(data / "renkei.sqlite3")
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE probe (x)")
        connection.commit()
        for journal in ("renkei.sqlite3-wal", "renkei.sqlite3-shm"):
            assert mode(data / journal) == 0o600, journal
    finally:
        connection.close()
        os.umask(old_umask)


def test_an_existing_readable_data_directory_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "renkei.sqlite3").touch(mode=0o644)
    data.chmod(0o755)
    (data / "renkei.sqlite3").chmod(0o644)
    done = renkei("check", env={"RENKEI_DATA_DIR": str(data), "RENKEI_SECRET_KEY": "x"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert mode(data) == 0o700
    assert mode(data / "renkei.sqlite3") == 0o600


def test_uploaded_files_and_their_folders_are_owner_only(settings, tmp_path):
    # The storage every FileField uses, with the project's permissions (settings.FILE_UPLOAD_*).
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("evidence/2026/12/report.pdf", ContentFile(b"%PDF-1.7 evidence"))
    path = Path(storage.path(name))
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(tmp_path / "media" / "evidence") == 0o700
