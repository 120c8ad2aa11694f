"""A restore refuses, with nothing written, an archive that is damaged, cut off, unsafe, of a newer
schema or of another database engine, and a target that is in use unless --force; and it says which
keys differ from the backup's. The archives are built here from plain files (no database needed)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest

from renkei.core.backup.archive import Entry, tree_entries, write_archive
from renkei.core.backup.keys import keys_restore
from renkei.core.backup.services import Target, backup_restore
from renkei.core.errors import RenkeiError

EVIDENCE = os.urandom(256 * 1024)  # incompressible, so a flipped byte in the .gz lands in a file
KEYS = {
    "secret_key": "old host secret",
    "secret_key_from": "data directory",
    "leak_key": "",
    "leak_key_from": "derived",
}


def make_archive(
    tmp_path: Path, *, compress: bool = False, migrations: dict[str, list[str]] | None = None
) -> Path:
    source = tmp_path / "source"
    (source / "media" / "evidence" / "1").mkdir(parents=True)
    (source / "media" / "evidence" / "1" / "設定画面.pdf").write_bytes(EVIDENCE)
    (source / "media" / "sboms").mkdir()
    (source / "media" / "sboms" / "pos.cdx.json").write_text('{"bomFormat": "CycloneDX"}')
    db = sqlite3.connect(source / "renkei.sqlite3")
    db.execute("CREATE TABLE party (name TEXT)")
    db.execute("INSERT INTO party VALUES ('あけぼの印刷株式会社')")
    db.commit()
    db.close()
    (source / "keys.json").write_text(json.dumps(KEYS))
    media = list(tree_entries(source / "media", "media"))
    entries = [
        Entry("database/renkei.sqlite3", source / "renkei.sqlite3"),
        Entry("keys.json", source / "keys.json"),
        *media,
    ]
    manifest = {
        "version": "0.1.0",
        "created_at": {
            "utc": "2026-12-07T09:00:00+00:00",
            "jst": "2026-12-07T18:00:00+09:00",
            "epoch": 1796634000,
        },
        "database": {"engine": "sqlite", "file": "database/renkei.sqlite3"},
        "migrations": migrations or {},
        "media_files": len(media),
    }
    archive = tmp_path / ("backup.tar.gz" if compress else "backup.tar")
    with archive.open("wb") as out:
        write_archive(out, manifest, entries, compress=compress)
    return archive


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Target:
    """An empty data directory on the host we restore to, its secret key not in the environment."""
    monkeypatch.delenv("RENKEI_SECRET_KEY", raising=False)
    settings.RENKEI_LEAK_KEY = ""
    data_dir = tmp_path / "new-host"
    data_dir.mkdir()
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir / "renkei.sqlite3")}
    return Target(database=sqlite, media_root=data_dir / "media", data_dir=data_dir)


def listing(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def refused(archive: Path, host: Target, *, force: bool = False) -> str:
    before = listing(host.data_dir)
    with pytest.raises(RenkeiError) as caught:
        backup_restore(source=archive, target=host, force=force)
    assert listing(host.data_dir) == before, "a refused restore wrote something"
    assert not [p for p in host.data_dir.iterdir() if p.name.startswith(".renkei-restore-")]
    return str(caught.value)


@pytest.mark.parametrize("compress", [False, True])
def test_an_intact_archive_restores_into_an_empty_data_directory(
    tmp_path: Path, host: Target, compress: bool
) -> None:
    result = backup_restore(source=make_archive(tmp_path, compress=compress), target=host)
    assert result.files == 4 and result.warnings == []
    db = sqlite3.connect(host.data_dir / "renkei.sqlite3")
    assert db.execute("SELECT name FROM party").fetchall() == [("あけぼの印刷株式会社",)]
    db.close()
    assert (host.media_root / "evidence" / "1" / "設定画面.pdf").read_bytes() == EVIDENCE
    assert (host.data_dir / "secret_key").read_text() == KEYS["secret_key"]
    for path in (host.data_dir / "renkei.sqlite3", host.data_dir / "secret_key", *host.media_root.rglob("*")):
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"


@pytest.mark.parametrize("compress", [False, True])
def test_a_flipped_byte_is_refused_and_nothing_is_written(
    tmp_path: Path, host: Target, compress: bool
) -> None:
    archive = make_archive(tmp_path, compress=compress)
    data = bytearray(archive.read_bytes())
    position = data.find(EVIDENCE[:512]) + 100_000 if not compress else len(data) // 2
    data[position] ^= 0x01
    archive.write_bytes(bytes(data))
    message = refused(archive, host)
    assert "壊れているか" in message and "damaged or truncated" in message


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("cut", ["inside a file", "after a whole file"])
def test_a_truncated_archive_is_refused_and_nothing_is_written(
    tmp_path: Path, host: Target, compress: bool, cut: str
) -> None:
    archive = make_archive(tmp_path, compress=compress)
    data = archive.read_bytes()
    if cut == "inside a file":
        end = len(data) * 2 // 3
    else:  # at a member boundary: tar itself sees a shorter but well-formed archive
        plain = make_archive(tmp_path / "plain")
        with tarfile.open(plain) as tar:
            end = tar.getmembers()[-1].offset
        data = plain.read_bytes()
        if compress:
            data = gzip.compress(data[:end])
            end = len(data)
    archive.write_bytes(data[:end])
    message = refused(archive, host)
    assert "damaged or truncated" in message


def test_a_backup_of_a_newer_schema_is_refused(tmp_path: Path, host: Target) -> None:
    archive = make_archive(tmp_path, migrations={"core": ["0001_initial", "9999_from_a_newer_version"]})
    message = refused(archive, host)
    assert (
        "新しいバージョン" in message
        and "newer Renkei" in message
        and "core.9999_from_a_newer_version" in message
    )


def test_a_backup_of_sqlite_is_not_restored_into_postgresql(tmp_path: Path, host: Target) -> None:
    postgres = Target(
        database={"ENGINE": "django.db.backends.postgresql", "NAME": "renkei"},
        media_root=host.media_root,
        data_dir=host.data_dir,
    )
    assert "cannot be restored into postgresql" in refused(make_archive(tmp_path), postgres)


def test_a_target_in_use_is_refused_unless_forced(tmp_path: Path, host: Target) -> None:
    archive = make_archive(tmp_path)
    (host.media_root / "old").mkdir(parents=True)
    (host.media_root / "old" / "kept.pdf").write_bytes(b"%PDF uploaded here before")
    message = refused(archive, host)
    assert "--force" in message and str(host.media_root) in message

    db = sqlite3.connect(host.data_dir / "renkei.sqlite3")
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    assert "renkei.sqlite3" in refused(archive, host)

    backup_restore(source=archive, target=host, force=True)
    assert sorted(listing(host.media_root)) == ["evidence/1/設定画面.pdf", "sboms/pos.cdx.json"]
    db = sqlite3.connect(host.data_dir / "renkei.sqlite3")
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["party"]
    db.close()


def _hand_made(tmp_path: Path, member: tarfile.TarInfo, content: bytes = b"") -> Path:
    """An archive whose manifest lists `member` with the right checksum: only the name or kind is bad."""
    listed = {"path": member.name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    # The database and keys are listed (so the manifest passes) but never reached: the bad member comes first.
    others = [
        {"path": name, "size": 0, "sha256": hashlib.sha256(b"").hexdigest()}
        for name in ("database/x", "keys.json")
    ]
    manifest = json.dumps(
        {
            "format": "renkei-backup/1",
            "database": {"engine": "sqlite", "file": "database/x"},
            "files": [listed, *others],
        }
    ).encode()
    archive = tmp_path / "hand-made.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in (
            ("manifest.json", manifest),
            ("manifest.sha256", hashlib.sha256(manifest).hexdigest().encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        member.size = len(content) if member.isreg() else 0
        tar.addfile(member, io.BytesIO(content) if member.isreg() else None)
    return archive


def _symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


@pytest.mark.parametrize(
    "member",
    [
        tarfile.TarInfo("media/../../escaped.txt"),
        tarfile.TarInfo("/renkei-restore-absolute.txt"),
        _symlink("media/link", "/etc/passwd"),
    ],
    ids=["dot-dot", "absolute", "symlink"],
)
def test_unsafe_members_are_refused(tmp_path: Path, host: Target, member: tarfile.TarInfo) -> None:
    archive = _hand_made(tmp_path, member, b"written outside?")
    message = refused(archive, host)
    assert "damaged or truncated" in message and repr(member.name) in message
    assert not (tmp_path / "escaped.txt").exists() and not Path("/renkei-restore-absolute.txt").exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, host: Target) -> None:
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(make_archive(tmp_path), arcname="backup.tar")
    assert "not a Renkei backup" in refused(other, host)
    (tmp_path / "notes.txt").write_text("not an archive")
    assert "damaged or truncated" in refused(tmp_path / "notes.txt", host)


def test_the_restore_names_each_key_that_differs_from_the_backup(tmp_path: Path) -> None:
    with_leak_key = {**KEYS, "leak_key": "kept in the password safe", "leak_key_from": "environment"}
    assert (
        keys_restore(with_leak_key, environ={}, leak_key="kept in the password safe", data_dir=tmp_path) == []
    )
    (warning,) = keys_restore(with_leak_key, environ={}, leak_key="", data_dir=tmp_path)
    assert "RENKEI_LEAK_KEY" in warning and "cannot be attributed" in warning and "keys.json" in warning
    (warning,) = keys_restore(KEYS, environ={"RENKEI_SECRET_KEY": "another"}, leak_key="", data_dir=tmp_path)
    assert "RENKEI_SECRET_KEY" in warning and "leaked files cannot be attributed" in warning
    (warning,) = keys_restore(KEYS, environ={}, leak_key="set on the new host", data_dir=tmp_path)
    assert "Unset it" in warning
