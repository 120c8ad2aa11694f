from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set and its `load_demo` command; the top layer, beside reports. No models."""

    name = "renkei.demo"
    label = "demo"
    verbose_name = "Demo data"
