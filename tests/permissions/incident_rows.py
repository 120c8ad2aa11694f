"""The guard table of the incident pages beyond the incident list: CSIRT only.

Pages of the incidents app that go beyond the incident list need `Action.VIEW_INCIDENTS` (reads) or
`Action.CHANGE_INCIDENTS` (writes), which only administrators and CSIRT hold. For these rows the
viewer and the analyst answer 403 (nothing changes), anonymous visitors go to the login page, CSIRT
succeeds, and a CSIRT user limited to the subsidiary gets 404 for the own company's objects.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.idor import Objects, Payload, Row
from tests.permissions.rows import _in_page


def _leak_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("顧客.csv", "氏名,メールアドレス\r\n山田 太郎,taro@example.jp\r\n".encode())


LEAK_ROWS: list[Row] = [
    Row("incidents:dataset_list", listed="shared_dataset", shows=_in_page),
    Row("incidents:dataset_create"),
    Row("incidents:dataset_create", "POST", names_objects=True, ok=200,
        payload=lambda o: {"file": _leak_csv(), "recipient": o["organisation"].pk, "shared_on": "2026-04-01",
                           "group_company": o["company"].pk, "canary_count": 1, "encoding": "auto"}),
    Row("incidents:dataset_detail", obj="shared_dataset"),
    Row("incidents:dataset_delete", obj="shared_dataset"),
    Row("incidents:dataset_delete", "POST", obj="shared_dataset"),
    Row("incidents:leak_trace"),
    Row("incidents:leak_trace", "POST", ok=200, payload=lambda o: {"file": _leak_csv(), "encoding": "auto"}),
]


def _incident_form(o: Objects, title: str) -> dict[str, Any]:
    return {"title": title, "learned_at": "2024-04-10T09:30", "source": "partner_report", "category": "leak",
            "severity": "high", "status": "investigating", "our_role": "data_owner", "prelim_start_days": 3,
            "parties": [o["organisation"].pk], "group_company": o["company"].pk}


def _page_rows(name: str, obj: str, *, create_under: str | None, create: Payload | None, update: Payload,
               names_objects: bool = False) -> list[Row]:
    """Create (under a parent: `create_under` names it), update and delete pages of an incident record."""
    rows = []
    if create is not None:
        rows += [Row(f"incidents:{name}_create", obj=create_under),
                 Row(f"incidents:{name}_create", "POST", obj=create_under, payload=create, names_objects=names_objects)]
    return rows + [
        Row(f"incidents:{name}_update", obj=obj),
        Row(f"incidents:{name}_update", "POST", obj=obj, payload=update),
        Row(f"incidents:{name}_delete", obj=obj),
        Row(f"incidents:{name}_delete", "POST", obj=obj, payload=lambda o: {}),
    ]


INCIDENTS_API = "/api/v1/incidents"
INCIDENT_CORE_ROWS: list[Row] = [
    Row("incidents:incident_create"),
    Row("incidents:incident_create", "POST", payload=lambda o: _incident_form(o, "新しい事案"), names_objects=True),
    Row("incidents:incident_detail", obj="incident"),
    *_page_rows("incident", "incident", create_under=None, create=None,
                update=lambda o: _incident_form(o, "変えた事案")),
    Row("incidents:incident_appi", obj="incident"),
    Row("incidents:incident_appi", "POST", obj="incident",
        payload=lambda o: {"appi_sensitive": "true", "appi_financial_risk": "unknown", "appi_wrongful_purpose": "false",
                           "persons_estimate": 5, "our_role": "data_owner", "prelim_start_days": 3}),
    Row("incidents:incident_status", "POST", obj="incident", payload=lambda o: {"status": "contained"}),
    Row("incidents:timeline_add", "POST", obj="incident", payload=lambda o: {"text": "続報"}),
    Row("incidents:incident_persons_confirm", "POST", obj="incident", payload=lambda o: {"persons": 1200}),
    Row("incidents:assets_prefill", obj="incident"),
    Row("incidents:assets_prefill", "POST", obj="incident"),
    *_page_rows("asset", "incident_asset", create_under="incident",
                create=lambda o: {"asset": o["asset"].pk, "records": 3},
                update=lambda o: {"asset": o["incident_asset"].asset_id, "records": 4}),
    Row("incidents:incident_tasks", obj="incident"),
    *_page_rows("task", "incident_task", create_under="incident",
                create=lambda o: {"title": "新しいタスク", "status": "todo", "owner_kind": "csirt"},
                update=lambda o: {"title": "変えたタスク", "status": "doing", "owner_kind": "csirt"}),
    Row("incidents:task_move", "POST", obj="incident_task", payload=lambda o: {"status": "done"}),
    Row("incidents:incident_inquiries", obj="incident"),
    *_page_rows("inquiry", "inquiry", create_under="incident",
                create=lambda o: {"received_at": "2024-04-11T10:00", "question": "大丈夫ですか"},
                update=lambda o: {"received_at": "2024-04-11T10:00", "question": "大丈夫ですか", "answer": "調査中"}),
    Row("incidents:incident_costs", obj="incident"),
    *_page_rows("cost", "cost", create_under="incident",
                create=lambda o: {"kind": "compensation_claimed", "party": o["organisation"].pk, "amount": 10,
                                  "currency": "JPY", "date": "2024-04-20"},
                update=lambda o: {"kind": "cost", "amount": 20, "currency": "JPY", "date": "2024-04-20"}),
    Row("incidents:attachment_create", obj="incident"),
    Row("incidents:attachment_create", "POST", obj="incident",
        payload=lambda o: {"file": SimpleUploadedFile("証拠.txt", b"evidence")}),
    Row("incidents:attachment_download", obj="attachment"),
    Row("incidents:attachment_delete", obj="attachment"),
    Row("incidents:attachment_delete", "POST", obj="attachment"),
    Row("incidents:attachment_trace", "POST", obj="attachment"),
    Row("incidents:trace_evidence", obj="trace_evidence"),
    Row("incidents:trace_evidence_pdf", obj="trace_evidence"),
    Row("incidents:incident_notifications", obj="incident"),
    Row("incidents:notifications_generate", "POST", obj="incident"),
    *_page_rows("notification", "notification", create_under="incident",
                create=lambda o: {"category": "chain", "recipient": "関係先", "organisation": o["organisation"].pk,
                                  "status": "pending"},
                update=lambda o: {"category": "internal", "recipient": "社長", "status": "sent", "what_sent": "第一報"}),
    Row("incidents:role_list", listed="response_role", shows=_in_page),
    *_page_rows("role", "response_role", create_under=None, names_objects=True,
                create=lambda o: {"kind": "lawyer", "name": "弁護士", "escalation_level": 0,
                                  "group_company": o["company"].pk},
                update=lambda o: {"kind": "csirt", "name": "変えた担当", "escalation_level": 1}),
    Row("incidents:roles_seed"),
    Row("incidents:roles_seed", "POST"),
    Row("incidents:reply_template_list", listed="reply_template", shows=_in_page),
    *_page_rows("reply_template", "reply_template", create_under=None, names_objects=True,
                create=lambda o: {"name": "新しい定型文", "body": "本文", "group_company": o["company"].pk},
                update=lambda o: {"name": "変えた定型文", "body": "本文"}),
    Row("incidents:playbook_list", listed="playbook", shows=_in_page),
    Row("incidents:playbook_detail", obj="playbook"),
    *_page_rows("playbook", "playbook", create_under=None, names_objects=True,
                create=lambda o: {"name": "新しい手順", "group_company": o["company"].pk},
                update=lambda o: {"name": "変えた手順", "is_default": "on"}),
    Row("incidents:playbook_default"),
    Row("incidents:playbook_default", "POST"),
    Row("incidents:playbook_drill", obj="playbook"),
    Row("incidents:playbook_drill", "POST", obj="playbook", payload=lambda o: {"title": "訓練"}),
    *_page_rows("step", "playbook_step", create_under="playbook",
                create=lambda o: {"order": 99, "name": "新しい段階"},
                update=lambda o: {"order": 1, "name": "変えた段階"}),
    *_page_rows("playbook_task", "playbook_task", create_under="playbook_step",
                create=lambda o: {"title": "新しい作業", "owner_kind": "csirt", "due_hours": 2},
                update=lambda o: {"title": "変えた作業", "owner_kind": "lawyer", "due_hours": 3}),
    # API (the list is in API_ROWS)
    Row(INCIDENTS_API, "POST", names_objects=True,
        payload=lambda o: {"title": "API事案", "source": "own_detection", "category": "malware",
                           "group_company_id": o["company"].pk, "party_ids": [o["organisation"].pk]}),
    Row(f"{INCIDENTS_API}/{{pk}}", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}", "PATCH", obj="incident", payload=lambda o: {"severity": "critical"}),
    Row(f"{INCIDENTS_API}/{{pk}}/status", "POST", obj="incident", ok=200, payload=lambda o: {"status": "recovered"}),
    Row(f"{INCIDENTS_API}/{{pk}}/timeline", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}/timeline", "POST", obj="incident", payload=lambda o: {"text": "API記録"}),
    Row(f"{INCIDENTS_API}/{{pk}}/tasks", obj="incident"),
    Row(f"{INCIDENTS_API}/tasks/{{task_id}}", "PATCH", obj="incident_task", payload=lambda o: {"status": "done"}),
    Row(f"{INCIDENTS_API}/{{pk}}/notifications", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}/notifications/generate", "POST", obj="incident", ok=200),
    Row(f"{INCIDENTS_API}/{{pk}}/report-data", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}/asset-proposals", obj="incident"),
    Row(f"{INCIDENTS_API}/{{pk}}/asset-proposals/confirm", "POST", obj="incident", payload=lambda o: {"asset_ids": []}),
]

INCIDENT_ROWS: list[Row] = [
    *INCIDENT_CORE_ROWS,
    *LEAK_ROWS,
    Row("incidents:incident_drafts", obj="incident"),
    Row("incidents:incident_report_fields", obj="incident"),
    Row("incidents:incident_report_fields", "POST", obj="incident",
        payload=lambda o: {"report_summary": "概要の文面", "report_cause": "調査中"}),
    Row("incidents:incident_report_export", obj="report_incident", query="format=docx"),
    Row("incidents:incident_report_export", obj="report_incident", query="format=pdf&stage=final"),
    Row("incidents:incident_notice_export", obj="report_incident", query="format=docx"),
    Row("incidents:incident_notice_export", obj="report_incident", query="format=pdf"),
    Row("incidents:intake_list", listed="intake_report", shows=_in_page),
    Row("incidents:intake_detail", obj="intake_report"),
    Row("incidents:intake_attachment", obj="intake_attachment"),
    Row("incidents:intake_triage", "POST", obj="intake_report",
        payload=lambda o: {"status": "triaged", "public_status_note": "確認中です"}),
    Row("incidents:intake_reply", "POST", obj="intake_report", payload=lambda o: {"text": "ご連絡ありがとうございます"}),
    Row("incidents:intake_create_incident", "POST", obj="intake_report", payload=lambda o: {"title": ""}),
]
INCIDENT_OBJECT_ROWS = [r for r in INCIDENT_ROWS if r.obj]
INCIDENT_LISTS = [r for r in INCIDENT_ROWS if r.listed]
INCIDENT_CREATES = [r for r in INCIDENT_ROWS if r.names_objects]
