from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The top layer: pages that read several apps (the dashboard). No models."""

    name = "renkei.reports"
    label = "reports"
    verbose_name = "Reports"
