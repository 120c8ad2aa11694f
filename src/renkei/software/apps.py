from django.apps import AppConfig


class SoftwareConfig(AppConfig):
    name = "renkei.software"
    label = "software"
    verbose_name = "Software supply chain"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from renkei.software import (
            models,
            permissions,  # noqa: F401 - registers the app's actions
        )

        for model in (models.Product, models.Release, models.DeliveredFile, models.Sbom, models.LicencePolicy):
            auditlog.register(model, exclude_fields=["updated_at"])
        auditlog.register(models.Finding, include_fields=["state", "justification", "comment", "response_requested_at"])
