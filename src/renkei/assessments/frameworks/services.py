"""Writes of the framework library: install (built-in, YAML upload, Excel check sheet), retire, delete.

`user=None` is a trusted system context (the worker, a command); the audit context then names it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from renkei.assessments.frameworks.loading import builtin_paths, load_yaml
from renkei.assessments.frameworks.spec import FrameworkSpec
from renkei.assessments.models import (
    Framework,
    FrameworkOrigin,
    Question,
    Section,
)
from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.core.errors import RenkeiError
from renkei.core.services import check_write, record_delete
from renkei.core.tenancy import is_unrestricted
from renkei.registry.models import Organisation

logger = logging.getLogger(__name__)

ACTION = CHANGE_ASSESSMENTS


# --- frameworks ----------------------------------------------------------------------------------


def framework_install(
    *, user: Any, spec: FrameworkSpec, origin: str, group_company: Organisation | None = None
) -> tuple[Framework, bool]:
    """Store a checked framework; returns it and whether anything was written.

    The same key and version with the same content is left as it is (installing is idempotent).
    Different content under an existing key and version replaces it only while no assessment uses
    it; otherwise the version must be raised, so that past answers keep the questions they answered.
    """
    if user is not None:
        check_write(user=user, action=ACTION, company_id=group_company.pk if group_company else None)
        if group_company is None and not is_unrestricted(user):
            raise RenkeiError(
                _("Only a user with access to the whole group can add a framework for the whole group."),
                field_name="group_company",
                status=403,
            )
    digest = spec.content_hash()
    with transaction.atomic():
        existing = Framework.objects.select_for_update().filter(key=spec.key, version=spec.version).first()
        if existing is not None:
            if existing.content_hash == digest:
                return existing, False
            if existing.assignments.exists() or existing.campaigns.exists():
                raise RenkeiError(
                    _("Framework {key} version {version} is already in use with other content. Raise its version.").format(
                        key=spec.key, version=spec.version
                    ),
                    field_name="version",
                    status=409,
                )
            if user is not None and existing.group_company_id != (group_company.pk if group_company else None):
                raise RenkeiError(
                    _("Framework {key} version {version} already exists.").format(key=spec.key, version=spec.version),
                    field_name="key",
                    status=409,
                )
            existing.sections.all().delete()
            framework = existing
        else:
            framework = Framework(key=spec.key, version=spec.version)
        framework.group_company = group_company
        framework.name_ja = spec.name_ja[:200]
        framework.name_en = spec.name_en[:200]
        framework.description_ja = spec.description_ja
        framework.description_en = spec.description_en
        framework.source_ja = spec.source_ja
        framework.source_en = spec.source_en
        framework.origin = origin
        framework.scoring = spec.scoring
        framework.levels = spec.levels
        framework.levels_cumulative = spec.levels_cumulative
        framework.chart = spec.chart
        framework.answers = spec.answers
        framework.answer_points = spec.answer_points
        framework.content_hash = digest
        framework.question_count = spec.question_count
        framework.is_active = True
        framework.save()
        _store_questions(framework, spec)
        if origin == FrameworkOrigin.BUILTIN:
            # A newer built-in version replaces the older ones for new assessments.
            for older in Framework.objects.filter(key=spec.key, origin=FrameworkOrigin.BUILTIN, is_active=True).exclude(
                pk=framework.pk
            ):
                if _version_key(older.version) < _version_key(framework.version):
                    older.is_active = False
                    older.save(update_fields=["is_active", "updated_at"])
    return framework, True


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def _store_questions(framework: Framework, spec: FrameworkSpec) -> None:
    # Bulk inserts: a 1,000-question check sheet is stored in a few statements. The framework's own
    # audit entry records the content hash and question count; questions are its content.
    sections = Section.objects.bulk_create(
        [
            Section(framework=framework, ref=s.ref, order=i, title_ja=s.title_ja[:300], title_en=s.title_en[:300])
            for i, s in enumerate(spec.sections)
        ]
    )
    if not all(s.pk for s in sections):  # backends that do not return ids from bulk inserts
        by_ref = dict(Section.objects.filter(framework=framework).values_list("ref", "pk"))
        for section in sections:
            section.pk = by_ref[section.ref]
    questions = []
    order = 0
    for section, section_spec in zip(sections, spec.sections, strict=True):
        for q in section_spec.questions:
            questions.append(
                Question(
                    framework=framework,
                    section_id=section.pk,
                    ref=q.ref,
                    order=order,
                    text_ja=q.text_ja,
                    text_en=q.text_en,
                    answer_type=q.answer_type,
                    choices=q.choices,
                    weight=q.weight,
                    levels=q.levels,
                    mappings=q.mappings,
                    evidence_ja=q.evidence_ja,
                    evidence_en=q.evidence_en,
                    required=q.required,
                )
            )
            order += 1
    Question.objects.bulk_create(questions, batch_size=500)


def framework_upload(
    *, user: Any, data: bytes, filename: str, group_company: Organisation | None
) -> Framework:
    """A framework uploaded as YAML by a user: checked whole, then stored."""
    spec = load_yaml(data, filename=filename)
    framework, _changed = framework_install(user=user, spec=spec, origin=FrameworkOrigin.UPLOADED, group_company=group_company)
    return framework


def framework_set_active(*, user: Any, framework: Framework, active: bool) -> Framework:
    """Retire a framework from new assessments (past ones keep it), or bring it back."""
    check_write(user=user, action=ACTION, company_id=framework.group_company_id)
    if framework.group_company_id is None and user is not None and not is_unrestricted(user):
        raise RenkeiError(_("Only a user with access to the whole group can change a framework of the whole group."), status=403)
    framework.is_active = active
    framework.save(update_fields=["is_active", "updated_at"])
    return framework


def framework_delete(*, user: Any, framework: Framework) -> None:
    """Delete a framework that no assessment or campaign uses (built-in ones come back on migrate)."""
    if framework.assignments.exists() or framework.campaigns.exists():
        raise RenkeiError(_("This framework is used by assessments; retire it instead."), status=409)
    if framework.group_company_id is None and user is not None and not is_unrestricted(user):
        raise RenkeiError(_("Only a user with access to the whole group can change a framework of the whole group."), status=403)
    record_delete(user=user, instance=framework, action=ACTION)


def frameworks_install_builtin() -> list[Framework]:
    """Install (or update) the frameworks shipped in the package; returns those written."""
    written = []
    for path in builtin_paths():
        try:
            spec = load_yaml(path.read_bytes(), filename=path.name)
            framework, changed = framework_install(user=None, spec=spec, origin=FrameworkOrigin.BUILTIN)
        except RenkeiError as exc:
            # A broken shipped file is a bug (a test loads every one); an upgrade must not stop on it.
            logger.error("built-in framework %s not installed: %s", path.name, "; ".join(i.message for i in exc.items))
            continue
        if changed:
            written.append(framework)
    return written
