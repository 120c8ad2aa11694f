"""No working portal link or token in a log: a logging filter for Django's loggers (a 404 on a portal
link logs its path) and a gunicorn logger class for the access log (which logs every path)."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

from renkei.core.tokens import mask_secrets


class MaskSecretsFilter(logging.Filter):
    """Rewrites a record's message with its tokens masked (settings.LOGGING puts it on the handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskedGunicornLogger(GunicornLogger):
    """gunicorn's logger with the request line, path, query and referrer masked in the access log
    (`renkei serve` and `renkei demo` start gunicorn with it)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: mask_secrets(value) if isinstance(value, str) else value for key, value in atoms.items()}
