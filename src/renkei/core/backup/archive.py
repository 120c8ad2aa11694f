"""The backup archive: one tar file (gzip by default) with a manifest, written and read in one pass.

Layout, in this order:
  manifest.json     what the archive holds: version, time, database engine, migrations, and every
                    file with its size and SHA-256. First, so a restore refuses early and streams.
  manifest.sha256   the SHA-256 of manifest.json: a damaged manifest is caught like a damaged file.
  database/…, keys.json, media/…   the files the manifest lists, nothing else.

No database and no settings here: the services call it on plain files, and a reader needs only
Python's tarfile to look inside. Reading never trusts the archive: only regular files the manifest
lists are taken, each name passes tarfile's `data` filter (no absolute path, no "..", no link or
device), and a file is written only inside the staging directory, owner-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from renkei.core.errors import RenkeiError

FORMAT = "renkei-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


def bilingual(ja: str, en: str) -> str:
    """Operator messages carry both languages: they are read on a server console, whatever its LANG."""
    return f"{ja}\n{en}"


def damaged(detail: str = "") -> RenkeiError:
    return RenkeiError(
        bilingual(
            f"バックアップファイルが壊れているか、途中で切れています。復元は行っていません。{detail}",
            f"The backup file is damaged or truncated; nothing was restored. {detail}".rstrip(),
        )
    )


@dataclass(frozen=True)
class Entry:
    """A file to put into the archive under `name`, read from `source`."""

    name: str
    source: Path


def sha256_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def tree_entries(root: Path, prefix: str) -> Iterator[Entry]:
    """Every regular file under `root`, named `prefix/relative/path`, in a stable order. Symbolic
    links are left out: the restore would refuse them, and they may point anywhere."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_file() and not path.is_symlink():
                yield Entry(f"{prefix}/{path.relative_to(root).as_posix()}", path)


class _HashingReader:
    """Hands tarfile the bytes of a file while hashing them, so what went in is what was checked."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_archive(
    out: IO[bytes], manifest: dict[str, Any], entries: list[Entry], *, compress: bool
) -> dict[str, Any]:
    """Write the archive to `out`: the manifest (with the file list added) first, then the files.

    Files are hashed before writing (the manifest comes first) and again while written; a file that
    changed in between fails the backup instead of producing an archive its restore would refuse."""
    files = []
    for entry in entries:
        size, digest = sha256_file(entry.source)
        files.append({"path": entry.name, "size": size, "sha256": digest})
    manifest = {**manifest, "format": FORMAT, "files": files}
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    mode = "w|gz" if compress else "w|"
    with tarfile.open(fileobj=out, mode=mode, format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
        now = manifest.get("created_at", {}).get("epoch", 0)
        for name, data in ((MANIFEST, body), (MANIFEST_SUM, hashlib.sha256(body).hexdigest().encode())):
            tar.addfile(_info(name, len(data), now), _BytesReader(data))
        for entry, listed in zip(entries, files, strict=True):
            with entry.source.open("rb") as fh:
                reader = _HashingReader(fh)
                tar.addfile(_info(entry.name, listed["size"], entry.source.stat().st_mtime), reader)  # type: ignore[arg-type]
            if reader.digest.hexdigest() != listed["sha256"]:
                raise RenkeiError(
                    bilingual(
                        f"バックアップ中にファイル {entry.name} が変更されました。もう一度実行してください。",
                        f"The file {entry.name} changed during the backup; run it again.",
                    )
                )
    return manifest


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        chunk, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return chunk


# --- reading ------------------------------------------------------------------------------------

# What a damaged or cut-off stream raises from inside tarfile, gzip and zlib.
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError)


def _safe_name(member: tarfile.TarInfo, staging: Path) -> str:
    """The member's name if it is a plain file the `data` filter accepts; refuse anything else."""
    if not member.isreg():
        raise damaged(f"({member.name!r}: not a regular file / 通常のファイルではありません)")
    try:
        tarfile.data_filter(member, str(staging))
    except tarfile.FilterError as exc:
        raise damaged(f"({member.name!r}: {exc})") from exc
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise damaged(f"({member.name!r})")
    return path.as_posix()


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    fh = tar.extractfile(member)
    if fh is None:
        raise damaged(f"({member.name!r})")
    return fh.read()


def _next_named(tar: tarfile.TarFile, staging: Path, name: str) -> bytes:
    """The next member, which must be `name`; read now, as a stream cannot seek back to it."""
    member = tar.next()
    if member is None or member.name != name:
        raise RenkeiError(
            bilingual(
                "Renkei のバックアップファイルではありません（先頭に manifest.json がありません）。",
                "This is not a Renkei backup file (no manifest.json at its start).",
            )
        )
    _safe_name(member, staging)
    if member.size > MAX_MANIFEST_BYTES:
        raise damaged(f"({name})")
    return _read_member(tar, member)


def _read_manifest(tar: tarfile.TarFile, staging: Path) -> dict[str, Any]:
    body = _next_named(tar, staging, MANIFEST)
    expected = _next_named(tar, staging, MANIFEST_SUM).decode("ascii").strip()
    if hashlib.sha256(body).hexdigest() != expected:
        raise damaged("(manifest.json: SHA-256)")
    manifest = json.loads(body)
    found = manifest.get("format") if isinstance(manifest, dict) else None
    if found != FORMAT:
        raise RenkeiError(
            bilingual(
                f"対応していない形式のバックアップです（{found!r}）。",
                f"Unsupported backup format {found!r}; expected {FORMAT}.",
            )
        )
    return manifest


def read_archive(source: IO[bytes], staging: Path, check: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Unpack the archive into `staging` (an empty directory) and return its manifest.

    `check` sees the manifest before any file is unpacked and raises to refuse the archive. Every
    file is checked against the manifest (size and SHA-256) and every listed file must be present,
    so a damaged, cut-off or altered archive is refused; the caller then removes `staging`."""
    try:
        with tarfile.open(fileobj=source, mode="r|*") as tar:  # type: ignore[call-overload]
            manifest = _read_manifest(tar, staging)
            check(manifest)
            expected = {f["path"]: f for f in manifest["files"]}
            seen: set[str] = set()
            while (member := tar.next()) is not None:  # iterating the TarFile would start over
                name = _safe_name(member, staging)
                listed = expected.get(name)
                if listed is None or name in seen:
                    raise damaged(f"({name}: not in the manifest / 目録にないファイル)")
                seen.add(name)
                _unpack(tar, member, staging / name, listed)
    except RenkeiError:
        raise
    except (*_READ_ERRORS, ValueError, KeyError, TypeError) as exc:
        raise damaged(f"({type(exc).__name__}: {exc})") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise damaged(f"({len(missing)} files missing / {len(missing)} 個のファイルが不足: {missing[0]} …)")
    return manifest


def _unpack(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, listed: dict[str, Any]) -> None:
    fh = tar.extractfile(member)
    if fh is None:
        raise damaged(f"({member.name!r})")
    digest, size = hashlib.sha256(), 0
    try:
        for parent in reversed(
            target.parents
        ):  # owner-only at every level (mkdir's mode covers only the last)
            if not parent.exists():
                parent.mkdir(mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := fh.read(CHUNK):  # a read error is a damaged archive (caught by read_archive)
                digest.update(chunk)
                size += len(chunk)
                _write(out, chunk, target)
    except PermissionError as exc:
        raise _cannot_write(target, exc) from exc
    if size != listed["size"] or digest.hexdigest() != listed["sha256"]:
        raise damaged(f"({member.name}: SHA-256)")


def _cannot_write(target: Path, exc: OSError) -> RenkeiError:
    return RenkeiError(
        bilingual(
            f"{target} に書き込めません（{exc.strerror}）。ディスクの空きと権限を確認してください。復元は行っていません。",
            f"Cannot write {target} ({exc.strerror}); check free space and permissions. Nothing was restored.",
        )
    )


def _write(out: IO[bytes], chunk: bytes, target: Path) -> None:
    # Told apart from read errors: a full disk is not a damaged archive.
    try:
        out.write(chunk)
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
