"""The default response flow (M16): five steps 発見報告 → 初動 → 調査・対応 → 復旧 → 最終報告.

Plain data here; `playbook_ensure_default(group_company=...)` creates it as Playbook rows, and
`incident_open` turns a playbook into IncidentTask rows whose due times are the learned-at time
plus each task's `due_hours` — except the tasks that follow a legal deadline (`deadline_key`: the
速報, the 確報 and the notice to the persons), whose due date is the APPI clock's. Step and task names are stored in Japanese (the product's first
language): they are the company's own editable template, not interface text. English pages show an
untouched default text in English (`ENGLISH`, the `playbook_text` template filter).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PLAYBOOK_NAME = "標準インシデント対応フロー"
DEFAULT_PLAYBOOK_DESCRIPTION = "発見報告から最終報告までの標準的な5段階の対応手順（テンプレート）。"


@dataclass(frozen=True)
class TaskTemplate:
    title: str
    owner_kind: str
    due_hours: int
    # A legal deadline of the APPI clock the task's due date follows (`deadlines.CLOCK_KEYS`).
    deadline_key: str = ""


@dataclass(frozen=True)
class StepTemplate:
    name: str
    description: str
    tasks: tuple[TaskTemplate, ...]


DEFAULT_STEPS: tuple[StepTemplate, ...] = (
    StepTemplate(
        "発見報告",
        "発見者・通報者からの第一報を受け、CSIRTと責任者へ報告する。",
        (
            TaskTemplate("第一報の内容（いつ・何が・どこで・誰が）を記録する", "csirt", 1),
            TaskTemplate("CSIRT責任者とCISOへ報告する", "csirt", 1),
            TaskTemplate("社内エスカレーション（上長・経営層）を行う", "escalation", 2),
        ),
    ),
    StepTemplate(
        "初動",
        "被害の拡大を防ぎ、証拠を保全し、関係者と影響範囲を把握する。",
        (
            TaskTemplate("被害拡大の防止（ネットワーク遮断・アカウント停止など）", "csirt", 4),
            TaskTemplate("ログ・端末など証拠を保全する", "forensics", 8),
            TaskTemplate("関与する取引先と影響を受ける情報資産を特定する", "csirt", 12),
            TaskTemplate("個人情報保護法の報告要否を判断する（4要件）", "csirt", 24),
            TaskTemplate("通知計画を作成し、委託元・委託先へ連絡する", "csirt", 24),
        ),
    ),
    StepTemplate(
        "調査・対応",
        "原因と影響範囲を調査し、当局・本人・問い合わせへ対応する。",
        (
            TaskTemplate("個人情報保護委員会へ速報を提出する（3〜5日以内）", "csirt", 72, "ppc:preliminary"),
            TaskTemplate("フォレンジック調査で原因と範囲を確定する", "forensics", 168),
            TaskTemplate("弁護士と法的対応・公表の要否を検討する", "lawyer", 120),
            TaskTemplate("本人への通知と問い合わせ窓口を準備する", "csirt", 120, "individuals"),
            TaskTemplate("保険会社へ連絡する", "insurer", 72),
        ),
    ),
    StepTemplate(
        "復旧",
        "システムと業務を安全に復旧し、再発防止策を実施する。",
        (
            TaskTemplate("脆弱性の修正・パスワード変更など恒久対策を行う", "csirt", 336),
            TaskTemplate("安全を確認してシステム・業務を再開する", "csirt", 336),
        ),
    ),
    StepTemplate(
        "最終報告",
        "確報・最終報告書をまとめ、教訓を次に生かす。",
        (
            TaskTemplate("個人情報保護委員会へ確報を提出する（30日以内、不正目的は60日以内）", "csirt", 720, "ppc:final"),
            TaskTemplate("経営層へ最終報告を行う", "ciso", 720),
            TaskTemplate("振り返り（事後レビュー）を行い、手順を見直す", "csirt", 720),
        ),
    ),
)

# The default flow in English, for readers of the English UI. The rows keep the Japanese text (a
# company edits its own copy); a text still equal to the default is shown in English on English
# pages (`playbook_text` filter), an edited one as written.
ENGLISH: dict[str, str] = {
    DEFAULT_PLAYBOOK_NAME: "Standard incident response flow",
    DEFAULT_PLAYBOOK_DESCRIPTION: "The standard five-step response from the first report to the final report (template).",
    "発見報告": "First report",
    "発見者・通報者からの第一報を受け、CSIRTと責任者へ報告する。": "Take the first report from whoever found or reported it, and report to the CSIRT and its head.",
    "第一報の内容（いつ・何が・どこで・誰が）を記録する": "Record the first report (when, what, where, who)",
    "CSIRT責任者とCISOへ報告する": "Report to the CSIRT head and the CISO",
    "社内エスカレーション（上長・経営層）を行う": "Escalate inside the company (managers, executives)",
    "初動": "First response",
    "被害の拡大を防ぎ、証拠を保全し、関係者と影響範囲を把握する。": "Stop the damage spreading, preserve evidence, find the parties and the scope.",
    "被害拡大の防止（ネットワーク遮断・アカウント停止など）": "Contain the damage (cut network access, suspend accounts, …)",
    "ログ・端末など証拠を保全する": "Preserve evidence: logs, devices",
    "関与する取引先と影響を受ける情報資産を特定する": "Identify the parties involved and the information assets affected",
    "個人情報保護法の報告要否を判断する（4要件）": "Decide whether the APPI requires a report (the four conditions)",
    "通知計画を作成し、委託元・委託先へ連絡する": "Draw up the notification plan and inform clients and contractors",
    "調査・対応": "Investigation and response",
    "原因と影響範囲を調査し、当局・本人・問い合わせへ対応する。": "Investigate the cause and the scope; deal with the regulator, the persons and inquiries.",
    "個人情報保護委員会へ速報を提出する（3〜5日以内）": "Send the preliminary report to the PPC (within 3–5 days)",
    "フォレンジック調査で原因と範囲を確定する": "Establish the cause and the scope with a forensic investigation",
    "弁護士と法的対応・公表の要否を検討する": "Consider the legal response and public disclosure with the lawyer",
    "本人への通知と問い合わせ窓口を準備する": "Prepare the notice to the persons and the inquiry desk",
    "保険会社へ連絡する": "Inform the insurer",
    "復旧": "Recovery",
    "システムと業務を安全に復旧し、再発防止策を実施する。": "Restore systems and operations safely and put measures against recurrence in place.",
    "脆弱性の修正・パスワード変更など恒久対策を行う": "Apply lasting fixes: patch the vulnerability, change passwords, …",
    "安全を確認してシステム・業務を再開する": "Confirm it is safe and resume systems and operations",
    "最終報告": "Final report",
    "確報・最終報告書をまとめ、教訓を次に生かす。": "Write the final report and the lessons learned for next time.",
    "個人情報保護委員会へ確報を提出する（30日以内、不正目的は60日以内）": "Send the final report to the PPC (within 30 days; 60 for wrongful purposes)",
    "経営層へ最終報告を行う": "Give the final report to the executives",
    "振り返り（事後レビュー）を行い、手順を見直す": "Hold the post-incident review and revise the procedure",
}


def default_text(value: str, language: str) -> str:
    """A default-flow text in the reader's language (English pages); any other text unchanged."""
    if language.startswith("en"):
        return ENGLISH.get(value, value)
    return value
