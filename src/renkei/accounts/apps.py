from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renkei.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from renkei.accounts import (
            models,
            permissions,  # noqa: F401 - registers the app's actions
        )

        auditlog.register(
            models.User,
            exclude_fields=["password", "last_login"],
            m2m_fields={"group_companies"},
        )
        auditlog.register(models.ApiToken, exclude_fields=["token_hash"])
        auditlog.register(models.PortalLink, exclude_fields=["token_hash", "last_used_at", "updated_at"])
        # The secret never enters the log; the counters change on every log-in and would flood it.
        auditlog.register(
            TOTPDevice,
            exclude_fields=[
                "key",
                "last_t",
                "drift",
                "throttling_failure_timestamp",
                "throttling_failure_count",
                "last_used_at",
            ],
        )
