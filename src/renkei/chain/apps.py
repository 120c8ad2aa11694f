from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "renkei.chain"
    label = "chain"
    verbose_name = "Chain analytics"

    def ready(self) -> None:
        # chain listens to the registry rather than the registry calling chain (imports go down).
        from renkei.chain.tasks import on_graph_changed
        from renkei.registry.signals import graph_changed

        graph_changed.connect(on_graph_changed, dispatch_uid="chain.recompute_tiers")
