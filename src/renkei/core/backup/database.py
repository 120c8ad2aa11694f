"""Dumping and restoring the database, per engine, and the migration state a backup records.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while the
server keeps writing (WAL included). PostgreSQL: `pg_dump --format=custom` and `pg_restore`, which
must be on PATH with a major version at least the server's. Restores go into the same engine.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from renkei.core.backup.archive import bilingual
from renkei.core.errors import RenkeiError

SQLITE, POSTGRESQL = "sqlite", "postgresql"
DUMP_NAMES = {SQLITE: "database/renkei.sqlite3", POSTGRESQL: "database/renkei.pgdump"}
PG_TIMEOUT = 6 * 3600


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise RenkeiError(
        bilingual(
            f"このデータベース（{engine}）のバックアップには対応していません。",
            f"Backups of {engine} are not supported.",
        )
    )


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """The applied migrations, per app: what the restore compares with the code it runs."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def unknown_migrations(state: dict[str, list[str]]) -> list[str]:
    """Migrations the backup's database had that this version of the code does not know."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}" for app, names in sorted(state.items()) for name in names if (app, name) not in known
    ]


def missing_migrations(state: dict[str, list[str]]) -> int:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    applied = {(app, name) for app, names in state.items() for name in names}
    return len(set(known) - applied)


# --- SQLite -------------------------------------------------------------------------------------


def dump_sqlite(connection: BaseDatabaseWrapper, dest: Path) -> dict[str, Any]:
    """Copy the live database through the server's own connection with the online backup API."""
    connection.ensure_connection()
    raw = connection.connection
    out = sqlite3.connect(dest)
    try:
        raw.backup(out)  # all pages in one step: one consistent snapshot
    finally:
        out.close()
    return {"engine": SQLITE, "server_version": sqlite3.sqlite_version}


def sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    except sqlite3.DatabaseError:
        return False  # not a database we can read: certainly not an empty target to write over
    finally:
        conn.close()


def restore_sqlite(staged: Path, target: Path) -> None:
    """Check the unpacked copy, then copy it over the target page by page (the backup API again), so
    a target left with a -wal file is replaced consistently rather than mixed with its old journal."""
    source = sqlite3.connect(f"{staged.as_uri()}?mode=ro", uri=True)
    try:
        result = source.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise RenkeiError(
                bilingual(
                    f"バックアップ内のデータベースが壊れています（{result}）。",
                    f"The database in the backup is damaged ({result}).",
                )
            )
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        out = sqlite3.connect(target)
        try:
            source.backup(out)
        finally:
            out.close()
    finally:
        source.close()
    target.chmod(0o600)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the client tools; the password goes in the environment, not argv."""
    args = ["--dbname", str(settings_dict["NAME"])]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    if sslmode := (settings_dict.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RenkeiError(
            bilingual(
                f"{name} が見つかりません。PostgreSQL のクライアント（サーバーと同じかそれ以上のメジャーバージョン）を"
                "インストールしてください。",
                f"{name} was not found on PATH; install the PostgreSQL client tools (the server's major version or newer).",
            )
        )
    return path


def tool_version(name: str) -> str:
    done = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False, timeout=60)
    return done.stdout.strip()


def _major(version_text: str) -> int | None:
    match = re.search(r"\(PostgreSQL\)\s*(\d+)", version_text) or re.search(r"(\d+)", version_text)
    return int(match.group(1)) if match else None


def dump_postgresql(connection: BaseDatabaseWrapper, dest: Path) -> dict[str, Any]:
    connection.ensure_connection()
    server = int(connection.pg_version)  # type: ignore[attr-defined]
    server_major = server // 10000
    client = tool_version("pg_dump")
    client_major = _major(client) or 0
    if client_major < server_major:
        raise RenkeiError(
            bilingual(
                f"pg_dump（{client}）がサーバー（PostgreSQL {server_major}）より古いため、バックアップできません。"
                f"PostgreSQL {server_major} 以上のクライアントを入れてください。",
                f"pg_dump ({client}) is older than the server (PostgreSQL {server_major}); install client tools "
                f"of version {server_major} or newer.",
            )
        )
    args, env = _pg_args(connection.settings_dict)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dest), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=PG_TIMEOUT)
    if done.returncode != 0:
        raise RenkeiError(
            bilingual("pg_dump が失敗しました:", "pg_dump failed:") + "\n" + done.stderr.strip()[-2000:]
        )
    return {"engine": POSTGRESQL, "server_version": f"{server_major}.{server % 10000}", "dump_tool": client}


def _pg_connect(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    options = {
        k: v for k, v in (settings_dict.get("OPTIONS") or {}).items() if k in ("sslmode", "sslrootcert")
    }
    params = {
        "dbname": settings_dict["NAME"], "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None, "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None, **options,
    }  # fmt: skip
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, connect_timeout=30)


def postgresql_is_empty(settings_dict: dict[str, Any]) -> bool:
    """No table outside the system schemas (a database fresh from `createdb`)."""
    import psycopg

    try:
        with _pg_connect(settings_dict) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()
    except psycopg.Error as exc:
        raise RenkeiError(
            bilingual(
                f"復元先のデータベース {settings_dict['NAME']} に接続できません。作成済みか確認してください。",
                f"Cannot connect to the target database {settings_dict['NAME']}; create it first (createdb).",
            )
            + f"\n{exc}"
        ) from exc
    return bool(row[0] == 0)


def restore_postgresql(staged: Path, settings_dict: dict[str, Any], *, clean: bool) -> None:
    """pg_restore in one transaction, stopping at the first error: a failed restore leaves the
    target as it was. `clean` drops the objects the dump will recreate (replacing a database)."""
    args, env = _pg_args(settings_dict)
    command = [_tool("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error", *args]
    if clean:
        command[1:1] = ["--clean", "--if-exists"]
    done = subprocess.run(
        [*command, str(staged)], env=env, capture_output=True, text=True, check=False, timeout=PG_TIMEOUT
    )
    if done.returncode != 0:
        hint = ""
        if "unsupported version" in done.stderr:
            hint = bilingual(
                "（このバックアップはより新しい pg_dump で作られています。新しい pg_restore を使ってください。）",
                "(The backup was made by a newer pg_dump; use a pg_restore of that version or newer.)",
            )
        raise RenkeiError(
            bilingual(
                "pg_restore が失敗しました。データベースは変更されていません:",
                "pg_restore failed; the database is unchanged:",
            )
            + "\n"
            + done.stderr.strip()[-2000:]
            + ("\n" + hint if hint else "")
        )
