"""Backup and restore of a whole installation: the database, the uploaded files (MEDIA_ROOT) and
the keys, in one archive (archive.py describes its layout). `renkei backup` and `renkei restore`
(core/management/commands/) call these two functions.

A restore goes into the same kind of database the backup came from, and only into an empty target
(no table in the database, no file under MEDIA_ROOT) unless `force`. Everything is unpacked and
checked in a staging directory first; only a complete, intact archive touches the target.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.utils import timezone

import renkei
from renkei.core.backup import database
from renkei.core.backup.archive import Entry, bilingual, damaged, read_archive, tree_entries, write_archive
from renkei.core.backup.keys import KEYS_FILE, keys_restore, keys_snapshot
from renkei.core.errors import RenkeiError

JST = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class Target:
    """Where a restore writes: the database settings, MEDIA_ROOT and the data directory."""

    database: Mapping[str, Any]
    media_root: Path
    data_dir: Path

    @classmethod
    def from_settings(cls) -> Target:
        return cls(
            database=dict(settings.DATABASES["default"]),
            media_root=Path(settings.MEDIA_ROOT),
            data_dir=Path(settings.DATA_DIR),
        )

    @property
    def engine(self) -> str:
        return database.engine_of(dict(self.database))


@dataclass
class BackupResult:
    path: Path | None  # None when written to standard output
    size: int
    files: int
    seconds: float
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    files: int
    seconds: float
    migrations_to_apply: int
    warnings: list[str] = field(default_factory=list)


def _leak_key() -> str:
    # Read like incidents.leaks.services.leak_key (core imports no app): setting, then environment.
    return str(getattr(settings, "RENKEI_LEAK_KEY", "") or os.environ.get("RENKEI_LEAK_KEY", ""))


def default_name(now: datetime, *, compress: bool) -> str:
    return f"renkei-backup-{now.astimezone(JST):%Y%m%d-%H%M%S}.tar{'.gz' if compress else ''}"


def _destination(destination: str | Path, now: datetime, *, compress: bool) -> Path | None:
    if str(destination) == "-":
        return None
    path = Path(destination)
    if path.is_dir():
        path = path / default_name(now, compress=compress)
    if path.exists():
        raise RenkeiError(
            bilingual(f"{path} は既に存在します。", f"{path} already exists; choose another name.")
        )
    if not path.parent.is_dir():
        raise RenkeiError(
            bilingual(f"フォルダ {path.parent} がありません。", f"The folder {path.parent} does not exist.")
        )
    return path


def backup_create(*, destination: str | Path, compress: bool = True, alias: str = "default") -> BackupResult:
    """Write one archive of the database, MEDIA_ROOT and the keys to `destination` (a file, a
    directory to name it in, or "-" for standard output). The file is created owner-only (0600)
    under a temporary name and renamed when complete, so a cut-off run leaves no plausible archive."""
    started = time.monotonic()
    connection = connections[alias]
    engine = database.engine_of(connection.settings_dict)
    now = timezone.now()
    path = _destination(destination, now, compress=compress)
    # The dump is as large as the database: next to the archive, not on a possibly small /tmp.
    with tempfile.TemporaryDirectory(prefix=".renkei-backup-", dir=path.parent if path else None) as tmp:
        dump = Path(tmp) / "database"
        if engine == database.SQLITE:
            db_info = database.dump_sqlite(connection, dump)
        else:
            db_info = database.dump_postgresql(connection, dump)
        keys = keys_snapshot(
            secret_key=settings.SECRET_KEY,
            leak_key=_leak_key(),
            environ=os.environ,
            data_dir=Path(settings.DATA_DIR),
        )
        keys_path = Path(tmp) / KEYS_FILE
        with os.fdopen(os.open(keys_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            fh.write(json.dumps(keys, ensure_ascii=False, indent=2))
        media = list(tree_entries(Path(settings.MEDIA_ROOT), "media"))
        entries = [Entry(database.DUMP_NAMES[engine], dump), Entry(KEYS_FILE, keys_path), *media]
        manifest = {
            "product": "Renkei",
            "version": renkei.__version__,
            "created_at": {
                "utc": now.isoformat(),
                "jst": now.astimezone(JST).isoformat(),
                "epoch": int(now.timestamp()),
            },
            "database": {**db_info, "file": database.DUMP_NAMES[engine]},
            "migrations": database.migration_state(connection),
            "keys": {
                "file": KEYS_FILE,
                "secret_key_from": keys["secret_key_from"],
                "leak_key_from": keys["leak_key_from"],
            },
            "media_files": len(media),
        }
        if path is None:
            manifest = write_archive(sys.stdout.buffer, manifest, entries, compress=compress)
            sys.stdout.buffer.flush()
            size = 0
        else:
            manifest = _write_file(path, manifest, entries, compress=compress)
            size = path.stat().st_size
    return BackupResult(
        path=path, size=size, files=len(entries), seconds=time.monotonic() - started, manifest=manifest
    )


def _write_file(
    path: Path, manifest: dict[str, Any], entries: list[Entry], *, compress: bool
) -> dict[str, Any]:
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            written = write_archive(out, manifest, entries, compress=compress)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


# --- restore ------------------------------------------------------------------------------------


def _target_is_empty(target: Target) -> tuple[bool, bool]:
    """(database empty, MEDIA_ROOT without files)."""
    if target.engine == database.SQLITE:
        db_empty = database.sqlite_is_empty(Path(target.database["NAME"]))
    else:
        db_empty = database.postgresql_is_empty(dict(target.database))
    media_empty = (
        not any(p.is_file() or p.is_symlink() for p in target.media_root.rglob("*"))
        if target.media_root.exists()
        else True
    )
    return db_empty, media_empty


def _check(manifest: dict[str, Any], target: Target, *, force: bool) -> None:
    """Refuse, before anything is unpacked, an archive this server cannot take or a target in use."""
    engine = manifest.get("database", {}).get("engine")
    if engine != target.engine:
        raise RenkeiError(
            bilingual(
                f"このバックアップは {engine} のものです。{target.engine} には復元できません"
                "（同じ種類のデータベースにのみ復元できます）。",
                f"This backup is of a {engine} database; it cannot be restored into {target.engine} "
                "(restore into the same kind of database).",
            )
        )
    listed = {f.get("path") for f in manifest.get("files", [])}
    if manifest["database"].get("file") not in listed or KEYS_FILE not in listed:
        raise damaged("(manifest.json: database / keys)")
    unknown = database.unknown_migrations(manifest.get("migrations", {}))
    if unknown:
        version = manifest.get("version", "?")
        raise RenkeiError(
            bilingual(
                f"このバックアップは新しいバージョンの Renkei（{version}）で作成されています。"
                f"Renkei {version} 以上に更新してから復元してください。未知のマイグレーション: {', '.join(unknown[:3])}",
                f"This backup was made by a newer Renkei ({version}) whose database schema this version does not know "
                f"({', '.join(unknown[:3])}); upgrade to {version} or newer, then restore.",
            )
        )
    if force:
        return
    db_empty, media_empty = _target_is_empty(target)
    if not (db_empty and media_empty):
        where = [] if db_empty else [str(target.database.get("NAME"))]
        where += [] if media_empty else [str(target.media_root)]
        raise RenkeiError(
            bilingual(
                f"復元先が空ではありません（{', '.join(where)}）。上書きする場合は --force を付けてください。",
                f"The target is not empty ({', '.join(where)}); add --force to replace its contents.",
            )
        )


def _replace_media(staged: Path, media_root: Path) -> None:
    """Empty MEDIA_ROOT (only reached when it holds no files, or with --force) and move the restored
    files in; MEDIA_ROOT itself stays, as it may be a mount point."""
    media_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if staged.is_dir():
        for child in staged.iterdir():
            shutil.move(str(child), str(media_root / child.name))
    media_root.chmod(0o700)
    for dirpath, dirnames, filenames in os.walk(media_root):
        for name in dirnames:
            (Path(dirpath) / name).chmod(0o700)
        for name in filenames:
            (Path(dirpath) / name).chmod(0o600)


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise RenkeiError(
            bilingual(f"{path} を開けません: {exc.strerror}", f"Cannot open {path}: {exc.strerror}")
        ) from exc


def backup_restore(*, source: str | Path, target: Target | None = None, force: bool = False) -> RestoreResult:
    """Restore an archive into the configured (or given) database, MEDIA_ROOT and data directory.

    The archive is refused with nothing written when it is damaged, truncated, of another database
    engine or of a newer schema, or when the target is not empty and `force` is not given."""
    started = time.monotonic()
    if target is None:
        target = Target.from_settings()
        connections.close_all()  # nothing of ours may hold the target open while it is replaced
    target.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.ExitStack() as stack:
        stream = sys.stdin.buffer if str(source) == "-" else stack.enter_context(_open(Path(source)))
        staging = Path(tempfile.mkdtemp(prefix=".renkei-restore-", dir=target.data_dir))
        stack.callback(shutil.rmtree, staging, ignore_errors=True)
        manifest = read_archive(stream, staging, lambda m: _check(m, target, force=force))
        keys = json.loads((staging / KEYS_FILE).read_text())
        dump = staging / manifest["database"]["file"]
        if target.engine == database.SQLITE:
            database.restore_sqlite(dump, Path(target.database["NAME"]))
        else:
            database.restore_postgresql(dump, dict(target.database), clean=force)
        _replace_media(staging / "media", target.media_root)
        warnings = keys_restore(keys, environ=os.environ, leak_key=_leak_key(), data_dir=target.data_dir)
    return RestoreResult(
        manifest=manifest,
        files=len(manifest["files"]),
        seconds=time.monotonic() - started,
        migrations_to_apply=database.missing_migrations(manifest.get("migrations", {})),
        warnings=warnings,
    )
