"""`renkei backup DEST`: the database, the uploaded files and the keys in one archive (core/backup/).

Output is bilingual on each line, like `load_demo`: it is read on a server console or in a cron
mail, whatever the server's language setting.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.backup.services import backup_create
from renkei.core.errors import RenkeiError

KEYS_WARNING = (
    "注意: このファイルには秘密鍵と漏えい追跡の鍵が含まれます。パスワードと同様に、権限を絞った場所"
    "（暗号化したストレージなど）に保管してください。\n"
    "Note: this file holds the secret key and the leak-tracing key; keep it like a password "
    "(owner-only, on encrypted storage)."
)


class Command(BaseCommand):
    help = "Back up the database, the uploaded files and the keys into one archive (DEST: a file, a folder, or -)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination", help="archive file to create, a folder to create it in, or - for stdout"
        )
        parser.add_argument(
            "--no-compress", action="store_true", help="write a plain .tar instead of .tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(destination=options["destination"], compress=not options["no_compress"])
        except RenkeiError as exc:
            raise CommandError(str(exc)) from exc
        # With "-" the archive is on stdout, so the summary goes to stderr.
        out = self.stderr if result.path is None else self.stdout
        manifest = result.manifest
        size = f"  サイズ / size: {result.size:,} bytes\n" if result.path else ""
        out.write(
            f"バックアップを作成しました / Backup written: {result.path or '(stdout)'}\n"
            f"  データベース / database: {manifest['database']['engine']}\n"
            f"  ファイル / files: {result.files:,}（アップロード / uploaded: {manifest['media_files']:,}）\n"
            f"{size}  所要時間 / time: {result.seconds:.1f} s"
        )
        # Beside the summary (stdout for a file): a cron job that discards stdout mails only failures.
        out.write(self.style.WARNING(KEYS_WARNING))
