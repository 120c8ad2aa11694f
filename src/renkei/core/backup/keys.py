"""The keys a restored server needs that are not in the database (docs/operations.md, Backups).

- The secret key (`RENKEI_SECRET_KEY`, else the file `secret_key` generated once in the data
  directory): sessions and signed values, and, unless `RENKEI_LEAK_KEY` is set, the source of the
  leak-tracing fingerprint key.
- `RENKEI_LEAK_KEY`, when set: the fingerprint key is derived from it. Restored with another key,
  the ledger of shared datasets can no longer be compared and a leaked file is not attributed.

A restore puts the secret key back into the data directory when the environment does not set one;
keys that come from the environment cannot be written back from here, so the restore compares them
and says exactly what to set when they differ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from renkei.core.backup.archive import bilingual

KEYS_FILE = "keys.json"
FROM_ENVIRONMENT, FROM_DATA_DIR, FROM_SETTINGS, FROM_SECRET_KEY = (
    "environment", "data directory", "settings", "derived from the secret key",
)  # fmt: skip


def keys_snapshot(
    *, secret_key: str, leak_key: str, environ: Mapping[str, str], data_dir: Path
) -> dict[str, Any]:
    """The keys in force, and where each came from (the manifest records the sources only)."""
    key_file = data_dir / "secret_key"
    if environ.get("RENKEI_SECRET_KEY") == secret_key:
        secret_from = FROM_ENVIRONMENT
    elif key_file.is_file() and key_file.read_text().strip() == secret_key:
        secret_from = FROM_DATA_DIR
    else:
        secret_from = FROM_SETTINGS
    return {
        "secret_key": secret_key,
        "secret_key_from": secret_from,
        "leak_key": leak_key,
        "leak_key_from": FROM_ENVIRONMENT if leak_key else FROM_SECRET_KEY,
    }


def _write_owner_only(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.restoring")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    path.chmod(0o600)


def keys_restore(
    keys: Mapping[str, Any], *, environ: Mapping[str, str], leak_key: str, data_dir: Path
) -> list[str]:
    """Put the secret key back (unless the environment sets it) and return warnings about keys that
    differ from the backup's; `leak_key` is the RENKEI_LEAK_KEY this server runs with."""
    warnings: list[str] = []
    secret = str(keys["secret_key"])
    derived = not keys.get("leak_key")
    env_secret = environ.get("RENKEI_SECRET_KEY")
    if env_secret is None:
        _write_owner_only(data_dir / "secret_key", secret)
    elif env_secret != secret:
        consequence = (
            bilingual(
                "漏えい追跡の指紋鍵は秘密鍵から導出されているため、このままでは漏えいファイルの出所を特定できません。",
                "The leak fingerprint key is derived from it, so leaked files cannot be attributed until it matches.",
            )
            if derived
            else bilingual("ログイン中のセッションは無効になります。", "Existing sessions end.")
        )
        warnings.append(
            bilingual(
                "環境変数 RENKEI_SECRET_KEY がバックアップ時の秘密鍵と異なります。",
                "RENKEI_SECRET_KEY in this environment differs from the backup's secret key.",
            )
            + "\n"
            + consequence
            + "\n"
            + _where_the_key_is("secret_key")
        )
    if not derived and leak_key != keys["leak_key"]:
        warnings.append(
            bilingual(
                "RENKEI_LEAK_KEY がバックアップ時の値と異なる（または未設定）ため、漏えいファイルの出所を特定できません。"
                "バックアップ時と同じ値を設定してサーバーを再起動してください。",
                "RENKEI_LEAK_KEY is not the backup's value (or not set): leaked files cannot be attributed. "
                "Set it to the backup's value and restart the server.",
            )
            + "\n"
            + _where_the_key_is("leak_key")
        )
    if derived and leak_key:
        warnings.append(
            bilingual(
                "バックアップ時は RENKEI_LEAK_KEY が未設定（秘密鍵から導出）でした。このサーバーでは設定されているため、"
                "提供データの台帳と照合できません。RENKEI_LEAK_KEY を外してください。",
                "The backup's fingerprint key was derived from the secret key (RENKEI_LEAK_KEY unset); this server "
                "sets RENKEI_LEAK_KEY, so the ledger cannot be compared. Unset it.",
            )
        )
    return warnings


def _where_the_key_is(field: str) -> str:
    return bilingual(
        f'値はバックアップ内の {KEYS_FILE} の "{field}" にあります: tar -xOzf BACKUP.tar.gz {KEYS_FILE}',
        f'The value is "{field}" in {KEYS_FILE} inside the backup: tar -xOzf BACKUP.tar.gz {KEYS_FILE}',
    )
