from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "renkei.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from renkei.incidents import (
            models,
            permissions,  # noqa: F401 - registers the app's actions
        )

        auditlog.register(models.Incident, exclude_fields=["updated_at"], m2m_fields={"parties"})
        for model in (
            models.ResponseRole,
            models.Playbook,
            models.PlaybookStep,
            models.PlaybookTask,
            models.IncidentAsset,
            models.IncidentTask,
            models.ReplyTemplate,
            models.Inquiry,
            models.CostEntry,
            models.Attachment,
            models.NotificationEntry,
            models.IntakeReport,
        ):
            auditlog.register(model, exclude_fields=["updated_at"])
        # Fingerprints are binary and large; the audit keeps the metadata only.
        auditlog.register(models.SharedDataset, exclude_fields=["updated_at", "fingerprints"])
        # The result is large and never edited; the audit keeps who traced which file when.
        auditlog.register(models.TraceEvidence, exclude_fields=["result"])
