from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renkei.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from renkei.accounts import models

        auditlog.register(
            models.User,
            exclude_fields=["password", "last_login"],
            m2m_fields={"group_companies"},
        )
        auditlog.register(models.ApiToken, exclude_fields=["token_hash"])
