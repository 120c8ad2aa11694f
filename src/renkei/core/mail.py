"""E-mails in both languages.

Recipients may not share our UI language (a supplier's security desk abroad, an analyst reading
mail on the road), so every message carries both: the texts are English msgids rendered once per
language with `translation.override`, Japanese first.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.message import EmailAlternative
from django.test.utils import override_settings
from django.utils import translation

from renkei.core.tokens import mask_secrets

LANGUAGES = ("ja", "en")
SEPARATOR = "\n\n" + "-" * 60 + "\n\n"


def bilingual(render: Callable[[], str]) -> str:
    """`render()` in Japanese, then in English."""
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            parts.append(render())
    return SEPARATOR.join(parts)


def bilingual_subject(render: Callable[[], str]) -> str:
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            parts.append(render())
    return " / ".join(dict.fromkeys(parts))


def send_all(messages: Sequence[EmailMessage]) -> int:
    """Send several messages over one connection (a campaign launch sends thousands)."""
    if not messages:
        return 0
    with get_connection() as connection:
        return int(connection.send_messages(list(messages)) or 0)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No e-mail leaves inside the block: loading the demo data set submits and reviews
    questionnaires, whose notifications would otherwise go to invented addresses."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        yield


class MaskedConsoleBackend(ConsoleBackend):
    """The console backend (the default when no SMTP server is set) with portal links and tokens
    masked: a terminal's scroll-back or a log collector must not hold a working link. The message
    itself is unchanged; only what is printed is masked."""

    def write_message(self, message: EmailMessage) -> None:
        printed = copy.copy(message)
        printed.subject = mask_secrets(str(message.subject))
        printed.body = mask_secrets(str(message.body))
        alternatives = getattr(message, "alternatives", None)
        if alternatives:
            printed.alternatives = [  # type: ignore[attr-defined]
                EmailAlternative(mask_secrets(str(content)), mimetype) for content, mimetype in alternatives
            ]
        super().write_message(printed)
