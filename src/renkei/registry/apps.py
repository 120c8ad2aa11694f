from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "renkei.registry"
    label = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from renkei.registry import (
            models,
            permissions,  # noqa: F401 - registers the app's actions
        )

        auditlog.register(models.Organisation, exclude_fields=["tier", "updated_at"], m2m_fields={"tags"})
        for model in (
            models.Relationship,
            models.Contact,
            models.Certification,
            models.InformationAsset,
            models.DataHolding,
            models.SystemAccess,
        ):
            auditlog.register(model, exclude_fields=["updated_at"])
