"""`renkei load_demo`: load the invented demo group and print the demo logins.

The output is bilingual on purpose (Japanese / English on each line): it is read once, by whoever
installs the demo, whatever the server's language setting.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.errors import RenkeiError
from renkei.demo.data import LOGIN_URL, OWN_COMPANY_NAME
from renkei.demo.loader import DemoSummary, load_demo_data

COUNT_LABELS = (
    ("organisations", "組織 / organisations"),
    ("relationships", "取引関係 / relationships"),
    ("assets", "情報資産 / information assets"),
    ("holdings", "データ保有 / data holdings"),
    ("system_access", "システムアクセス / system access"),
    ("contacts", "連絡先 / contacts"),
    ("certifications", "認証 / certifications"),
    ("users", "ユーザー / users"),
    ("products", "製品 / software products"),
    ("releases", "リリース / releases"),
    ("vulnerabilities", "脆弱性 / vulnerabilities"),
    ("findings", "所見 / findings"),
    ("campaigns", "点検キャンペーン / assessment campaigns"),
    ("assessments", "点検 / assessments"),
    ("follow_ups", "是正項目 / follow-up items"),
    ("shared_datasets", "提供データ（漏えい追跡用）/ shared datasets"),
    ("intake_reports", "外部からの通報 / outside reports"),
)
LEAK_HINT = (
    "漏えい追跡のデモ: demo-csirt で「インシデント」→「通報受付」の通報からインシデントを起票し、添付ファイルの"
    "「漏えい元を追跡」を押してください。\n"
    "Leak tracing demo: as demo-csirt, open an incident from the outside report under Incidents → Intake and press "
    "\"Trace the leak source\" on its attachment."
)


class Command(BaseCommand):
    help = "Load the invented demo data set (a group, its supply chain, assets, users) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=LOGIN_URL, help="Address to print for logging in.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo_data()
        except RenkeiError as exc:
            raise CommandError(str(exc)) from exc
        if summary.created:
            self._print_created(summary)
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"自社（{summary.own_company}）が登録済みのため、何も変更しませんでした。\n"
                    f"The own company ({summary.own_company}) is already registered; nothing was changed."
                )
            )
            if summary.own_company != OWN_COMPANY_NAME:
                return  # not the demo data set: its logins would mislead
        self._print_logins(summary, options["url"])

    def _print_created(self, summary: DemoSummary) -> None:
        self.stdout.write(self.style.SUCCESS(f"デモデータを読み込みました / Demo data loaded: {summary.own_company}"))
        for key, label in COUNT_LABELS:
            self.stdout.write(f"  {label}: {summary.counts.get(key, 0)}")
        self.stdout.write(f"  階層を設定した組織 / tiers set: {summary.tiers_changed}")
        if summary.counts.get("intake_reports"):
            self.stdout.write(LEAK_HINT)

    def _print_logins(self, summary: DemoSummary, url: str) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"ログイン / Log in: {url}"))
        self.stdout.write(f"  {'username':<20} {'password':<20} {'role':<9} 範囲 / scope")
        for login in summary.logins:
            scope = "、".join(login.limited_to) if login.limited_to else "グループ全体 / whole group"
            if login.username in summary.skipped_users:
                scope += "（既存のため変更なし / existed before, left unchanged）"
            self.stdout.write(f"  {login.username:<20} {login.password:<20} {login.role:<9} {scope}")
        self.stdout.write(
            self.style.WARNING(
                "注意: デモ用の公開パスワードです。本番環境では使わないでください。\n"
                "Note: these passwords are published; never keep the demo accounts on a production system."
            )
        )
        for party, url in summary.portal_links:
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(f"取引先ポータル（ログイン不要）/ Partner portal (no login): {party}"))
            self.stdout.write(f"  {url}")
