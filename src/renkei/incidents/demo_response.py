"""Demo content for incident response: the response organisation (CSIRT, CISO, escalation chain,
external helpers and public bodies), the default playbook of each group company, reply templates
for customer inquiries, and one completed tabletop drill with its after-action note.

No real incident is created: the demo's story starts when a partner reports a breach.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from renkei.incidents.response import services, setup_services
from renkei.incidents.response.models import ReplyTemplate, ResponseRole
from renkei.registry.models import Organisation

# (kind, name, organisation, department, e-mail, phone, escalation level); example.jp addresses only.
ROLES: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    ("csirt", "岡本 理沙", "", "情報システム部 CSIRT", "csirt@minato-sogo.example.jp", "03-0000-1001", 0),
    ("csirt", "林 大輔", "", "情報システム部 CSIRT", "csirt@minato-sogo.example.jp", "03-0000-1002", 0),
    ("escalation", "情報システム部長 石井 誠", "", "情報システム部", "ishii@minato-sogo.example.jp", "03-0000-1010", 1),
    ("escalation", "常務取締役 松本 恵", "", "経営企画本部", "matsumoto@minato-sogo.example.jp", "03-0000-1020", 2),
    ("ciso", "CISO 高橋 真理", "", "経営企画本部", "ciso@minato-sogo.example.jp", "03-0000-1030", 3),
    ("forensics", "インシデント対応窓口", "株式会社あかつきフォレンジック", "", "ir@akatsuki-forensics.example.jp", "03-0000-2001", 0),
    ("lawyer", "弁護士 藤田 理", "藤田総合法律事務所", "", "fujita@fujita-law.example.jp", "03-0000-3001", 0),
    ("insurer", "サイバー保険 事故受付", "みなと損害保険株式会社", "", "cyber@minato-sonpo.example.jp", "0120-000-000", 0),
)

REPLY_TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "お詫びと調査中のご案内",
        "このたびは、当社の委託先における情報漏えいの可能性により、ご心配とご迷惑をおかけしておりますことを"
        "深くお詫び申し上げます。現在、外部の専門家とともに影響範囲を調査しております。調査の結果、お客様の"
        "情報が含まれていることが判明した場合は、個別にご連絡いたします。",
    ),
    (
        "不審な連絡へのご注意",
        "当社からお客様に、パスワードやカード番号をお尋ねすることはありません。当社を名乗る不審なメールや"
        "電話にはご注意ください。お心当たりのない請求があった場合は、カード会社へご連絡ください。",
    ),
)


def load_response_demo(*, orgs: dict[str, Organisation], today: dt.date) -> dict[str, int]:
    """Seed the response organisation, playbooks, reply templates and a past drill (system context)."""
    own = orgs["own"]
    counts: dict[str, Any] = {}
    for kind, name, organisation, department, email, phone, level in ROLES:
        setup_services.response_role_save(
            user=None,
            role=ResponseRole(
                group_company=own, kind=kind, name=name, organisation_name=organisation, department=department,
                email=email, phone=phone, escalation_level=level,
            ),
        )
    counts["response roles"] = len(ROLES) + len(setup_services.response_roles_seed_defaults(user=None, group_company=own))
    playbook = setup_services.playbook_ensure_default(group_company=own)
    for key in ("card", "logi"):
        if key in orgs:
            setup_services.playbook_ensure_default(group_company=orgs[key])
    counts["playbooks"] = 1 + sum(1 for key in ("card", "logi") if key in orgs)
    for name, body in REPLY_TEMPLATES:
        setup_services.reply_template_save(user=None, template=ReplyTemplate(group_company=own, name=name, body=body))
    counts["reply templates"] = len(REPLY_TEMPLATES)

    drill = services.drill_start(user=None, playbook=playbook, title="机上訓練：委託先からのランサムウェア被害報告")
    drill.learned_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=45), dt.time(10, 0)))
    drill.status = "closed"
    drill.after_action_note = (
        "再委託先（三次）の連絡窓口が台帳に未登録で、第一報の受領まで想定より時間がかかった。"
        "委託先に再委託先の緊急連絡先の提出を求めること。"
    )
    services.incident_update(user=None, incident=drill)
    drill.tasks.update(status="done", done_at=drill.learned_at + dt.timedelta(hours=4))
    counts["drills"] = 1
    return counts
