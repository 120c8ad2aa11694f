"""Portal links and tokens never reach a log: the console e-mail backend, Django's loggers and the
gunicorn access log print them masked."""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from types import SimpleNamespace

from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from gunicorn.config import Config

from renkei.assessments.notifications import portal_url
from renkei.core.logmask import MaskedGunicornLogger, MaskSecretsFilter
from renkei.core.mail import MaskedConsoleBackend
from renkei.core.tokens import mask_secrets


def raw_portal_token() -> str:
    return "rp_" + secrets.token_urlsafe(32)


def test_mask_keeps_the_start_and_hides_the_rest():
    token = raw_portal_token()
    masked = mask_secrets(f"開く: https://renkei.example.co.jp/portal/t/{token}/?lang=ja")
    assert token not in masked
    assert masked == f"開く: https://renkei.example.co.jp/portal/t/{token[:4]}…(masked)/?lang=ja"
    api_token = "rk_" + secrets.token_urlsafe(32)
    assert api_token not in mask_secrets(f"token {api_token}.")
    assert mask_secrets("/reset/MQ/c8x-0123456789abcdef/") == "/reset/MQ/c8x-…(masked)/"
    # Text without a secret is left alone (an organisation page, a word that merely starts like one).
    assert mask_secrets("/registry/organisations/12/ rp_x rk_short") == "/registry/organisations/12/ rp_x rk_short"


def test_console_backend_prints_the_invitation_with_the_link_masked(settings, capsys):
    settings.EMAIL_BACKEND = "renkei.core.mail.MaskedConsoleBackend"
    token = raw_portal_token()
    link = portal_url(token)
    message = EmailMultiAlternatives(
        subject=f"セキュリティ点検のお願い {link}",
        body=f"下記のリンクから回答してください。\n{link}\n\nPlease answer at {link}",
        to=["security@supplier.example.jp"],
    )
    message.attach_alternative(f'<a href="{link}">回答する</a>', "text/html")
    assert mail.get_connection().send_messages([message]) == 1
    printed = capsys.readouterr().out
    assert token not in printed
    assert f"/portal/t/{token[:4]}…(masked)/" in printed
    assert "下記のリンクから回答してください。" in printed
    # Only what is printed is masked: the message handed to the backend still carries the link.
    assert token in message.body


def test_console_backend_masks_a_stream_it_is_given():
    token = raw_portal_token()
    stream = io.StringIO()
    backend = MaskedConsoleBackend(stream=stream)
    backend.send_messages([EmailMessage("件名", portal_url(token), to=["a@example.jp"])])
    assert token not in stream.getvalue()
    assert "…(masked)" in stream.getvalue()


def test_a_404_on_a_portal_link_is_logged_masked(client, db):
    token = raw_portal_token()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskSecretsFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get(f"/portal/t/{token}/").status_code == 404
    finally:
        logger.removeHandler(handler)
    assert "Not Found" in stream.getvalue()
    assert token not in stream.getvalue()
    assert f"/portal/t/{token[:4]}…(masked)/" in stream.getvalue()


def test_the_configured_handlers_mask_secrets(settings):
    root_filters = [f for h in logging.getLogger().handlers for f in h.filters]
    server_filters = [f for h in logging.getLogger("django.server").handlers for f in h.filters]
    assert any(isinstance(f, MaskSecretsFilter) for f in root_filters)
    assert any(isinstance(f, MaskSecretsFilter) for f in server_filters)


def test_gunicorn_access_log_masks_the_path():
    token = raw_portal_token()
    path = f"/portal/t/{token}/"
    logger = MaskedGunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": path + "?lang=ja", "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path, "QUERY_STRING": "lang=ja", "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": path,
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", "/portal/")])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=5))
    line = " ".join(str(v) for v in atoms.values())
    assert token not in line
    assert atoms["r"] == f"GET /portal/t/{token[:4]}…(masked)/?lang=ja HTTP/1.1"


def test_no_logger_call_passes_a_token():
    """A guard on the source: no log call names a token or a portal link (they are masked anyway)."""
    import re
    from pathlib import Path

    import renkei

    calls = re.compile(r"\b(?:logger|log|logging)\.(?:debug|info|warning|error|exception|critical)\((.*)")
    for source in Path(renkei.__file__).parent.rglob("*.py"):
        for line in source.read_text(encoding="utf-8").splitlines():
            if match := calls.search(line):
                assert not re.search(r"token|portal_url|raw\b", match.group(1), flags=re.I), f"{source}: {line}"


def test_the_password_reset_mail_is_printed_with_its_link_masked(settings, capsys, analyst):
    from renkei.accounts.services import password_reset_email_send, password_reset_link

    settings.EMAIL_BACKEND = "renkei.core.mail.MaskedConsoleBackend"
    analyst.email = "analyst@example.jp"
    analyst.save()
    link = password_reset_link(analyst)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert password_reset_email_send(user_id=analyst.pk)
    printed = capsys.readouterr().out
    assert "/accounts/password/reset/" in printed
    assert token not in printed
    assert "…(masked)/" in printed
