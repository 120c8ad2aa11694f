from django.apps import AppConfig


class SoftwareConfig(AppConfig):
    name = "renkei.software"
    label = "software"
    verbose_name = "Software supply chain"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from renkei.registry.panels import register_organisation_panel
        from renkei.software import (
            models,
            panels,
            permissions,  # noqa: F401 - registers the app's actions
            signals,
            tasks,
        )

        for model in (models.Product, models.Release, models.DeliveredFile, models.Sbom, models.LicencePolicy):
            auditlog.register(model, exclude_fields=["updated_at"])
        auditlog.register(models.Finding, include_fields=["state", "justification", "comment", "response_requested_at"])
        # The services announce; the tasks queue the work (tasks import services, never the reverse).
        signals.findings_stale.connect(tasks.on_findings_stale, dispatch_uid="software.findings_stale")
        signals.osv_import_queued.connect(tasks.on_osv_import_queued, dispatch_uid="software.osv_import_queued")
        from renkei.software.enrichment import models_kev_epss, services_kev_epss, tasks_kev_epss

        # Who replaced a KEV/EPSS source with which file, and how it ended (the rows themselves are
        # reference data replaced as a whole, like the OSV records).
        auditlog.register(
            models_kev_epss.EnrichmentImport, include_fields=["kind", "source", "status", "records", "file_date", "error"]
        )

        services_kev_epss.enrichment_import_queued.connect(
            tasks_kev_epss.on_enrichment_import_queued, dispatch_uid="software.enrichment_import_queued"
        )
        signals.nvd_jvn_import_queued.connect(tasks.on_nvd_jvn_import_queued, dispatch_uid="software.nvd_jvn_import")
        auditlog.register(models.NvdJvnImport, include_fields=["kind", "source", "status"])
        register_organisation_panel(panels.SUPPLIER_SOFTWARE)
