from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate


def _install_builtin_frameworks(sender: Any, **kwargs: Any) -> None:
    # After every migrate: the frameworks shipped with this release are present (new versions
    # added, unchanged ones left alone), so a fresh install and an upgrade need no extra step.
    from renkei.assessments.frameworks.services import frameworks_install_builtin
    from renkei.core.audit import audit_context

    with audit_context(actor=None, via="command: migrate (built-in frameworks)"):
        frameworks_install_builtin()


def _delete_evidence_file(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A removed piece of evidence (one by one, or with its assessment, party or framework) must not
    # stay on disk: it may hold the party's confidential documents. Deleted after the commit, so a
    # rolled-back deletion keeps its file.
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))


class AssessmentsConfig(AppConfig):
    name = "renkei.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from renkei.assessments import (
            models,
            panels,
            permissions,  # noqa: F401 - registers the app's actions
            signals,
            tasks,
        )
        from renkei.registry.panels import register_organisation_panel

        post_migrate.connect(_install_builtin_frameworks, sender=self, dispatch_uid="renkei-builtin-frameworks")
        auditlog.register(models.Framework, exclude_fields=["updated_at"])
        auditlog.register(models.Campaign, exclude_fields=["updated_at", "launch_done"], m2m_fields={"parties"})
        auditlog.register(models.Assignment, exclude_fields=["updated_at", "score", "last_reminded_at"])
        auditlog.register(models.Answer, exclude_fields=["version", "updated_at"])
        auditlog.register(models.SubcontractorDeclaration, m2m_fields={"assets"})
        auditlog.register(models.FollowUp, exclude_fields=["updated_at", "last_reminded_at"])
        for model in (
            models.AssuranceOverride,
            models.AssessmentPolicy,
            models.Evidence,
            models.ReviewComment,
            models.FollowUpMessage,
        ):
            auditlog.register(model, exclude_fields=["updated_at"])
        post_delete.connect(_delete_evidence_file, sender=models.Evidence, dispatch_uid="renkei-evidence-file")
        # The services announce; the tasks queue the work (tasks import services, never the reverse).
        signals.campaign_launch_queued.connect(tasks.on_campaign_launch_queued, dispatch_uid="assessments.launch")
        register_organisation_panel(panels.ASSURANCE)
