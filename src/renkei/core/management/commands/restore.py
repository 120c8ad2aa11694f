"""`renkei restore SRC`: restore an archive made by `renkei backup` into this server's database,
MEDIA_ROOT and data directory (empty ones, unless --force). Stop the web server and the worker first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.backup.services import backup_restore
from renkei.core.errors import RenkeiError


class Command(BaseCommand):
    help = "Restore a backup made by `renkei backup` into an empty database and data directory (SRC: a file or -)."
    # The checks may open the database; the restore must find the target exactly as it is.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="archive made by `renkei backup`, or - for stdin")
        parser.add_argument(
            "--force", action="store_true", help="replace a database and uploaded files that are not empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(source=options["source"], force=options["force"])
        except RenkeiError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS("復元しました / Restored.")
            + f"\n  バックアップ作成日時 / made at: {manifest['created_at']['jst']} (Renkei {manifest['version']})"
            f"\n  データベース / database: {manifest['database']['engine']}"
            f"\n  ファイル / files: {result.files:,}（すべてのチェックサムを確認 / every checksum verified）"
            f"\n  所要時間 / time: {result.seconds:.1f} s"
        )
        if result.migrations_to_apply:
            self.stdout.write(
                self.style.WARNING(
                    f"このバージョンには未適用のマイグレーションが {result.migrations_to_apply} 件あります。"
                    "`renkei manage migrate` を実行してください。\n"
                    f"{result.migrations_to_apply} migrations of this version are not applied yet; "
                    "run `renkei manage migrate`."
                )
            )
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
