"""Writes of the response organisation: response roles (and the public bodies seeded by default),
playbooks with their steps and task templates, and reply templates for customer inquiries."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.services import check_write, record_delete, record_save
from renkei.core.tenancy import default_group_company_id, own_company
from renkei.incidents.response import playbooks
from renkei.incidents.response.models import (
    Playbook,
    PlaybookStep,
    PlaybookTask,
    ReplyTemplate,
    ResponseRole,
)
from renkei.incidents.response.timeline import ACTION
from renkei.registry.models import Organisation


def default_company_id(user: Any, company_id: int | None) -> int:
    company_id = company_id or default_group_company_id(user)
    if company_id is None:
        raise RenkeiError(_("Register the own company first."), field_name="group_company")
    return company_id


def response_role_save(*, user: Any, role: ResponseRole) -> ResponseRole:
    """Create or update a response role (internal member, external helper or public body)."""
    role.group_company_id = default_company_id(user, role.group_company_id)
    return record_save(user=user, instance=role, action=ACTION)


def response_role_delete(*, user: Any, role: ResponseRole) -> None:
    """Delete a response role; notification entries naming it keep their recipient text."""
    record_delete(user=user, instance=role, action=ACTION)


PUBLIC_BODY_DEFAULTS: tuple[tuple[str, str, str, str, str], ...] = (
    # (kind, name, organisation, phone, notes): public contact points, checked against their sites.
    ("ppc", "漏えい等報告窓口", "個人情報保護委員会", "", "漏えい等報告はPPCのウェブサイトの報告フォームから提出する。"),
    ("ipa", "情報セキュリティ安心相談窓口", "独立行政法人情報処理推進機構（IPA）", "03-5978-7509", ""),
    ("jpcert", "インシデント報告窓口", "一般社団法人JPCERTコーディネーションセンター（JPCERT/CC）", "", "ウェブフォームから報告する。"),
    ("police", "サイバー犯罪相談窓口", "都道府県警察 サイバー窓口", "", "管轄の都道府県警察のサイバー犯罪相談窓口へ。"),
)


def response_roles_seed_defaults(*, user: Any, group_company: Organisation | None = None) -> list[ResponseRole]:
    """Register the public bodies (PPC, IPA, JPCERT/CC, police cyber desk) for a company, once.

    A body already registered (by kind) is left as it is, so running this again changes nothing.
    """
    company = group_company or own_company()
    if company is None:
        raise RenkeiError(_("Register the own company first."))
    check_write(user=user, action=ACTION, company_id=company.pk)
    existing = set(ResponseRole.objects.filter(group_company=company).values_list("kind", flat=True))
    created = []
    with transaction.atomic():
        for kind, name, organisation_name, phone, notes in PUBLIC_BODY_DEFAULTS:
            if kind in existing:
                continue
            role = ResponseRole(
                group_company=company, kind=kind, name=name, organisation_name=organisation_name, phone=phone, notes=notes
            )
            created.append(record_save(user=user, instance=role, action=ACTION))
    return created


def playbook_ensure_default(*, group_company: Organisation, user: Any = None) -> Playbook:
    """The company's default playbook, created from the standard five-step flow when it has none."""
    check_write(user=user, action=ACTION, company_id=group_company.pk)
    existing = Playbook.objects.filter(group_company=group_company, is_default=True).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        playbook = Playbook.objects.create(
            group_company=group_company,
            name=playbooks.DEFAULT_PLAYBOOK_NAME,
            description=playbooks.DEFAULT_PLAYBOOK_DESCRIPTION,
            is_default=True,
        )
        for order, step_template in enumerate(playbooks.DEFAULT_STEPS, start=1):
            step = PlaybookStep.objects.create(
                playbook=playbook, order=order * 10, name=step_template.name, description=step_template.description
            )
            for task in step_template.tasks:
                PlaybookTask.objects.create(
                    step=step,
                    title=task.title,
                    owner_kind=task.owner_kind,
                    due_hours=task.due_hours,
                    deadline_key=task.deadline_key,
                )
    return playbook


def playbook_save(*, user: Any, playbook: Playbook) -> Playbook:
    """Create or update a playbook; making it the default unsets the company's previous default."""
    playbook.group_company_id = default_company_id(user, playbook.group_company_id)
    with transaction.atomic():
        saved = record_save(user=user, instance=playbook, action=ACTION)
        if saved.is_default:
            for other in Playbook.objects.filter(group_company_id=saved.group_company_id, is_default=True).exclude(
                pk=saved.pk
            ):
                other.is_default = False
                other.save(update_fields=["is_default", "updated_at"])
    return saved


def playbook_delete(*, user: Any, playbook: Playbook) -> None:
    """Delete a playbook with its steps and tasks (incidents keep the tasks made from it)."""
    record_delete(user=user, instance=playbook, action=ACTION)


def playbook_step_save(*, user: Any, step: PlaybookStep) -> PlaybookStep:
    """Create or update a step of a playbook."""
    return record_save(user=user, instance=step, action=ACTION, company_id=step.playbook.group_company_id)


def playbook_step_delete(*, user: Any, step: PlaybookStep) -> None:
    check_write(user=user, action=ACTION, company_id=step.playbook.group_company_id)
    with transaction.atomic():
        step.delete()


def playbook_task_save(*, user: Any, task: PlaybookTask) -> PlaybookTask:
    """Create or update a task template of a playbook step."""
    return record_save(user=user, instance=task, action=ACTION, company_id=task.step.playbook.group_company_id)


def playbook_task_delete(*, user: Any, task: PlaybookTask) -> None:
    check_write(user=user, action=ACTION, company_id=task.step.playbook.group_company_id)
    with transaction.atomic():
        task.delete()


def reply_template_save(*, user: Any, template: ReplyTemplate) -> ReplyTemplate:
    """Create or update a reply template for customer inquiries."""
    template.group_company_id = default_company_id(user, template.group_company_id)
    return record_save(user=user, instance=template, action=ACTION)


def reply_template_delete(*, user: Any, template: ReplyTemplate) -> None:
    record_delete(user=user, instance=template, action=ACTION)
