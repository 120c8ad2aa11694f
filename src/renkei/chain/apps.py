from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "renkei.chain"
    label = "chain"
    verbose_name = "Chain analytics"
