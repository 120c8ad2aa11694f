"""Worker tasks of the accounts app: thin entry points that call services."""

from __future__ import annotations

from django_tasks import task

from renkei.accounts import services


@task()
def send_password_reset(user_id: int) -> bool:
    """The password-reset e-mail (queued by the reset page, so the page answers as fast for a
    known address as for an unknown one)."""
    return services.password_reset_email_send(user_id=user_id)
